import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { childEnv } from '../input/child-env.js';
import { InputError } from '../input/errors.js';
import { PACKAGE_ROOT } from '../input/version.js';
import { ENDS_WITH_PARENT, pack, SESSION_OPTIONS, SLOT_MIN_BYTES, SLOTS, unpack, type HostReply, type HostStarted, type HostRequest, type HostRequestBody, type PackedTensor, type TypedArray, type WireTensor } from './host-protocol.js';

export type { WireTensor } from './host-protocol.js';
export { SESSION_OPTIONS } from './host-protocol.js';

export const ORT_VERSION: string = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;

/**
 * A session in the model host: runs, timed loops, release. Usable as soon as it is opened: requests
 * wait in the host until the model is loaded, and fail with the loading's error if it cannot be.
 */
export interface ModelSession {
  /**
   * The feeds are copied (to a slot or into the message) before `run` returns: the caller may refill
   * their arrays at once. With `rows` (a model whose inputs fix the batch size), the feeds hold a
   * multiple of that many rows: the host runs them that many rows at a time and joins the outputs.
   */
  run(feeds: Record<string, WireTensor>, fetches?: readonly string[], rows?: number): Promise<Record<string, WireTensor>>;
  /** Warm-up runs, then timed runs until `budgetMs` or `maxRuns`, measured in the host: each run's milliseconds. */
  time(feeds: Record<string, WireTensor>, options: { warmup: number; budgetMs: number; maxRuns: number }): Promise<number[]>;
  release(): Promise<void>;
  /** true once its model host was stopped */
  readonly stopped: boolean;
}

/** A session whose model the host has loaded, with its inputs and outputs as onnxruntime names them. */
export interface LoadedSession extends ModelSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

/** The model host was stopped (a limit, a crash): every run in it is gone. */
export class ModelRunStopped extends Error {}

/**
 * Default memory limit of the model host: 80% of the memory this process may use — the machine's,
 * or the container's when a cgroup limits it (CI runners often do) — so the guard acts before the
 * system's OOM killer.
 */
export const DEFAULT_MEMORY_LIMIT_MB = Math.floor((Math.min(totalmem(), cgroupLimit() ?? Infinity) / 2 ** 20) * 0.8);

function cgroupLimit(): number | undefined {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const n = Number(readFileSync(file, 'utf8').trim());
      if (Number.isFinite(n) && n > 0) return n;
    } catch {
      // not there: no cgroup limit of that kind
    }
  }
  return undefined;
}

/**
 * The child process that runs every model (host-child.ts). A native run cannot be interrupted from
 * JavaScript; in a child it can be watched and ended: its resident memory is read every 50 ms
 * while a request is pending, and past the limit the child is killed; a check past its time limit
 * kills it too (stopModelRuns). The next request starts a fresh host. The child holds no reference
 * on this process's event loop while idle.
 */
class Host {
  private child: ChildProcess;
  /** the requests sent to the host started last, until it first answers (launch) */
  private unanswered: HostRequest[] | undefined;
  private readonly pending = new Map<number, { resolve: (r: NonNullable<HostReply['result']>) => void; reject: (e: Error) => void; slots: number[] }>();
  /** slot files, open here and in the child (unlinked at once: nothing is left behind) */
  private readonly slotFds: number[] = [];
  get slotCount(): number {
    return this.slotFds.length;
  }
  private readonly freeSlots: number[] = [];
  private nextId = 1;
  /** sessions are numbered here, so that requests can name one before the host has created it */
  nextSession = 1;
  private watchdog: NodeJS.Timeout | undefined;
  dead = false;

  constructor(private readonly limits: { memoryMb: number }) {
    this.slotFds.push(...openSlots(slotFolders.list));
    this.freeSlots.push(...this.slotFds.keys());
    this.child = this.launch(hostLaunch());
    this.idle();
  }

