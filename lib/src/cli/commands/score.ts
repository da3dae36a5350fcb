import { statSync } from 'node:fs';
import type { Command } from '../command.js';
import { join } from 'node:path';
import { loadExtractor, extractVideo } from '../../extract/extract.js';
import { assertSameExtractor } from '../../extract/compat.js';
import { tableRowToVideo } from '../../serve/request.js';
import { requireString, intOption } from '../command.js';
import { loadRunFolder, verifyRunFolder } from '../../serve/runFolder.js';
import { scoreJsonl } from '../../serve/jsonl.js';
import { scoreStore } from '../../serve/scoreStore.js';
import { resolveVideosPath } from '../../data/parquet.js';
import { parquetParts } from '../../data/arrow.js';
import { loadFittedPreprocessor } from '../../serve/fittedPreprocessing.js';
import { loadKnownContent } from '../../serve/knownContent.js';
import { VigilError } from '../../util/errors.js';
import { assertNotPartialRun } from '../../runs/runFolder.js';
import { openAtomicWriter } from '../../util/atomic.js';

export const scoreCommand: Command = {
  name: 'score',
  usage: [
    'Usage: vigil score --run RUN_DIR IN.jsonl [OUT.jsonl] [--threads N] [--batch N]',
    '       vigil score --run RUN_DIR --dataset DIR [OUT.jsonl] [--threads N] [--batch N]',
    '       vigil score --run RUN_DIR --video CLIP.mp4 [--transcript T.json]',
    '',
    '  IN.jsonl     one video per line, in the /v1/score request format (docs/serving.md)',
    '  OUT.jsonl    one line per input line, same order: the response, or {line, video_id?, error, field}',
    '               for a line that fails validation (default: stdout)',
    '  --threads N  onnxruntime intra-op threads (default 1)',
    '  --batch N    videos per model call (default 64)',
    '  --dataset DIR  score every row of a feature store (videos.parquet: a file, parts or week partitions), read',
    '               one row group at a time: each row is validated and scored as a request would be; one line per',
    '               row in store order, {row, video_id, error, field} for a row the validation refuses',
    '  --video F    extract a real video file (frames, VAD audio, transcript JSON) and score it end to end;',
    '               refused unless the run was trained on features from the same extractor',
    '',
    'A summary (lines or rows, scored, errors, actions) goes to stderr. Exit code 0 even when some lines or rows fail validation.',
  ].join('\n'),
  options: { run: { type: 'string' }, threads: { type: 'string' }, batch: { type: 'string' }, video: { type: 'string' }, transcript: { type: 'string' }, dataset: { type: 'string' } },
  async run(values, positionals) {
    const runDir = requireString(values, 'run', 'score');
    // Before anything is loaded or a port bound: a run that never completed is not a model to serve.
    assertNotPartialRun(runDir, 'vigil score');
    if (typeof values.video === 'string') return scoreVideoFile(runDir, values.video, values.transcript as string | undefined, intOption(values, 'threads', 1));
    const dataset = typeof values.dataset === 'string' ? values.dataset : undefined;
    const [inPath, outPath] = dataset !== undefined ? [undefined, positionals[0]] : positionals;
    if (dataset !== undefined && positionals.length > 1) throw new VigilError('vigil score: with --dataset, only OUT.jsonl may follow', { field: 'OUT.jsonl' });
    if (dataset === undefined && !inPath) throw new VigilError('vigil score: IN.jsonl is required', { field: 'IN.jsonl' });
    if (inPath) checkInputFile(inPath);
    if (dataset !== undefined) parquetParts(resolveVideosPath(dataset));
    const { scorer } = await loadRunFolder(runDir, { threads: intOption(values, 'threads', 1), loadPreprocessor: loadFittedPreprocessor, loadKnownContent });
    // OUT.jsonl appears only when every line was written (no empty or partial file on failure).
    const out = outPath ? openAtomicWriter(outPath) : null;
    const write = (line: string) => (out ? out.write(line + '\n') : new Promise<void>((resolve, reject) => {
      if (process.stdout.write(line + '\n')) resolve(); else process.stdout.once('drain', resolve).once('error', reject);
    }));
    try {
      let s;
      const batchSize = intOption(values, 'batch', 64);
      try {
        s = dataset !== undefined ? await scoreStore(scorer, dataset, write, { batchSize }) : await scoreJsonl(scorer, inPath!, write, { batchSize });
      } catch (e) {
        if (out) await out.abort();
        const code = (e as NodeJS.ErrnoException).code;
        const src = dataset ?? inPath;
        throw code ? new VigilError(`vigil score: cannot read '${src}' (${code}: ${(e as Error).message})`, { field: dataset !== undefined ? 'dataset' : 'IN.jsonl' }) : e;
      }
      if (out) await out.commit();
      process.stderr.write(JSON.stringify({ ...s, run: runDir, model_version: scorer.modelVersion, policy_version: scorer.policy.version }) + '\n');
    } finally {
      await scorer.close();
    }
    return 0;
  },
};

/** The input must be a readable file before anything is loaded or written. */
function checkInputFile(inPath: string): void {
  let st;
  try { st = statSync(inPath); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new VigilError(`vigil score: input file '${inPath}' ${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`}`, { field: 'IN.jsonl' });
  }
  if (!st.isFile()) throw new VigilError(`vigil score: input '${inPath}' is not a file`, { field: 'IN.jsonl' });
}

/** Extract one real video with the run's extractor and score it (raw media is never kept). */
async function scoreVideoFile(runDir: string, video: string, transcriptPath: string | undefined, threads: number): Promise<number> {
  // The extractor the bundle's dataset was built with, read from the verified manifest (as serving reads it).
  const { extractor } = verifyRunFolder(runDir);
  const ex = await loadExtractor();
  assertSameExtractor(extractor, ex.id);
  const t = await extractVideo(video, { extractor: ex, transcriptPath });
  const v = tableRowToVideo(t, 0);
  const { scorer } = await loadRunFolder(runDir, { threads, loadPreprocessor: loadFittedPreprocessor, loadKnownContent });
  try {
    const [res] = await scorer.scoreVideos([v]);
    console.log(JSON.stringify(res, null, 2));
  } finally {
    await scorer.close();
  }
  return 0;
}
