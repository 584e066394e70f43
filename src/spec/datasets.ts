import { InputError } from '../input/errors.js';

/**
 * A check without `dataset` uses the checklist's only dataset, or the one named "holdout".
 * Unknown names are caught when the checklist is loaded; this is the run-time resolution.
 */
export function resolveDatasetName(checklist: { datasets?: Record<string, unknown> }, name: string | undefined, file = 'checklist'): string {
  const names = Object.keys(checklist.datasets ?? {});
  if (name !== undefined) {
    if (!names.includes(name)) throw new InputError(file, `no dataset named "${name}"`);
    return name;
  }
  const d = defaultDataset(names);
  if (d === undefined) throw new InputError(file, 'a check needs a dataset, but none is set', undefined, 'add dataset: <name> to the check');
  return d;
}

export function defaultDataset(names: string[]): string | undefined {
  if (names.length === 1) return names[0];
  return names.includes('holdout') ? 'holdout' : undefined;
}

/**
 * Where a setting lives in a checklist, for messages that say what to change: the layers below
 * (eval) name a place through these, never by writing the checklist's keys themselves.
 */
export const place = {
  dataset: (name: string, key: 'label' | 'missing') => `datasets.${name}.${key}`,
  modelInputs: (role: string) => `${role}.inputs`,
};
