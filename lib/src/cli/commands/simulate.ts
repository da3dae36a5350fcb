import type { Command } from '../command.js';
import { requireString, intOption } from '../command.js';
import { simulateToDir } from '../../simulate/write.js';
import { simulateShardsToDir } from '../../simulate/shards.js';
import { PRESETS, getPreset } from '../../simulate/presets.js';
import { difficultyCheck, formatDifficulty, channelCoverage, formatCoverage } from '../../simulate/check.js';
import { formatProfile } from '../../data/profile.js';
import { VigilError } from '../../util/errors.js';
import { buildKnobs, variantNames } from '../../simulate/variants.js';

const presetLines = Object.values(PRESETS)
  .map((p) => `    ${p.name.padEnd(8)} ${p.nVirtual.toLocaleString('en-US')} virtual uploads over ${p.weeks} weeks, negatives kept ${Math.round(p.negKeepRate * 100)}%`)
  .join('\n');

export const simulateCommand: Command = {
  name: 'simulate',
  usage: `Usage: vigil simulate --preset tiny|default|bench [--seed N] [--uploads N] [--variant NAME] [--knob k=v ...] --out DIR [--check] [--partition-by week]

  --preset NAME   dataset size (default: default)
${presetLines}
  --seed N        integer seed (default 1); the same seed gives byte-identical videos.parquet
  --uploads N     override the preset's number of virtual uploads (same weeks and sampling)
  --variant NAME  a hard case of the same world: ${variantNames().join(', ')} (default: none).
                  faint-segment writes DIR/detector.parquet (frame-level reference detector)
  --knob k=v      set one behaviour knob (SimKnobs in simulate/presets.ts) after the variant, e.g.
                  --knob faintSegmentFrames=2 --knob faintHarm=2; repeatable
  --out DIR       dataset folder to write (replaced atomically if it exists)
  --partition-by week
                  write videos.parquet Hive-partitioned by upload week, as Spark writes it
                  (videos.parquet/week=2026-05-04/part-00000.parquet); readers accept both layouts
  --shards N      generate the dataset as N streams of the same world, one at a time, so memory is
                  one shard's (--uploads / N) rather than the dataset's; shard 0 is the seed's own
                  stream, shard s its salted stream with ids prefixed 's<s>-'. Writes parts
                  (part-s<s>-NNNNN.parquet) and no profile.json; up to 4000000 uploads per shard
  --check         also measure the difficulty contract on the last 3 weeks (oracle, per-modality
                  linear probes) and print it; takes about a minute on the default preset

Writes DIR/videos.parquet (a folder of parts above 100k rows), DIR/truth.parquet (ground truth:
true label, category, oracle_p, reupload_of — never read by training) and DIR/profile.json
(measured statistics, weighted by the weight column). Prints the profile and the generation time.`,
  options: {
    preset: { type: 'string' },
    seed: { type: 'string' },
    uploads: { type: 'string' },
    out: { type: 'string' },
    check: { type: 'boolean' },
    variant: { type: 'string' },
    knob: { type: 'string', multiple: true },
    'partition-by': { type: 'string' },
    shards: { type: 'string' },
  },
  async run(values) {
    const base = getPreset(typeof values.preset === 'string' ? values.preset : 'default');
    const seed = intOption(values, 'seed', 1);
    const shards = intOption(values, 'shards', 1);
    if (shards < 1) throw new VigilError(`--shards: expected a positive integer, got ${shards}`, { field: 'shards' });
    const uploads = intOption(values, 'uploads', base.nVirtual);
    const maxUploads = 4_000_000 * shards;
    if (uploads < 1000 || uploads > maxUploads) throw new VigilError(`--uploads: expected 1000..${maxUploads} with ${shards} shard(s), got ${uploads}`, { field: 'uploads' });
    const preset = { ...base, nVirtual: uploads };
    const variant = typeof values.variant === 'string' ? values.variant : 'none';
    const knobs = buildKnobs(variant, (values.knob as string[] | undefined) ?? []);
    const out = requireString(values, 'out', 'simulate');
    const partitionBy = values['partition-by'];
    if (partitionBy !== undefined && partitionBy !== 'week') throw new VigilError(`--partition-by: expected 'week', got '${String(partitionBy)}'`, { field: 'partition-by' });
    if (shards > 1) {
      if (values.check) throw new VigilError('--check: measures the world in memory; not available with --shards', { field: 'check' });
      const r = await simulateShardsToDir(preset, seed, out, { shards, knobs, partitionBy,
        onShard: (s, rows) => console.log(`shard ${s + 1}/${shards}: ${rows.toLocaleString('en-US')} stored rows`) });
      console.log(`simulated preset '${preset.name}' seed ${seed} as ${shards} shards: ${r.rows.toLocaleString('en-US')} stored rows of ` +
        `${r.uploads.toLocaleString('en-US')} uploads in ${r.generationS.toFixed(1)}s (write ${r.writeS.toFixed(1)}s) → ${out}`);
      return 0;
    }
    const r = await simulateToDir(preset, seed, out, knobs, variant, { partitionBy });
    if (r.profile.knobs) console.log(`variant '${r.profile.variant}': ${JSON.stringify(r.profile.knobs)}`);
    console.log(`simulated preset '${preset.name}' seed ${seed} in ${r.generationS.toFixed(1)}s (write ${r.writeS.toFixed(1)}s) → ${out}`);
    console.log(formatProfile(r.profile));
    if (values.check) {
      const t0 = performance.now();
      console.log(formatDifficulty(difficultyCheck(r.sim.table, r.sim.truth)));
      console.log(formatCoverage(channelCoverage(r.sim)));
      console.log(`difficulty check ${((performance.now() - t0) / 1000).toFixed(1)}s`);
    }
    return 0;
  },
};
