import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { VigilError } from '../util/errors.js';
import { gateConfigSchema, type GateConfig } from './config.js';
import { compareRuns, type Comparison } from './compare.js';
import { isCompleteRun, readRun, type RunData } from './runFolder.js';

/**
 * `PROMOTED` holds the id of the run serving traffic (one line, so `$(cat PROMOTED)` works in
 * scripts). `PROMOTED.history.json` keeps the stack of earlier promotions for rollback.
 */
export const PROMOTED_FILE = 'PROMOTED';
export const HISTORY_FILE = 'PROMOTED.history.json';

export interface PromotionEvent {
  action: 'promote' | 'rollback';
  run: string;
  at: string;
  forced: boolean;
  verdict?: 'promote' | 'reject';
  reasons?: string[];
}

export interface PromotionHistory {
  /** Promoted run ids, oldest first; the last one is current. */
  stack: string[];
  events: PromotionEvent[];
}

export function readPromotionHistory(runsDir: string): PromotionHistory {
  const p = join(runsDir, HISTORY_FILE);
  if (!existsSync(p)) return { stack: [], events: [] };
  try {
    const h = JSON.parse(readFileSync(p, 'utf8')) as PromotionHistory;
    if (!Array.isArray(h.stack) || !Array.isArray(h.events)) throw new Error('missing stack/events');
    return h;
  } catch (e) {
    throw new VigilError(`${p}: unreadable promotion history (${(e as Error).message})`, { field: HISTORY_FILE });
  }
}

/** The currently promoted run id, or null when nothing was promoted yet. */
export function currentPromoted(runsDir: string): string | null {
  const p = join(runsDir, PROMOTED_FILE);
  if (!existsSync(p)) return null;
  const id = readFileSync(p, 'utf8').trim();
  return id || null;
}

function save(runsDir: string, h: PromotionHistory): void {
  // History first: if we die between the two writes, PROMOTED still names a run the history knows.
  writeJsonAtomic(join(runsDir, HISTORY_FILE), h);
  const cur = h.stack[h.stack.length - 1];
  writeFileAtomic(join(runsDir, PROMOTED_FILE), cur ? cur + '\n' : '');
}

/** The gate a run asked for in its config (`gate` section), else the defaults. */
export function gateOf(run: RunData): GateConfig {
  const r = gateConfigSchema.safeParse(run.manifest.config.gate ?? {});
  if (!r.success) throw new VigilError(`${run.dir}/manifest.json: invalid gate config: ${r.error.issues.map((i) => i.path.join('.') + ' ' + i.message).join('; ')}`, { field: 'gate' });
  return r.data;
}

export interface PromoteResult {
  promoted: boolean;
  run: string;
  previous: string | null;
  comparison: Comparison | null;
}

/**
 * Promote `runId` (a folder under runsDir). When a run is already promoted, the candidate must pass
 * the gate against it; `force` promotes anyway and records that it did.
 */
export function promoteRun(runsDir: string, runId: string, opts: { force?: boolean; gate?: Partial<GateConfig>; now?: Date } = {}): PromoteResult {
  const dir = join(runsDir, runId);
  if (!isCompleteRun(dir)) throw new VigilError(`run '${runId}' is not a complete run under ${runsDir}`, { field: 'run' });
  const candidate = readRun(dir);
  const h = readPromotionHistory(runsDir);
  const previous = currentPromoted(runsDir);
  if (previous === runId) return { promoted: false, run: runId, previous, comparison: null };
  let comparison: Comparison | null = null;
  if (previous && isCompleteRun(join(runsDir, previous))) {
    comparison = compareRuns(readRun(join(runsDir, previous)), candidate, opts.gate ?? gateOf(candidate));
  }
  const passes = !comparison || comparison.verdict === 'promote';
  if (!passes && !opts.force) return { promoted: false, run: runId, previous, comparison };
  if (previous && h.stack[h.stack.length - 1] !== previous) h.stack.push(previous);
  h.stack.push(runId);
  h.events.push({
    action: 'promote', run: runId, at: (opts.now ?? new Date()).toISOString(), forced: !passes,
    verdict: comparison?.verdict, reasons: comparison?.reasons,
  });
  save(runsDir, h);
  return { promoted: true, run: runId, previous, comparison };
}

/** Return to the previously promoted run. Fails when there is nothing to roll back to. */
export function rollbackPromotion(runsDir: string, now = new Date()): { from: string; to: string } {
  const h = readPromotionHistory(runsDir);
  const cur = currentPromoted(runsDir);
  if (cur && h.stack[h.stack.length - 1] !== cur) h.stack.push(cur);
  if (h.stack.length < 2) throw new VigilError(`nothing to roll back to: ${cur ? `only '${cur}' was ever promoted` : 'no run is promoted'}`, { field: 'rollback' });
  const from = h.stack.pop()!;
  const to = h.stack[h.stack.length - 1];
  if (!isCompleteRun(join(runsDir, to))) throw new VigilError(`cannot roll back to '${to}': its run folder is missing or incomplete`, { field: 'rollback' });
  h.events.push({ action: 'rollback', run: to, at: now.toISOString(), forced: false });
  save(runsDir, h);
  return { from, to };
}
