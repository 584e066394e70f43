import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { describe, expect, it } from 'vitest';
import { loadChecklist } from '../../src/checklist/load.js';
import { RunContext } from '../../src/checks/context.js';
import { cellAt, columnIndex, delimiterHint, openDataset, openDatasetPath } from '../../src/eval/datasets/index.js';
import { openJsonl } from '../../src/eval/datasets/jsonl.js';
import { runChecklist } from '../../src/run/runner.js';
import { cli, FIXTURES, scenario } from '../helpers.js';

export async function readAll(name: string, content: string | Buffer) {
  const dir = scenario({ [name]: content });
  const source = await openDataset(join(dir, name), name);
  const rows: unknown[][] = [];
  for await (const b of source.batches(source.columns.map((_, index) => ({ index, as: 'cell' as const })), 2)) {
    for (let i = 0; i < b.n; i++) rows.push([`${b.unit} ${b.refs[i]}`, ...b.cells.map((c) => cellAt(c, i))]);
  }
  return { columns: source.columns, rows, evidence: source.evidence() };
}

describe('CSV and TSV', () => {
  it('reads RFC 4180: BOM, CRLF, quoted delimiters, doubled quotes, embedded newlines', async () => {
    const r = await readAll('d.csv', '\uFEFFa,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\nlines",z\r\n\r\n3,,w\r\n');
    expect(r.columns).toEqual(['a', 'b', 'c']);
    expect(r.rows).toEqual([
      ['line 2', '1', 'x, y', 'say "hi"'],
      ['line 3', '2', 'two\nlines', 'z'],
      ['line 6', '3', '', 'w'],
    ]);
    expect(r.evidence?.rows).toBe(3);
    expect(r.evidence?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
  it('reads TSV and a last line without a newline', async () => {
    expect((await readAll('d.tsv', 'a\tb\n1\t2')).rows).toEqual([['line 2', '1', '2']]);
  });
  it.each([
    ['empty file', '', 'd.csv  is empty (expected a header row)'],
    ['header only', 'a,b\n', 'd.csv  has a header but no rows'],
    ['ragged row', 'a,b\n1,2\n3\n', 'd.csv  line 3: 1 field, but the header has 2 (a decimal comma or an unquoted comma splits a field)'],
    ['decimal comma', 'a,b\n1,5,2\n', 'd.csv  line 2: 3 fields, but the header has 2 (a decimal comma or an unquoted comma splits a field)'],
    ['duplicate header', 'a,b,a\n1,2,3\n', 'd.csv  line 1: duplicate column "a" (columns 1 and 3)'],
    ['empty header name', 'a,,c\n1,2,3\n', 'd.csv  line 1: column 2 has an empty name'],
    ['unclosed quote', 'a,b\n1,"x\n', 'd.csv  line 2: a quoted field is never closed'],
    ['stray quote', 'a,b\n1,x"y\n', 'd.csv  line 2: a quote in the middle of an unquoted field (quote the whole field)'],
  ])('%s', async (_name, content, message) => {
    await expect(readAll('d.csv', content)).rejects.toThrow(message);
  });
});

describe('parts of a dataset (run --shard i/n)', () => {
  async function refsOf(file: string, part?: { index: number; count: number }) {
    const source = await openDataset(file, 'd');
    const rows: string[] = [];
    for await (const b of source.batches([{ index: 0, as: 'number' }, { index: 1, as: 'cell' }], 3, part ? { part } : {})) {
      for (let i = 0; i < b.n; i++) rows.push(`${b.refs[i]}:${String(cellAt(b.cells[0]!, i))}|${String(cellAt(b.cells[1]!, i))}`);
    }
    return { rows, total: source.evidence()?.rows };
  }
  // quote-free lines (the fast path), quoted fields with newlines and CRLF (the record path), duplicates
  const lines = Array.from({ length: 60 }, (_, i) => (i % 7 === 3 ? `${i},"q ${i}\nsecond"` : i % 11 === 5 ? `${i % 3},dup` : `${i},v${i}`));
  it.each([
    ['CSV, LF', 'd.csv', `a,b\n${lines.join('\n')}\n`],
    ['CSV, CRLF, no last line end', 'd.csv', `a,b\r\n${lines.join('\r\n')}`],
    ['JSON Lines', 'd.jsonl', Array.from({ length: 60 }, (_, i) => JSON.stringify({ a: i % 4, b: `v${i % 6}` })).join('\n')],
  ])('%s: every row in exactly one part, whatever n, identical rows together; the evidence counts all rows', async (_, name, content) => {
    const file = join(scenario({ [name]: content }), name);
    const whole = await refsOf(file);
    for (let n = 1; n <= 7; n++) {
      const parts = await Promise.all(Array.from({ length: n }, (_, index) => refsOf(file, { index, count: n })));
      expect(parts.flatMap((p) => p.rows).sort()).toEqual([...whole.rows].sort());
      for (const p of parts) expect(p.total).toBe(whole.total);
      // rows with the same content share a part (the duplicates "0,dup", "1,dup", "2,dup" repeat)
      const partOf = new Map<string, number>();
      parts.forEach((p, k) =>
        p.rows.forEach((r) => {
          const content = r.slice(r.indexOf(':'));
          expect(partOf.get(content) ?? k).toBe(k);
          partOf.set(content, k);
        }),
      );
      expect(partOf.size).toBeLessThan(whole.rows.length);
      if (n > 1) expect(parts.filter((p) => p.rows.length > 0).length).toBeGreaterThan(1);
    }
  });
  it('Parquet: whole row groups, group g in part g mod n', async () => {
    const file = join(FIXTURES, 'breast-cancer', 'holdout.parquet');
    const source = await openDataset(file, 'h.parquet');
    const read = async (part: { index: number; count: number }) => {
      const refs: number[] = [];
      for await (const b of source.batches([{ index: 30, as: 'cell' }], 1000, { part })) refs.push(...Array.from(b.refs));
      return { refs, total: source.evidence()?.rows };
    };
    const [a, b] = [await read({ index: 0, count: 2 }), await read({ index: 1, count: 2 })];
    expect([...a.refs, ...b.refs].sort((x, y) => x - y)).toEqual(Array.from({ length: 171 }, (_, i) => i + 1));
    // row groups of 50 rows: 1–50 and 101–150 in part 0, 51–100 and 151–171 in part 1
    expect(a.refs.length).toBe(100);
    expect(b.refs[0]).toBe(51);
    expect(a.total).toBe(171);
    expect(b.total).toBe(171);
  });
});

describe('JSON Lines and Parquet', () => {
  it('JSON Lines: keys of the first object are the columns', async () => {
    const r = await readAll('d.jsonl', '{"a": 1, "b": "x"}\n\n{"b": "y", "a": null}\n');
    expect(r.rows).toEqual([['line 1', 1, 'x'], ['line 3', null, 'y']]);
  });
  it.each([
    ['not JSON', '{"a": 1}\n{"a": \n', /^d\.jsonl {2}line 2: not valid JSON/],
    ['unknown key', '{"a": 1}\n{"a": 2, "c": 3}\n', 'd.jsonl  line 2: key "c" is not a column of the first line'],
    ['nested value', '{"a": 1}\n{"a": [1]}\n', 'd.jsonl  line 2: column "a" holds a list, expected a scalar'],
    ['not an object', '[1, 2]\n', 'd.jsonl  line 1: expected a JSON object'],
  ])('%s', async (_name, content, message) => {
    await expect(readAll('d.jsonl', content)).rejects.toThrow(message);
  });
  it('JSON Lines: LF, CRLF and lone CR line ends, blank lines, a byte-order mark, no last line end, lines across chunks: the lines readline finds, numbered as it numbers them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-check-jsonl-'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof({ weight: 6, arbitrary: fc.record({ a: fc.oneof(fc.integer(), fc.constant(null)), b: fc.string({ maxLength: 6 }) }).map((o) => JSON.stringify(o)) }, { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t') }), { minLength: 1, maxLength: 25 }),
        fc.array(fc.constantFrom('\n', '\r\n', '\r'), { minLength: 1, maxLength: 25 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 40 }),
        async (lines, ends, bom, lastEnd, chunk) => {
          // the first line an object (it names the columns)
          lines[0] = '{"a": 0, "b": "first"}';
          const text = `${bom ? '\ufeff' : ''}${lines.map((l, i) => l + (i < lines.length - 1 || lastEnd ? ends[i % ends.length]! : '')).join('')}`;
          const file = join(dir, 'd.jsonl');
          writeFileSync(file, text);
          // readline's lines, numbered from 1, blank ones skipped
          const want: unknown[] = [];
          text.replace(/^\ufeff/, '').split(/\r\n|\n|\r/).forEach((l, i) => {
            if (l.trim() !== '') {
              const o = JSON.parse(l) as { a: unknown; b: unknown };
              want.push([`line ${i + 1}`, o.a ?? null, o.b]);
            }
          });
          const got: unknown[] = [];
          for await (const b of (await openJsonl(file, 'd.jsonl', chunk)).batches([{ index: 0, as: 'cell' }, { index: 1, as: 'cell' }], 3)) {
            for (let i = 0; i < b.n; i++) got.push([`line ${b.refs[i]}`, b.cells[0]![i as never] ?? null, b.cells[1]![i as never]]);
          }
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('Parquet: row groups read one at a time, rows numbered', async () => {
    const dir = scenario();
    copyFileSync(join(FIXTURES, 'breast-cancer', 'holdout.parquet'), join(dir, 'h.parquet'));
    const source = await openDataset(join(dir, 'h.parquet'), 'h.parquet');
    expect(source.columns.at(-1)).toBe('diagnosis');
    let rows = 0;
    let lastRef = 0;
    for await (const b of source.batches([{ index: 30, as: 'cell' }], 40)) {
      expect(b.n).toBeLessThanOrEqual(40);
      rows += b.n;
      lastRef = Number(b.refs[b.n - 1]);
    }
    expect(rows).toBe(171);
    expect(lastRef).toBe(171);
  });
  it('Parquet INT64 (bigints from hyparquet): exact numbers up to 2^53 become numbers, larger ones and nulls stay cells', async () => {
    const big = 2n ** 60n + 1n;
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: 'small', data: [1n, -2n, 9007199254740991n], type: 'INT64' },
        { name: 'large', data: [1n, big, 3n], type: 'INT64' },
        { name: 'holes', data: [1n, null, 3n], type: 'INT64' },
      ],
    });
    const r = await readAll('i.parquet', Buffer.from(buffer));
    expect(r.rows).toEqual([
      ['row 1', 1, 1n, 1n],
      ['row 2', -2, big, null],
      ['row 3', 9007199254740991, 3n, 3n],
    ]);
  });
  it('Parquet gives the same evaluation as the CSV it was written from', async () => {
    const csv = loadChecklist(join(FIXTURES, '..', 'checklists', 'example.yaml'));
    const parquet = { ...csv, checklist: { ...csv.checklist, datasets: { holdout: { path: '../fixtures/breast-cancer/holdout.parquet', label: 'diagnosis', missing: 'error' as const } } } };
    const a = await new RunContext(csv, new Date()).evaluation('model', undefined);
    const b = await new RunContext(parquet, new Date()).evaluation('model', undefined);
    expect(Array.from(b.scores)).toEqual(Array.from(a.scores));
    expect(b.rowUnit).toBe('row');
  });
});

describe('cells feeding the model: strict, with the place named', () => {
  const header = 'a,b,y\n';
  const checklist = (extra = '') => `version: 1\nmodel:\n  path: model.onnx\n  inputs: { input: [a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b] }\ndatasets:\n  holdout: { path: d.csv, label: y${extra} }\nchecks:\n  - type: metric\n    metric: accuracy\n    min: 0\n`;
  const run = (csv: string, extra = '') => {
    const dir = scenario({ 'c.yaml': checklist(extra), 'd.csv': header + csv });
    return runChecklist(loadChecklist(join(dir, 'c.yaml')));
  };
  it.each([
    ['hexadecimal', '0x10,1,M\n', 'd.csv  line 2: column "a": "0x10" is not a number (input "input" is float32)'],
    ['out of range', '1e400,1,M\n', 'd.csv  line 2: column "a": 1e400 is out of range (input "input" is float32)'],
    ['a word', '1,abc,B\n', 'd.csv  line 2: column "b": "abc" is not a number (input "input" is float32)'],
    ['missing value', '1,2,B\n3,,M\n', 'd.csv  line 3: column "b": missing value (set datasets.holdout.missing: nan if the model accepts NaN)'],
    ['label never seen by the model', '1,2,X\n', 'd.csv  line 2: label "X" is not one of the classes (B, M) (a label the model was never trained on)'],
    ['a label padded with spaces', '1,2, B \n', 'd.csv  line 2: label " B " is not one of the classes (B, M) (the class is "B": the file\'s labels differ from it in spaces around them; labels are compared as written)'],
    ['a label in another case', '1,2,m\n', 'd.csv  line 2: label "m" is not one of the classes (B, M) (the class is "M": the file\'s labels differ from it in case; labels are compared as written)'],
    ['label __proto__', '1,2,__proto__\n', 'd.csv  line 2: label "__proto__" is not one of the classes (B, M)'],
    ['empty label', '1,2,\n', 'd.csv  line 2: label column "y" is empty'],
  ])('%s', async (_name, csv, message) => {
    await expect(run(csv)).rejects.toThrow(message);
  });
  it('missing: nan feeds NaN where the input is float, and the metric still runs', async () => {
    const report = await run('1,2,B\n3,,M\n', ', missing: nan');
    expect(report.checks[0]!.status).not.toBe('error');
  });
  it('a dataset whose columns do not fit the model input', async () => {
    const dir = scenario({
      'c.yaml': 'version: 1\nmodel:\n  path: model.onnx\ndatasets:\n  holdout: { path: d.csv, label: y }\nchecks:\n  - type: metric\n    metric: accuracy\n    min: 0\n',
      'd.csv': 'a,b,y\n1,2,B\n',
    });
    await expect(runChecklist(loadChecklist(join(dir, 'c.yaml')))).rejects.toThrow(/model\.onnx {2}input "input" takes 30 columns, but 2 of \S*d\.csv are mapped to it \(a, b\) \(list its columns in model\.inputs\)$/);
  });
});

describe('a missing column', () => {
  it('names the first and the last columns (a label is often last), or all of them when they are few', () => {
    const wide = { path: 'd.csv', columns: Array.from({ length: 31 }, (_, i) => `c${i}`) };
    expect(() => columnIndex(wide, 'zzz', '--label')).toThrow('d.csv  has no column "zzz" (--label) (columns: c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, … (18 more), c28, c29, c30)');
    expect(() => columnIndex({ path: 'd.csv', columns: ['alpha', 'beta', 'gamma'] }, 'zzz', '--label')).toThrow('(columns: alpha, beta, gamma)');
  });

  it('a header that reads as one column holding semicolons, bars or tabs: says the file is likely delimited by them', async () => {
    const dir = scenario({ 'semi.csv': 'a;b;y\n1;2;0\n', 'bar.csv': 'a|b|y\n1|2|0\n', 'tabs.csv': 'a\tb\ty\n1\t2\t0\n', 'one.csv': 'y\n0\n' });
    const header = async (f: string) => (await openDatasetPath(dir, f, (p) => p)).columns;
    expect(() => columnIndex({ path: 'semi.csv', columns: ['a;b;y'] }, 'y', '--label')).toThrow('semi.csv  has no column "y" (--label) (the header is one column holding ";": a .csv file is read as comma-separated; write it with commas (or with tabs, named .tsv))');
    expect(delimiterHint(await header('semi.csv'))).toMatch(/^the header is one column holding ";"/);
    expect(delimiterHint(await header('bar.csv'))).toMatch(/^the header is one column holding "\|"/);
    expect(delimiterHint(await header('tabs.csv'))).toBe('the header is one column holding tabs: a tab-separated file is read as such when it is named .tsv');
    expect(delimiterHint(await header('one.csv'))).toBeUndefined();
    expect(delimiterHint(['a;b', 'c'])).toBeUndefined();
    // the checklist's columns, checked before a row is read: one line for the file, at its path, not
    // one for every column the checklist names (a model's 64 inputs gave 65 lines)
    const c = scenario({ 'semi.csv': 'a;b;y\n1;2;0\n', 'c.yaml': 'version: 1\nmodel: { path: model.onnx }\ndatasets:\n  holdout: { path: semi.csv, label: y }\nchecks:\n  - { type: data, columns: { a: { min: 0 }, b: { min: 0 } } }\n' });
    const r = cli(['validate', join(c, 'c.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${join(c, 'c.yaml')}:4:20  datasets.holdout.path: semi.csv has one column (the header is one column holding ";": a .csv file is read as comma-separated; write it with commas (or with tabs, named .tsv))\n`);
  });
});

describe('a dataset of several files (a glob or a list)', () => {
  const example = () => loadChecklist(join(FIXTURES, '..', 'checklists', 'example.yaml'));
  const withHoldout = (path: string | string[]) => {
    const c = example();
    return { ...c, checklist: { ...c.checklist, datasets: { holdout: { path, label: 'diagnosis', missing: 'error' as const } } } };
  };
  const parts = (ext: string) => [1, 2, 3].map((k) => `../fixtures/breast-cancer/parts/holdout-${k}.${ext}`);

  it.each([
    ['three CSV files by a glob', '../fixtures/breast-cancer/parts/holdout-?.csv'],
    ['three CSV files by a list', parts('csv')],
    ['three Parquet files by a glob', '../fixtures/breast-cancer/parts/*.parquet'],
  ])('%s: the same scores and labels as the one file they were cut from, rows numbered across the files', async (_, path) => {
    const whole = await new RunContext(example(), new Date()).evaluation('model', undefined);
    const split = await new RunContext(withHoldout(path), new Date()).evaluation('model', undefined);
    expect(Array.from(split.scores)).toEqual(Array.from(whole.scores));
    expect(Array.from(split.truth)).toEqual(Array.from(whole.truth));
    expect(split.rowUnit).toBe('row');
    expect(Array.from(split.rowRef)).toEqual(Array.from({ length: whole.n }, (_, i) => i + 1));
  });

  it('a JSON Lines batch says how far into the file its last row ends, in bytes (text that is not ASCII counted as written)', async () => {
    const lines = ['{"a": 1, "y": "é"}', '{"a": 2, "y": "ü€"}', '', '{"a": 3, "y": "x"}'];
    const text = `${lines.join('\n')}\n`;
    const dir = scenario({ 'd.jsonl': text });
    const source = await openDataset(join(dir, 'd.jsonl'), 'd.jsonl');
    const seen: number[] = [];
    for await (const b of source.batches([{ index: 0, as: 'cell' }], 2)) seen.push(b.through!);
    const size = Buffer.byteLength(text);
    expect(seen).toEqual([Buffer.byteLength(`${lines[0]}\n${lines[1]}\n`) / size, 1]);
  });

  it("a batch of several CSV files says how far into the whole dataset's bytes it reaches, not into its own file's", async () => {
    const dir = join(FIXTURES, 'breast-cancer', 'parts');
    const sizes = [1, 2, 3].map((k) => readFileSync(join(dir, `holdout-${k}.csv`)).length);
    const total = sizes.reduce((a, b) => a + b, 0);
    const source = await openDatasetPath(dir, 'holdout-?.csv', (p) => p);
    const seen: number[] = [];
    for await (const b of source.batches([{ index: 0, as: 'number' }], 1000)) seen.push(b.through!);
    // one batch a file (each holds fewer than 1,000 rows): each ends where its file ends
    expect(seen).toEqual([sizes[0]! / total, (sizes[0]! + sizes[1]!) / total, 1]);
  });

  it('shards of Parquet files: more shards than files, row groups numbered across the files (groups of 20, 20, 10 | 20, 20, 20 | 20, 20, 20, 1 rows); else whole files', async () => {
    const rows = async (part: { index: number; count: number }) => {
      const source = await openDatasetPath(join(FIXTURES, 'breast-cancer', 'parts'), 'holdout-*.parquet', (p) => p);
      const refs: number[] = [];
      for await (const b of source.batches([{ index: 0, as: 'number' }], 7, { part })) refs.push(...Array.from(b.refs as ArrayLike<number>));
      expect(source.evidence()?.rows).toBe(171);
      return refs;
    };
    const four = await Promise.all([0, 1, 2, 3].map((index) => rows({ index, count: 4 })));
    // global groups 0, 4, 8 | 1, 5, 9 | 2, 6 | 3, 7 (a file's own numbering would give 60, 60, 30, 21)
    expect(four.map((r) => r.length)).toEqual([60, 41, 30, 40]);
    expect(four.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 171 }, (_, i) => i + 1));
    expect(four[1]!.slice(0, 2)).toEqual([21, 22]);
    expect(four[1]!.at(-1)).toBe(171);
    // two shards, three files: file k is shard k mod 2's, its rows numbered after the files before it (counted from their footers)
    const [even, odd] = [await rows({ index: 0, count: 2 }), await rows({ index: 1, count: 2 })];
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    expect(even).toEqual([...range(1, 50), ...range(111, 171)]);
    expect(odd).toEqual(range(51, 110));
  });

  it('an empty file among several is an empty partition, counted with 0 rows; a dataset whose files are all empty is refused', async () => {
    const dir = scenario({ 'p/a.csv': 'x,y\n', 'p/b.csv': 'x,y\n1,0\n2,1\n', 'p/c.parquet': Buffer.from(parquetWriteBuffer({ columnData: [{ name: 'x', data: Float64Array.of(), type: 'DOUBLE' }] })) });
    const source = await openDatasetPath(dir, 'p/*.csv', (p) => p);
    const refs: number[] = [];
    for await (const b of source.batches([{ index: 0, as: 'number' }], 10)) refs.push(...Array.from(b.refs as ArrayLike<number>));
    expect(refs).toEqual([1, 2]);
    expect(source.evidence()!.files!.map((f) => f.rows)).toEqual([0, 2]);
    const none = await openDatasetPath(dir, 'p/a.csv*', (p) => p);
    await expect((async () => {
      for await (const _ of none.batches([{ index: 0, as: 'number' }], 10));
    })()).rejects.toThrow('p/a.csv*  has no rows: none of its 1 files holds a row');
    // a blank text file (Spark's empty JSON Lines or CSV part): no columns of its own, 0 rows, its digest
    const jsonl = scenario({ 'j/part-0.jsonl': '', 'j/part-1.jsonl': '{"x": 1, "y": 0}\n{"x": 2, "y": 1}\n', 'j/part-2.jsonl': '\n', 'c/a.csv': '', 'c/b.csv': 'x,y\n1,0\n' });
    const parts = await openDatasetPath(jsonl, 'j/*.jsonl', (p) => p);
    expect(parts.columns).toEqual(['x', 'y']);
    const xs: number[] = [];
    for await (const b of parts.batches([{ index: 0, as: 'number' }], 10)) for (let i = 0; i < b.n; i++) xs.push(Number(cellAt(b.cells[0]!, i)));
    expect(xs).toEqual([1, 2]);
    expect(parts.evidence()!.files!.map((f) => [f.path, f.rows, f.sha256.slice(0, 8)])).toEqual([['j/part-0.jsonl', 0, 'e3b0c442'], ['j/part-1.jsonl', 2, expect.any(String)], ['j/part-2.jsonl', 0, '01ba4719']]);
    expect((await openDatasetPath(jsonl, 'c/*.csv', (p) => p)).columns).toEqual(['x', 'y']);
    await expect(openDatasetPath(jsonl, ['j/part-0.jsonl', 'j/part-2.jsonl'], (p) => p)).rejects.toThrow('j/part-0.jsonl, j/part-2.jsonl  has no rows: none of its 2 files holds a row');
    const parquet = await openDatasetPath(dir, ['p/c.parquet'], (p) => p);
    await expect((async () => {
      for await (const _ of parquet.batches([{ index: 0, as: 'number' }], 10));
    })()).rejects.toThrow('p/c.parquet  has no rows: none of its 1 files holds a row');
  });

  it('findings name a row across the files and its file and row there', () => {
    const dir = scenario({
      'parts/a.csv': 'a,b,y\n1,2,0\n5,2,1\n',
      'parts/b.csv': 'a,b,y\n3,4,1\n300,2,1\n',
      'checklist.yaml': 'version: 1\nmodel: { path: model.onnx }\ndatasets:\n  d: { path: "parts/*.csv", label: y }\nchecks:\n  - { type: data, columns: { a: { max: 10 } } }\n',
    });
    const r = cli(['run', join(dir, 'checklist.yaml'), '--format', 'json']);
    const report = JSON.parse(r.stdout) as { checks: { findings: { message: string; location?: string }[] }[] };
    expect(report.checks[0]!.findings[0]).toMatchObject({ message: 'column "a": 1 of 4 rows are outside [-∞, 10] (row 4 (parts/b.csv row 2): 300)', location: 'parts/b.csv' });
  });

  it("evidence: every file's digest, size and rows, and the manifest's digest (what `sha256sum FILES | sha256sum` prints)", async () => {
    const ctx = new RunContext(withHoldout(parts('csv')), new Date());
    await ctx.evaluation('model', undefined);
    const [input] = (await ctx.evidence()).filter((e) => e.path.includes('holdout-'));
    const files = parts('csv').map((p) => readFileSync(join(FIXTURES, '..', 'checklists', p)));
    const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
    // the paths as the report shows them: relative to the checklist's folder
    const manifest = files.map((b, k) => `${sha(b)}  ../fixtures/breast-cancer/parts/holdout-${k + 1}.csv\n`).join('');
    expect(input).toMatchObject({ path: parts('csv').join(', '), sha256: sha(manifest), bytes: files.reduce((s, b) => s + b.length, 0), rows: 171 });
    expect(input!.files!.map((f) => [f.rows, f.sha256])).toEqual([[60, sha(files[0]!)], [1, sha(files[1]!)], [110, sha(files[2]!)]]);
  });

  it.each([
    ['a glob that matches nothing', 'holdout: { path: "data/*.csv", label: y }', "checklist.yaml:4:20  datasets.holdout.path: no file matches data/*.csv (paths are relative to the checklist's folder)"],
    ['files of two formats', 'holdout: { path: "parts/*", label: y }', 'datasets.holdout.path: the files are of 2 formats (.csv, .jsonl)'],
    ['a file of a list that is not there', 'holdout: { path: [parts/a.csv, parts/z.csv], label: y }', 'checklist.yaml:4:34  datasets.holdout.path[1]: file not found: parts/z.csv'],
    ['a file listed twice', 'holdout: { path: [parts/a.csv, ./parts/a.csv], label: y }', 'datasets.holdout.path: ./parts/a.csv is listed twice'],
    ['files whose columns differ', 'holdout: { path: "parts/*.csv", label: y }', 'parts/b.csv  has other columns than parts/a.csv (column 2: "c" where parts/a.csv has "b") (every file of dataset parts/*.csv has the same columns in the same order)'],
    ['a bad value in the second file: the row across the files, and the file and its line', 'holdout: { path: "bad/*.csv", label: y }', 'bad/*.csv  row 3 (bad/b.csv line 3): column "a": "x" is not a number (input "input" is float32)'],
  ])('refused in one line, exit 2: %s', (_, dataset, message) => {
    const dir = scenario({
      'parts/a.csv': 'a,b,y\n1,2,0\n',
      'parts/b.csv': 'a,c,y\n1,2,1\n',
      'bad/a.csv': 'a,b,y\n1,2,0\n',
      'bad/b.csv': 'a,b,y\n3,4,1\nx,2,1\n',
      ...(dataset.includes('"parts/*"') ? { 'parts/c.jsonl': '{"a":1}\n' } : {}),
      'checklist.yaml': `version: 1\nmodel: { path: model.onnx, inputs: { input: [a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b] } }\ndatasets:\n  ${dataset}\nchecks:\n  - { type: metric, metric: accuracy, min: 0 }\n`,
    });
    const r = cli(['run', join(dir, 'checklist.yaml')]);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
  });
});
