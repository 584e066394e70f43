import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers.js';

/**
 * The shape of src/: the folder says the layer, and imports (type imports too) only point down
 * that list, or stay within their folder; no two files import each other, directly or around a
 * circle. A new file in a new folder must be given its place here.
 */
const LAYERS = ['input', 'spec', 'onnx', 'eval', 'report', 'checks', 'checklist', 'run', 'commands', '.'] as const;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : f.endsWith('.ts') ? [p] : [];
  });
}

const SRC = join(ROOT, 'src');
const files = sources(SRC);
const edges = new Map(
  files.map((file) => {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) => normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '.ts'));
    return [file, targets] as const;
  }),
);
const layerOf = (file: string) => {
  const parts = relative(SRC, file).split('/');
  return (parts.length > 1 ? parts[0]! : '.') as (typeof LAYERS)[number];
};

describe('layout', () => {
  it('every source file is in a known layer', () => {
    expect(files.filter((f) => !LAYERS.includes(layerOf(f))).map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('imports point down the layers (or stay in their folder)', () => {
    const up = [...edges].flatMap(([from, targets]) =>
      targets.filter((to) => LAYERS.indexOf(layerOf(to)) > LAYERS.indexOf(layerOf(from))).map((to) => `${relative(ROOT, from)} -> ${relative(ROOT, to)}`),
    );
    expect(up).toEqual([]);
  });

  it('no import circle, type imports included', () => {
    // Tarjan's strongly connected components: a component of more than one file is a circle
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const circles: string[][] = [];
    const visit = (v: string) => {
      index.set(v, index.size);
      low.set(v, index.get(v)!);
      stack.push(v);
      for (const w of edges.get(v) ?? []) {
        if (!edges.has(w)) continue;
        if (!index.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do component.push((w = stack.pop()!));
        while (w !== v);
        if (component.length > 1) circles.push(component.map((f) => relative(ROOT, f)).sort());
      }
    };
    for (const f of files) if (!index.has(f)) visit(f);
    expect(circles).toEqual([]);
  });

  it('the test sees the imports it judges (it is not vacuous)', () => {
    expect(files.length).toBeGreaterThan(60);
    expect([...edges.values()].flat().length).toBeGreaterThan(200);
    // a known downward arrow is found
    expect(edges.get(join(SRC, 'checks', 'metric.ts'))).toContain(join(SRC, 'eval', 'bootstrap.ts'));
  });
});
