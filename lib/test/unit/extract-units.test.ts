// Pure pieces of media extraction, checked against hand-computed values (no models, no ffmpeg).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segmentSpeech, DEFAULT_VAD, SAMPLE_RATE } from '../../src/extract/vad.js';
import { planSegments, segmentFeatures, AUDIO_FEATURE_NAMES, AUDIO_DIM } from '../../src/extract/audio.js';
import { resizeRgb } from '../../src/extract/frames.js';
import { parseTranscript } from '../../src/extract/transcript.js';
import { parseCsv, readSidecar, metaFromRow, labelFromRow } from '../../src/extract/metadata.js';
import { rowTable, type VideoRow } from '../../src/extract/videoRows.js';
import { concatVideoTables } from '../../src/data/table.js';
import { extractorId, EXTRACTOR_ID } from '../../src/extract/extract.js';
import { visualLayout } from '../../src/extract/visualEncoder.js';
import { VigilError } from '../../src/util/errors.js';

const step = DEFAULT_VAD.frameSamples / SAMPLE_RATE; // 0.096 s per VAD frame

test('VAD hysteresis: start at p>=0.5, end after 8 quiet frames, 1 frame lead-in, short bursts dropped', () => {
  const p = [0.1, 0.1, 0.9, 0.9, 0.4, 0.9, 0.9, ...Array(10).fill(0.1), 0.8, 0.8, ...Array(9).fill(0.0)];
  const segs = segmentSpeech(p);
  // frames 2..6 are speech (the 0.4 dip is above the 0.35 end threshold); lead-in pads back to frame 1.
  assert.equal(segs.length, 1);
  assert.ok(Math.abs(segs[0].start - 1 * step) < 1e-9);
  assert.ok(Math.abs(segs[0].end - 7 * step) < 1e-9);
  assert.ok(Math.abs(segs[0].meanProb - (0.1 + 0.9 * 4 + 0.4) / 6) < 1e-9);
  // the final 2-frame burst has fewer than 3 speech frames: a misfire, not a segment.
  assert.deepEqual(segmentSpeech(Array(40).fill(0.2)), []);
  // speech running to the end of the clip is closed at the last speech frame.
  const tail = segmentSpeech([0, 0.9, 0.9, 0.9, 0.9]);
  assert.equal(tail.length, 1);
  assert.ok(Math.abs(tail[0].end - 5 * step) < 1e-9);
});

test('segment planning splits long speech and windows speechless tracks', () => {
  const long = planSegments([{ start: 1, end: 23, meanProb: 0.9 }], 30, { maxSegmentS: 10 });
  assert.deepEqual(long.map((s) => [s.start, s.end, s.isSpeech]), [[1, 11, true], [11, 21, true], [21, 23, true]]);
  const music = planSegments([], 10.2, { windowS: 5 });
  // the 0.2 s sliver at the end is folded into the last window
  assert.deepEqual(music.map((s) => [s.start, s.end, s.isSpeech]), [[0, 5, false], [5, 10.2, false]]);
  assert.deepEqual(planSegments([], 0), []);
});

test('segment features of a pure tone match its known loudness, centroid and zero-crossing rate', () => {
  const f0 = 1000, amp = 0.5;
  const pcm = new Float32Array(SAMPLE_RATE * 2);
  for (let i = 0; i < pcm.length; i++) pcm[i] = amp * Math.sin((2 * Math.PI * f0 * i) / SAMPLE_RATE);
  const v = segmentFeatures(pcm, { start: 0, end: 2, meanProb: 0.25, isSpeech: true });
  assert.equal(v.length, AUDIO_DIM);
  const get = (n: string) => v[AUDIO_FEATURE_NAMES.indexOf(n)];
  // The Hann window lowers RMS below amp/√2 (-9.03 dB) by √(3/8) (-4.26 dB): about -13.3 dBFS.
  assert.ok(Math.abs(get('rms_db_mean') - (20 * Math.log10(amp / Math.SQRT2) + 20 * Math.log10(Math.sqrt(3 / 8)))) < 0.3, `rms ${get('rms_db_mean')}`);
  assert.ok(get('rms_db_std') < 0.2);
  assert.ok(Math.abs(get('centroid_khz_mean') - 1.0) < 0.1, `centroid ${get('centroid_khz_mean')}`);
  // two zero crossings per period: 2000 per second → 0.125 per sample
  assert.ok(Math.abs(get('zcr_mean') - (2 * f0) / SAMPLE_RATE) < 0.01, `zcr ${get('zcr_mean')}`);
  assert.equal(get('active_frac'), 1);
  assert.ok(Math.abs(get('log_duration_s') - Math.log1p(2)) < 1e-6);
  assert.ok(Math.abs(get('speech_prob') - 0.25) < 1e-6);
  assert.equal(get('is_speech'), 1);
  // digital silence: floor loudness, nothing active, every value finite
  const s = segmentFeatures(new Float32Array(SAMPLE_RATE), { start: 0, end: 1, meanProb: 0, isSpeech: false });
  assert.ok(s.every(Number.isFinite));
  assert.equal(s[AUDIO_FEATURE_NAMES.indexOf('rms_db_mean')], -100);
  assert.equal(s[AUDIO_FEATURE_NAMES.indexOf('active_frac')], 0);
});

