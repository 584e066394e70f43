import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { roleSpec, type ChecklistCore, type ModelSpec } from '../spec/model.js';
import { InputError } from '../input/errors.js';
import { duplicateOpsetImport, type OnnxModelInfo } from '../onnx/model-info.js';
import { cannotRead, onnxInfo } from '../onnx/read-input.js';
import { openSession, type LoadedSession, type ModelSession } from '../onnx/session.js';
import { unzipMap } from '../onnx/zipmap.js';
import { datasetDisplay, openDatasetPath } from '../eval/datasets/index.js';
import { evaluate, finishPass, planRead, readInputStats, readPass, type BatchTransform, type ColumnStats, type Evaluation, type ModelFacts, type ModelUnderTest, type Pass, type ReadPlan } from '../eval/predict.js';
import { countPass, decisionKeys, finishCounted, pairedRows } from '../eval/counted.js';
import type { Part } from '../eval/datasets/part.js';
import { readColumns, type ColumnsRead } from '../eval/drift/columns.js';
import { bindingOf, readScoredPass, type Binding, type Rescored } from '../eval/scored.js';
import { formatNumber } from '../report/format-value.js';
import type { DatasetSource } from '../eval/datasets/index.js';
import type { DatasetSpec } from '../spec/model.js';
import type { BootstrapNeed, CountedReads, DatasetNeed, ModelRole } from './needs.js';
import type { Replicates } from '../eval/bootstrap.js';
import { resolveDatasetName } from '../spec/datasets.js';
import type { InputEvidence } from '../report/types.js';
import { sha256Hex } from '../input/hash.js';

export type { ModelRole } from './needs.js';

/** ASCII whitespace, as a blank file holds it */
const WHITESPACE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]);

/** A FIFO or a device would block or never end: inputs are regular files. */
async function readRegularFile(path: string): Promise<Buffer> {
  const s = await stat(path);
  if (!s.isFile()) throw Object.assign(new Error(s.isDirectory() ? 'is a folder, not a file' : 'not a regular file (a pipe, socket or device is not read)'), { code: 'ENOTREG' });
  return readFile(path);
}

/** Where evaluation progress goes (a terminal progress bar); never part of the report. */
export type ProgressSink = (event: { dataset: string; rows: number; fraction: number; done?: boolean }) => void;

interface DatasetPlan {
  models: Set<ModelRole>;
  columns: Set<string>;
  /** column statistics to read (drift): the columns of each read, null for every column */
  stats: Map<string, string[] | null>;
  /** keep each input column's statistics (robustness perturbs by them) */
  inputStats: boolean;
  /** the bootstrap intervals checks will draw on each model's evaluation */
  bootstraps: (BootstrapNeed & { role: ModelRole })[];
  /** what the checks read of the models' evaluations, the widest of their DatasetNeed.reads (undefined: the rows as the file holds them): how a shard may count its rows */
  reads: CountedReads | undefined;
  /** the sum tolerances of the outputs checks on it (DatasetNeed.outputs): a shard counting rows keeps apart those they tell apart */
  outputs: Set<number>;
  /** the models whose rows' decisions a robustness check compares with their decisions perturbed (DatasetNeed.pairs) */
  paired: Set<ModelRole>;
}

export interface LoadedModel {
  role: ModelRole;
  spec: ModelSpec;
  /** path relative to the checklist's folder, as reports show it */
  path: string;
  bytes: Uint8Array;
  sha256: string;
  info: OnnxModelInfo;
}

/** A dataset pass as the shards of a run read it: what a merge rebuilds the evaluations from. */
export interface ShardPass {
  /** the dataset's path as reports show it, and its header */
  path: string;
  columns: string[];
  evidence: InputEvidence & { rows: number };
  /** the models run on it and the columns kept, in the order the pass holds them */
  models: ModelRole[];
  keep: string[];
  pass: Pass;
  /** scores written elsewhere (the pass is over the rows they score, parted by id): the scores' file and the rows re-scored */
  scored?: { evidence: InputEvidence & { rows: number }; verify: { rows: number; seed: number }; rescored: Rescored[] };
}

