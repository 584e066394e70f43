import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

/** Whether a path is a pattern (holds `*`, `?` or `[`) rather than one file's name. */
export function isGlob(path: string): boolean {
  return /[*?[]/.test(path);
}

/**
 * The regular files a glob matches, relative to `dir` (or absolute, as the pattern is), sorted by
 * code point so that every machine lists them in the same order. Within a segment `*` matches any
 * characters, `?` one, `[abc]` / `[a-z]` / `[!a]` a class; a segment `**` matches any depth of
 * folders (none included). Names starting with "." are matched only by a segment that starts with
 * "." (as in a shell). Symbolic links to files count as files; links to folders are not followed by
 * `**` (no loops).
 */
export function glob(dir: string, pattern: string): string[] {
  const segments = pattern.split('/');
  const found = new Set<string>();
  const walk = (shown: string, at: number): void => {
    const full = isAbsolute(shown) ? shown : join(dir, shown);
    if (at === segments.length) {
      if (isFile(full)) found.add(shown);
      return;
    }
    const seg = segments[at]!;
    const next = (name: string): string => (shown === '' ? name : shown === '/' ? `/${name}` : `${shown}/${name}`);
    if (seg === '**') {
      walk(shown, at + 1);
      for (const e of entries(full)) if (e.isDirectory() && !e.name.startsWith('.')) walk(next(e.name), at);
      return;
    }
    if (!isGlob(seg)) {
      walk(seg === '' && at === 0 ? '/' : next(seg), at + 1);
      return;
    }
    const re = segmentRegExp(seg);
    for (const e of entries(full)) if (re.test(e.name)) walk(next(e.name), at + 1);
  };
  walk('', 0);
  return [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function entries(folder: string) {
  try {
    return readdirSync(folder || '.', { withFileTypes: true });
  } catch {
    return [];
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function segmentRegExp(seg: string): RegExp {
  let re = seg.startsWith('.') ? '' : '(?!\\.)';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = seg.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let body = seg.slice(i + 1, end);
        const negate = body.startsWith('!') || body.startsWith('^');
        if (negate) body = body.slice(1);
        re += `[${negate ? '^' : ''}${body.replace(/[\\\]^]/g, '\\$&')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
