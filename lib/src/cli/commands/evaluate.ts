import { readFileSync, existsSync } from 'node:fs';
import type { Command } from '../command.js';
import { loadConfig } from '../../config.js';
import { VigilError } from '../../util/errors.js';
import { writeJsonAtomic } from '../../util/atomic.js';
import { evaluate, type MetricValue } from '../../eval/evaluate.js';
import { choosePolicy } from '../../policy/choose.js';
import { thresholdSweep } from '../../policy/sweep.js';

interface ScoredFile { scores: Float64Array; labels: Int8Array; weights: Float64Array; groups: string[] | null; tags: string[][] | null }

/** Reads `{ score, label, weight?, group?, tags? }` per line; errors name the line and the field. */
export function readScoredJsonl(path: string): ScoredFile {
  if (!existsSync(path)) throw new VigilError(`scores file '${path}' does not exist`, { field: 'scores' });
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const n = lines.length;
  const out: ScoredFile = { scores: new Float64Array(n), labels: new Int8Array(n), weights: new Float64Array(n), groups: null, tags: null };
  const groups: string[] = [], tags: string[][] = [];
  let anyGroup = false, anyTags = false;
  lines.forEach((line, k) => {
    const at = `${path}:${k + 1}`;
    let o: Record<string, unknown>;
    try { o = JSON.parse(line); } catch (e) { throw new VigilError(`${at}: not valid JSON (${(e as Error).message})`, { row: k + 1 }); }
    const num = (f: string, dflt?: number): number => {
      const v = o[f] ?? dflt;
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new VigilError(`${at}: '${f}' must be a finite number, got ${JSON.stringify(o[f])}`, { field: f, row: k + 1 });
      return v;
    };
    out.scores[k] = num('score');
    const y = num('label');
    if (y !== 0 && y !== 1) throw new VigilError(`${at}: 'label' must be 0 or 1, got ${y}`, { field: 'label', row: k + 1 });
    out.labels[k] = y;
    out.weights[k] = num('weight', 1);
    if (o.group !== undefined) anyGroup = true;
    groups.push(o.group === undefined || o.group === null ? `row-${k}` : String(o.group));
    if (o.tags !== undefined) {
      if (!Array.isArray(o.tags) || !o.tags.every((t) => typeof t === 'string')) throw new VigilError(`${at}: 'tags' must be an array of strings`, { field: 'tags', row: k + 1 });
      anyTags = true;
    }
    tags.push((o.tags as string[] | undefined) ?? []);
  });
  if (anyGroup) out.groups = groups;
  if (anyTags) out.tags = tags;
  return out;
}

const fmt = (v: MetricValue) => (v.value === null ? 'n/a' : `${v.value.toFixed(4)}${v.ci ? ` [${v.ci[0].toFixed(4)}, ${v.ci[1].toFixed(4)}]` : ''}`);

export const evaluateCommand: Command = {
  name: 'evaluate',
  usage: [
    'Usage: vigil evaluate SCORES.jsonl [--config CONFIG.json] [--set key=value]...',
    '                      [--metrics-out FILE] [--policy-out FILE] [--sweep-out FILE]',
    '',
    'SCORES.jsonl holds one upload per line: {"score": p, "label": 0|1, "weight": w, "group": creator, "tags": [..]}',
    '(weight defaults to 1; without "group" the bootstrap resamples rows). Scores should be calibrated',
    'probabilities for ECE/Brier/log-loss and for policy thresholds.',
    '',
    '  --config FILE       experiment config (its eval and policy sections are used)',
    '  --set key=value     override a config value, e.g. --set policy.queueCapacity=0.005',
    '  --metrics-out FILE  write the metric block (metrics.json "test" format)',
    '  --policy-out FILE   write policy.json (thresholds chosen on these scores)',
    '  --sweep-out FILE    write the threshold sweep (frontier rows)',
  ].join('\n'),
  options: {
    config: { type: 'string' },
    set: { type: 'string', multiple: true },
    'metrics-out': { type: 'string' },
    'policy-out': { type: 'string' },
    'sweep-out': { type: 'string' },
  },
  async run(values, positionals) {
    if (positionals.length !== 1) throw new VigilError(`vigil evaluate: expected one SCORES.jsonl argument, got ${positionals.length}\n\n${this.usage}`, { field: 'scores' });
    const cfg = loadConfig(values.config as string | undefined, (values.set as string[] | undefined) ?? []);
    const d = readScoredJsonl(positionals[0]);
    const block = evaluate(d.scores, d.labels, d.weights, d.groups, cfg.eval);
    console.log(`${block.n} uploads, ${block.positives} positives, ${block.bootstrap.resamples} ${block.bootstrap.unit} resamples over ${block.bootstrap.groups} ${block.bootstrap.unit}s`);
    console.log(`  AP ${fmt(block.ap)}  ROC-AUC ${fmt(block.roc_auc)}  pAUC@0.02 ${fmt(block.pauc_002)}  F2 ${fmt(block.f2)}`);
    for (const [k, v] of Object.entries(block.recall_at_fpr)) console.log(`  recall @ FPR ${k}: ${fmt(v)}`);
    for (const [k, v] of Object.entries(block.precision_at_top)) console.log(`  precision in top ${k}: ${fmt(v)}`);
    if (block.probabilities) console.log(`  ECE ${fmt(block.ece)}  Brier ${fmt(block.brier)}  log-loss ${fmt(block.logloss)}`);
    for (const [k, v] of Object.entries(block.meets)) {
      console.log(`  criterion ${k} >= ${v.target}: ${v.met ? 'MET' : 'NOT MET'} (CI lower bound ${v.ci_low?.toFixed(4) ?? 'n/a'}; point ${v.value?.toFixed(4) ?? 'n/a'})`);
    }
    const policy = choosePolicy(d.scores, d.labels, d.weights, cfg.policy, { groups: d.groups, tags: d.tags });
    console.log(`policy ${policy.version}: QUEUE >= ${policy.queue_threshold.toPrecision(4)}, BLOCK ${policy.block_enabled ? `>= ${policy.block_threshold.toPrecision(4)}` : 'off'}; feasible: ${policy.feasible}`);
    for (const b of policy.binding) console.log(`  [${b.kind}] ${b.statement}`);
    if (policy.compromise) console.log(`  compromise: ${policy.compromise.statement}`);
    if (values['metrics-out']) writeJsonAtomic(values['metrics-out'] as string, block);
    if (values['policy-out']) writeJsonAtomic(values['policy-out'] as string, policy);
    if (values['sweep-out']) writeJsonAtomic(values['sweep-out'] as string, thresholdSweep(d.scores, d.labels, d.weights));
    return 0;
  },
};
