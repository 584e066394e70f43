// Renders the HTML report of checklists/example.yaml in headless Chromium (Debian's package; never a
// download) and writes docs/report.png, the screenshot the README shows. `npm run screenshot`
// (after `npm run build`).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { loadChecklist } from '../dist/checklist/load.js';
import { formatHtml } from '../dist/report/html.js';
import { htmlPartOf } from '../dist/checks/index.js';
import { runChecklist } from '../dist/run/runner.js';

const ROOT = new URL('..', import.meta.url).pathname;
const report = await runChecklist(loadChecklist(join(ROOT, 'checklists', 'example.yaml')), { now: new Date('2026-11-28T12:00:00Z') });
mkdirSync(join(ROOT, 'docs'), { recursive: true });
const html = join(mkdtempSync(join(tmpdir(), 'deploy-check-')), 'example-report.html');
writeFileSync(html, formatHtml(report, htmlPartOf));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1100, height: 1500 }, javaScriptEnabled: false });
await page.goto(pathToFileURL(html).href);
// the verdict, the overview and the metrics, then the evaluation section with its charts
await page.screenshot({ path: join(ROOT, 'docs', 'report.png'), clip: { x: 0, y: 0, width: 1100, height: 1100 } });
await page.locator('#evaluation-holdout').screenshot({ path: join(ROOT, 'docs', 'report-curves.png') });
await browser.close();
console.log(`wrote docs/report.png and docs/report-curves.png (from ${html})`);
