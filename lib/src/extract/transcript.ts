/**
 * ASR output beside the media. No speech recogniser runs here; an external ASR writes one JSON file
 * per video, `<video_id>.json`:
 *
 *   { "text": "full transcript",                         // string; may be "" (nothing recognised)
 *     "language": "en",                                  // optional BCP-47 / ISO 639 code
 *     "words": [ { "w": "full", "start": 0.31, "end": 0.52, "conf": 0.93 }, ... ] }   // optional
 *
 * `asr_confidence` is the mean word confidence; with no words it is the optional top-level
 * `"confidence"`, else missing. `text` may be omitted when `words` is given (words are joined).
 */
import { existsSync, readFileSync } from 'node:fs';
import { VigilError } from '../util/errors.js';

export interface TranscriptWord { w: string; start: number; end: number; conf: number }

export interface Transcript {
  text: string;
  language: string | null;
  words: TranscriptWord[];
  /** NaN when unknown. */
  asrConfidence: number;
}

function num(v: unknown, field: string, lo = -Infinity, hi = Infinity): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new VigilError(`${field}: expected a number in [${lo}, ${hi}], got ${JSON.stringify(v)}`, { field });
  }
  return v;
}

/** Validate a parsed transcript object; `source` (the file) prefixes every error's field. */
export function parseTranscript(raw: unknown, source: string): Transcript {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new VigilError(`${source}: expected a JSON object`, { field: source });
  const o = raw as Record<string, unknown>;
  const wordsRaw = o.words ?? [];
  if (!Array.isArray(wordsRaw)) throw new VigilError(`${source}: 'words' must be an array`, { field: `${source}.words` });
  const words = wordsRaw.map((w, i): TranscriptWord => {
    const f = `${source}.words[${i}]`;
    if (typeof w !== 'object' || w === null) throw new VigilError(`${f}: expected {w, start, end, conf}`, { field: f });
    const x = w as Record<string, unknown>;
    if (typeof x.w !== 'string') throw new VigilError(`${f}.w: expected a string`, { field: `${f}.w` });
    const start = num(x.start, `${f}.start`, 0);
    const end = num(x.end, `${f}.end`, start);
    return { w: x.w, start, end, conf: num(x.conf, `${f}.conf`, 0, 1) };
  });
  let text: string;
  if (typeof o.text === 'string') text = o.text;
  else if (o.text === undefined && words.length > 0) text = words.map((w) => w.w).join(' ');
  else throw new VigilError(`${source}.text: expected a string`, { field: `${source}.text` });
  if (o.language !== undefined && o.language !== null && typeof o.language !== 'string') {
    throw new VigilError(`${source}.language: expected a string`, { field: `${source}.language` });
  }
  const language = typeof o.language === 'string' && o.language !== '' ? o.language : null;
  let asrConfidence = NaN;
  if (words.length > 0) asrConfidence = words.reduce((s, w) => s + w.conf, 0) / words.length;
  else if (o.confidence !== undefined && o.confidence !== null) asrConfidence = num(o.confidence, `${source}.confidence`, 0, 1);
  return { text, language, words, asrConfidence };
}

/** Read `path` when it exists; null when there is no transcript (the model treats text as missing). */
export function readTranscript(path: string): Transcript | null {
  if (!existsSync(path)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new VigilError(`${path}: not valid JSON (${(e as Error).message})`, { field: path });
  }
  return parseTranscript(raw, path);
}
