import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../input/errors.js';
import { columnList, delimiterHint, openDatasetPath } from '../eval/datasets/index.js';
import { beforeRows, planRead, type ModelFacts, type ModelPlan } from '../eval/predict.js';
import { readOnnx } from '../onnx/read-input.js';
import { unzipMap } from '../onnx/zipmap.js';
import { checkDefinition } from '../checks/index.js';
import { didYouMean } from '../input/suggest.js';
import { byPosition, pathToString, ValidationError } from '../input/validate.js';
import type { PathSegment } from '../input/yaml.js';
import { defaultDataset } from '../spec/datasets.js';
import { roleSpec } from '../spec/model.js';
import { InvalidChecklist, loadChecklist, partsOf, type ChecklistParts, type LoadedChecklist } from './load.js';
import type { CheckSpec } from './schema.js';

/**
 * Every column the checklist names that its dataset does not have, read from the datasets' headers
 * only (no row): labels, the models' input mappings, and the columns checks name (slices, drift,
 * data, staleness). One problem per column, at the place that names it; a dataset that cannot be
 * opened is a problem too, and so is a model that cannot be planned on a dataset it is evaluated on.
 */
export async function missingColumns(parts: ChecklistParts, modelFiles = new Map<string, Buffer>()): Promise<InputError[]> {
  const { doc, file } = parts;
  const problems: InputError[] = [];
  const datasets = parts.datasets ?? {};
  const names = Object.keys(datasets);
  const headers = new Map<string, { display: string; columns: string[] } | undefined>();
  for (const name of names) {
    const spec = datasets[name]!;
    try {
      const source = await openDatasetPath(parts.dir, spec.path, (p) => p);
      // a file of another delimiter is one problem, not one for every column the checklist names
      const delimiter = delimiterHint(source.columns);
      if (delimiter) problems.push(new InputError(file, `${pathToString(['datasets', name, 'path'])}: ${source.path} has one column`, doc.positionOf(['datasets', name, 'path']), delimiter));
      headers.set(name, delimiter ? undefined : { display: source.path, columns: source.columns });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push(err);
      headers.set(name, undefined);
    }
  }
  // the columns of a predictions dataset's rows (slices, model inputs) are in the dataset it scores
  const report = (dataset: string | undefined, at: PathSegment[], columns: string[], own = false) => {
    const named = dataset ?? defaultDataset(names);
    const of = named === undefined || own ? undefined : datasets[named]?.predictions?.of;
    const name = of !== undefined && datasets[of] ? of : named;
    const header = name === undefined ? undefined : headers.get(name);
    if (!header) return;
    // the place of the column itself: its item in a list, its key in a mapping, else the option
    const node = at.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined), doc.value);
    const place = (column: string) =>
      Array.isArray(node) && node.includes(column) ? doc.positionOf([...at, node.indexOf(column)]) : node && typeof node === 'object' && Object.hasOwn(node, column) ? doc.positionOf([...at, column], true) : doc.positionOf(at);
    for (const column of columns) {
      if (header.columns.includes(column)) continue;
      const hint = didYouMean(column, header.columns, columns) ?? `its columns: ${columnList(header.columns)}`;
      problems.push(new InputError(file, `${pathToString(at)}: no column "${column}" in ${header.display} (dataset ${name})`, place(column), hint));
    }
  };
  for (const name of names) {
    const label = datasets[name]!.label;
    if (label !== undefined) report(name, ['datasets', name, 'label'], [label]);
    const p = datasets[name]!.predictions;
    if (p) {
      report(name, ['datasets', name, 'predictions', 'id'], [p.id], true);
      report(name, ['datasets', name, 'predictions', 'scores'], Array.isArray(p.scores) ? p.scores : [p.scores], true);
      if (datasets[p.of]) report(p.of, ['datasets', name, 'predictions', 'id'], [p.id], true);
    }
  }
  // the datasets each model is evaluated on, and the columns its inputs mapping names
  const evaluated = new Map<'model' | 'baseline', Set<string | undefined>>();
  const evaluations: Evaluating[] = [];
  parts.checks.forEach((spec, i) => {
    if (!spec) return;
    const def = checkDefinition(spec.type);
    for (const need of def.needs?.(spec) ?? []) {
      for (const role of need.models) {
        evaluated.set(role, (evaluated.get(role) ?? new Set()).add(need.dataset));
        evaluations.push({ check: i, spec, role, dataset: need.dataset });
      }
    }
    for (const named of def.columns?.(spec) ?? []) report(named.dataset, ['checks', i, ...named.option], named.columns);
  });
  for (const [role, datasets] of evaluated) {
    const mapping = (role === 'baseline' ? parts.baseline?.inputs : undefined) ?? parts.model?.inputs;
    if (!mapping || mapping === 'auto') continue;
    const owner = role === 'baseline' && parts.baseline?.inputs ? 'baseline' : 'model';
    for (const dataset of datasets) {
      for (const [input, cols] of Object.entries(mapping)) report(dataset, [owner, 'inputs', input], Array.isArray(cols) ? cols : [cols]);
    }
  }
  problems.push(...unplannedModels(parts, headers, evaluated, evaluations, modelFiles));
  // one line per problem, even when two checks or models name the same missing column in one place
  return byPosition(problems.filter((p, i) => problems.findIndex((q) => q.message === p.message) === i));
}

