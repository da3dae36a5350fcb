import type { Calibrator, FusionWeights } from './contract.js';
import { OnnxGraphBuilder } from './onnxBuilder.js';
import { validateFusionWeights, validateCalibrator } from './validateWeights.js';
import type { EmitContext } from '../model/component.js';
import { TOWERS } from '../model/towers/registry.js';
import { getFusion } from '../model/fusion/registry.js';

/**
 * Compile fitted fusion weights and a calibrator into one ONNX graph (the `model.onnx` of a run).
 * Inputs/outputs follow docs/ARCHITECTURE.md; each tower, pooling and fusion head writes its own
 * nodes (its `emit`, next to its TF.js forward), so this file only wires them together: the fusion
 * input, the calibrator and the outputs. The tests hold the graph to TF.js and to a float64 oracle.
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
  const inputs = new Map(TOWERS.filter((t) => has(t.name)).map((t) => [t.name, t.graphInputs(c).map((i) => g.input(i.name, i.shape))]));
  const avail = g.input('avail', ['B', 4]);

  // Constants are created on first use so that no variant carries unused initializers.
  const sharedValues = new Map<string, string>();
  const shared = (key: string, make: () => string) => {
    let v = sharedValues.get(key);
    if (v === undefined) { v = make(); sharedValues.set(key, v); }
    return v;
  };
  const axis1 = () => shared('axis1', () => g.int64Tensor('axis1', [1]));
  const zero = () => shared('zero', () => g.scalar('zero', 0));
  const param = (name: string) => {
    const t = weights.tensors[name];
    return g.floatTensor(name.replace(/\//g, '_'), t.shape, t.data);
  };
  const ctx: EmitContext = {
    g, shared, axis1, zero,
    axis2: () => shared('axis2', () => g.int64Tensor('axis2', [2])),
    one: () => shared('one', () => g.scalar('one', 1)),
    dense(x, prefix, relu) {
      const y = g.op('Add', [g.op('MatMul', [x, param(`${prefix}/kernel`)]), param(`${prefix}/bias`)], {}, prefix.replace(/\//g, '_'));
      return relu ? g.op('Relu', [y]) : y;
    },
  };
  // A [B,1] zero that follows the batch size: the logit and availability of an absent tower.
  const s0 = () => shared('s0', () => g.int64Tensor('s0', [0]));
  const zerosB1 = () => shared('zeros_b1', () => g.op('Mul', [g.op('Slice', [avail, s0(), g.int64Tensor('s1', [1]), axis1()]), zero()], {}, 'zeros_b1'));
  // A [B,0] tensor: the item weights of an absent sequence tower (it looked at no items).
  const emptyB0 = () => shared('empty_b0', () => g.op('Slice', [avail, s0(), s0(), axis1()], {}, 'empty_b0'));
  const availCol = (k: number) => g.op('Slice', [avail, g.int64Tensor(`a${k}`, [k]), g.int64Tensor(`a${k + 1}`, [k + 1]), axis1()], {}, `avail_${k}`);

  // Towers in contract order; an absent tower's logit (and, for a gated one, availability) is 0.
  const logits = new Map<string, string | null>();
  const items: Record<string, string> = {};
  for (const t of TOWERS) {
    const r = has(t.name) ? t.emit(ctx, c, inputs.get(t.name) ?? []) : null;
    if (t.items) items[t.items.graphOutput] = r?.weights ?? emptyB0();
    logits.set(t.name, r ? r.logit : t.gate === undefined && !t.items ? zerosB1() : null);
  }
  const gated = TOWERS.filter((t) => t.gate !== undefined);
  const gates = gated.map((t) => (logits.get(t.name) ? availCol(t.gate as number) : zerosB1()));
  const gatedLogits = new Map(gated.map((t, k) => {
    const l = logits.get(t.name);
    return [t.name, l ? g.op('Mul', [l, gates[k]]) : zerosB1()];
  }));
  const modalityLogits = g.op('Concat', TOWERS.map((t) => gatedLogits.get(t.name) ?? logits.get(t.name) ?? zerosB1()), { axis: 1 });
  const f = g.op('Concat', [modalityLogits, ...gates], { axis: 1 });
  const z = getFusion(c.fusion).emit(ctx, f);

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
  for (const t of TOWERS) if (t.items) g.output(t.items.graphOutput, items[t.items.graphOutput], ['B', has(t.name) ? t.items.dim : 0]);
  return g.build({
    graphName: 'vigil_fusion',
    producerVersion: opts.modelVersion,
    docString: `late-fusion risk model: towers ${c.towers.join(',')}, pooling ${c.pooling}, fusion ${c.fusion}, calibration ${calibrator.method}`,
    metadata: { calibrator: calibrator.method, pooling: c.pooling, fusion: c.fusion, towers: c.towers.join(','), ...opts.metadata },
  });
}
