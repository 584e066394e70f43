import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { runChecklist } from '../../src/run/runner.js';
import { FIXTURES, scenario } from '../helpers.js';

async function data(check: string, files: Record<string, string> = {}, dFile = 'd.csv') {
  const dir = scenario(files);
  for (const f of ['train.csv', 'holdout.csv']) copyFileSync(join(FIXTURES, 'breast-cancer', f), join(dir, f));
  writeFileSync(join(dir, 'c.yaml'), `version: 1\nmodel:\n  path: model.onnx\ndatasets:\n  train: { path: train.csv, label: diagnosis }\n  holdout: { path: holdout.csv, label: diagnosis }\n  d: { path: ${dFile}, label: y }\n${files['r.csv'] ? '  r: { path: r.csv, label: y }\n' : ''}checks:\n  - type: data\n${check}`);
  if (!files[dFile]) writeFileSync(join(dir, dFile), 'y\n1\n');
  return (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!;
}

const D = 'id,age,country,code,flag,y\n1,34,FR,AB1,true,0\n2,51,DE,AB2,false,1\n3,,FR,AB3,true,0\n3,230,XX,zz,maybe,0\n5,44.5,"<b>FR</b>",AB5,1,1\n';

describe('data', () => {
  it('passes the breast-cancer hold-out set: types, ranges, values, balance, no duplicates, disjoint from train', async () => {
    const c = await data('    dataset: holdout\n    rows: { min: 100 }\n    columns:\n      mean_radius: { type: number, min: 5, max: 30, max_missing: 0 }\n      diagnosis: { one_of: [B, M], max_share: 0.7 }\n    label: { min_share: { M: 0.2 } }\n    no_duplicates: true\n    disjoint_from: train\n');
    expect(c.findings).toEqual([]);
    expect(c.status).toBe('pass');
    expect(c.measurements.find((m) => m.name === 'rows also in train')).toMatchObject({ value: 0, passed: true });
  });

  it('infer: the missing-rate margin applies to a column with no missing value in the reference too', async () => {
    const ref = `a,y\n${Array.from({ length: 100 }, (_, i) => `${i},0`).join('\n')}\n`;
    const cur = `a,y\n${Array.from({ length: 100 }, (_, i) => `${i % 20 === 0 ? '' : i},0`).join('\n')}\n`;
    const c = await data('    dataset: d\n    infer: r\n', { 'r.csv': ref, 'd.csv': cur });
    expect(c.findings).toEqual([]);
    expect(c.status).toBe('pass');
    // 5% missing is within 0 + margin 0.1; 15% is not
    const worse = await data('    dataset: d\n    infer: r\n', { 'r.csv': ref, 'd.csv': `a,y\n${Array.from({ length: 100 }, (_, i) => `${i % 20 < 3 ? '' : i},0`).join('\n')}\n` });
    expect(worse.status).toBe('fail');
    expect(worse.message).toBe('a missing 0.15 is above the maximum 0.1');
  });

  it('infers expectations from the training set and finds hold-out rows outside its ranges', async () => {
    const c = await data('    dataset: holdout\n    infer: train\n');
    expect(c.status).toBe('fail');
    expect(c.findings.map((f) => f.message)).toEqual([
      'column "compactness_error": 1 of 171 rows are outside [-0.008163, 0.1168] (line 137: 0.1354)',
      'column "worst_radius": 1 of 171 rows are outside [5.41, 35.65] (line 42: 36.04)',
      'column "worst_perimeter": 1 of 171 rows are outside [32.52, 247.2] (line 42: 251.2)',
      'column "worst_area": 1 of 171 rows are outside [-139.5, 3757] (line 42: 4254)',
    ]);
  });

  it('reports each broken expectation with the rows that break it, values escaped', async () => {
    const c = await data(
      '    dataset: d\n    columns:\n      id: { unique: true }\n      age: { type: integer, min: 0, max: 120, max_missing: 0.1 }\n      country: { one_of: [FR, DE] }\n      code: { pattern: "^AB\\\\d$" }\n      flag: { type: boolean }\n',
      { 'd.csv': D },
    );
    expect(c.findings.map((f) => f.message)).toEqual([
      'column "id": 1 of 5 rows repeat a value seen above (line 5: "3")',
      'column "age": 1 of 5 rows are not an integer (line 6: 44.5)',
      'column "age": 1 of 5 rows are outside [0, 120] (line 5: 230)',
      'column "country": 2 of 5 rows hold a value not allowed ("FR", "DE") (line 5: "XX", line 6: "<b>FR</b>")',
      'column "code": 1 of 5 rows do not match /^AB\\d$/ (line 5: "zz")',
      'column "flag": 1 of 5 rows are not a boolean (line 5: "maybe")',
    ]);
    expect(c.measurements.find((m) => m.name === 'age missing')).toEqual({ name: 'age missing', value: 0.2, threshold: { max: 0.1 }, passed: false });
  });

  it('duplicates on key columns, class balance, a constant column, leakage between splits', async () => {
    const c = await data('    dataset: d\n    no_duplicates: [id]\n    label: { min_share: { "1": 0.5 } }\n    columns:\n      country: { max_share: 0.3 }\n', { 'd.csv': D });
    expect(c.findings.map((f) => f.code)).toEqual(['duplicates']);
    expect(c.measurements.filter((m) => m.passed === false).map((m) => m.name)).toEqual(['country most common value ("FR") share', 'share of class "1"']);
    const leak = await data('    dataset: holdout\n    disjoint_from: { dataset: d2 }\n'.replace('d2', 'train'), {});
    expect(leak.status).toBe('pass');
  });

  it("counts a label's classes by value however the number is written, and other text as it is", async () => {
    // the label is read as numbers (parsed from the bytes): its classes must be those of the text
    const labels = ['1', '1.0', ' 1 ', '1e0', '+1', '0', '00', '-0', 'yes', 'NaN', '', '2'];
    const c = await data('    dataset: d\n    label: { min_share: { "1": 0.5, "0": 0.3, yes: 0.1, NaN: 0.1, "2": 0.1 } }\n', { 'd.csv': `x,y\n${labels.map((l, i) => `${i},${l}`).join('\n')}\n` });
    const share = (k: string) => c.measurements.find((m) => m.name === `share of class "${k}"`)?.value;
    // shares of the 12 rows (the empty label is missing): five 1s, three 0s, yes, NaN, 2
    expect([share('1'), share('0'), share('yes'), share('NaN'), share('2')]).toEqual([5 / 12, 3 / 12, 1 / 12, 1 / 12, 1 / 12]);
    // the same labels in JSON Lines, as numbers and strings (no column of parsed numbers there)
    const json = [1, 1.0, ' 1 ', '1e0', '+1', 0, '00', -0, 'yes', 'NaN', '', 2];
    const j = await data('    dataset: d\n    label: { min_share: { "1": 0.5, "0": 0.3, yes: 0.1, NaN: 0.1, "2": 0.1 } }\n', { 'd.jsonl': json.map((y, x) => JSON.stringify({ x, y })).join('\n') + '\n' }, 'd.jsonl');
    const jshare = (k: string) => j.measurements.find((m) => m.name === `share of class "${k}"`)?.value;
    expect([jshare('1'), jshare('0'), jshare('yes'), jshare('NaN'), jshare('2')]).toEqual([5 / 12, 3 / 12, 1 / 12, 1 / 12, 1 / 12]);
  });

  it('finds rows shared between splits', async () => {
    const train = 'a,b,y\n1,2,0\n3,4,1\n5,6,0\n';
    const dir = scenario({ 'tr.csv': train, 'te.csv': 'a,b,y\n7,8,1\n3,4,1\n9,9,0\n' });
    writeFileSync(join(dir, 'c.yaml'), 'version: 1\nmodel:\n  path: model.onnx\ndatasets:\n  tr: { path: tr.csv, label: y }\n  te: { path: te.csv, label: y }\nchecks:\n  - { type: data, dataset: te, disjoint_from: tr }\n');
    const c = (await runChecklist(loadChecklist(join(dir, 'c.yaml')))).checks[0]!;
    expect(c.findings.map((f) => f.message)).toEqual(['1 of 3 rows also appear in tr (line 3)']);
  });

  it('refuses an invalid regular expression and a check without expectations', async () => {
    await expect(data('    dataset: d\n    columns:\n      y: { pattern: "(" }\n')).rejects.toThrow(/checks\[0\]\.columns: y\.pattern is not a valid regular expression/);
    await expect(data('    dataset: d\n')).rejects.toThrow(/a data check needs at least one expectation/);
  });
});

describe('data: the model input contract and adversarial values', () => {
  it('every column the model reads parses as its input type; incompatible cells are findings with their place', async () => {
    const { readFileSync } = await import('node:fs');
    const [head, ...rows] = readFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), 'utf8').trimEnd().split('\n');
    const broken = rows.map((r, i) => (i === 4 ? r.replace(/^[^,]+/, 'abc') : i === 9 ? r.replace(/^[^,]+,[^,]+/, (m) => `${m.split(',')[0]},`) : r));
    const ok = await data('    dataset: holdout\n    model_inputs: true\n');
    expect(ok.status).toBe('pass');
    const c = await data('    dataset: d\n    model_inputs: true\n', { 'd.csv': [head, ...broken].join('\n').replace('diagnosis', 'y') });
    expect(c.findings.map((f) => f.message)).toEqual(['column "mean_radius": 1 of 171 rows are not a number (line 6: "abc"), but model input "input" is float32']);
    expect(c.measurements.find((m) => m.name === 'mean_texture missing (model input "input" is float32)')).toMatchObject({ value: 1 / 171, passed: false });
  });

  it('handles empty strings, NaN, Infinity, very long strings and labels that look like object keys', async () => {
    const long = 'x'.repeat(10_000);
    const csv = `k,v,y\n__proto__,NaN,constructor\nconstructor,Infinity,toString\n,1e400,__proto__\n${long},7,toString\ntoString,-0,hasOwnProperty\n`;
    const c = await data(
      '    dataset: d\n    columns:\n      k: { one_of: [toString, constructor], unique: true, max_missing: 0 }\n      v: { type: number, min: 0, max: 10 }\n    label: { min_share: { constructor: 0.2, toString: 0.5 } }\n',
      { 'd.csv': csv },
    );
    expect(c.findings.map((f) => f.message)).toEqual([
      `column "k": 2 of 5 rows hold a value not allowed ("toString", "constructor") (line 2: "__proto__", line 5: "${'x'.repeat(40)}…")`,
      'column "v": 2 of 5 rows are not a number (line 3: "Infinity", line 4: "1e400")',
      'column "v": 2 of 5 rows are outside [0, 10] (line 3: "Infinity", line 4: "1e400")',
    ]);
    const m = Object.fromEntries(c.measurements.map((x) => [x.name, x.value]));
    expect(m['k missing']).toBe(0.2);
    expect(m['share of class "constructor"']).toBe(0.2);
    expect(m['share of class "toString"']).toBe(0.4);
    expect(c.measurements.find((x) => x.name === 'share of class "toString"')!.passed).toBe(false);
  });
});
