import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { sha256Hex } from '../input/hash.js';
import { InputError } from '../input/errors.js';
import { didYouMean } from '../input/suggest.js';
import { byPosition, validateDocument, ValidationError, pathToString } from '../input/validate.js';
import { parseYaml, type PathSegment, type YamlDocument } from '../input/yaml.js';
import { checkDefinition } from '../checks/index.js';
import { defaultDataset } from '../spec/datasets.js';
import { withBaseDir } from '../spec/fields.js';
import { checklistSchemas, type CheckSpec, type Checklist } from './schema.js';
import { datasetsSchema, modelSchema, type ModelSpec } from '../spec/model.js';

export interface LoadedChecklist {
  /** the path as the user gave it */
  file: string;
  dir: string;
  sha256: string;
  bytes: number;
  checklist: Checklist;
  /** checks with their ids settled (an id defaults to the type) */
  checks: (CheckSpec & { id: string })[];
  /** absolute paths of every file the run may read: the checklist and each file it names */
  inputs: string[];
  /** the parsed document, for positions in messages found after loading */
  doc: YamlDocument;
  /** model files read to plan them (by absolute path; loadChecked): the run takes these bytes */
  modelFiles?: ReadonlyMap<string, Buffer>;
}

/** A checklist is a page of YAML; a larger file is a mistake (or an attack on the parser's memory). */
export const MAX_CHECKLIST_BYTES = 4 * 1024 * 1024;

