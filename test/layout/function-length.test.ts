import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

// No function in src/ over about 80 lines (90 here) without its reason written above it: a doc
// comment that says why it is long ("Long on purpose", "Long because"). A function inside one that
// gives a reason shares it.
const LIMIT = 90;
const REASON = /Long (on purpose|because)/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

it(`no function in src/ is over ${LIMIT} lines without a reason written above it`, () => {
  const long: string[] = [];
  for (const file of files(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node, excused: boolean): void => {
      let ok = excused;
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const lines = src.getLineAndCharacterOfPosition(node.getEnd()).line - src.getLineAndCharacterOfPosition(node.getStart()).line;
        const docs = ts.getJSDocCommentsAndTags(node).map((d) => d.getText()).join('\n');
        ok ||= REASON.test(docs);
        if (lines > LIMIT && !ok) long.push(`${relative(ROOT, file)}:${src.getLineAndCharacterOfPosition(node.getStart()).line + 1} (${lines} lines)`);
      }
      ts.forEachChild(node, (child) => visit(child, ok));
    };
    visit(src, false);
  }
  expect(long).toEqual([]);
});
