import { createRng, type Rng } from '../util/rng.js';
import type { LoopWorld } from './world.js';

/** Which reviewer looks at an upload: the first (queue, exploration, audit) or the appeal's second one. */
export type ReviewRole = 'first' | 'appeal';

/**
 * Reviewers follow the simulator's label-noise model: a reviewer removes an upload with probability
 * q (the same instance-dependent q that drew the dataset's observed labels), independently of any
 * other reviewer. Each decision is drawn from an rng forked by the upload and the role, so an upload
 * gets the same first decision under every routing strategy (strategies differ in *what* is
 * reviewed, not in how the reviewers happen to decide) and the result does not depend on order.
 */
export interface Reviewers {
  decide(row: number, role: ReviewRole): 0 | 1;
  /** Decisions made so far, per role (reviewer load). */
  count: Record<ReviewRole, number>;
}

export function makeReviewers(world: LoopWorld, seed: number): Reviewers {
  const root: Rng = createRng(seed).fork('reviewers');
  const count: Record<ReviewRole, number> = { first: 0, appeal: 0 };
  return {
    count,
    decide(row, role) {
      count[role]++;
      return root.fork(`${world.videoId[row]}:${role}`).next() < world.q[row] ? 1 : 0;
    },
  };
}

/** Expected agreement of two independent reviewers on an upload: q² + (1 − q)². */
export function pairAgreement(q: number): number {
  return q * q + (1 - q) * (1 - q);
}
