import type { z } from 'zod';
import { VigilError } from '../util/errors.js';

/** `test.recall_at_fpr.0.02`; `(root)` for the file itself. */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

/** What was expected, in words: zod's message without its generic prefix. */
function expected(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // A union (a number or `{ value, ci }`) reports each branch; name what each branch wanted.
    const branches = issue.errors.map((errs) => errs.map((e) => e.message.replace(/^Invalid input: /, '')).join(', '));
    return `expected one of: ${branches.join(' | ')}`;
  }
  return issue.message.replace(/^Invalid input: /, '');
}

/**
 * A file that does not match its schema → a VigilError naming the file, the field path and what
 * was expected (the first problem; the others would repeat the same mistake). `field` is
 * `<file>:<path>` so callers (serving, CLI) can report it as one token.
 */
export function fileSchemaError(file: string, error: z.ZodError, source: string = file): VigilError {
  const issue = error.issues[0];
  const path = issue ? issuePath(issue.path) : '(root)';
  const why = issue ? expected(issue) : 'does not match its schema';
  return new VigilError(`${source}: '${path}' ${why}`, { field: `${file}:${path}` });
}
