import type { ParsedVideo } from './request.js';
import type { ReasonThresholds, ReasonModality } from './reasonThresholds.js';

/**
 * Reason codes: stable identifiers with human messages, for moderators and appeals. The catalogue is
 * documented in docs/serving.md; codes are never renamed (clients key on them), messages may improve.
 */
export const REASON_CODES = {
  KNOWN_CONTENT: 'matches previously blocked content',
  VISUAL_HIGH: 'violent or harmful imagery signal high',
  AUDIO_HIGH: 'harmful audio signal high',
  TRANSCRIPT_HIGH: 'harmful speech in transcript',
  ACCOUNT_RISK: 'account risk',
  MODALITY_MISSING: 'modality missing',
  SCORE_UNAVAILABLE: 'model score could not be computed; queued for human review',
} as const;
export type ReasonCodeName = keyof typeof REASON_CODES;

export interface ReasonCode {
  code: ReasonCodeName;
  modality: 'visual' | 'audio' | 'text' | 'meta' | 'content' | 'model';
  /** For *_HIGH and ACCOUNT_RISK: the tower logit; KNOWN_CONTENT: the match cosine; MODALITY_MISSING: 0. */
  score: number;
  message: string;
  evidence?: Record<string, unknown>;
}

export interface KnownMatch { videoId: string; cosine: number }
export interface TermContribution { term: string; contribution: number }

export interface ReasonInputs {
  video: ParsedVideo;
  /** The row's modality_logits (meta, visual, audio, text). */
  modalityLogits: ArrayLike<number>;
  /** Weights over the row's real (kept) frames / segments. */
  frameAttention: ArrayLike<number>;
  audioAttention: ArrayLike<number>;
  /** Times of the items the weights refer to (default: the video's frame_ts / audio_ts). */
  frameTimes?: ArrayLike<number>;
  audioTimes?: ArrayLike<number>;
  thresholds: ReasonThresholds;
  towers: string[];
  knownMatch?: KnownMatch | null;
  /** Terms that drove the text tower (computed only when the transcript signal is high). */
  terms?: TermContribution[];
}

/** Whether a tower's logit reaches its fitted threshold. */
export function isHigh(th: ReasonThresholds, m: ReasonModality, logit: number): boolean {
  const t = th.modality[m];
  return t !== null && logit >= t;
}

/** m:ss for messages. */
export function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?:??';
  const t = Math.max(0, Math.round(s));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')}`;
}

/**
 * The items that hold most of the attention: the smallest set of top-weighted items covering half
 * the mass (at most 10), reported as the time range they span plus the top three.
 */
export function attentionSpan(weights: ArrayLike<number>, ts: ArrayLike<number>): { start_s: number; end_s: number; top: { t_s: number; weight: number }[] } | null {
  const n = Math.min(weights.length, ts.length);
  if (n === 0) return null;
  // Evidence is only given when every weight and time is a real number (never "NaN:NaN" in a message).
  for (let i = 0; i < n; i++) if (!Number.isFinite(weights[i]) || !Number.isFinite(ts[i])) return null;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => weights[b] - weights[a] || a - b);
  const total = idx.reduce((s, i) => s + Math.max(0, weights[i]), 0);
  if (!(total > 0)) return null;
  let cum = 0;
  const chosen: number[] = [];
  for (const i of idx) {
    chosen.push(i);
    cum += Math.max(0, weights[i]);
    if (cum >= 0.5 * total || chosen.length >= 10) break;
  }
  const times = chosen.map((i) => ts[i]);
  return {
    start_s: Math.min(...times), end_s: Math.max(...times),
    top: idx.slice(0, 3).map((i) => ({ t_s: ts[i], weight: round(weights[i] / total, 4) })),
  };
}

/** What a visual or an audio code cites: the span of frames (or audio segments) its attention picked. */
const ATTENTION_EVIDENCE = {
  VISUAL_HIGH: { modality: 'visual', unit: 'frames', range: 'frame_range_s', top: 'top_frames' },
  AUDIO_HIGH: { modality: 'audio', unit: 'segments', range: 'segment_range_s', top: 'top_segments' },
} as const;

/** A VISUAL_HIGH / AUDIO_HIGH code from the tower's logit and its attention over timestamps. */
function attentionCode(code: keyof typeof ATTENTION_EVIDENCE, logit: number, weights: ArrayLike<number>, ts: ArrayLike<number>): ReasonCode {
  const e = ATTENTION_EVIDENCE[code];
  const span = attentionSpan(weights, ts);
  return {
    code, modality: e.modality, score: round(logit, 4),
    message: span ? `${REASON_CODES[code]} (${e.unit} ${fmtTime(span.start_s)}–${fmtTime(span.end_s)})` : REASON_CODES[code],
    ...(span ? { evidence: { [e.range]: [span.start_s, span.end_s], [e.top]: span.top } } : {}),
  };
}

function round(v: number, d: number): number { const p = 10 ** d; return Math.round(v * p) / p; }

