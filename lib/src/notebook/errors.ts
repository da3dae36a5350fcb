/**
 * The model's mistakes, for notebook 10: misses (harmful uploads the policy ALLOWs) and false alarms
 * (benign uploads it QUEUEs or BLOCKs) on the **calibration window** — the test weeks stay untouched
 * so a reviewer can act on what they read here without tuning to the test set. Each error carries
 * what a reviewer needs to judge it: its slices, harm category, which modalities it had, the creator's
 * history in the training weeks, and for the worst cases the attention time range, tower logits and
 * reason codes the deployed ONNX graph gives, beside the label-noise audit's verdicts.
 */
import { frameCount, audioCount, type TruthTable, type VideoTable } from '../data/table.js';
import type { SplitAssignment } from '../split/types.js';
import { alignSplit } from '../split/io.js';
import { CALIB, TRAIN } from '../split/types.js';
import { rowsOfSplit } from '../model/train.js';
import { defineSlices, spikeCountries } from '../eval/slices.js';
import type { EvalConfig } from '../eval/config.js';
import type { Policy } from '../policy/types.js';
import type { Action } from '../serve/scorer.js';
import { actionFor } from '../policy/choose.js';
import { buildReasonCodes, attentionSpan, type ReasonCode } from '../serve/reasonCodes.js';
import { readRunFile } from '../artifacts/runFiles.js';
import { readSavedReportInput } from '../report/savedInput.js';
import { tableRowToVideo } from '../serve/request.js';
import type { LabelNoiseRow } from '../report/types.js';
import { scoreWithOnnx, explainWithOnnx } from '../serve/scoreRows.js';
import { uploadWeeks } from './aggregate.js';
import { VigilError } from '../util/errors.js';

export type ErrorKind = 'miss' | 'false_alarm';

export interface CreatorHistory {
  priorStrikes: number | null;
  accountAgeDays: number | null;
  /** The creator's uploads (and harmful ones) in the training weeks. */
  trainUploads: number;
  trainHarmful: number;
  /** The creator's training uploads the label-noise audit flagged. */
  trainNoiseSuspects: number;
  kind: 'new creator' | 'returning, no harmful upload' | 'returning, harmful before';
}

export interface ErrorCase {
  row: number;
  videoId: string;
  kind: ErrorKind;
  label: 0 | 1;
  risk: number;
  action: Action;
  week: string;
  country: string;
  /** Slices (eval/slices.ts) the upload belongs to. */
  slices: string[];
  /** The simulator's harm category when truth is known, else the policy tags, else `none`. */
  category: string;
  /** Modalities the upload carries, e.g. `visual+audio+text` (metadata is always there). */
  modalities: string;
  creator: CreatorHistory;
  /** The simulator's true label (null without truth): a miss whose true label is 0 is label noise, not a model error. */
  trueLabel: number | null;
  /**
   * The model disagrees with the label so confidently that the label is worth a second look: a false
   * alarm at or above the BLOCK threshold, or a miss scored below the median benign upload.
   */
  labelSuspect: boolean;
}

export interface ErrorGroupRow {
  group: string;
  rows: number;
  positives: number;
  misses: number;
  falseAlarms: number;
  /** Weighted share of the group's positives missed (null without positives). */
  missRate: number | null;
  /** Weighted share of the group's negatives flagged (null without negatives). */
  falseAlarmRate: number | null;
}

export interface ErrorAnalysis {
  window: 'calibration';
  rows: number;
  positives: number;
  queueThreshold: number;
  blockThreshold: number;
  cases: ErrorCase[];
  bySlice: ErrorGroupRow[];
  byCategory: ErrorGroupRow[];
  byModality: ErrorGroupRow[];
  byCreatorHistory: ErrorGroupRow[];
  byWeek: ErrorGroupRow[];
}

export interface ErrorRun {
  dir: string;
  split: SplitAssignment;
  policy: Policy;
}

