import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFusionOnnx } from '../src/export/fusionGraph.js';
import { randomFusionWeights } from '../src/export/randomWeights.js';
import { createRng } from '../src/util/rng.js';

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
