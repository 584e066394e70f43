// The state a shard writes (`run --shard i/n --state FILE`) and what `merge` checks before it trusts one.
import { constants } from 'node:buffer';
import { statSync } from 'node:fs';
import { z } from 'zod';
import { cannotRead, readInput } from '../onnx/read-input.js';
import { InputError, UsageError } from '../input/errors.js';
import { sha256Hex } from '../input/hash.js';
import { TOOL } from '../input/version.js';
import type { InputEvidence } from '../report/types.js';
import { columnsKey, type Merged, type ModelRole, type ShardColumns, type ShardPass, type Tally } from '../checks/context.js';
import { mergeColumns, type ColumnRead, type ColumnsRead } from '../eval/drift/columns.js';
import { countedBy, mergePasses, rowsOf } from '../eval/merge.js';
import { manifestDigest } from '../eval/datasets/files.js';
import type { Part } from '../eval/datasets/part.js';
import type { Pass } from '../eval/predict.js';
import { idInPart, sampleHash } from '../eval/scored.js';
import { b64 as wireB64, bytesOf, passOf, typed, wireOf, wirePassSchema, type WirePass } from '../eval/wire.js';
import { checkDefinition } from '../checks/index.js';

export { wireOf };

export const STATE_SCHEMA = 'deploy-check/state@1';

/**
 * One shard's state: what it was run on (the checklist's, every model's and every dataset's
 * digests, the shard and the checks selected) and, per dataset evaluated, the pass over its part.
 * `sha256` is the digest of the rest as written: a state edited or cut short is refused.
 */
export interface StateFile {
  schema: typeof STATE_SCHEMA;
  tool: { name: string; version: string };
  checklist: { path: string; sha256: string };
  models: Partial<Record<ModelRole, string>>;
  shard: { index: number; count: number };
  selection: { only: string[]; skip: string[] };
  datasets: Record<string, Omit<ShardPass, 'pass'> & { pass: WirePass }>;
  /** column statistics (drift), by dataset and columns (columnsKey) */
  columnStats: Record<string, Omit<ShardColumns, 'read' | 'label'> & { label: string | null; read: WireColumns }>;
  /** checks that read their own way in shards (shards: 'tallies'), by check id: the check's type, the datasets read, the tally */
  tallies: Record<string, { type: string } & Tally>;
}

/** The state's schema, built when a state is first read (not at the start of every command). */
let schema: ReturnType<typeof buildSchema> | undefined;
const stateSchema = () => (schema ??= buildSchema());
type Wire = z.output<ReturnType<typeof buildSchema>>;
type WireColumns = Wire['columnStats'][string]['read'];

function buildSchema() {
  const wirePass = wirePassSchema();
  const b64 = wireB64();
  const wireColumns = z.strictObject({
    rows: z.number().int().min(0),
    columns: z.array(z.tuple([z.string(), z.union([z.strictObject({ values: b64, counts: b64, n: z.number().int().min(0) }), z.strictObject({ counts: z.array(z.tuple([z.string(), z.number().int().min(1)])) })])])),
  });

  const digest = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 digest');
  // a file another shard read (a part by file) has no digest in this state, nor has their manifest
  const fileEvidence = { path: z.string(), sha256: digest.or(z.literal('')), bytes: z.number().int().min(0), rows: z.number().int().min(0) };
  const evidence = z.strictObject({ ...fileEvidence, files: z.array(z.strictObject(fileEvidence)).optional() });
  const stateSchema = z.strictObject({
    schema: z.literal(STATE_SCHEMA),
    tool: z.strictObject({ name: z.string(), version: z.string() }),
    checklist: z.strictObject({ path: z.string(), sha256: digest }),
    models: z.strictObject({ model: digest.optional(), baseline: digest.optional() }),
    shard: z.strictObject({ index: z.number().int().min(0), count: z.number().int().min(1) }),
    selection: z.strictObject({ only: z.array(z.string()), skip: z.array(z.string()) }),
    datasets: z.record(
      z.string(),
      z.strictObject({
        path: z.string(),
        columns: z.array(z.string()),
        evidence,
        models: z.array(z.enum(['model', 'baseline'])),
        keep: z.array(z.string()),
        pass: wirePass,
        scored: z
          .strictObject({
            evidence,
            verify: z.strictObject({ rows: z.number().int().min(1), seed: z.number().int() }),
            rescored: z.array(
              z.strictObject({
                hash: z.number().int().min(0).max(0xffffffff),
                id: z.string(),
                ref: z.number().int(),
                // NaN, as JSON writes it
                worst: z.strictObject({ where: z.string(), id: z.string(), column: z.string(), file: z.number().nullable(), model: z.number().nullable() }).optional(),
              }),
            ),
          })
          .optional(),
      }),
    ),
    columnStats: z.record(
      z.string(),
      z.strictObject({ dataset: z.string(), only: z.array(z.string()).nullable(), path: z.string(), columns: z.array(z.string()), label: z.string().nullable(), evidence, read: wireColumns }),
    ),
    tallies: z.record(z.string(), z.strictObject({ type: z.string(), evidence: z.array(evidence), value: z.unknown() })),
    sha256: digest,
  });
  return stateSchema;
}

