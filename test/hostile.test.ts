import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, FIXTURES, MODEL, ROOT, scenario } from './helpers.js';
import { ByteWriter, ParquetWriter } from 'hyparquet-writer';
import { concat, field, utf8, varintField } from '../src/onnx/protobuf.js';
import { BOOL, FLOAT, INT64, int64Constant, model, node, valueInfo } from './onnx-builder.js';

/**
 * Hostile inputs, end to end: each runs the built CLI and asserts the exit code and the one-line
 * message that names the file and the place. None may exit 0, hang, or print a stack trace.
 */
const HOLDOUT = readFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), 'utf8');
const [HEAD = '', ...ROWS] = HOLDOUT.trimEnd().split('\n');
const head = 'version: 1\nmodel:\n  path: model.onnx\n';
const withData = (csv: string, checks = '  - { type: metric, metric: accuracy, min: 0.5 }\n', extra = '') =>
  ({ 'c.yaml': `${head}${extra}datasets:\n  holdout: { path: d.csv, label: diagnosis }\nchecks:\n${checks}`, 'd.csv': csv });
const csv = (rows: string[]) => [HEAD, ...rows].join('\n') + '\n';
const replaceFirstCell = (row: number, value: string) => csv(ROWS.map((r, i) => (i === row ? r.replace(/^[^,]*/, value) : r)));
const card = (text: string) => ({ 'c.yaml': `${head}checks:\n  - { type: model-card, path: card.md, sections: [Overview], min_words: 1 }\n`, 'card.md': text });

