/**
 * Which network a run exports: the fused model, without the towers that show no signal of their own,
 * or its best single tower when that tower beats the fusion on the calibration window. Reuses the
 * single-tower models `compare.variants` already trained (tower:meta/visual/audio/text); the fused
 * model is retrained only when a tower is dropped. Calibration rows only — never the test weeks.
 */
import type { VideoTable } from '../data/table.js';
import type { FittedPreprocessor } from '../features/preprocess.js';
import type { SplitAssignment } from '../split/types.js';
import type { ModelConfig } from '../model/config.js';
import type { ResolvedTrainConfig } from '../model/recipe.js';
import type { ModelComparison } from '../model/compare.js';
import { trainFusion, type TrainResult } from '../model/train.js';
import { linearTextResult } from '../model/linearTextModel.js';
import { scoreFusion } from '../model/score.js';
import { calibAp, chooseExport, judgeTowers, type CalibWindow, type TowerJudgement } from '../model/selection.js';
import { info } from '../util/progress.js';

export interface TowerVerdict extends Partial<TowerJudgement> {
  tower: string;
  /** False when no single-tower model of this tower was trained (not among compare.variants). */
  judged: boolean;
  /** Whether the exported fused model (candidate) uses this tower. */
  kept: boolean;
}

export interface ModelSelection {
  towers: TowerVerdict[];
  /** Towers of the configured fused model dropped because they were not above chance on their own. */
  dropped: string[];
  fused: { towers: string[]; calibAp: number; retrained: boolean; calibApAllTowers: number };
  bestTower: { name: string; calibAp: number } | null;
  /** 'fusion', `tower:<name>` or `text:linear` (the stacked linear text score, model/linearTextModel.ts). */
  exported: string;
  exportedCalibAp: number;
  /** Null when no single-tower model was available to compare with. */
  fusionBeatBestTower: boolean | null;
  /** The stacked linear text score as a candidate (null without a text tower or a linear text score). */
  linearText: { calibAp: number; exported: boolean } | null;
  reason: string;
  resamples: number;
}

export interface SelectInput {
  table: VideoTable;
  split: SplitAssignment;
  fitted: FittedPreprocessor;
  model: ModelConfig;
  train: ResolvedTrainConfig;
  /** The fused model trained with every configured (present) tower. */
  main: TrainResult;
  comparison: ModelComparison[];
  calibRows: number[];
  resamples: number;
  seed: number;
}

/** The exported name of the stacked linear text score. */
export const LINEAR_TEXT = 'text:linear';

export interface SelectOutcome {
  selection: ModelSelection;
  /** The network to calibrate, evaluate and export. */
  exported: TrainResult;
  /** The fused candidate (after dropping towers); equals `main` when nothing was dropped. */
  fused: TrainResult;
}

