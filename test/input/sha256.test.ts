import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numberAt } from '../../src/eval/cells.js';
import { openDataset } from '../../src/eval/datasets/index.js';
import { digestOnThread, digestThread, fileDigest, THREAD_FROM } from '../../src/input/sha256.js';
import { hashFileInSteps, hashFileNow, settleDigest, type FileDigestJob } from '../../src/input/hash-file.js';
import { parseThread, regionsParsedOnThread } from '../../src/eval/datasets/csv-thread.js';
import { InputError } from '../../src/input/errors.js';
import { scenario } from '../helpers.js';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** the size of the thread's pieces of shared memory */
const SLOT = 1 << 20;

describe("a large file's sha256, hashed on a thread of its own", () => {
  it('is the sha256 of the chunks given, copied in pieces of any size', () => {
    expect(digestThread(THREAD_FROM, true)).toBeDefined();
    const data = randomBytes(5 * SLOT + 12345);
    const d = fileDigest(THREAD_FROM, true);
    // sizes below, at and above a slot, and empty chunks; more chunks than the thread has slots
    const sizes = [0, 1, SLOT - 1, SLOT, SLOT + 1, 7, 2 * SLOT + 3];
    let at = 0;
    for (let k = 0; at < data.length; k++) {
      const n = Math.min(sizes[k % sizes.length]!, data.length - at);
      // the caller's buffer is overwritten once given: the digest must have copied it
      const chunk = Buffer.from(data.subarray(at, at + n));
      d.update(chunk);
      chunk.fill(0);
      at += n;
    }
    expect(d.digest()).toBe(sha(data));
  });
  it('two files hashed at once, and an empty one', () => {
    const a = fileDigest(THREAD_FROM, true);
    const b = fileDigest(THREAD_FROM, true);
    const e = fileDigest(THREAD_FROM, true);
    const x = randomBytes(3 << 20);
    const y = randomBytes(3 << 20);
    for (let i = 0; i < 3; i++) {
      a.update(x.subarray(i << 20, (i + 1) << 20));
      b.update(y.subarray(i << 20, (i + 1) << 20));
    }
    expect(b.digest()).toBe(sha(y));
    expect(a.digest()).toBe(sha(x));
    expect(e.digest()).toBe(sha(Buffer.alloc(0)));
  });
  it("a JSON Lines file larger than THREAD_FROM (read without a parsing thread): the report's digest is the file's, the rows are all read", async () => {
    const row = '{"a": 0.1234, "b": "a, quoted\\nfield", "d": 7}\n';
    const rows = Math.ceil((THREAD_FROM + 1000) / row.length);
    const text = Buffer.from(row.repeat(rows));
    const dir = scenario({});
    writeFileSync(join(dir, 'big.jsonl'), text);
    const source = await openDataset(join(dir, 'big.jsonl'), 'big.jsonl');
    let n = 0;
    let sum = 0;
    for await (const b of source.batches([{ index: source.columns.indexOf('d'), as: 'number' }], 65536, { reuse: true })) {
      n += b.n;
      for (let i = 0; i < b.n; i++) {
        const p = numberAt(b.cells[0]!, i);
        if (p.ok) sum += p.value;
      }
    }
    expect(n).toBe(rows);
    expect(sum).toBe(7 * rows);
    expect(source.evidence()).toEqual({ sha256: sha(text), bytes: text.length, rows });
  });
});

