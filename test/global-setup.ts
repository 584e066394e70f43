import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Every temporary file of a test run (tests' folders, the CLIs they start) goes under one folder,
 * removed when the run ends: a run leaves nothing in the system's temporary directory.
 */
export default function setup(): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-check-tests-'));
  process.env.TMPDIR = dir;
  return () => rmSync(dir, { recursive: true, force: true });
}