/**
 * The longest state there can be, in characters: a state is written and read as one JSON text,
 * and a text is one string, at most this long in Node.js (2^29 − 24 characters, about 512 MB).
 */
export const MAX_STATE_CHARS = constants.MAX_STRING_LENGTH;
/** the digest's field and the braces around it */
const DIGEST_CHARS = 80;

const tooLong = (file: string, limit: number) =>
  new InputError(file, `this shard's state would be longer than ${limit.toLocaleString('en-US')} characters, the longest text Node.js can write or read as one`, undefined, 'split the run into more shards: a state takes about 8 to 13 bytes a row evaluated');

/** The state as written: its JSON, with the digest of everything else last; an InputError naming `file` when it would be too long to read back. */
export function stateText(state: StateFile, file = 'state', limit = MAX_STATE_CHARS): string {
  let body: string;
  try {
    body = JSON.stringify(state);
  } catch (err) {
    if (err instanceof RangeError) throw tooLong(file, limit);
    throw err;
  }
  if (body.length + DIGEST_CHARS > limit) throw tooLong(file, limit);
  return `${body.slice(0, -1)},"sha256":"${sha256Hex(Buffer.from(body))}"}\n`;
}

/** Column statistics as JSON: distributions as base64 of their values and counts, counts as pairs. */
export function wireOfColumns(read: ColumnsRead): WireColumns {
  return {
    rows: read.rows,
    columns: [...read.columns].map(([name, c]) => [name, 'numbers' in c ? { values: bytesOf(c.numbers.values), counts: bytesOf(c.numbers.counts), n: c.numbers.n } : { counts: [...c.counts] }]),
  };
}

/** A fault at a place of a state file: an InputError naming both. */
const stateFault =
  (file: string, place: string) =>
  (what: string): never => {
    throw new InputError(file, `${place}: ${what}`, undefined, 'a state is written by run --shard --state, never by hand');
  };

function columnsOf(w: WireColumns, file: string, place: string): ColumnsRead {
  const bad = stateFault(file, place);
  const columns = new Map<string, ColumnRead>();
  for (const [name, c] of w.columns) {
    if (!('values' in c)) {
      if (c.counts.reduce((a, [, n]) => a + n, 0) > w.rows) bad(`${name}: more values counted than rows`);
      columns.set(name, { counts: new Map(c.counts) });
      continue;
    }
    const values = typed(c.values, Float64Array, `${name}.values`, bad);
    const counts = typed(c.counts, Float64Array, `${name}.counts`, bad);
    if (values.length !== counts.length) bad(`${name}: ${values.length} values and ${counts.length} counts`);
    for (let i = 1; i < values.length; i++) if (!(values[i]! > values[i - 1]!)) bad(`${name}.values: not in ascending order`);
    const n = counts.reduce((a, b) => a + b, 0);
    if (n !== c.n || n > w.rows || counts.some((k) => !(Number.isInteger(k) && k > 0))) bad(`${name}.counts: do not add up to ${c.n} values of at most ${w.rows} rows`);
    columns.set(name, { numbers: { values, counts, n } });
  }
  return { rows: w.rows, columns };
}

/**
 * The rows a shard re-scored, checked against the shard: each row's id in the shard's part, the row
 * in its pass, its hash the sample's, and as many rows as the sample takes from the shard's.
 */
