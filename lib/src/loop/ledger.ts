import type { ReviewRole } from './reviewers.js';

/** Where a label came from: the model's queue, borderline exploration, the random audit, or an appeal. */
export type LabelSource = 'queue' | 'explore' | 'audit' | 'appeal';

export interface LabelRecord {
  row: number;
  /** Loop week in which the decision was made. */
  week: number;
  source: LabelSource;
  role: ReviewRole;
  /** The reviewer's decision: 1 = removed as harmful. */
  label: 0 | 1;
  /** Uploads the decision stands for in training: a queued stored row its `weight` identical uploads; an exploration or audit draw its sampling frame divided by the draws (design weight). */
  weight: number;
}

/**
 * Every label the operation produced, in decision order. It is the only thing retraining reads:
 * a row's training label is its latest decision (an appeal's second reviewer overrides the first),
 * so a label that no reviewer produced cannot reach a model.
 */
export class LabelLedger {
  readonly records: LabelRecord[] = [];

  add(r: LabelRecord): void {
    this.records.push(r);
  }

  /** Training rows of weeks in [fromWeek, toWeek]: latest decision per row, weights summed over its decisions' sources. */
  trainingSet(fromWeek: number, toWeek: number): { rows: number[]; labels: number[]; weights: number[] } {
    const latest = new Map<number, { label: 0 | 1; weight: number }>();
    for (const r of this.records) {
      if (r.week < fromWeek || r.week > toWeek) continue;
      const prev = latest.get(r.row);
      // An appeal re-decides the same uploads: it replaces the label, not adds weight.
      if (r.source === 'appeal' && prev) latest.set(r.row, { label: r.label, weight: prev.weight });
      else latest.set(r.row, { label: r.label, weight: (prev?.weight ?? 0) + r.weight });
    }
    const rows = [...latest.keys()].sort((a, b) => a - b);
    return { rows, labels: rows.map((r) => latest.get(r)!.label), weights: rows.map((r) => latest.get(r)!.weight) };
  }

  countBy(week: number, source: LabelSource): { n: number; positives: number; weight: number } {
    let n = 0, positives = 0, weight = 0;
    for (const r of this.records) if (r.week === week && r.source === source) { n++; positives += r.label; weight += r.weight; }
    return { n, positives, weight };
  }
}
