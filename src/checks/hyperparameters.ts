import { z } from 'zod';
import { inputPath, scalar } from '../spec/fields.js';
import { InputError } from '../input/errors.js';
import type { Finding } from '../report/types.js';
import { parseYaml } from '../input/yaml.js';
import { defineCheck } from './define.js';
import { once } from '../input/once.js';

const SEED_KEYS = ['seed', 'random_state', 'random_seed', 'rng_seed'];

const rule = once(() =>
  z.strictObject({
    type: z.enum(['number', 'integer', 'string', 'boolean']).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    one_of: z.array(scalar()).min(1).optional(),
  }),
);

export default defineCheck({
  type: 'hyperparameters',
  title: 'Hyperparameters',
  runsModel: false,
  shards: 'merge',
  htmlPart: 'process',
  mlTestScore: ['I1'],
  description: 'A YAML or JSON file records the hyperparameters: required keys, per-key rules, a seed, and agreement with the ONNX metadata.',
  options: () => ({
    path: inputPath().describe('YAML or JSON file; nested keys are addressed with dots (optimizer.lr)'),
    required: z.array(z.string().min(1)).default([]).describe('Keys that must be present'),
    rules: z.record(z.string().min(1), rule()).default({}).describe('Per-key rules: type, min, max, one_of (a key with a rule is required)'),
    require_seed: z
      .union([z.boolean(), z.array(z.string().min(1)).min(1)])
      .default(false)
      .describe(`true: one of ${SEED_KEYS.join(', ')} must hold an integer; or the list of keys to accept`),
    match_model_metadata: z.boolean().default(true).describe("Keys also in the ONNX model's metadata properties must agree"),
  }),
  async run(options, ctx) {
    const file = ctx.display(options.path);
    const doc = parseYaml(await ctx.readText(options.path), file);
    if (!doc) throw new InputError(file, 'the hyperparameters file is empty', undefined, 'expected a mapping of hyperparameters');
    if (typeof doc.value !== 'object' || doc.value === null || Array.isArray(doc.value)) {
      throw new InputError(file, 'expected a mapping of hyperparameters at the top level', doc.positionOf([]));
    }
    const values = flatten(doc.value as Record<string, unknown>);
    const findings: Finding[] = [];
    const loc = (key: string) => {
      const p = doc.positionOf(key.split('.'), true);
      return p ? `${file}:${p.line}` : file;
    };
    const missing = (key: string, why: string) =>
      findings.push({ code: 'missing', message: `"${key}" is not recorded${why}`, location: file, hint: `add ${key} to ${file}` });

    if (values.size === 0) findings.push({ code: 'empty', message: `${file} records no hyperparameters`, location: file, hint: 'an empty mapping documents nothing' });
    // a key written with no value (`C:`, `solver: ""`) is not a recorded hyperparameter
    const blank = (key: string) => findings.push({ code: 'empty-value', message: `"${key}" has no value (${show(values.get(key))})`, location: loc(key), hint: `record the value of ${key}` });
    for (const key of options.required) {
      if (!values.has(key)) missing(key, '');
      else if (isBlank(values.get(key))) blank(key);
    }
    for (const [key, r] of Object.entries(options.rules)) {
      if (!values.has(key)) {
        if (!options.required.includes(key)) missing(key, ' (a rule names it)');
        continue;
      }
      const v = values.get(key);
      if (isBlank(v)) {
        if (!options.required.includes(key)) blank(key);
        continue;
      }
      const bad = (message: string) => findings.push({ code: 'rule', message: `${key}: ${message}`, location: loc(key) });
      if (r.type && !hasType(v, r.type)) bad(`expected ${r.type}, found ${show(v)}`);
      else if ((r.min !== undefined || r.max !== undefined) && typeof v !== 'number') bad(`expected a number for min/max, found ${show(v)}`);
      else {
        if (r.min !== undefined && (v as number) < r.min) bad(`${show(v)} is below the minimum ${r.min}`);
        if (r.max !== undefined && (v as number) > r.max) bad(`${show(v)} is above the maximum ${r.max}`);
      }
      if (r.one_of && !r.one_of.some((allowed) => allowed === v)) bad(`${show(v)} is not one of ${r.one_of.map(show).join(', ')}`);
    }

    if (options.require_seed !== false) {
      const accepted = options.require_seed === true ? SEED_KEYS : options.require_seed;
      const seeds = [...values].filter(([k]) => accepted.includes(k.split('.').pop()!) || accepted.includes(k));
      if (seeds.length === 0) {
        findings.push({ code: 'seed-missing', message: `no random seed recorded (looked for ${accepted.join(', ')})`, location: file, hint: 'record the seed so that training can be reproduced' });
      }
      for (const [k, v] of seeds) {
        if (!Number.isInteger(v)) findings.push({ code: 'seed-invalid', message: `${k}: a seed must be an integer, found ${show(v)}`, location: loc(k) });
      }
    }

    const compared: string[] = [];
    if (options.match_model_metadata) {
      const model = await ctx.model('model');
      for (const [key, metaValue] of Object.entries(model.info.metadata)) {
        if (!values.has(key)) continue;
        compared.push(key);
        const v = values.get(key);
        if (!agrees(v, metaValue)) {
          findings.push({
            code: 'metadata-mismatch',
            message: `${key} is ${show(v)} here but ${JSON.stringify(metaValue)} in the metadata of ${model.path}`,
            location: loc(key),
            hint: 'the model was trained with other settings than the ones documented, or the file is out of date',
          });
        }
      }
    }
    return {
      findings,
      summary: `${values.size} hyperparameters recorded${compared.length ? `, ${compared.length} agree with the model's metadata` : ''}`,
      details: { keys: values.size, compared_with_model_metadata: compared },
    };
  },
});

function flatten(obj: Record<string, unknown>, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) flatten(v as Record<string, unknown>, key, out);
    else out.set(key, v);
  }
  return out;
}

/** null, a string of only spaces, an empty list or mapping: written down, but no value. */
function isBlank(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

function hasType(v: unknown, type: 'number' | 'integer' | 'string' | 'boolean'): boolean {
  if (type === 'integer') return Number.isInteger(v);
  return typeof v === type;
}

function show(v: unknown): string {
  return JSON.stringify(v) ?? String(v);
}

/** ONNX metadata values are strings: "1.0" agrees with 1, "true" with true, "None"/"null" with null. */
function agrees(v: unknown, meta: string): boolean {
  if (typeof v === 'number') return meta.trim() !== '' && Number(meta) === v;
  if (typeof v === 'boolean') return meta.trim().toLowerCase() === String(v);
  if (v === null) return ['', 'none', 'null'].includes(meta.trim().toLowerCase());
  if (typeof v === 'string') return v === meta;
  return JSON.stringify(v) === meta;
}

