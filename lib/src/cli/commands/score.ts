import { createWriteStream } from 'node:fs';
import type { Command } from '../command.js';
import { requireString, intOption } from '../command.js';
import { loadRunFolder } from '../../serve/runFolder.js';
import { scoreJsonl } from '../../serve/jsonl.js';
import { loadFittedPreprocessor } from '../../serve/fittedPreprocessing.js';
import { loadKnownContent } from '../../serve/knownContent.js';
import { VigilError } from '../../util/errors.js';

export const scoreCommand: Command = {
  name: 'score',
  summary: 'Score a JSONL file of videos with a run folder (same code path as the server)',
  usage: [
    'Usage: vigil score --run RUN_DIR IN.jsonl [OUT.jsonl] [--threads N] [--batch N]',
    '',
    '  IN.jsonl     one video per line, in the /v1/score request format (docs/serving.md)',
    '  OUT.jsonl    one line per input line, same order: the response, or {line, video_id?, error, field}',
    '               for a line that fails validation (default: stdout)',
    '  --threads N  onnxruntime intra-op threads (default 1)',
    '  --batch N    videos per model call (default 64)',
    '',
    'A summary (lines, scored, errors, actions) goes to stderr. Exit code 0 even when some lines fail validation.',
  ].join('\n'),
  options: { run: { type: 'string' }, threads: { type: 'string' }, batch: { type: 'string' } },
  async run(values, positionals) {
    const runDir = requireString(values, 'run', 'score');
    const [inPath, outPath] = positionals;
    if (!inPath) throw new VigilError('vigil score: IN.jsonl is required', { field: 'IN.jsonl' });
    const { scorer } = await loadRunFolder(runDir, { threads: intOption(values, 'threads', 1), loadPreprocessor: loadFittedPreprocessor, loadKnownContent });
    const out = outPath ? createWriteStream(outPath) : null;
    const write = (line: string) => new Promise<void>((resolve, reject) => {
      const ok = out ? out.write(line + '\n') : process.stdout.write(line + '\n');
      if (ok) resolve(); else (out ?? process.stdout).once('drain', resolve).once('error', reject);
    });
    try {
      const s = await scoreJsonl(scorer, inPath, write, { batchSize: intOption(values, 'batch', 64) });
      process.stderr.write(JSON.stringify({ ...s, run: runDir, model_version: scorer.modelVersion, policy_version: scorer.policy.version }) + '\n');
    } finally {
      if (out) await new Promise<void>((r) => out.end(r));
      await scorer.close();
    }
    return 0;
  },
};
