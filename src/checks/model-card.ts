import { z } from 'zod';
import { inputPath } from '../spec/fields.js';
import { InputError } from '../input/errors.js';
import { countWords, findTables, normalizeHeading, parseMarkdown, type Section } from '../input/markdown.js';
import type { Finding } from '../report/types.js';
import { parseYaml } from '../input/yaml.js';
import { defineCheck } from './define.js';

/** The nine sections of Mitchell et al., "Model Cards for Model Reporting" (2019), with the names other templates use. */
export const MODEL_CARD_SECTIONS: Record<string, string[]> = {
  'Model Details': ['Model Description', 'Model Information', 'Model Overview', 'Overview', 'Details'],
  'Intended Use': ['Intended Uses', 'Uses', 'Intended Use Cases', 'Use Cases', 'Direct Use', 'Intended Purpose'],
  Factors: ['Relevant Factors', 'Evaluation Factors'],
  Metrics: ['Performance Metrics', 'Evaluation Metrics', 'Model Performance Measures', 'Performance Measures'],
  'Evaluation Data': ['Evaluation Dataset', 'Evaluation Datasets', 'Test Data', 'Testing Data', 'Validation Data'],
  'Training Data': ['Training Dataset', 'Training Datasets', 'Training Details'],
  'Quantitative Analyses': ['Quantitative Analysis', 'Results', 'Evaluation Results', 'Performance'],
  'Ethical Considerations': ['Ethics', 'Ethical Concerns', 'Ethical Risks'],
  'Caveats and Recommendations': ['Caveats', 'Limitations', 'Known Limitations', 'Recommendations', 'Bias, Risks, and Limitations', 'Risks and Limitations'],
};

/** Template leftovers, matched outside fenced code. */
const PLACEHOLDERS: { pattern: RegExp; name: string }[] = [
  { pattern: /\bTODO\b/, name: 'TODO' },
  { pattern: /\bTBD\b/, name: 'TBD' },
  { pattern: /\bFIXME\b/, name: 'FIXME' },
  { pattern: /\[more information needed\]/i, name: '[More Information Needed]' },
  { pattern: /\blorem ipsum\b/i, name: 'Lorem ipsum' },
  { pattern: /\{\{[^}]*\}\}/, name: '{{ template variable }}' },
  { pattern: /[[<](?:insert|add|your)\b[^\]>]*[\]>]/i, name: '[insert …]' },
];

export default defineCheck({
  type: 'model-card',
  title: 'Model card',
  runsModel: false,
  shards: 'merge',
  htmlPart: 'process',
  mlTestScore: ['M1'],
  description: 'A Markdown model card has the required sections with real content, no template placeholders, and the required front-matter fields.',
  options: () => ({
    path: inputPath().describe('The model card (Markdown)'),
    sections: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Required sections (default: the nine of Mitchell et al.); case-insensitive, common aliases accepted'),
    min_words: z.number().int().min(1).default(5).describe('Words of prose each required section must hold'),
    front_matter: z.array(z.string().min(1)).optional().describe('Fields the YAML front matter must hold (for example license, owners)'),
  }),
  async run(options, ctx) {
    const file = ctx.display(options.path);
    const doc = parseMarkdown(await ctx.readText(options.path));
    const findings: Finding[] = [];
    const at = (line: number) => `${file}:${line}`;

    const required = options.sections ?? Object.keys(MODEL_CARD_SECTIONS);
    const found: { section: string; heading: string; line: number; words: number }[] = [];
    for (const name of required) {
      const names = acceptedNames(name);
      const section = doc.sections.find((s) => names.has(normalizeHeading(s.title)));
      if (!section) {
        findings.push({ code: 'section-missing', message: `missing section "${name}"`, location: file, hint: `add a "## ${name}" heading${aliasHint(name)}` });
        continue;
      }
      const words = wordsIn(section);
      found.push({ section: name, heading: section.title, line: section.line, words });
      if (words < options.min_words) {
        findings.push({
          code: 'section-empty',
          message: `section "${section.title}" has no real content (${words} word${words === 1 ? '' : 's'}; at least ${options.min_words} expected)`,
          location: at(section.line),
          hint: 'write what a reader of this model needs to know',
        });
      }
    }

    for (const l of doc.lines) {
      if (l.inCode) continue;
      for (const p of PLACEHOLDERS) {
        if (p.pattern.test(l.text)) {
          findings.push({ code: 'placeholder', message: `template placeholder ${p.name} left in the card`, location: at(l.line), hint: 'replace it with the real content' });
        }
      }
    }
    for (const table of findTables(doc.lines)) {
      if (table.rows.length === 0 || table.rows.every((r) => r.every((c) => c === '' || /^[-–—]$/.test(c)))) {
        findings.push({ code: 'empty-table', message: `table "${table.header.filter(Boolean).join(' | ')}" has no values`, location: at(table.line), hint: 'fill it in or remove it' });
      }
    }

    const fields = frontMatterFields(doc.frontMatter, file, findings);
    for (const field of options.front_matter ?? []) {
      const value = fields?.get(field);
      if (value === undefined || isEmpty(value)) {
        findings.push({
          code: 'front-matter-field-missing',
          message: fields ? `front matter has no "${field}"` : `front matter field "${field}" is required, but the card has no YAML front matter`,
          location: fields ? at(1) : file,
          hint: fields ? `add "${field}: …" to the front matter` : `start the card with "---", "${field}: …", "---"`,
        });
      }
    }

    return {
      findings,
      summary: `${found.length} of ${required.length} sections with content, no placeholders`,
      details: { sections: found },
    };
  },
});

function acceptedNames(name: string): Set<string> {
  const key = Object.keys(MODEL_CARD_SECTIONS).find((k) => normalizeHeading(k) === normalizeHeading(name));
  return new Set([name, ...(key ? [key, ...MODEL_CARD_SECTIONS[key]!] : [])].map(normalizeHeading));
}

function aliasHint(name: string): string {
  const key = Object.keys(MODEL_CARD_SECTIONS).find((k) => normalizeHeading(k) === normalizeHeading(name));
  const aliases = key ? MODEL_CARD_SECTIONS[key]! : [];
  return aliases.length ? ` (also accepted: ${aliases.slice(0, 3).join(', ')})` : '';
}

function wordsIn(section: Section): number {
  const stripped = section.body.map((b) => PLACEHOLDERS.reduce((t, p) => t.replace(new RegExp(p.pattern.source, `${p.pattern.flags}g`), ' '), b.text));
  return countWords(stripped);
}

/** Front matter is read as YAML data only; another language's front matter is refused, never run. */
function frontMatterFields(fm: ReturnType<typeof parseMarkdown>['frontMatter'], file: string, findings: Finding[]): Map<string, unknown> | undefined {
  if (!fm) return undefined;
  if (fm.language !== 'yaml') {
    findings.push({ code: 'front-matter-language', message: `front matter in "${fm.language}" is not read (only YAML front matter is)`, location: `${file}:1`, hint: 'use YAML front matter between "---" lines' });
    return undefined;
  }
  if (!fm.closed) {
    findings.push({ code: 'front-matter-unclosed', message: 'front matter is never closed by a "---" line', location: `${file}:1` });
    return undefined;
  }
  const doc = parseYaml(fm.text, file, 1);
  if (!doc) return new Map();
  if (typeof doc.value !== 'object' || doc.value === null || Array.isArray(doc.value)) {
    throw new InputError(file, 'front matter must be a YAML mapping', doc.positionOf([]));
  }
  return new Map(Object.entries(doc.value));
}

function isEmpty(v: unknown): boolean {
  if (v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}