export function loadChecklist(file: string): LoadedChecklist {
  const abs = resolve(file);
  let data: Buffer;
  try {
    // A FIFO or a device would block or never end: only a regular file of bounded size is read.
    const stat = statSync(abs);
    if (stat.isDirectory()) throw new InputError(file, 'is a folder, not a checklist file');
    if (!stat.isFile()) throw new InputError(file, 'is not a regular file (a pipe, socket or device is not read as a checklist)');
    if (stat.size > MAX_CHECKLIST_BYTES) throw new InputError(file, `is ${stat.size} bytes; a checklist may be at most ${MAX_CHECKLIST_BYTES / 1024 / 1024} MiB`);
    data = readFileSync(abs);
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(
      file,
      code === 'ENOENT' ? 'checklist not found' : `cannot read: ${(err as Error).message}`,
      undefined,
      code === 'ENOENT' && file === 'deploy-check.yaml' ? 'give the checklist as an argument, or create deploy-check.yaml here' : undefined,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new InputError(file, 'is not valid UTF-8 text');
  }
  return parseChecklist(text, file, data);
}

/**
 * A checklist from its text, as if read from `file` (paths resolve against its folder; messages
 * name it): `init` validates and runs the checklist it is about to write, before writing it.
 */
export function parseChecklist(text: string, file: string, data: Buffer = Buffer.from(text)): LoadedChecklist {
  const abs = resolve(file);
  const doc = parseYaml(text, file);
  if (!doc) throw new InputError(file, 'the checklist is empty', undefined, 'expected a mapping with version, model and checks');
  if (typeof doc.value !== 'object' || doc.value === null || Array.isArray(doc.value)) {
    throw new InputError(file, 'expected a mapping with version, model and checks at the top level', doc.positionOf([]));
  }
  const dir = dirname(abs);
  const named = new Set<string>([abs]);
  let checklist: Checklist;
  try {
    checklist = withBaseDir(dir, () => validateDocument(checklistSchemas((doc.value as { checks?: unknown }).checks).checklist, doc, file), named);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    // one pass: the rules across fields run on every part that is valid on its own, so that the
    // user sees every problem at once, not one round per fix
    const partial = withBaseDir(dir, () => salvage(doc.value as Record<string, unknown>));
    const more = withBaseDir(dir, () => crossCheck(salvage(doc.value as Record<string, unknown>, { modelKeys: true }), doc, file));
    throw new InvalidChecklist(byPosition([...err.problems, ...more.filter((m) => !err.problems.some((p) => p.message === m.message))]), {
      file,
      dir,
      doc,
      model: partial.model,
      baseline: partial.baseline ?? undefined,
      datasets: partial.datasets ?? undefined,
      checks: partial.checks,
    });
  }
  const problems = crossCheck(checklist, doc, file);
  if (problems.length) throw new ValidationError(problems);
  const checks = checklist.checks.map((c) => ({ ...c, id: c.id ?? c.type }));
  return { file, dir, sha256: sha256Hex(data), bytes: data.length, checklist, checks, inputs: [...named].sort(), doc };
}

/** What a column check (checklist/columns.ts) reads of a checklist: whole, or the parts of an invalid one that are valid. */
export interface ChecklistParts {
  file: string;
  dir: string;
  doc: YamlDocument;
  model?: ModelSpec;
  baseline?: ModelSpec;
  datasets?: Checklist['datasets'];
  /** by their index in the file; undefined: invalid */
  checks: (CheckSpec | undefined)[];
}

/** An invalid checklist: its problems, and its valid parts, so that `validate` can look further in one pass. */
export class InvalidChecklist extends ValidationError {
  constructor(problems: InputError[], readonly parts: ChecklistParts) {
    super(problems);
  }
}

/** The parts of a loaded checklist a column check reads. */
export function partsOf(loaded: LoadedChecklist): ChecklistParts {
  const { file, dir, doc, checklist } = loaded;
  return { file, dir, doc, model: checklist.model, baseline: checklist.baseline, datasets: checklist.datasets, checks: loaded.checks };
}

/** The parts of a checklist that are valid on their own; a part that is not is left out (undefined). */
interface Partial {
  partial: true;
  model?: ModelSpec;
  /** null: absent; undefined: invalid (no rule about its absence can be judged) */
  baseline?: ModelSpec | null;
  /** null: absent; undefined: invalid (no rule about dataset names can be judged) */
  datasets?: Checklist['datasets'] | null;
  checks: (CheckSpec | undefined)[];
}

/** `modelKeys`: a model is kept with its valid keys alone (for the rules across fields), not left out. */
function salvage(raw: Record<string, unknown>, options: { modelKeys?: boolean } = {}): Partial {
  const part = <T>(schema: { safeParse(v: unknown): { success: boolean; data?: T } }, value: unknown) => {
    const r = schema.safeParse(value);
    return r.success ? r.data : undefined;
  };
  // a model's rules across fields (positive among the classes …) are judged on its valid keys: a
  // misspelt key beside `positive: m` does not hide that m is not a class. Only the models: a
  // dataset or a check left without a key could break a rule that a valid one would keep (and the
  // column checks of `validate` read the models as given, or not at all)
  const model = (value: unknown): ModelSpec | undefined => {
    const r = modelSchema.safeParse(value);
    if (r.success || !options.modelKeys || typeof value !== 'object' || value === null || Array.isArray(value)) return r.data;
    const bad = new Set(r.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' ? i.keys : i.path.slice(0, 1).map(String))));
    return part<ModelSpec>(modelSchema, Object.fromEntries(Object.entries(value).filter(([k]) => !bad.has(k))));
  };
  // the checks' schema once for them all (it is built for the types they name)
  const { check } = checklistSchemas(raw.checks);
  return {
    partial: true,
    model: model(raw.model),
    baseline: raw.baseline === undefined ? null : model(raw.baseline),
    datasets: raw.datasets === undefined ? null : part<Checklist['datasets']>(datasetsSchema, raw.datasets),
    checks: Array.isArray(raw.checks) ? raw.checks.map((c) => part<CheckSpec>(check, c)) : [],
  };
}

/** Rules that span several fields, reported in the same one-line form as schema errors. */
function crossCheck(checklist: Checklist | Partial, doc: YamlDocument, file: string): InputError[] {
  const problems: InputError[] = [];
  const checks = checklist.checks.map((c) => (c ? { id: c.id ?? c.type, type: c.type } : undefined));
  const at = (path: PathSegment[], detail: string, hint?: string) =>
    problems.push(new InputError(file, `${pathToString(path)}: ${detail}`, doc.positionOf(path), hint));

  const seen = new Map<string, number>();
  checks.forEach((c, i) => {
    if (!c) return;
    const first = seen.get(c.id);
    const raw = checklist.checks[i]!;
    if (first !== undefined) {
      at(['checks', i, raw.id === undefined ? 'type' : 'id'], `duplicate id "${c.id}" (also checks[${first}])`, raw.id === undefined ? `give one of them an id` : 'ids must be unique');
    } else seen.set(c.id, i);
  });

  for (const role of ['model', 'baseline'] as const) {
    const m = checklist[role] ?? undefined;
    if (!m) continue;
    const classes = m.classes ?? (role === 'baseline' ? checklist.model?.classes : undefined);
    if (m.positive !== undefined && classes && !classes.some((c) => c === m.positive)) {
      at([role, 'positive'], `${JSON.stringify(m.positive)} is not one of classes ${JSON.stringify(classes)}`, didYouMean(String(m.positive), classes.map(String)));
    }
    const task = m.task ?? checklist.model?.task;
    if (task && task !== 'binary' && (m.positive !== undefined || m.threshold !== undefined)) {
      at([role, m.positive !== undefined ? 'positive' : 'threshold'], `only applies to task: binary (this model's task is ${task})`);
    }
    if (m.classes && new Set(m.classes.map(String)).size !== m.classes.length) at([role, 'classes'], 'classes must be unique');
  }

  const partial = 'partial' in checklist;
  if (partial && checklist.datasets === undefined) return problems;
  const noBaseline = partial ? checklist.baseline === null : !checklist.baseline;
  const datasets = Object.keys(checklist.datasets ?? {});
  for (const [name, spec] of Object.entries(checklist.datasets ?? {})) {
    const p = spec.predictions;
    if (!p) continue;
    const of = checklist.datasets![p.of];
    if (!of) at(['datasets', name, 'predictions', 'of'], `no dataset named "${p.of}"`, didYouMean(p.of, datasets) ?? `datasets: ${datasets.join(', ')}`);
    else if (of.predictions) at(['datasets', name, 'predictions', 'of'], `"${p.of}" holds predictions too: name the dataset of the rows scored`);
    else if (!of.label) at(['datasets', p.of], 'has no "label" column, which the predictions of dataset "' + name + '" are judged against', 'add label: <column>');
    if (spec.label !== undefined) at(['datasets', name, 'label'], 'a predictions dataset takes its labels from the dataset it scores (predictions.of)', 'remove label here');
  }
  checklist.checks.forEach((c, i) => {
    if (!c) return;
    if ('model' in c && c.model === 'baseline' && noBaseline) at(['checks', i, 'model'], 'the checklist has no baseline', 'add a "baseline:" section');
    const def = checkDefinition(c.type);
    for (const p of def.validate?.(c) ?? []) at(['checks', i, p.option], p.message, p.hint);
    for (const need of def.needs?.(c) ?? []) {
      if (need.dataset !== undefined && !datasets.includes(need.dataset)) {
        at(['checks', i, ...(need.option ?? ['dataset'])], `no dataset named "${need.dataset}"`, didYouMean(need.dataset, datasets) ?? (datasets.length ? `datasets: ${datasets.join(', ')}` : 'add it under "datasets:"'));
        continue;
      }
      const name = need.dataset ?? defaultDataset(datasets);
      if (name === undefined) {
        at(['checks', i], datasets.length ? `needs a dataset: set "dataset" (the checklist has ${datasets.join(', ')})` : 'needs a dataset, but the checklist has no "datasets"', datasets.length ? undefined : 'add datasets: { holdout: { path: …, label: … } }');
        continue;
      }
      const scored = checklist.datasets?.[name]?.predictions;
      if (need.models.length && !scored && !checklist.datasets?.[name]?.label) at(['datasets', name], 'has no "label" column, which evaluating a model needs', 'add label: <column>');
      if (scored && need.models.includes('baseline')) at(['checks', i], `dataset "${name}" holds the model's scores, written elsewhere: the baseline cannot be judged on them`, `compare on the dataset they score (${scored.of})`);
      if (scored && need.pairs) at(['checks', i, ...(need.option ?? ['dataset'])], `dataset "${name}" holds the model's scores, written elsewhere: there are no rows here to perturb and score again`, `perturb "${scored.of}", the dataset they score`);
      if (need.models.includes('baseline') && noBaseline) at(['checks', i, 'compare'], 'compares to the baseline, but the checklist has no baseline', 'add a "baseline:" section');
    }
  });

  return problems;
}
