import type { Command } from '../command.js';
import { loadConfig } from '../../config.js';
import { runExperiment } from '../../pipeline/run.js';
import { formatOutcome } from '../../pipeline/summary.js';
import { reportsDirFor, writeReportsIndex } from '../../report/index.js';
import { VigilError } from '../../util/errors.js';

export const runCommand: Command = {
  name: 'run',
  usage: [
    'Usage: vigil run CONFIG.json [--data DIR] [--out DIR] [--set key.path=value ...] [--id RUN_ID]',
    '',
    '  CONFIG.json   experiment config (experiments/*.json); every key has a default (docs/ARCHITECTURE.md)',
    '  --data DIR    dataset folder (overrides data.path; simulated first when missing and data.simulatePreset is set)',
    '  --out DIR     runs folder (overrides runsDir, default experiments/runs); the runs index goes beside it:',
    '                <parent of DIR>/reports/index.html (<root>/reports for <root>/experiments/runs)',
    '  --set k=v     override one config value, e.g. --set train.batchSize=64 --set model.pooling=mean',
    '                (train.epochs/batchSize/learningRate/positiveWeight/negativeKeepRate/earlyStoppingPatience',
    '                are derived from the training rows unless set; the run prints and records each choice)',
    '  --id RUN_ID   run id (default: time + config name + config hash)',
    '',
    'Writes experiments/runs/<run-id>/ atomically: manifest.json, split.parquet, metrics.json, policy.json,',
    'model.onnx, preprocessor.json, reason_codes.json, known_content.json, reference.json, report.html, report.md.',
  ].join('\n'),
  options: { data: { type: 'string' }, out: { type: 'string' }, set: { type: 'string', multiple: true }, id: { type: 'string' } },
  async run(values, positionals) {
    if (positionals.length !== 1) throw new VigilError('vigil run: exactly one CONFIG.json is required', { field: 'CONFIG.json' });
    const cfg = loadConfig(positionals[0], (values.set as string[] | undefined) ?? []);
    const outcome = await runExperiment(cfg, {
      dataPath: values.data as string | undefined, runsDir: values.out as string | undefined, runId: values.id as string | undefined,
    });
    const runsDir = (values.out as string | undefined) ?? cfg.runsDir;
    const idx = writeReportsIndex(runsDir, reportsDirFor(runsDir));
    console.log(formatOutcome(outcome, idx.html));
    return 0;
  },
};
