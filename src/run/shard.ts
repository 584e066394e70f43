// `run --shard i/n`: one shard's part of every evaluation, written as a state for `merge`.
import type { LoadedChecklist } from '../checklist/load.js';
import { checkDefinition } from '../checks/index.js';
import { columnsKey, RunContext, type ModelRole, type ProgressSink } from '../checks/context.js';
import type { Part } from '../eval/datasets/part.js';
import { TOOL } from '../input/version.js';
import { startModelHost } from '../onnx/session.js';
import { selection } from './runner.js';
import { STATE_SCHEMA, wireOf, wireOfColumns, type StateFile } from './state.js';

/** Reads this shard's part of every dataset the selected checks evaluate models on; runs no check. */
export async function runShard(loaded: LoadedChecklist, options: { part: Part; only?: string[]; skip?: string[]; progress?: ProgressSink }): Promise<StateFile> {
  const selected = selection(loaded, options);
  const ctx = new RunContext(loaded, new Date(), options.progress, { part: options.part });
  for (const spec of loaded.checks) {
    const def = checkDefinition(spec.type);
    if (selected.has(spec.id) && (def.shards === 'passes' || def.shards === 'tallies')) for (const need of def.needs?.(spec) ?? []) ctx.plan(need);
  }
  const names = ctx.plannedPasses();
  await ctx.verifyPins();
  if (names.length) startModelHost();
  const datasets: StateFile['datasets'] = {};
  for (const name of names) {
    const p = await ctx.shardPass(name);
    datasets[name] = { ...p, pass: wireOf(p.pass) };
  }
  const columnStats: StateFile['columnStats'] = {};
  for (const { dataset, only } of ctx.plannedColumnStats()) {
    const c = await ctx.columnStats(dataset, only);
    columnStats[columnsKey(c.dataset, c.only)] = { ...c, label: c.label ?? null, read: wireOfColumns(c.read) };
  }
  const tallies: StateFile['tallies'] = {};
  for (const spec of loaded.checks) {
    const def = checkDefinition(spec.type);
    if (selected.has(spec.id) && def.shards === 'tallies') tallies[spec.id] = { type: spec.type, ...(await def.tally!.read(spec, ctx)) };
  }
  const roles: ModelRole[] = loaded.checklist.baseline ? ['model', 'baseline'] : ['model'];
  const models: StateFile['models'] = {};
  for (const role of roles) models[role] = await ctx.digest(ctx.modelSpec(role).path);
  return {
    schema: STATE_SCHEMA,
    tool: { ...TOOL },
    checklist: { path: loaded.file.split('\\').join('/'), sha256: loaded.sha256 },
    models,
    shard: { index: options.part.index, count: options.part.count },
    selection: { only: options.only ?? [], skip: options.skip ?? [] },
    datasets,
    columnStats,
    tallies,
  };
}
