import type { PolicyConfig } from './config.js';
import type { CategoryPolicy, Policy } from './types.js';

/** Per-category thresholds (configured) and per-category recall under the global thresholds. */
export function categories(
  scores: ArrayLike<number>, labels: ArrayLike<number>, weights: ArrayLike<number>,
  tags: readonly (readonly string[])[] | null, cfg: PolicyConfig,
  th: { queue_threshold: number; block_threshold: number; block_enabled: boolean },
) {
  const perCategory: Record<string, CategoryPolicy> = {};
  const categoryRecall: Policy['category_recall'] = {};
  const recallFor = (tag: string, qThr: number, bThr: number, bOn: boolean) => {
    let n = 0, W = 0, wq = 0, wb = 0;
    for (let i = 0; i < scores.length; i++) {
      if (labels[i] !== 1 || !tags || !tags[i].includes(tag)) continue;
      n++; W += weights[i];
      if (scores[i] >= qThr || (bOn && scores[i] >= bThr)) wq += weights[i];
      if (bOn && scores[i] >= bThr) wb += weights[i];
    }
    return { positives: n, recall_flagged: W > 0 ? wq / W : null, recall_blocked: W > 0 ? wb / W : null };
  };
  for (const [tag, bt] of Object.entries(cfg.perCategoryBlock)) {
    // A stricter category blocks at the lower of its own and the global threshold, and queues at
    // least everything it would block.
    const block = th.block_enabled ? Math.min(bt, th.block_threshold) : bt;
    const queue = Math.min(th.queue_threshold, block);
    perCategory[tag] = { block_threshold: block, queue_threshold: queue, ...recallFor(tag, queue, block, true) };
  }
  if (tags) {
    const all = new Set<string>();
    for (let i = 0; i < tags.length; i++) if (labels[i] === 1) for (const t of tags[i]) all.add(t);
    for (const t of [...all].sort()) categoryRecall[t] = recallFor(t, th.queue_threshold, th.block_threshold, th.block_enabled);
  }
  return { perCategory, categoryRecall };
}
