import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countWords, normalizeHeading, parseMarkdown } from '../../src/input/markdown.js';
import { checklistWith, FIXTURES, runScenario } from '../helpers.js';

const COMPLETE = readFileSync(join(FIXTURES, 'breast-cancer', 'MODEL_CARD.md'), 'utf8');

async function card(markdown: string, options = '') {
  const report = await runScenario({
    'checklist.yaml': checklistWith(`  - type: model-card\n    path: MODEL_CARD.md\n${options}`),
    'MODEL_CARD.md': markdown,
  });
  const check = report.checks[0]!;
  return { status: check.status, codes: check.findings.map((f) => f.code), findings: check.findings, check };
}

describe('model-card', () => {
  it('passes the complete fixture card with the nine default sections', async () => {
    const r = await card(COMPLETE, '    front_matter: [license, owners]\n');
    expect(r.codes).toEqual([]);
    expect(r.status).toBe('pass');
    expect((r.check.details as { sections: unknown[] }).sections).toHaveLength(9);
  });

  it('reports each missing section as its own finding, with where to add it', async () => {
    const without = COMPLETE.replace(/## Factors[\s\S]*?(?=## Metrics)/, '').replace(/## Ethical Considerations[\s\S]*?(?=## Caveats)/, '');
    const r = await card(without);
    expect(r.status).toBe('fail');
    expect(r.findings.map((f) => f.message)).toEqual(['missing section "Factors"', 'missing section "Ethical Considerations"']);
    expect(r.findings[0]!.location).toBe('MODEL_CARD.md');
  });

  it('accepts aliases and other capitalisation and numbering', async () => {
    const renamed = COMPLETE.replace('## Intended Use', '## 2. INTENDED USES').replace('## Caveats and Recommendations', '## Limitations').replace('## Model Details', 'Model details\n-------------');
    expect((await card(renamed)).codes).toEqual([]);
  });

  it('takes a configured list of sections', async () => {
    const r = await card('# Card\n\n## Overview\n\nA model that ranks samples for review.\n', '    sections: [Model Details, Security]\n');
    expect(r.findings.map((f) => f.message)).toEqual(['missing section "Security"']);
  });

  it('flags a required section without real content, subsections counting as content', async () => {
    const thin = COMPLETE.replace(/## Factors[\s\S]*?(?=## Metrics)/, '## Factors\n\n<!-- describe the factors -->\n\n');
    const r = await card(thin);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'section-empty', message: 'section "Factors" has no real content (0 words; at least 5 expected)' })]);
    expect(r.findings[0]!.location).toMatch(/^MODEL_CARD\.md:\d+$/);
    const nested = COMPLETE.replace(/## Factors[\s\S]*?(?=## Metrics)/, '## Factors\n\n### Groups\n\nAge and sex of the patients are not recorded.\n\n');
    expect((await card(nested)).codes).toEqual([]);
  });

  it('flags every template placeholder with its line, but not inside code blocks', async () => {
    const text = `${COMPLETE}\n## Notes\n\nTODO write this\n\nTBD\n\n[More Information Needed]\n\nLorem ipsum dolor sit amet\n\n{{ model_name }}\n\n\`\`\`\nTODO in code is fine\n\`\`\`\n`;
    const r = await card(text);
    const placeholders = r.findings.filter((f) => f.code === 'placeholder');
    expect(placeholders.map((f) => f.message)).toEqual([
      'template placeholder TODO left in the card',
      'template placeholder TBD left in the card',
      'template placeholder [More Information Needed] left in the card',
      'template placeholder Lorem ipsum left in the card',
      'template placeholder {{ template variable }} left in the card',
    ]);
    const lines = text.split('\n');
    for (const f of placeholders) {
      const line = Number(f.location!.split(':')[1]);
      expect(lines[line - 1]).toMatch(/TODO|TBD|More Information|Lorem|\{\{/);
    }
  });

  it('flags empty tables', async () => {
    const r = await card(`${COMPLETE}\n| Slice | Accuracy |\n| --- | --- |\n|  |  |\n`);
    expect(r.findings).toEqual([expect.objectContaining({ code: 'empty-table', message: 'table "Slice | Accuracy" has no values' })]);
  });

  it('requires front-matter fields, each its own finding', async () => {
    const noLicense = COMPLETE.replace('license: CC-BY-4.0\n', '').replace(/owners:\n( {2}- .*\n)+/, 'owners: []\n');
    const r = await card(noLicense, '    front_matter: [license, owners]\n');
    expect(r.findings.map((f) => f.message)).toEqual(['front matter has no "license"', 'front matter has no "owners"']);
    const none = await card(COMPLETE.replace(/^---[\s\S]*?---\n/, ''), '    front_matter: [license]\n');
    expect(none.findings.map((f) => f.message)).toEqual(['front matter field "license" is required, but the card has no YAML front matter']);
  });

  it('never executes front matter in another language', async () => {
    const r = await card(`---js\n{ license: (() => { throw new Error('ran') })() }\n---\n${COMPLETE.replace(/^---[\s\S]*?---\n/, '')}`, '    front_matter: [license]\n');
    expect(r.codes).toEqual(['front-matter-language', 'front-matter-field-missing']);
  });

  it('rejects malformed front matter YAML with its line in the card', async () => {
    await expect(card('---\nlicense: a\nlicense: b\n---\n# x\n')).rejects.toThrow(/MODEL_CARD\.md:3:1 {2}duplicate key/);
  });
});

describe('markdown structure', () => {
  it('finds ATX and setext headings, not headings in code', () => {
    const doc = parseMarkdown('Title\n=====\n\n## A ##\ntext\n```\n# not a heading\n```\n### B\n');
    expect(doc.sections.map((s) => [s.level, s.title, s.line])).toEqual([[1, 'Title', 1], [2, 'A', 4], [3, 'B', 9]]);
    expect(doc.sections[1]!.body.map((b) => b.text)).toContain('# not a heading');
  });

  it('normalises headings and counts words of prose only', () => {
    expect(normalizeHeading('3.1 Caveats & Recommendations:')).toBe('caveats and recommendations');
    expect(countWords(['<!-- hidden words here -->', '| a | b |', '| --- | --- |', 'Two [words](http://x.y/z)'])).toBe(4);
  });
});
