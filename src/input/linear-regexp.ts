import v8 from 'node:v8';

// V8's linear-time regular-expression engine (the `l` flag): a user's pattern runs in time linear in
// the text, so no pattern can hang a run with catastrophic backtracking (`^(\w+\s?)*$`), which no
// time limit could interrupt on the main thread. Set before any such pattern is compiled.
v8.setFlagsFromString('--enable-experimental-regexp-engine');

/**
 * A pattern from a checklist, compiled for the linear-time engine. Throws, with the reason, when it
 * is not valid or uses what that engine cannot run in linear time: backreferences, lookarounds,
 * `\p{…}` classes, counted repetitions above 16 (`a{1,20}`).
 */
export function linearRegExp(pattern: string): RegExp {
  try {
    new RegExp(pattern);
  } catch (err) {
    throw new SyntaxError(`is not a valid regular expression: ${(err as Error).message}`);
  }
  try {
    return new RegExp(pattern, 'l');
  } catch {
    throw new SyntaxError('cannot run in linear time: backreferences, lookarounds, \\p{…} classes and counted repetitions above {16} are refused, so that no pattern can hang the run');
  }
}
