/**
 * parquet-wasm decodes pages inside tasks it queues itself, so a corrupt page that makes the Rust
 * decoder panic surfaces as an *uncaught* `WebAssembly.RuntimeError: unreachable` (with a wasm
 * stack), not as a rejection of the read that asked for it — the process dies naming no file.
 * `guardWasmTrap` runs one read and, while it is pending, turns such a trap into its rejection so
 * the caller can say which file and row group failed. Other uncaught errors keep their usual fate.
 */
export class WasmTrap extends Error {
  constructor(message: string) { super(message); this.name = 'WasmTrap'; }
}

// Declared in types/webassembly.d.ts; looked up defensively in case a runtime lacks WebAssembly.
const RuntimeError: typeof WebAssembly.RuntimeError | undefined = globalThis.WebAssembly?.RuntimeError;
const isWasmTrap = (e: unknown): e is Error => RuntimeError !== undefined && e instanceof RuntimeError;

export async function guardWasmTrap<T>(read: () => Promise<T>): Promise<T> {
  let onTrap: (e: unknown) => void = () => undefined;
  const trapped = new Promise<never>((_, reject) => {
    onTrap = (e: unknown) => {
      if (isWasmTrap(e)) { reject(new WasmTrap(e.message)); return; }
      // Not ours: hand it back to the default handling once this listener is gone.
      release();
      process.nextTick(() => { throw e; });
    };
  });
  // The capture callback (when free) pre-empts 'uncaughtException' listeners such as a test runner's.
  const capture = !process.hasUncaughtExceptionCaptureCallback();
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    if (capture) process.setUncaughtExceptionCaptureCallback(null);
    else process.off('uncaughtException', onTrap);
  };
  if (capture) process.setUncaughtExceptionCaptureCallback(onTrap);
  else process.on('uncaughtException', onTrap);
  try {
    return await Promise.race([read(), trapped]);
  } finally {
    release();
  }
}
