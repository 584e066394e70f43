/**
 * Errors that end a run with exit code 2 ("could not run"). Each renders as one line naming the
 * file, the place in it and what was expected; anything else that escapes is an internal error.
 */
export interface Position {
  line: number;
  col: number;
}

export class DeployCheckError extends Error {
  override name = 'DeployCheckError';
}

/** Bad command-line usage. */
export class UsageError extends DeployCheckError {
  override name = 'UsageError';
}

/** A file given to deploy-check (checklist, model, document, dataset) is unreadable or malformed. */
export class InputError extends DeployCheckError {
  override name = 'InputError';
  constructor(
    readonly file: string,
    readonly detail: string,
    readonly position?: Position,
    readonly hint?: string,
  ) {
    super(formatLocated(file, position, detail, hint));
  }
}

/** The checklist itself is invalid; `where` is the dotted path inside the document. */
export class ChecklistError extends InputError {
  override name = 'ChecklistError';
  constructor(file: string, readonly where: string, detail: string, position?: Position, hint?: string) {
    super(file, where ? `${where}: ${detail}` : detail, position, hint);
  }
}

export function formatLocated(file: string, position: Position | undefined, detail: string, hint?: string): string {
  const place = position ? `${file}:${position.line}:${position.col}` : file;
  return `${place}  ${detail}${hint ? ` (${hint})` : ''}`;
}
