/** True when any number anywhere inside `v` is NaN (JSON.stringify would hide it as null). */
export function containsNaN(v: unknown): boolean {
  if (typeof v === 'number') return Number.isNaN(v);
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v as ArrayLike<unknown>).some(containsNaN);
  if (v && typeof v === 'object') return Object.values(v).some(containsNaN);
  return false;
}