  /**
   * Starts the host process. One started through a setpriv that ends with exit code 1 before the
   * host has said it started (host-started.ts) is setpriv refusing --pdeathsig (which
   * takesParentDeathSignal thought it took): the host is started again without it, and the
   * requests sent so far are sent to that one. A host that started and then failed is not.
   */
  private launch(how: ReturnType<typeof hostLaunch>): ChildProcess {
    // no V8 flag: with --max-semi-space-size=1 (a young generation of 1 MB), the host took ~0.18 s
    // more CPU in a 1M-row run (3.48 against 3.30 s of the tree, three rounds of five runs), for
    // ~9 MB less at the tree's peak in the flights benchmark (268 against 277 MB), where its input
    // of 16 KB a batch now comes through a slot (SLOT_MIN_BYTES), read into a reused buffer
    const child = fork(childPath(), [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc', ...this.slotFds], ...how });
    // (only through setpriv: a host started without it is never started again)
    this.unanswered = how.execPath !== undefined ? [] : undefined;
    child.on('message', (m: HostReply | HostStarted) => {
      // the host itself has started (host-started.ts): setpriv took its options
      this.unanswered = undefined;
      if ('started' in m) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      this.freeSlots.push(...p.slots);
      this.idle();
      if (m.error !== undefined) p.reject(new Error(m.error));
      else p.resolve(m.result ?? {});
    });
    // a setpriv that refuses its options ends before the host could read what was sent to it
    const mayRetry = () => this.unanswered !== undefined && !this.dead;
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (child !== this.child) return;
      const sent = this.unanswered;
      if (code === 1 && sent && mayRetry()) {
        setpriv = null;
        this.child = this.launch(hostLaunch());
        if (this.pending.size) this.busy();
        else this.idle();
        for (const m of sent) this.child.send(m);
        return;
      }
      this.stop(`the model host ended (${signal ?? `exit code ${code}`}${signal === 'SIGKILL' ? ': out of memory?' : ''})`);
    };
    // the exit may come before the host's last messages are read: while a retry is possible, decided
    // once the channel has closed (its messages read: a host that said it started is not retried),
    // or a second later should it stay open (a process of setpriv's own holding it)
    child.on('exit', (code, signal) => {
      if (!(code === 1 && mayRetry() && child.connected)) return onExit(code, signal);
      let decided = false;
      const decide = () => {
        if (decided) return;
        decided = true;
        clearTimeout(late);
        onExit(code, signal);
      };
      const late = setTimeout(decide, 1000);
      child.once('disconnect', decide);
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child !== this.child || (err.code === 'EPIPE' && mayRetry())) return;
      this.stop(`the model host failed: ${err.message}`);
    });
    return child;
  }

  request(m: HostRequestBody, slots: number[] = []): Promise<NonNullable<HostReply['result']>> {
    if (this.dead) return Promise.reject(new ModelRunStopped('the model host has stopped'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slots });
      this.busy();
      const request = { ...m, id } as HostRequest;
      this.unanswered?.push(request);
      this.child.send(request);
    });
  }

  /** Feeds packed for a request, large typed arrays written to free slots (returned with the reply). */
  pack(feeds: Record<string, WireTensor>): { feeds: Record<string, PackedTensor>; slots: number[] } {
    const slots: number[] = [];
    const packed = Object.fromEntries(
      Object.entries(feeds).map(([k, t]) => {
        const d = t.data as TypedArray;
        if (ArrayBuffer.isView(d) && d.byteLength >= SLOT_MIN_BYTES && this.freeSlots.length) {
          const slot = this.freeSlots.pop()!;
          slots.push(slot);
          const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
          for (let at = 0; at < bytes.length; ) at += writeSync(this.slotFds[slot]!, bytes, at, bytes.length - at, at);
          return [k, { type: t.type, dims: [...t.dims], view: d.constructor.name, slot, length: d.byteLength } satisfies PackedTensor];
        }
        return [k, pack(t)];
      }),
    );
    return { feeds: packed, slots };
  }

  /** Ends the host and every run in it; pending requests fail with `reason`. */
  stop(reason: string): void {
    if (!this.dead) {
      this.dead = true;
      this.child.kill('SIGKILL');
      for (const fd of this.slotFds) closeSync(fd);
    }
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(new ModelRunStopped(reason));
  }

  private busy(): void {
    this.child.ref();
    (this.child.channel as { ref?: () => void } | undefined)?.ref?.();
    this.watchdog ??= setInterval(() => {
      const mb = residentMb(this.child.pid);
      if (mb !== undefined && mb > this.limits.memoryMb) this.stop(`the model used more than ${this.limits.memoryMb} MB of memory (${Math.round(mb)} MB)`);
    }, 50);
  }

  private idle(): void {
    if (this.pending.size) return;
    clearInterval(this.watchdog);
    this.watchdog = undefined;
    this.child.unref();
    (this.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }
}