function scoredOf(w: NonNullable<Wire['datasets'][string]['scored']>, pass: Pass, shard: Part, bad: (what: string) => never): NonNullable<ShardPass['scored']> {
  const refs = new Set(pass.rowRef);
  const expected = Math.min(w.verify.rows, pass.rowRef.length);
  if (w.rescored.length !== expected) bad(`rescored: ${w.rescored.length} rows, but the sample takes ${expected} of the shard's ${pass.rowRef.length} rows`);
  const rescored = w.rescored.map((r, k) => {
    if (!idInPart(shard, r.id) || !refs.has(r.ref)) bad(`rescored.${k}: id ${JSON.stringify(r.id)} (row ${r.ref}) is not a row of this shard`);
    if (r.hash !== sampleHash(w.verify.seed, r.id)) bad(`rescored.${k}: the hash of id ${JSON.stringify(r.id)} is not the sample's`);
    return { hash: r.hash, id: r.id, ref: r.ref, ...(r.worst ? { worst: { ...r.worst, file: r.worst.file ?? NaN, model: r.worst.model ?? NaN } } : {}) };
  });
  return { evidence: w.evidence, verify: w.verify, rescored };
}

/**
 * Reads and checks one state file: its digest, its structure, and every array against the others
 * (lengths, codes within their dictionaries, rows in file order). Any fault is an InputError naming
 * the file and the place.
 */
/** A state file's text, or an InputError naming it: unreadable, or longer than a state can be. */
export function readStateFile(file: string, limit = MAX_STATE_CHARS): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (err) {
    throw cannotRead(file, err);
  }
  if (size > limit) throw new InputError(file, `is ${size.toLocaleString('en-US')} bytes, longer than a state can be (${limit.toLocaleString('en-US')} characters, the longest text Node.js can read as one)`, undefined, 'not a state written by run --shard --state, which refuses states that long');
  return readInput(file, file).toString('utf8');
}

/** A state file, read and checked (readStateFile, then readState). */
export function loadState(file: string): ReturnType<typeof readState> {
  return readState(file, readStateFile(file));
}

export function readState(
  file: string,
  text: string,
): Omit<StateFile, 'datasets' | 'columnStats'> & {
  datasets: Record<string, Omit<StateFile['datasets'][string], 'pass'>>;
  columnStats: Record<string, Omit<StateFile['columnStats'][string], 'read'>>;
  passes: Map<string, ShardPass>;
  columns: Map<string, ShardColumns>;
} {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(file, `is not a deploy-check state (not JSON: ${(err as Error).message})`, undefined, 'a state cut short, or not written by run --shard --state');
  }
  const schema = (raw as { schema?: unknown } | null)?.schema;
  if (schema !== STATE_SCHEMA) throw new InputError(file, `is not a deploy-check state (schema ${JSON.stringify(schema)}, expected "${STATE_SCHEMA}")`);
  const parsed = stateSchema().safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError(file, `${issue.path.join('.') || '(top)'}: ${issue.message}`, undefined, 'a state is written by run --shard --state, never by hand');
  }
  const { sha256, ...state } = parsed.data;
  const body = text.trimEnd();
  const without = body.slice(0, body.lastIndexOf(',"sha256":')) + '}';
  if (sha256Hex(Buffer.from(without)) !== sha256) throw new InputError(file, 'does not match its own digest (sha256): it was changed after it was written', undefined, 'run the shard again');
  if (state.tool.version !== TOOL.version) throw new InputError(file, `was written by deploy-check ${state.tool.version}; this is ${TOOL.version}`, undefined, 'shards and merge must run the same version');
  if (state.shard.index >= state.shard.count) throw new InputError(file, `shard.index ${state.shard.index} is not below shard.count ${state.shard.count}`);
  const passes = new Map<string, ShardPass>();
  for (const [name, d] of Object.entries(state.datasets)) {
    const pass = passOf(d.pass, d.models.length, d.keep.length, stateFault(file, `datasets.${name}.pass`));
    const { scored, ...rest } = d;
    passes.set(name, { ...rest, pass, ...(scored ? { scored: scoredOf(scored, pass, state.shard, stateFault(file, `datasets.${name}.scored`)) } : {}) });
  }
  const columns = new Map<string, ShardColumns>();
  for (const [key, c] of Object.entries(state.columnStats)) {
    if (key !== columnsKey(c.dataset, c.only)) throw new InputError(file, `columnStats: the key ${JSON.stringify(key)} is not its dataset's and columns'`);
    columns.set(key, { ...c, label: c.label ?? undefined, read: columnsOf(c.read, file, `columnStats.${key}.read`) });
  }
  // the wire form (base64) of what was decoded is not kept: at ten million rows it is a hundred megabytes
  const datasets = Object.fromEntries(Object.entries((state as StateFile).datasets).map(([name, { pass: _, ...d }]) => [name, d]));
  const columnStats = Object.fromEntries(Object.entries((state as StateFile).columnStats).map(([key, { read: _, ...c }]) => [key, c]));
  return { ...(state as StateFile), datasets, columnStats, passes, columns };
}

