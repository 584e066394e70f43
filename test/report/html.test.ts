import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadChecklist, type LoadedChecklist } from '../../src/checklist/load.js';
import { binaryCurves } from '../../src/eval/curves.js';
import { exactSum } from '../../src/eval/metrics/exact-sum.js';
import type { MetricData } from '../../src/eval/metrics/index.js';
import { diffReports } from '../../src/report/diff.js';
import { formatDiff } from '../../src/report/diff-formats.js';
import { formatHtml } from '../../src/report/html.js';
import { intervalStrip } from '../../src/report/svg.js';
import { htmlPartOf } from '../../src/checks/index.js';
import type { CheckResult, Report } from '../../src/report/types.js';
import { runChecklist } from '../../src/run/runner.js';
import { ROOT } from '../helpers.js';

/** Debian's chromium package: the browser is never downloaded. */
const CHROMIUM = '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'deploy-check-html-'));

describe.skipIf(!existsSync(CHROMIUM))('the HTML report in a real browser (headless Chromium)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => browser?.close());

  /** Loads the page from a file; every request, console message and page error is recorded. */
  async function open(html: string, name: string) {
    const file = join(dir, `${name}.html`);
    writeFileSync(file, html);
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 }, javaScriptEnabled: false });
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
    return { page, requests, problems, url: pathToFileURL(file).href };
  }

  it('the example run: an overview first, each chart drawn once, details folded, nothing requested, no console errors', async () => {
    const report = await runChecklist(loadChecklist(join(ROOT, 'checklists', 'example.yaml')), { now: new Date('2026-11-28T12:00:00Z') });
    const { page, requests, problems, url } = await open(formatHtml(report, htmlPartOf), 'example');
    expect(requests).toEqual([url]);
    expect(problems).toEqual([]);
    expect(await page.locator('header h1').textContent()).toBe('Ready to deploy');
    // the overview: the model by file and digest, the data with its rows
    expect(await page.locator('table.models tbody tr').first().textContent()).toContain('model.onnx');
    expect(await page.locator('table.datasets tbody tr:has-text("holdout.csv")').textContent()).toContain('171');
    // every chart once, with a caption: one confusion matrix for the one evaluated dataset (not one per metric)
    const titles = await page.locator('svg.chart > title').allTextContents();
    expect(titles.sort()).toEqual(['by-tumour-size: metric per slice', 'holdout: ROC curve', 'holdout: calibration', 'holdout: confusion matrix', 'holdout: precision-recall curve'].sort());
    expect(await page.locator('figure > figcaption').count()).toBe(titles.length);
    expect(await page.locator('svg.chart:has(title:text-is("holdout: ROC curve")) polyline').count()).toBe(2);
    // one table of every gated metric, each with a plot scaled to its own range: accuracy's axis starts near its interval, not at 0
    const rows = await page.locator('table.metrics tbody tr').count();
    expect(await page.locator('table.metrics svg.strip').count()).toBe(rows);
    const axis = await page.locator('svg.strip:has(title:text-is("accuracy: accuracy")) text').allTextContents();
    expect(Number(axis[0])).toBeGreaterThan(0.85);
    // folded: nothing needs attention, so every check's details are closed
    expect(await page.locator('details.check').count()).toBe(report.checks.length);
    expect(await page.locator('details.check[open]').count()).toBe(0);
    expect(await page.evaluate('document.documentElement.scrollHeight')).toBeLessThan(5000);
    const shot = await page.screenshot({ fullPage: true, path: join(dir, 'example.png') });
    expect(shot.subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  }, 60_000);

  it('drift and a failing run: drift per column; what blocks the release first, its details open', async () => {
    const drift = await runChecklist(loadChecklist(join(ROOT, 'checklists', 'drift.yaml')));
    const d = await open(formatHtml(drift, htmlPartOf), 'drift');
    expect(d.problems).toEqual([]);
    expect(await d.page.locator('svg.chart > title').allTextContents()).toEqual(['weather: adjusted p-value per column', 'breast-cancer: adjusted p-value per column']);
    const unready = await runChecklist(loadChecklist(join(ROOT, 'checklists', 'unready.yaml')), { now: new Date('2026-11-28T12:00:00Z') });
    const u = await open(formatHtml(unready, htmlPartOf), 'unready');
    expect(await u.page.locator('header h1').textContent()).toBe('Not ready to deploy');
    const blocking = unready.checks.filter((c) => c.status === 'fail' && c.severity === 'error').map((c) => c.id);
    expect(await u.page.locator('#overview ul.reasons').first().locator('li a').allTextContents()).toEqual(expect.arrayContaining(blocking));
    expect(await u.page.locator('details.check').first().getAttribute('class')).toBe('check fail');
    expect(await u.page.locator('details.check[open]').count()).toBe(unready.checks.filter((c) => ['fail', 'error', 'warn'].includes(c.status)).length);
    await d.page.close();
    await u.page.close();
  }, 60_000);

  it('text from the inputs stays text: markup, scripts, control characters', async () => {
    const evil = '<script>document.title="pwned"</script><img src=x onerror=alert(1)><svg onload=alert(2)>"\'&\u0000\u001b[2K</title>';
    const check: CheckResult = {
      id: 'x', type: 'metric', title: evil, severity: 'error', tags: [], status: 'fail', message: evil,
      measurements: [{ name: evil, value: 0.5, ci: [0.4, 0.6], threshold: { min: 0.9 }, passed: false }],
      findings: [{ code: 'c', message: evil, location: evil, hint: evil }],
      details: { classes: [evil, 'b'], confusion_matrix: [[1, 2], [3, 4]] },
    };
    const report: Report = {
      schema: 'deploy-check/report@1', tool: { name: 'deploy-check', version: '0' }, checklist: { path: evil, name: evil, sha256: '0'.repeat(64) },
      inputs: [{ path: evil, sha256: '1'.repeat(64), bytes: 1 }], gate: { fail_on: 'error' }, verdict: 'fail',
      summary: { pass: 0, fail: 1, warn: 0, skip: 0, error: 0, waived: 0 }, checks: [check],
    };
    const { page, requests, problems, url } = await open(formatHtml(report, htmlPartOf), 'evil');
    expect(requests).toEqual([url]);
    expect(problems).toEqual([]);
    expect(await page.title()).toBe(`deploy-check: ${evil.replace('\u0000', '\ufffd').replace('\u001b', '\ufffd')}`);
    expect(await page.locator('script, img, [onerror], [onload]').count()).toBe(0);
    expect(await page.locator('svg.chart').count()).toBe(1);
    expect(await page.locator('svg.strip').count()).toBe(1);
    await page.close();
  }, 60_000);
});

