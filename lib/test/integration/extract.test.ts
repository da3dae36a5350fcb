// Real media through the real models: ffmpeg-made clips (test pattern video; espeak-ng speech, a tone,
// silence, no audio track, a corrupt file) → dataset rows. Skips with a message when ffmpeg is missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import * as jpeg from 'jpeg-js';
import { hasFfmpeg } from '../../src/extract/ffmpeg.js';
import { loadExtractor, extractVideo, type Extractor } from '../../src/extract/extract.js';
import { extractBatch, EXTRACT_REPORT_FILE, type ExtractReport } from '../../src/extract/batch.js';
import { sampleVideoFrames } from '../../src/extract/frames.js';
import { AUDIO_FEATURE_NAMES } from '../../src/extract/audio.js';
import { readSidecar } from '../../src/extract/metadata.js';
import { readVideoTable } from '../../src/data/parquet.js';
import { frameCount, audioCount, type VideoTable } from '../../src/data/table.js';
import { setQuiet } from '../../src/util/progress.js';
import { fitPreprocessor } from '../../src/features/preprocess.js';
import { parseConfig } from '../../src/config.js';
import { runCli } from '../helpers/runCli.js';
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { loadFittedPreprocessor } from '../../src/serve/fittedPreprocessing.js';
import { tableRowToVideo } from '../../src/serve/request.js';
import { writeJsonAtomic } from '../../src/util/atomic.js';
import { makeRunFolder } from '../helpers/servingFixture.js';

setQuiet(true); // progress lines would interleave with the test report

const FFMPEG = hasFfmpeg();
const ESPEAK = spawnSync('espeak-ng', ['--version'], { stdio: 'ignore' }).status === 0;
const skip = FFMPEG ? false : 'ffmpeg/ffprobe not installed (Debian: apt-get install -y ffmpeg)';
const skipSpeech = skip || (ESPEAK ? false : 'espeak-ng not installed (Debian: apt-get install -y espeak-ng)');

const root = mkdtempSync(join(tmpdir(), 'vigil-extract-test-'));
const media = join(root, 'media');
const tmpRoot = join(root, 'tmp'); // private parent for the frame sampler's temporary folders
const out = join(root, 'out');
let ex: Extractor;
let report: ExtractReport;
let table: VideoTable;

