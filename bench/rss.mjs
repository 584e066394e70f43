// Runs the deploy-check CLI in this process and prints its peak resident memory (MB) on stderr
// when it exits: `node bench/rss.mjs run checklist.yaml`.
import { writeSync } from 'node:fs';

process.on('exit', () => writeSync(2, `\nPEAK_RSS_MB ${(process.resourceUsage().maxRSS / 1024).toFixed(1)}\n`));
process.argv.splice(1, 1, new URL('../dist/cli.js', import.meta.url).pathname);
await import('../dist/cli.js');
