import { z } from 'zod';
import { sha256 } from '../spec/fields.js';
import { InputError } from '../input/errors.js';
import { defaultOpset, describeType, type ValueInfo, type ValueType } from '../onnx/model-info.js';
import type { Finding, Measurement } from '../report/types.js';
import { defineCheck } from './define.js';

const SCORE_TYPES = new Set(['float32', 'float64', 'float16']);
const LABEL_TYPES = new Set(['int64', 'int32', 'string']);
const INPUT_TYPES = new Set(['float32', 'float64', 'float16', 'int64', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32', 'uint64', 'bool', 'string']);

export default defineCheck({
  type: 'model',
  title: 'Model artifact',
  runsModel: true,
  shards: 'merge',
  htmlPart: 'resources',
  mlTestScore: ['I2'],
  description: 'The ONNX file loads in onnxruntime-node, matches its pin and size and opset limits, and has the inputs and outputs the checklist names.',
  options: () => ({
    model: z.enum(['model', 'baseline']).default('model').describe('Which model of the checklist'),
    sha256: sha256().optional().describe('The exact file expected'),
    max_bytes: z.number().int().positive().optional().describe('Largest acceptable file size'),
    max_opset: z.number().int().positive().optional().describe('Highest default-domain (ai.onnx) opset the serving runtime supports'),
  }),
  async run(options, ctx) {
    const model = await ctx.model(options.model);
    const { info } = model;
    const findings: Finding[] = [];
    const measurements: Measurement[] = [];

    if (options.sha256 && options.sha256 !== model.sha256) {
      findings.push({ code: 'sha256-mismatch', message: `sha256 is ${model.sha256}, expected ${options.sha256}`, location: model.path, hint: 'a different model file than the one pinned' });
    }
    const bytes: Measurement = { name: 'bytes', value: model.bytes.length, unit: 'B' };
    if (options.max_bytes !== undefined) {
      bytes.threshold = { max: options.max_bytes };
      bytes.passed = model.bytes.length <= options.max_bytes;
    }
    measurements.push(bytes);
    const opset = defaultOpset(info);
    measurements.push(
      options.max_opset === undefined
        ? { name: 'opset', value: opset }
        : { name: 'opset', value: opset, threshold: { max: options.max_opset }, passed: opset !== null && opset <= options.max_opset },
    );

    try {
      await ctx.session(options.model);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      findings.push({ code: 'load-failed', message: err.detail, location: model.path });
    }

    const spec = ctx.modelSpec(options.model);
    if (spec.inputs && spec.inputs !== 'auto') {
      for (const name of Object.keys(spec.inputs)) {
        const input = info.inputs.find((i) => i.name === name);
        if (!input) findings.push(missing('input', name, info.inputs, options.model));
        else if (!tensorOf(input.type, INPUT_TYPES)) findings.push(badType('input', input, 'a tensor of numbers, strings or booleans'));
      }
    }
    const wanted = { scores: spec.outputs?.scores, label: spec.outputs?.label };
    if (wanted.scores) {
      const out = info.outputs.find((o) => o.name === wanted.scores);
      if (!out) findings.push(missing('output', wanted.scores, info.outputs, options.model));
      else if (!tensorOf(out.type, SCORE_TYPES) && !isZipMap(out.type)) findings.push(badType('output', out, 'a float tensor of scores, or a sequence of maps (ZipMap)'));
    }
    if (wanted.label) {
      const out = info.outputs.find((o) => o.name === wanted.label);
      if (!out) findings.push(missing('output', wanted.label, info.outputs, options.model));
      else if (!tensorOf(out.type, LABEL_TYPES)) findings.push(badType('output', out, 'an int64, int32 or string tensor of labels'));
    }

    return {
      findings,
      measurements,
      summary: `${model.path} loads; ${info.inputs.length} input${info.inputs.length === 1 ? '' : 's'}, ${info.outputs.length} output${info.outputs.length === 1 ? '' : 's'}`,
      details: {
        sha256: model.sha256,
        ir_version: info.irVersion,
        producer: [info.producerName, info.producerVersion].filter(Boolean).join(' '),
        opset_imports: info.opsetImports,
        inputs: info.inputs.map((i) => ({ name: i.name, type: describeType(i.type) })),
        outputs: info.outputs.map((o) => ({ name: o.name, type: describeType(o.type) })),
      },
    };
  },
});

function tensorOf(t: ValueType, allowed: Set<string>): boolean {
  return t.kind === 'tensor' && allowed.has(t.elemType);
}

function isZipMap(t: ValueType): boolean {
  return t.kind === 'sequence' && t.elem?.kind === 'map';
}

function missing(kind: 'input' | 'output', name: string, available: ValueInfo[], role: string): Finding {
  return {
    code: `${kind}-missing`,
    message: `the checklist names ${kind} "${name}", but the model has ${available.length ? available.map((a) => `"${a.name}"`).join(', ') : `no ${kind}s`}`,
    hint: `fix ${role}.${kind}s in the checklist`,
  };
}

function badType(kind: 'input' | 'output', v: ValueInfo, expected: string): Finding {
  return { code: `${kind}-type`, message: `${kind} "${v.name}" is ${describeType(v.type)}, expected ${expected}` };
}
