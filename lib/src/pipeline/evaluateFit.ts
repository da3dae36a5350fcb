/**
 * A fitted pipeline judged on the recent-time test weeks: the `test` and `slices` blocks of
 * metrics.json (with the new / returning creator slices) and the policy re-checked there. One
 * definition for the run writer and for a notebook's variant, so a variant compared with a run is
 * measured exactly as that run was. It also measures what the report shows about the test weeks
 * (every calibration method there, the frame attention of the riskiest harmful videos), so the report
 * formats results instead of fitting or running the network again.
 */
import type { VideoTable } from '../data/table.js';
import { evaluateTestSet, type TestSetEvaluation } from '../eval/testSet.js';
import { evaluatePolicy, type PolicyEvaluation } from '../policy/evaluatePolicy.js';
import { sigmoid } from '../util/sigmoid.js';
import type { FittedPipeline } from './fit.js';
import { calibrationOnTest, type CalibrationTestRow } from './calibrationOnTest.js';
import { attentionExamples, type AttentionExample } from './attentionExamples.js';

export interface FitTestEvaluation {
  evalTest: TestSetEvaluation;
  policyTest: PolicyEvaluation;
  /** The exported network's raw risk (sigmoid of the fused logit, no calibration) per test row. */
  uncalibratedP: Float64Array;
  /** Each calibration method (and none) on the test weeks. */
  calibration: CalibrationTestRow[];
  attention: AttentionExample[];
}

export function evaluateFitOnTest(table: VideoTable, fit: FittedPipeline): FitTestEvaluation {
  const { rows, config: cfg } = fit;
  const testP = fit.scores.test.p;
  const groups = rows.test.map((r) => table.creatorId[r]);
  // A creator never seen in the training weeks is the cold-start case the brief asks about.
  const trainCreators = new Set(rows.train.map((r) => table.creatorId[r]));
  const newCreator = rows.test.map((r) => !trainCreators.has(table.creatorId[r]));
  const evalTest = evaluateTestSet({
    table, rows: rows.test, scores: testP, groups, trainRows: rows.train, cfg: cfg.eval,
    extraSlices: { new_creator: newCreator, returning_creator: newCreator.map((x) => !x) },
  });
  const labels = rows.test.map((r) => table.harmful[r]), weights = rows.test.map((r) => table.weight[r]);
  const policyTest = evaluatePolicy(fit.policy, testP, labels, weights, groups, { bootstrap: cfg.eval.bootstrap, seed: cfg.eval.seed });
  const uncalibratedP = Float64Array.from(fit.scores.test.logit, (z) => sigmoid(z));
  return {
    evalTest, policyTest, uncalibratedP,
    calibration: calibrationOnTest(fit, labels, weights, uncalibratedP),
    attention: attentionExamples(table, fit),
  };
}
