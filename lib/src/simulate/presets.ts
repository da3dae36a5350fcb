import { VigilError } from '../util/errors.js';

/**
 * Size and sampling of one simulated dataset. Everything about *how the world behaves* lives in
 * `SimKnobs`, so the three presets differ only in scale and storage sampling.
 */
export interface SimPreset {
  name: 'tiny' | 'default' | 'bench';
  /** Uploads in the simulated (virtual) stream, before negatives are downsampled for storage. */
  nVirtual: number;
  weeks: number;
  /** Fraction of observed-negative uploads kept in storage; kept rows get weight 1/negKeepRate. */
  negKeepRate: number;
  frameDim: number;
  audioDim: number;
  /** The drift category appears only in the last `driftWeeks` weeks. */
  driftWeeks: number;
}

export const PRESETS: Record<SimPreset['name'], SimPreset> = {
  tiny: { name: 'tiny', nVirtual: 40_000, weeks: 8, negKeepRate: 0.25, frameDim: 64, audioDim: 32, driftWeeks: 3 },
  default: { name: 'default', nVirtual: 400_000, weeks: 16, negKeepRate: 0.15, frameDim: 64, audioDim: 32, driftWeeks: 4 },
  bench: { name: 'bench', nVirtual: 1_600_000, weeks: 16, negKeepRate: 0.08, frameDim: 64, audioDim: 32, driftWeeks: 4 },
};

export function getPreset(name: string): SimPreset {
  if (!(name in PRESETS)) {
    throw new VigilError(`--preset: expected one of ${Object.keys(PRESETS).join(', ')}, got '${name}'`, { field: 'preset' });
  }
  return PRESETS[name as SimPreset['name']];
}

/** First upload of every simulated dataset: 2026-06-01 00:00 UTC. */
export const SIM_START_MS = Date.UTC(2026, 5, 1);

/**
 * The behaviour of the simulated platform. These are the tuning constants behind the targets in
 * profile.json and the difficulty contract; docs/simulator.md records what they produce.
 */
export interface SimKnobs {
  /** Creators per virtual upload (heavy-tailed activity makes most of them rare uploaders). */
  creatorsPerUpload: number;
  /** Share of creators whose account is created during the simulated window. */
  newCreatorShare: number;
  badActorShare: number;
  /** lognormal sigma of creator activity. */
  activitySigma: number;
  badActivityMult: number;
  /** Per new content item, before country/hour multipliers. */
  baseHarmRate: number;
  badHarmRate: number;
  /** Probability that an upload re-uses earlier content. */
  reuploadRate: number;
  badReuploadRate: number;
  /** Re-upload probability multiplier for creators who have uploaded harmful content before. */
  harmfulHistoryReuploadMult: number;
  /** Share of benign new content that looks violent but is allowed (news, gaming, horror). */
  hardNegativeRate: number;
  /** P(label=1) for clean content (rare rater error). */
  qClean: number;
  /** P(label=1) for a hard negative is qHardNeg * edginess^hardNegExponent: only the edgiest few are contested. */
  qHardNeg: number;
  hardNegExponent: number;
  /** P(label=1) for harmful content is qPosLow + (qPosHigh - qPosLow) * intensity. */
  qPosLow: number;
  qPosHigh: number;
  /** Missing metadata probability for accounts younger than 30 days, and for older ones. */
  missingNew: number;
  missingOld: number;
  noAudioRate: number;
  /** P(speech transcript | audio track). */
  speechGivenAudio: number;
  /** Signal strengths (in units of the per-frame noise scale) of the harm directions. */
  visualHarm: number;
  audioHarm: number;
  /** Peak share of new harmful content in the drift category (reached in the last week). */
  driftShare: number;
  /**
   * Faint-segment variant (0 = off, the default world). When k > 0, a harmful item's harm interval
   * and a hard negative's violent-look interval last 1..k seconds (uniform), and frames carry the
   * harm direction only inside the interval (no half-weight neighbours) at amplitude
   * `faintHarm × (0.5 + 0.7 × intensity)` instead of `visualHarm × (…)`.
   */
  faintSegmentFrames: number;
  /** Per-frame harm amplitude of the faint-segment variant (raw embedding units; frame noise is 0.35 per dimension). */
  faintHarm: number;
  /**
   * Noise-modality variant: the named modality's embeddings carry no label signal — no topic centre,
   * no harm, look or speech directions; only content latent, segment/scene vectors and noise.
   */
  noiseModality: NoiseModality;
}

/** Which embedding modality, if any, is pure noise (the noise-modality variants). */
export const NOISE_MODALITIES = ['none', 'visual', 'audio'] as const;
export type NoiseModality = (typeof NOISE_MODALITIES)[number];

export const DEFAULT_KNOBS: SimKnobs = {
  creatorsPerUpload: 0.16,
  newCreatorShare: 0.3,
  badActorShare: 0.006,
  activitySigma: 1.3,
  badActivityMult: 1.6,
  baseHarmRate: 0.00128,
  badHarmRate: 0.036,
  reuploadRate: 0.03,
  badReuploadRate: 0.14,
  harmfulHistoryReuploadMult: 2,
  hardNegativeRate: 0.03,
  qClean: 0.00002,
  qHardNeg: 0.2,
  hardNegExponent: 12,
  qPosLow: 0.55,
  qPosHigh: 0.995,
  missingNew: 0.4,
  missingOld: 0.05,
  noAudioRate: 0.22,
  speechGivenAudio: 0.782,
  visualHarm: 8,
  audioHarm: 6,
  driftShare: 0.2,
  faintSegmentFrames: 0,
  faintHarm: 2.5,
  noiseModality: 'none',
};