/** The evaluation of scores written elsewhere, once bound to the model: an error naming the rows when they disagree. */
function scoredEvaluation(ev: Evaluation, binding: Binding, rowsPath: string): Map<ModelRole, Evaluation> {
  if (binding.disagreements.length) {
    const d = binding.disagreements;
    const shown = d.slice(0, 3).map((x) => `${x.where}, id ${JSON.stringify(x.id)}: ${x.column} ${formatNumber(x.file)} in the file, ${formatNumber(x.model)} from the model, ${formatNumber(Math.abs(x.file - x.model))} apart`);
    throw new Error(`${binding.path} does not hold this model's scores: ${d.length} of the ${binding.checked} rows re-scored (from ${rowsPath}) ${d.length === 1 ? 'differs' : 'differ'} by more than ${binding.tolerance} (${shown.join('; ')}${d.length > 3 ? '; …' : ''})${d.length === binding.checked ? ": every row re-scored disagrees — another model's scores, or score columns not in the order of the model's classes" : ''}`);
  }
  return new Map([['model', { ...ev, scoredElsewhere: { path: binding.path, checked: binding.checked, tolerance: binding.tolerance } }]]);
}

/** A dataset's columns as the drift statistics read them (drift), from the whole dataset or a shard's part. */
export interface ShardColumns {
  dataset: string;
  /** the columns read; null: every column */
  only: string[] | null;
  path: string;
  columns: string[];
  label: string | undefined;
  evidence: InputEvidence & { rows: number };
  read: ColumnsRead;
}

/** What a merge serves: the passes and column statistics its shards read, joined. */
/** A check's tally in a state (shards: 'tallies'): the datasets it read (each shard reads them whole) and its value. */
export interface Tally {
  evidence: InputEvidence[];
  value: unknown;
}

export interface Merged {
  passes: Map<string, ShardPass>;
  columns: Map<string, ShardColumns>;
  /** checks' tallies (shards: 'tallies'), merged, by check id */
  tallies: Map<string, Tally>;
}

/** The wider of two DatasetNeed.reads: decisions, then the rows in any order, then (undefined) the rows as the file holds them. */
function widest(a: CountedReads | undefined, b: CountedReads | undefined): CountedReads | undefined {
  if (a === undefined || b === undefined) return undefined;
  return a === 'multiset' || b === 'multiset' ? 'multiset' : 'decisions';
}

/** How a run is split: a shard reads its part of every dataset; a merge serves what its shards read. */
export type RunSplit = { part: Part } | { merged: Merged };

/** The key of a column-statistics read: the dataset and the columns. */
export const columnsKey = (dataset: string, only: readonly string[] | null | undefined): string => JSON.stringify([dataset, only ?? null]);

/**
 * Everything a check may use, loaded lazily and at most once per run. Every file read goes
 * through `readInput`, which records its digest as evidence for the report.
 */
export class RunContext {
  private readonly files = new Map<string, Promise<{ data: Buffer; evidence: InputEvidence }>>();
  private readonly models = new Map<ModelRole, Promise<LoadedModel>>();
  private readonly sessions = new Map<ModelRole, Promise<{ session: ModelSession; loaded: Promise<LoadedSession>; zipmapClasses: Map<string, (string | number)[]> }>>();
  private readonly live = new Map<ModelRole, ModelSession>();
  private readonly plans = new Map<string, DatasetPlan>();
  private readonly evaluations = new Map<string, Promise<Map<ModelRole, Evaluation>>>();

  constructor(
    readonly checklist: ChecklistCore,
    /** The date the run is judged at (approval ages, staleness); `--as-of` sets it. */
    readonly now: Date,
    private readonly progress?: ProgressSink,
    private readonly split?: RunSplit,
  ) {
    if (split && 'merged' in split) {
      for (const p of [...split.merged.passes.values(), ...split.merged.columns.values()]) this.datasetEvidence.set(p.path, { ...p.evidence });
      for (const p of split.merged.passes.values()) if (p.scored) this.datasetEvidence.set(p.scored.evidence.path, { ...p.scored.evidence });
      for (const t of split.merged.tallies.values()) for (const ev of t.evidence) this.datasetEvidence.set(ev.path, { ...ev });
    }
  }

  /** This shard's part of the datasets (`run --shard`), if the run is a shard. */
  get part(): Part | undefined {
    return this.split && 'part' in this.split ? this.split.part : undefined;
  }

  /** A check's tally as its shards read it, merged (`merge`; shards: 'tallies'). */
  mergedTally(id: string): unknown {
    const t = (this.split as { merged: Merged }).merged.tallies.get(id);
    if (!t) throw new InputError(this.checklist.file, "the shards' states hold no tally of this check", undefined, 'run the shards again with this checklist');
    return t.value;
  }

