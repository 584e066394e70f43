// The checklist's vocabulary: the tests of the ML Test Score, which checks and checklists name.
/**
 * The ML Test Score of Breck, Cai, Nielsen, Salib and Sculley, "The ML Test Score: A Rubric for ML
 * Production Readiness and Technical Debt Reduction" (IEEE Big Data 2017): 28 tests in four
 * sections; each scores 0 (not done), 0.5 (done by hand, results documented) or 1 (automated and
 * run repeatedly); a section's score is its sum, and the final score is the lowest section's.
 */
export const SECTIONS = ['data', 'model', 'infrastructure', 'monitoring'] as const;
export type Section = (typeof SECTIONS)[number];

export const TESTS = {
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
} as const satisfies Record<string, { section: Section; title: string }>;
export type TestId = keyof typeof TESTS;
export const TEST_IDS = Object.keys(TESTS) as readonly TestId[];
