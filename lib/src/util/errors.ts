/**
 * A user-facing error: names the field/column/row that is wrong and what was expected.
 * The CLI prints `message` without a stack trace; the server maps it to a 4xx.
 */
export class VigilError extends Error {
  readonly field?: string;
  readonly row?: number;
  constructor(message: string, opts: { field?: string; row?: number } = {}) {
    super(message);
    this.name = 'VigilError';
    this.field = opts.field;
    this.row = opts.row;
  }
}

/** Throws a VigilError naming `field` (and `row` when given). */
export function fail(field: string, expected: string, row?: number): never {
  const where = row === undefined ? `'${field}'` : `'${field}' at row ${row}`;
  throw new VigilError(`${where}: ${expected}`, { field, row });
}

export function isVigilError(e: unknown): e is VigilError {
  return e instanceof VigilError;
}
