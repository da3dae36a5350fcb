import { test } from 'node:test';
import { onnx } from 'onnx-proto';
import assert from 'node:assert/strict';
import { buildFusionOnnx } from '../../src/export/fusionGraph.js';
import { referenceForward, applyCalibration } from '../helpers/referenceForward.js';
import { randomFusionWeights } from '../../src/export/randomWeights.js';
import { randomFusionInputs, type RandomRowSpec } from '../../src/export/randomInputs.js';
import type { Calibrator, FusionWeights } from '../../src/export/contract.js';
import { openFusionSession } from '../../src/serve/onnxSession.js';
import { createRng } from '../../src/util/rng.js';
import { VigilError } from '../../src/util/errors.js';

const baseConfig: FusionWeights['config'] = {
  towers: ['meta', 'visual', 'audio', 'text'], pooling: 'attention', fusion: 'mlp',
  hidden: 8, attentionDim: 4, fusionHidden: 5, metaDim: 7, frameDim: 6, audioDim: 5, textDim: 12,
};
const platt: Calibrator = { method: 'platt', shift: Math.log(0.25), a: 0.9, b: -0.3 };

// Edge cases: 1 frame, many frames, no audio, no text, everything missing at once.
const rows: RandomRowSpec[] = [
  { frames: 1, segments: 0, text: false },
  { frames: 18, segments: 4, text: true },
  { frames: 3, segments: 0, text: true },
  { frames: 40, segments: 12, text: false },
  { frames: 1, segments: 1, text: true },
];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function compare(cfg: FusionWeights['config'], cal: Calibrator, batch: RandomRowSpec[], seed: number, tol = 1e-5) {
  const rng = createRng(seed);
  const w = randomFusionWeights(cfg, rng.fork('w'));
  const x = randomFusionInputs(cfg, batch, rng.fork('x'));
  const s = await openFusionSession(buildFusionOnnx(w, cal));
  try {
    const got = await s.run(x);
    const ref = referenceForward(w, cal, x);
    for (const k of ['risk', 'logit', 'modalityLogits', 'frameAttention', 'audioAttention'] as const) {
      const d = maxAbsDiff(got[k], ref[k]);
      assert.ok(d <= tol, `${cfg.pooling}/${cfg.fusion}/${cal.method} towers=${cfg.towers}: ${k} differs by ${d}`);
    }
    return { got, ref, x };
  } finally { await s.release(); }
}

for (const pooling of ['mean', 'max', 'attention'] as const) {
  for (const fusion of ['linear', 'mlp'] as const) {
    test(`ONNX graph matches the reference: pooling=${pooling} fusion=${fusion}`, async () => {
      await compare({ ...baseConfig, pooling, fusion }, platt, rows, 11);
    });
  }
}

test('each calibrator matches, isotonic steps exactly', async () => {
  const cals: Calibrator[] = [
    platt,
    { method: 'temperature', shift: -1.2, T: 1.7 },
    { method: 'isotonic', shift: 0.3, thresholds: [-2, -0.5, 0, 0.4, 1.5], values: [0.01, 0.05, 0.2, 0.3, 0.6, 0.9] },
    { method: 'isotonic', shift: 0, thresholds: [], values: [0.42] },
  ];
  for (const cal of cals) {
    const { got } = await compare(baseConfig, cal, rows, 5);
    if (cal.method === 'isotonic') for (const r of got.risk) assert.ok(cal.values.some((v) => Math.abs(v - r) < 1e-7), `risk ${r} is not a step value`);
  }
  // Hand-computed calibrator values.
  assert.equal(applyCalibration({ method: 'isotonic', shift: 0, thresholds: [0, 1], values: [0.1, 0.5, 0.9] }, 0), 0.5);
  assert.equal(applyCalibration({ method: 'isotonic', shift: 0, thresholds: [0, 1], values: [0.1, 0.5, 0.9] }, -0.01), 0.1);
  assert.equal(applyCalibration({ method: 'isotonic', shift: -1, thresholds: [0, 1], values: [0.1, 0.5, 0.9] }, 2), 0.9);
  assert.ok(Math.abs(applyCalibration({ method: 'platt', shift: 0, a: 2, b: 0 }, 0.5) - 1 / (1 + Math.exp(-1))) < 1e-7);
  assert.ok(Math.abs(applyCalibration({ method: 'temperature', shift: Math.log(0.5), T: 2 }, Math.log(2)) - 0.5) < 1e-7);
});

test('absent towers contribute a zero logit', async () => {
  for (const towers of [['visual'], ['meta', 'text'], ['visual', 'audio']]) {
    const { got } = await compare({ ...baseConfig, towers }, platt, rows, 3);
    for (let b = 0; b < rows.length; b++) {
      ['meta', 'visual', 'audio', 'text'].forEach((t, k) => { if (!towers.includes(t)) assert.equal(Math.abs(got.modalityLogits[b * 4 + k]), 0); });
    }
  }
});

