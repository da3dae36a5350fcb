import type { GroupIds } from '../stats/validate.js';
import type { PolicyConstraint } from './config.js';
import type { Achieved } from './achieved.js';

export type ConstraintName = PolicyConstraint | 'top_precision';

export interface ConstraintStatus {
  /** e.g. ">= 0.9" or "<= 0.01". */
  required: string;
  value: number | null;
  met: boolean;
  /** Met, but moving either threshold one step the other way would break it: it decided the choice. */
  binding: boolean;
}

export interface BindingNote { constraint: ConstraintName; kind: 'binding' | 'conflict' | 'shortfall'; statement: string }

export interface PolicyAlternative {
  give_up: PolicyConstraint;
  queue_threshold: number; block_threshold: number; block_enabled: boolean;
  achieved: Record<string, number | null>;
  violated: PolicyConstraint[];
}

export interface Compromise {
  /** Constraints not met by the chosen thresholds (each relaxed only as far as needed). */
  given_up: ConstraintName[];
  statement: string;
  priority: PolicyConstraint[];
  /** The same search with each threshold constraint moved to last place: the other ways to give. */
  alternatives: PolicyAlternative[];
}

export interface CategoryPolicy {
  block_threshold: number; queue_threshold: number;
  positives: number; recall_flagged: number | null; recall_blocked: number | null;
}

/** policy.json: thresholds in calibrated-probability space; the action rule is in `rule`. */
export interface Policy {
  version: string;
  space: 'calibrated_probability';
  rule: string;
  block_threshold: number;
  queue_threshold: number;
  /** False when no upload needs auto-blocking; block_threshold is then 1 (calibrated outputs stay below it). */
  block_enabled: boolean;
  constraints: {
    minRecall: number; maxFpr: number; queueCapacity: number; minBlockPrecision: number;
    minTopPrecision: number; topShare: number; priority: PolicyConstraint[];
  };
  achieved: Achieved;
  constraint_status: Record<ConstraintName, ConstraintStatus>;
  feasible: boolean;
  binding: BindingNote[];
  compromise: Compromise | null;
  per_category: Record<string, CategoryPolicy>;
  /** Recall per harm category (policy tag) under the global thresholds, when tags were given. */
  category_recall: Record<string, { positives: number; recall_flagged: number | null; recall_blocked: number | null }>;
  support: { n: number; positives: number; groups: number | null };
  bootstrap: { resamples: number; seed: number; unit: 'group' } | null;
}

export interface ChooseOptions {
  /** Creator/leakage groups for the achieved numbers' intervals. */
  groups?: GroupIds | null;
  /** Policy tags per row (for per-category thresholds and recall). */
  tags?: readonly (readonly string[])[] | null;
}
