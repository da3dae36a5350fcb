import type { Command } from '../command.js';
import { intOption } from '../command.js';
import { VigilError } from '../../util/errors.js';
import { loopConfigSchema, ROUTING_STRATEGIES, type RoutingStrategy } from '../../loop/config.js';
import { runLoop } from '../../loop/runLoop.js';
import { writeLoopFolder } from '../../loop/folder.js';
import { resolveRunDir } from '../../runs/runFolder.js';

function numOption(values: Record<string, unknown>, name: string): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) throw new VigilError(`--${name}: expected a number, got '${String(v)}'`, { field: name });
  return n;
}

export const loopCommand: Command = {
  name: 'loop',
  usage: [
    'Usage: vigil loop RUN [--weeks N] [--capacity SHARE] [--queue-mode published|suppressed]',
    '                      [--strategy top-risk|active|active+audit ...] [--explore SHARE] [--audit SHARE]',
    '                      [--retrained-routing queue-order|thresholds] [--no-retrain] [--seed N] [--out DIR] [--dir RUNS_DIR]',
    '',
    "  RUN            a run folder (or run id under --dir) trained on a simulated dataset",
    '  --weeks N      simulated weeks to replay (default 8; at most the preset\'s weeks)',
    '  --capacity S   daily review capacity as a share of uploads (default 0.0075)',
    '  --queue-mode   QUEUE uploads stay published while waiting (default) or are suppressed',
    `  --strategy S   routing strategy, repeatable (default: all of ${ROUTING_STRATEGIES.join(', ')})`,
    '  --explore S    share of capacity on borderline scores (default 0.2)',
    '  --audit S      share of capacity on a random audit of ALLOW uploads (default 0.1)',
    '  --retrained-routing  queue-order (default): a promoted retrained model orders the review queue and',
    '                 the run\'s policy still routes; thresholds: it also routes, at the policy\'s volume',
    '  --no-retrain   keep the run\'s model every week',
    '  --out DIR      where the versioned loop folder goes (default experiments/loops)',
    '',
    'Replays new weeks of the run\'s simulated world through its exported model and policy (the serving',
    'scorer), with a review queue, reviewers, appeals, audits and weekly retraining; writes loop.json,',
    'report.md and report.html into a new folder and prints its path.',
  ].join('\n'),
  options: {
    weeks: { type: 'string' }, capacity: { type: 'string' }, 'queue-mode': { type: 'string' }, strategy: { type: 'string', multiple: true },
    explore: { type: 'string' }, audit: { type: 'string' }, 'retrained-routing': { type: 'string' }, 'no-retrain': { type: 'boolean' }, seed: { type: 'string' },
    out: { type: 'string' }, dir: { type: 'string' },
  },
  async run(values, positionals) {
    if (positionals.length !== 1) throw new VigilError('vigil loop: expected one RUN (a run folder or run id)', { field: 'RUN' });
    const strategies = values.strategy as string[] | undefined;
    for (const s of strategies ?? []) {
      if (!(ROUTING_STRATEGIES as readonly string[]).includes(s)) throw new VigilError(`--strategy: expected one of ${ROUTING_STRATEGIES.join(', ')}, got '${s}'`, { field: 'strategy' });
    }
    const input = {
      weeks: intOption(values, 'weeks', 8), seed: intOption(values, 'seed', 1),
      ...(numOption(values, 'capacity') !== undefined ? { capacityShare: numOption(values, 'capacity') } : {}),
      ...(values['queue-mode'] !== undefined ? { queueMode: values['queue-mode'] } : {}),
      ...(strategies ? { strategies: strategies as RoutingStrategy[] } : {}),
      ...(numOption(values, 'explore') !== undefined ? { exploreShare: numOption(values, 'explore') } : {}),
      ...(numOption(values, 'audit') !== undefined ? { auditShare: numOption(values, 'audit') } : {}),
      ...(values['retrained-routing'] !== undefined ? { retrainedRouting: values['retrained-routing'] } : {}),
      ...(values['no-retrain'] ? { retrain: false } : {}),
    };
    const parsed = loopConfigSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const flag: Record<string, string> = { weeks: 'weeks', capacityShare: 'capacity', queueMode: 'queue-mode', retrainedRouting: 'retrained-routing', exploreShare: 'explore', auditShare: 'audit', seed: 'seed' };
      const key = String(issue.path[0] ?? '');
      throw new VigilError(`--${flag[key] ?? key}: ${issue.message}`, { field: flag[key] ?? key });
    }
    // Options are checked before the run is looked up or anything is simulated.
    const runDir = resolveRunDir(positionals[0], (values.dir as string | undefined) ?? 'experiments/runs');
    const t0 = Date.now();
    const result = await runLoop(runDir, parsed.data, { onProgress: (m) => process.stderr.write(`loop: ${m}\n`) });
    result.timings.total_s = Math.round((Date.now() - t0) / 100) / 10;
    const dir = await writeLoopFolder((values.out as string | undefined) ?? 'experiments/loops', result);
    for (const s of result.strategies) {
      console.log(`${s.strategy.padEnd(13)} exposure ${s.totals.exposure_upload_hours.toFixed(0)} upload-h · reviews ${s.totals.reviews.toFixed(0)}/${s.totals.capacity.toFixed(0)} · overturned ${s.totals.appeals_overturned}/${s.totals.appeals_filed} · mean AP ${s.totals.mean_ap?.toFixed(3) ?? '—'} · final AP ${s.totals.final_ap?.toFixed(3) ?? '—'}`);
    }
    console.log(`loop folder: ${dir}\nreport: ${dir}/report.html\nfinished in ${result.timings.total_s} s`);
    return 0;
  },
};
