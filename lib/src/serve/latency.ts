import { performance } from 'node:perf_hooks';
import type { Scorer } from './scorer.js';
import { parseJson, parseVideo } from './request.js';
import { createRng } from '../util/rng.js';

/**
 * In-process latency of scoring one video: request parsing (JSON numbers vs base64 float32) measured
 * apart from scoring (preprocessing + ONNX + reason codes), as p50/p99 over many repetitions.
 */
export interface LatencyStats { n: number; p50: number; p99: number; mean: number; max: number }

export interface LatencyResult {
  frames: number;
  segments: number;
  frameDim: number;
  audioDim: number;
  /** Request body sizes for the two embedding encodings. */
  bodyBytes: { json: number; base64: number };
  /** JSON.parse + validation of the body, ms. */
  parseJson: LatencyStats;
  parseBase64: LatencyStats;
  /** scoreVideos on the validated video (preprocessing, model, reason codes), ms. */
  score: LatencyStats;
  /** parseJson + score, per repetition, ms. */
  totalJson: LatencyStats;
  /** parseBase64 + score, per repetition, ms. */
  totalBase64: LatencyStats;
  /** Ratio of p99 (base64 path) to the LATENCY_BUDGET_MS budget. */
  budgetRatioP99: number;
}

/** The product's per-video CPU latency budget (metadata + embeddings inference), ms. */
export const LATENCY_BUDGET_MS = 200;

export function latencyStats(xs: number[]): LatencyStats {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  const r = (v: number) => Math.round(v * 1000) / 1000;
  return { n: s.length, p50: r(q(0.5)), p99: r(q(0.99)), mean: r(s.reduce((a, b) => a + b, 0) / s.length), max: r(s[s.length - 1]) };
}

/** A synthetic upload body with `frames` frames and `segments` audio segments (0 = no audio). */
export function syntheticRequest(frameDim: number, audioDim: number, frames: number, segments: number, seed = 1, base64 = false): Record<string, unknown> {
  const rng = createRng(seed);
  const emb = (n: number, d: number) => {
    const rows = Array.from({ length: n }, () => Array.from({ length: d }, () => Math.fround(Math.max(-4, Math.min(4, rng.normal())))));
    // (Clamped to ±4: a synthetic upload stays inside any run's accepted input ranges.)
    return base64 ? Buffer.from(new Float32Array(rows.flat()).buffer).toString('base64') : rows;
  };
  return {
    video_id: `bench-${seed}`, creator_id: 'c', upload_ts: Date.UTC(2026, 0, 5, 9), duration_s: frames, country: 'US', device: 'android',
    account_age_days: 40, prior_strikes: 0, upload_hour: 9,
    frame_ts: Array.from({ length: frames }, (_, i) => i), frame_emb: emb(frames, frameDim),
    ...(segments > 0 ? { audio_emb: emb(segments, audioDim), audio_ts: Array.from({ length: segments }, (_, i) => i * 3) } : {}),
    transcript: 'so today we are going to look at the new update and what changed in the game', asr_confidence: 0.85, language: 'en',
  };
}

export async function measureLatency(
  scorer: Scorer, opts: { frames: number; segments?: number; iterations?: number; warmup?: number; seed?: number },
): Promise<LatencyResult> {
  const { frameDim, audioDim } = scorer.limits;
  const segments = opts.segments ?? Math.max(1, Math.round(opts.frames / 3));
  const iterations = opts.iterations ?? 200;
  const warmup = opts.warmup ?? 20;
  const jsonBody = JSON.stringify(syntheticRequest(frameDim, audioDim, opts.frames, segments, opts.seed ?? 1, false));
  const b64Body = JSON.stringify(syntheticRequest(frameDim, audioDim, opts.frames, segments, opts.seed ?? 1, true));
  const parse = (body: string) => {
    const j = parseJson(body);
    if (!j.ok) throw new Error(j.error.message);
    const v = parseVideo(j.value, scorer.limits);
    if (!v.ok) throw new Error(`${v.error.field}: ${v.error.message}`);
    return v.value;
  };
  const pj: number[] = [], pb: number[] = [], sc: number[] = [], tj: number[] = [], tb: number[] = [];
  for (let i = 0; i < warmup + iterations; i++) {
    const t0 = performance.now();
    parse(jsonBody);
    const t1 = performance.now();
    const video = parse(b64Body);
    const t2 = performance.now();
    await scorer.scoreVideos([video]);
    const t3 = performance.now();
    if (i < warmup) continue;
    pj.push(t1 - t0); pb.push(t2 - t1); sc.push(t3 - t2);
    tj.push(t1 - t0 + (t3 - t2)); tb.push(t3 - t1);
  }
  const totalBase64 = latencyStats(tb);
  return {
    frames: opts.frames, segments, frameDim, audioDim,
    bodyBytes: { json: Buffer.byteLength(jsonBody), base64: Buffer.byteLength(b64Body) },
    parseJson: latencyStats(pj), parseBase64: latencyStats(pb), score: latencyStats(sc), totalJson: latencyStats(tj), totalBase64,
    budgetRatioP99: Math.round((totalBase64.p99 / LATENCY_BUDGET_MS) * 10000) / 10000,
  };
}
