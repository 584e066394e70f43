/**
 * Just enough Markdown structure for model cards: front matter, headings (ATX and setext) outside
 * fenced code, the lines of each section, tables. Line numbers are 1-based, in the original file.
 */
export interface FrontMatter {
  /** "yaml", or the language another engine would need ("js", "toml" …): never executed */
  language: string;
  text: string;
  /** line of the opening fence */
  line: number;
  closed: boolean;
}

export interface Heading {
  level: number;
  title: string;
  line: number;
}

export interface Section extends Heading {
  /** body lines up to the next heading of the same or a higher level (subsections included) */
  body: { line: number; text: string }[];
}

export interface MarkdownDoc {
  frontMatter?: FrontMatter;
  /** every line outside front matter and fenced code, with its line number */
  lines: { line: number; text: string; inCode: boolean }[];
  sections: Section[];
}

export function parseMarkdown(source: string): MarkdownDoc {
  const all = source.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let start = 0;
  let frontMatter: FrontMatter | undefined;
  const open = /^(---|\+\+\+)\s*([A-Za-z][\w-]*)?\s*$/.exec(all[0] ?? '');
  if (open) {
    const fence = open[1]!;
    const language = open[2]?.toLowerCase() ?? (fence === '+++' ? 'toml' : 'yaml');
    let end = -1;
    for (let i = 1; i < all.length; i++) {
      if (all[i] === fence || (fence === '---' && all[i] === '...')) {
        end = i;
        break;
      }
    }
    frontMatter = { language, text: all.slice(1, end === -1 ? all.length : end).join('\n'), line: 1, closed: end !== -1 };
    start = end === -1 ? all.length : end + 1;
  }

  const lines: MarkdownDoc['lines'] = [];
  let fence: string | undefined;
  let inComment = false;
  for (let i = start; i < all.length; i++) {
    let text = all[i]!;
    if (!fence) {
      // HTML comments render as nothing: their text is blanked, so a heading or a table inside one is none
      const visible = withoutComments(text, inComment);
      inComment = visible.inComment;
      text = visible.text;
    }
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(text);
    if (fence) {
      lines.push({ line: i + 1, text, inCode: true });
      if (m && m[1]![0] === fence[0] && m[1]!.length >= fence.length && text.trim() === m[1]) fence = undefined;
      continue;
    }
    if (m) {
      fence = m[1]!;
      lines.push({ line: i + 1, text, inCode: true });
      continue;
    }
    lines.push({ line: i + 1, text, inCode: false });
  }

  const headings: { heading: Heading; index: number; underline: boolean }[] = [];
  for (let k = 0; k < lines.length; k++) {
    const l = lines[k]!;
    if (l.inCode) continue;
    const atx = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(l.text);
    if (atx) {
      headings.push({ heading: { level: atx[1]!.length, title: (atx[2] ?? '').trim(), line: l.line }, index: k, underline: false });
      continue;
    }
    const next = lines[k + 1];
    const prev = lines[k - 1];
    if (next && !next.inCode && l.text.trim() && !/^\s*([-*+]|\d+[.)]|>|\|)/.test(l.text) && (!prev || !prev.text.trim() || prev.inCode)) {
      const setext = /^ {0,3}(=+|-+)[ \t]*$/.exec(next.text);
      if (setext) {
        headings.push({ heading: { level: setext[1]![0] === '=' ? 1 : 2, title: l.text.trim(), line: l.line }, index: k, underline: true });
        k++;
      }
    }
  }

  const sections: Section[] = headings.map((h, n) => {
    let endIndex = lines.length;
    for (let m = n + 1; m < headings.length; m++) {
      if (headings[m]!.heading.level <= h.heading.level) {
        endIndex = headings[m]!.index;
        break;
      }
    }
    const from = h.index + (h.underline ? 2 : 1);
    return { ...h.heading, body: lines.slice(from, endIndex).map(({ line, text }) => ({ line, text })) };
  });
  return { frontMatter, lines, sections };
}

/** A line with its HTML comments (`<!-- … -->`, possibly spanning lines) replaced by a space. */
function withoutComments(line: string, inComment: boolean): { text: string; inComment: boolean } {
  let out = '';
  let rest = line;
  while (rest) {
    if (inComment) {
      const end = rest.indexOf('-->');
      if (end < 0) break;
      rest = rest.slice(end + 3);
      inComment = false;
    } else {
      const begin = rest.indexOf('<!--');
      if (begin < 0) {
        out += rest;
        break;
      }
      out += `${rest.slice(0, begin)} `;
      rest = rest.slice(begin + 4);
      inComment = true;
    }
  }
  return { text: out.trimEnd(), inComment };
}

/** Heading text as compared: case-folded, numbering, emphasis and punctuation removed, "&" read as "and". */
export function normalizeHeading(title: string): string {
  return title
    .toLowerCase()
    .replace(/<[^>]*>/g, ' ')
    .replace(/[*_`]/g, '')
    .replace(/^\s*(?:\d+(?:\.\d+)*\.?|[ivx]+\.)\s+/, '')
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Words of prose in some lines: markup, comments, table rules and link targets do not count. */
export function countWords(lines: string[]): number {
  const text = lines
    .join('\n')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/\]\([^)]*\)/g, ']')
    .replace(/^\s*#{1,6}\s.*$/gm, ' ')
    .replace(/^\s*\|?(\s*:?-{3,}:?\s*\|)+\s*:?-*:?\s*$/gm, ' ');
  return text.match(/[\p{L}\p{N}][\p{L}\p{N}'’.-]*/gu)?.length ?? 0;
}

export interface Table {
  line: number;
  header: string[];
  rows: string[][];
}

/** GitHub-style pipe tables: a header row followed by a delimiter row. */
export function findTables(lines: MarkdownDoc['lines']): Table[] {
  const tables: Table[] = [];
  const cells = (t: string) => t.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
  for (let k = 0; k + 1 < lines.length; k++) {
    const head = lines[k]!;
    const delim = lines[k + 1]!;
    if (head.inCode || delim.inCode || !head.text.includes('|')) continue;
    if (!/^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(delim.text) || !delim.text.includes('-')) continue;
    const rows: string[][] = [];
    let j = k + 2;
    for (; j < lines.length && !lines[j]!.inCode && lines[j]!.text.includes('|') && lines[j]!.text.trim(); j++) rows.push(cells(lines[j]!.text));
    tables.push({ line: head.line, header: cells(head.text), rows });
    k = j - 1;
  }
  return tables;
}
