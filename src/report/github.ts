import { appendFileSync } from 'node:fs';
import { blocksGate } from './exit-code.js';
import { splitLocation } from './format-value.js';
import { formatMarkdown } from './markdown.js';
import type { CheckResult, Report } from './types.js';

/**
 * GitHub Actions: one annotation per check that did not pass (`::error` when it blocks the gate,
 * `::warning` otherwise, `::notice` when waived), and the Markdown report appended to the step
 * summary. Every value is escaped as workflow commands require, so no text from the inputs can end
 * the command or start another one.
 */
export function githubAnnotations(report: Report, where: (location: string) => string): string[] {
  const out: string[] = [];
  for (const check of report.checks) {
    const level = annotationLevel(check, report.gate.fail_on);
    if (!level) continue;
    const located = check.findings.find((f) => f.location);
    const props = [`title=${property(`deploy-check: ${check.id} (${check.type})`)}`];
    if (located?.location) {
      const { file, line } = splitLocation(located.location);
      props.unshift(`file=${property(where(file))}`, ...(line ? [`line=${line}`] : []));
    }
    out.push(`::${level} ${props.join(',')}::${data(check.message)}`);
  }
  return out;
}

function annotationLevel(check: CheckResult, failOn: Report['gate']['fail_on']): 'error' | 'warning' | 'notice' | undefined {
  if (check.status === 'waived') return 'notice';
  if (check.status === 'pass' || check.status === 'skip') return undefined;
  return blocksGate(check, failOn) ? 'error' : 'warning';
}

/** Workflow-command data: %, CR and LF encoded (a line break would start a new command). */
export function data(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** A workflow-command property value: also : and , (which would end it). */
export function property(s: string): string {
  return data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** When GITHUB_ACTIONS=true: annotations on stderr (stdout may carry a report) and the step summary. */
export function publishToGithub(report: Report, env: NodeJS.ProcessEnv, writeErr: (s: string) => void, where: (location: string) => string): void {
  if (env.GITHUB_ACTIONS !== 'true') return;
  const lines = githubAnnotations(report, where);
  if (lines.length) writeErr(`${lines.join('\n')}\n`);
  if (env.GITHUB_STEP_SUMMARY) {
    try {
      appendFileSync(env.GITHUB_STEP_SUMMARY, `${formatMarkdown(report)}\n`);
    } catch (err) {
      writeErr(`deploy-check: cannot append to GITHUB_STEP_SUMMARY: ${(err as Error).message}\n`);
    }
  }
}
