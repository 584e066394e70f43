import { z } from 'zod';
import { datasetPath, inputPath, sha256 } from './fields.js';

// The checklist's vocabulary for models and datasets: what checks, the evaluation and the loader
// all speak of, below every one of them.
// an unquoted true/false is a YAML boolean, never a label as a file writes it (pandas writes True)
const label = z.union([z.string(), z.number().int()], {
  error: (iss) => (typeof iss.input === 'boolean' ? `YAML reads an unquoted ${String(iss.input)} as a boolean: quote the class as the dataset writes it ("${iss.input ? 'True' : 'False'}" or "${String(iss.input)}"; labels are compared as text)` : undefined),
});

const modelFields = {
  path: inputPath(),
  sha256: sha256().optional().describe('Pin: a different file is an error'),
  task: z.enum(['binary', 'multiclass', 'regression']).optional(),
  inputs: z
    .union([z.literal('auto'), z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1)]))], {
      error: 'expected "auto" or a mapping from model input names to a column or a list of columns',
    })
    .optional()
    .describe('"auto" (default) or { <model input>: column | [columns…] }'),
  outputs: z
    .strictObject({
      scores: z.string().min(1).optional().describe('Output holding class scores or probabilities'),
      label: z.string().min(1).optional().describe('Output holding the predicted label'),
      value: z.string().min(1).optional().describe('Output holding the predicted value (regression)'),
      kind: z.enum(['probabilities', 'logits']).optional().describe('What the scores are: probabilities (checked to be in [0, 1]; unset, they also must not come straight from a linear layer) or logits (a sigmoid or softmax is applied)'),
    })
    .optional(),
  classes: z.array(label).min(2).optional().describe('Order of the score columns'),
  positive: label.optional().describe('The positive class (binary only)'),
  threshold: z.number().min(0).max(1).optional().describe('Decision threshold on the positive score: positive when its probability is at least this (unset: the more probable class, a tie going to the first, as scikit-learn predicts)'),
};

export const modelSchema = z.strictObject(modelFields);

export const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
export const datasetsSchema = z.record(
  z.string().regex(ID, { error: 'expected a dataset name of letters, digits, "_", "." or "-"' }),
  z.strictObject({
    path: datasetPath().describe('.csv, .tsv, .jsonl or .parquet: a file, a glob (`*`, `?`, `[…]`, `**`) or a list of files of one format, read as one dataset in the order listed (a glob’s in code-point order)'),
    label: z.string().min(1).optional().describe('Column holding the true label or value'),
    missing: z.enum(['error', 'nan']).default('error').describe('A missing feature value: an error, or NaN where the model input is float'),
    predictions: z
      .strictObject({
        of: z.string().describe('The dataset whose rows were scored: their labels, the columns kept for slices, and the inputs of the rows re-scored here'),
        id: z.string().min(1).describe('The column holding each row’s id, in both files'),
        scores: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).describe('The score columns, one per class in the model’s class order; or one column (a binary model’s positive score, a regression’s value)'),
        verify: z
          .strictObject({
            rows: z.number().int().min(1).default(100).describe('Rows re-scored through onnxruntime-node'),
            tolerance: z.number().min(0).default(1e-4).describe('Largest accepted difference between a score in the file and the model’s'),
            seed: z.number().int().min(0).default(0).describe('Chooses the rows re-scored (by a hash of their ids)'),
          })
          .default({ rows: 100, tolerance: 1e-4, seed: 0 }),
      })
      .optional()
      .describe('This file holds scores written elsewhere (a batch-scoring engine), joined by id to the rows of another dataset'),
  }),
);


export type ModelSpec = z.output<typeof modelSchema>;
export type DatasetSpec = z.output<typeof datasetsSchema>[string];

/**
 * The spec of the model a role names: the candidate's own, or the baseline's, which inherits every
 * key it does not set from the candidate but its sha256 (exports often differ only in a few keys).
 */
export function roleSpec(model: ModelSpec, baseline: ModelSpec, role: 'model' | 'baseline'): ModelSpec {
  return role === 'model' ? model : { ...model, sha256: undefined, ...baseline };
}

/** What a run needs of a loaded checklist: where it is, its models and datasets (a LoadedChecklist is one). */
export interface ChecklistCore {
  file: string;
  dir: string;
  checklist: { model: ModelSpec; baseline?: ModelSpec; datasets?: Record<string, DatasetSpec> };
  /** the checks, as loaded (a monitoring plan compares them with what it watches) */
  checks: readonly object[];
  /** model files the loader read to plan them (by absolute path): the run takes these bytes, not a second read */
  modelFiles?: ReadonlyMap<string, Buffer>;
}
