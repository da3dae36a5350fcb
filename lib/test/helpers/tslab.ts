// How a tslab cell failure shows in an executed notebook.

/** `3:14 - Cannot find name 'x'.` (a TypeScript diagnostic) or `    at evalmachine.<anonymous>` (a throw). */
export function tslabFailure(stderr: string): boolean {
  return /^\d+:\d+ - /m.test(stderr) || /^\s+at .*evalmachine\./m.test(stderr);
}
