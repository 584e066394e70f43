import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { describeType, readModelInfo } from '../../src/onnx/model-info.js';
import { BASELINE_SHA, checklistWith, MODEL, MODEL_SHA, runScenario } from '../helpers.js';

async function modelCheck(options: string, modelSection = '', files: Record<string, string | Buffer> = {}) {
  const report = await runScenario({ 'checklist.yaml': checklistWith(`  - type: model\n${options}`, modelSection), ...files });
  const c = report.checks[0]!;
  return { status: c.status, messages: c.findings.map((f) => f.message), check: c, report };
}

describe('model', () => {
  it('passes the fixture and reports its signature', async () => {
    const r = await modelCheck(`    sha256: ${MODEL_SHA}\n    max_bytes: 2000\n    max_opset: 17\n`, '  outputs: { scores: probabilities, label: label }\n  inputs: { input: [a, b] }\n');
    expect(r.messages).toEqual([]);
    expect(r.status).toBe('pass');
    expect(r.check.measurements).toEqual([
      { name: 'bytes', value: 1209, unit: 'B', threshold: { max: 2000 }, passed: true },
      { name: 'opset', value: 17, threshold: { max: 17 }, passed: true },
    ]);
    expect(r.check.details).toMatchObject({
      sha256: MODEL_SHA,
      inputs: [{ name: 'input', type: 'tensor(float32)[?, 30]' }],
      outputs: [{ name: 'label', type: 'tensor(string)[?]' }, { name: 'probabilities', type: 'tensor(float32)[?, 2]' }],
    });
  });

  it('fails a different file than pinned, a file too large, an opset too new', async () => {
    const r = await modelCheck(`    sha256: ${BASELINE_SHA}\n    max_bytes: 1000\n    max_opset: 15\n`);
    expect(r.status).toBe('fail');
    expect(r.messages).toEqual([`sha256 is ${MODEL_SHA}, expected ${BASELINE_SHA}`]);
    expect(r.check.measurements.map((m) => [m.name, m.passed])).toEqual([['bytes', false], ['opset', false]]);
  });

  it('fails when the checklist names inputs or outputs the model does not have', async () => {
    const r = await modelCheck('', '  inputs: { features: [a] }\n  outputs: { scores: output_probability, label: label }\n');
    expect(r.messages).toEqual([
      'the checklist names input "features", but the model has "input"',
      'the checklist names output "output_probability", but the model has "label", "probabilities"',
    ]);
  });

  it('fails when an output has the wrong element type', async () => {
    const r = await modelCheck('', '  outputs: { scores: label, label: probabilities }\n');
    expect(r.messages).toEqual([
      'output "label" is tensor(string)[?], expected a float tensor of scores, or a sequence of maps (ZipMap)',
      'output "probabilities" is tensor(float32)[?, 2], expected an int64, int32 or string tensor of labels',
    ]);
  });

  it('a pinned sha256 in the model section that does not match stops the run (exit 2)', async () => {
    await expect(modelCheck('', `  sha256: ${BASELINE_SHA}\n`)).rejects.toThrow(`model.onnx  sha256 is ${MODEL_SHA}, but the checklist pins model.sha256: ${BASELINE_SHA}`);
  });

  it('a file that is not ONNX is bad input', async () => {
    await expect(modelCheck('', '', { 'model.onnx': 'not a model at all' })).rejects.toThrow(/^model\.onnx {2}is not a readable ONNX model: /);
    await expect(modelCheck('', '', { 'model.onnx': readFileSync(MODEL).subarray(0, 600) })).rejects.toThrow(/^model\.onnx {2}is not a readable ONNX model: .*runs past the end/);
  });
});

describe('ONNX reader', () => {
  it('agrees with onnxruntime-node on the signature of the fixture', async () => {
    const bytes = readFileSync(MODEL);
    const info = readModelInfo(bytes);
    const session = await ort.InferenceSession.create(bytes);
    expect(info.inputs.map((i) => i.name)).toEqual(session.inputNames);
    expect(info.outputs.map((o) => o.name)).toEqual(session.outputNames);
    const ortTypes = session.outputMetadata.map((m) => (m.isTensor ? m.type : 'other'));
    expect(info.outputs.map((o) => (o.type.kind === 'tensor' ? o.type.elemType : 'other'))).toEqual(ortTypes);
    expect(info.opsetImports).toEqual([{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }]);
    expect(info.metadata).toMatchObject({ C: '1.0', max_iter: '1000', random_state: '42' });
    expect(describeType(info.inputs[0]!.type)).toBe('tensor(float32)[?, 30]');
    await session.release();
  });
});

describe('external data', () => {
  it('a model whose weights live in another file is refused, whatever the path: nothing outside the model is read', async () => {
    const { concat, field, utf8, varintField } = await import('../../src/onnx/protobuf.js');
    const str = (n: number, s: string) => field(n, utf8(s));
    const modelWith = (location: string) => {
      const kv = (k: string, v: string) => field(13, concat([str(1, k), str(2, v)]));
      const tensor = concat([varintField(1, 1), varintField(2, 1), str(8, 'w'), kv('location', location), kv('offset', '0'), kv('length', '4'), varintField(14, 1)]);
      const vi = (name: string) => concat([str(1, name), field(2, field(1, concat([varintField(1, 1), field(2, field(1, varintField(1, 1)))])))]);
      const graph = concat([field(1, concat([str(1, 'x'), str(1, 'w'), str(2, 'y'), str(4, 'Add')])), str(2, 'g'), field(5, tensor), field(11, vi('x')), field(12, vi('y'))]);
      return Buffer.from(concat([varintField(1, 8), field(7, graph), field(8, concat([str(1, ''), varintField(2, 17)]))]));
    };
    for (const location of ['../secret.bin', '/etc/passwd', 'weights.bin']) {
      await expect(modelCheck('', '', { 'model.onnx': modelWith(location), 'weights.bin': Buffer.alloc(4) })).rejects.toThrow(
        `model.onnx  keeps weights in external data files (${JSON.stringify(location)}), which deploy-check does not read (save the model with its weights inside the .onnx file)`,
      );
    }
  });
});
