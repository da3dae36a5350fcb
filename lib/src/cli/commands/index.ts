import type { Command } from '../command.js';

/**
 * Every `vigil` subcommand, in the order `vigil --help` lists them. A command's module (and what it
 * imports: TF.js, onnxruntime, Arrow...) is loaded only when that command runs, so `vigil serve` and
 * `--help` start without loading the training stack.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const commands: CommandEntry[] = [
  { name: 'start', summary: 'The main job (npm start): the default experiment on the default dataset, simulated if missing', load: async () => (await import('./start.js')).startCommand },
  { name: 'simulate', summary: 'Generate the StreamShare-like dataset (videos.parquet, truth.parquet, profile.json)', load: async () => (await import('./simulate.js')).simulateCommand },
  { name: 'import', summary: 'A labelled CSV/JSONL table (text, label, optional id/time/group) → a text-only dataset folder', load: async () => (await import('./import.js')).importCommand },
  { name: 'split', summary: 'Leakage-safe split: near-duplicate groups, recent-time holdout with purge, CV folds', load: async () => (await import('./split.js')).splitCommand },
  { name: 'run', summary: 'One experiment end to end (split → train → calibrate → policy → export → serving check → report)', load: async () => (await import('./run.js')).runCommand },
  { name: 'evaluate', summary: 'Metrics with group-bootstrap CIs and an ALLOW/QUEUE/BLOCK policy for a file of scores', load: async () => (await import('./evaluate.js')).evaluateCommand },
  { name: 'runs', summary: 'List complete experiment runs with their headline metrics', load: async () => (await import('./runs.js')).runsCommand },
  { name: 'compare', summary: 'Compare a candidate run against a baseline with CIs; exit 1 when it fails the promotion gate', load: async () => (await import('./compare.js')).compareCommand },
  { name: 'promote', summary: 'Promote a run (gated against the current one) or roll back to the previous one', load: async () => (await import('./promote.js')).promoteCommand },
  { name: 'report', summary: 'Re-render a run\'s report (HTML + Markdown) and the reports index', load: async () => (await import('./report.js')).reportCommand },
  { name: 'serve', summary: 'HTTP scoring server for a run folder (onnxruntime on CPU)', load: async () => (await import('./serve.js')).serveCommand },
  { name: 'score', summary: 'Score a JSONL file of videos with a run folder (same code path as the server)', load: async () => (await import('./score.js')).scoreCommand },
  { name: 'monitor', summary: 'Drift of new data against a run\'s training reference (PSI per feature, modality and score, by week)', load: async () => (await import('./monitor.js')).monitorCommand },
  { name: 'loop', summary: 'The moderation loop, simulated: queue, reviewers, appeals, audits and weekly retraining over new weeks', load: async () => (await import('./loop.js')).loopCommand },
  { name: 'extract', summary: 'Real media → dataset features (1 FPS frame embeddings, VAD audio segments, transcript)', load: async () => (await import('./extract.js')).extractCommand },
  { name: 'bench', summary: 'Benchmark suite: quality vs XGBoost / scikit-learn / the oracle, and speed (training, split, serving, extraction)', load: async () => (await import('./bench.js')).benchCommand },
];
