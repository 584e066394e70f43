import { formatJunit } from './junit.js';
import { formatMarkdown } from './markdown.js';
import { formatPretty } from './pretty.js';
import type { Report } from './types.js';

export const FORMATS = ['pretty', 'json', 'junit', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];

export interface FormatOptions {
  color: boolean;
}

/** The JSON report is the stable contract: fixed key order, no timestamps, so identical inputs give identical bytes. */
function formatJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

export type Formatter = (report: Report, options: FormatOptions) => string;

export const formatters: Record<Format, Formatter> = {
  pretty: formatPretty,
  json: formatJson,
  junit: formatJunit,
  markdown: formatMarkdown,
};
