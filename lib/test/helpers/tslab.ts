// How a tslab cell failure shows in an executed notebook.

/**
 * `3:14 - Cannot find name 'x'.` (a TypeScript diagnostic), `    at evalmachine.<anonymous>` (a throw)
 * or `unexpected error: ...` (the kernel's own compiler failing on a cell).
 */
export function tslabFailure(stderr: string): boolean {
  return /^\d+:\d+ - /m.test(stderr) || /^\s+at .*evalmachine\./m.test(stderr) || /^unexpected error: /m.test(stderr);
}
