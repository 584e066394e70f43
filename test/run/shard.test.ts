import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadChecklist, type LoadedChecklist } from '../../src/checklist/load.js';
import { RunContext } from '../../src/checks/context.js';
import { htmlPartOf } from '../../src/checks/index.js';
import { mulberry32 } from '../../src/eval/bootstrap.js';
import { formatters } from '../../src/report/index.js';
import { runChecklist } from '../../src/run/runner.js';
import { runShard } from '../../src/run/shard.js';
import { combineStates, MAX_STATE_CHARS, readState, readStateFile, stateText } from '../../src/run/state.js';
import { cli, FIXTURES, ROOT, scenario } from '../helpers.js';

const NOW = new Date('2026-11-30T00:00:00Z');
const json = (report: Awaited<ReturnType<typeof runChecklist>>) => formatters.json(report, { color: false, root: '.', partOf: htmlPartOf });

/** The states of n shards, as files would hold them (written and read back). */
async function states(loaded: LoadedChecklist, n: number, skip: string[]) {
  const out = [];
  for (let index = 0; index < n; index++) {
    const file = `s${index}.json`;
    out.push({ file, state: readState(file, stateText(await runShard(loaded, { part: { index, count: n }, skip }))) });
  }
  return out;
}

/** The report merged from shards given in a seeded random order. */
async function merged(loaded: LoadedChecklist, n: number, skip: string[], seed: number) {
  const given = await states(loaded, n, skip);
  const random = mulberry32(seed);
  for (let i = given.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [given[i], given[j]] = [given[j]!, given[i]!];
  }
  const { merged: passes } = combineStates(given);
  return json(await runChecklist(loaded, { skip, now: NOW, context: new RunContext(loaded, NOW, undefined, { merged: passes }) }));
}

const checklist = (name: string) => loadChecklist(join(ROOT, 'checklists', name));
const parquetExample = (): LoadedChecklist => {
  const csv = checklist('example.yaml');
  return { ...csv, checklist: { ...csv.checklist, datasets: { ...csv.checklist.datasets, holdout: { path: '../fixtures/breast-cancer/holdout.parquet', label: 'diagnosis', missing: 'error' as const } } } };
};

/** example.yaml with its hold-out as several files (a glob or a list) */
const splitExample = (path: string | string[]) => (): LoadedChecklist => {
  const csv = checklist('example.yaml');
  return { ...csv, checklist: { ...csv.checklist, datasets: { ...csv.checklist.datasets, holdout: { path, label: 'diagnosis', missing: 'error' as const } } } };
};

/** pytorch-weather.yaml with the same network exported without dynamic axes: its input is [1, 4] */
const fixedBatchExample = (): LoadedChecklist => {
  const loaded = checklist('pytorch-weather.yaml');
  return { ...loaded, checklist: { ...loaded.checklist, model: { ...loaded.checklist.model!, path: '../fixtures/pytorch-weather/softmax-batch1.onnx' } } };
};

