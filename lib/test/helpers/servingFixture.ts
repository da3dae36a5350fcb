import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VideoTable } from '../../src/data/table.js';
import type { FusionInputs, FusionWeights, Calibrator } from '../../src/export/contract.js';
import type { ServingPreprocessor } from '../../src/serve/preprocessing.js';
import type { FittedPreprocessor } from '../../src/features/preprocess.js';
import { randomFusionWeights } from '../../src/export/randomWeights.js';
import { writeServingBundle } from '../../src/export/bundle.js';
import { fnv1a } from '../../src/util/hash.js';
import { createRng } from '../../src/util/rng.js';
import type { ReasonThresholds } from '../../src/serve/reasonThresholds.js';
import type { RunFileInput } from '../../src/artifacts/runFiles.js';

/**
 * A small, fully specified preprocessing for serving tests (the real one is fitted by features/):
 * meta = [log1p duration, duration missing, log1p age, age missing, strikes, strikes missing, hour sin, hour cos],
 * frames/audio passed through, text = L2-normalised hashed word counts, avail from what is present.
 */
export const TEST_META_DIM = 8;

export function testPreprocessor(cfg: { textDim: number; frameDim: number; audioDim: number }, frameCap = Infinity): ServingPreprocessor {
  // Long videos keep every k-th frame (the stride rule), so attention must be mapped back through keptItems.
  const keptItems = (n: number, cap: number) => (n <= cap ? Array.from({ length: n }, (_, i) => i) : Array.from({ length: cap }, (_, k) => Math.floor((k * n) / cap)));
  return {
    keptItems,
    transform(t: VideoTable, rows: number[]): FusionInputs {
      const B = rows.length;
      const nF = (i: number) => Math.min(frameCap, t.frameOffsets[i + 1] - t.frameOffsets[i]);
      const nA = (i: number) => t.audioOffsets[i + 1] - t.audioOffsets[i];
      const T = Math.max(1, ...rows.map(nF));
      const S = Math.max(1, ...rows.map(nA));
      const x: FusionInputs = {
        B, T, S, meta: new Float32Array(B * TEST_META_DIM), frames: new Float32Array(B * T * cfg.frameDim),
        frameMask: new Float32Array(B * T), audio: new Float32Array(B * S * cfg.audioDim), audioMask: new Float32Array(B * S),
        text: new Float32Array(B * cfg.textDim), avail: new Float32Array(B * 4),
      };
      rows.forEach((i, b) => {
        const num = (v: number) => (Number.isFinite(v) ? [Math.log1p(v), 0] : [0, 1]);
        const h = (2 * Math.PI * t.uploadHour[i]) / 24;
        x.meta.set([...num(t.durationS[i]), ...num(t.accountAgeDays[i]), ...num(t.priorStrikes[i]), Math.sin(h), Math.cos(h)], b * TEST_META_DIM);
        const kept = keptItems(t.frameOffsets[i + 1] - t.frameOffsets[i], nF(i));
        kept.forEach((src, k) => {
          x.frameMask[b * T + k] = 1;
          x.frames.set(t.frameEmb.subarray((t.frameOffsets[i] + src) * cfg.frameDim, (t.frameOffsets[i] + src + 1) * cfg.frameDim), (b * T + k) * cfg.frameDim);
        });
        for (let k = 0; k < nA(i); k++) {
          x.audioMask[b * S + k] = 1;
          x.audio.set(t.audioEmb.subarray((t.audioOffsets[i] + k) * cfg.audioDim, (t.audioOffsets[i] + k + 1) * cfg.audioDim), (b * S + k) * cfg.audioDim);
        }
        const tr = t.transcript[i];
        let hasText = 0;
        if (tr) {
          const words = tr.toLowerCase().split(/[^\p{L}\p{N}']+/u).filter((w) => w.length > 0);
          for (const w of words) x.text[b * cfg.textDim + (fnv1a(w) % cfg.textDim)] += 1;
          let ss = 0;
          for (let j = 0; j < cfg.textDim; j++) ss += x.text[b * cfg.textDim + j] ** 2;
          if (ss > 0) { hasText = 1; for (let j = 0; j < cfg.textDim; j++) x.text[b * cfg.textDim + j] /= Math.sqrt(ss); }
        }
        x.avail.set([1, 1, t.hasAudio[i] && nA(i) > 0 ? 1 : 0, hasText], b * 4);
      });
      return x;
    },
  };
}

export const TEST_CONFIG: FusionWeights['config'] = {
  towers: ['meta', 'visual', 'audio', 'text'], pooling: 'attention', fusion: 'mlp',
  hidden: 16, attentionDim: 8, fusionHidden: 8, metaDim: TEST_META_DIM, frameDim: 16, audioDim: 8, textDim: 64,
};

/**
 * A run folder holding a random model, a policy and reason thresholds, with the test preprocessing's
 * (empty) JSON or, given `fitted`, a real fitted preprocessor (the model then takes its dimensions).
 */
export function makeRunFolder(opts: { seed?: number; config?: Partial<FusionWeights['config']>; calibrator?: Calibrator; reasons?: ReasonThresholds; policy?: RunFileInput<'policy.json'>; knownContent?: unknown; fitted?: FittedPreprocessor } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-run-'));
  const d = opts.fitted?.dims;
  const config = { ...TEST_CONFIG, ...(d ? { metaDim: d.meta, frameDim: d.frame, audioDim: d.audio, textDim: d.text } : {}), ...opts.config };
  const weights = randomFusionWeights(config, createRng(opts.seed ?? 1));
  const calibrator = opts.calibrator ?? { method: 'platt', shift: 0, a: 1, b: 0 };
  writeServingBundle(dir, {
    weights, calibrator, preprocessor: opts.fitted ?? { kind: 'test', textDim: config.textDim },
    policy: opts.policy ?? { block_threshold: 0.9, queue_threshold: 0.5, version: 'policy-test-1' },
    reasonThresholds: opts.reasons ?? {
      formatVersion: 1, tail: 0.01, modality: { meta: 0.5, visual: 0.5, audio: 0.5, text: 0.2 },
      positiveRate: { meta: null, visual: null, audio: null, text: null }, account: { priorStrikes: 1, newAccountDays: 30 },
    },
    knownContent: opts.knownContent,
    modelVersion: 'run-test-1',
  });
  return { dir, weights, calibrator, config };
}

/** A valid request body for the test config. */
export function validRequest(seed = 1, frames = 4, segments = 2): Record<string, unknown> {
  const rng = createRng(seed);
  const emb = (n: number, d: number) => Array.from({ length: n }, () => Array.from({ length: d }, () => Number(rng.normal().toFixed(4))));
  return {
    video_id: `v${seed}`, creator_id: 'c1', upload_ts: Date.UTC(2026, 5, 1, 14), duration_s: frames,
    country: 'US', device: 'ios', account_age_days: 12, prior_strikes: 2, upload_hour: 14,
    frame_ts: Array.from({ length: frames }, (_, i) => i), frame_emb: emb(frames, TEST_CONFIG.frameDim),
    audio_emb: emb(segments, TEST_CONFIG.audioDim), audio_ts: Array.from({ length: segments }, (_, i) => i * 2),
    transcript: 'watch this fight now or never fight', asr_confidence: 0.8, language: 'en',
  };
}
