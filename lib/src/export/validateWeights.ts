import type { Calibrator, FusionWeights } from './contract.js';
import { VigilError } from '../util/errors.js';
import { paramSpecs } from '../model/paramSpecs.js';
import { TOWERS } from '../model/towers/registry.js';
import { getPooling } from '../model/pooling/registry.js';
import { getFusion } from '../model/fusion/registry.js';

/**
 * Every tensor the network reads, with its shape, for a given config (ARCHITECTURE.md names): the
 * components' own declarations (model/paramSpecs.ts), in their stable order.
 */
export function expectedTensors(c: FusionWeights['config']): Record<string, number[]> {
  return Object.fromEntries(paramSpecs(c).map((s) => [s.name, s.shape]));
}

/** Throws a VigilError naming the first config key or tensor that does not fit the contract. */
export function validateFusionWeights(w: FusionWeights): void {
  const c = w.config;
  if (!c || typeof c !== 'object') throw new VigilError("fusion weights: 'config' is missing", { field: 'config' });
  if (!Array.isArray(c.towers) || c.towers.length === 0) throw new VigilError('fusion weights: config.towers must list at least one tower', { field: 'config.towers' });
  if (new Set(c.towers).size !== c.towers.length) throw new VigilError(`fusion weights: config.towers lists a tower twice (${c.towers.join(', ')})`, { field: 'config.towers' });
  for (const t of c.towers) {
    if (!TOWERS.some((d) => d.name === t)) throw new VigilError(`fusion weights: unknown tower '${t}'`, { field: 'config.towers' });
  }
  getPooling(c.pooling, 'config.pooling');
  getFusion(c.fusion, 'config.fusion');
  // A modality the model has no tower for may have dimension 0 (the dataset lacks it); the others must be positive.
  const towerOf = Object.fromEntries(TOWERS.map((t) => [t.dimKey, t.name])) as Record<string, string>;
  for (const k of ['hidden', 'attentionDim', 'fusionHidden', 'metaDim', 'frameDim', 'audioDim', 'textDim'] as const) {
    const min = towerOf[k] && !c.towers.includes(towerOf[k]) ? 0 : 1;
    if (!Number.isInteger(c[k]) || c[k] < min) {
      throw new VigilError(`fusion weights: config.${k} must be ${min === 1 ? 'a positive integer' : 'an integer >= 0'}${min === 1 && towerOf[k] ? ` (the model has a ${towerOf[k]} tower)` : ''}, got ${c[k]}`, { field: `config.${k}` });
    }
  }
  for (const [name, shape] of Object.entries(expectedTensors(c))) {
    const t = w.tensors[name];
    if (!t) throw new VigilError(`fusion weights: missing tensor '${name}'`, { field: `tensors.${name}` });
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new VigilError(`fusion weights: '${name}' has shape [${t.shape}], expected [${shape}]`, { field: `tensors.${name}` });
    }
    const size = shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== size) throw new VigilError(`fusion weights: '${name}' has ${t.data.length} values, expected ${size}`, { field: `tensors.${name}` });
    for (let i = 0; i < size; i++) {
      if (!Number.isFinite(t.data[i])) throw new VigilError(`fusion weights: '${name}' value ${i} is not finite`, { field: `tensors.${name}` });
    }
  }
}

export function validateCalibrator(cal: Calibrator): void {
  const bad = (field: string, why: string): never => { throw new VigilError(`calibrator: '${field}' ${why}`, { field: `calibrator.${field}` }); };
  if (!Number.isFinite(cal.shift)) bad('shift', 'must be a finite number');
  switch (cal.method) {
    case 'platt':
      if (!Number.isFinite(cal.a) || !Number.isFinite(cal.b)) bad('a', 'and b must be finite numbers');
      return;
    case 'temperature':
      if (!(cal.T > 0) || !Number.isFinite(cal.T)) bad('T', 'must be a positive finite number');
      return;
    case 'isotonic':
      if (cal.values.length !== cal.thresholds.length + 1) bad('values', `needs thresholds.length + 1 = ${cal.thresholds.length + 1} entries, got ${cal.values.length}`);
      for (let k = 0; k < cal.thresholds.length; k++) {
        if (!Number.isFinite(cal.thresholds[k])) bad('thresholds', `entry ${k} is not finite`);
        if (k > 0 && cal.thresholds[k] < cal.thresholds[k - 1]) bad('thresholds', 'must be sorted ascending');
      }
      for (const v of cal.values) if (!(v >= 0 && v <= 1)) bad('values', 'must be probabilities in [0, 1]');
      return;
    default:
      bad('method', `must be platt, temperature or isotonic, got '${(cal as { method: string }).method}'`);
  }
}
