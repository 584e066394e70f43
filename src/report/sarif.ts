import { problemsOf } from './problems.js';
import type { CheckResult, Report } from './types.js';

/**
 * SARIF 2.1.0 for code-scanning dashboards: one rule per check type, one result per problem of a
 * check that did not pass (each finding, each missed threshold, or the check's message when it
 * could not be evaluated), at the finding's file and line, or else at the checklist. Levels:
 * `error` when the check blocks the gate, `warning` when it does not, `note` when waived.
 * Every string is data in JSON: no escaping beyond JSON's is needed.
 */
export function formatSarif(report: Report, where: (location: string) => string = (l) => l): string {
  const types = [...new Set(report.checks.map((c) => c.type))].sort();
  const results = report.checks.flatMap((c) => resultsOf(c, report, where));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            informationUri: 'https://github.com/deploy-check/deploy-check',
            rules: types.map((t) => {
              const title = report.checks.find((c) => c.type === t)!.title;
              return { id: t, name: title, shortDescription: { text: title } };
            }),
          },
        },
        automationDetails: { id: `deploy-check/${report.checklist.name ?? report.checklist.path}` },
        results,
        properties: { verdict: report.verdict, checklist_sha256: report.checklist.sha256, ...(report.incomplete ? { incomplete: true } : {}) },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function resultsOf(check: CheckResult, report: Report, where: (location: string) => string): object[] {
  return problemsOf(check, report).map((p) => ({
    ruleId: check.type,
    level: p.level,
    message: { text: p.text },
    // the checklist's path in the report is as given; `where` knows its folder
    locations: [{ physicalLocation: { artifactLocation: { uri: artifactUri(where(p.file)) }, ...(p.line ? { region: { startLine: p.line } } : {}) } }],
    properties: { check: check.id, status: check.status, severity: check.severity },
  }));
}

/**
 * A path as SARIF's `artifactLocation.uri` (a URI reference, RFC 3986): each segment percent-encoded
 * ("my model.onnx" → "my%20model.onnx", "#" → "%23"), backslashes as slashes; an absolute path as a
 * file: URI.
 */
export function artifactUri(path: string): string {
  const p = path.split('\\').join('/');
  const encoded = p
    .split('/')
    // a lone surrogate has no UTF-8 form: U+FFFD, as a reader would show it
    .map((seg, i) => (i === 0 && /^[A-Za-z]:$/.test(seg) ? seg : encodeURIComponent(seg.replace(/[\ud800-\udfff]/gu, '\ufffd'))))
    .join('/');
  if (p.startsWith('/')) return `file://${encoded}`;
  if (/^[A-Za-z]:\//.test(p)) return `file:///${encoded}`;
  return encoded;
}
