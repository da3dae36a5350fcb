import type { Calibrator, FusionWeights } from './contract.js';
import { MASK_LOGIT } from './referenceForward.js';
import { OnnxGraphBuilder } from './onnxBuilder.js';
import { validateFusionWeights, validateCalibrator } from './validateWeights.js';

/**
 * Compile fitted fusion weights and a calibrator into one ONNX graph (the `model.onnx` of a run).
 * Inputs/outputs and the math follow docs/ARCHITECTURE.md; `referenceForward` is the same math in
 * plain loops and the tests hold the two together.
 */
export function buildFusionOnnx(
  weights: FusionWeights, calibrator: Calibrator, opts: { modelVersion?: string; metadata?: Record<string, string> } = {},
): Uint8Array {
  validateFusionWeights(weights);
  validateCalibrator(calibrator);
  const c = weights.config;
  const g = new OnnxGraphBuilder();
  const has = (t: string) => c.towers.includes(t);

  // Inputs only for the model's towers (a modality it does not have is not fed at all); `avail` always.
  const meta = has('meta') ? g.input('meta', ['B', c.metaDim]) : '';
  const frames = has('visual') ? g.input('frames', ['B', 'T', c.frameDim]) : '';
  const frameMask = has('visual') ? g.input('frame_mask', ['B', 'T']) : '';
  const audio = has('audio') ? g.input('audio', ['B', 'S', c.audioDim]) : '';
  const audioMask = has('audio') ? g.input('audio_mask', ['B', 'S']) : '';
  const text = has('text') ? g.input('text', ['B', c.textDim]) : '';
  const avail = g.input('avail', ['B', 4]);

  // Constants are created on first use so that no variant carries unused initializers.
  const lazy = (make: () => string) => { let v: string | null = null; return () => (v ??= make()); };
  const axis1 = lazy(() => g.int64Tensor('axis1', [1]));
  const axis2 = lazy(() => g.int64Tensor('axis2', [2]));
  const one = lazy(() => g.scalar('one', 1));
  const zero = lazy(() => g.scalar('zero', 0));
  const bigNeg = lazy(() => g.scalar('mask_logit', -MASK_LOGIT));

  const param = (name: string) => {
    const t = weights.tensors[name];
    return g.floatTensor(name.replace(/\//g, '_'), t.shape, t.data);
  };
  const dense = (x: string, prefix: string, relu: boolean) => {
    const y = g.op('Add', [g.op('MatMul', [x, param(`${prefix}/kernel`)]), param(`${prefix}/bias`)], {}, prefix.replace(/\//g, '_'));
    return relu ? g.op('Relu', [y]) : y;
  };
  const mlpTower = (x: string, prefix: string) => dense(dense(x, `${prefix}/dense1`, true), `${prefix}/out`, false);
  // A [B,1] zero that follows the batch size: the logit and availability of an absent tower.
  const s0 = lazy(() => g.int64Tensor('s0', [0]));
  const zerosB1 = lazy(() => g.op('Mul', [g.op('Slice', [avail, s0(), g.int64Tensor('s1', [1]), axis1()]), zero()], {}, 'zeros_b1'));
  // A [B,0] tensor: the item weights of an absent sequence tower (it looked at no items).
  const emptyB0 = lazy(() => g.op('Slice', [avail, s0(), s0(), axis1()], {}, 'empty_b0'));

  /** mask / max(Σ mask, 1): uniform weights over real items ([B,N]). */
  const uniformWeights = (mask: string) =>
    g.op('Div', [mask, g.op('Max', [g.op('ReduceSum', [mask, axis1()], { keepdims: 1 }), one()])]);

  /** Sequence tower: returns the [B,1] logit and the [B,N] item weights. */
  const sequenceTower = (x: string, mask: string, prefix: string): { logit: string; weights: string } => {
    const h = dense(x, `${prefix}/embed`, true); // [B,N,H]
    let pooled: string;
    let weightsOut: string;
    if (c.pooling === 'mean') {
      weightsOut = uniformWeights(mask);
      pooled = g.op('ReduceSum', [g.op('Mul', [h, g.op('Unsqueeze', [weightsOut, axis2()])]), axis1()], { keepdims: 0 });
    } else if (c.pooling === 'max') {
      weightsOut = uniformWeights(mask);
      pooled = g.op('ReduceMax', [g.op('Mul', [h, g.op('Unsqueeze', [mask, axis2()])])], { axes: [1], keepdims: 0 });
    } else {
      const v = g.op('Tanh', [dense(h, `${prefix}/att_v`, false)]);
      const u = g.op('Sigmoid', [dense(h, `${prefix}/att_u`, false)]);
      const e = g.op('Squeeze', [dense(g.op('Mul', [v, u]), `${prefix}/att_w`, false), axis2()]); // [B,N]
      // e·mask − (1−mask)·1e9: padding gets the mask logit, real items keep e exactly.
      const masked = g.op('Sub', [g.op('Mul', [e, mask]), g.op('Mul', [g.op('Sub', [one(), mask]), bigNeg()])]);
      // With no real item (no audio) every score is the mask logit and the weights come out uniform
      // over padding, as in the TF.js model; the tower's logit is then gated off by availability.
      weightsOut = g.op('Softmax', [masked], { axis: 1 });
      pooled = g.op('ReduceSum', [g.op('Mul', [h, g.op('Unsqueeze', [weightsOut, axis2()])]), axis1()], { keepdims: 0 });
    }
    return { logit: dense(pooled, `${prefix}/out`, false), weights: weightsOut };
  };

  const lMeta = has('meta') ? mlpTower(meta, 'meta') : zerosB1();
  let lVis: string | null = null, lAud: string | null = null;
  let frameAtt: string, audioAtt: string;
  if (has('visual')) ({ logit: lVis, weights: frameAtt } = sequenceTower(frames, frameMask, 'visual'));
  else frameAtt = emptyB0();
  if (has('audio')) ({ logit: lAud, weights: audioAtt } = sequenceTower(audio, audioMask, 'audio'));
  else audioAtt = emptyB0();
  const lText = has('text') ? mlpTower(text, 'text') : null;

  const availCol = (k: number) => g.op('Slice', [avail, g.int64Tensor(`a${k}`, [k]), g.int64Tensor(`a${k + 1}`, [k + 1]), axis1()], {}, `avail_${k}`);
  // An absent tower's availability enters the fusion as 0, like its logit.
  const availAudio = lAud ? availCol(2) : zerosB1();
  const availText = lText ? availCol(3) : zerosB1();
  const gatedAud = lAud ? g.op('Mul', [lAud, availAudio]) : zerosB1();
  const gatedText = lText ? g.op('Mul', [lText, availText]) : zerosB1();
  const modalityLogits = g.op('Concat', [lMeta, lVis ?? zerosB1(), gatedAud, gatedText], { axis: 1 });
  const f = g.op('Concat', [modalityLogits, availAudio, availText], { axis: 1 });
  const z = c.fusion === 'linear' ? dense(f, 'fusion/out', false) : dense(dense(f, 'fusion/dense1', true), 'fusion/out', false);

  const zShift = g.op('Add', [z, g.scalar('cal_shift', calibrator.shift)]);
  let risk: string;
  switch (calibrator.method) {
    case 'platt':
      risk = g.op('Sigmoid', [g.op('Add', [g.op('Mul', [zShift, g.scalar('platt_a', calibrator.a)]), g.scalar('platt_b', calibrator.b)])]);
      break;
    case 'temperature':
      risk = g.op('Sigmoid', [g.op('Div', [zShift, g.scalar('temperature', calibrator.T)])]);
      break;
    case 'isotonic': {
      const values = g.floatTensor('iso_values', [calibrator.values.length], calibrator.values);
      if (calibrator.thresholds.length === 0) {
        risk = g.op('Add', [g.op('Mul', [zShift, zero()]), values]);
        break;
      }
      // values[#{k : t_k <= z'}] — count the thresholds passed and index the step value, exactly.
      const passed = g.op('Cast', [g.op('GreaterOrEqual', [zShift, g.floatTensor('iso_thresholds', [calibrator.thresholds.length], calibrator.thresholds)])], { to: 7 });
      const count = g.op('ReduceSum', [passed, axis1()], { keepdims: 1 }); // int64 [B,1]
      risk = g.op('Gather', [values, count], { axis: 0 }); // [B,1]
      break;
    }
  }

  g.output('risk', risk, ['B', 1]);
  g.output('logit', z, ['B', 1]);
  g.output('modality_logits', modalityLogits, ['B', 4]);
  g.output('frame_attention', frameAtt, ['B', has('visual') ? 'T' : 0]);
  g.output('audio_attention', audioAtt, ['B', has('audio') ? 'S' : 0]);
  return g.build({
    graphName: 'vigil_fusion',
    producerVersion: opts.modelVersion,
    docString: `late-fusion risk model: towers ${c.towers.join(',')}, pooling ${c.pooling}, fusion ${c.fusion}, calibration ${calibrator.method}`,
    metadata: { calibrator: calibrator.method, pooling: c.pooling, fusion: c.fusion, towers: c.towers.join(','), ...opts.metadata },
  });
}
