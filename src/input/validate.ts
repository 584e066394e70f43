import { z } from 'zod';
import { InputError, type Position } from './errors.js';
import { didYouMean } from './suggest.js';
import type { PathSegment, YamlDocument } from './yaml.js';

/**
 * Validates a parsed YAML document against a zod schema and turns every zod issue into one line:
 * `file:line:col  checks[3].min: expected number, received string`, with a "did you mean" where
 * a key or a value is close to an allowed one. Used for checklists and every YAML input document.
 */
export class ValidationError extends InputError {
  override name = 'ValidationError';
  constructor(readonly problems: InputError[]) {
    super(problems[0]!.file, problems[0]!.detail, problems[0]!.position, problems[0]!.hint);
    this.message = problems.map((p) => p.message).join('\n');
  }
}

export function validateDocument<S extends z.ZodType>(schema: S, doc: YamlDocument, file: string): z.output<S> {
  const result = schema.safeParse(doc.value, { reportInput: true });
  if (result.success) return result.data;
  throw new ValidationError(result.error.issues.flatMap((issue) => describeIssue(issue, schema, doc, file)));
}

/** Problems in the order of their places in the file (those without a place last). */
export function byPosition(problems: InputError[]): InputError[] {
  const key = (p: InputError) => (p.position ? p.position.line * 1e6 + p.position.col : Infinity);
  return [...problems].sort((a, b) => key(a) - key(b));
}

export function pathToString(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (typeof seg === 'string' && /^[A-Za-z_][\w-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out;
}

function describeIssue(issue: z.core.$ZodIssue, schema: z.ZodType, doc: YamlDocument, file: string): InputError[] {
  const path = issue.path.filter((p): p is PathSegment => typeof p !== 'symbol');
  const problem = (detail: string, at: readonly PathSegment[] = path, hint?: string, key = false) => {
    const where = pathToString(at);
    return new InputError(file, where ? `${where}: ${detail}` : detail, doc.positionOf(at, key), hint);
  };
  const input = (issue as { input?: unknown }).input;
  // A message written in our schemas (not one of zod's defaults) says it best.
  if (!/^(Invalid|Too (small|big)|Unrecognized key)/.test(issue.message) && issue.code !== 'unrecognized_keys' && issue.code !== 'invalid_union') {
    return [problem(issue.message)];
  }
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return [problem(`missing (expected ${article(issue.expected)})`)];
      return [problem(`expected ${yamlName(issue.expected)}, received ${kindOf(input)}${preview(input)}`)];
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schema, path, doc.value);
      return issue.keys.map((k) => problem(`unknown key "${k}"`, [...path, k], didYouMean(k, allowed) ?? hintKeys(allowed), true));
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => JSON.stringify(v));
      const expected = values.length === 1 ? values[0] : values.length <= 8 ? `one of ${values.join(', ')}` : `one of ${values.length} values (${values.slice(0, 6).join(', ')}, …)`;
      const hint = typeof input === 'string' ? didYouMean(input, issue.values.map(String)) : undefined;
      return [problem(`expected ${expected}, received ${JSON.stringify(input) ?? 'nothing'}`, path, hint)];
    }
    case 'invalid_union': {
      if ('discriminator' in issue && issue.discriminator) {
        const options = (issue as { options?: unknown[] }).options?.map(String) ?? [];
        const value = isRecord(input) ? input[issue.discriminator] : undefined;
        if (value === undefined) return [problem(`missing (expected one of ${options.map((o) => `"${o}"`).join(', ')})`)];
        return [problem(`unknown ${issue.discriminator} ${JSON.stringify(value)}`, path, didYouMean(String(value), options) ?? `known: ${options.join(', ')}`)];
      }
      // A value of the right shape for one branch (a mapping where { path, sha256 } is allowed):
      // say what is wrong inside that branch rather than "invalid input".
      const branch = issue.errors.find((errs) => errs.length > 0 && !errs.some((e) => e.code === 'invalid_type' && e.path.length === 0));
      if (branch) return branch.flatMap((inner) => describeIssue({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue, schema, doc, file));
      if (issue.message === 'Invalid input') {
        const types = [...new Set(issue.errors.flatMap((errs) => errs.filter((e) => e.code === 'invalid_type' && e.path.length === 0).map((e) => (e as { expected: string }).expected)))];
        if (input === undefined) return [problem(`missing (expected ${types.map(article).join(' or ')})`)];
        const kinds = types.map(yamlName);
        return [problem(`expected ${kinds.join(' or ')}, received ${kindOf(input)}${preview(input)}`)];
      }
      return [problem(issue.message)];
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const op = issue.code === 'too_small' ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
      if (issue.origin === 'array') return [problem(`expected ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} item${Number(bound) === 1 ? '' : 's'}, received ${(input as unknown[]).length}`)];
      if (issue.origin === 'string') return [problem(`expected ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} character${Number(bound) === 1 ? '' : 's'}`)];
      return [problem(`expected a number ${op} ${bound}, received ${JSON.stringify(input)}`)];
    }
    case 'invalid_key': {
      const inner = issue.issues[0]?.message ?? 'invalid name';
      return [problem(`invalid name ${JSON.stringify(path[path.length - 1])}: ${inner}`, path, undefined, true)];
    }
    case 'not_multiple_of':
      return [problem(`expected a multiple of ${issue.divisor}`)];
    default:
      return [problem(issue.message)];
  }
}

