/**
 * A fitted pipeline judged on the recent-time test weeks: the `test` and `slices` blocks of
 * metrics.json (with the new / returning creator slices) and the policy re-checked there. One
 * definition for the run writer and for a notebook's variant, so a variant compared with a run is
 * measured exactly as that run was.
 */
import type { VideoTable } from '../data/table.js';
import { evaluateTestSet, type TestSetEvaluation } from '../eval/testSet.js';
import { evaluatePolicy, type PolicyEvaluation } from '../policy/evaluatePolicy.js';
import type { FittedPipeline } from './fit.js';

export interface FitTestEvaluation {
  evalTest: TestSetEvaluation;
  policyTest: PolicyEvaluation;
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
  const policyTest = evaluatePolicy(fit.policy, testP, rows.test.map((r) => table.harmful[r]), rows.test.map((r) => table.weight[r]), groups,
    { bootstrap: cfg.eval.bootstrap, seed: cfg.eval.seed });
  return { evalTest, policyTest };
}
