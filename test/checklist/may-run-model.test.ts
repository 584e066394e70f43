import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mayRunModel, RUN_MODELS } from '../../src/checklist/may-run-model.js';
import { loadChecklist } from '../../src/checklist/load.js';
import { checkDefinition, registry } from '../../src/checks/index.js';
import { runsModelWith } from '../../src/checks/define.js';
import { ROOT, scenario } from '../helpers.js';

describe('whether a run starts the model host before its modules are loaded', () => {
  it("the types it looks for are the checks' own runsModel; drift's depends on predictions, which it looks for too", () => {
    expect([...RUN_MODELS].sort()).toEqual(registry.filter((d) => d.runsModel === true).map((d) => d.type as string).sort());
    expect(registry.filter((d) => typeof d.runsModel === 'function').map((d) => d.type)).toEqual(['drift']);
  });
  it("runsModel agrees with what the checks of the repository's checklists say they evaluate", () => {
    const dir = join(ROOT, 'checklists');
    let seen = 0;
    for (const f of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      for (const spec of loadChecklist(join(dir, f)).checks) {
        const evaluates = (checkDefinition(spec.type).needs?.(spec) ?? []).some((n) => n.models.length > 0);
        if (evaluates) {
          seen++;
          expect(runsModelWith(checkDefinition(spec.type), spec), `${f}: ${spec.id}`).toBe(true);
        }
      }
    }
    expect(seen).toBeGreaterThan(5);
  });
  it('guesses from the text, on the side of yes', () => {
    const dir = scenario();
    const file = (name: string, checks: string) => {
      writeFileSync(join(dir, name), `version: 1\nmodel: { path: model.onnx }\ndatasets:\n  h: { path: h.csv, label: y }\nchecks:\n${checks}`);
      return join(dir, name);
    };
    const data = file('data.yaml', '  - type: data\n    dataset: h\n    columns:\n      a: { type: number }\n  - { type: drift, reference: h, current: h }\n');
    expect(mayRunModel(['run', data])).toBe(false);
    expect(mayRunModel([data, '--format', 'json'])).toBe(false);
    expect(mayRunModel(['run', file('m.yaml', '  - type: metric\n    metric: accuracy\n    min: 0.5\n')])).toBe(true);
    expect(mayRunModel(['run', file('flow.yaml', '  - { "type": "latency", p95_ms: 5 }\n')])).toBe(true);
    expect(mayRunModel(['run', file('p.yaml', '  - { type: drift, reference: h, current: h, predictions: true }\n')])).toBe(true);
    // what it cannot see through: several files, shards run as processes, a file it cannot read
    expect(mayRunModel(['run', data, '--jobs', '2'])).toBe(true);
    expect(mayRunModel(['run', data, '--report', `json=${join(dir, 'r.yaml')}`, data])).toBe(true);
    expect(mayRunModel(['run', join(dir, 'missing.yaml')])).toBe(true);
    expect(mayRunModel(['run'])).toBe(true);
  });
});
