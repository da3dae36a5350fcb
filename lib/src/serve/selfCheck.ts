import type { Scorer } from './scorer.js';
import type { ParsedVideo } from './request.js';

/**
 * A canned upload (3 frames, audio, transcript, full metadata) the server scores before it reports
 * ready; without frames or audio where the model has no tower for them (dimension 0).
 */
export function cannedVideo(frameDim: number, audioDim: number): ParsedVideo {
  const frames = new Float32Array(3 * frameDim).map((_, i) => Math.sin(i) * 0.5);
  const audio = new Float32Array(2 * audioDim).map((_, i) => Math.cos(i) * 0.5);
  return {
    videoId: '__self_check__', creatorId: '__self_check__', uploadTs: Date.UTC(2026, 0, 1, 12), durationS: 3,
    country: 'US', device: 'android', accountAgeDays: 400, priorStrikes: 0, uploadHour: 12,
    frameTs: Float32Array.from(frameDim > 0 ? [0, 1, 2] : []), frameEmb: frames,
    hasAudio: audioDim > 0, audioTs: Float32Array.from(audioDim > 0 ? [0, 1.5] : []), audioEmb: audio,
    transcript: 'hello and welcome to my channel', asrConfidence: 0.9, language: 'en',
  };
}

/**
 * Score the canned upload twice, alone and inside a batch: the model must load, give a finite
 * probability, and give the same answer regardless of batching. Throws with what failed.
 */
export async function selfCheck(scorer: Scorer): Promise<{ risk: number; ms: number }> {
  const v = cannedVideo(scorer.limits.frameDim, scorer.limits.audioDim);
  const t0 = performance.now();
  const [a] = await scorer.scoreVideos([v]);
  const short = { ...v, videoId: '__self_check_2__', frameTs: v.frameTs.subarray(0, 1), frameEmb: v.frameEmb.subarray(0, scorer.limits.frameDim) };
  const [b] = await scorer.scoreVideos([v, short]);
  if (!(a.risk_score >= 0 && a.risk_score <= 1)) throw new Error(`self-check: risk ${a.risk_score} is not a probability`);
  if (Math.abs(a.risk_score - b.risk_score) > 1e-5) throw new Error(`self-check: risk ${a.risk_score} alone but ${b.risk_score} in a padded batch`);
  if (a.reason_codes.some((c) => c.code === 'SCORE_UNAVAILABLE')) throw new Error('self-check: the model gave no finite score for the canned upload');
  if (!['ALLOW', 'QUEUE', 'BLOCK'].includes(a.action)) throw new Error(`self-check: action ${a.action}`);
  return { risk: a.risk_score, ms: performance.now() - t0 };
}
