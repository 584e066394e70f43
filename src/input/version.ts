import { readFileSync } from 'node:fs';

/** Read once from package.json, which sits one folder above both src/ and dist/. */
export const TOOL = {
  name: 'deploy-check',
  version: (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version,
};
