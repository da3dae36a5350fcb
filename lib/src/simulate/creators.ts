import type { Rng } from '../util/rng.js';
import { MS_PER_DAY } from '../data/table.js';
import type { SimKnobs } from './presets.js';
import { REGIONS, SPIKE_REGIONS, DEVICE_SHARE, BAD_DEVICE_SHARE, pick } from './world.js';

/**
 * The creator population: heavy-tailed activity, accounts that existed before the window and
 * accounts that keep arriving during it, and a small share of bad actors organised in rings that
 * share (and re-upload) each other's harmful content.
 */
export interface Creators {
  n: number;
  region: Uint8Array;
  device: Uint8Array;
  bad: Uint8Array;
  /** Ring id for bad actors, -1 otherwise. */
  ring: Int32Array;
  nRings: number;
  /** Account creation time (ms). */
  joinMs: Float64Array;
  /** Expected share of the stream's uploads (activity × active span), unnormalised. */
  uploadWeight: Float64Array;
}

const REGION_SHARE = REGIONS.map((r) => r.share);
/** Bad actors concentrate in the spike regions: part of why those regions spike. */
const BAD_REGION_SHARE = REGIONS.map((r) => (SPIKE_REGIONS.includes(r.code) ? r.share * 3 : r.share));

export function makeCreators(rng: Rng, nCreators: number, startMs: number, endMs: number, k: SimKnobs): Creators {
  const n = Math.max(10, Math.round(nCreators));
  const region = new Uint8Array(n), device = new Uint8Array(n), bad = new Uint8Array(n);
  const ring = new Int32Array(n).fill(-1);
  const joinMs = new Float64Array(n), uploadWeight = new Float64Array(n);
  let nRings = 0, ringLeft = 0;
  const span = endMs - startMs;
  for (let c = 0; c < n; c++) {
    const isBad = rng.next() < k.badActorShare;
    bad[c] = isBad ? 1 : 0;
    if (isBad) {
      // rings of 3–8 accounts, filled in creation order
      if (ringLeft === 0) { nRings++; ringLeft = 3 + rng.int(6); }
      ring[c] = nRings - 1;
      ringLeft--;
    }
    region[c] = pick(rng, isBad ? BAD_REGION_SHARE : REGION_SHARE);
    device[c] = pick(rng, isBad ? BAD_DEVICE_SHARE : DEVICE_SHARE);
    const isNew = rng.next() < (isBad ? 0.6 : k.newCreatorShare);
    if (isNew) joinMs[c] = startMs + rng.next() * span;
    else joinMs[c] = startMs - Math.max(1, Math.exp(Math.log(400) + 1.0 * rng.normal())) * MS_PER_DAY;
    const activity = Math.exp(k.activitySigma * rng.normal()) * (isBad ? k.badActivityMult : 1);
    uploadWeight[c] = activity * ((endMs - Math.max(joinMs[c], startMs)) / span);
  }
  return { n, region, device, bad, ring, nRings, joinMs, uploadWeight };
}
