import { createWriteStream, mkdirSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

/** Write a file so that readers see either the old content or the complete new content. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Build a directory under a hidden temporary name and rename it into place when `fill`
 * succeeds, so a half-written directory never appears under its final name.
 */
export async function writeDirAtomic(path: string, fill: (tmpDir: string) => Promise<void> | void): Promise<void> {
  const parent = dirname(path);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(path)}.partial-${process.pid}-${Date.now()}`);
  mkdirSync(tmp, { recursive: true });
  try {
    await fill(tmp);
    if (existsSync(path)) rmSync(path, { recursive: true, force: true });
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/**
 * A streamed file that appears under its final name only when `commit` is called: written to a
 * hidden temporary file next to it and renamed, so an interrupted or failed run leaves nothing
 * (not an empty or half-written file) under `path`. `abort` removes the temporary file.
 */
export interface AtomicWriter {
  write(chunk: string): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export function openAtomicWriter(path: string): AtomicWriter {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const out = createWriteStream(tmp);
  let failed: Error | null = null;
  out.on('error', (e) => { failed = e; });
  const close = () => new Promise<void>((resolve) => { if (out.closed) resolve(); else out.end(() => resolve()); });
  return {
    write: (chunk) => new Promise<void>((resolve, reject) => {
      if (failed) { reject(failed); return; }
      if (out.write(chunk)) resolve();
      else out.once('drain', resolve).once('error', reject);
    }),
    async commit() {
      await close();
      if (failed) { rmSync(tmp, { force: true }); throw failed; }
      renameSync(tmp, path);
    },
    async abort() {
      await close();
      rmSync(tmp, { force: true });
    },
  };
}
