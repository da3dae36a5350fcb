import { isUtf8 } from 'node:buffer';
import { parseJson, type RequestResult } from './request.js';

/**
 * JSON from raw bytes (an HTTP body, one line of a JSONL file), refusing invalid UTF-8. Decoding
 * would silently turn bad bytes into U+FFFD and score a different video id or transcript than the
 * client sent; instead the request is refused with 400 naming the string that held them.
 */
export function parseJsonBytes(buf: Buffer): RequestResult<unknown> {
  const text = buf.toString('utf8');
  const parsed = parseJson(text);
  if (isUtf8(buf)) return parsed;
  // The bytes are not UTF-8: find the key or string value they landed in (now holding U+FFFD).
  const field = parsed.ok ? replacedField(parsed.value, '') : null;
  const where = field ?? 'body';
  return { ok: false, error: { status: 400, field: where, message: `'${where}' is not valid UTF-8 (send text as UTF-8)` } };
}

/** Path of the first key or string value containing U+FFFD, or null. */
function replacedField(v: unknown, path: string): string | null {
  if (typeof v === 'string') return v.includes('\uFFFD') ? path || 'body' : null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const hit = replacedField(v[i], `${path}[${i}]`);
      if (hit) return hit;
    }
    return null;
  }
  if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      const p = path ? `${path}.${k}` : k;
      if (k.includes('\uFFFD')) return p.length > 200 ? `${p.slice(0, 200)}…` : p;
      const hit = replacedField(x, p);
      if (hit) return hit;
    }
  }
  return null;
}
