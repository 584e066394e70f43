import { formatJunit } from './junit.js';
import { formatMarkdown } from './markdown.js';
import { posix } from 'node:path';
import { formatHtml, type HtmlPartOf } from './html.js';
import { formatPretty } from './pretty.js';
import { formatSarif } from './sarif.js';
import { formatCodeQuality } from './codequality.js';
import type { Report } from './types.js';
import { ciInertJson, ciInertMarkup, ciInertText } from './escape.js';

export const FORMATS = ['pretty', 'json', 'junit', 'markdown', 'sarif', 'codequality', 'html'] as const;
export type Format = (typeof FORMATS)[number];

export interface FormatOptions {
  color: boolean;
  /** the checklist's folder relative to the working directory (SARIF paths are relative to the repository) */
  root?: string;
  /** the HTML page's part for each check type (defineCheck's htmlPart); without it, one list */
  partOf?: HtmlPartOf;
}

/** The JSON report is the stable contract: fixed key order, no timestamps, so identical inputs give identical bytes. */
function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export type Formatter = (report: Report, options: FormatOptions) => string;

const written: Record<Format, Formatter> = {
  pretty: formatPretty,
  json: formatJson,
  junit: formatJunit,
  markdown: formatMarkdown,
  html: (report, o) => formatHtml(report, o.partOf ?? (() => 'process')),
  sarif: (report, o) => formatSarif(report, fromRoot(o)),
  codequality: (report, o) => formatCodeQuality(report, fromRoot(o)),
};

/** A path relative to the checklist's folder, as a path from the working directory (the repository's root). */
const fromRoot = (o: FormatOptions) => (file: string) => posix.normalize(posix.join(o.root ?? '.', file));

/** How each format keeps a CI runner from reading any of its lines as a command (escape.ts). */
export const CI_INERT: Record<Format, (text: string) => string> = {
  pretty: ciInertText,
  markdown: ciInertText,
  json: ciInertJson,
  sarif: ciInertJson,
  codequality: ciInertJson,
  junit: ciInertMarkup,
  html: ciInertMarkup,
};

/** Every format, its output made inert for CI runners, whether it goes to stdout or to a file. */
export const formatters = Object.fromEntries(FORMATS.map((f) => [f, (report: Report, o: FormatOptions) => CI_INERT[f](written[f](report, o))])) as Record<Format, Formatter>;
