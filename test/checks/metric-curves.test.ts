import { describe, expect, it, vi } from 'vitest';
import { formatters } from '../../src/report/index.js';
import { bc } from './breast-cancer.js';

// binaryCurves counted: the curves of a metric check are drawn when a report reads them, not before
const drawn = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../../src/eval/curves.js', async (actual) => {
  const real = await actual<typeof import('../../src/eval/curves.js')>();
  return {
    ...real,
    binaryCurves: (d: Parameters<typeof real.binaryCurves>[0]) => {
      drawn.calls++;
      return real.binaryCurves(d);
    },
  };
});

describe('the curves of a metric check', () => {
  it('are drawn when a report reads them (JSON, HTML), once, and never for the terminal', async () => {
    const { report, checks } = await bc('  - id: auc\n    type: metric\n    metric: roc_auc\n    compare: { to: baseline, max_regression: 0.1 }\n  - id: acc\n    type: metric\n    metric: accuracy\n    min: 0.5\n');
    const [auc, acc] = checks;
    formatters.pretty(report, { color: false, root: '.' });
    formatters.junit(report, { color: false, root: '.' });
    expect(drawn.calls).toBe(0);
    const json = JSON.parse(formatters.json(report, { color: false, root: '.' }));
    // the model's and the baseline's, each drawn once however often they are read
    expect(drawn.calls).toBe(2);
    const curves = (auc!.details as { curves: Record<string, { roc: [number, number][]; pr: [number, number][] }> }).curves;
    expect(drawn.calls).toBe(2);
    expect(Object.keys(curves)).toEqual(['model', 'baseline']);
    expect(json.checks[0].details.curves).toEqual(JSON.parse(JSON.stringify(curves)));
    for (const c of Object.values(curves)) {
      expect(c.roc[0]).toEqual([0, 0]);
      expect(c.roc.at(-1)).toEqual([1, 1]);
    }
    // a metric without curves has no such key
    expect(Object.keys(acc!.details ?? {})).not.toContain('curves');
    expect(json.checks[1].details).not.toHaveProperty('curves');
  });
});
