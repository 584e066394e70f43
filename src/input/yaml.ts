import YAML, { isMap, isPair, isScalar, isSeq, LineCounter, type Node } from 'yaml';
import { InputError, type Position } from './errors.js';

/**
 * One strict way to read YAML for every document deploy-check reads (checklists, hyperparameters,
 * approvals, model-card front matter, monitoring plans): YAML 1.2 core schema only, no tags, no
 * merge keys, one document, unique keys, bounded aliases, no keys that reach object prototypes and
 * no numbers that JavaScript cannot hold exactly. Values keep their source positions so that
 * validation errors can say file:line:col.
 */
export type PathSegment = string | number;

export interface YamlDocument {
  value: unknown;
  /** Position of the node at `path`, or of its key when `key` is set; the nearest ancestor if absent. */
  positionOf(path: readonly PathSegment[], key?: boolean): Position | undefined;
}

const FORBIDDEN_KEYS = new Set(['__proto__']);
const MAX_ALIASES = 100;
const MAX_DEPTH = 64;

/**
 * One YAML document with positions, read strictly (see the rules above). Long because it is one
 * walk: the limits (aliases, depth, forbidden keys, numbers) are checked as the tree is visited,
 * with the line counter and the first problem shared by the visitors it defines.
 */
export function parseYaml(text: string, file: string, lineOffset = 0): YamlDocument | undefined {
  const lines = new LineCounter();
  const at = (offset: number): Position => {
    const p = lines.linePos(offset);
    return { line: p.line + lineOffset, col: p.col };
  };
  const docs = YAML.parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    merge: false,
    schema: 'core',
    strict: true,
  });
  const all = Array.isArray(docs) ? docs : [docs];
  if (all.length === 0) return undefined;
  const doc = all[0]!;
  for (const d of all) {
    const problem = d.errors[0];
    if (problem) {
      const detail = problem.code === 'DUPLICATE_KEY' ? 'duplicate key' : firstLine(problem.message);
      throw new InputError(file, detail, at(problem.pos[0]), problem.code === 'DUPLICATE_KEY' ? 'each key may appear once in a mapping' : undefined);
    }
  }
  if (all.length > 1) {
    const second = all[1]!;
    throw new InputError(file, 'several YAML documents in one file (found a second "---")', at(second.range[0]), 'put everything in one document');
  }
  if (doc.contents === null) return undefined;

  let aliases = 0;
  // an alias with no anchor before it is nearly always an unquoted value starting with "*" (a glob)
  const anchors = new Set<string>();
  const check = (node: unknown, depth: number): void => {
    if (depth > MAX_DEPTH) throw new InputError(file, `nesting deeper than ${MAX_DEPTH} levels`, where(node));
    if (YAML.isAlias(node)) {
      if (++aliases > MAX_ALIASES) throw new InputError(file, `more than ${MAX_ALIASES} aliases`, where(node), 'alias expansion is bounded');
      if (!anchors.has(node.source)) throw new InputError(file, `*${node.source} is a YAML alias, and no anchor &${node.source} comes before it`, where(node), 'quote a value that starts with * (a glob such as "*.csv")');
      return;
    }
    if (YAML.isNode(node) && node.anchor) anchors.add(node.anchor);
    if (YAML.isNode(node) && node.tag !== undefined) {
      throw new InputError(file, `YAML tag ${node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed`, tagPosition(node), 'write the plain value');
    }
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'number' && !Number.isFinite(v)) {
        throw new InputError(file, `number ${String(node.source ?? v)} is not finite`, where(node), 'use a finite number, or quote it if it is text');
      }
      if (typeof v === 'number' && Number.isInteger(v) && !Number.isSafeInteger(v)) {
        throw new InputError(file, `integer ${node.source ?? v} is beyond 2^53 and cannot be represented exactly`, where(node), 'quote it if it is text, such as a digest');
      }
    } else if (isMap(node)) {
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? pair.key.value : pair.key;
        if (typeof k !== 'string' && typeof k !== 'number') {
          throw new InputError(file, 'mapping keys must be plain strings', where(pair.key));
        }
        if (typeof k === 'string' && FORBIDDEN_KEYS.has(k)) {
          throw new InputError(file, `key "${k}" is not allowed`, where(pair.key));
        }
        check(pair.key, depth + 1);
        check(pair.value, depth + 1);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) check(item, depth + 1);
    }
  };
  // The node's range starts after its tag; point at the "!" itself.
  const tagPosition = (node: Node): Position | undefined => {
    if (!node.range) return undefined;
    let i = node.range[0] - 1;
    while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
    while (i >= 0 && !/\s/.test(text[i]!)) i--;
    return at(text[i + 1] === '!' ? i + 1 : node.range[0]);
  };
  const where = (node: unknown): Position | undefined =>
    YAML.isNode(node) && node.range ? at(node.range[0]) : undefined;
  check(doc.contents, 0);

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (err) {
    const message = (err as Error).message;
    if (/alias count/i.test(message)) throw new InputError(file, 'aliases expand beyond the allowed size', undefined, 'alias expansion is bounded');
    throw new InputError(file, firstLine(message));
  }

  return {
    value,
    positionOf(path, key = false) {
      let node: unknown = doc.contents;
      let best: Position | undefined = where(node);
      for (let i = 0; i < path.length; i++) {
        const seg = path[i]!;
        const last = i === path.length - 1;
        if (isMap(node)) {
          const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
          if (!pair) return best;
          const target = last && key ? pair.key : pair.value ?? pair.key;
          node = target;
        } else if (isSeq(node) && typeof seg === 'number') {
          node = node.items[seg];
        } else {
          return best;
        }
        best = where(node as Node) ?? best;
      }
      return best;
    },
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