type Case = [name: string, files: Record<string, string | Buffer>, code: 1 | 2, message: RegExp];
const cases: Case[] = [
  // checklists
  ['empty checklist', { 'c.yaml': '' }, 2, /c\.yaml {2}the checklist is empty/],
  ['alias bomb', { 'c.yaml': 'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\n' }, 2, /c\.yaml {2}aliases expand beyond the allowed size/],
  ['deep nesting', { 'c.yaml': `x: ${'['.repeat(200)}${']'.repeat(200)}\n` }, 2, /c\.yaml:1:\d+ {2}nesting deeper than 64 levels/],
  ['duplicate key', { 'c.yaml': `${head}checks:\n  - type: model\n    type: files\n` }, 2, /c\.yaml:6:5 {2}duplicate key/],
  ['custom tag', { 'c.yaml': `${head}checks:\n  - type: !!js/function "x"\n` }, 2, /c\.yaml:5:11 {2}YAML tag !!js\/function is not allowed/],
  ['__proto__ key', { 'c.yaml': `${head}__proto__: { polluted: true }\nchecks:\n  - type: model\n` }, 2, /c\.yaml:4:1 {2}key "__proto__" is not allowed/],
  ['constructor key', { 'c.yaml': `${head}checks:\n  - type: model\n    constructor: 1\n` }, 2, /c\.yaml:6:5 {2}checks\[0\]\.constructor: unknown key "constructor"/],
  ['two documents', { 'c.yaml': `${head}checks:\n  - type: model\n---\n{}\n` }, 2, /c\.yaml:6:1 {2}several YAML documents/],
  ['NaN threshold', { 'c.yaml': `${head}checks:\n  - { type: model, max_bytes: .nan }\n` }, 2, /c\.yaml:5:31 {2}number \.nan is not finite/],
  ['infinite threshold', { 'c.yaml': `${head}checks:\n  - { type: model, max_bytes: -.inf }\n` }, 2, /number -\.inf is not finite/],
  ['integer beyond 2^53', { 'c.yaml': `${head}checks:\n  - { type: model, max_bytes: 18014398509481985 }\n` }, 2, /integer 18014398509481985 is beyond 2\^53/],
  ['misspelt key', { 'c.yaml': `${head}checks:\n  - { type: model, max_opst: 17 }\n` }, 2, /checks\[0\]\.max_opst: unknown key "max_opst" \(did you mean "max_opset"\?\)/],
  ['wrong type', { 'c.yaml': `${head}checks:\n  - { type: model, max_opset: seventeen }\n` }, 2, /checks\[0\]\.max_opset: expected number, received string "seventeen"/],
  ['not UTF-8', { 'c.yaml': Buffer.from([0x76, 0x65, 0xff, 0xfe, 0x0a]) }, 2, /c\.yaml {2}is not valid UTF-8 text/],
  // documents a check reads
  ['hyperparameters duplicate key', { 'c.yaml': `${head}checks:\n  - { type: hyperparameters, path: hp.yaml }\n`, 'hp.yaml': 'C: 1\nC: 2\n' }, 2, /hp\.yaml:2:1 {2}duplicate key/],
  ['hyperparameters custom tag', { 'c.yaml': `${head}checks:\n  - { type: hyperparameters, path: hp.yaml }\n`, 'hp.yaml': 'C: !!python/object:os.system x\n' }, 2, /hp\.yaml:1:4 {2}YAML tag/],
  ['approvals of the wrong shape', { 'c.yaml': `${head}checks:\n  - { type: signoff, path: a.yaml, roles: [x] }\n`, 'a.yaml': 'approvals: yes\n' }, 2, /a\.yaml:1:12 {2}approvals: expected list, received string "yes"/],
  ['front matter with a duplicate key', card('---\nlicense: a\nlicense: b\n---\n# Overview\nwords here\n'), 2, /card\.md:3:1 {2}duplicate key/],
  ['front matter for another engine', card('---js\n{ x: process.exit(0) }\n---\n# Overview\nwords here\n'), 1, /front matter in "js" is not read/],
  ['monitoring plan with wrong types', { 'c.yaml': `${head}checks:\n  - { type: monitoring, path: m.yaml }\n`, 'm.yaml': 'metrics: 3\n' }, 2, /m\.yaml:1:10 {2}metrics: expected list, received number 3/],
  // ONNX files
  ['empty model', { 'c.yaml': `${head}checks:\n  - type: model\n`, 'model.onnx': '' }, 2, /model\.onnx {2}is not a readable ONNX model: the file is empty/],
  ['truncated model', { 'c.yaml': `${head}checks:\n  - type: model\n`, 'model.onnx': readFileSync(MODEL).subarray(0, 300) }, 2, /model\.onnx {2}is not a readable ONNX model: .*runs past the end/],
  ['random bytes', { 'c.yaml': `${head}checks:\n  - type: model\n`, 'model.onnx': Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919) % 251)) }, 2, /model\.onnx {2}is not a readable ONNX model/],
  ['model pinned to another digest', { 'c.yaml': `${head}  sha256: ${'ab'.repeat(32)}\nchecks:\n  - type: model\n` }, 2, /model\.onnx {2}sha256 is [0-9a-f]{64}, but the checklist pins model\.sha256/],
  // datasets
  ['ragged row', withData(csv([...ROWS.slice(0, 3), '1,2,3', ...ROWS.slice(3)])), 2, /d\.csv {2}line 5: 3 fields, but the header has 31/],
  ['duplicate header', withData(`${HEAD.replace('mean_texture', 'mean_radius')}\n${ROWS.join('\n')}\n`), 2, /d\.csv {2}line 1: duplicate column "mean_radius" \(columns 1 and 2\)/],
  ['empty dataset', withData(''), 2, /d\.csv {2}is empty \(expected a header row\)/],
  ['header only', withData(`${HEAD}\n`), 2, /d\.csv {2}has a header but no rows/],
  ['hexadecimal number', withData(replaceFirstCell(2, '0x10')), 2, /d\.csv {2}line 4: column "mean_radius": "0x10" is not a number/],
  ['number out of range', withData(replaceFirstCell(2, '1e400')), 2, /d\.csv {2}line 4: column "mean_radius": 1e400 is out of range/],
  ['decimal comma', withData(replaceFirstCell(2, '"1,5"')), 2, /d\.csv {2}line 4: column "mean_radius": "1,5" is not a number \(a decimal comma\?\)/],
  ['blank cell', withData(replaceFirstCell(2, '')), 2, /d\.csv {2}line 4: column "mean_radius": missing value/],
  ['unclosed quote', withData(`${HEAD}\n"12.3,${ROWS[0]}\n`), 2, /d\.csv {2}line 2: a quoted field is never closed/],
  ['label never seen by the model', withData(csv(ROWS.map((r, i) => (i === 7 ? r.replace(/,[BM]$/, ',X') : r)))), 2, /d\.csv {2}line 9: label "X" is not one of the classes \(B, M\)/],
  ['label __proto__', withData(csv(ROWS.map((r, i) => (i === 0 ? r.replace(/,[BM]$/, ',__proto__') : r)))), 2, /d\.csv {2}line 2: label "__proto__" is not one of the classes/],
  ['label toString', withData(csv(ROWS.map((r, i) => (i === 0 ? r.replace(/,[BM]$/, ',toString') : r)))), 2, /label "toString" is not one of the classes/],
  ['a class with no positives', withData(csv(ROWS.filter((r) => r.endsWith(',B'))), '  - { type: metric, metric: recall, min: 0.5 }\n', '  classes: [B, M]\n'), 1, /recall is undefined on 107 rows/],
  ['a dataset with one row', withData(csv(ROWS.slice(0, 1)), '  - { type: metric, metric: roc_auc, min: 0.5 }\n'), 1, /roc_auc is undefined on 1 rows/],
  ['unknown dataset format', { 'c.yaml': `${head}datasets:\n  holdout: { path: d.xlsx, label: diagnosis }\nchecks:\n  - { type: metric, metric: accuracy, min: 0.5 }\n`, 'd.xlsx': 'x' }, 2, /d\.xlsx {2}unknown dataset format "\.xlsx"/],
  ['JSON Lines with a nested value', { 'c.yaml': `${head}  inputs: { input: [${Array(30).fill('mean_radius').join(', ')}] }\ndatasets:\n  holdout: { path: d.jsonl, label: diagnosis }\nchecks:\n  - { type: metric, metric: accuracy, min: 0.5 }\n`, 'd.jsonl': '{"diagnosis": "B", "mean_radius": {"$gt": 1}}\n' }, 2, /d\.jsonl {2}line 1: column "mean_radius" holds an object/],
  ['a 10 MB line', withData(`${HEAD}\n${'9'.repeat(10 * 1024 * 1024)}\n`), 2, /d\.csv {2}line 2: a record longer than 8 MiB/],
  ['checks is not a list', { 'c.yaml': `${head}checks: 5\n` }, 2, /c\.yaml:4:9 {2}checks: expected list, received number 5/],
  ['version as text', { 'c.yaml': 'version: "1"\nmodel:\n  path: model.onnx\nchecks:\n  - type: model\n' }, 2, /c\.yaml:1:10 {2}version: expected 1 \(the only checklist format version\), received "1"/],
  ['model path is a folder', { 'c.yaml': 'version: 1\nmodel:\n  path: sub\nchecks:\n  - type: model\n', 'sub/x': 'x' }, 2, /c\.yaml:3:9 {2}model\.path: not a regular file: sub/],
  ['unknown operator', { 'c.yaml': `${head}checks:\n  - type: model\n`, 'model.onnx': unknownOperatorModel() }, 1, /onnxruntime-node cannot load the model/],
  // the pass sends its first batches before the model is loaded: the loading's error is the one said
  ['unknown operator, in a model a metric check runs', { ...withData(HOLDOUT, undefined, '  classes: [B, M]\n'), 'model.onnx': unknownOperatorModel(['N', 30], ['N']) }, 2, /model\.onnx {2}onnxruntime-node cannot load the model: .*NoSuchOperator/],
  ['string where a float is expected (JSON Lines)', { 'c.yaml': `${head}  inputs: { input: [${Array(30).fill('mean_radius').join(', ')}] }\ndatasets:\n  holdout: { path: d.jsonl, label: diagnosis }\nchecks:\n  - { type: metric, metric: accuracy, min: 0.5 }\n`, 'd.jsonl': '{"diagnosis": "B", "mean_radius": "abc"}\n' }, 2, /d\.jsonl {2}line 1: column "mean_radius": "abc" is not a number/],
  ['quoted newline in a number', withData(replaceFirstCell(3, '"12\n3"')), 2, /d\.csv {2}line 5: column "mean_radius": "12\\n3" is not a number/],
  ['invalid regular expression', { 'c.yaml': `${head}datasets:\n  holdout: { path: d.csv, label: diagnosis }\nchecks:\n  - { type: data, columns: { mean_radius: { pattern: "(" } } }\n`, 'd.csv': HOLDOUT }, 2, /checks\[0\]\.columns: mean_radius\.pattern is not a valid regular expression/],
  ['approval dated in the future', { 'c.yaml': `${head}checks:\n  - { type: signoff, path: a.yaml, roles: [lead] }\n`, 'a.yaml': `approvals:\n  - { role: lead, name: A, date: 2999-01-01, model_sha256: ${'a0208769f0327d107277b1555dd49e1b4ebc3bd31d82afc491ca10d592b3583a'} }\n` }, 1, /A \(lead\) dated the approval 2999-01-01, in the future/],
  ['profile of another format', { 'c.yaml': `${head}datasets:\n  holdout: { path: d.csv, label: diagnosis }\nchecks:\n  - { type: drift, reference: { profile: p.json }, current: holdout }\n`, 'd.csv': HOLDOUT, 'p.json': '{"schema": "something else"}' }, 2, /p\.json:1:12 {2}schema: expected "deploy-check\/profile@1"/],
  ['a check on a dataset that does not exist', { 'c.yaml': `${head}datasets:\n  holdout: { path: d.csv, label: diagnosis }\nchecks:\n  - { type: metric, dataset: test, metric: accuracy, min: 0.5 }\n`, 'd.csv': HOLDOUT }, 2, /checks\[0\]\.dataset: no dataset named "test"/],
  ['misspelt label column', { 'c.yaml': `${head}datasets:\n  holdout: { path: d.csv, label: diagnosys }\nchecks:\n  - { type: metric, metric: accuracy, min: 0.5 }\n`, 'd.csv': HOLDOUT }, 2, /c\.yaml:5:34 {2}datasets\.holdout\.label: no column "diagnosys" in d\.csv \(dataset holdout\) \(did you mean "diagnosis"\?\)/],
  ['misspelt slice column', withData(HOLDOUT, '  - { type: slices, metric: accuracy, by: [mean_radus], min: 0.5 }\n'), 2, /c\.yaml:\d+:\d+ {2}checks\[0\]\.by: no column "mean_radus" in d\.csv \(dataset holdout\) \(did you mean "mean_radius"\?\)/],
  // models that exhaust memory or run for minutes: the model host is watched and ended
  ['a model that eats memory at run time', { 'c.yaml': `${head}checks:\n  - { type: latency, batch_sizes: [1], p95_ms: 1000, memory_limit_mb: 300 }\n  - type: model\n`, 'model.onnx': memoryHogModel() }, 1, /latency .*could not be evaluated: the model used more than 300 MB of memory \(\d+ MB\) \(its memory limit; set memory_limit_mb on the check or --memory-limit\)/],
  ['a model input declared far beyond memory', { 'c.yaml': `${head}checks:\n  - type: determinism\n`, 'model.onnx': hugeInputModel() }, 2, /model\.onnx {2}input "x" declares the shape \[256, 100000000000\]: 95367 GiB for 256 rows, more than the memory limit \(\d+ MB\)/],
  ['a model run that takes minutes', { 'c.yaml': `${head}checks:\n  - { type: latency, batch_sizes: [2048], p95_ms: 1000, timeout: 1 }\n  - type: model\n`, 'model.onnx': slowModel() }, 1, /could not be evaluated: timed out after 1 s \(its time limit; set timeout on the check or --timeout\)/],
  // attacks on the gate (issue 11): each got through as a wrong pass or a hang before
  ['NaN scores for a third of the rows (binary)', nanModelScenario('binary'), 1, /accuracy is undefined: 10 of 30 rows have a NaN or infinite score \(line 2, 5, 8, 11, 14, and 5 more\): every metric of this evaluation is undefined/],
  ['NaN predictions for a third of the rows (regression)', nanModelScenario('regression'), 1, /median_ae is undefined: 10 of 30 rows have a NaN or infinite score/],
  ['a wrong pin with only document checks', { 'c.yaml': `${head}  sha256: ${'ab'.repeat(32)}\nchecks:\n  - { type: model-card, path: card.md, sections: [Overview], min_words: 1 }\n`, 'card.md': '# Overview\nwords here\n' }, 2, /model\.onnx {2}sha256 is [0-9a-f]{64}, but the checklist pins model\.sha256/],
  ['training rows copied as fully quoted CSV', leakScenario((row) => row.split(',').map((c) => `"${c}"`).join(',')), 1, /171 of 171 rows also appear in train/],
  ['training rows copied as JSON Lines', { 'c.yaml': `${head}datasets:\n  holdout: { path: d.csv, label: diagnosis }\n  train: { path: t.jsonl, label: diagnosis }\nchecks:\n  - { type: data, disjoint_from: train }\n`, 'd.csv': HOLDOUT, 't.jsonl': ROWS.map((r) => JSON.stringify(Object.fromEntries(HEAD.split(',').map((h, j) => [h, h === 'diagnosis' ? r.split(',')[j] : Number(r.split(',')[j])])))).join('\n') + '\n' }, 1, /171 of 171 rows also appear in train/],
  ['the default domain imported twice', { 'c.yaml': `${head}checks:\n  - { type: model, max_opset: 13 }\n`, 'model.onnx': identityModel([['', 13], ['', 18]]) }, 2, /model\.onnx {2}imports the default domain \(ai\.onnx\) twice \(opsets 13 and 18\): which opset the model runs at is ambiguous/],
  ['the default domain under both names', { 'c.yaml': `${head}checks:\n  - { type: model, max_opset: 13 }\n`, 'model.onnx': identityModel([['ai.onnx', 18], ['', 13]]) }, 2, /imports the default domain \(ai\.onnx\) twice \(opsets 18 and 13\)/],
  ['drift against a dataset whose every value is missing', { 'c.yaml': `${head}datasets:\n  ref: { path: d.csv, label: diagnosis }\n  cur: { path: e.csv, label: diagnosis }\nchecks:\n  - { type: drift, reference: ref, current: cur }\n`, 'd.csv': HOLDOUT, 'e.csv': csv(ROWS.map(() => ','.repeat(30))) }, 1, /30 columns have no value to compare: mean_radius \(none in the current data \(e\.csv\)\)/],
  ['training data dated 9999-12-31', stalenessScenario('9999-12-31'), 1, /the latest date in t\.csv column "date" is 9999-12-31, after the run date/],
  ['training data dated by an Excel serial', stalenessScenario('43466'), 2, /t\.csv {2}line 4: column "date": "43466" is not a date \(expected ISO 8601/],
  ['a confidence gate on one row', withData(csv(ROWS.slice(0, 1)), '  - { type: metric, metric: accuracy, min: 0.95, confidence: 0.95 }\n', '  classes: [B, M]\n'), 1, /not enough evidence \(n = 1\): accuracy is 1, but the lower bound of its 95% interval is 0\.2065, below 0\.95/],
  ['a confidence gate on three positives', withData(csv([...ROWS.filter((r) => r.endsWith(',M')).slice(0, 3), ...ROWS.filter((r) => r.endsWith(',B')).slice(0, 40)]), '  - { type: metric, metric: recall, min: 0.9, confidence: 0.95 }\n'), 1, /not enough evidence \(n = 43\): recall is 1, but the lower bound of its 95% interval is 0\.4385, below 0\.9/],
  ['a bootstrap on too few rows of a class', withData(csv([...ROWS.filter((r) => r.endsWith(',M')).slice(0, 3), ...ROWS.filter((r) => r.endsWith(',B')).slice(0, 40)]), '  - { type: metric, metric: roc_auc, min: 0.9, confidence: 0.95 }\n'), 1, /not enough evidence \(n = 43\): roc_auc is 1, but there are fewer than 10 rows of a class \(M: 3\) for a bootstrap interval/],
  ['a model card inside an HTML comment', card('<!--\n# Overview\nwords here\n-->\n'), 1, /missing section "Overview"/],
  ['a Parquet row group that declares fewer rows than it holds', parquetScenario((w) => { w.row_groups[0]!.num_rows = 10n; w.num_rows = 10n; }), 2, /d\.parquet {2}row group 1: column "x" holds 50 values, but the row group declares 10 rows \(a malformed file\)/],
  ['a Parquet row count of 10^12', parquetScenario((w) => { w.row_groups[0]!.num_rows = 10n ** 12n; w.num_rows = 10n ** 12n; }), 2, /d\.parquet {2}row group 1 declares 1000000000000 rows \(a malformed file/],
  ['a Parquet row count of -5', parquetScenario((w) => { w.row_groups[0]!.num_rows = -5n; w.num_rows = -5n; }), 2, /d\.parquet {2}row group 1 declares -5 rows \(a malformed file/],
  ['required hyperparameters written without values', { 'c.yaml': `${head}checks:\n  - { type: hyperparameters, path: hp.yaml, required: [C, solver], match_model_metadata: false }\n`, 'hp.yaml': 'C:\nsolver: ""\n' }, 1, /"C" has no value \(null\) \(\+1 more problem\)[\s\S]*"solver" has no value \(""\)/],
  ['an empty hyperparameters mapping', { 'c.yaml': `${head}checks:\n  - { type: hyperparameters, path: hp.yaml, match_model_metadata: false }\n`, 'hp.yaml': '{}\n' }, 1, /hp\.yaml records no hyperparameters/],
  ['a sign-off by a blank name', { 'c.yaml': `${head}checks:\n  - { type: signoff, path: a.yaml, roles: [lead] }\n`, 'a.yaml': `approvals:\n  - { role: lead, name: " ", date: 2026-01-01, model_sha256: ${'a0208769f0327d107277b1555dd49e1b4ebc3bd31d82afc491ca10d592b3583a'} }\n` }, 2, /a\.yaml:2:\d+ {2}approvals\[0\]\.name: expected the name of the person who approved, not blank/],
  ['one latency run that would take minutes', { 'c.yaml': `${head}checks:\n  - { type: latency, batch_sizes: [2048], p95_ms: 1000, max_seconds: 1 }\n`, 'model.onnx': slowModel() }, 1, /latency .*a run at batch 2048 did not end within 2 s \(twice max_seconds\): the model host was stopped/],
  ['a pattern that backtracks catastrophically', withData(csv(ROWS.map((r, i) => (i === 0 ? r.replace(/,[BM]$/, `,${'a'.repeat(34)}!`) : r))), '  - { type: data, columns: { diagnosis: { pattern: "^(\\\\w+\\\\s?)*$" } } }\n'), 1, /column "diagnosis": 1 of 171 rows do not match \/\^\(\\w\+\\s\?\)\*\$\/ \(line 2: "a{34}!"\)/],
  ['a pattern with a backreference', withData(HOLDOUT, '  - { type: data, columns: { diagnosis: { pattern: "^(a)\\\\1$" } } }\n'), 2, /checks\[0\]\.columns: diagnosis\.pattern cannot run in linear time/],
  ['a checklist of 5 MB', { 'c.yaml': `${head}checks:\n  - type: model\n${'#'.repeat(5 * 1024 * 1024)}\n` }, 2, /c\.yaml {2}is \d+ bytes; a checklist may be at most 4 MiB/],
  // usage
  ['unknown format', { 'c.yaml': `${head}checks:\n  - type: model\n` }, 2, /--format|unknown format/],
];

/** A model of x [N, 1]: sigmoid(log x) for binary scores, log x for regression: NaN where x < 0. */
function nanModelScenario(task: 'binary' | 'regression'): Record<string, string | Buffer> {
  const nodes = task === 'binary' ? [node('Log', ['x'], ['l']), node('Sigmoid', ['l'], ['y'])] : [node('Log', ['x'], ['y'])];
  const rows = Array.from({ length: 30 }, (_, i) => {
    const x = i % 3 === 0 ? -1 : i % 3 === 1 ? 4 : 0.25;
    return task === 'binary' ? `${x},${x > 1 ? 1 : 0}` : `${x},${x > 0 ? Math.log(x) : 0}`;
  });
  const checks = task === 'binary' ? '  - { type: metric, metric: accuracy, min: 0.5 }\n' : '  - { type: metric, metric: median_ae, max: 0.01 }\n';
  return {
    'model.onnx': Buffer.from(model(nodes, [valueInfo('x', FLOAT, ['N', 1])], [valueInfo('y', FLOAT, ['N', 1])])),
    'c.yaml': `${head}  task: ${task}\n${task === 'binary' ? '  classes: [0, 1]\n' : ''}datasets:\n  holdout: { path: d.csv, label: y }\nchecks:\n${checks}`,
    'd.csv': `x,y\n${rows.join('\n')}\n`,
  };
}

/** The hold-out's rows, also written (by `write`) as the training set: every row is shared. */
function leakScenario(write: (row: string) => string): Record<string, string> {
  return {
    'c.yaml': `${head}datasets:\n  holdout: { path: d.csv, label: diagnosis }\n  train: { path: t.csv, label: diagnosis }\nchecks:\n  - { type: data, disjoint_from: train }\n`,
    'd.csv': HOLDOUT,
    't.csv': [HEAD.split(',').map((h) => `"${h}"`).join(','), ...ROWS.map(write)].join('\n') + '\n',
  };
}

function stalenessScenario(last: string): Record<string, string> {
  return {
    'c.yaml': `${head}datasets:\n  train: { path: t.csv }\nchecks:\n  - { type: staleness, training_date: 2026-01-01, max_age_days: 3650, data: { dataset: train, column: date } }\n`,
    't.csv': `date,x\n2025-01-01,1\n2025-06-01,2\n${last},3\n`,
  };
}

/** A model whose only node is an Identity, importing the given opsets. */
function identityModel(opsets: [string, number][]): Buffer {
  return Buffer.from(model([node('Identity', ['x'], ['y'])], [valueInfo('x', FLOAT, ['N', 30])], [valueInfo('y', FLOAT, ['N', 30])], opsets));
}

/** A Parquet file of 50 rows, its footer edited by `lie` before it is written. */
function parquetScenario(lie: (w: { row_groups: { num_rows: bigint }[]; num_rows: bigint }) => void): Record<string, string | Buffer> {
  const writer = new ByteWriter();
  const w = new ParquetWriter({ writer, schema: [{ name: 'root', num_children: 2 }, { name: 'x', type: 'DOUBLE', repetition_type: 'REQUIRED' }, { name: 'y', type: 'DOUBLE', repetition_type: 'REQUIRED' }] });
  w.write({ columnData: [{ name: 'x', data: Float64Array.from({ length: 50 }, (_, i) => i) }, { name: 'y', data: Float64Array.from({ length: 50 }, (_, i) => i % 2) }] });
  lie(w as unknown as Parameters<typeof lie>[0]);
  w.finish();
  return {
    'c.yaml': `${head}datasets:\n  holdout: { path: d.parquet }\nchecks:\n  - { type: data, rows: { min: 1 } }\n`,
    'd.parquet': Buffer.from(writer.getBuffer()),
  };
}

/** x [N, 30] tiled ten million times: 1.2 GB per row. */
function memoryHogModel(): Buffer {
  return Buffer.from(model([int64Constant('r', [1, 10_000_000]), node('Tile', ['x', 'r'], ['y'])], [valueInfo('x', FLOAT, ['N', 30])], [valueInfo('y', FLOAT, ['N', 'M'])]));
}

/** An input declared with 10^11 values per row. */
function hugeInputModel(): Buffer {
  return Buffer.from(model([node('Identity', ['x'], ['y'])], [valueInfo('x', FLOAT, ['N', 100_000_000_000])], [valueInfo('y', FLOAT, ['N', 100_000_000_000])]));
}

/** x [N, 30] tiled to [N, 30000], times its transpose: minutes of arithmetic at N = 2048. */
function slowModel(): Buffer {
  return Buffer.from(model([int64Constant('r', [1, 1000]), node('Tile', ['x', 'r'], ['t']), node('Transpose', ['t'], ['tt']), node('MatMul', ['t', 'tt'], ['y'])], [valueInfo('x', FLOAT, ['N', 30])], [valueInfo('y', FLOAT, ['N', 'N'])]));
}

/**
 * x [N, 30] through Sin 10^15 times (a Loop): a run that never ends, in a few kilobytes of memory
 * (slowModel's run ends after seconds on a fast machine, and a host that outlived its parent would
 * then have ended anyway, writing its reply to a closed channel).
 */
function endlessModel(): Buffer {
  const str = (num: number, text: string) => field(num, utf8(text));
  const constant = (output: string, type: number, raw: Uint8Array) => node('Constant', [], [output], [concat([str(1, 'value'), field(5, concat([varintField(2, type), field(9, raw)])), varintField(20, 4)])]);
  const body = concat([
    field(1, node('Identity', ['cond_in'], ['cond_out'])),
    field(1, node('Sin', ['x_in'], ['x_out'])),
    str(2, 'body'),
    ...[valueInfo('i', INT64, []), valueInfo('cond_in', BOOL, []), valueInfo('x_in', FLOAT, ['N', 30])].map((v) => field(11, v)),
    ...[valueInfo('cond_out', BOOL, []), valueInfo('x_out', FLOAT, ['N', 30])].map((v) => field(12, v)),
  ]);
  // AttributeProto { name: body, g: the body graph, type: GRAPH }
  const loop = node('Loop', ['trips', 'cond', 'x'], ['y'], [concat([str(1, 'body'), field(6, body), varintField(20, 5)])]);
  const trips = constant('trips', INT64, new Uint8Array(new BigInt64Array([10n ** 15n]).buffer));
  return Buffer.from(model([trips, constant('cond', BOOL, new Uint8Array([1])), loop], [valueInfo('x', FLOAT, ['N', 30])], [valueInfo('y', FLOAT, ['N', 30])]));
}

/** A model whose only node is an operator no runtime knows. */
function unknownOperatorModel(x: (number | string)[] = [1], y: (number | string)[] = [1]): Buffer {
  return Buffer.from(model([node('NoSuchOperator', ['x'], ['y'])], [valueInfo('x', FLOAT, x)], [valueInfo('y', FLOAT, y)]));
}

describe('hostile inputs (end to end)', () => {
  it('covers at least 50 bad inputs', () => expect(cases.length).toBeGreaterThanOrEqual(50));

  it.each(cases)('%s', (name, files, code, message) => {
    const dir = scenario(files);
    const args = name === 'unknown format' ? [join(dir, 'c.yaml'), '--format', 'yaml'] : [join(dir, 'c.yaml')];
    const r = cli(args);
    expect(r.code).toBe(code);
    expect(r.code).not.toBe(0);
    const out = r.code === 2 ? r.stderr : r.stdout;
    expect(out.replaceAll(`${dir}/`, '')).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    if (code === 2) expect(r.stderr.trim().split('\n').every((l) => l.length > 0 && !l.startsWith('    at'))).toBe(true);
  });

  it('text from a model card cannot forge the terminal, a CI command or markup in any format', () => {
    const dir = scenario(card('# Overview\n\u001b[2K\r\u001b[32m✔ all checks passed\u001b[0m TODO\n::error::forged\n<script>alert(1)</script>\n'));
    for (const format of ['pretty', 'markdown', 'junit', 'json']) {
      const r = cli([join(dir, 'c.yaml'), '--format', format]);
      expect(r.code).toBe(1);
      expect(r.stdout).not.toContain('\u001b');
      expect(r.stdout).not.toMatch(/^::error/m);
      if (format !== 'json') expect(r.stdout).not.toContain('<script>');
    }
  });
});

describe('error lines', () => {
  it('a newline in a name from the inputs cannot add a line to the error', () => {
    const dir = scenario({ 'c.yaml': 'version: 1\nmodel:\n  path: model.onnx\ndatasets:\n  holdout: { path: d.csv, label: "y\\nREADY" }\nchecks:\n  - { type: metric, metric: accuracy, min: 0.5 }\n', 'd.csv': 'a,y\n1,2\n' });
    const r = cli([join(dir, 'c.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no column "y\\u{a}READY"');
  });
});

describe('the process around a run (end to end)', () => {
  const CLI = join(ROOT, 'dist', 'cli.cjs');
  const gone = (pid: number) => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  };
  /** Polls (at most `seconds`) until `ok`: for events that happen within milliseconds, with a wide margin for a busy machine. */
  const eventually = async (ok: () => boolean, seconds = 20) => {
    for (let t = 0; t < seconds * 10 && !ok(); t++) await new Promise((r) => setTimeout(r, 100));
    return ok();
  };
  const hostOf = (pid: number) =>
    readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .map(Number)
      .find((p) => {
        try {
          return readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(pid) && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('host-child');
        } catch {
          return false;
        }
      });

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`the model host ends with deploy-check when deploy-check gets ${signal} during a model run`, async () => {
      const dir = scenario({ 'c.yaml': `${head}checks:\n  - { type: latency, batch_sizes: [2048], p95_ms: 1000, max_seconds: 600 }\n`, 'model.onnx': endlessModel() });
      const child = spawn(process.execPath, [CLI, join(dir, 'c.yaml')], { stdio: 'ignore' });
      let host: number | undefined;
      // inside the endless run once it has used more CPU time than its start takes (~0.5 s)
      const busy = () => {
        host ??= hostOf(child.pid!);
        return host !== undefined && Number(readFileSync(`/proc/${host}/stat`, 'utf8').split(') ')[1]!.split(' ')[11]) > 150;
      };
      expect(await eventually(busy, 60)).toBe(true);
      child.kill(signal);
      const ended = await eventually(() => gone(host!));
      // a host that outlived its parent would run its endless model on: ended here whatever the verdict
      if (!ended) process.kill(host!, 'SIGKILL');
      expect(ended).toBe(true);
    }, 90_000);
  }

  // The two ways the host ends with its parent (session.ts): the kernel (setpriv --pdeathsig), where
  // setpriv can, and the host's own watcher thread elsewhere, each forced here in a parent of our own
  for (const how of ['setpriv --pdeathsig', 'its watcher thread'] as const) {
    it(`the model host ends with its parent, killed during a model run: through ${how}`, async (test) => {
      if (how === 'setpriv --pdeathsig' && spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true']).status !== 0) return test.skip('no setpriv with --pdeathsig here: hosts start with their watcher thread');
      const dir = scenario({ 'model.onnx': endlessModel() });
      const session = pathToFileURL(join(ROOT, 'dist', 'onnx', 'session.js')).href;
      const parent = `const s = await import(${JSON.stringify(session)});
        s.useParentDeathSignal(${how === 'setpriv --pdeathsig' ? 'true' : 'false'});
        const m = await s.createSession(new Uint8Array((await import('node:fs')).readFileSync(${JSON.stringify(join(dir, 'model.onnx'))})), 'model.onnx');
        await m.run({ x: s.tensor('float32', new Float32Array(2048 * 30), [2048, 30]) });`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', parent], { stdio: 'ignore' });
      let host: number | undefined;
      // inside the run once it has used more CPU time than its start takes (~0.5 s)
      const busy = () => {
        host ??= hostOf(child.pid!);
        return host !== undefined && Number(readFileSync(`/proc/${host}/stat`, 'utf8').split(') ')[1]!.split(' ')[11]) > 150;
      };
      expect(await eventually(busy, 60)).toBe(true);
      const env = readFileSync(`/proc/${host}/environ`, 'utf8').split('\0');
      expect(env.includes('DEPLOY_CHECK_HOST_ENDS_WITH_PARENT=1')).toBe(how === 'setpriv --pdeathsig');
      child.kill('SIGKILL');
      const ended = await eventually(() => gone(host!));
      if (!ended) process.kill(host!, 'SIGKILL');
      expect(ended).toBe(true);
    }, 90_000);
  }

  it('a text input holding a NUL character is refused in one line: onnxruntime would cut the string there and the model see another category', () => {
    const lines = readFileSync(join(FIXTURES, 'penguins', 'holdout.jsonl'), 'utf8').trimEnd().split('\n');
    lines[2] = lines[2]!.replace(/"island": "(\w+)"/, '"island": "$1\\u0000x"');
    const dir = scenario({
      'p.onnx': readFileSync(join(FIXTURES, 'penguins', 'model.onnx')),
      'h.jsonl': lines.join('\n') + '\n',
      'c.yaml': 'version: 1\nmodel:\n  path: p.onnx\ndatasets:\n  holdout: { path: h.jsonl, label: species }\nchecks:\n  - { type: metric, metric: accuracy, min: 0.5 }\n',
    });
    const r = cli([join(dir, 'c.yaml')], { cwd: dir });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('h.jsonl  line 3: column "island": the text holds a NUL character, where onnxruntime would cut it short (input "island" is string)\n');
    expect(r.code).toBe(2);
  });

  it('a FIFO, a device or an oversized file as the checklist is refused at once', () => {
    const dir = scenario();
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    expect(cli([join(dir, 'fifo.yaml')])).toMatchObject({ code: 2, stderr: `${join(dir, 'fifo.yaml')}  is not a regular file (a pipe, socket or device is not read as a checklist)\n` });
    expect(cli(['/dev/zero'])).toMatchObject({ code: 2, stderr: '/dev/zero  is not a regular file (a pipe, socket or device is not read as a checklist)\n' });
  });

  it('stdout that cannot be written: a full device is one line and exit 2; a reader that went away ends quietly', () => {
    const full = spawnSync(process.execPath, [CLI, join(ROOT, 'checklists', 'example.yaml')], { stdio: ['ignore', openSync('/dev/full', 'w'), 'pipe'], encoding: 'utf8' });
    expect(full.status).toBe(2);
    expect(full.stderr).toBe('deploy-check: cannot write the output to stdout: no space left on the device\n');
    // `deploy-check --format html | head -c 1`: the pipe closes long before the report is written
    const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${CLI}" "${join(ROOT, 'checklists', 'example.yaml')}" --format html | head -c 1 >/dev/null`], { encoding: 'utf8', cwd: ROOT });
    expect(piped.stderr).toBe('');
    expect(piped.status).toBe(0);
  });

  it('a read-only /dev/shm and temporary folder: the model runs through the IPC channel, with the same report', (test) => {
    // a mount namespace of its own: as root, or (a user who is not) inside a user namespace where unprivileged ones are allowed
    const unshare = [['--mount'], ['--user', '--map-root-user', '--mount']].find((a) => spawnSync('unshare', [...a, 'sh', '-c', 'mount -t tmpfs -o ro tmpfs /dev/shm']).status === 0);
    if (!unshare) {
      console.warn('skipped: neither unshare --mount (root) nor unshare --user --map-root-user --mount (unprivileged user namespaces) may mount here, so a read-only /dev/shm cannot be made; test/onnx/session.test.ts still runs the model host without slot files');
      test.skip();
      return;
    }
    const dir = scenario({ 'c.yaml': `${head}datasets:\n  holdout: { path: d.csv, label: diagnosis }\nchecks:\n  - { type: metric, metric: roc_auc, min: 0.9 }\n`, 'd.csv': HOLDOUT });
    const normal = cli([join(dir, 'c.yaml'), '--format', 'json']);
    // /dev/shm read-only in a mount namespace of its own, and a temporary folder nothing can be created in
    const script = `mount -t tmpfs -o ro tmpfs /dev/shm && exec "${process.execPath}" "${CLI}" "${join(dir, 'c.yaml')}" --format json`;
    const r = spawnSync('unshare', [...unshare, 'sh', '-c', script], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TMPDIR: '/proc' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(normal.stdout);
  });

  it('a report is never written over an input of the run, and is replaced whole', () => {
    const dir = scenario({ 'c.yaml': `${head}datasets:\n  holdout: { path: d.csv, label: diagnosis }\nchecks:\n  - { type: metric, metric: accuracy, min: 0.5 }\n`, 'd.csv': HOLDOUT });
    const before = readFileSync(join(dir, 'c.yaml'));
    const model = readFileSync(join(dir, 'model.onnx'));
    expect(cli([join(dir, 'c.yaml'), '-o', join(dir, 'c.yaml')])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^deploy-check: --output .*c\.yaml: refusing to write a report over an input of the run \(.*c\.yaml\); choose another file\n$/) });
    expect(cli([join(dir, 'c.yaml'), '--report', `json=${join(dir, 'model.onnx')}`])).toMatchObject({ code: 2, stderr: expect.stringMatching(/refusing to write a report over an input of the run \(.*model\.onnx\)/) });
    expect(cli([join(dir, 'c.yaml'), '--report', `json=${join(dir, 'sub', '..', 'd.csv')}`])).toMatchObject({ code: 2 });
    expect(readFileSync(join(dir, 'c.yaml'))).toEqual(before);
    expect(readFileSync(join(dir, 'model.onnx'))).toEqual(model);
    // written to a temporary file and renamed: the report is a new file each time, never one being truncated
    expect(cli([join(dir, 'c.yaml'), '-o', join(dir, 'r.json'), '--format', 'json']).code).toBe(0);
    const first = statSync(join(dir, 'r.json')).ino;
    expect(cli([join(dir, 'c.yaml'), '-o', join(dir, 'r.json'), '--format', 'json']).code).toBe(0);
    expect(statSync(join(dir, 'r.json')).ino).not.toBe(first);
    expect(JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8')).verdict).toBe('pass');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a label written 1.0 is class 1 when the checklist gives numeric classes', () => {
    const files = nanModelScenario('binary');
    const rows = Array.from({ length: 30 }, (_, i) => (i % 2 ? '4,1.0' : '0.25,0.0'));
    const dir = scenario({ ...files, 'd.csv': `x,y\n${rows.join('\n')}\n` });
    const r = cli([join(dir, 'c.yaml'), '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).checks[0].measurements[0].value).toBe(1);
  });

  it('a TSV with an empty numeric cell before the last field is read as a missing value', () => {
    const tsv = HOLDOUT.replaceAll(',', '\t').split('\n').map((l, i) => (i === 3 ? l.replace(/\t[^\t]*\t([BM])$/, '\t\t$1') : l)).join('\n');
    const dir = scenario({ 'c.yaml': `${head}datasets:\n  holdout: { path: d.tsv, label: diagnosis, missing: nan }\nchecks:\n  - { type: data, columns: { worst_fractal_dimension: { type: number, max_missing: 0.01 } } }\n`, 'd.tsv': tsv });
    const r = cli([join(dir, 'c.yaml'), '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});