  /** In a dataset of several files (rows numbered across them), the file that holds a row and its row there. */
  private fileOfRow(path: string, unit: string, ref: number): { file: string; row: number } | undefined {
    const files = unit === 'row' ? this.datasetEvidence.get(path)?.files : undefined;
    let before = 0;
    for (const f of files ?? []) {
      if (ref <= before + f.rows) return { file: f.path, row: ref - before };
      before += f.rows;
    }
    return undefined;
  }

  /** A row's place for messages: `line 14`, `row 14`; in a dataset of several files also its file and row there: `row 1234 (data/b.csv row 17)`. */
  rowPlace(path: string, unit: string, ref: number): string {
    const at = this.fileOfRow(path, unit, ref);
    return at ? `row ${ref} (${at.file} row ${at.row})` : `${unit} ${ref}`;
  }

  /** A row's location for a finding: `path:14`; in a dataset of several files, the file that holds the row (its line there is not kept after the pass). */
  rowLocation(path: string, unit: string, ref: number): string {
    return this.fileOfRow(path, unit, ref)?.file ?? `${path}:${ref}`;
  }

  /** The evidence of a dataset read whole in this run, by its path as reports show it. */
  evidenceOf(path: string): InputEvidence | undefined {
    return this.datasetEvidence.get(path);
  }

  /** Whether this run's evaluations come from its shards' states (`merge`): no model is run for them. */
  get merging(): boolean {
    return this.split !== undefined && 'merged' in this.split;
  }

  resolve(path: string): string {
    return resolve(this.checklist.dir, path);
  }

  /** A path as reports show it: relative to the checklist's folder, with forward slashes. */
  display(path: string): string {
    return relative(this.checklist.dir, this.resolve(path)).split(sep).join('/');
  }

  /** A dataset's path (a file, a glob or a list) as reports show it. */
  displayDataset(path: string | string[]): string {
    return datasetDisplay(path, (p) => this.display(p));
  }

  readInput(path: string): Promise<Buffer> {
    const key = this.resolve(path);
    let entry = this.files.get(key);
    if (!entry) {
      // a model file the loader read to plan it is not read again
      const read = this.checklist.modelFiles?.get(key);
      entry = (read ? Promise.resolve(read) : readRegularFile(key)).then(
        (data) => ({ data, evidence: { path: this.display(path), sha256: sha256Hex(data), bytes: data.length } }),
        (err: NodeJS.ErrnoException) => {
          throw cannotRead(this.display(path), err);
        },
      );
      this.files.set(key, entry);
    }
    return entry.then((e) => e.data);
  }