test('bilinear resize with aligned corners', () => {
  // 2x1 image: black and white → 3x1: corners kept, middle is the average
  const src = Uint8Array.from([0, 0, 0, 255, 255, 255]);
  assert.deepEqual(Array.from(resizeRgb(src, 2, 1, 3, 1)), [0, 0, 0, 128, 128, 128, 255, 255, 255]);
  // 2x2 → 3x3: centre is the mean of the four corners (10, 20, 30, 40 in red)
  const sq = Uint8Array.from([10, 0, 0, 20, 0, 0, 30, 0, 0, 40, 0, 0]);
  const out = resizeRgb(sq, 2, 2, 3, 3);
  assert.equal(out[(1 * 3 + 1) * 3], 25);
  assert.equal(out[(0 * 3 + 1) * 3], 15);
  assert.equal(resizeRgb(sq, 2, 2, 2, 2), sq);
});

test('transcript: mean word confidence, joined words, errors name the field', () => {
  const t = parseTranscript({ text: 'a b', language: 'en', words: [{ w: 'a', start: 0, end: 0.2, conf: 0.9 }, { w: 'b', start: 0.3, end: 0.5, conf: 0.5 }] }, 'x.json');
  assert.ok(Math.abs(t.asrConfidence - 0.7) < 1e-12);
  assert.equal(t.language, 'en');
  const j = parseTranscript({ words: [{ w: 'hi', start: 0, end: 1, conf: 1 }, { w: 'there', start: 1, end: 2, conf: 0 }] }, 'y.json');
  assert.equal(j.text, 'hi there');
  assert.equal(j.language, null);
  assert.ok(Number.isNaN(parseTranscript({ text: '' }, 'z.json').asrConfidence));
  assert.equal(parseTranscript({ text: 'x', confidence: 0.4 }, 'z.json').asrConfidence, 0.4);
  assert.throws(() => parseTranscript({ text: 'x', words: [{ w: 'a', start: 0, end: 1, conf: 1.5 }] }, 'bad.json'),
    (e: unknown) => e instanceof VigilError && /bad\.json\.words\[0\]\.conf/.test(e.message));
  assert.throws(() => parseTranscript({ text: 3 }, 'bad.json'), /bad\.json\.text/);
  assert.throws(() => parseTranscript({ text: 'x', words: [{ w: 'a', start: 2, end: 1, conf: 1 }] }, 'b.json'), /words\[0\]\.end/);
});