describe('curves for the charts', () => {
  it('the ROC curve encloses the ROC AUC the metric reports; PR ends at recall 1; calibration bins hold every row', async () => {
    const { METRICS } = await import('../../src/eval/metrics/index.js');
    const n = 80;
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const truth = Int32Array.from({ length: n }, () => (random() < 0.4 ? 1 : 0));
    const scores = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const p = Math.min(0.999, Math.max(0.001, 0.5 * random() + (truth[i] ? 0.4 : 0.1)));
      scores[2 * i + 1] = Math.round(p * 20) / 20; // ties, as real scores have
      scores[2 * i] = 1 - scores[2 * i + 1]!;
    }
    const data = { n, task: 'binary' as const, C: 2, columns: 2, positive: 1, truth, scores, predicted: Int32Array.from({ length: n }, (_, i) => (scores[2 * i + 1]! >= 0.5 ? 1 : 0)), nonFinite: 0 };
    const c = binaryCurves(data);
    let area = 0;
    for (let k = 1; k < c.roc.length; k++) area += ((c.roc[k]![0] - c.roc[k - 1]![0]) * (c.roc[k]![1] + c.roc[k - 1]![1])) / 2;
    expect(Math.abs(area - (METRICS.roc_auc!.compute(data, {}) as number))).toBeLessThan(1e-3);
    expect(c.roc[0]).toEqual([0, 0]);
    expect(c.roc[c.roc.length - 1]).toEqual([1, 1]);
    expect(c.pr[c.pr.length - 1]![0]).toBe(1);
    expect(c.calibration.reduce((a, b) => a + b.n, 0)).toBe(n);
  });
});

