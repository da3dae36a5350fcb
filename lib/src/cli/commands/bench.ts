import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchMarkdown, type BenchResult } from '../../bench/report.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { VigilError } from '../../util/errors.js';
import type { Command } from '../command.js';
import { intOption } from '../command.js';
import { loadConfig } from '../../config.js';
import { getPreset } from '../../simulate/presets.js';
import { parseSections, runBench } from '../../bench/runBench.js';
import { DEFAULT_PYTHON } from '../../bench/peers.js';
import { BENCH_VARIANTS } from '../../bench/quality.js';
import { BENCH_SIM_VARIANTS, parseSimVariants } from '../../bench/simVariants.js';
import { runScaleBench } from '../../bench/scale.js';

export const benchCommand: Command = {
  name: 'bench',
  usage: [
    'Usage: vigil bench [--preset bench|default|tiny] [--only quality,real,variants,speed,e2e] [--out DIR] [--seed N]',
    '                   [--config CONFIG.json] [--set k=v ...] [--python PATH] [--no-peers] [--variants LIST]',
    '                   [--sim-variants LIST] [--variant-preset NAME] [--quick] [--work DIR] [--render FILE.json]',
    '       vigil bench --scale [--sizes 20000,60000,200000] [--cores N] [--weekly-uploads N] [--train-keep R] [--out DIR]',
    '',
    '  --scale         only the scale benchmark: each size simulated as a week-partitioned store, then each stage',
    '                  (load, split, SQL audit, streamed sampled read) timed in its own process with its peak RSS,',
    '                  and extrapolated to --weekly-uploads (default 180000000) on --cores (default 16) with',
    '                  negatives kept at --train-keep (default 0.03) for training; writes <date>-scale.json/.md',
    '  --sizes LIST    stored rows per size for --scale (default 20000,60000,200000; 2000000 is the full target)',
    '  --preset NAME   simulated dataset for the quality table (default: bench; "default" is quicker)',
    '  --only LIST     comma-separated sections: quality (model table with 95% CIs), real (a real public corpus',
    '                  from ../shared/data imported and run with defaults, beside TF-IDF text peers), variants (fusion vs each',
    '                  tower, and vs a frame-level reference detector, on hard-case simulator worlds), speed',
    '                  (training rows/s wasm vs cpu, generation and clustering scaling, serving latency, HTTP,',
    '                  HTTP tail at 500 req/s and at 4× the sustainable rate,',
    '                  extraction), e2e (`vigil start` timed in an empty folder). Default: all five',
    '  --out DIR       results folder (default: bench/results); writes <date>.json and <date>.md',
    '                  (<date>-<preset>.* for presets other than bench), atomically',
    '  --seed N        dataset / split seed (default: the config\'s data.seed)',
    '  --config FILE   experiment config (model, training, split and eval sections are used)',
    '  --set k=v       override a config value, e.g. --set train.epochs=6',
    `  --python PATH   interpreter for the XGBoost and scikit-learn peers (default: ${DEFAULT_PYTHON});`,
    '                  a missing interpreter or package skips that peer with a message',
    '  --no-peers      do not export features or run the Python peers',
    '  --variants LIST in-repo models for the quality table (any name of model/compare.ts VARIANTS; default',
    `                  ${BENCH_VARIANTS.join(',')})`,
    `  --sim-variants LIST  simulator variants of the variants section (default ${BENCH_SIM_VARIANTS.join(',')})`,
    '  --variant-preset NAME  dataset size of the variants section (default: default; tiny when --preset tiny)',
    '  --quick         fewer repetitions in the speed section',
    '  --work DIR      keep the scratch files (dataset, exported features, peer outputs) in DIR',
    '  --render FILE   only re-render FILE (a results .json) as markdown next to it, and print it',
    '',
    'Progress goes to stderr; the markdown tables are printed to stdout when done.',
  ].join('\n'),
  options: {
    preset: { type: 'string' },
    only: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' },
    config: { type: 'string' },
    set: { type: 'string', multiple: true },
    python: { type: 'string' },
    'no-peers': { type: 'boolean' },
    quick: { type: 'boolean' },
    work: { type: 'string' },
    render: { type: 'string' },
    variants: { type: 'string' },
    'sim-variants': { type: 'string' },
    'variant-preset': { type: 'string' },
    scale: { type: 'boolean' },
    sizes: { type: 'string' },
    cores: { type: 'string' },
    'weekly-uploads': { type: 'string' },
    'train-keep': { type: 'string' },
  },
  async run(values) {
    if (typeof values.render === 'string') {
      const file = values.render;
      if (!existsSync(file)) throw new VigilError(`--render: ${file} does not exist`, { field: 'render' });
      const md = benchMarkdown(JSON.parse(readFileSync(file, 'utf8')) as BenchResult);
      writeFileAtomic(file.replace(/\.json$/, '') + '.md', md);
      console.log(md);
      return 0;
    }
    if (values.scale === true) return runScale(values);
    const preset = (values.preset as string | undefined) ?? 'bench';
    getPreset(preset);
    const sections = parseSections(values.only as string | undefined);
    const simVariants = parseSimVariants(values['sim-variants'] as string | undefined);
    const variantPreset = values['variant-preset'] as string | undefined;
    if (variantPreset !== undefined) getPreset(variantPreset);
    const cfg = loadConfig(values.config as string | undefined, (values.set as string[] | undefined) ?? []);
    const seed = intOption(values, 'seed', cfg.data.seed);
    const argv = process.argv.slice(2).join(' ');
    const { markdown, jsonPath, mdPath } = await runBench({
      preset, seed, cfg, sections, outDir: (values.out as string | undefined) ?? join('bench', 'results'),
      variants: typeof values.variants === 'string' ? values.variants.split(',').map((v) => v.trim()).filter((v) => v.length > 0) : undefined,
      simVariants, variantPreset,
      python: values.python as string | undefined, peers: values['no-peers'] !== true, quick: values.quick === true,
      workDir: values.work as string | undefined, command: `vigil ${argv}`, cliMain: process.argv[1],
    });
    console.log(markdown);
    console.log(`wrote ${jsonPath} and ${mdPath}`);
    return 0;
  },
};

async function runScale(values: Record<string, unknown>): Promise<number> {
  const sizes = typeof values.sizes === 'string' ? values.sizes.split(',').map((x) => Number(x.trim())) : [20_000, 60_000, 200_000];
  const keep = typeof values['train-keep'] === 'string' ? Number(values['train-keep']) : 0.03;
  if (!(keep > 0 && keep <= 1)) throw new VigilError(`--train-keep: expected a share in (0, 1], got ${String(values['train-keep'])}`, { field: 'train-keep' });
  const { markdown, jsonPath, mdPath } = await runScaleBench({
    sizes, cores: intOption(values, 'cores', 16), weeklyUploads: intOption(values, 'weekly-uploads', 180_000_000),
    prevalence: 0.0035, trainNegativeKeepRate: keep, outDir: (values.out as string | undefined) ?? join('bench', 'results'),
    command: `vigil ${process.argv.slice(2).join(' ')}`, workDir: values.work as string | undefined, seed: intOption(values, 'seed', 1),
  });
  console.log(markdown);
  console.log(`wrote ${jsonPath} and ${mdPath}`);
  return 0;
}
