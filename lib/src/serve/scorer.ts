import { performance } from 'node:perf_hooks';
import type { FusionSession } from './onnxSession.js';
import type { ServingPreprocessor } from './preprocessing.js';
import type { ReasonThresholds } from './reasonThresholds.js';
import { REASON_CODES, buildReasonCodes, isHigh, knownContentCode, leaveOneOutVariants, transcriptWords, type KnownMatch, type ReasonCode, type TermContribution } from './reasonCodes.js';
import { videosToTable, type ParsedVideo, type RequestLimits } from './request.js';
import type { InputRanges } from './inputRanges.js';
import type { FusionInputs } from '../export/contract.js';

/** ALLOW / QUEUE / BLOCK from the policy's calibrated-probability thresholds. */
export type Action = 'ALLOW' | 'QUEUE' | 'BLOCK';

export interface ScoringPolicy {
  blockThreshold: number;
  queueThreshold: number;
  /** policy.json's block_enabled: false when no upload should be auto-blocked (everything flagged is queued). */
  blockEnabled: boolean;
  version: string;
}

/** The response for one video (docs/CONTRACTS.md). */
export interface ScoreResponse {
  video_id: string;
  risk_score: number;
  action: Action;
  reason_codes: ReasonCode[];
  model_version: string;
  policy_version: string;
  latency_ms: number;
}

/** The response's fields, in the order they are written (docs/CONTRACTS.md lists them from here). */
export const SCORE_RESPONSE_FIELDS = ['video_id', 'risk_score', 'action', 'reason_codes', 'model_version', 'policy_version', 'latency_ms'] as const;
// Compile-time: the list names every field of ScoreResponse and nothing else.
type UnlistedResponseField = Exclude<keyof ScoreResponse, (typeof SCORE_RESPONSE_FIELDS)[number]>;
const responseFieldsComplete: [UnlistedResponseField] extends [never] ? true : never = true;
void responseFieldsComplete;

/** Known-content lookup for one validated video (null = no match). */
export type KnownContentLookup = (video: ParsedVideo) => KnownMatch | null;

export interface ScorerParts {
  session: FusionSession;
  preprocessor: ServingPreprocessor;
  policy: ScoringPolicy;
  reasons: ReasonThresholds;
  /** Towers the model has (from model.onnx metadata). */
  towers: string[];
  modelVersion: string;
  knownContent?: KnownContentLookup | null;
  /** Most frames / segments accepted per video. */
  maxItems?: number;
  /** Distinct transcript words tried when attributing a high transcript signal. */
  maxTerms?: number;
  /** Accepted numeric input ranges (inputRanges.ts); requests outside them are refused. */
  inputRanges?: InputRanges;
}

export interface Scorer {
  limits: RequestLimits;
  modelVersion: string;
  policy: ScoringPolicy;
  towers: string[];
  /** Score validated videos as one batch; `startedAt` (performance.now()) lets latency include parsing. */
  scoreVideos(videos: ParsedVideo[], startedAt?: number): Promise<ScoreResponse[]>;
  close(): Promise<void>;
}

export function policyAction(risk: number, p: ScoringPolicy): Action {
  if (p.blockEnabled && risk >= p.blockThreshold) return 'BLOCK';
  if (risk >= p.queueThreshold) return 'QUEUE';
  return 'ALLOW';
}

/** Whether every model input of batch row `b` is a finite number (padding included: it is zeros). */
export function rowInputsFinite(x: FusionInputs, b: number): boolean {
  const block = (a: Float32Array, per: number) => {
    for (let i = b * per, end = (b + 1) * per; i < end; i++) if (!Number.isFinite(a[i])) return false;
    return true;
  };
  const dm = x.meta.length / x.B, dt = x.text.length / x.B, dv = x.frames.length / (x.B * x.T), da = x.audio.length / (x.B * x.S);
  return block(x.meta, dm) && block(x.frames, x.T * dv) && block(x.audio, x.S * da) && block(x.text, dt);
}

/**
 * The answer when the model's score cannot be computed (a non-finite input, risk or tower logit):
 * never ALLOW. The action is QUEUE (BLOCK for known content) and the reported risk is the queue
 * threshold, so anything that re-derives the action from the score also queues; the tower reason
 * codes are withheld because they would be computed from the same broken numbers.
 */
export function unavailableResponse(v: ParsedVideo, known: KnownMatch | null, policy: ScoringPolicy, modelVersion: string): ScoreResponse {
  const reason_codes: ReasonCode[] = [];
  if (known) reason_codes.push(knownContentCode(known));
  reason_codes.push({ code: 'SCORE_UNAVAILABLE', modality: 'model', score: 0, message: REASON_CODES.SCORE_UNAVAILABLE });
  return {
    video_id: v.videoId, risk_score: policy.queueThreshold, action: known ? 'BLOCK' : 'QUEUE', reason_codes,
    model_version: modelVersion, policy_version: policy.version, latency_ms: 0,
  };
}