describe('shards and merge: the same report, byte for byte, whatever the number of shards', () => {
  // every example checklist, less the check that measures time (latency)
  it.each([
    ['example.yaml (binary, baseline, slices, outputs, determinism, documents, a data check tallied in the shards)', () => checklist('example.yaml'), []],
    ['example.yaml on Parquet (shards by row group)', parquetExample, []],
    ['example.yaml on three CSV files (a glob; one file of one row)', splitExample('../fixtures/breast-cancer/parts/holdout-*.csv'), []],
    ['example.yaml on three Parquet files (a list: whole files for n ≤ 3, row groups numbered across the files beyond)', splitExample([1, 2, 3].map((k) => `../fixtures/breast-cancer/parts/holdout-${k}.parquet`)), []],
    ['penguins.yaml (multiclass from JSON Lines, slices, robustness: noise and a swap)', () => checklist('penguins.yaml'), ['latency']],
    ['diabetes.yaml (regression)', () => checklist('diabetes.yaml'), []],
    ['wine.yaml (multiclass, intervals)', () => checklist('wine.yaml'), []],
    ['pytorch-weather.yaml (a PyTorch export)', () => checklist('pytorch-weather.yaml'), []],
    ['pytorch-weather.yaml with an export of a fixed batch of 1 row (runs of exactly one row)', fixedBatchExample, []],
    ['unready.yaml (a failing gate)', () => checklist('unready.yaml'), []],
    ['drift.yaml (drift: numbers and categories, two pairs of datasets)', () => checklist('drift.yaml'), []],
    ['fairness-biased.yaml (fairness with intervals, an intersection, a failing gate)', () => checklist('fairness-biased.yaml'), []],
    ['leakage.yaml (leakage: per-class counts tallied in the shards)', () => checklist('leakage.yaml'), []],
    ['claims.yaml (model-card claims, with intervals)', () => checklist('claims.yaml'), []],
    ['drift-joint.yaml (multivariate drift: bottom-k samples of each shard, merged)', () => checklist('drift-joint.yaml'), []],
    ['weak-slices.yaml (a search for weak slices)', () => checklist('weak-slices.yaml'), []],
    ['scored.yaml (scores written elsewhere: rows and scores parted by id, the sample re-scored in the shards)', () => checklist('scored.yaml'), []],
  ])('%s: n = 1 … 7, shards merged in random orders', async (_, load, skipTypes) => {
    const loaded = load();
    const skip = loaded.checks.filter((c) => skipTypes.includes(c.type)).map((c) => c.id);
    const whole = json(await runChecklist(loaded, { ...(skip.length ? { skip } : {}), now: NOW }));
    for (let n = 1; n <= 7; n++) expect(await merged(loaded, n, skip, n)).toBe(whole);
  }, 120_000);
});

