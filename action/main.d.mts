// Types of action/main.mjs, for the test suite (the action itself runs as plain JavaScript).
export interface ActionInputs {
  checklist: string;
  args: string[];
  workingDirectory: string;
  sarif: boolean;
  comment: boolean;
  compareBase: boolean;
  baseReport: string;
}
export const MAX_COMMENT: number;
export const OUTPUTS: string[];
export function marker(checklist: string): string;
export function inputsFrom(env: Record<string, string | undefined>): ActionInputs;
export function splitArgs(text: string): string[];
export function runArgs(inputs: ActionInputs, dir: string): string[];
export function commentBody(o: { checklist: string; markdown: string; diffMarkdown?: string; baseNote?: string }): string;
export function upsertComment(o: { api: string; token: string; repository: string; issue: number; body: string; checklist: string; fetchImpl?: typeof fetch }): Promise<{ action: 'created' | 'updated'; id: number }>;
export function main(env?: Record<string, string | undefined>, log?: (s: string) => void, fetchImpl?: typeof fetch): Promise<number>;