describe('curves from sorted typed arrays', () => {
  /** The curves as first written: an index sort with a comparator, a point per distinct score, thinned after. */
  function reference(d: MetricData) {
    const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
    const n = d.n;
    const p = Float64Array.from({ length: n }, (_, i) => d.scores[i * d.C + d.positive]!);
    const pos = Uint8Array.from({ length: n }, (_, i) => (d.truth[i] === d.positive ? 1 : 0));
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b]! - p[a]!);
    const P = pos.reduce((a, b) => a + b, 0);
    const N = n - P;
    const roc: [number, number][] = [[0, 0]];
    const pr: [number, number][] = [];
    let tp = 0;
    let fp = 0;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      if (pos[i]) tp++;
      else fp++;
      if (k + 1 < n && p[order[k + 1]!] === p[i]) continue;
      roc.push([N ? fp / N : 0, P ? tp / P : 0]);
      pr.push([P ? tp / P : 0, tp / (tp + fp)]);
    }
    const thin = <T>(points: T[]): T[] => (points.length <= 101 ? points : Array.from({ length: 101 }, (_, k) => points[Math.round((k * (points.length - 1)) / 100)]!));
    return { roc: thin(roc).map(([a, b]) => [r4(a), r4(b)]), pr: thin(pr).map(([a, b]) => [r4(a), r4(b)]) };
  }

  it('give the same points as an index sort, with ties and with many distinct scores', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 400 })), { minLength: 2, maxLength: 600 }), fc.boolean(), (rows, coarse) => {
        const scores = new Float64Array(rows.length * 2);
        rows.forEach(([, s], i) => {
          scores[2 * i + 1] = coarse ? Math.round(s / 40) / 10 : s / 400;
          scores[2 * i] = 1 - scores[2 * i + 1]!;
        });
        const d: MetricData = { n: rows.length, task: 'binary', C: 2, columns: 2, positive: 1, truth: rows.map(([t]) => (t ? 1 : 0)), scores, predicted: rows.map(() => 0), nonFinite: 0 };
        const got = binaryCurves(d);
        const want = reference(d);
        expect(got.roc).toEqual(want.roc);
        expect(got.pr).toEqual(want.pr);
      }),
      { numRuns: 200 },
    );
  });

  it('give the calibration table of the rows, bin by bin; none when a score is not a probability', () => {
    const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.float({ min: 0, max: 1, noNaN: true })), { minLength: 2, maxLength: 400 }), (rows) => {
        const scores = Float32Array.from(rows, ([, s]) => s);
        const d: MetricData = { n: rows.length, task: 'binary', C: 2, columns: 1, positive: 1, truth: rows.map(([t]) => (t ? 1 : 0)), scores, predicted: rows.map(() => 0), nonFinite: 0 };
        // row by row, in the rows' order
        const bins = Array.from({ length: 10 }, () => ({ values: [] as number[], hits: 0 }));
        rows.forEach(([t, s]) => {
          const b = bins[Math.min(9, Math.floor(s * 10))]!;
          b.values.push(s);
          b.hits += t ? 1 : 0;
        });
        const want = bins.filter((b) => b.values.length).map((b) => ({ predicted: r4(exactSum(b.values.length, (i) => b.values[i]!) / b.values.length), observed: r4(b.hits / b.values.length), n: b.values.length }));
        expect(binaryCurves(d).calibration).toEqual(want);
      }),
      { numRuns: 200 },
    );
    // raw scores (a margin, say): ROC and PR as ever, no calibration table
    const raw: MetricData = { n: 3, task: 'binary', C: 2, columns: 1, positive: 1, truth: [0, 1, 1], scores: Float32Array.from([-0.5, 0.25, 2]), predicted: [0, 0, 1], nonFinite: 0 };
    const curves = binaryCurves(raw);
    expect(curves.calibration).toEqual([]);
    expect(curves.roc[curves.roc.length - 1]).toEqual([1, 1]);
  });
});