describe('a state is what it says it is', () => {
  async function shardFiles(n: number, where = scenario()) {
    for (let i = 0; i < n; i++) {
      const r = cli(['run', 'checklists/wine.yaml', '--shard', `${i}/${n}`, '--state', join(where, `s${i}.json`)]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    return where;
  }

  it('shards as separate processes and the merge give the exit code and the report of the unsharded run', async () => {
    const d = await shardFiles(3);
    const whole = cli(['run', 'checklists/wine.yaml', '--format', 'json', '--as-of', '2026-11-30']);
    const merge = cli(['merge', join(d, 's2.json'), join(d, 's0.json'), join(d, 's1.json'), '--format', 'json', '--as-of', '2026-11-30']);
    expect(merge.stderr).toBe('');
    expect(merge.code).toBe(whole.code);
    expect(merge.stdout).toBe(whole.stdout);
  });

  it('refuses, in one line and exit 2: a missing shard, a repeated one, a mix of n, an edited state, one cut short, another checklist, data edited between shards', async () => {
    const d = await shardFiles(3);
    await shardFiles(2, join(d, 'two'));
    const s = (i: number) => join(d, `s${i}.json`);
    const expectRefused = (args: string[], message: RegExp) => {
      const r = cli(['merge', ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    };
    expectRefused([s(0), s(1)], /shard 2\/3 is missing \(2 of 3 given\)/);
    expectRefused([s(0), s(1), s(1), s(2)], /shard 1\/3 is given twice/);
    expectRefused([s(0), s(1), s(2), join(d, 'two', 's0.json')], /s0\.json  is not a shard of the same run as .*s0\.json: the numbers of shards differ \(2 here, 3 there\)/);
    // an edited count (a label's code changed in the base64, the digest left as it was)
    const text = readFileSync(s(1), 'utf8');
    const edited = join(d, 'edited.json');
    writeFileSync(edited, text.replace(/"keys":"(.)/, (_, c: string) => `"keys":"${c === 'A' ? 'B' : 'A'}`));
    expectRefused([s(0), edited, s(2)], /edited\.json  does not match its own digest \(sha256\): it was changed after it was written/);
    const cut = join(d, 'cut.json');
    writeFileSync(cut, text.slice(0, text.length / 2));
    expectRefused([s(0), cut, s(2)], /cut\.json  is not a deploy-check state \(not JSON/);
    // another checklist (the same data and model, another threshold)
    const other = join(d, 'other.yaml');
    writeFileSync(other, readFileSync(join(ROOT, 'checklists', 'wine.yaml'), 'utf8').replace(/^name: .*$/m, 'name: another').replaceAll('../fixtures', join(FIXTURES)));
    const o = join(d, 'o1.json');
    expect(cli(['run', other, '--shard', '1/3', '--state', o]).code).toBe(0);
    expectRefused([s(0), o, s(2)], /o1\.json  is not a shard of the same run as .*s0\.json: the checklists differ/);
    expectRefused([s(0), s(1), s(2), '--checklist', other], /other\.yaml  is not the checklist the shards ran/);
    // the same checklist, its data edited between two shards (one value of the hold-out changed)
    const data = join(d, 'data');
    mkdirSync(data);
    const checklistThere = join(data, 'wine.yaml');
    const holdout = readFileSync(join(FIXTURES, 'wine', 'holdout.csv'), 'utf8');
    writeFileSync(checklistThere, readFileSync(join(ROOT, 'checklists', 'wine.yaml'), 'utf8').replace('../fixtures/wine/holdout.csv', 'holdout.csv').replaceAll('../fixtures', FIXTURES));
    writeFileSync(join(data, 'holdout.csv'), holdout);
    expect(cli(['run', checklistThere, '--shard', '0/2', '--state', join(data, 'a0.json')]).code).toBe(0);
    writeFileSync(join(data, 'holdout.csv'), holdout.replace(/\n(\d+)\.(\d)/, (_, a: string, b: string) => `\n${a}.${(Number(b) + 1) % 10}`));
    expect(cli(['run', checklistThere, '--shard', '1/2', '--state', join(data, 'a1.json')]).code).toBe(0);
    expectRefused([join(data, 'a0.json'), join(data, 'a1.json')], /a1\.json  is not a shard of the same run as .*a0\.json: its data differ, holdout\.csv \(/);
  }, 120_000);

  it('Parquet files, at least as many as shards: a shard reads only its own files (file k is shard k mod n), the merge joins their digests', async () => {
    const loaded = splitExample([1, 2, 3].map((k) => `../fixtures/breast-cancer/parts/holdout-${k}.parquet`))();
    const given = await states(loaded, 3, []);
    for (const { state } of given) {
      const holdout = state.datasets.holdout!.evidence;
      for (const evidence of [holdout, ...Object.values(state.tallies).flatMap((t) => t.evidence.filter((e) => e.path === holdout.path))]) {
        // its own file hashed, the others' rows from their footers only
        expect(evidence.files!.map((f) => f.sha256 !== '')).toEqual([0, 1, 2].map((k) => k === state.shard.index));
        expect(evidence.files!.map((f) => f.rows)).toEqual([50, 60, 61]);
        expect(evidence.sha256).toBe('');
      }
    }
    const { merged: joined } = combineStates(given);
    const whole = (await new RunContext(loaded, NOW).dataset('holdout')).source;
    for await (const _ of whole.batches([{ index: 0, as: 'number' }], 1000));
    expect(joined.passes.get('holdout')!.evidence).toEqual({ path: whole.path, ...whole.evidence() });
    // a shard's state without its file's digest: no shard read it
    const [s0, s1, s2] = given.map((g) => structuredClone(g));
    s1!.state.datasets.holdout!.evidence.files![1]!.sha256 = '';
    for (const t of Object.values(s1!.state.tallies)) for (const e of t.evidence) if (e.files) e.files[1]!.sha256 = '';
    expect(() => combineStates([s0!, s1!, s2!])).toThrow(/dataset .*: no shard read \.\.\/fixtures\/breast-cancer\/parts\/holdout-2\.parquet/);
  });

  it("a state too long to be one text (Node.js's longest string) is refused when written and when read, naming the file", async () => {
    const d = await shardFiles(1);
    const file = join(d, 's0.json');
    const text = readFileSync(file, 'utf8');
    const state = JSON.parse(text) as Record<string, unknown>;
    delete state.sha256;
    // the same state under a limit just below and just above its length (the real limit, 2^29 − 24 characters, is too long to build in a test)
    expect(stateText(state as never, 'out/s0.json', text.length + 80)).toBe(text);
    expect(() => stateText(state as never, 'out/s0.json', text.length - 1)).toThrow(`out/s0.json  this shard's state would be longer than ${(text.length - 1).toLocaleString('en-US')} characters, the longest text Node.js can write or read as one (split the run into more shards: a state takes about 8 to 13 bytes a row evaluated)`);
    expect(readStateFile(file, text.length)).toBe(text);
    expect(() => readStateFile(file, text.length - 1)).toThrow(`${file}  is ${text.length.toLocaleString('en-US')} bytes, longer than a state can be (${(text.length - 1).toLocaleString('en-US')} characters, the longest text Node.js can read as one)`);
    expect(MAX_STATE_CHARS).toBe(2 ** 29 - 24);
  });

  it('refuses a data check tally that does not add up, even under a valid digest', () => {
    const d = scenario();
    for (const i of [0, 1]) expect(cli(['run', 'checklists/example.yaml', '--only', 'data', '--shard', `${i}/2`, '--state', join(d, `s${i}.json`)]).code).toBe(0);
    const state = JSON.parse(readFileSync(join(d, 's1.json'), 'utf8')) as { tallies: { data: { value: { n: number; duplicates: { firsts: { refs: string[] } } } } }; sha256?: string };
    const forge = (edit: (s: typeof state) => void, file: string) => {
      const copy = structuredClone(state);
      delete copy.sha256;
      edit(copy);
      writeFileSync(join(d, file), stateText(copy as never));
      return join(d, file);
    };
    const merge = (file: string) => cli(['merge', join(d, 's0.json'), file]);
    const rows = merge(forge((s) => (s.tallies.data.value.n += 1), 'rows.json'));
    expect(rows.code).toBe(2);
    expect(rows.stderr).toMatch(/s0\.json  tallies\.data: the shards read 172 rows, but \.\.\/fixtures\/breast-cancer\/holdout\.csv has 171 \(a state from another run, or one edited\)\n$/);
    const cut = merge(forge((s) => (s.tallies.data.value.duplicates.firsts.refs = s.tallies.data.value.duplicates.firsts.refs.map(() => '')), 'cut.json'));
    expect(cut.code).toBe(2);
    expect(cut.stderr).toMatch(/tallies\.data: shard 1: \d+ row hashes and 0 places/);
    expect(cli(['merge', join(d, 's0.json'), join(d, 's1.json')]).code).toBe(0);
  });

  it('refuses a leakage tally whose counts do not add up, even under a valid digest', () => {
    const d = scenario();
    for (const i of [0, 1]) expect(cli(['run', 'checklists/leakage.yaml', '--shard', `${i}/2`, '--state', join(d, `s${i}.json`)]).code).toBe(0);
    type Read = { rows: number; columns: [string, { values: [string, string, string][] }][] };
    const state = JSON.parse(readFileSync(join(d, 's1.json'), 'utf8')) as { tallies: { leakage: { value: { datasets: { read: Read }[] } } }; sha256?: string };
    const forge = (edit: (r: Read) => void) => {
      const copy = structuredClone(state);
      delete copy.sha256;
      edit(copy.tallies.leakage.value.datasets[0]!.read);
      writeFileSync(join(d, 'forged.json'), stateText(copy as never));
      return cli(['merge', join(d, 's0.json'), join(d, 'forged.json')]);
    };
    const rows = forge((r) => (r.rows += 1));
    expect(rows.code).toBe(2);
    expect(rows.stderr).toMatch(/tallies\.leakage: shard 1: datasets\.0\.read\.[a-z_]+: the values do not add up to the \d+ rows read \(a state from another run, or one edited\)\n$/);
    // a class's counts emptied: the values no longer add up either
    const emptied = forge((r) => (r.columns[0]![1].values[0]![2] = ''));
    expect(emptied.code).toBe(2);
    expect(emptied.stderr).toMatch(/tallies\.leakage: shard 1: datasets\.0\.read\.[a-z_]+: the values of class "\w+" are not distinct ascending values with their counts/);
    expect(cli(['merge', join(d, 's0.json'), join(d, 's1.json')]).code).toBe(1);
  });

  it('a check run on whole files in the merge job must read the files the shards read', () => {
    const d = scenario();
    const checklistThere = join(d, 'example.yaml');
    const holdout = readFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), 'utf8');
    writeFileSync(join(d, 'holdout.csv'), holdout);
    writeFileSync(checklistThere, readFileSync(join(ROOT, 'checklists', 'example.yaml'), 'utf8').replace('../fixtures/breast-cancer/holdout.csv', 'holdout.csv').replaceAll('../fixtures', FIXTURES));
    for (const i of [0, 1]) expect(cli(['run', checklistThere, '--shard', `${i}/2`, '--state', join(d, `s${i}.json`)]).code).toBe(0);
    writeFileSync(join(d, 'holdout.csv'), holdout.replace(/\n(\d+)\.(\d)/, (_, a: string, b: string) => `\n${a}.${(Number(b) + 1) % 10}`));
    const r = cli(['merge', join(d, 's0.json'), join(d, 's1.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^holdout\.csv  is not the file the shards read \(its sha256 is [0-9a-f]{64}; the states say [0-9a-f]{64}\)\n$/);
  });

  it('run --jobs N: the shards as N processes of this machine, merged by run: the same report and exit code', () => {
    const args = ['run', 'checklists/wine.yaml', '--format', 'json', '--as-of', '2026-11-30'];
    const whole = cli(args);
    const jobs = cli([...args, '--jobs', '3']);
    expect(jobs.stderr).toBe('');
    expect(jobs.code).toBe(whole.code);
    expect(jobs.stdout).toBe(whole.stdout);
  });

  it('run --jobs N: a shard that meets a bad row ends the run with its one line, exit 2', () => {
    const lines = readFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), 'utf8').split('\n');
    lines[40] = lines[40]!.split(',').slice(1).join(',');
    const d = scenario({
      'holdout.csv': lines.join('\n'),
      'checklist.yaml': 'version: 1\nmodel: { path: model.onnx, outputs: { scores: probabilities, label: label }, classes: [B, M], positive: M }\ndatasets: { holdout: { path: holdout.csv, label: diagnosis } }\nchecks:\n  - { id: acc, type: metric, metric: accuracy, min: 0.5 }\n',
    });
    const r = cli(['run', join(d, 'checklist.yaml'), '--jobs', '2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`holdout.csv  line 41: 30 fields, but the header has 31 (a decimal comma or an unquoted comma splits a field)\n`);
    expect(cli(['run', join(d, 'checklist.yaml'), '--jobs', '2', '--shard', '0/2', '--state', 's.json']).stderr).toContain('--jobs runs the shards itself');
  });

  it.each([
    [['--shard', '3/3', '--state', 's.json'], '--shard 3/3: expected i/n with 0 ≤ i < n (for example 0/4 … 3/4)'],
    [['--shard', 'a/b', '--state', 's.json'], '--shard a/b: expected i/n'],
    [['--shard', '0/2'], '--shard 0/2: give --state FILE'],
    [['--state', 's.json'], '--state is written by a shard: give --shard i/n too'],
    [['--shard', '0/2', '--state', 's.json', '-o', 'r.json'], '--shard writes a state, not a report'],
  ])('run %j: a usage error', (args, message) => {
    const r = cli(['run', 'checklists/wine.yaml', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});

// The recipes of docs/scale-out.md, run as far as one machine allows: each shard command once per
// shard as its own process (the CI variables and the checklist filled in), then the merge command;
// its exit code and every report it writes are the unsharded run's.
describe('the recipes in docs/scale-out.md run', () => {
  const page = readFileSync(join(ROOT, 'docs', 'scale-out.md'), 'utf8');
  const recipes = [...page.matchAll(/^```yaml\n([\s\S]*?)^```/gm)].map((m) => m[1]!);
  const strings = (v: unknown): string[] => (typeof v === 'string' ? [v] : Array.isArray(v) ? v.flatMap(strings) : v && typeof v === 'object' ? Object.values(v).flatMap(strings) : []);
  it('there are three', () => expect(recipes).toHaveLength(3));
  it.each(recipes.map((body) => [body.split('\n')[0]!, body]))('%s', (_, body) => {
    const commands = parseAllDocuments(body).flatMap((d) => strings(d.toJS()));
    const shard = commands.find((c) => /deploy-check run .*--shard/.test(c))!;
    const merge = commands.find((c) => /deploy-check merge/.test(c))!;
    const n = Number(/--shard .+?\/(\d+)/.exec(shard)![1]);
    expect(n).toBeGreaterThan(1);
    const local = (command: string, dir: string, index = '') =>
      command
        .replace(/npx deploy-check|\bdeploy-check(?= )/, `"${process.execPath}" "${join(ROOT, 'dist', 'cli.cjs')}"`)
        .replace('deploy-check.yaml', join(ROOT, 'checklists', 'wine.yaml'))
        .replaceAll('${{ matrix.shard }}', index)
        .replaceAll('$SHARD', index)
        .replaceAll('$JOB_COMPLETION_INDEX', index)
        .replace(/(^|\s)\/?states\//g, `$1${dir}/states/`)
        .replace(/(=)reports\//g, `$1${dir}/reports/`);
    const [sharded, whole] = [scenario(), scenario()];
    for (const d of [sharded, whole]) for (const sub of ['states', 'reports']) mkdirSync(join(d, sub), { recursive: true });
    for (let i = 0; i < n; i++) {
      const r = spawnSync('sh', ['-c', local(shard, sharded, String(i))], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    }
    const m = spawnSync('sh', ['-c', local(merge, sharded)], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const w = spawnSync('sh', ['-c', local(merge.replace(/merge \S+/, 'run deploy-check.yaml'), whole)], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(m.stderr).toBe('');
    expect(m.status).toBe(w.status);
    expect(m.stdout).toBe(w.stdout);
    const written = (d: string) => ['states/report.json', ...readdirSync(join(d, 'reports')).map((f) => `reports/${f}`)].filter((f) => existsSync(join(d, f)));
    expect(written(sharded)).toEqual(written(whole));
    expect(written(sharded).length).toBeGreaterThan(0);
    for (const f of written(sharded)) expect(readFileSync(join(sharded, f), 'utf8'), f).toBe(readFileSync(join(whole, f), 'utf8'));
  }, 120_000);
});

// Random data through the real models: rows drawn with repeats from the hold-out (duplicates), some
// fields quoted, CRLF or LF, a text column with commas, quotes and newlines to slice by; any number
// of shards, merged in any order, gives the unsharded report.
describe('shards on random data', () => {
  const [header, ...pool] = readFileSync(join(FIXTURES, 'breast-cancer', 'holdout.csv'), 'utf8').trim().split('\n');
  const features = header!.split(',').filter((c) => c !== 'diagnosis');
  const sites = ['north', 'south, east', 'say "west"', 'two\nlines', ''];
  it('any data, any number of shards, any order: the same report', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ row: fc.nat(pool.length - 1), site: fc.nat(sites.length - 1), quote: fc.boolean(), mixed: fc.constantFrom('1.5', '1.50', '2', ' 3 ', '', '', 'x') }), { minLength: 30, maxLength: 250 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        async (rows, crlf, n, seed) => {
          const eol = crlf ? '\r\n' : '\n';
          const quoted = (s: string) => `"${s.replaceAll('"', '""')}"`;
          const lines = rows.map(({ row, site, quote, mixed }) => {
            const cells = pool[row]!.split(',');
            if (quote) cells[0] = quoted(cells[0]!);
            return [...cells, sites[site] === '' ? '' : quoted(sites[site]!), mixed].join(',');
          });
          // the reference for drift: the first rows again, less a word in the mixed column (numbers there)
          const reference = lines.slice(0, 40).map((l) => l.replace(/,x$/, ',4'));
          const d = scenario({
            'data.csv': [`${header},site,mixed`, ...lines].join(eol) + eol,
            'reference.csv': [`${header},site,mixed`, ...reference].join(eol) + eol,
            'checklist.yaml': `version: 1
model: { path: model.onnx, outputs: { scores: probabilities, label: label }, classes: [B, M], positive: M, inputs: { input: [${features.join(', ')}] } }
baseline: { path: baseline.onnx }
datasets: { holdout: { path: data.csv, label: diagnosis }, reference: { path: reference.csv, label: diagnosis }, area: { path: data.csv, label: mean_area } }
checks:
  - { id: acc, type: metric, metric: accuracy, min: 0.5, confidence: 0.9 }
  - { id: auc, type: metric, metric: roc_auc, min: 0.5, confidence: 0.9, resamples: 200, compare: { to: baseline, max_regression: 0.05 } }
  - { id: loss, type: metric, metric: log_loss, max: 1 }
  - { id: sites, type: slices, metric: accuracy, by: [site], min: 0.5, min_rows: 3 }
  - { id: outputs, type: outputs }
  - { id: drift, type: drift, reference: reference, current: holdout, predictions: true, method: auto }
  - id: data
    type: data
    dataset: holdout
    max_examples: 2
    columns: { mixed: { type: number, min: 1.5, max: 2.5, max_missing: 0.3 }, site: { one_of: [north, "south, east"], max_share: 0.4 }, mean_radius: { unique: true, max_share: 0.05 }, diagnosis: { pattern: "^B", unique: true } }
    label: { min_share: { M: 0.3 } }
    no_duplicates: true
    disjoint_from: reference
    model_inputs: true
  - { id: keys, type: data, dataset: holdout, no_duplicates: [diagnosis, site], infer: reference, max_examples: 4 }
  - { id: robust, type: robustness, perturbations: [{ kind: noise, scale: 0.5 }, { kind: missing, columns: [mean_radius, mean_area], rate: 0.3 }], min_agreement: 0.9, metric: accuracy, max_drop: 0.01 }
  - { id: drift-some, type: drift, reference: reference, current: holdout, columns: [mixed, site, mean_area], method: ks }
  - { id: leak, type: leakage, train: reference, columns: [mixed, site, mean_radius, worst_area], max_power: 0.99 }
  - { id: leak-r, type: leakage, dataset: area, task: regression, columns: [mean_radius, mean_texture, mixed, site] }
`,
          });
          const loaded = loadChecklist(join(d, 'checklist.yaml'));
          const whole = json(await runChecklist(loaded, { now: NOW }));
          expect(await merged(loaded, n, [], seed)).toBe(whole);
        },
      ),
      { numRuns: Number(process.env.SHARD_RUNS ?? 12), endOnFailure: true },
    );
  }, 180_000);
});
