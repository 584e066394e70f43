import { createHash } from 'node:crypto';
import { problemsOf, type Problem } from './problems.js';
import type { Report } from './types.js';

const SEVERITY: Record<Problem['level'], string> = { error: 'major', warning: 'minor', note: 'info' };

/**
 * GitLab's Code Quality report (the subset of the Code Climate issue format GitLab reads): one issue
 * per problem, as in SARIF, at a path relative to the repository. Every issue has the fields GitLab's
 * schema requires (an invalid one ends its reading of the file), and a fingerprint unique in the file
 * (GitLab keeps one issue per fingerprint) and stable across runs: the check, the problem and its place.
 */
export function formatCodeQuality(report: Report, where: (file: string) => string): string {
  const seen = new Map<string, number>();
  const issues = report.checks.flatMap((check) =>
    problemsOf(check, report).map((p) => {
      const path = where(p.file);
      const key = `${check.id}\u0000${p.text}\u0000${path}\u0000${p.line ?? ''}`;
      const n = seen.get(key) ?? 0;
      seen.set(key, n + 1);
      return {
        type: 'issue',
        check_name: `deploy-check/${check.type}`,
        description: p.text,
        categories: ['Bug Risk'],
        severity: SEVERITY[p.level],
        fingerprint: createHash('sha256').update(`${key}\u0000${n}`).digest('hex').slice(0, 32),
        location: { path, lines: { begin: p.line ?? 1 } },
      };
    }),
  );
  return `${JSON.stringify(issues, null, 2)}\n`;
}
