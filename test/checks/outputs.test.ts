import { describe, expect, it } from 'vitest';
import { bc } from './breast-cancer.js';

describe('outputs', () => {
  it('passes a model whose probabilities and labels agree', async () => {
    const { checks } = await bc('  - type: outputs\n');
    expect(checks[0]!.status).toBe('pass');
    expect(checks[0]!.measurements[0]).toEqual({ name: 'label output disagreement', value: 0, threshold: { max: 0 }, passed: true });
  });

  it('catches a label output that disagrees with the scores at the decision threshold', async () => {
    const { checks } = await bc('  - type: outputs\n', '  threshold: 0.9\n');
    const c = checks[0]!;
    expect(c.status).toBe('fail');
    expect(c.findings[0]!.code).toBe('label-disagreement');
    expect(c.findings[0]!.message).toMatch(/^the label output "label" disagrees with the scores on \d+ of 171 rows \(first: line \d+: label M, scores say B\)$/);
    expect(c.findings[0]!.location).toMatch(/^holdout\.csv:\d+$/);
  });
});
