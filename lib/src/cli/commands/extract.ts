import type { Command } from '../command.js';
import { requireString, intOption } from '../command.js';
import { VigilError } from '../../util/errors.js';
import { info } from '../../util/progress.js';
import { readSidecar } from '../../extract/metadata.js';
import type { VisualLayer } from '../../extract/visualEncoder.js';

export const extractCommand: Command = {
  name: 'extract',
  usage: [
    'Usage: vigil extract VIDEO_OR_FRAME_FOLDER... --out DIR [--transcripts DIR] [--metadata FILE] [--labels FILE]',
    '',
    'Each input is a video file (any format ffmpeg reads) or a folder of JPEG frames (1 FPS, file-name',
    'order) optionally holding one audio file. Writes DIR/videos.parquet/part-*.parquet (one part per',
    'batch, the dataset schema) and DIR/extract_report.json; raw frames and audio are never written.',
    '',
    'Options:',
    '  --out DIR            output dataset folder (required)',
    '  --transcripts DIR    ASR JSON files <video_id>.json (default: beside each video)',
    '  --metadata FILE      CSV/JSON keyed by video_id: creator_id, upload_ts, country, device,',
    '                       account_age_days, prior_strikes, upload_hour, duration_s',
    '  --labels FILE        CSV/JSON keyed by video_id: harmful (0/1), policy_tags, weight;',
    '                       without it the output is unlabelled (for scoring)',
    '  --batch N            videos per Parquet part (default 16)',
    '  --max-frames N       cap on frames per video (default 600)',
    '  --layer NAME         vision embedding layer: dense_1 (256-d, default) or dense_2 (128-d)',
    '',
    'Exit code 0 when every file was extracted, 3 when some failed (listed at the end and in the report).',
  ].join('\n'),
  options: {
    out: { type: 'string' },
    transcripts: { type: 'string' },
    metadata: { type: 'string' },
    labels: { type: 'string' },
    batch: { type: 'string' },
    'max-frames': { type: 'string' },
    layer: { type: 'string' },
  },
  async run(values, positionals) {
    const out = requireString(values, 'out', 'extract');
    if (positionals.length === 0) throw new VigilError('vigil extract: give at least one video file or frame folder', { field: 'VIDEO' });
    const layer = (values.layer as string | undefined) ?? 'dense_1';
    if (layer !== 'dense_1' && layer !== 'dense_2') throw new VigilError(`--layer: expected dense_1 or dense_2, got '${layer}'`, { field: 'layer' });
    const metadata = typeof values.metadata === 'string' ? readSidecar(values.metadata) : undefined;
    const labels = typeof values.labels === 'string' ? readSidecar(values.labels) : undefined;
    // TF.js and onnxruntime load only when this command runs, not on every `vigil` start.
    const { loadExtractor } = await import('../../extract/extract.js');
    const { extractBatch, EXTRACT_REPORT_FILE, EXTRACT_VIDEOS_DIR } = await import('../../extract/batch.js');
    const ex = await loadExtractor({ layer: layer as VisualLayer });
    info(`extractor ${ex.id} (tfjs backend ${ex.backend})`);
    try {
      const r = await extractBatch(positionals, out, ex, {
        transcriptsDir: typeof values.transcripts === 'string' ? values.transcripts : undefined,
        metadata, labels,
        batchSize: intOption(values, 'batch', 16),
        maxFrames: intOption(values, 'max-frames', 600),
      });
      const frames = r.extracted.reduce((s, x) => s + x.frames, 0);
      console.log(`extracted ${r.extracted.length} videos (${frames} frames) into ${out}/${EXTRACT_VIDEOS_DIR} in ${r.seconds.toFixed(1)} s; report: ${out}/${EXTRACT_REPORT_FILE}`);
      if (r.skipped.length) console.log(`skipped ${r.skipped.length} already extracted`);
      for (const x of r.extracted) for (const w of x.warnings) console.log(`warning: ${w}`);
      if (r.failed.length) {
        console.log(`${r.failed.length} failed:`);
        for (const f of r.failed) console.log(`  ${f.error}`);
        return 3;
      }
      return 0;
    } finally {
      ex.dispose();
    }
  },
};
