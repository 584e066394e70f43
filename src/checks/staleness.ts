import { z } from 'zod';
import { inputPath } from '../spec/fields.js';
import { parseMarkdown } from '../input/markdown.js';
import { cellAt } from '../eval/datasets/types.js';
import { columnIndex } from '../eval/datasets/index.js';
import { InputError } from '../input/errors.js';
import type { Finding, Measurement } from '../report/types.js';
import { parseYaml } from '../input/yaml.js';
import { defineCheck } from './define.js';
import { once } from '../input/once.js';

const DAY = 86_400_000;
const isoDate = once(() =>
  z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date as YYYY-MM-DD' }),
);

export default defineCheck({
  type: 'staleness',
  title: 'Staleness',
  runsModel: false,
  shards: 'merge',
  htmlPart: 'process',
  mlTestScore: ['MON4'],
  description: "The model's training date and the end of its training data are recent enough.",
  options: () => ({
    model: z.enum(['model', 'baseline']).default('model'),
    max_age_days: z.number().int().positive().describe('Oldest acceptable training date, in days before the run date'),
    training_date: isoDate().optional().describe('The training date, if neither the card nor the model records it'),
    card: inputPath().optional().describe('A model card whose YAML front matter has the training date'),
    field: z.string().min(1).default('training_date').describe('Front-matter field and ONNX metadata key holding the training date'),
    data: z
      .strictObject({ dataset: z.string(), column: z.string().min(1), max_age_days: z.number().int().positive().optional() })
      .optional()
      .describe('Training data whose latest date (in `column`) must be recent enough too (default: the same max_age_days)'),
  }),
  needs: (o) => (o.data ? [{ dataset: o.data.dataset, option: ['data', 'dataset'], models: [] }] : []),
  columns: (o) => (o.data ? [{ dataset: o.data.dataset, option: ['data', 'column'], columns: [o.data.column] }] : []),
  async run(o, ctx) {
    const today = Date.UTC(ctx.now.getUTCFullYear(), ctx.now.getUTCMonth(), ctx.now.getUTCDate());
    const findings: Finding[] = [];
    const measurements: Measurement[] = [];
    const model = await ctx.model(o.model);

    // Every source that states a training date; they must agree.
    const sources: { source: string; date: string }[] = [];
    if (o.training_date) sources.push({ source: 'the checklist', date: o.training_date });
    const meta = Object.hasOwn(model.info.metadata, o.field) ? model.info.metadata[o.field] : undefined;
    if (meta !== undefined) sources.push({ source: `the metadata of ${model.path}`, date: meta.trim().slice(0, 10) });
    if (o.card) {
      const file = ctx.display(o.card);
      const fm = parseMarkdown(await ctx.readText(o.card)).frontMatter;
      const doc = fm && fm.language === 'yaml' && fm.closed ? parseYaml(fm.text, file, 1) : undefined;
      const value = doc && typeof doc.value === 'object' && doc.value !== null ? (doc.value as Record<string, unknown>)[o.field] : undefined;
      if (value !== undefined && Object.hasOwn(doc!.value as object, o.field)) sources.push({ source: file, date: String(value).slice(0, 10) });
    }
    for (const s of sources) {
      if (!validDate(s.date)) throw new InputError(s.source === 'the checklist' ? ctx.checklist.file : s.source, `${o.field} "${s.date}" is not a date as YYYY-MM-DD`);
    }
    const distinct = [...new Set(sources.map((s) => s.date))];
    if (sources.length === 0) {
      findings.push({ code: 'no-date', message: `no training date recorded (looked for "${o.field}" in the model's metadata${o.card ? ' and the card' : ''})`, hint: `record ${o.field} in the ONNX metadata or the model card, or set training_date` });
    } else if (distinct.length > 1) {
      findings.push({ code: 'dates-disagree', message: `the training date differs between sources: ${sources.map((s) => `${s.date} in ${s.source}`).join(', ')}` });
    }
    if (distinct.length) {
      const newest = distinct.sort().at(-1)!;
      const age = Math.floor((today - Date.parse(`${newest}T00:00:00Z`)) / DAY);
      measurements.push({ name: 'model age', value: age, unit: 'days', threshold: { max: o.max_age_days }, passed: age >= 0 && age <= o.max_age_days });
      if (age < 0) findings.push({ code: 'future', message: `the training date ${newest} is in the future` });
    }

    let dataEnd: string | undefined;
    if (o.data) {
      const { source, spec } = await ctx.dataset(o.data.dataset);
      const col = columnIndex(source, o.data.column, 'staleness data.column');
      let latest = -Infinity;
      for await (const b of source.batches([{ index: col, as: 'cell' }], 8192)) {
        for (let i = 0; i < b.n; i++) {
          const cell = cellAt(b.cells[0]!, i);
          const t = cell instanceof Date ? cell.getTime() : typeof cell === 'string' ? isoTime(cell.trim()) : NaN;
          if (Number.isNaN(t)) throw new InputError(source.path, `${b.unit} ${b.refs[i]}: column "${o.data.column}": ${JSON.stringify(typeof cell === 'bigint' ? String(cell) : cell) ?? 'missing value'} is not a date (expected ISO 8601: YYYY-MM-DD, optionally with a time)`);
          if (t > latest) latest = t;
        }
      }
      dataEnd = new Date(latest).toISOString().slice(0, 10);
      const age = Math.floor((today - Date.parse(`${dataEnd}T00:00:00Z`)) / DAY);
      const max = o.data.max_age_days ?? o.max_age_days;
      // a sentinel (9999-12-31) or a misread date must not make old data look fresh
      const plausible = latest >= EARLIEST && age >= 0;
      measurements.push({ name: `training data age (${spec.name}, latest ${o.data.column})`, value: age, unit: 'days', threshold: { max }, passed: plausible && age <= max });
      if (age < 0) findings.push({ code: 'data-future', message: `the latest date in ${source.path} column "${o.data.column}" is ${dataEnd}, after the run date ${new Date(today).toISOString().slice(0, 10)}`, hint: 'a placeholder date such as 9999-12-31, or a misread date: the data\'s age cannot be known' });
      else if (latest < EARLIEST) findings.push({ code: 'data-implausible', message: `the latest date in ${source.path} column "${o.data.column}" is ${dataEnd}, before ${new Date(EARLIEST).toISOString().slice(0, 10)}`, hint: 'not a plausible date for training data' });
    }
    return {
      findings,
      measurements,
      summary: sources.length ? `trained ${distinct.sort().at(-1)}${dataEnd ? `, data until ${dataEnd}` : ''}` : undefined,
      details: { as_of: new Date(today).toISOString().slice(0, 10), training_date_sources: sources, ...(dataEnd ? { data_end: dataEnd } : {}) },
    };
  },
});

/** Training data dated before this is a misread value, not old data. */
const EARLIEST = Date.UTC(1900, 0, 1);

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO 8601 date or date-time (a date alone is midnight UTC); NaN for anything else (Date.parse reads "1" as 2001). */
function isoTime(s: string): number {
  const m = ISO.exec(s);
  if (!m || !validDate(`${m[1]}-${m[2]}-${m[3]}`)) return NaN;
  return m[4] === undefined ? Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`) : Date.parse(s.replace(' ', 'T'));
}

function validDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
}