/**
 * Slot files for large tensors: in /dev/shm (memory), else the temporary folder; where neither can
 * be written (a read-only /dev/shm and /tmp), none, and tensors go through the IPC channel — slower
 * for large batches, the same results.
 */
function openSlots(folders: readonly string[] = existsSync('/dev/shm') ? ['/dev/shm', tmpdir()] : [tmpdir()]): number[] {
  for (const base of folders) {
    const fds: number[] = [];
    let dir: string | undefined;
    try {
      dir = mkdtempSync(join(base, 'deploy-check-'));
      for (let i = 0; i < SLOTS; i++) fds.push(openSync(join(dir, String(i)), 'w+'));
      return fds;
    } catch {
      for (const fd of fds) closeSync(fd);
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }
  return [];
}

/**
 * How the host process starts: where util-linux's setpriv can (Linux), as
 * `setpriv --pdeathsig KILL node …`, so that the kernel ends the host when deploy-check ends,
 * however it ends (a SIGKILL, the host inside a native run that never returns). Elsewhere the host
 * watches for that itself with a thread of its own (host-child.ts), whose start costs ~50-100 ms of
 * CPU beside the read. The answer is kept for the process (tests may set it: `useParentDeathSignal`).
 *
 * Always with ORT_DISABLE_TELEMETRY=1: onnxruntime 1.29 and later collect telemetry on Linux and
 * macOS by default (a device id and an SQLite store of events written under
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime, with an fsync at every start, and uploads to
 * Microsoft), except where they see a CI system's variables; deploy-check opens no connection and
 * leaves nothing in the user's home, so its host opts out.
 */
function hostLaunch(): { execPath?: string; execArgv: string[]; env: NodeJS.ProcessEnv } {
  if (setpriv === undefined) setpriv = setprivAt.find(takesParentDeathSignal) ?? null;
  const env = { ORT_DISABLE_TELEMETRY: '1' };
  if (!setpriv) return { execArgv: [], env: childEnv(env) };
  return { execPath: setpriv, execArgv: ['--pdeathsig', 'KILL', process.execPath], env: childEnv({ ...env, [ENDS_WITH_PARENT]: '1' }) };
}
let setpriv: string | null | undefined;
let setprivAt = ['/usr/bin/setpriv', '/bin/setpriv'];

/**
 * Whether the setpriv at `path` takes --pdeathsig (util-linux 2.33 and later; RHEL 8's 2.32 does
 * not), read from the program itself, which names its options: running it to ask (a fork and two
 * programs started, synchronously) took 12-25 ms of every run's start on the development machine,
 * before the host could start. Should a setpriv name the option and refuse it, the host that fails
 * to start through it is started again without (Host).
 */
function takesParentDeathSignal(path: string): boolean {
  try {
    return readFileSync(path).includes('pdeathsig');
  } catch {
    return false;
  }
}

/**
 * Tests: whether a new host starts through setpriv --pdeathsig where it can (true, the default), or
 * never (false), or through the program at a path given, if it names the option.
 */
export function useParentDeathSignal(use: boolean | string): void {
  setprivAt = typeof use === 'string' ? [use] : ['/usr/bin/setpriv', '/bin/setpriv'];
  setpriv = use ? undefined : null;
}

/** The child's entry point, always the built one (from the sources, in tests, too): host-child.ts bundled by scripts/bundle.mjs. */
function childPath(): string {
  return join(PACKAGE_ROOT, 'dist', 'onnx', 'host-child.cjs');
}

function residentMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return (pages * 4096) / 2 ** 20;
  } catch {
    return undefined;
  }
}

const limits = { memoryMb: DEFAULT_MEMORY_LIMIT_MB };
const slotFolders: { list?: readonly string[] } = {};
let host: Host | undefined;

function currentHost(): Host {
  if (!host || host.dead) host = new Host(limits);
  return host;
}

/** Whether this run has started the model host (it then keeps the second core busy). */
export function modelHostStarted(): boolean {
  return host !== undefined && !host.dead;
}

/** Starts the model host now, so that it loads onnxruntime while this process reads the checklist and data. */
export function startModelHost(): void {
  currentHost();
}

/**
 * The folders a new host makes its slot files in (undefined: /dev/shm, then the temporary folder).
 * For tests: folders nothing can be created in make the host pass every tensor through the IPC
 * channel, as on a machine with a read-only /dev/shm and /tmp. The host running now keeps its slots.
 */
