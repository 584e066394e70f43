// Runs a command and measures it from outside: wall time, and the peak of the resident memory
// summed over its whole process tree (deploy-check and its model host, python and its threads),
// sampled every 20 ms from /proc. Shares no code with src/.
import { spawn } from 'node:child_process';
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

function treeRssMb(root) {
  const parent = children();
  const inTree = (pid) => {
    for (let p = pid, hops = 0; p && hops < 64; p = parent.get(p), hops++) if (p === root) return true;
    return false;
  };
  let kb = 0;
  for (const pid of parent.keys()) {
    if (!inTree(pid)) continue;
    try {
      kb += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {}
  }
  return kb / 1024;
}

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
    const timer = setInterval(() => (peakMb = Math.max(peakMb, treeRssMb(child.pid))), 20);
    child.on('error', reject);
    child.on('close', (status) => {
      clearInterval(timer);
      resolve({ seconds: (performance.now() - t) / 1000, peakMb, status, stdout, stderr });
    });
  });
}
