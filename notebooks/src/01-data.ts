// %% [markdown]
// # 1. The data
//
// StreamShare uploads as Vigil stores them: one row per video with metadata, per-frame visual
// embeddings, per-segment audio embeddings and an ASR transcript, a moderator label `harmful`, and a
// sampling `weight` (negatives are stored at a reduced rate; every rate below is weighted back to the
// upload stream). The simulator also writes `truth.parquet` — the true label and harm category —
// which only evaluation reads.
//
// The preset comes from `VIGIL_PRESET` (default `default`; CI runs `tiny`).

// %%
import * as tslab from 'tslab';
import {
  setQuiet, notebookConfig, openDataset, htmlTable, pct, shareRows, weeklyShare, histogram,
  VIDEO_COLUMNS, prevalenceSvg, renderVegaLite, alignTruth, formatProfile,
} from '@vigil/lib';
setQuiet(true);
const cfg = notebookConfig();
const ds = await openDataset(cfg);
const { table, truth, profile } = ds;
console.log(`preset ${cfg.name}: ${table.n} stored rows standing for ${profile.n_virtual} uploads over ${profile.weeks} weeks from ${profile.start.slice(0, 10)}`);

// %% [markdown]
// ## Schema
// The Parquet contract every source (simulator, real extraction, Spark) must meet.

// %%
tslab.display.html(htmlTable(VIDEO_COLUMNS.map((c) => ({ column: c.name, kind: c.kind, nullable: c.nullable, meaning: c.doc }))));

// %% [markdown]
// ## Prevalence: overall, by region, by week
// Harm is rare, and its rate differs by region — the slices the policy notebook checks.

// %%
console.log(formatProfile(profile));
tslab.display.html(htmlTable(Object.keys(profile.region_prevalence).map((r) => ({
  region: r, 'share of uploads': pct(profile.region_share[r]), prevalence: pct(profile.region_prevalence[r], 3),
})), { caption: 'Prevalence by region (weighted)' }));

// %%
const weekRows = weeklyShare(table, () => true, (i) => table.harmful[i] === 1);
tslab.display.svg(await prevalenceSvg(weekRows.map((w) => ({ week: w.week, prevalence: w.share, n: w.among })), { title: 'Observed prevalence by upload week' }));

// %% [markdown]
// ## Missingness by modality
// Metadata is often missing exactly for new accounts; audio and transcripts are missing for a
// large share of uploads, so every tower must cope with an absent modality.

// %%
tslab.display.html(htmlTable([
  { modality: 'metadata (account age, strikes)', missing: pct(profile.missing_metadata_rate), note: `new accounts: ${pct(profile.missing_metadata_rate_new_accounts)}` },
  { modality: 'audio track', missing: pct(profile.no_audio_rate), note: '' },
  { modality: 'transcript (ASR)', missing: pct(1 - profile.asr_rate), note: `non-English among transcripts: ${pct(profile.non_english_asr_rate)}` },
  { modality: 'visual frames', missing: '0.00%', note: 'every video has ≥ 1 frame' },
]));

// %% [markdown]
// ## Frames per video (1 FPS)
// A long tail: most clips are short, a few run to the 600-frame cap — the reason the fusion model
// pools a variable-length sequence instead of a fixed window.

// %%
const frames = Array.from({ length: table.n }, (_, i) => table.frameOffsets[i + 1] - table.frameOffsets[i]);
const hist = histogram(frames, [1, 5, 10, 20, 40, 80, 160, 320, 600]);
console.log(`mean ${profile.mean_frames.toFixed(1)} frames (weighted), p99 ${profile.p99_frames}, max ${profile.max_frames}`);
tslab.display.svg(await renderVegaLite({
  title: 'Frames per stored video', width: 420, height: 180, data: { values: hist },
  mark: 'bar', encoding: { x: { field: 'bin', type: 'ordinal', sort: null, title: 'frames' }, y: { field: 'count', type: 'quantitative', title: 'videos' } },
}));

// %% [markdown]
// ## Language mix of transcripts
// ASR confidence is lower outside English, so the text tower is weakest there.

// %%
tslab.display.html(htmlTable(shareRows(table.language.map((l) => l ?? '(no transcript)'), table.weight)
  .map((r) => ({ language: r.key, uploads: r.count, share: pct(r.share) }))));
console.log(`ASR confidence: English ${profile.asr_confidence_english?.toFixed(3)}, other ${profile.asr_confidence_non_english?.toFixed(3)}`);

// %% [markdown]
// ## Re-uploads and label noise
// Re-uploads of the same content are why the split groups near-duplicates; moderator labels are
// noisy (two raters agree with Cohen's κ below), which is why training audits its labels.

// %%
const rows: Record<string, unknown>[] = [
  { statistic: 're-upload share (truth)', value: pct(profile.reupload_rate) },
  { statistic: 'share of harmful uploads that are re-uploads', value: pct(profile.harmful_reupload_rate) },
  { statistic: "rater agreement (Cohen's κ)", value: profile.rater_kappa?.toFixed(3) ?? '—' },
];
if (truth) {
  const t = alignTruth(table, truth);
  let fp = 0, fn = 0, pos = 0, neg = 0;
  for (let i = 0; i < table.n; i++) {
    const w = table.weight[i];
    if (t.trueHarmful[i] === 1) { pos += w; if (table.harmful[i] === 0) fn += w; } else { neg += w; if (table.harmful[i] === 1) fp += w; }
  }
  rows.push({ statistic: 'truly harmful uploads labelled harmless', value: pct(fn / pos) });
  rows.push({ statistic: 'truly harmless uploads labelled harmful', value: pct(fp / neg, 3) });
}
tslab.display.html(htmlTable(rows));

// %% [markdown]
// ## Drift: a harm category that appears late
// `hate_symbol` exists only in the last weeks of the stream; the test window therefore holds harm the
// training window barely saw (from `truth.parquet`).

// %%
if (truth) {
  const cat = new Map(truth.videoId.map((id, k) => [id, truth.category[k]]));
  const trueHarm = new Map(truth.videoId.map((id, k) => [id, truth.trueHarmful[k] === 1]));
  const drift = weeklyShare(table, (i) => trueHarm.get(table.videoId[i]) === true, (i) => cat.get(table.videoId[i]) === 'hate_symbol');
  tslab.display.html(htmlTable(drift.map((d) => ({ week: d.week, 'truly harmful uploads': d.among, 'hate_symbol share': pct(d.share, 1) }))));
  tslab.display.svg(await renderVegaLite({
    title: 'Share of truly harmful uploads in the late category', width: 420, height: 160, data: { values: drift },
    mark: { type: 'line', point: true }, encoding: { x: { field: 'week', type: 'ordinal' }, y: { field: 'share', type: 'quantitative', axis: { format: '%' } } },
  }));
} else {
  console.log('no truth.parquet: category drift needs the simulator ground truth');
}