export type ReadState = ReturnType<typeof readState>;

/**
 * The passes of a whole run from its shards' states, once they are shown to be the shards of one
 * run: the same checklist, models, data and checks selected, the same number of shards, each shard
 * exactly once, and rows that add up to every dataset's row count.
 */
export function combineStates(states: { file: string; state: ReadState }[]): { first: Pick<ReadState, 'tool' | 'checklist' | 'models' | 'shard' | 'selection'>; merged: Merged } {
  const [head, ...rest] = states;
  if (!head) throw new UsageError('merge: no state files given');
  const first = head.state;
  const same = (what: string, a: unknown, b: unknown, file: string) => {
    if (JSON.stringify(a) !== JSON.stringify(b)) throw new InputError(file, `is not a shard of the same run as ${head.file}: ${what} differ (${short(b)} here, ${short(a)} there)`);
  };
  for (const { file, state } of rest) {
    same('the checklists', first.checklist.sha256, state.checklist.sha256, file);
    same('the models', first.models, state.models, file);
    same('the checks selected (--only/--skip)', first.selection, state.selection, file);
    same('the numbers of shards', first.shard.count, state.shard.count, file);
    same('the datasets evaluated', Object.keys(first.datasets), Object.keys(state.datasets), file);
    for (const [name, d] of Object.entries(state.datasets)) {
      const f = first.datasets[name]!;
      same(`dataset "${name}"'s files`, f.evidence.path, d.evidence.path, file);
      same(`dataset "${name}"'s columns`, f.columns, d.columns, file);
      same(`the models and columns read with dataset "${name}"`, [f.models, f.keep], [d.models, d.keep], file);
      same(`dataset "${name}"'s scores`, [f.scored?.evidence.path, f.scored?.verify], [d.scored?.evidence.path, d.scored?.verify], file);
    }
    same('the column statistics read', Object.keys(first.columnStats), Object.keys(state.columnStats), file);
    for (const [key, c] of Object.entries(state.columnStats)) same(`dataset "${c.dataset}"'s files`, first.columnStats[key]!.evidence.path, c.evidence.path, file);
    same('the checks tallied', Object.keys(first.tallies), Object.keys(state.tallies), file);
    for (const [id, t] of Object.entries(state.tallies)) same(`the files check "${id}" read`, [first.tallies[id]!.type, first.tallies[id]!.evidence.map((e) => e.path)], [t.type, t.evidence.map((e) => e.path)], file);
  }
  const count = first.shard.count;
  const byIndex = new Map<number, string>();
  for (const { file, state } of states) {
    const other = byIndex.get(state.shard.index);
    if (other !== undefined) throw new UsageError(`merge: shard ${state.shard.index}/${count} is given twice (${other} and ${file})`);
    byIndex.set(state.shard.index, file);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length) throw new UsageError(`merge: ${missing.length === 1 ? 'shard' : 'shards'} ${missing.map((i) => `${i}/${count}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing (${states.length} of ${count} given)`);
  const ordered = [...states].sort((a, b) => a.state.shard.index - b.state.shard.index);
  const evidenceOf = joinEvidence(ordered);
  const merged = new Map<string, ShardPass>();
  for (const [name, p0] of ordered[0]!.state.passes) {
    const d = { ...p0, evidence: evidenceOf(p0.evidence), ...(p0.scored ? { scored: { ...p0.scored, evidence: evidenceOf(p0.scored.evidence) } } : {}) };
    const parts = ordered.map((s) => s.state.passes.get(name)!);
    const rows = parts.reduce((sum, p) => sum + rowsOf(p.pass), 0);
    try {
      countedBy(parts.map((p) => p.pass));
    } catch (err) {
      throw new InputError(head.file, `dataset "${name}": ${(err as Error).message}`, undefined, 'a state from another run, or one edited');
    }
    if (rows !== d.evidence.rows) throw new InputError(head.file, `dataset "${name}": the shards hold ${rows} rows, but ${d.evidence.path} has ${d.evidence.rows}`, undefined, 'a state from another run, or one edited');
    const pass = mergePasses(parts.map((p) => p.pass));
    const refs = pass.rowRef;
    for (let i = 1; i < refs.length; i++) if (refs[i] === refs[i - 1]) throw new InputError(head.file, `dataset "${name}": ${pass.rowUnit} ${refs[i]} is in two shards`, undefined, 'a state from another run, or one edited');
    const scored = d.scored && { ...d.scored, rescored: parts.flatMap((p) => p.scored?.rescored ?? []) };
    merged.set(name, { ...d, pass, ...(scored ? { scored } : {}) });
  }
  const columns = new Map<string, ShardColumns>();
  for (const [key, read] of first.columns) {
    const c = { ...read, evidence: evidenceOf(read.evidence) };
    const parts = ordered.map((s) => s.state.columns.get(key)!.read);
    const rows = parts.reduce((sum, p) => sum + p.rows, 0);
    if (rows !== c.evidence.rows) throw new InputError(head.file, `dataset "${c.dataset}": the shards' column statistics hold ${rows} rows, but ${c.evidence.path} has ${c.evidence.rows}`, undefined, 'a state from another run, or one edited');
    columns.set(key, { ...c, read: mergeColumns(parts) });
  }
  const tallies = new Map<string, Tally>();
  for (const [id, t] of Object.entries(first.tallies)) {
    const merge = checkDefinition(t.type).tally?.merge;
    if (!merge) throw new InputError(head.file, `tallies.${id}: a check of type "${t.type}" is not tallied in shards`, undefined, 'a state is written by run --shard --state, never by hand');
    try {
      tallies.set(id, { evidence: t.evidence.map((e) => evidenceOf(e)), value: merge(ordered.map((s) => s.state.tallies[id]!.value)) });
    } catch (err) {
      throw new InputError(head.file, `tallies.${id}: ${(err as Error).message}`, undefined, 'a state from another run, or one edited');
    }
  }
  // what the merge needs of the states besides the joined data: the states themselves (their base64
  // and each shard's arrays) need not outlive this
  const { tool, checklist, models, shard, selection } = first;
  return { first: { tool, checklist, models, shard, selection }, merged: { passes: merged, columns, tallies } };
}