test('sidecar CSV/JSON: quoting, keyed rows, typed values, errors naming the column', () => {
  const rows = parseCsv('video_id,country,policy_tags\r\nv1,"US, east","a;b"\nv2,,\n', 'm.csv');
  assert.deepEqual(rows, [{ video_id: 'v1', country: 'US, east', policy_tags: 'a;b' }, { video_id: 'v2', country: undefined, policy_tags: undefined }]);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-meta-'));
  try {
    writeFileSync(join(dir, 'm.csv'), 'video_id,creator_id,upload_ts,account_age_days,prior_strikes,harmful,policy_tags\nv1,c1,2024-03-01T13:30:00Z,12.5,,1,violence;gore\nv2,c2,1709300000000,,0,0,\n');
    const m = readSidecar(join(dir, 'm.csv'));
    const a = metaFromRow(m.get('v1')!, 'v1');
    assert.equal(a.uploadTs, Date.UTC(2024, 2, 1, 13, 30));
    assert.equal(a.accountAgeDays, 12.5);
    assert.equal(a.priorStrikes, undefined);
    assert.deepEqual(labelFromRow(m.get('v1')!, 'v1'), { harmful: 1, policyTags: ['violence', 'gore'], weight: 1 });
    assert.equal(metaFromRow(m.get('v2')!, 'v2').uploadTs, 1709300000000);
    writeFileSync(join(dir, 'l.json'), JSON.stringify({ v9: { harmful: 0, policy_tags: ['x'], weight: 20 } }));
    assert.deepEqual(labelFromRow(readSidecar(join(dir, 'l.json')).get('v9')!, 'v9'), { harmful: 0, policyTags: ['x'], weight: 20 });
    assert.throws(() => labelFromRow({ video_id: 'v', harmful: '2' }, 'v'), (e: unknown) => e instanceof VigilError && e.field === 'harmful');
    assert.throws(() => metaFromRow({ video_id: 'v', prior_strikes: '1.5' }, 'v'), /prior_strikes/);
    assert.throws(() => metaFromRow({ video_id: 'v', upload_ts: 'yesterday' }, 'v'), /upload_ts/);
    writeFileSync(join(dir, 'd.csv'), 'video_id\nv1\nv1\n');
    assert.throws(() => readSidecar(join(dir, 'd.csv')), /duplicate video_id 'v1'/);
    assert.throws(() => parseCsv('a,b\n1\n', 'x.csv'), /x\.csv line 2/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function row(id: string, frames: number, audio: number | null): VideoRow {
  return {
    videoId: id, creatorId: 'c', uploadTs: 0, durationS: frames, country: 'US', device: 'ios', accountAgeDays: NaN,
    priorStrikes: NaN, uploadHour: 0, frameDim: 2, frameTs: Float32Array.from({ length: frames }, (_, k) => k),
    frameEmb: Float32Array.from({ length: frames * 2 }, (_, k) => k), audioDim: 3,
    audio: audio === null ? null : { ts: Float32Array.from({ length: audio }, (_, k) => k * 2), emb: new Float32Array(audio * 3).fill(7) },
    transcript: null, asrConfidence: NaN, language: null, harmful: -1, policyTags: [], weight: 1,
  };
}

test('rows concatenate into CSR tables with the right offsets', () => {
  const t = concatVideoTables([rowTable(row('a', 2, 1)), rowTable(row('b', 3, null)), rowTable(row('c', 1, 2))]);
  assert.equal(t.n, 3);
  assert.deepEqual(Array.from(t.frameOffsets), [0, 2, 5, 6]);
  assert.deepEqual(Array.from(t.audioOffsets), [0, 1, 1, 3]);
  assert.deepEqual(Array.from(t.hasAudio), [1, 0, 1]);
  assert.deepEqual(Array.from(t.frameTs), [0, 1, 0, 1, 2, 0]);
  assert.equal(t.frameEmb.length, 12);
  assert.throws(() => rowTable({ ...row('z', 2, null), frameEmb: new Float32Array(3) }), /frame_emb/);
  assert.throws(() => rowTable(row('z', 0, null)), /at least one frame/);
});

test('extractor id names model, layer, dims and frame rate', () => {
  assert.equal(EXTRACTOR_ID, extractorId({ layer: 'dense_1', fps: 1 }));
  assert.match(EXTRACTOR_ID, /MobileNetV2\/dense_1:256\+probs:5/);
  assert.match(EXTRACTOR_ID, /meyda-5\.6-stats:40/);
  assert.notEqual(extractorId({ layer: 'dense_2' }), EXTRACTOR_ID);
  assert.notEqual(extractorId({ fps: 2 }), EXTRACTOR_ID);
  assert.deepEqual(visualLayout(261), { embDim: 256, probOffset: 256, classes: ['drawing', 'hentai', 'neutral', 'porn', 'sexy'] });
});

test('vigil extract: missing --out or inputs and a bad --layer are usage errors naming the flag', async () => {
  const { main } = await import('../../src/cli/main.js');
  const err = console.error;
  const seen: string[] = [];
  console.error = (m: unknown) => { seen.push(String(m)); };
  try {
    assert.equal(await main(['extract', 'a.mp4']), 2);
    assert.match(seen.join('\n'), /--out is required/);
    assert.equal(await main(['extract', '--out', 'x']), 2);
    assert.match(seen.join('\n'), /at least one video/);
    assert.equal(await main(['extract', 'a.mp4', '--out', 'x', '--layer', 'conv9']), 2);
    assert.match(seen.join('\n'), /--layer: expected dense_1 or dense_2/);
  } finally {
    console.error = err;
  }
});

test('extractor compatibility: same id passes, a different or missing one is refused with the reason', async () => {
  const { assertSameExtractor, datasetExtractorId } = await import('../../src/extract/compat.js');
  assert.doesNotThrow(() => assertSameExtractor(EXTRACTOR_ID, EXTRACTOR_ID));
  assert.throws(() => assertSameExtractor(extractorId({ layer: 'dense_2' }), EXTRACTOR_ID), /embedding spaces differ.*dense_2:128/);
  assert.throws(() => assertSameExtractor(null, EXTRACTOR_ID), /did not come from a media extractor/);
  const dir = mkdtempSync(join(tmpdir(), 'vigil-compat-'));
  try {
    assert.equal(datasetExtractorId(dir), null);
    writeFileSync(join(dir, 'extract_report.json'), JSON.stringify({ extractorId: EXTRACTOR_ID }));
    assert.equal(datasetExtractorId(dir), EXTRACTOR_ID);
    writeFileSync(join(dir, 'extract_report.json'), '{}');
    assert.throws(() => datasetExtractorId(dir), /extractorId/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
