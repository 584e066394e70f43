import { Chalk } from 'chalk';
import type { LoadedChecklist } from '../checklist/load.js';
import { terminalText as t } from '../report/escape.js';

/**
 * The ML Test Score of Breck, Cai, Nielsen, Salib and Sculley, "The ML Test Score: A Rubric for ML
 * Production Readiness and Technical Debt Reduction" (IEEE Big Data 2017): 28 tests in four
 * sections; each scores 0 (not done), 0.5 (done by hand, results documented) or 1 (automated and
 * run repeatedly); a section's score is its sum, and the final score is the lowest section's.
 */
export const SECTIONS = ['data', 'model', 'infrastructure', 'monitoring'] as const;
export type Section = (typeof SECTIONS)[number];

export const TESTS: Record<string, { section: Section; title: string }> = {
  D1: { section: 'data', title: 'Feature expectations are captured in a schema' },
  D2: { section: 'data', title: 'All features are beneficial' },
  D3: { section: 'data', title: "No feature's cost is too much" },
  D4: { section: 'data', title: 'Features adhere to meta-level requirements' },
  D5: { section: 'data', title: 'The data pipeline has appropriate privacy controls' },
  D6: { section: 'data', title: 'New features can be added quickly' },
  D7: { section: 'data', title: 'All input feature code is tested' },
  M1: { section: 'model', title: 'Model specs are reviewed and submitted' },
  M2: { section: 'model', title: 'Offline and online metrics correlate' },
  M3: { section: 'model', title: 'All hyperparameters have been tuned' },
  M4: { section: 'model', title: 'The impact of model staleness is known' },
  M5: { section: 'model', title: 'A simpler model is not better' },
  M6: { section: 'model', title: 'Model quality is sufficient on important data slices' },
  M7: { section: 'model', title: 'The model is tested for considerations of inclusion' },
  I1: { section: 'infrastructure', title: 'Training is reproducible' },
  I2: { section: 'infrastructure', title: 'Model specs are unit tested' },
  I3: { section: 'infrastructure', title: 'The ML pipeline is integration tested' },
  I4: { section: 'infrastructure', title: 'Model quality is validated before serving' },
  I5: { section: 'infrastructure', title: 'The model is debuggable' },
  I6: { section: 'infrastructure', title: 'Models are canaried before serving' },
  I7: { section: 'infrastructure', title: 'Serving models can be rolled back' },
  MON1: { section: 'monitoring', title: 'Dependency changes result in notification' },
  MON2: { section: 'monitoring', title: 'Data invariants hold for inputs' },
  MON3: { section: 'monitoring', title: 'Training and serving are not skewed' },
  MON4: { section: 'monitoring', title: 'Models are not too stale' },
  MON5: { section: 'monitoring', title: 'Models are numerically stable' },
  MON6: { section: 'monitoring', title: 'Computing performance has not regressed' },
  MON7: { section: 'monitoring', title: 'Prediction quality has not regressed' },
};
export const TEST_IDS = Object.keys(TESTS) as readonly string[];

/**
 * Which tests each check type automates when it is in the gate (a check can name others with
 * `ml_test_score`). Chosen conservatively: a check counts only for what it verifies on its own.
 */
export const DEFAULT_MAPPING: Record<string, string[]> = {
  data: ['D1'],
  'model-card': ['M1'],
  signoff: ['M1'],
  hyperparameters: ['I1'],
  staleness: ['MON4'],
  slices: ['M6'],
  metric: ['I4'],
  model: ['I2'],
  outputs: ['MON5'],
  determinism: ['MON5'],
  drift: ['MON3'],
  latency: ['MON6'],
  monitoring: ['MON7'],
  robustness: [],
  files: [],
};

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
    const ids = (check as { ml_test_score?: string[] }).ml_test_score ?? DEFAULT_MAPPING[check.type] ?? [];
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