const modalitiesOf = (t: VideoTable, r: number): string => {
  const m: string[] = [];
  if (t.frameDim > 0 && frameCount(t, r) > 0) m.push('visual');
  if (t.audioDim > 0 && audioCount(t, r) > 0) m.push('audio');
  if (t.transcript[r] && t.transcript[r]!.trim() !== '') m.push('text');
  return m.length ? m.join('+') : 'metadata only';
};

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Label-noise suspects the run recorded (report-input.json), or [] when it ran without the audit. */
export function runNoiseSuspects(runDir: string): LabelNoiseRow[] {
  return readSavedReportInput(runDir)?.labelNoise?.rows ?? [];
}

/**
 * Score the calibration window through the run's model.onnx, apply its policy and list every miss
 * and false alarm with its context, plus the error rates grouped by slice, category, modality,
 * creator history and week.
 */
export async function listErrors(run: ErrorRun, table: VideoTable, opts: { eval: EvalConfig; truth?: TruthTable | null }): Promise<ErrorAnalysis> {
  const split = alignSplit(run.split, table.videoId);
  const calib = rowsOfSplit(split, CALIB);
  if (calib.length === 0) throw new VigilError(`run '${run.dir}': its split has no calibration rows in this table`, { field: 'split' });
  const { risk } = await scoreWithOnnx(run.dir, table, calib);
  const p = run.policy;

  const train = rowsOfSplit(split, TRAIN);
  const suspects = new Set(runNoiseSuspects(run.dir).map((s) => s.videoId));
  const history = new Map<string, { n: number; harmful: number; suspects: number }>();
  for (const r of train) {
    const h = history.get(table.creatorId[r]) ?? { n: 0, harmful: 0, suspects: 0 };
    h.n++; h.harmful += table.harmful[r] === 1 ? 1 : 0; h.suspects += suspects.has(table.videoId[r]) ? 1 : 0;
    history.set(table.creatorId[r], h);
  }
  const truthBy = new Map<string, { label: number; category: string }>();
  if (opts.truth) for (let i = 0; i < opts.truth.n; i++) truthBy.set(opts.truth.videoId[i], { label: opts.truth.trueHarmful[i], category: opts.truth.category[i] });

  const slices = defineSlices(table, calib, {
    coldStartDays: opts.eval.coldStartDays, longVideoFrames: opts.eval.longVideoFrames, spikeCountries: spikeCountries(table, train, opts.eval.spikeFactor),
  });
  const sliceOf: string[][] = calib.map(() => []);
  for (const s of slices) for (const k of s.positions) sliceOf[k].push(s.name);
  const weeks = uploadWeeks(table);

  // The median calibrated risk of benign uploads: a miss below it is scored like ordinary content.
  const negRisks = Float64Array.from(calib.flatMap((r, k) => (table.harmful[r] === 1 ? [] : [risk[k]]))).sort();
  const negMedian = negRisks.length ? negRisks[Math.floor(negRisks.length / 2)] : 0;

  const all: (ErrorCase & { weight: number; error: boolean })[] = calib.map((r, k) => {
    const label = (table.harmful[r] === 1 ? 1 : 0) as 0 | 1;
    const action = actionFor(p, risk[k]);
    const flagged = action !== 'ALLOW';
    const h = history.get(table.creatorId[r]);
    const t = truthBy.get(table.videoId[r]);
    const tags = table.policyTags[r] ?? [];
    const kind: ErrorKind = label === 1 ? 'miss' : 'false_alarm';
    return {
      row: r, videoId: table.videoId[r], kind, label, risk: risk[k], action, week: weeks[r], country: table.country[r], slices: sliceOf[k],
      category: t ? (t.category || 'none') : (tags.length ? tags.join('|') : 'none'),
      modalities: modalitiesOf(table, r),
      creator: {
        priorStrikes: finite(table.priorStrikes[r]), accountAgeDays: finite(table.accountAgeDays[r]),
        trainUploads: h?.n ?? 0, trainHarmful: h?.harmful ?? 0, trainNoiseSuspects: h?.suspects ?? 0,
        kind: !h ? 'new creator' : h.harmful > 0 ? 'returning, harmful before' : 'returning, no harmful upload',
      },
      trueLabel: t ? t.label : null,
      labelSuspect: label === 1 ? risk[k] < negMedian : (p.block_enabled && risk[k] >= p.block_threshold) || risk[k] >= Math.max(p.block_threshold, 0.5),
      weight: table.weight[r], error: label === 1 ? !flagged : flagged,
    };
  });

  const group = (key: (c: (typeof all)[number]) => string[]): ErrorGroupRow[] => {
    const acc = new Map<string, { rows: number; positives: number; misses: number; falseAlarms: number; wPos: number; wNeg: number; wMiss: number; wFa: number }>();
    for (const c of all) {
      for (const g of key(c)) {
        const a = acc.get(g) ?? { rows: 0, positives: 0, misses: 0, falseAlarms: 0, wPos: 0, wNeg: 0, wMiss: 0, wFa: 0 };
        a.rows++;
        if (c.label === 1) { a.positives++; a.wPos += c.weight; if (c.error) { a.misses++; a.wMiss += c.weight; } }
        else { a.wNeg += c.weight; if (c.error) { a.falseAlarms++; a.wFa += c.weight; } }
        acc.set(g, a);
      }
    }
    return [...acc.entries()].sort((x, y) => x[0].localeCompare(y[0])).map(([g, a]) => ({
      group: g, rows: a.rows, positives: a.positives, misses: a.misses, falseAlarms: a.falseAlarms,
      missRate: a.wPos > 0 ? a.wMiss / a.wPos : null, falseAlarmRate: a.wNeg > 0 ? a.wFa / a.wNeg : null,
    }));
  };
  const cases: ErrorCase[] = all.filter((c) => c.error).map(({ weight: _w, error: _e, ...c }) => c);
  // Worst first: the most confident misses (lowest risk) and false alarms (highest risk).
  cases.sort((a, b) => (a.kind === b.kind ? (a.kind === 'miss' ? a.risk - b.risk : b.risk - a.risk) : a.kind === 'miss' ? -1 : 1));
  return {
    window: 'calibration', rows: calib.length, positives: all.filter((c) => c.label === 1).length,
    queueThreshold: p.queue_threshold, blockThreshold: p.block_threshold, cases,
    // Category slices hold one category's harmful uploads and every benign one; byCategory says it plainly.
    bySlice: group((c) => ['all', ...c.slices.filter((n) => !n.startsWith('category:'))]),
    byCategory: group((c) => [c.label === 1 ? c.category : 'benign']),
    byModality: group((c) => [c.modalities]),
    byCreatorHistory: group((c) => [c.creator.kind]),
    byWeek: group((c) => [c.week]),
  };
}

