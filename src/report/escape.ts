/**
 * Every string that reaches a report may come from a model card, a dataset, a label or a file
 * name. Each output format makes such text inert in its own way, here and nowhere else.
 */

/** Control characters (C0, DEL, C1) and bidirectional overrides: shown as \u{…} so a terminal never acts on them. */
const TERMINAL_UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalText(s: string): string {
  return s.replace(TERMINAL_UNSAFE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}

/** Characters XML 1.0 forbids, even escaped (most C0 controls, lone surrogates, U+FFFE/U+FFFF). */
const XML_INVALID = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu;

export function xmlText(s: string): string {
  return s
    .replace(XML_INVALID, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** One Markdown table cell or list item: no HTML, no line breaks, no table or code breakouts. */
export function markdownText(s: string): string {
  return terminalText(s.replace(/\r\n|\r|\n/g, ' '))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|#~!])/g, '\\$1')
    .replace(/^([=+\-@])/, '\\$1');
}

/** HTML and SVG text and attribute values: markup characters escaped, controls replaced. */
export function htmlText(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * GitHub's runner reads a line of a step's output as a workflow command when, its leading
 * whitespace trimmed, it starts with "::", or when it holds "##[" anywhere (the older syntax:
 * `##[error]…`, `##[stop-commands]…`); a lone carriage return starts a line too. A leading space is
 * no defence (it is trimmed), so each output breaks the two sequences in its own terms, leaving the
 * text as it reads: plain text with an invisible zero-width space, JSON with the escape \u0023 for
 * '#' (a '#' can only be inside a JSON string), XML and HTML with character references.
 */
const LINE_START_COLONS = /^([^\S\r\n]*)::/gm;

export function ciInertText(s: string): string {
  return s.replace(/##\[/g, '#\u200b#[').replace(LINE_START_COLONS, '$1\u200b::');
}

export function ciInertJson(json: string): string {
  return json.replace(/##\[/g, '#\\u0023[');
}

export function ciInertMarkup(markup: string): string {
  return markup.replace(/##\[/g, '#&#35;[').replace(LINE_START_COLONS, '$1&#58;:');
}