export function createScorer(parts: ScorerParts): Scorer {
  const { session, preprocessor, policy, reasons, towers } = parts;
  // The graph has inputs only for its towers: a modality without one is accepted in requests and ignored.
  const limits: RequestLimits = {
    frameDim: session.dims.frameDim, audioDim: session.dims.audioDim, maxItems: parts.maxItems ?? 600,
    ...(session.dims.textDim === 0 ? { text: false } : {}),
    ...(parts.inputRanges ? { ranges: parts.inputRanges } : {}),
  };
  const dims = { frameDim: limits.frameDim, audioDim: limits.audioDim };
  const maxTerms = parts.maxTerms ?? 32;

  /** Run the model on rows that differ only in transcript: each row's gated text-tower logit. */
  const textLogits = async (base: ParsedVideo, texts: string[]): Promise<number[]> => {
    // One frame and no audio: the text tower's logit does not depend on them, and this keeps the batch tiny.
    const rows = texts.map((t) => ({
      ...base, frameTs: base.frameTs.subarray(0, 1), frameEmb: base.frameEmb.subarray(0, limits.frameDim),
      hasAudio: false, audioTs: new Float32Array(0), audioEmb: new Float32Array(0), transcript: t,
    }));
    const table = videosToTable(rows, dims);
    const out = await session.run(preprocessor.transform(table, rows.map((_, i) => i)));
    return rows.map((_, i) => out.modalityLogits[i * 4 + 3]);
  };

  /** Times of the items the model saw: all of them, or the preprocessing's pick when it capped the sequence. */
  const keptTimes = (ts: Float32Array, padded: number): ArrayLike<number> => {
    if (ts.length <= padded) return ts;
    // Without the preprocessing's rule the weights cannot be placed in time: no time evidence then.
    if (!preprocessor.keptItems) return [];
    return preprocessor.keptItems(ts.length, padded).map((k) => ts[k]);
  };

  const termsFor = async (v: ParsedVideo): Promise<TermContribution[]> => {
    const variants = leaveOneOutVariants(v.transcript ?? '', maxTerms);
    if (variants.length === 0) return [];
    const logits = await textLogits(v, [transcriptWords(v.transcript ?? '').join(' '), ...variants.map((x) => x.text)]);
    return variants
      .map((x, k) => ({ term: x.term, contribution: logits[0] - logits[k + 1] }))
      .filter((t) => t.contribution > 0)
      .sort((a, b) => b.contribution - a.contribution)
      .slice(0, 5);
  };

  return {
    limits, modelVersion: parts.modelVersion, policy, towers,
    async scoreVideos(videos, startedAt = performance.now()) {
      if (videos.length === 0) return [];
      const table = videosToTable(videos, dims);
      const x = preprocessor.transform(table, videos.map((_, i) => i));
      const out = await session.run(x);
      const responses: ScoreResponse[] = [];
      for (let i = 0; i < videos.length; i++) {
        const v = videos[i];
        const risk = out.risk[i];
        const ml = out.modalityLogits.subarray(i * 4, i * 4 + 4);
        const known = parts.knownContent ? parts.knownContent(v) : null;
        // Fail closed: a score built from a non-finite number is no score at all.
        if (!Number.isFinite(risk) || !ml.every(Number.isFinite) || !rowInputsFinite(x, i)) {
          responses.push(unavailableResponse(v, known, policy, parts.modelVersion));
          continue;
        }
        const textHigh = towers.includes('text') && !!v.transcript && isHigh(reasons, 'text', ml[3]);
        const terms = textHigh ? await termsFor(v) : undefined;
        const frameTimes = keptTimes(v.frameTs, x.T), audioTimes = keptTimes(v.audioTs, x.S);
        const reason_codes = buildReasonCodes({
          video: v, modalityLogits: ml, thresholds: reasons, towers, knownMatch: known, terms, frameTimes, audioTimes,
          // An absent sequence tower's weights are [B,0]: no evidence over items then.
          frameAttention: out.frameAttention.length === 0 ? [] : out.frameAttention.subarray(i * x.T, i * x.T + frameTimes.length),
          audioAttention: out.audioAttention.length === 0 ? [] : out.audioAttention.subarray(i * x.S, i * x.S + audioTimes.length),
        });
        responses.push({
          video_id: v.videoId,
          risk_score: Number(risk.toPrecision(7)),
          // Known blocked content is blocked whatever the model says.
          action: known ? 'BLOCK' : policyAction(risk, policy),
          reason_codes,
          model_version: parts.modelVersion,
          policy_version: policy.version,
          latency_ms: 0,
        });
      }
      const ms = Math.round((performance.now() - startedAt) * 1000) / 1000;
      for (const r of responses) r.latency_ms = ms;
      return responses;
    },
    close: () => session.release(),
  };
}
