/**
 * The model host: a child process that owns every onnxruntime-node session of a run. A native model
 * run cannot be interrupted from JavaScript, so it runs here, where the parent can watch its time
 * and memory and end it with a signal (see session.ts). Built into one CommonJS file,
 * dist/onnx/host-child.cjs (scripts/bundle.mjs): Node's CommonJS loader starts it ~20 ms sooner than
 * its ES module loader would. Messages come and go over the IPC channel
 * with V8 serialization (typed arrays are copied as bytes).
 */
// first: it says the host has started, before onnxruntime is loaded (host-started.ts)
import './host-started.js';
import { readFileSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { readBuffer } from '../input/read-buffer.js';
import { ENDS_WITH_PARENT, pack, SESSION_OPTIONS, SLOT_FD, unpack, VIEWS, type HostReply, type HostRequest, type PackedTensor, type WireTensor } from './host-protocol.js';
import { identityModel } from './warm-up.js';

/** by the number deploy-check gave each (its requests may come before the session is created) */
const sessions = new Map<number, Promise<ort.InferenceSession>>();

function tensor(t: WireTensor): ort.Tensor {
  return new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
}

function wire(t: ort.Tensor): WireTensor {
  return { type: t.type, data: t.data as WireTensor['data'], dims: [...t.dims] };
}

/**
 * One buffer per slot, reused: a request holds its slots until its reply, so nothing else reads
 * into them meanwhile. Read into READ_AT bytes in (input/read-buffer.ts: the kernel's copy into a
 * buffer's start ran at a sixth of the speed).
 */
const slotBuffers = new Map<number, Buffer>();

function fromSlot(p: PackedTensor): WireTensor {
  let buf = slotBuffers.get(p.slot!);
  if (!buf || buf.length < p.length!) slotBuffers.set(p.slot!, (buf = readBuffer(Math.max(p.length!, (buf?.length ?? 0) * 2))));
  const bytes = buf.subarray(0, p.length!);
  for (let at = 0; at < p.length!; ) {
    const n = readSync(SLOT_FD(p.slot!), bytes, at, p.length! - at, at);
    if (n <= 0) throw new Error(`slot ${p.slot} ended after ${at} of ${p.length} bytes`);
    at += n;
  }
  const View = VIEWS[p.view!]!;
  return { type: p.type, dims: p.dims, data: new View(buf.buffer as ArrayBuffer, buf.byteOffset, p.length! / (View as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT) };
}

function feedsOf(feeds: Record<string, PackedTensor>): Record<string, ort.Tensor> {
  return Object.fromEntries(Object.entries(feeds).map(([k, p]) => [k, tensor(p.slot !== undefined ? fromSlot(p) : unpack(p))]));
}

type Sliceable = { slice(a: number, b: number): Sliceable; length: number };

/**
 * A run of a model whose inputs fix the batch size: the feeds (a multiple of `rows` rows) run
 * `rows` rows at a time, each output joined along its first dimension. One message for a whole
 * batch: a model that takes one row at a time is not held up by a message per row.
 */
async function runInPieces(s: ort.InferenceSession, feeds: Record<string, ort.Tensor>, fetches: string[] | undefined, rows: number): Promise<Record<string, WireTensor>> {
  const total = Object.values(feeds)[0]?.dims[0] ?? rows;
  const pieces: Record<string, ort.Tensor>[] = [];
  for (let from = 0; from < total; from += rows) {
    const piece = Object.fromEntries(
      Object.entries(feeds).map(([k, t]) => {
        const width = t.dims.slice(1).reduce((a, b) => a * b, 1);
        const data = (t.data as unknown as Sliceable).slice(from * width, (from + rows) * width);
        return [k, new ort.Tensor(t.type as 'float32', data as unknown as Float32Array, [rows, ...t.dims.slice(1)])];
      }),
    );
    pieces.push(fetches ? await s.run(piece, fetches) : await s.run(piece));
  }
  return Object.fromEntries(
    Object.keys(pieces[0] ?? {}).map((k) => {
      const parts = pieces.map((p) => p[k]!);
      for (const t of parts) if (t.dims[0] !== rows) throw new Error(`output "${k}" has shape [${t.dims.join(', ')}] for a run of ${rows} rows`);
      const first = parts[0]!.data as unknown as ArrayLike<unknown> & { constructor: unknown };
      const length = parts.reduce((n, t) => n + (t.data as unknown as Sliceable).length, 0);
      let data: WireTensor['data'];
      if (Array.isArray(first)) data = parts.flatMap((t) => t.data as unknown as unknown[]);
      else {
        const joined = new (first.constructor as new (n: number) => Float32Array)(length);
        let at = 0;
        for (const t of parts) {
          joined.set(t.data as Float32Array, at);
          at += (t.data as Float32Array).length;
        }
        data = joined;
      }
      return [k, { type: parts[0]!.type, data, dims: [total, ...parts[0]!.dims.slice(1)] }];
    }),
  );
}

function sessionOf(id: number): Promise<ort.InferenceSession> {
  return sessions.get(id) ?? Promise.reject(new Error(`no session ${id}`));
}

/** VmHWM of this process, in MB: what the model host used at its peak. */
function peakMb(): number {
  try {
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    if (kb > 0) return kb / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

async function handle(m: HostRequest): Promise<HostReply['result']> {
  switch (m.op) {
    case 'create': {
      const created = ort.InferenceSession.create(m.bytes, m.options as ort.InferenceSession.SessionOptions);
      sessions.set(m.session, created);
      const s = await created;
      return { inputNames: [...s.inputNames], outputNames: [...s.outputNames] };
    }
    case 'run': {
      // the slot is read at once: the parent may reuse it only after this request's reply
      const feeds = feedsOf(m.feeds);
      const s = await sessionOf(m.session);
      if (m.rows) return { outputs: Object.fromEntries(Object.entries(await runInPieces(s, feeds, m.fetches, m.rows)).map(([k, v]) => [k, pack(v)])) };
      const out = m.fetches ? await s.run(feeds, m.fetches) : await s.run(feeds);
      return { outputs: Object.fromEntries(Object.entries(out).map(([k, v]) => [k, pack(wire(v))])) };
    }
    case 'time': {
      // a timed loop here, next to the session: the parent's messages would be in every measurement
      const feeds = feedsOf(m.feeds);
      const s = await sessionOf(m.session);
      const begin = performance.now();
      const deadline = begin + m.budgetMs;
      for (let w = 0; (w < m.warmup || performance.now() < begin + m.budgetMs * 0.1) && performance.now() < deadline; w++) await s.run(feeds);
      const times: number[] = [];
      while (times.length < m.maxRuns && (times.length === 0 || performance.now() < deadline)) {
        const t = performance.now();
        await s.run(feeds);
        times.push(performance.now() - t);
      }
      return { times };
    }
    case 'release': {
      const s = sessions.get(m.session);
      sessions.delete(m.session);
      await (await s?.catch(() => undefined))?.release();
      return {};
    }
    case 'peak':
      return { peakMb: peakMb() };
  }
}

process.on('message', (m: HostRequest) => {
  handle(m).then(
    (result) => process.send!({ id: m.id, result } satisfies HostReply),
    (err: Error) => process.send!({ id: m.id, error: err?.message ?? String(err) } satisfies HostReply),
  );
});
// the parent went away: nothing left to do
process.on('disconnect', () => process.exit(0));

// ...and when this thread is inside a native run that never yields, the host must end with its
// parent all the same (it would burn CPU and hold the caller's stdout open): where it was started
// through setpriv --pdeathsig (session.ts), the kernel ends it; elsewhere a watcher on a thread of
// its own sees the parent gone (this process re-parented) and ends it. Started before anything
// else, so that no run can begin before it (after the warm-up, it missed a run that started first).
if (process.env[ENDS_WITH_PARENT] !== '1') {
  new Worker(
    `const { workerData } = require('node:worker_threads');
    setInterval(() => { if (process.ppid !== workerData) process.kill(process.pid, 'SIGKILL'); }, 200);`,
    { eval: true, workerData: process.ppid, resourceLimits: { maxOldGenerationSizeMb: 8 } },
  ).unref();
}

// onnxruntime's first session in a process sets up its environment (~60 ms on the development
// machine): done at once with the smallest model, while deploy-check still reads its checklist
void ort.InferenceSession.create(identityModel(), { ...SESSION_OPTIONS, executionProviders: [...SESSION_OPTIONS.executionProviders] })
  .then((s) => s.release())
  .catch(() => undefined); // only a head start: the checklist's model is created as it would be without it
