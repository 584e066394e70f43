import { findTables, type MarkdownDoc } from './markdown.js';
import { parseYaml } from './yaml.js';

/** A number a model card states about the model: where, the name it gives, the value as written. */
export interface Claim {
  line: number;
  /** the metric as the card names it ("Accuracy", "roc_auc", "F1 score") */
  name: string;
  /** the dataset as the card names it, when it does */
  dataset?: string;
  value: number;
  /** the value as the card writes it ("97.1%", "2 ms") */
  written: string;
  /** half of the last written digit's unit: a card that writes 0.97 claims [0.965, 0.975] */
  rounding: number;
  /** how it was found */
  source: 'model-index' | 'front matter metrics' | 'table';
}

/**
 * A written number, as a fraction when it is a percentage: "0.971", "97.1%", "0.97 ± 0.01" (the
 * first number), "97.1 % (95.2–98.4)". Undefined when the text holds no number.
 */
export function writtenNumber(text: string): { value: number; rounding: number } | undefined {
  const m = /([-+]?\d+(?:\.(\d+))?(?:[eE][-+]?\d+)?)\s*(%)?/.exec(text.replace(/,(?=\d{3}\b)/g, ''));
  if (!m) return undefined;
  const decimals = m[2]?.length ?? 0;
  const percent = m[3] === '%';
  const scale = percent ? 100 : 1;
  return { value: Number(m[1]) / scale, rounding: 0.5 * 10 ** -decimals / scale };
}

/**
 * Every claim of a card: Hugging Face `model-index` results and a front-matter `metrics:` list of
 * objects with a value (names alone claim nothing), and Markdown tables that hold metrics — a
 * "Metric" column with values beside it, or metric names as column headers with a dataset per row.
 * `isMetric` says which names are metrics (for tables whose headers are metrics).
 */
export function findClaims(doc: MarkdownDoc, file: string, isMetric: (name: string) => boolean): Claim[] {
  return [...frontMatterClaims(doc, file), ...tableClaims(doc, isMetric)];
}

function frontMatterClaims(doc: MarkdownDoc, file: string): Claim[] {
  const fm = doc.frontMatter;
  if (!fm || fm.language !== 'yaml' || !fm.closed) return [];
  const parsed = parseYaml(fm.text, file, fm.line);
  const root = parsed?.value as Record<string, unknown> | undefined;
  if (!parsed || typeof root !== 'object' || root === null) return [];
  const lineOf = (path: (string | number)[]) => parsed.positionOf(path)?.line ?? fm.line;
  const claims: Claim[] = [];
  const add = (path: (string | number)[], name: unknown, value: unknown, dataset: unknown, source: Claim['source']) => {
    if (typeof name !== 'string' || (typeof value !== 'number' && typeof value !== 'string')) return;
    const n = typeof value === 'number' ? { value, rounding: roundingOf(String(value)) } : writtenNumber(value);
    if (!n) return;
    claims.push({ line: lineOf(path), name, ...(typeof dataset === 'string' ? { dataset } : {}), ...n, written: String(value).trim(), source });
  };
  const index = root['model-index'];
  if (Array.isArray(index)) {
    index.forEach((model: unknown, m) => {
      const results = (model as { results?: unknown })?.results;
      if (!Array.isArray(results)) return;
      results.forEach((r: unknown, k) => {
        const result = r as { dataset?: { name?: unknown; type?: unknown }; metrics?: unknown };
        const dataset = result?.dataset?.name ?? result?.dataset?.type;
        if (!Array.isArray(result?.metrics)) return;
        result.metrics.forEach((x: unknown, j) => {
          const metric = x as { type?: unknown; name?: unknown; value?: unknown };
          add(['model-index', m, 'results', k, 'metrics', j, 'value'], metric?.type ?? metric?.name, metric?.value, dataset, 'model-index');
        });
      });
    });
  }
  const metrics = root.metrics;
  if (Array.isArray(metrics)) {
    metrics.forEach((x: unknown, j) => {
      if (typeof x !== 'object' || x === null) return; // a name alone ("- accuracy") claims no value
      const metric = x as { name?: unknown; type?: unknown; value?: unknown; dataset?: unknown };
      add(['metrics', j, 'value'], metric.name ?? metric.type, metric.value, metric.dataset, 'front matter metrics');
    });
  }
  return claims;
}

/** The rounding of a number as YAML wrote it (0.97 → 0.005; 1 → 0.5). */
function roundingOf(text: string): number {
  return writtenNumber(text)?.rounding ?? 0;
}

const METRIC_HEADERS = new Set(['metric', 'metrics', 'measure', 'measures']);

function tableClaims(doc: MarkdownDoc, isMetric: (name: string) => boolean): Claim[] {
  const claims: Claim[] = [];
  for (const table of findTables(doc.lines)) {
    const header = table.header.map((h) => h.trim());
    const metricCol = header.findIndex((h) => METRIC_HEADERS.has(h.toLowerCase()));
    table.rows.forEach((row, r) => {
      const line = table.line + 2 + r;
      if (metricCol >= 0) {
        // rows are metrics: each other column with a number is a value (its header may name the dataset)
        const name = row[metricCol]?.trim();
        if (!name) return;
        header.forEach((h, c) => {
          if (c === metricCol) return;
          const n = writtenNumber(row[c] ?? '');
          if (n) claims.push({ line, name, ...(header.length > 2 || datasetIn(h) ? { dataset: datasetIn(h) ?? h } : {}), ...n, written: row[c]!.trim(), source: 'table' });
        });
      } else if (header.some((h) => isMetric(h))) {
        // columns are metrics: the first column that is not one names the dataset
        const datasetCol = header.findIndex((h) => !isMetric(h));
        header.forEach((h, c) => {
          if (!isMetric(h)) return;
          const n = writtenNumber(row[c] ?? '');
          const dataset = datasetCol >= 0 ? row[datasetCol]?.trim() : undefined;
          if (n) claims.push({ line, name: h, ...(dataset ? { dataset } : {}), ...n, written: row[c]!.trim(), source: 'table' });
        });
      }
    });
  }
  return claims;
}

/** A value column's header names its dataset ("Hold-out value" → "Hold-out"); a bare "Value" names none. */
function datasetIn(header: string): string | undefined {
  const rest = header.replace(/\b(value|values|score|scores|result|results)\b/gi, '').trim();
  return rest || undefined;
}
