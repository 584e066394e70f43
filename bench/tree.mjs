// Runs a command and measures it from outside: wall time, and the peak of the resident memory
// summed over its whole process tree (deploy-check and its model host, python and its threads),
// sampled every 20 ms from /proc (see rescan). Shares no code with src/.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

function children() {
  const parent = new Map();
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {}
  }
  return parent;
}

/** The pids of root's tree: root and every process descended from it. */
function tree(root) {
  const parent = children();
  const inTree = (pid) => {
    for (let p = pid, hops = 0; p && hops < 64; p = parent.get(p), hops++) if (p === root) return true;
    return false;
  };
  return [...parent.keys()].filter(inTree);
}

const PAGE = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }));

/** The resident memory of these processes, summed (statm's resident pages: VmRSS). */
function rssMb(pids) {
  let pages = 0;
  for (const pid of pids) {
    try {
      pages += Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    } catch {}
  }
  return (pages * PAGE) / 2 ** 20;
}

/**
 * Whether the tree is looked for again at this sample: a look reads every process's stat (all of
 * /proc), and one a sample (every 20 ms) took ~19% of a core here — taken from the measured run,
 * which keeps both cores busy, more than from the single-threaded floor. The processes measured
 * start at once (the model host in a run's first half-second) and live to its end: every 100 ms in
 * the first second, every 500 ms after: the sampler takes ~4% of a core (3 s of `sleep`: 0.13 s).
 */
const rescan = (tick) => tick % (tick < 50 ? 5 : 25) === 0;

/** { seconds, peakMb, status, stdout, stderr } of `command args`. */
export function measure(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let peakMb = 0;
    let pids = [child.pid];
    let tick = 0;
    const timer = setInterval(() => {
      if (rescan(tick++)) pids = tree(child.pid);
      peakMb = Math.max(peakMb, rssMb(pids));
    }, 20);
    child.on('error', reject);
    child.on('close', (status) => {
      clearInterval(timer);
      resolve({ seconds: (performance.now() - t) / 1000, peakMb, status, stdout, stderr });
    });
  });
}