function ff(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${r.stderr}`);
}
const video = (sec: number) => ['-f', 'lavfi', '-i', `testsrc=duration=${sec}:size=320x240:rate=25`];
const enc = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac'];

function buildFixtures(): void {
  mkdirSync(media, { recursive: true });
  mkdirSync(tmpRoot, { recursive: true });
  if (ESPEAK) {
    const wav = join(root, 'speech.wav');
    spawnSync('espeak-ng', ['-w', wav, 'The quick brown fox jumps over the lazy dog. This clip checks speech detection.']);
    // 1 s of silence, then speech, padded to 8 s.
    ff([...video(8), '-i', wav, '-filter_complex', '[1:a]adelay=1000:all=1,apad[a]', '-map', '0:v', '-map', '[a]', '-t', '8', ...enc, join(media, 'speech.mp4')]);
  }
  ff([...video(3), '-f', 'lavfi', '-i', 'sine=frequency=440:duration=3', '-shortest', ...enc, join(media, 'tone.mp4')]);
  ff([...video(3), '-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', '3', ...enc, join(media, 'silent.mp4')]);
  ff([...video(4), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', join(media, 'noaudio.mp4')]);
  // Shorter than one sampling interval: still gets its first frame.
  ff([...video(0.4), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', join(media, 'short.mp4')]);
  // A truncated file: the header promises a video the bytes do not hold.
  writeFileSync(join(media, 'corrupt.mp4'), readFileSync(join(media, 'tone.mp4')).subarray(0, 2000));
  // A folder of already-sampled frames (odd size, to exercise the resize) — no audio file.
  const frames = join(media, 'framesvid');
  mkdirSync(frames);
  for (let k = 0; k < 3; k++) {
    const w = 64, h = 48, data = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) { data[i * 4] = (k * 90 + i) % 256; data[i * 4 + 1] = (i * 7) % 256; data[i * 4 + 2] = 40 * k; data[i * 4 + 3] = 255; }
    writeFileSync(join(frames, `f${k}.jpg`), jpeg.encode({ width: w, height: h, data }, 90).data);
  }
  mkdirSync(join(root, 'asr'));
  writeFileSync(join(root, 'asr', 'speech.json'), JSON.stringify({
    text: 'the quick brown fox', language: 'en',
    words: [{ w: 'the', start: 1.0, end: 1.2, conf: 0.9 }, { w: 'quick', start: 1.2, end: 1.5, conf: 0.8 }, { w: 'brown', start: 1.5, end: 1.8, conf: 0.6 }, { w: 'fox', start: 1.8, end: 2.1, conf: 0.5 }],
  }));
}

const inputs = () => [
  ...(ESPEAK ? [join(media, 'speech.mp4')] : []),
  join(media, 'tone.mp4'), join(media, 'corrupt.mp4'), join(media, 'silent.mp4'), join(media, 'noaudio.mp4'), join(media, 'short.mp4'), join(media, 'framesvid'),
];

function walk(d: string): string[] {
  return readdirSync(d).flatMap((f) => (statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : [relative(out, join(d, f))]));
}

before(async () => {
  if (!FFMPEG) return;
  buildFixtures();
  ex = await loadExtractor();
  report = await extractBatch(inputs(), out, ex, { transcriptsDir: join(root, 'asr'), tmpRoot, batchSize: 2 });
  table = await readVideoTable(out, { requireLabels: false });
});
after(() => { ex?.dispose(); rmSync(root, { recursive: true, force: true }); });

const rowOf = (id: string) => {
  const i = table.videoId.indexOf(id);
  assert.ok(i >= 0, `row ${id}`);
  return i;
};

test('a corrupt file fails alone with a message naming it; the others are all written', { skip }, () => {
  assert.equal(report.failed.length, 1);
  assert.match(report.failed[0].error, /corrupt\.mp4/);
  assert.match(report.failed[0].error, /not a readable media file|no decodable video frames|failed/);
  assert.deepEqual(new Set(table.videoId), new Set(inputs().filter((p) => !p.includes('corrupt')).map((p) => p.split('/').pop()!.replace(/\.mp4$/, ''))));
  assert.equal(report.extracted.length, table.n);
  assert.ok(report.parts.length >= 2, 'batches of 2 give several parts');
  const onDisk = JSON.parse(readFileSync(join(out, EXTRACT_REPORT_FILE), 'utf8')) as ExtractReport;
  assert.equal(onDisk.failed[0].path, report.failed[0].path);
});

test('schema: dimensions come from the models; frames at 1 FPS with timestamps 0,1,2,…', { skip }, () => {
  assert.equal(table.frameDim, 261);
  assert.equal(table.audioDim, AUDIO_FEATURE_NAMES.length);
  const expectFrames: Record<string, number> = { tone: 3, silent: 3, noaudio: 4, short: 1, framesvid: 3, ...(ESPEAK ? { speech: 8 } : {}) };
  for (const [id, n] of Object.entries(expectFrames)) {
    const i = rowOf(id);
    assert.equal(frameCount(table, i), n, `${id} frames`);
    const ts = Array.from(table.frameTs.subarray(table.frameOffsets[i], table.frameOffsets[i + 1]));
    assert.deepEqual(ts, Array.from({ length: n }, (_, k) => k), `${id} timestamps`);
  }
  assert.ok(Math.abs(table.durationS[rowOf('tone')] - 3) < 0.1);
  // the last 5 dims of every frame are the class probabilities: they sum to 1
  for (let f = 0; f < table.frameOffsets[table.n]; f++) {
    let s = 0;
    for (let j = 256; j < 261; j++) s += table.frameEmb[f * 261 + j];
    assert.ok(Math.abs(s - 1) < 1e-3, `frame ${f} probabilities sum to ${s}`);
  }
  assert.ok(table.frameEmb.every(Number.isFinite) && table.audioEmb.every(Number.isFinite));
  assert.ok(Array.from(table.harmful).every((h) => h === -1), 'no --labels → unlabelled');
});

test('audio: no track → null; silence and a tone → windows without speech', { skip }, () => {
  assert.equal(table.hasAudio[rowOf('noaudio')], 0);
  assert.equal(audioCount(table, rowOf('noaudio')), 0);
  assert.equal(table.hasAudio[rowOf('framesvid')], 0);
  const feat = (i: number, seg: number, name: string) => table.audioEmb[(table.audioOffsets[i] + seg) * table.audioDim + AUDIO_FEATURE_NAMES.indexOf(name)];
  for (const id of ['silent', 'tone']) {
    const i = rowOf(id);
    assert.equal(table.hasAudio[i], 1);
    assert.equal(audioCount(table, i), 1, `${id}: one 3 s activity window`);
    assert.equal(feat(i, 0, 'is_speech'), 0);
    assert.equal(table.audioTs[table.audioOffsets[i]], 0);
  }
  assert.ok(feat(rowOf('silent'), 0, 'rms_db_mean') < -80, 'silence is quiet');
  assert.ok(Math.abs(feat(rowOf('tone'), 0, 'centroid_khz_mean') - 0.44) < 0.05, 'tone centroid at 440 Hz');
});

test('VAD finds the speech after the 1 s of silence', { skip: skipSpeech }, () => {
  const i = rowOf('speech');
  const st = report.extracted.find((s) => s.videoId === 'speech')!;
  assert.ok(st.speechSegments >= 1);
  const starts = Array.from(table.audioTs.subarray(table.audioOffsets[i], table.audioOffsets[i + 1]));
  assert.ok(starts[0] >= 0.6 && starts[0] <= 1.6, `first speech starts at ${starts[0]} s`);
  const isSpeech = table.audioEmb[table.audioOffsets[i] * table.audioDim + AUDIO_FEATURE_NAMES.indexOf('is_speech')];
  const prob = table.audioEmb[table.audioOffsets[i] * table.audioDim + AUDIO_FEATURE_NAMES.indexOf('speech_prob')];
  assert.equal(isSpeech, 1);
  assert.ok(prob > 0.5, `mean speech probability ${prob}`);
  assert.equal(table.transcript[i], 'the quick brown fox');
  assert.ok(Math.abs(table.asrConfidence[i] - 0.7) < 1e-6);
  assert.equal(table.language[i], 'en');
  assert.equal(table.transcript[rowOf('tone')], null);
});

test('no raw media left behind: output holds only Parquet parts and the report; temp folders are gone', { skip }, async () => {
  const files = walk(out);
  assert.ok(files.every((f) => f === EXTRACT_REPORT_FILE || /^videos\.parquet\/part-\d{5}\.parquet$/.test(f)), files.join(', '));
  assert.deepEqual(readdirSync(tmpRoot), []);
  // and on failure inside the sampler (ffmpeg fails after the temp folder exists)
  await assert.rejects(
    sampleVideoFrames(join(media, 'corrupt.mp4'), { hasVideo: true, hasAudio: false, durationS: 3, startS: 0 }, { tmpRoot }),
    /corrupt\.mp4: frame sampling failed/,
  );
  assert.deepEqual(readdirSync(tmpRoot), []);
});

test('deterministic: the same file gives identical features', { skip }, async () => {
  const a = await extractVideo(join(media, 'tone.mp4'), { extractor: ex, tmpRoot });
  const i = rowOf('tone');
  assert.deepEqual(a.frameEmb, table.frameEmb.slice(table.frameOffsets[i] * 261, table.frameOffsets[i + 1] * 261));
  assert.deepEqual(a.audioEmb, table.audioEmb.slice(table.audioOffsets[i] * table.audioDim, table.audioOffsets[i + 1] * table.audioDim));
  assert.equal(a.n, 1);
});

test('rerun resumes: extracted videos are skipped, the failed one is retried', { skip }, async () => {
  const r = await extractBatch(inputs(), out, ex, { transcriptsDir: join(root, 'asr'), tmpRoot });
  assert.equal(r.skipped.length, table.n);
  assert.equal(r.failed.length, 1);
  assert.equal((await readVideoTable(out, { requireLabels: false })).n, table.n);
});

test('labels and metadata from sidecars; a video without a label row fails by name', { skip }, async () => {
  const lab = join(root, 'labels.csv');
  writeFileSync(lab, 'video_id,harmful,policy_tags,creator_id,country,device,upload_ts,account_age_days,prior_strikes\nframesvid,1,violence;weapons,c7,BR,android,2024-05-02T21:15:00Z,3,1\n');
  const side = readSidecar(lab);
  const o2 = join(root, 'out-labelled');
  const r = await extractBatch([join(media, 'framesvid'), join(media, 'noaudio.mp4')], o2, ex, { labels: side, metadata: side, tmpRoot });
  assert.equal(r.failed.length, 1);
  assert.match(r.failed[0].error, /no label row for video_id 'noaudio'/);
  const t = await readVideoTable(o2); // labels required: the part carries `harmful`
  assert.equal(t.n, 1);
  assert.equal(t.harmful[0], 1);
  assert.deepEqual(t.policyTags[0], ['violence', 'weapons']);
  assert.equal(t.creatorId[0], 'c7');
  assert.equal(t.country[0], 'BR');
  assert.equal(t.uploadTs[0], Date.UTC(2024, 4, 2, 21, 15));
  assert.equal(t.uploadHour[0], 21);
  assert.equal(t.accountAgeDays[0], 3);
  assert.equal(t.priorStrikes[0], 1);
});

test('score --video: a run trained on extracted features scores a raw clip end to end, as the extracted row scores', { skip }, async () => {
  // A run folder over the extractor's embedding spaces: the real preprocessing fitted on the extracted
  // rows, a random model at those dimensions, and the extractor id in the manifest.
  const fitted = fitPreprocessor(table, Array.from({ length: table.n }, (_, i) => i), parseConfig({}).features);
  const run = makeRunFolder({ seed: 5, fitted });
  const manifestPath = join(run.dir, 'manifest.json');
  writeJsonAtomic(manifestPath, { ...JSON.parse(readFileSync(manifestPath, 'utf8')), extractor: ex.id });
  const id = ESPEAK ? 'speech' : 'tone';
  const args = ['score', '--run', run.dir, '--video', join(media, `${id}.mp4`), ...(ESPEAK ? ['--transcript', join(root, 'asr', 'speech.json')] : [])];
  const { code, out, err } = await runCli(args);
  assert.equal(code, 0, err);
  const res = JSON.parse(out) as { video_id: string; risk_score: number; action: string; reason_codes: string[] };
  assert.equal(res.video_id, id);
  assert.ok(res.risk_score > 0 && res.risk_score < 1, `risk ${res.risk_score}`);
  assert.ok(['ALLOW', 'QUEUE', 'BLOCK'].includes(res.action));
  // The batch-extracted row of the same clip, through the same scorer, gives the same answer.
  const { scorer } = await loadRunFolder(run.dir, { threads: 1, loadPreprocessor: loadFittedPreprocessor });
  try {
    const [ref] = await scorer.scoreVideos([tableRowToVideo(table, rowOf(id))]);
    assert.ok(Math.abs(ref.risk_score - res.risk_score) < 1e-6, `score --video ${res.risk_score} vs extracted row ${ref.risk_score}`);
    assert.equal(ref.action, res.action);
    assert.deepEqual(ref.reason_codes, res.reason_codes);
  } finally {
    await scorer.close();
    rmSync(run.dir, { recursive: true, force: true });
  }
});