/** The reason code of a match against known blocked content. */
export function knownContentCode(m: { videoId: string; cosine: number }): ReasonCode {
  return {
    code: 'KNOWN_CONTENT', modality: 'content', score: round(m.cosine, 4),
    message: `${REASON_CODES.KNOWN_CONTENT} (${m.videoId})`,
    evidence: { matched_video_id: m.videoId, cosine: round(m.cosine, 4) },
  };
}

export function buildReasonCodes(r: ReasonInputs): ReasonCode[] {
  const { video: v, thresholds: th } = r;
  const codes: ReasonCode[] = [];
  if (r.knownMatch) codes.push(knownContentCode(r.knownMatch));
  const high: ReasonCode[] = [];
  const lVis = r.modalityLogits[1], lAud = r.modalityLogits[2], lText = r.modalityLogits[3], lMeta = r.modalityLogits[0];
  if (r.towers.includes('visual') && isHigh(th, 'visual', lVis)) {
    high.push(attentionCode('VISUAL_HIGH', lVis, r.frameAttention, r.frameTimes ?? v.frameTs));
  }
  if (r.towers.includes('audio') && v.hasAudio && isHigh(th, 'audio', lAud)) {
    high.push(attentionCode('AUDIO_HIGH', lAud, r.audioAttention, r.audioTimes ?? v.audioTs));
  }
  if (r.towers.includes('text') && v.transcript && isHigh(th, 'text', lText)) {
    const terms = (r.terms ?? []).slice(0, 5);
    high.push({
      code: 'TRANSCRIPT_HIGH', modality: 'text', score: round(lText, 4),
      message: terms.length > 0 ? `${REASON_CODES.TRANSCRIPT_HIGH}: ${terms.map((t) => `"${t.term}"`).join(', ')}` : REASON_CODES.TRANSCRIPT_HIGH,
      evidence: { matched_terms: terms.map((t) => ({ term: t.term, contribution: round(t.contribution, 4) })) },
    });
  }
  // Strongest signal (relative to its threshold) first.
  const margin = (c: ReasonCode) => c.score - (th.modality[c.modality as ReasonModality] ?? 0);
  high.sort((a, b) => margin(b) - margin(a));
  codes.push(...high);

  const facts: string[] = [];
  const strikes = v.priorStrikes, age = v.accountAgeDays;
  if (Number.isFinite(strikes) && strikes >= th.account.priorStrikes && strikes > 0) facts.push(`${strikes} prior strike${strikes === 1 ? '' : 's'}`);
  if (Number.isFinite(age) && age < th.account.newAccountDays) facts.push(`new account (${Math.floor(age)} days old)`);
  const metaHigh = r.towers.includes('meta') && isHigh(th, 'meta', lMeta);
  if (facts.length > 0 || metaHigh) {
    codes.push({
      code: 'ACCOUNT_RISK', modality: 'meta', score: round(lMeta, 4),
      message: `${REASON_CODES.ACCOUNT_RISK}: ${facts.length > 0 ? facts.join('; ') : 'upload metadata signal high'}`,
      evidence: {
        prior_strikes: Number.isFinite(strikes) ? strikes : null,
        account_age_days: Number.isFinite(age) ? age : null,
        metadata_signal_high: metaHigh,
      },
    });
  }

  // Only modalities the model reads: one it has no tower for was never part of the score.
  const missing: { modality: ReasonCode['modality']; what: string }[] = [];
  if (r.towers.includes('audio') && !v.hasAudio) missing.push({ modality: 'audio', what: 'no audio track' });
  if (r.towers.includes('text') && (!v.transcript || v.transcript.trim() === '')) missing.push({ modality: 'text', what: 'no transcript' });
  if (!Number.isFinite(age) && !Number.isFinite(strikes)) missing.push({ modality: 'meta', what: 'no account history (age and strikes unknown)' });
  for (const m of missing) {
    codes.push({ code: 'MODALITY_MISSING', modality: m.modality, score: 0, message: `${REASON_CODES.MODALITY_MISSING}: ${m.what}; scored without it` });
  }
  return codes;
}

/** Lower-case word tokens, as a transcript's candidate terms. */
export function transcriptWords(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter((w) => w.length > 0);
}

/**
 * Leave-one-word-out variants of a transcript: for each distinct word (up to `maxTerms`, most
 * frequent first), the transcript with every occurrence removed. The text tower's logit drop on
 * each variant is that word's contribution — model-agnostic and exact for whatever text features
 * the preprocessing builds.
 */
export function leaveOneOutVariants(text: string, maxTerms = 32): { term: string; text: string }[] {
  const words = transcriptWords(text);
  const freq = new Map<string, number>();
  for (const w of words) freq.set(w, (freq.get(w) ?? 0) + 1);
  const terms = [...freq.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, maxTerms).map(([w]) => w);
  return terms.map((term) => ({ term, text: words.filter((w) => w !== term).join(' ') }));
}