export interface ExplainedError {
  videoId: string;
  kind: ErrorKind;
  risk: number;
  /** Tower logits as they enter the fusion head. */
  towerLogits: { meta: number; visual: number; audio: number; text: number };
  /** Where the frame attention pointed (seconds), null without frames. */
  attention: { start_s: number; end_s: number; top: { t_s: number; weight: number }[] } | null;
  reasonCodes: ReasonCode[];
}

/**
 * For the given errors (the worst ones): the deployed graph's tower logits and frame attention, and
 * the reason codes `vigil serve` would return (known-content matching left out: it needs the index).
 */
export async function explainErrors(runDir: string, table: VideoTable, cases: readonly ErrorCase[]): Promise<ExplainedError[]> {
  const thresholds = readRunFile(runDir, 'reason_codes.json');
  const manifest = readRunFile(runDir, 'manifest.json');
  const towers = manifest.towers?.towers ?? ['meta', 'visual', 'audio', 'text'];
  const explained = await explainWithOnnx(runDir, table, cases.map((c) => c.row));
  return explained.map((e, k) => {
    const ml = e.modalityLogits;
    const logits = [ml.meta, ml.visual, ml.audio, ml.text];
    return {
      videoId: e.videoId, kind: cases[k].kind, risk: e.risk, towerLogits: ml,
      attention: e.frameAttention.length ? attentionSpan(e.frameAttention, e.frameTs) : null,
      reasonCodes: buildReasonCodes({
        video: tableRowToVideo(table, e.row), modalityLogits: logits, frameAttention: e.frameAttention, audioAttention: [],
        frameTimes: e.frameTs, thresholds, towers,
      }),
    };
  });
}