/** zod's type names, as YAML users know them */
const YAML_NAMES: Record<string, string> = { object: 'mapping', array: 'list', record: 'mapping' };

function yamlName(type: string): string {
  return YAML_NAMES[type] ?? type;
}

function article(type: string): string {
  const name = yamlName(type);
  return /^[aeiou]/.test(name) ? `an ${name}` : `a ${name}`;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'mapping';
  return typeof v;
}

function preview(v: unknown): string {
  if (typeof v === 'string') return ` ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return ` ${v}`;
  return '';
}

function hintKeys(allowed: string[]): string | undefined {
  return allowed.length ? `allowed: ${allowed.join(', ')}` : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The keys the schema allows for the object at `path`, following the data through unions. */
export function allowedKeys(schema: z.ZodType, path: readonly PathSegment[], data: unknown): string[] {
  let node: z.ZodType | undefined = schema;
  let value: unknown = data;
  for (let i = 0; i <= path.length; i++) {
    node = unwrap(node, value);
    if (!node || i === path.length) break;
    const seg = path[i]!;
    value = isRecord(value) || Array.isArray(value) ? (value as Record<PathSegment, unknown>)[seg] : undefined;
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, z.ZodType>)[String(seg)];
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else if (node instanceof z.ZodRecord) node = node.valueType as z.ZodType;
    else node = undefined;
  }
  if (node instanceof z.ZodObject) return Object.keys(node.shape);
  // a record whose keys are an enum (ml_test_score: D1 … MON7) allows those keys
  if (node instanceof z.ZodRecord && node.keyType instanceof z.ZodEnum) return (node.keyType as z.ZodEnum).options.map(String);
  return [];
}

function unwrap(node: z.ZodType | undefined, value: unknown): z.ZodType | undefined {
  for (let guard = 0; node && guard < 20; guard++) {
    if (node instanceof z.ZodOptional || node instanceof z.ZodDefault || node instanceof z.ZodNullable) node = node.unwrap() as z.ZodType;
    else if (node instanceof z.ZodPipe) node = node.in as z.ZodType;
    else if (node instanceof z.ZodDiscriminatedUnion || node instanceof z.ZodUnion) {
      const options = node.options as z.ZodType[];
      const objects = options.filter((o): o is z.ZodObject => o instanceof z.ZodObject);
      const type = isRecord(value) ? value.type : undefined;
      node = objects.find((o) => {
        const lit = (o.shape as Record<string, z.ZodType>).type;
        return lit instanceof z.ZodLiteral && lit.value === type;
      }) ?? objects[0];
    } else return node;
  }
  return node;
}

export type { Position };
