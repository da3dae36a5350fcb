// Node provides the WebAssembly global, but this TypeScript setup (lib ES2022, no DOM) has no
// typings for it; this declares the part Vigil uses (data/wasmTrap.ts).
declare namespace WebAssembly {
  /** Thrown when wasm code traps (unreachable, out-of-bounds access). */
  class RuntimeError extends Error {}
}
