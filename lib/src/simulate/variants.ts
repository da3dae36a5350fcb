import { VigilError } from '../util/errors.js';
import { DEFAULT_KNOBS, NOISE_MODALITIES, type NoiseModality, type SimKnobs } from './presets.js';

/**
 * Named hard cases of the simulated world: each is a small set of knob changes on top of
 * DEFAULT_KNOBS, so a variant dataset is the same platform (creators, stream, labels) with one
 * property changed. `none` is the default world; its output is byte-identical to no variant at all.
 */
export const SIM_VARIANTS: Record<string, Partial<SimKnobs>> = {
  none: {},
  // Harm shown in 1–4 frames of a ~17-frame video, each frame only faintly, among twice the usual
  // violent-looking allowed content whose look is just as short: mean pooling washes it out, and a
  // sequence model has to find the few frames that matter.
  'faint-segment': { faintSegmentFrames: 4, faintHarm: 4, hardNegativeRate: 0.06 },
  // One modality carries nothing about the label: late fusion must not do worse than its best tower.
  'noise-audio': { noiseModality: 'audio' },
  'noise-visual': { noiseModality: 'visual' },
};

export function variantNames(): string[] {
  return Object.keys(SIM_VARIANTS);
}

/** Knob bounds: wide enough for experiments, narrow enough to catch a typo (e.g. a rate of 30). */
const BOUNDS: Partial<Record<keyof SimKnobs, [number, number]>> = {
  faintSegmentFrames: [0, 60], faintHarm: [0, 50], visualHarm: [0, 50], audioHarm: [0, 50],
  activitySigma: [0, 5], badActivityMult: [0, 20], harmfulHistoryReuploadMult: [0, 20], hardNegExponent: [0, 50],
};
const RATE = [0, 1] as [number, number];

function checkValue(name: keyof SimKnobs, value: number | string, source: string): number | NoiseModality {
  if (name === 'noiseModality') {
    if (!(NOISE_MODALITIES as readonly string[]).includes(String(value))) {
      throw new VigilError(`${source}: knob 'noiseModality' must be one of ${NOISE_MODALITIES.join(', ')}, got '${value}'`, { field: 'noiseModality' });
    }
    return value as NoiseModality;
  }
  const x = typeof value === 'number' ? value : Number(value);
  const [lo, hi] = BOUNDS[name] ?? RATE;
  if ((typeof value === 'string' && value.trim() === '') || !Number.isFinite(x) || x < lo || x > hi) {
    throw new VigilError(`${source}: knob '${name}' expects a number in [${lo}, ${hi}], got '${value}'`, { field: name });
  }
  if (name === 'faintSegmentFrames' && !Number.isInteger(x)) {
    throw new VigilError(`${source}: knob 'faintSegmentFrames' expects a whole number of frames, got '${value}'`, { field: name });
  }
  return x;
}

/** `name=value` → [knob, checked value]; unknown names and bad values name the knob. */
export function parseKnobSetting(setting: string): [keyof SimKnobs, number | NoiseModality] {
  const eq = setting.indexOf('=');
  if (eq <= 0) throw new VigilError(`--knob: expected name=value, got '${setting}'`, { field: 'knob' });
  const name = setting.slice(0, eq).trim();
  if (!(name in DEFAULT_KNOBS)) {
    throw new VigilError(`--knob: unknown knob '${name}' (known: ${Object.keys(DEFAULT_KNOBS).join(', ')})`, { field: 'knob' });
  }
  return [name as keyof SimKnobs, checkValue(name as keyof SimKnobs, setting.slice(eq + 1).trim(), '--knob')];
}

/** DEFAULT_KNOBS, then the variant's changes, then `name=value` settings (later ones win). */
export function buildKnobs(variant = 'none', settings: string[] = []): SimKnobs {
  const v = SIM_VARIANTS[variant];
  if (!Object.prototype.hasOwnProperty.call(SIM_VARIANTS, variant) || !v) {
    throw new VigilError(`--variant: expected one of ${variantNames().join(', ')}, got '${variant}'`, { field: 'variant' });
  }
  const knobs: SimKnobs = { ...DEFAULT_KNOBS, ...v };
  for (const s of settings) {
    const [name, value] = parseKnobSetting(s);
    setKnob(knobs, name, value);
  }
  return knobs;
}

/** Store a value checkValue accepted: the modality knob takes a modality name, every other knob a number. */
function setKnob(knobs: SimKnobs, name: keyof SimKnobs, value: number | NoiseModality): void {
  if (name === 'noiseModality') {
    if (typeof value === 'number') throw new VigilError(`knob 'noiseModality' expects a modality name, got ${value}`, { field: name });
    knobs.noiseModality = value;
  } else {
    if (typeof value !== 'number') throw new VigilError(`knob '${name}' expects a number, got '${value}'`, { field: name });
    knobs[name] = value;
  }
}

function copyKnob<K extends keyof SimKnobs>(out: Partial<SimKnobs>, from: SimKnobs, name: K): void {
  out[name] = from[name];
}

/** The knobs that differ from DEFAULT_KNOBS (recorded in profile.json of a variant dataset). */
export function knobChanges(k: SimKnobs): Partial<SimKnobs> {
  const out: Partial<SimKnobs> = {};
  for (const name of Object.keys(DEFAULT_KNOBS) as (keyof SimKnobs)[]) {
    if (DEFAULT_KNOBS[name] !== k[name]) copyKnob(out, k, name);
  }
  return out;
}