describe("a large CSV's sha256: hashed by the parsing thread reading the file again, in the turns it has no region to parse, or as it is read for a light caller", () => {
  /** a CSV just over THREAD_FROM */
  function bigCsv(): { file: string; text: Buffer; rows: number } {
    const row = '0.25,-5.5,7\n';
    const rows = Math.ceil((THREAD_FROM + 1000) / row.length);
    const text = Buffer.from(`a,b,c\n${row.repeat(rows)}`);
    const file = join(scenario({}), 'big.csv');
    writeFileSync(file, text);
    return { file, text, rows };
  }
  async function readAll(file: string, light = false) {
    const source = await openDataset(file, 'big.csv');
    let n = 0;
    for await (const b of source.batches([{ index: 2, as: 'number' }], 65536, { reuse: true, light })) n += b.n;
    return { source, n };
  }

  it("the parsing thread's hash: the file's sha256, a megabyte a step; a file it cannot read says why, asked once or twice", () => {
    const { file, text } = bigCsv();
    const thread = parseThread()!;
    try {
      const digest = thread.hash(file);
      expect(digest.digest()).toBe(sha(text));
      expect(digest.digest()).toBe(sha(text));
      const gone = thread.hash(join(scenario({}), 'gone.csv'));
      expect(() => gone.digest()).toThrow(/ENOENT/);
      expect(() => gone.digest()).toThrow(/ENOENT/);
      expect(thread.hash(file).digest()).toBe(sha(text));
      // the reader's own way when the thread has ended: the same digest
      expect(hashFileNow(file)).toBe(sha(text));
    } finally {
      thread.release();
    }
  });

  it('a job its thread never finishes (the thread ended): settled as failed, the reader waiting for it is told, not left to wait for a silent thread', () => {
    let posted: FileDigestJob | undefined;
    const digest = digestOnThread('any.csv', (job) => (posted = job));
    expect(posted!.hashFile).toBe('any.csv');
    settleDigest(posted!, 2, new Error('the CSV parsing thread ended before the digest: killed'));
    expect(() => digest.digest()).toThrow('the CSV parsing thread ended before the digest: killed');
    expect(() => digest.digest()).toThrow('killed');
  });

  it('a job its reader abandons (a read given up): the thread stops at its next step, writes no digest and is done with the job; a job not abandoned is hashed to its end', async () => {
    const { file, text } = bigCsv();
    const steps = Math.ceil(text.length / (1 << 20));
    const run = async (abandon: boolean) => {
      let job: FileDigestJob | undefined;
      let done!: () => void;
      const finished = new Promise<void>((resolve) => (done = resolve));
      // the thread's side run here: its first step at once, the others a turn of the event loop each
      const digest = digestOnThread(file, (j) => hashFileInSteps((job = j), done));
      if (abandon) digest.abandon();
      await finished;
      const cells = new Int32Array(job!.result);
      return { state: Atomics.load(cells, job!.at.state), steps: Atomics.load(cells, job!.at.progress), digest };
    };
    const abandoned = await run(true);
    expect(abandoned.state).toBe(3);
    expect(abandoned.steps).toBe(1);
    expect(steps).toBeGreaterThan(30);
    const whole = await run(false);
    expect(whole.state).toBe(1);
    expect(whole.steps).toBe(steps);
    expect(whole.digest.digest()).toBe(sha(text));
    // abandoning a job already done changes nothing
    whole.digest.abandon();
    expect(whole.digest.digest()).toBe(sha(text));
  });

  it('a read of a large CSV given up after its first batch (its hash abandoned) has no evidence; the next whole read has the digest of the file', async () => {
    const { file, text } = bigCsv();
    const source = await openDataset(file, 'big.csv');
    for await (const b of source.batches([{ index: 2, as: 'number' }], 4096, { reuse: true })) {
      expect(b.n).toBe(4096);
      break;
    }
    expect(source.evidence()).toBeUndefined();
    const { source: again, n } = await readAll(file);
    expect(n).toBeGreaterThan(4096);
    expect(again.evidence()!.sha256).toBe(sha(text));
  });

  it("a run's evidence is the file's digest; a file written to or removed after its read is an error naming it, not a digest of other rows", async () => {
    {
      const { file, text, rows } = bigCsv();
      const first = await readAll(file);
      expect(first.n).toBe(rows);
      const ev = first.source.evidence()!;
      expect(ev.rows).toBe(rows);
      expect(ev.sha256).toBe(sha(text));
      // the digest is taken after the read: a row appended before it is asked for would be in the digest, not in the rows
      const second = await readAll(file);
      appendFileSync(file, '1,2,3\n');
      const changed = second.source.evidence()!;
      expect(changed.rows).toBe(rows);
      expect(() => changed.sha256).toThrow(InputError);
      expect(() => changed.sha256).toThrow(/^big\.csv  changed while it was read/);
      const third = await readAll(file);
      rmSync(file);
      expect(() => third.source.evidence()!.sha256).toThrow(/^big\.csv  (could not be read again for its sha256|changed while it was read)/);
    }
  });

  it("for a light caller (a data check's column expectations), the digest is of the bytes read, hashed as they are: a file written to or removed after its read does not change it", async () => {
    const { file, text, rows } = bigCsv();
    const before = regionsParsedOnThread();
    const read = await readAll(file, true);
    appendFileSync(file, '1,2,3\n');
    rmSync(file);
    expect(read.source.evidence()).toEqual({ sha256: sha(text), bytes: text.length, rows });
    // read with the parsing thread, as the after-read hash is
    expect(regionsParsedOnThread()).toBeGreaterThan(before);
  });
});
