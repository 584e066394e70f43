import type { Worker } from 'node:worker_threads';
import { settleDigest, type FileDigestJob } from '../../input/hash-file.js';
import { digestOnThread, type ThreadDigest } from '../../input/sha256.js';
import { takeParseWorker } from './parse-worker.js';
import { detachOnce, linesOver, transferList, type LineArrays, type LineResults, type LineSpec, type Lines } from './csv-lines.js';

/** A region of lines for the parsing thread (csv-worker.ts): its bytes and the arrays to fill. */
export interface RegionJob {
  id: number;
  bytes: Uint8Array;
  from: number;
  to: number;
  ncols: number;
  spec: LineSpec;
  capacity: number;
  arrays: LineArrays;
}
/** What the thread sends back: the bytes and arrays it was given, and parseLines' results. */
export type RegionDone = LineResults & { id: number; bytes: Uint8Array; arrays: LineArrays };
/** What the thread sends once it has loaded, before any region: from then on a region handed over is parsed at once. */
export interface ThreadReady {
  ready: true;
}
/** A file for the thread to hash (`hash`), numbered. */
export type HashJob = FileDigestJob & { id: number };
/** What the thread sends once it has hashed a file: the job's number (the digest is in the job's shared memory). */
export interface FileHashed {
  hashed: number;
}

let worker: Worker | undefined;
let users = 0;
let jobs = 0;
let hashJobs = 0;
/** files being hashed on the thread (`hash`), by job number: it lives on until they are */
const hashing = new Map<number, { job: FileDigestJob; on: Worker }>();
/** ends the thread a little after its last reader is done (a run reads a file in several passes) */
let ending: NodeJS.Timeout | undefined;
const LINGER_MS = 500;

/** Tests: ends the thread as if it had been killed. */
export async function killParseThread(): Promise<void> {
  await worker?.terminate();
}

/** Whether a parsing thread has been started and not ended (tests). */
export function parseThreadStarted(): boolean {
  return worker !== undefined;
}

/** Whether the parsing thread is running and has loaded (tests). */
export function parseThreadLoaded(): boolean {
  return worker !== undefined && loaded.has(worker);
}

/** Regions handed to a parsing thread so far in this process (tests). */
export function regionsParsedOnThread(): number {
  return jobs;
}
const waiting = new Map<number, { resolve(done: RegionDone): void; reject(e: Error): void }>();
/** threads that ended, and why: a region handed to one fails at once */
const ended = new WeakMap<Worker, Error>();
/** threads that have loaded (a thread takes ~0.2 s of its core to start: until then the reader parses every region itself) */
const loaded = new WeakSet<Worker>();

/**
 * The thread that parses regions of CSV lines beside the reader (csv-regions.ts), one per process,
 * started by the first reader that wants it and ended when the last is done; undefined when its
 * file is not built (the sources run under a test runner). A region's bytes and arrays are
 * transferred to it and back, not shared: V8 reads and writes typed arrays over shared memory
 * about half as fast again. While a region is out, the thread keeps the process alive.
 */
export interface ParseThread {
  /** whether the thread has loaded: a region handed to it before would wait for it, and every region after that for this one */
  ready(): boolean;
  /** regions handed over and not yet back */
  out(): number;
  /** parses bytes [from, to) into the arrays of `lines` on the thread; they and the bytes are unusable from then on, and come back, parsed, in what it settles with */
  parse(bytes: Uint8Array, from: number, to: number, ncols: number, spec: LineSpec, lines: Lines): Promise<{ bytes: Uint8Array; lines: Lines }>;
  /**
   * The sha256 of `file`, read whole by the thread a megabyte at a time when it has no region to
   * parse (src/input/hash-file.ts): the job is handed over at once; its `digest` waits for it
   * (blocking). The thread lives on until it is done or abandoned, released or not.
   */
  hash(file: string): ThreadDigest;
  /** the reader is done with the thread */
  release(): void;
}

export function parseThread(): ParseThread | undefined {
  if (!worker) {
    const taken = takeParseWorker();
    if (!taken) return undefined;
    detachOnce();
    const w = taken.worker;
    if (taken.loaded) loaded.add(w);
    w.unref();
    w.on('message', (m: RegionDone | ThreadReady | FileHashed) => {
      if ('ready' in m) {
        loaded.add(w);
        return;
      }
      if ('hashed' in m) {
        hashing.delete(m.hashed);
        if (hashing.size === 0 && users === 0 && waiting.size === 0) later(w);
        return;
      }
      const job = waiting.get(m.id)!;
      waiting.delete(m.id);
      if (waiting.size === 0) {
        w.unref();
        if (users === 0) later(w);
      }
      job.resolve(m);
    });
    const fail = (e: Error) => {
      ended.set(w, e);
      for (const job of waiting.values()) job.reject(e);
      waiting.clear();
      // a file it was hashing: its reader, waiting for the digest, is told at once
      for (const [key, h] of hashing) {
        if (h.on !== w) continue;
        settleDigest(h.job, 2, new Error(`the CSV parsing thread ended before the digest: ${e.message}`));
        hashing.delete(key);
      }
      if (worker === w) worker = undefined;
    };
    w.on('error', fail);
    // ended without an error (killed, or terminated): the regions out would never come back
    w.on('exit', (code) => fail(new Error(`the thread ended (exit code ${code})`)));
    worker = w;
  }
  const w = worker;
  clearTimeout(ending);
  users++;
  let mine = 0;
  let released = false;
  return {
    ready: () => loaded.has(w),
    out: () => mine,
    async parse(bytes, from, to, ncols, spec, lines) {
      const gone = ended.get(w);
      if (gone) throw gone;
      const id = ++jobs;
      if (waiting.size === 0) w.ref();
      mine++;
      const arrays: LineArrays = { numbers: lines.numbers, matrix: lines.matrix, line: lines.line, place: lines.place, end: lines.end, cells: lines.cells };
      const done = new Promise<RegionDone>((resolve, reject) => waiting.set(id, { resolve, reject }));
      w.postMessage({ id, bytes, from, to, ncols, spec, capacity: lines.capacity, arrays } satisfies RegionJob, transferList(bytes, arrays));
      try {
        const m = await done;
        return { bytes: m.bytes, lines: linesOver(m.arrays, lines.capacity, m) };
      } finally {
        mine--;
      }
    },
    hash(file) {
      const gone = ended.get(w);
      if (gone) throw gone;
      clearTimeout(ending);
      return digestOnThread(file, (job: FileDigestJob) => {
        const id = ++hashJobs;
        hashing.set(id, { job, on: w });
        w.postMessage({ ...job, id } satisfies HashJob);
      });
    },
    release() {
      if (released) return;
      released = true;
      if (--users === 0 && waiting.size === 0) later(w);
    },
  };
}

/**
 * Starts the parsing thread ahead of a read (`run`, when the checklist names a large CSV: the guess
 * is namesLargeCsv's): the thread takes ~0.1 s of a core to start, and the second core is mostly idle
 * while this process loads the checklist and the model (the model host has started by then), so
 * the read parses on two threads from its first regions instead of alone until the thread has
 * loaded. Unused, it ends LINGER_MS later.
 */
export function prestartParseThread(): void {
  parseThread()?.release();
}

function later(w: Worker): void {
  clearTimeout(ending);
  ending = setTimeout(() => {
    if (worker !== w || users > 0 || hashing.size > 0) return;
    void w.terminate();
    worker = undefined;
  }, LINGER_MS).unref();
}
