// Runs the deploy-check CLI in this process and prints its peak resident memory (MB) on stderr
// when it exits: `node bench/rss.mjs run checklist.yaml`. The peak is this process's own VmHWM:
// getrusage's maxRSS would also count the parent's memory at the fork (Linux carries it over exec).
import { readFileSync, writeSync } from 'node:fs';

function peakMb() {
  try {
    const kb = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    if (kb > 0) return kb / 1024;
  } catch {}
  return process.resourceUsage().maxRSS / 1024;
}
process.on('exit', () => writeSync(2, `\nPEAK_RSS_MB ${peakMb().toFixed(1)}\n`));
process.argv.splice(1, 1, new URL('../dist/cli.js', import.meta.url).pathname);
await import('../dist/cli.js');
