import type { z } from 'zod';
import type { ModelRole, RunContext, Tally } from './context.js';
import type { ModelBeforeRows } from '../eval/predict.js';
import type { TestId } from '../spec/ml-test-score.js';
import type { DatasetNeed } from './needs.js';

export type { DatasetNeed } from './needs.js';
import type { Finding, Measurement } from '../report/types.js';
import type { DetailsOf } from '../report/details.js';
import type { HtmlPart } from '../report/html.js';

/** What a check returns: data only. Any finding or failed measurement makes the check fail. */
export interface CheckOutcome<Details = Record<string, unknown>> {
  findings: Finding[];
  measurements?: Measurement[];
  /** What passed, in one plain line, when there is no finding. */
  summary?: string;
  /** typed per check type where others read them (report/details.ts) */
  details?: Details;
}

export interface CheckDefinition<Shape extends z.ZodRawShape = z.ZodRawShape, Type extends string = string> {
  type: Type;
  title: string;
  /** One sentence for `deploy-check schema` and the README. */
  description: string;
  /**
   * Whether it runs a model (with these options, when it depends on them): the model host is
   * started at once when such a check is selected.
   */
  runsModel: boolean | ((options: z.output<z.ZodObject<Shape>>) => boolean);
  /**
   * How it runs when a run is split into shards (`run --shard`, then `merge`): `passes` — it reads
   * data only through model evaluations and column statistics, which the shards write and the
   * merge joins; `tallies` — it reads its own way in the shards into a tally the merge joins (see
   * `tally`); `merge` — it runs in the merge job, reading whatever files it reads there (no rows,
   * a dataset's first rows, or whole files in one cheap pass). Every check type runs under shards.
   */
  shards: ShardRole;
  /** The part of the HTML page it belongs to, after the overview. */
  htmlPart: HtmlPart;
  /**
   * The ML Test Score tests this type automates when it is in the gate (a check can name others with
   * `ml_test_score`). Chosen conservatively: a check counts only for what it verifies on its own.
   */
  mlTestScore: readonly TestId[];
  /**
   * The check's own options; id, type, severity and tags are added by the checklist schema. A
   * function, called once by the schema (checklist/schema.ts) only for the types a checklist names:
   * zod builds a schema eagerly, and every type's options built at each start took ~30 ms of it.
   */
  options: () => Shape;
  /** `id` is the check's id in the checklist */
  run(options: z.output<z.ZodObject<Shape>> & { id: string }, ctx: RunContext): Promise<CheckOutcome<DetailsOf<Type>>>;
  /** What the check will read, declared before any check runs so each dataset is read once for all. */
  needs?(options: z.output<z.ZodObject<Shape>>): DatasetNeed[];
  /**
   * The dataset columns the options name, with the option naming them: `validate` reads the
   * datasets' headers and reports every column that is not there, before any row is read.
   */
  columns?(options: z.output<z.ZodObject<Shape>>): NamedColumns[];
  /** Rules across options, checked when the checklist loads: each problem names the option it is about. */
  validate?(options: z.output<z.ZodObject<Shape>>): OptionProblem[];
  /**
   * Rules between the options and a model the check evaluates (`role`): its task and whether the
   * graph says its scores are not probabilities, where the model and the checklist say it before any
   * row is read (`validate`, and `run` before its first pass: checklist/columns.ts), so that a
   * metric that does not apply stops the run at once, not after the other checks' work. The check
   * applies the same rules again when it runs, on the evaluation the rows gave.
   */
  beforeRows?(options: z.output<z.ZodObject<Shape>>, model: ModelBeforeRows, role: ModelRole): OptionProblem[];
  /**
   * With `shards: 'tallies'`: what a shard reads for the check (its part of the check's dataset,
   * and whole any other file the check needs), as JSON — counts and a few examples — and how the
   * merge joins the shards' tallies into the one an unsharded run reads; `run` in the merge job
   * gets that from `ctx.mergedTally`.
   */
  tally?: {
    read(options: z.output<z.ZodObject<Shape>> & { id: string }, ctx: RunContext): Promise<Tally>;
    /** the shards' tallies in shard order, each checked first (a fault throws a message naming its place) */
    merge(values: unknown[]): unknown;
  };
}

/** How a check runs under shards (CheckDefinition.shards). */
export type ShardRole = 'passes' | 'tallies' | 'merge';

export interface NamedColumns {
  /** a dataset name; undefined: the checklist's default dataset */
  dataset: string | undefined;
  /** the option's path within the check, for the message's position */
  option: (string | number)[];
  columns: string[];
}

export interface OptionProblem {
  option: string;
  message: string;
  hint?: string;
}


/** Whether a check with these options runs a model (`runsModel` may depend on the options). */
export function runsModelWith(def: CheckDefinition<any>, options: Record<string, unknown>): boolean {
  return typeof def.runsModel === 'function' ? def.runsModel(options) : def.runsModel;
}

export function defineCheck<Shape extends z.ZodRawShape, const Type extends string>(def: CheckDefinition<Shape, Type>): CheckDefinition<Shape, Type> {
  return def;
}
