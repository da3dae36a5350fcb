import { VigilError } from '../util/errors.js';

/** One upload waiting for review. */
export interface QueueItem {
  row: number;
  arrivalTs: number;
  /** Virtual uploads it stands for: each costs one review. */
  weight: number;
  /** severity hint × risk × creator tier (time waiting is added when it is ranked). */
  basePriority: number;
}

export interface Reviewed { item: QueueItem; reviewTs: number }

export const MS_PER_HOUR = 3_600_000;

/**
 * The review queue: a priority queue worked hour by hour with a fixed review budget per hour.
 * Priority is `basePriority × (1 + hours waiting / agingHours)`, so old items eventually overtake
 * fresh high-risk ones instead of starving. Budget is in reviews (virtual uploads): an item costs its
 * weight, unused budget carries over only while items wait (reviewers part-way through a batch),
 * and is lost when the queue is empty (idle reviewers). Cumulative reviews therefore never exceed
 * the cumulative capacity granted — the invariant the tests hold it to.
 */
export class ReviewQueue {
  private items: QueueItem[] = [];
  private budget = 0;
  /** Reviews granted / spent so far. */
  granted = 0;
  spent = 0;

  constructor(private readonly agingHours = 24) {}

  push(item: QueueItem): void {
    if (!(item.weight > 0)) throw new VigilError(`queue item for row ${item.row}: weight must be > 0, got ${item.weight}`, { field: 'weight', row: item.row });
    this.items.push(item);
  }

  get depth(): number { return this.items.length; }
  /** Virtual uploads waiting. */
  get waitingWeight(): number { return this.items.reduce((s, x) => s + x.weight, 0); }
  waiting(): readonly QueueItem[] { return this.items; }

  /**
   * Work one hour starting at `hourTs` with `capacity` reviews: items that arrived before the end of
   * the hour are eligible; the highest priority first while the budget covers it.
   */
  workHour(hourTs: number, capacity: number): Reviewed[] {
    if (!(capacity >= 0)) throw new VigilError(`queue capacity must be ≥ 0, got ${capacity}`, { field: 'capacity' });
    const end = hourTs + MS_PER_HOUR;
    this.granted += capacity;
    this.budget += capacity;
    const done: Reviewed[] = [];
    let usedThisHour = 0;
    for (;;) {
      let best = -1, bestP = -Infinity;
      for (let k = 0; k < this.items.length; k++) {
        const it = this.items[k];
        if (it.arrivalTs >= end) continue;
        const p = it.basePriority * (1 + Math.max(0, end - it.arrivalTs) / MS_PER_HOUR / this.agingHours);
        if (p > bestP || (p === bestP && it.row < this.items[best].row)) { bestP = p; best = k; }
      }
      if (best < 0) { this.budget = 0; break; }
      const it = this.items[best];
      if (it.weight > this.budget + 1e-9) break;
      this.budget -= it.weight;
      this.spent += it.weight;
      usedThisHour += it.weight;
      this.items.splice(best, 1);
      // Reviews are spread evenly over the hour: an item is decided once its share of the hour is used.
      const at = hourTs + MS_PER_HOUR * Math.min(1, usedThisHour / Math.max(capacity, 1e-9));
      done.push({ item: it, reviewTs: Math.min(end, Math.max(at, it.arrivalTs)) });
    }
    return done;
  }
}