/** A model role a check evaluates on a dataset (undefined: the checklist's default dataset). */
interface Evaluating {
  check: number;
  spec: CheckSpec;
  role: 'model' | 'baseline';
  dataset: string | undefined;
}

/**
 * Each model against each dataset it is evaluated on, planned as a run plans it (the ONNX file's
 * inputs and outputs, the dataset's header; no row read, no model run): a model that cannot be fed
 * from a dataset, or whose outputs cannot be read, or a file that is not ONNX.
 */
function unplannedModels(
  parts: ChecklistParts,
  headers: Map<string, { display: string; columns: string[] } | undefined>,
  evaluated: Map<'model' | 'baseline', Set<string | undefined>>,
  /** the checks' evaluations, whose rules on the model (CheckDefinition.beforeRows) are judged here where the plan says the task */
  evaluations: Evaluating[],
  /** the model files read, by absolute path (filled here) */
  modelFiles: Map<string, Buffer>,
): InputError[] {
  const problems: InputError[] = [];
  const datasets = parts.datasets ?? {};
  const names = Object.keys(datasets);
  for (const [role, named] of evaluated) {
    const spec = role === 'model' ? parts.model : parts.model && parts.baseline ? roleSpec(parts.model, parts.baseline, role) : undefined;
    // a model file that does not exist is the loader's problem, told at its place
    if (!spec || !existsSync(resolve(parts.dir, spec.path))) continue;
    let facts: ModelFacts;
    try {
      const file = resolve(parts.dir, spec.path);
      const { bytes, info } = readOnnx(file, spec.path);
      modelFiles.set(file, bytes);
      facts = { role, path: spec.path, spec, info, zipmapClasses: unzipMap(bytes, info)?.classes ?? new Map() };
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.push(err);
      continue;
    }
    for (const dataset of named) {
      const name = dataset ?? defaultDataset(names);
      // the scores of a predictions dataset were written elsewhere: the model is fed the rows it scores
      const rowsName = (name !== undefined && datasets[name]?.predictions?.of) || name;
      const header = rowsName === undefined ? undefined : headers.get(rowsName);
      if (rowsName === undefined || !header || !datasets[rowsName]) continue;
      // a missing label or mapped column is told above, at its place
      const mapped = spec.inputs && spec.inputs !== 'auto' ? Object.values(spec.inputs).flat() : [];
      const label = datasets[rowsName]!.label;
      if ([...(label === undefined ? [] : [label]), ...mapped].some((c) => !header.columns.includes(c))) continue;
      let plan: ModelPlan;
      try {
        plan = planRead({ path: header.display, columns: header.columns }, { ...datasets[rowsName]!, name: rowsName }, [facts], []).plans[0]!;
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        problems.push(err);
        continue;
      }
      const said = rowsName === name ? beforeRows(plan) : undefined;
      if (said === undefined) continue;
      for (const e of evaluations) {
        if (e.role !== role || e.dataset !== dataset) continue;
        for (const p of checkDefinition(e.spec.type).beforeRows?.(e.spec, said, role) ?? []) {
          const at = ['checks', e.check, p.option];
          problems.push(new InputError(parts.file, `${pathToString(at)}: ${p.message}`, parts.doc.positionOf(at), p.hint));
        }
      }
    }
  }
  return problems;
}

/**
 * Loads a checklist and checks every column it names against its datasets' headers (not their
 * rows), before anything runs: every problem of both in one pass — the columns of the parts that are
 * valid when others are not — as one ValidationError. A misspelt column is exit 2 at once, not
 * after an hour of evaluation.
 */
export async function loadChecked(file: string): Promise<LoadedChecklist> {
  let loaded: LoadedChecklist;
  try {
    loaded = loadChecklist(file);
  } catch (err) {
    if (!(err instanceof InvalidChecklist)) throw err;
    throw new ValidationError(byPosition([...err.problems, ...(await missingColumns(err.parts))]));
  }
  const modelFiles = new Map<string, Buffer>();
  const missing = await missingColumns(partsOf(loaded), modelFiles);
  if (missing.length) throw new ValidationError(missing);
  return { ...loaded, modelFiles };
}