type Evidence = InputEvidence;

/**
 * Every dataset's evidence as the states hold it, joined: the same files, sizes and rows in every
 * state, each file's digest from the states that read it (agreeing), and the manifest's digest from
 * those. Returns each evidence's joined form; a fault is an InputError naming the state.
 */
function joinEvidence(states: { file: string; state: ReadState }[]): <E extends Evidence>(e: E) => E {
  const joined = new Map<string, { ev: Evidence; file: string }>();
  for (const { file, state } of states) {
    const all: Evidence[] = [
      ...Object.values(state.datasets).flatMap((d) => [d.evidence, ...(d.scored ? [d.scored.evidence] : [])]),
      ...Object.values(state.columnStats).map((c) => c.evidence),
      ...Object.values(state.tallies).flatMap((t) => t.evidence),
    ];
    for (const ev of all) {
      const had = joined.get(ev.path);
      joined.set(ev.path, { ev: had ? joinTwo(had.ev, ev, had.file, file) : { ...ev }, file: had?.file ?? file });
    }
  }
  for (const { ev, file } of joined.values()) {
    const unread = ev.files?.find((f) => !f.sha256);
    if (unread) throw new InputError(file, `dataset ${ev.path}: no shard read ${unread.path} (its digest is in no state)`, undefined, 'a state from another run, or one edited');
    if (ev.files) ev.sha256 = manifestDigest(ev.files);
  }
  // a file's rows are known where it was read for rows (a pass), not where it was read as bytes
  return <E extends Evidence>(e: E) => ({ ...e, ...joined.get(e.path)!.ev, ...(e.rows === undefined ? { rows: undefined } : {}) }) as E;
}

function joinTwo(a: Evidence, b: Evidence, fileA: string, fileB: string): Evidence {
  const differ = (): never => {
    throw new InputError(fileB, `is not a shard of the same run as ${fileA}: its data differ, ${a.path} (${short(b)} here, ${short(a)} there)`);
  };
  if (a.bytes !== b.bytes || (a.rows !== undefined && b.rows !== undefined && a.rows !== b.rows)) differ();
  const rows = a.rows ?? b.rows;
  if (!a.files || !b.files) {
    if (a.files || b.files || a.sha256 !== b.sha256) differ();
    return { ...a, ...(rows !== undefined ? { rows } : {}) };
  }
  if (a.files.length !== b.files.length) differ();
  const files = a.files.map((f, k) => {
    const g = b.files![k]!;
    if (f.path !== g.path || f.bytes !== g.bytes || f.rows !== g.rows || (f.sha256 && g.sha256 && f.sha256 !== g.sha256)) differ();
    return { ...f, sha256: f.sha256 || g.sha256 };
  });
  return { ...a, ...(rows !== undefined ? { rows } : {}), sha256: '', files };
}

function short(v: unknown): string {
  const text = JSON.stringify(v);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
