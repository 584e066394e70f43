import { Chalk } from 'chalk';
import type { LoadedChecklist } from '../checklist/load.js';
import { terminalText as t } from '../report/escape.js';
import { checkDefinition } from '../checks/index.js';
import { SECTIONS, TEST_IDS, TESTS, type Section } from '../spec/ml-test-score.js';

export { SECTIONS, TEST_IDS, TESTS, type Section };


export interface ScoredTest {
  id: string;
  section: Section;
  title: string;
  score: 0 | 0.5 | 1;
  /** the checks that automate it, or the evidence of a manual test */
  by: string[];
}

export interface MlTestScore {
  schema: 'deploy-check/ml-test-score@1';
  checklist: string;
  tests: ScoredTest[];
  sections: Record<Section, number>;
  final: number;
  band: string;
  uncovered: string[];
}

/** The paper's reading of the final score. */
export function band(score: number): string {
  if (score === 0) return 'more of a research project than a productionized system';
  if (score <= 1) return 'not totally untested, but it is worth considering the possibility of serious holes in reliability';
  if (score <= 2) return "there's been a first pass at basic productionization, but additional investment may be needed";
  if (score <= 3) return "reasonably tested, but it's possible that more of those tests and procedures may be automated";
  if (score <= 5) return 'strong levels of automated testing and monitoring, appropriate for mission-critical systems';
  return 'exceptional levels of automated testing and monitoring';
}

export function scoreChecklist(loaded: LoadedChecklist): MlTestScore {
  const by = new Map<string, { score: 0 | 0.5 | 1; by: string[] }>(TEST_IDS.map((id) => [id, { score: 0, by: [] }]));
  // manual tests declared in the checklist: half a point each, with their evidence
  for (const [id, manual] of Object.entries(loaded.checklist.ml_test_score ?? {})) {
    const entry = by.get(id)!;
    entry.score = 0.5;
    entry.by.push(`manual: ${manual!.evidence}`);
  }
  // checks in the gate automate tests: a full point, whatever a manual entry said
  for (const check of loaded.checks) {
    const ids = (check as { ml_test_score?: string[] }).ml_test_score ?? checkDefinition(check.type).mlTestScore;
    for (const id of ids) {
      const entry = by.get(id)!;
      if (entry.score < 1) entry.by = [];
      entry.score = 1;
      entry.by.push(`check ${check.id}`);
    }
  }
  const tests = TEST_IDS.map((id) => ({ id, ...TESTS[id]!, ...by.get(id)! }));
  const sections = Object.fromEntries(SECTIONS.map((s) => [s, tests.filter((x) => x.section === s).reduce((a, x) => a + x.score, 0)])) as Record<Section, number>;
  const final = Math.min(...SECTIONS.map((s) => sections[s]));
  return { schema: 'deploy-check/ml-test-score@1', checklist: loaded.file, tests, sections, final, band: band(final), uncovered: tests.filter((x) => x.score === 0).map((x) => x.id) };
}

export function formatScore(s: MlTestScore, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const mark = (v: number) => (v === 1 ? c.green('1  ') : v === 0.5 ? c.yellow('0.5') : c.dim('0  '));
  const out = [`${c.bold('ML Test Score')}  ${t(s.checklist)}  (Breck et al., 2017)`];
  for (const section of SECTIONS) {
    out.push('', `${c.bold(section)}: ${s.sections[section]} of 7`);
    for (const x of s.tests.filter((y) => y.section === section)) out.push(`  ${mark(x.score)} ${x.id.padEnd(4)} ${x.title}${x.by.length ? c.dim(`  (${t(x.by.join(', '))})`) : ''}`);
  }
  out.push('', `${c.bold(`final score ${s.final}`)} (the lowest section): ${s.band}`);
  if (s.uncovered.length) out.push(c.dim(`not covered: ${s.uncovered.join(', ')}`));
  return `${out.join('\n')}\n`;
}
