import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFusionOnnx } from '../../src/export/fusionGraph.js';
import { randomFusionWeights } from '../../src/export/randomWeights.js';
import { createRng } from '../../src/util/rng.js';

// An independent validity check: the ONNX project's own checker (Debian python3-onnx) on exported models.
const PY = '/usr/bin/python3';
const probe = existsSync(PY) ? spawnSync(PY, ['-c', 'import onnx; print(onnx.__version__)'], { encoding: 'utf8' }) : null;
const skip = !probe || probe.status !== 0
  ? 'python3-onnx is not installed (apt-get install -y python3-onnx); skipping onnx.checker' : false;

test('onnx.checker.check_model (full_check, with shape inference) accepts every variant', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-onnx-'));
  try {
    const files: string[] = [];
    const base = { towers: ['meta', 'visual', 'audio', 'text'], hidden: 8, attentionDim: 4, fusionHidden: 4, metaDim: 5, frameDim: 6, audioDim: 3, textDim: 10 };
    let k = 0;
    for (const pooling of ['mean', 'max', 'attention'] as const) {
      for (const fusion of ['linear', 'mlp'] as const) {
        const cal = k % 2 === 0
          ? { method: 'isotonic' as const, shift: -1, thresholds: [-1, 0, 2], values: [0.1, 0.2, 0.5, 0.8] }
          : { method: 'platt' as const, shift: 0, a: 1, b: 0 };
        const w = randomFusionWeights({ ...base, pooling, fusion, towers: k === 5 ? ['visual', 'text'] : base.towers }, createRng(k));
        const f = join(dir, `m${k++}.onnx`);
        writeFileSync(f, buildFusionOnnx(w, cal));
        files.push(f);
      }
    }
    const script = [
      'import sys, onnx',
      'for p in sys.argv[1:]:',
      '    m = onnx.load(p)',
      '    onnx.checker.check_model(m, full_check=True)',
      '    outs = [o.name for o in m.graph.output]',
      '    assert outs == ["risk", "logit", "modality_logits", "frame_attention", "audio_attention"], outs',
      'print("ok", len(sys.argv) - 1)',
    ].join('\n');
    const r = spawnSync(PY, ['-c', script, ...files], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /ok 6/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a second runtime (an independent interpreter of the serialised graph) agrees with onnxruntime', async () => {
  const { interpretOnnx } = await import('../../src/export/onnxInterpreter.js');
  const { randomFusionInputs } = await import('../../src/export/randomInputs.js');
  const { openFusionSession } = await import('../../src/serve/onnxSession.js');
  const base = { towers: ['meta', 'visual', 'audio', 'text'], hidden: 8, attentionDim: 4, fusionHidden: 4, metaDim: 5, frameDim: 6, audioDim: 3, textDim: 10 };
  const rows = [{ frames: 1, segments: 0, text: false }, { frames: 9, segments: 4, text: true }, { frames: 3, segments: 1, text: true }];
  const cals = [
    { method: 'isotonic' as const, shift: -0.2, thresholds: [-1, -0.1, 0.3, 2], values: [0.1, 0.2, 0.5, 0.7, 0.8] },
    { method: 'temperature' as const, shift: 0.1, T: 1.3 },
    { method: 'platt' as const, shift: 0, a: 1.1, b: -0.4 },
  ];
  let k = 0;
  for (const pooling of ['mean', 'max', 'attention'] as const) {
    for (const fusion of ['linear', 'mlp'] as const) {
      const cfg = { ...base, pooling, fusion, towers: k % 4 === 3 ? ['visual', 'audio'] : base.towers };
      const model = buildFusionOnnx(randomFusionWeights(cfg, createRng(k)), cals[k % 3]);
      const x = randomFusionInputs(cfg, rows, createRng(100 + k));
      k++;
      const t = (data: Float32Array, shape: number[]) => ({ shape, data: Float64Array.from(data) });
      const interp = interpretOnnx(model, {
        meta: t(x.meta, [x.B, cfg.metaDim]), frames: t(x.frames, [x.B, x.T, cfg.frameDim]), frame_mask: t(x.frameMask, [x.B, x.T]),
        audio: t(x.audio, [x.B, x.S, cfg.audioDim]), audio_mask: t(x.audioMask, [x.B, x.S]), text: t(x.text, [x.B, cfg.textDim]), avail: t(x.avail, [x.B, 4]),
      });
      const s = await openFusionSession(model);
      const ort = await s.run(x);
      await s.release();
      const pairs: [string, ArrayLike<number>][] = [['risk', ort.risk], ['logit', ort.logit], ['modality_logits', ort.modalityLogits], ['frame_attention', ort.frameAttention], ['audio_attention', ort.audioAttention]];
      for (const [name, got] of pairs) {
        const ref = interp[name].data;
        assert.equal(ref.length, got.length, name);
        for (let i = 0; i < ref.length; i++) assert.ok(Math.abs(ref[i] - got[i]) <= 1e-5, `${pooling}/${fusion} ${name}[${i}]: ${ref[i]} vs ${got[i]}`);
      }
      assert.deepEqual(interp.risk.shape, [x.B, 1]);
      assert.deepEqual(interp.frame_attention.shape, [x.B, x.T]);
    }
  }
});