export async function selectModel(s: SelectInput): Promise<SelectOutcome> {
  const { table, calibRows } = s;
  const calib: CalibWindow = {
    labels: calibRows.map((r) => table.harmful[r]), weights: calibRows.map((r) => table.weight[r]),
    groups: calibRows.map((r) => table.creatorId[r]),
  };
  const fusedTowers = [...s.main.weights.config.towers] as ModelConfig['towers'];
  const byName = new Map(s.comparison.map((m) => [m.name, m]));
  const available = fusedTowers.filter((t) => byName.get(`tower:${t}`)?.train !== undefined);
  const judged = judgeTowers(calib, available.map((t) => ({ tower: t, calibScores: byName.get(`tower:${t}`)!.calibScores })),
    { resamples: s.resamples, seed: s.seed });
  const verdictOf = new Map(judged.map((j) => [j.tower, j]));
  // A tower is dropped only when it was judged and found indistinguishable from chance, and at least
  // one other tower survives (with nothing above chance there is nothing better to fall back to).
  let dropped = judged.filter((j) => !j.aboveChance).map((j) => j.tower);
  if (dropped.length === fusedTowers.length) dropped = [];
  const keptTowers = fusedTowers.filter((t) => !dropped.includes(t));

  const allTowersAp = calibAp(calib, scoreFusion(s.main.weights, s.fitted, table, calibRows).logit);
  let fused = s.main, fusedAp = allTowersAp, retrained = false;
  if (dropped.length > 0 && keptTowers.length > 1) {
    info(`model selection: towers ${dropped.join(', ')} are not above chance on the calibration window; retraining the fused model on ${keptTowers.join(', ')}`);
    fused = await trainFusion(table, s.split, s.fitted, { model: { ...s.model, towers: keptTowers }, train: s.train }, { noise: s.main.noise, quiet: true });
    fusedAp = calibAp(calib, scoreFusion(fused.weights, s.fitted, table, calibRows).logit);
    retrained = true;
  } else if (dropped.length > 0) {
    // One tower left: the fused model is that tower's model, already trained.
    fused = byName.get(`tower:${keptTowers[0]}`)!.train!;
    fusedAp = verdictOf.get(keptTowers[0])!.calibAp;
  }

  const onlyOne = dropped.length > 0 && keptTowers.length === 1;
  const candidates = judged.filter((j) => j.aboveChance && !onlyOne).map((j) => ({ name: `tower:${j.tower}`, calibAp: j.calibAp }));
  const choice = onlyOne
    ? { exported: `tower:${keptTowers[0]}`, fusionBeatBestTower: null, bestTower: { name: `tower:${keptTowers[0]}`, calibAp: fusedAp },
      reason: `only ${keptTowers[0]} is above chance on the calibration window, so its single-tower model is exported` }
    : chooseExport(fusedAp, candidates);
  let exported = choice.exported === 'fusion' || onlyOne ? fused : byName.get(choice.exported)!.train!;
  let exportedName = choice.exported, exportedAp = choice.exported === 'fusion' ? fusedAp : choice.bestTower!.calibAp, reason = choice.reason;
  // The preprocessor's stacked linear text score competes as one more candidate (no training needed).
  let linearText: ModelSelection['linearText'] = null;
  if (s.fitted.text.linear && keptTowers.includes('text')) {
    const candidate = linearTextResult(exported);
    const ap = calibAp(calib, scoreFusion(candidate.weights, s.fitted, table, calibRows).logit);
    linearText = { calibAp: ap, exported: ap > exportedAp };
    if (ap > exportedAp) {
      reason = `the stacked linear text score alone reaches calibration AP ${ap.toFixed(4)}, above ${exportedName}'s ${exportedAp.toFixed(4)}, so it is exported (${reason})`;
      exported = candidate; exportedName = LINEAR_TEXT; exportedAp = ap;
    }
  }
  const dropNote = dropped.length && !onlyOne ? `; ${dropped.join(', ')} dropped from the fused model (no lift over chance on the calibration window)` : '';
  const selection: ModelSelection = {
    towers: fusedTowers.map((t) => ({ tower: t, judged: verdictOf.has(t), kept: keptTowers.includes(t), ...verdictOf.get(t) })),
    dropped,
    fused: { towers: keptTowers, calibAp: fusedAp, retrained, calibApAllTowers: allTowersAp },
    bestTower: choice.bestTower ?? bestJudged(judged),
    exported: exportedName,
    exportedCalibAp: exportedAp,
    fusionBeatBestTower: choice.fusionBeatBestTower,
    linearText,
    reason: reason + dropNote,
    resamples: s.resamples,
  };
  info(`model selection: exported ${selection.exported} — ${selection.reason}`);
  return { selection, exported, fused };
}

function bestJudged(judged: TowerJudgement[]): { name: string; calibAp: number } | null {
  const best = [...judged].sort((a, b) => b.calibAp - a.calibAp)[0];
  return best ? { name: `tower:${best.tower}`, calibAp: best.calibAp } : null;
}