export function useSlotFolders(folders: readonly string[] | undefined): void {
  slotFolders.list = folders;
}

/** How many slot files the model host running now has (0: tensors go through the IPC channel). */
export function modelHostSlots(): number {
  return host && !host.dead ? host.slotCount : 0;
}

/** The memory limit for model runs now (MB). */
export function modelMemoryLimitMb(): number {
  return limits.memoryMb;
}

/** The memory limit for model runs from now on (each check sets its own). */
export function setModelMemoryLimit(mb: number): void {
  limits.memoryMb = mb;
}

/** Ends every model run in progress (a check past its time limit); the next run starts a fresh host. */
export function stopModelRuns(reason: string): void {
  host?.stop(reason);
}

/**
 * A deadline for a check's model runs: `bound(work, what)` stops the model host if the deadline
 * passes first (the work then fails with ModelRunStopped), and `cause(err)` tells whether an error
 * is that stop, naming the work that was late.
 */
export function modelRunDeadline(ms: number): { bound<T>(work: Promise<T>, what: string): Promise<T>; cause(err: unknown): string | undefined } {
  const deadline = performance.now() + ms;
  let late: string | undefined;
  return {
    bound(work, what) {
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<never>(() => {
        timer = setTimeout(() => {
          late = what;
          stopModelRuns(`${what} went past its deadline`);
        }, Math.max(0, deadline - performance.now()));
      });
      return Promise.race([work, expired]).finally(() => clearTimeout(timer));
    },
    cause: (err) => (err instanceof ModelRunStopped ? late : undefined),
  };
}

/** Peak resident memory of the model host so far (MB). */
export async function modelHostPeakMb(): Promise<number> {
  return (await currentHost().request({ op: 'peak' })).peakMb!;
}

/** Loads from the bytes already read and hashed, so the model run is exactly the one whose digest is reported. */
export function createSession(bytes: Uint8Array, displayPath: string): Promise<LoadedSession> {
  return openSession(bytes, displayPath).loaded;
}

/**
 * A session at once, and a promise of it loaded. Its requests are sent without waiting for the model
 * to load (the host keeps them until it is), so that a pass reads and sends its first batches while
 * onnxruntime starts; if the model cannot be loaded, they fail with the same error as `loaded`.
 */
export function openSession(bytes: Uint8Array, displayPath: string): { session: ModelSession; loaded: Promise<LoadedSession> } {
  const h = currentHost();
  const id = h.nextSession++;
  const created = h.request({ op: 'create', session: id, bytes, options: SESSION_OPTIONS }).catch((err: Error) => {
    if (err instanceof ModelRunStopped) throw err;
    throw new InputError(displayPath, `onnxruntime-node cannot load the model: ${oneLine(err.message)}`);
  });
  /** a request's error, or the loading's when the model could not be loaded */
  const failed = async (err: unknown): Promise<never> => {
    await created;
    throw err;
  };
  const session: ModelSession = {
    run: async (feeds, fetches, rows) => {
      const p = h.pack(feeds);
      const outputs = (await h.request({ op: 'run', session: id, feeds: p.feeds, ...(fetches ? { fetches: [...fetches] } : {}), ...(rows ? { rows } : {}) }, p.slots).catch(failed)).outputs!;
      return Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, unpack(t)]));
    },
    time: async (feeds, o) => {
      const p = h.pack(feeds);
      return (await h.request({ op: 'time', session: id, feeds: p.feeds, ...o }, p.slots).catch(failed)).times!;
    },
    release: async () => {
      if (!h.dead) await h.request({ op: 'release', session: id });
    },
    get stopped() {
      return h.dead;
    },
  };
  const loaded = created.then((c): LoadedSession => ({
    run: session.run,
    time: session.time,
    release: session.release,
    get stopped() {
      return h.dead;
    },
    inputNames: c.inputNames!,
    outputNames: c.outputNames!,
  }));
  loaded.catch(() => undefined); // whoever needs the model loaded awaits it, and runs fail with its error: not an unhandled rejection meanwhile
  return { session, loaded };
}

/** A tensor as the model host takes and gives it. */
export function tensor(type: string, data: WireTensor['data'], dims: readonly number[]): WireTensor {
  return { type, data, dims: [...dims] };
}

export function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ').trim();
}