test('masks: padding gets no weight, no audio gives a gated logit', async () => {
  const { got, x } = await compare(baseConfig, platt, rows, 9);
  for (let b = 0; b < x.B; b++) {
    let sf = 0;
    for (let t = 0; t < x.T; t++) { sf += got.frameAttention[b * x.T + t]; if (x.frameMask[b * x.T + t] === 0) assert.equal(got.frameAttention[b * x.T + t], 0); }
    assert.ok(Math.abs(sf - 1) < 1e-5);
    const sa = Array.from(got.audioAttention.subarray(b * x.S, (b + 1) * x.S)).reduce((p, q) => p + q, 0);
    // Attention always sums to 1 (uniform over padding when there is no audio; its logit is gated off).
    assert.ok(Math.abs(sa - 1) < 1e-5);
    if (rows[b].segments === 0) for (let t = 0; t < x.S; t++) assert.ok(Math.abs(got.audioAttention[b * x.S + t] - 1 / x.S) < 1e-6);
    if (rows[b].segments === 0) assert.equal(Math.abs(got.modalityLogits[b * 4 + 2]), 0);
    if (!rows[b].text) assert.equal(Math.abs(got.modalityLogits[b * 4 + 3]), 0);
  }
});

test('padding does not change a row: scoring alone equals scoring inside a padded batch', async () => {
  const rng = createRng(21);
  const w = randomFusionWeights(baseConfig, rng);
  const s = await openFusionSession(buildFusionOnnx(w, platt));
  try {
    const all = randomFusionInputs(baseConfig, rows, createRng(4));
    const batch = await s.run(all);
    // Row 0 alone: cut its real items out of the padded batch.
    const one = randomFusionInputs(baseConfig, [rows[0]], createRng(99));
    one.meta.set(all.meta.subarray(0, baseConfig.metaDim));
    one.frames.set(all.frames.subarray(0, baseConfig.frameDim));
    one.text.set(all.text.subarray(0, baseConfig.textDim));
    const alone = await s.run(one);
    assert.ok(Math.abs(alone.logit[0] - batch.logit[0]) < 1e-5);
  } finally { await s.release(); }
});

test('600 frames at 512-d and 128-d audio match the reference', async () => {
  const cfg = { ...baseConfig, frameDim: 512, audioDim: 128, hidden: 16 };
  await compare(cfg, platt, [{ frames: 600, segments: 60, text: true }, { frames: 1, segments: 0, text: false }], 13);
});

test('invalid weights and calibrators are refused naming the tensor or field', () => {
  const w = randomFusionWeights(baseConfig, createRng(1));
  delete w.tensors['visual/att_u/kernel'];
  assert.throws(() => buildFusionOnnx(w, platt), (e: unknown) => e instanceof VigilError && /visual\/att_u\/kernel/.test(e.message));
  const w2 = randomFusionWeights(baseConfig, createRng(1));
  w2.tensors['text/out/kernel'].shape = [1, 8];
  assert.throws(() => buildFusionOnnx(w2, platt), /text\/out\/kernel/);
  const w3 = randomFusionWeights(baseConfig, createRng(1));
  assert.throws(() => buildFusionOnnx(w3, { method: 'isotonic', shift: 0, thresholds: [1, 0], values: [0, 0.5, 1] }), /sorted/);
  assert.throws(() => buildFusionOnnx(w3, { method: 'isotonic', shift: 0, thresholds: [0], values: [0.5] }), /values/);
  assert.throws(() => buildFusionOnnx(w3, { method: 'temperature', shift: 0, T: 0 }), /'T'/);
});

test('every initializer is used and outputs are in the contract order, for every variant', async () => {
  for (const pooling of ['mean', 'max', 'attention'] as const) {
    for (const towers of [['meta', 'visual', 'audio', 'text'], ['visual']]) {
      const m = onnx.ModelProto.decode(buildFusionOnnx(randomFusionWeights({ ...baseConfig, pooling, towers }, createRng(2)), platt));
      const used = new Set(m.graph!.node!.flatMap((n) => n.input ?? []));
      for (const t of m.graph!.initializer!) assert.ok(used.has(t.name!), `${pooling}/${towers}: unused initializer ${t.name}`);
      assert.deepEqual(m.graph!.output!.map((o) => o.name), ['risk', 'logit', 'modality_logits', 'frame_attention', 'audio_attention']);
      // Inputs only for the model's towers (docs/ARCHITECTURE.md), avail always.
      const inputsOf: Record<string, string[]> = { meta: ['meta'], visual: ['frames', 'frame_mask'], audio: ['audio', 'audio_mask'], text: ['text'] };
      const want = [...['meta', 'visual', 'audio', 'text'].filter((t) => towers.includes(t)).flatMap((t) => inputsOf[t]), 'avail'];
      assert.deepEqual(m.graph!.input!.map((o) => o.name), want);
      if (towers.length === 4) assert.deepEqual(want, ['meta', 'frames', 'frame_mask', 'audio', 'audio_mask', 'text', 'avail']);
    }
  }
});