describe('the page, without a browser', () => {
  const base = (checks: CheckResult[]): Report => ({
    schema: 'deploy-check/report@1', tool: { name: 'deploy-check', version: '0' }, checklist: { path: 'c.yaml', sha256: '0'.repeat(64) },
    inputs: [], gate: { fail_on: 'error' }, verdict: 'pass', summary: { pass: checks.length, fail: 0, warn: 0, skip: 0, error: 0, waived: 0 }, checks,
  });
  const check = (c: Partial<CheckResult>): CheckResult => ({ id: 'x', type: 'metric', title: 'Metric', severity: 'error', tags: [], status: 'pass', message: 'ok', measurements: [], findings: [], ...c });

  it('lists every waiver, an unused one too (a sign it can go)', () => {
    const html = formatHtml(base([check({ id: 'recall', waiver: { state: 'unused', reason: 'known gap', approved_by: 'Ana', expires: '2026-12-31' } })]), htmlPartOf);
    expect(html).toMatch(/<table class="waivers">.*<td><a href="#check-recall">recall<\/a><\/td><td>unused<\/td><td>known gap<\/td><td>Ana<\/td><td>2026-12-31<\/td>/s);
  });
  it('scales a forest plot to its value, interval and threshold, within [0, 1] for a proportion', () => {
    const ends = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]+)<\/text>/g)].map((m) => Number(m[1]));
    expect(ends(intervalStrip('a', { value: 1, threshold: { min: 0.9 }, passed: true }))).toEqual([0.885, 1]);
    const [lo, hi] = ends(intervalStrip('b', { value: 0.97, ci: [0.93, 0.99], threshold: { min: 0.9 }, passed: true }));
    expect(lo).toBeGreaterThan(0.8); // not from zero
    expect(hi).toBeLessThanOrEqual(1);
    expect(ends(intervalStrip('c', { value: 120, threshold: { max: 100 }, passed: false }))).toEqual([97, 123]);
  });
  it('keeps a long slice label whole (in its title) rather than cutting it off', () => {
    const label = 'region = North-East metropolitan area, urban cores';
    const html = formatHtml(base([check({ id: 's', type: 'slices', details: { dataset: 'holdout', slices: [{ column: 'region', value: label.slice(9), n: 40, metric: 0.9, status: 'pass' }] } })]), htmlPartOf);
    expect(html).toContain(`<title>${label} (n = 40)</title>`);
  });
});

/** The W3C Nu HTML Checker, from the vnu-jar package; it needs Java. */
const VNU = join(ROOT, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
/** example.yaml with its hold-out as three CSV files (a glob) */
function exampleOnFiles(): LoadedChecklist {
  const c = loadChecklist(join(ROOT, 'checklists', 'example.yaml'));
  return { ...c, checklist: { ...c.checklist, datasets: { ...c.checklist.datasets, holdout: { path: '../fixtures/breast-cancer/parts/holdout-*.csv', label: 'diagnosis', missing: 'error' as const } } } };
}

describe('a dataset of several files', () => {
  it('shows the manifest digest with the file count, then every file with its own digest, size and rows', async () => {
    const report = await runChecklist(exampleOnFiles(), { now: new Date('2026-11-28T12:00:00Z') });
    const input = report.inputs.find((i) => i.files)!;
    const page = formatHtml(report, htmlPartOf);
    expect(page).toContain(`<td>../fixtures/breast-cancer/parts/holdout-*.csv (3 files)</td><td>171</td>`);
    for (const f of input.files!) expect(page).toContain(`<td>↳ ${f.path}</td><td><code>${f.sha256}</code></td><td>${f.bytes}</td><td>${f.rows}</td>`);
    expect(input.files!.map((f) => f.rows)).toEqual([60, 1, 110]);
  });
});

const java = spawnSync('java', ['-version']).status === 0;
if (!java) console.warn('skipped: the W3C Nu HTML Checker needs Java, which is not installed');
describe.skipIf(!java)('the W3C Nu HTML Checker (vnu.jar)', () => {
  it('finds no error and no warning in the pages of the example checklists, a hostile report and a diff', async () => {
    const files: string[] = [];
    for (const name of ['example', 'unready', 'drift', 'penguins']) {
      const file = join(dir, `vnu-${name}.html`);
      writeFileSync(file, formatHtml(await runChecklist(loadChecklist(join(ROOT, 'checklists', `${name}.yaml`)), { now: new Date('2026-11-28T12:00:00Z') }), htmlPartOf));
      files.push(file);
    }
    const split = join(dir, 'vnu-files.html');
    writeFileSync(split, formatHtml(await runChecklist(exampleOnFiles(), { now: new Date('2026-11-28T12:00:00Z') }), htmlPartOf));
    files.push(split);
    const a = await runChecklist(loadChecklist(join(ROOT, 'checklists', 'example.yaml')), { now: new Date('2026-11-28T12:00:00Z') });
    const b = await runChecklist(loadChecklist(join(ROOT, 'checklists', 'unready.yaml')), { now: new Date('2026-11-28T12:00:00Z') });
    writeFileSync(join(dir, 'vnu-diff.html'), formatDiff(diffReports(a, b, ['a.json', 'b.json']), 'html'));
    files.push(join(dir, 'vnu-diff.html'));
    const r = spawnSync('java', ['-jar', VNU, '--format', 'json', ...files], { encoding: 'utf8' });
    expect(JSON.parse(r.stderr || r.stdout).messages).toEqual([]);
  }, 120_000);
});