  /** Reads a UTF-8 text document (a leading byte-order mark is dropped). */
  async readText(path: string): Promise<string> {
    const data = await this.readInput(path);
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(data);
    } catch {
      throw new InputError(this.display(path), 'is not valid UTF-8 text');
    }
  }

  /**
   * A file's sha256, size and whether it holds anything but whitespace, streamed: a data file a
   * `files` check lists may be larger than memory. Recorded as evidence, as a file read whole is.
   */
  streamDigest(path: string): Promise<{ sha256: string; bytes: number; blank: boolean }> {
    const key = this.resolve(path);
    let entry = this.streamed.get(key);
    if (!entry) {
      entry = (async () => {
        const s = await stat(key);
        if (!s.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG' });
        const hash = createHash('sha256');
        let bytes = 0;
        let blank = true;
        for await (const chunk of createReadStream(key) as AsyncIterable<Buffer>) {
          hash.update(chunk);
          // whitespace only (a UTF-8 byte-order mark at the start aside) is blank
          for (let i = bytes === 0 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf ? 3 : 0; blank && i < chunk.length; i++) if (!WHITESPACE.has(chunk[i]!)) blank = false;
          bytes += chunk.length;
        }
        return { sha256: hash.digest('hex'), bytes, blank };
      })().catch((err: NodeJS.ErrnoException) => {
        throw cannotRead(this.display(path), err);
      });
      this.streamed.set(key, entry);
    }
    return entry;
  }

  private readonly streamed = new Map<string, Promise<{ sha256: string; bytes: number; blank: boolean }>>();

  digest(path: string): Promise<string> {
    return this.readInput(path).then(() => this.files.get(this.resolve(path))!).then((e) => e.evidence.sha256);
  }

  modelSpec(role: ModelRole): ModelSpec {
    const { model, baseline } = this.checklist.checklist;
    if (role === 'model') return model;
    if (!baseline) throw new InputError(this.checklist.file, 'a check uses the baseline model, but the checklist has no "baseline"');
    return roleSpec(model, baseline, role);
  }

  model(role: ModelRole = 'model'): Promise<LoadedModel> {
    let entry = this.models.get(role);
    if (!entry) {
      entry = this.loadModel(role);
      this.models.set(role, entry);
    }
    return entry;
  }

  /** The model loaded in onnxruntime (a load that fails is an InputError naming the file). */
  session(role: ModelRole = 'model'): Promise<LoadedSession> {
    return this.runnable(role).then((r) => r.loaded);
  }

  /**
   * The session, from the bytes as hashed, with ZipMap outputs unwrapped so probabilities come back
   * as tensors; opened at once, its runs waiting in the model host until the model is loaded.
   */
  private runnable(role: ModelRole) {
    let entry = this.sessions.get(role);
    // a session whose model host was stopped (a limit) is made again, in a fresh host
    if (entry && this.live.get(role)?.stopped) entry = undefined;
    if (!entry) {
      entry = this.model(role).then((m) => {
        const rewrite = unzipMap(m.bytes, m.info);
        const { session, loaded } = openSession(rewrite?.bytes ?? m.bytes, m.path);
        this.live.set(role, session);
        return { session, loaded, zipmapClasses: rewrite?.classes ?? new Map() };
      });
      this.sessions.set(role, entry);
    }
    return entry;
  }

  /** What is known of a model without running it (a merge reads its outputs, never runs it). */
  async facts(role: ModelRole): Promise<ModelFacts> {
    const m = await this.model(role);
    return { role, path: m.path, spec: m.spec, info: m.info, zipmapClasses: unzipMap(m.bytes, m.info)?.classes ?? new Map() };
  }

  /** A model ready to run: its spec, signature and session. */
  async underTest(role: ModelRole): Promise<ModelUnderTest> {
    const m = await this.model(role);
    const r = await this.runnable(role);
    return { role, path: m.path, spec: m.spec, info: m.info, session: r.session, zipmapClasses: r.zipmapClasses };
  }

  /**
   * The dataset a check names, opened for reading (a stream: each call reads the file anew). Every
   * dataset read to its end, by any check, is recorded as evidence with its digest and row count.
   */
  async dataset(name: string | undefined): Promise<{ source: DatasetSource; spec: DatasetSpec & { name: string } }> {
    const resolved = this.datasetName(name);
    const spec = this.checklist.checklist.datasets![resolved]!;
    const source = await openDatasetPath(this.checklist.dir, spec.path, (p) => this.display(p));
    const display = source.path;
    const record = (): void => {
      const ev = source.evidence();
      if (!ev) return;
      // in a merge, a file read whole must be the one the shards read
      const shards = this.merging ? this.datasetEvidence.get(display) : undefined;
      if (shards && shards.sha256 !== ev.sha256) throw new InputError(display, `is not the file the shards read (its sha256 is ${ev.sha256}; the states say ${shards.sha256})`);
      this.datasetEvidence.set(display, withPath(display, ev));
    };
    const batches: DatasetSource['batches'] = async function* (want, size, options) {
      yield* source.batches(want, size, options);
      record();
    };
    return { source: { ...source, batches }, spec: { ...spec, name: resolved } };
  }

  /** The name a check's `dataset` option resolves to. */
  datasetName(name: string | undefined): string {
    return resolveDatasetName(this.checklist.checklist, name, this.checklist.file);
  }

  /** Declares, before checks run, which models and columns each dataset pass must serve. */
  plan(need: DatasetNeed): void {
    const name = this.datasetName(need.dataset);
    let plan = this.plans.get(name);
    if (!plan) this.plans.set(name, (plan = { models: new Set(), columns: new Set(), stats: new Map(), inputStats: false, bootstraps: [], reads: 'decisions', outputs: new Set(), paired: new Set() }));
    if (need.models.length) plan.reads = widest(plan.reads, need.reads);
    if (need.outputs) plan.outputs.add(need.outputs.sumTolerance);
    if (need.pairs) for (const m of need.models) plan.paired.add(m);
    if (need.bootstrap) for (const role of need.models) plan.bootstraps.push({ ...need.bootstrap, role });
    if (need.columnStats) plan.stats.set(columnsKey(name, need.columnStats.only), need.columnStats.only ?? null);
    for (const m of need.models) plan.models.add(m);
    if (need.inputStats) plan.inputStats = true;
    for (const c of need.columns ?? []) plan.columns.add(c);
  }

  /** The bootstrap intervals the checks declared on a model's evaluation of a dataset. */
  plannedBootstraps(role: ModelRole, dataset: string | undefined): readonly BootstrapNeed[] {
    return (this.plans.get(this.datasetName(dataset))?.bootstraps ?? []).filter((b) => b.role === role);
  }

  /** Replicates drawn for one check and kept for others (sharedReplicates), by evaluation, seed and resamples: by metric, and how many times weights were drawn for them. */
  readonly replicates = new Map<string, { byMetric: Map<string, Replicates>; draws: number; drawing?: Promise<void> }>();

  /** Predictions of a model on a dataset: one pass over the file serves every model planned for it. */
  async evaluation(role: ModelRole, dataset: string | undefined): Promise<Evaluation> {
    const name = this.datasetName(dataset);
    // a model no check declared (DatasetNeed) is planned here; one declared keeps what its checks said they read
    if (!this.plans.get(name)?.models.has(role)) this.plan({ dataset: name, models: [role] });
    let entry = this.evaluations.get(name);
    if (!entry || !(await entry).has(role)) {
      entry = this.evaluate(name);
      this.evaluations.set(name, entry);
    }
    return (await entry).get(role)!;
  }

  private async evaluate(name: string): Promise<Map<ModelRole, Evaluation>> {
    const plan = this.plans.get(name)!;
    if (this.split && 'merged' in this.split) return this.fromShards(name, plan);
    if (this.checklist.checklist.datasets![name]!.predictions) return this.scoredElsewhere(name, plan);
    const { source, spec } = await this.dataset(name);
    const display = source.path;
    const roles = [...plan.models].sort();
    const models = await Promise.all(roles.map((role) => this.underTest(role)));
    const results = await evaluate(source, spec, models, [...plan.columns], {
      onProgress: this.progress && ((rows, fraction) => this.progress!({ dataset: display, rows, fraction })),
      inputStats: plan.inputStats,
    });
    this.progress?.({ dataset: display, rows: results[0]?.n ?? 0, fraction: 1, done: true });
    return new Map(roles.map((r, i) => [r, results[i]!]));
  }

  /**
   * A dataset's columns as the drift statistics read them: one pass, at most once per run for the
   * same columns; in a merge, what the shards read, joined.
   */
  columnStats(dataset: string | undefined, only: string[] | undefined): Promise<ShardColumns> {
    const name = this.datasetName(dataset);
    const key = columnsKey(name, only);
    if (this.split && 'merged' in this.split) {
      const merged = this.split.merged.columns.get(key);
      if (!merged) return Promise.reject(new InputError(this.checklist.file, `dataset "${name}": the shards' states do not hold the column statistics this checklist needs`, undefined, 'run the shards again with this checklist'));
      return Promise.resolve(merged);
    }
    let entry = this.statsRead.get(key);
    if (!entry) {
      entry = (async () => {
        const { source, spec } = await this.dataset(name);
        const part = this.part;
        const read = await readColumns(source, only, part);
        const evidence = this.datasetEvidence.get(source.path)!;
        return { dataset: name, only: only ?? null, path: source.path, columns: source.columns, label: spec.label, evidence: withRows(evidence), read };
      })();
      this.statsRead.set(key, entry);
    }
    return entry;
  }

  private readonly statsRead = new Map<string, Promise<ShardColumns>>();

  /** The column statistics planned (a shard reads each once): dataset and columns. */
  plannedColumnStats(): { dataset: string; only: string[] | undefined }[] {
    return [...this.plans].flatMap(([dataset, p]) => [...p.stats.values()].map((only) => ({ dataset, only: only ?? undefined })));
  }

  /**
   * The model's evaluation from scores written elsewhere: the file joined by id to the rows it
   * scores, a sample of them re-scored here. A disagreement ends every check that reads it (an
   * error, so the gate fails) with the rows named.
   */
  private async scoredElsewhere(name: string, plan: DatasetPlan): Promise<Map<ModelRole, Evaluation>> {
    const { pass, rescored, rows, read, scores, verify } = await this.readScored(name, plan);
    const [ev] = finishPass(read, pass, rows.path);
    return scoredEvaluation(ev!, bindingOf(scores.path, verify, rescored), rows.path);
  }

  /** The join of a dataset of scores written elsewhere to its rows, and the rows re-scored; with a part, the shard's ids only. */
  private async readScored(name: string, plan: DatasetPlan, part?: Part) {
    const p = this.checklist.checklist.datasets![name]!.predictions!;
    if ([...plan.models].some((m) => m !== 'model')) throw new InputError(this.checklist.file, `dataset "${name}" holds the model's scores: only the model is evaluated on it`);
    const [{ source: scores }, { source: rows, spec: rowsSpec }] = await Promise.all([this.dataset(name), this.dataset(p.of)]);
    const model = await this.underTest('model');
    const read = planRead(rows, rowsSpec, [model], [...plan.columns]);
    const { pass, rescored } = await readScoredPass(rows, rowsSpec, scores, p, read, model, part);
    return { pass, rescored, rows, read, scores, verify: p.verify };
  }

  /** The datasets planned for model evaluations (a shard reads each of them once). */
  plannedPasses(): string[] {
    return [...this.plans].filter(([, p]) => p.models.size > 0).map(([name]) => name);
  }

  /** A shard's pass over its part of a planned dataset, with what a merge needs to check and finish it. */
  async shardPass(name: string): Promise<ShardPass> {
    const plan = this.plans.get(name)!;
    if (this.checklist.checklist.datasets![name]!.predictions) {
      const { pass, rescored, rows, scores, verify } = await this.readScored(name, plan, this.part);
      const [evidence, scored] = [rows, scores].map((s) => this.datasetEvidence.get(s.path)!);
      return { path: rows.path, columns: rows.columns, evidence: withRows(evidence!), models: ['model'], keep: [...plan.columns], pass, scored: { evidence: withRows(scored!), verify: { rows: verify.rows, seed: verify.seed }, rescored } };
    }
    const { source, spec } = await this.dataset(name);
    const roles = [...plan.models].sort();
    const keep = [...plan.columns];
    const models = await Promise.all(roles.map((role) => this.underTest(role)));
    const read = planRead(source, spec, models, keep);
    const part = this.part;
    const pass = await readPass(source, spec, read, models, {
      onProgress: this.progress && ((rows, fraction) => this.progress!({ dataset: source.path, rows, fraction })),
      ...(part ? { part } : {}),
    });
    this.progress?.({ dataset: source.path, rows: pass.rowRef.length, fraction: 1, done: true });
    const evidence = this.datasetEvidence.get(source.path)!;
    // the rows' decisions that perturbed passes of this part will be paired with (robustness), before the rows are counted
    for (const role of plan.paired) this.unperturbed.set(`${name}\u0000${role}`, decisionKeys(pass, read, roles.indexOf(role)));
    const reads = this.countedReads(plan, read);
    return { path: source.path, columns: source.columns, evidence: withRows(evidence), models: roles, keep, pass: (reads && countPass(pass, read, reads, plan.outputs.size ? [...plan.outputs] : undefined)) || pass };
  }

  /** In a shard: each row's decision by a model in the evaluation pass over this part (robustness pairs the perturbed rows with them). */
  private readonly unperturbed = new Map<string, Int32Array>();

  /** How a shard may count its rows of a dataset (eval/counted.ts), or undefined: as the checks on it read them, decisions only for a classifier with no column kept. */
  private countedReads(plan: DatasetPlan, read: ReadPlan): CountedReads | undefined {
    return plan.reads === 'decisions' && (read.regression || plan.columns.size > 0) ? 'multiset' : plan.reads;
  }

  /** The evaluations a merge serves: from the pass its shards read, planned from the dataset's header alone. */
  private async fromShards(name: string, plan: DatasetPlan): Promise<Map<ModelRole, Evaluation>> {
    const merged = (this.split as { merged: Merged }).merged.passes.get(name);
    const roles = [...plan.models].sort();
    const keep = [...plan.columns];
    if (!merged || merged.models.join() !== roles.join() || merged.keep.join('\u0000') !== keep.join('\u0000')) {
      throw new InputError(this.checklist.file, `dataset "${name}": the shards' states do not hold the evaluation this checklist needs (models ${roles.join(', ')}${keep.length ? `, columns ${keep.join(', ')}` : ''})`, undefined, 'run the shards again with this checklist');
    }
    // scores written elsewhere: the rows are the dataset the scores are of
    const p = this.checklist.checklist.datasets![name]!.predictions;
    const spec = p ? { ...this.checklist.checklist.datasets![p.of]!, name: p.of } : { ...this.checklist.checklist.datasets![name]!, name };
    const facts = await Promise.all(roles.map((role) => this.facts(role)));
    // finishPass uses the pass up: it is the shards' no longer
    (this.split as { merged: Merged }).merged.passes.delete(name);
    const read = planRead(merged, spec, facts, keep);
    // rows counted in the shards serve checks that read no more than was counted
    const by = merged.pass.counted?.by;
    const reads = p ? undefined : this.countedReads(plan, read);
    if (by && !(reads === by || (by === 'multiset' && reads === 'decisions'))) throw new InputError(this.checklist.file, `dataset "${name}": the shards counted rows by ${by === 'decisions' ? 'decision' : 'scores'}, and this checklist's checks need ${reads === 'multiset' ? 'their scores' : 'them one by one'}`, undefined, 'run the shards again with this checklist');
    const outputs = merged.pass.counted?.outputs ?? [];
    if (by && [...plan.outputs].some((t) => !outputs.includes(t))) throw new InputError(this.checklist.file, `dataset "${name}": the shards counted rows without keeping apart what this checklist's outputs check finds in them`, undefined, 'run the shards again with this checklist');
    const evaluations = by ? finishCounted(read, merged.pass, merged.path) : finishPass(read, merged.pass, merged.path);
    if (p && merged.scored) {
      if (merged.scored.verify.rows !== p.verify.rows || merged.scored.verify.seed !== p.verify.seed) throw new InputError(this.checklist.file, `dataset "${name}": the shards re-scored another sample (verify ${JSON.stringify(merged.scored.verify)})`, undefined, 'run the shards again with this checklist');
      return scoredEvaluation(evaluations[0]!, bindingOf(merged.scored.evidence.path, p.verify, merged.scored.rescored), merged.path);
    }
    return new Map(roles.map((r, i) => [r, evaluations[i]!]));
  }

  /**
   * Predictions on a perturbed copy of a dataset (robustness): one more pass over the file, with
   * `transform` applied to each batch before the model sees it; missing values become NaN.
   */
  async perturbedEvaluation(role: ModelRole, dataset: string | undefined, transform: BatchTransform): Promise<Evaluation> {
    const { source, spec } = await this.dataset(dataset);
    const [result] = await evaluate(source, { ...spec, missing: 'nan' }, [await this.underTest(role)], [], { transform });
    return result!;
  }

  /** A shard's pass over its part of a perturbed copy of a dataset (robustness under --shard), and the dataset's header. */
  /**
   * A shard's pass over its part perturbed (robustness), each row paired with its unperturbed
   * decision (Pass.paired), and counted as the check reads it (`reads`) where that pays: by label,
   * perturbed decision (or scores) and unperturbed decision.
   */
  async perturbedPass(role: ModelRole, dataset: string | undefined, transform: BatchTransform, reads: CountedReads): Promise<{ pass: Pass; path: string; columns: string[] }> {
    const name = this.datasetName(dataset);
    const { source, spec } = await this.dataset(name);
    const model = await this.underTest(role);
    const perturbed = { ...spec, missing: 'nan' as const };
    const read = planRead(source, perturbed, [model], []);
    const pass = await readPass(source, perturbed, read, [model], { transform, ...(this.part ? { part: this.part } : {}) });
    const paired = this.unperturbed.get(`${name}\u0000${role}`);
    if (!paired || paired.length !== pass.rowRef.length) throw new Error(`internal: the perturbed rows of "${name}" have no unperturbed decisions to be paired with`);
    pass.paired = paired;
    return { pass: countPass(pass, read, read.regression ? 'multiset' : reads) ?? pass, path: source.path, columns: source.columns };
  }

  /** The Evaluation of a perturbed pass joined from the shards (robustness in the merge), and each of its rows' unperturbed decision. */
  async perturbedFromShards(role: ModelRole, dataset: string | undefined, shards: { pass: Pass; path: string; columns: string[] }): Promise<{ evaluation: Evaluation; paired: Int32Array | undefined }> {
    const name = this.datasetName(dataset);
    const spec = { ...this.checklist.checklist.datasets![name]!, name, missing: 'nan' as const };
    const facts = await this.facts(role);
    const read = planRead(shards, spec, [facts], []);
    const paired = pairedRows(shards.pass);
    const [evaluation] = shards.pass.counted ? finishCounted(read, shards.pass, shards.path) : finishPass(read, shards.pass, shards.path);
    return { evaluation: evaluation!, paired };
  }

  /**
   * The input columns' statistics over the whole dataset, for every model evaluated on it, as the
   * evaluation pass of an unsharded run computes them (a shard reads every row for them; robustness).
   */
  async wholeInputStats(dataset: string | undefined): Promise<{ stats: Map<string, ColumnStats>; evidence: InputEvidence & { rows: number } }> {
    const name = this.datasetName(dataset);
    const { source, spec } = await this.dataset(name);
    const roles = [...(this.plans.get(name)?.models ?? [])].sort();
    const stats = await readInputStats(source, planRead(source, spec, await Promise.all(roles.map((r) => this.facts(r))), []));
    const evidence = this.datasetEvidence.get(source.path)!;
    return { stats, evidence: withRows(evidence) };
  }

  private readonly datasetEvidence = new Map<string, InputEvidence>();

  async evidence(): Promise<InputEvidence[]> {
    const settled = await Promise.allSettled(this.files.values());
    const list = settled.flatMap((s) => (s.status === 'fulfilled' ? [{ ...s.value.evidence }] : []));
    for (const [key, entry] of this.streamed) {
      const e = await entry.catch(() => undefined);
      const path = this.display(key);
      if (e && !list.some((x) => x.path === path)) list.push({ path, sha256: e.sha256, bytes: e.bytes });
    }
    // a dataset also read as a file (a files check, a digest) keeps one entry, with its rows
    for (const [path, ev] of this.datasetEvidence) {
      const same = list.find((e) => e.path === path);
      if (!same) list.push({ ...ev });
      else if (same.sha256 === ev.sha256 && ev.rows !== undefined) same.rows = ev.rows;
    }
    return list.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * Every model pinned by sha256 is the file pinned, checked before any check runs: a checklist
   * whose checks never load the model (documents only, or --only) still gates that model.
   */
  async verifyPins(): Promise<void> {
    const roles: ModelRole[] = this.checklist.checklist.baseline ? ['model', 'baseline'] : ['model'];
    for (const role of roles) if (this.modelSpec(role).sha256) await this.verifyPin(role);
  }

  private async verifyPin(role: ModelRole): Promise<string> {
    const spec = this.modelSpec(role);
    const sha256 = await this.digest(spec.path);
    if (spec.sha256 && spec.sha256 !== sha256) {
      throw new InputError(this.display(spec.path), `sha256 is ${sha256}, but the checklist pins ${role}.sha256: ${spec.sha256}`, undefined, 'a different model file than the one pinned');
    }
    return sha256;
  }

  private async loadModel(role: ModelRole): Promise<LoadedModel> {
    const spec = this.modelSpec(role);
    const bytes = await this.readInput(spec.path);
    const sha256 = await this.verifyPin(role);
    const path = this.display(spec.path);
    const info = onnxInfo(bytes, path);
    // the runtime would pick one of the imports; which one a gate on the opset judges must not be a guess
    const duplicate = duplicateOpsetImport(info);
    if (duplicate) throw new InputError(path, `${duplicate}: which opset the model runs at is ambiguous`, undefined, 'export the model again with one opset per domain');
    if (info.externalData.length) {
      // The model runs from the bytes whose digest the report shows; data in other files would be
      // neither hashed nor bound to the model's folder, so it is refused.
      throw new InputError(path, `keeps weights in external data files (${[...new Set(info.externalData)].slice(0, 3).map((l) => JSON.stringify(l)).join(', ')}), which deploy-check does not read`, undefined, 'save the model with its weights inside the .onnx file');
    }
    return { role, spec, path, bytes, sha256, info };
  }
}

/**
 * A pass's evidence under its path, its sha256 read only when asked for: a large file's digest may
 * still be computed on a thread after the pass (eval/datasets/digest.ts), while the checks go on.
 */
function withPath(path: string, ev: Omit<InputEvidence, 'path'>): InputEvidence {
  return {
    path,
    get sha256() {
      return ev.sha256;
    },
    bytes: ev.bytes,
    ...(ev.rows !== undefined ? { rows: ev.rows } : {}),
    ...(ev.files ? { files: ev.files } : {}),
  };
}

/** A dataset's evidence after a pass (with its rows), its sha256 still read only when asked for (withPath). */
function withRows(ev: InputEvidence): InputEvidence & { rows: number } {
  if (ev.rows === undefined) throw new Error(`${ev.path} was read without its rows counted`);
  return withPath(ev.path, ev) as InputEvidence & { rows: number };
}
