/** The report: plain data, the stable contract behind every output format (schema deploy-check/report@1). */
export const STATUSES = ['pass', 'fail', 'warn', 'skip', 'error', 'waived'] as const;
export type Status = (typeof STATUSES)[number];
export type Severity = 'error' | 'warn';

export interface Measurement {
  name: string;
  value: number | null;
  unit?: string;
  threshold?: { min?: number; max?: number };
  ci?: [number, number];
  passed?: boolean;
}

/** One problem a check found: a stable code, a plain-text message, where it is, what to do. */
export interface Finding {
  code: string;
  message: string;
  /** "file:line" or "file" where the problem is, relative to the checklist's folder */
  location?: string;
  hint?: string;
}

export interface CheckResult {
  id: string;
  type: string;
  title: string;
  severity: Severity;
  tags: string[];
  status: Status;
  /** One plain-text line: what was found (the first finding, or what passed). */
  message: string;
  measurements: Measurement[];
  findings: Finding[];
  details?: Record<string, unknown>;
  /**
   * The check's waiver, when it has one: `applied` (the check failed and the waiver covers it: status
   * `waived`), `expired` or `incomplete` (the check failed and stays failed), `unused` (it did not fail).
   */
  waiver?: { state: 'applied' | 'expired' | 'incomplete' | 'unused'; reason?: string; approved_by?: string; expires?: string };
}

export interface InputEvidence {
  path: string;
  sha256: string;
  bytes: number;
  rows?: number;
  /** a dataset of several files: each file's evidence, in the order read (sha256 is their manifest's) */
  files?: { path: string; sha256: string; bytes: number; rows: number }[];
}

export interface Report {
  schema: 'deploy-check/report@1';
  tool: { name: string; version: string };
  checklist: { path: string; name?: string; sha256: string };
  inputs: InputEvidence[];
  gate: { fail_on: Severity };
  verdict: 'pass' | 'fail';
  summary: Record<Status, number>;
  checks: CheckResult[];
  /** present, and true, only when the run was interrupted (SIGINT, SIGTERM): the checks run so far */
  incomplete?: true;
}
