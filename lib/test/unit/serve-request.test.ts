import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJson, parseVideo, videosToTable, type RequestLimits } from '../../src/serve/request.js';
import { frameCount, audioCount } from '../../src/data/table.js';

const limits: RequestLimits = { frameDim: 3, audioDim: 2, maxItems: 5 };
const base = () => ({
  video_id: 'v1', frame_emb: [[1, 2, 3], [4, 5, 6]], audio_emb: [[0.5, -0.5]], transcript: 'hi', account_age_days: null,
});
const b64 = (xs: number[]) => Buffer.from(new Float32Array(xs).buffer).toString('base64');

function fieldOf(raw: unknown): { status: number; field: string; message: string } {
  const r = parseVideo(raw, limits);
  assert.equal(r.ok, false, `expected an error for ${JSON.stringify(raw).slice(0, 200)}`);
  return (r as { ok: false; error: { status: number; field: string; message: string } }).error;
}

test('a valid video parses; absent modalities and defaults', () => {
  const r = parseVideo(base(), limits);
  assert.ok(r.ok);
  const v = r.value;
  assert.deepEqual([...v.frameEmb], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...v.frameTs], [0, 1]);
  assert.equal(v.hasAudio, true);
  assert.ok(Number.isNaN(v.accountAgeDays));
  const r2 = parseVideo({ video_id: 'x', frame_emb: [[0, 0, 0]] }, limits);
  assert.ok(r2.ok);
  assert.equal(r2.value.hasAudio, false);
  assert.equal(r2.value.transcript, null);
  const t = videosToTable([r.value, r2.value], limits);
  assert.equal(t.n, 2);
  assert.equal(frameCount(t, 0), 2);
  assert.equal(frameCount(t, 1), 1);
  assert.equal(audioCount(t, 1), 0);
  assert.equal(t.hasAudio[1], 0);
});

test('base64 embeddings (per item or one block) equal the number arrays', () => {
  const a = parseVideo(base(), limits);
  const perItem = parseVideo({ ...base(), frame_emb: [b64([1, 2, 3]), b64([4, 5, 6])], audio_emb: b64([0.5, -0.5]) }, limits);
  const block = parseVideo({ ...base(), frame_emb: b64([1, 2, 3, 4, 5, 6]) }, limits);
  assert.ok(a.ok && perItem.ok && block.ok);
  assert.deepEqual([...perItem.value.frameEmb], [...a.value.frameEmb]);
  assert.deepEqual([...block.value.frameEmb], [...a.value.frameEmb]);
  assert.deepEqual([...perItem.value.audioEmb], [0.5, -0.5]);
});

test('every kind of bad input names its field', () => {
  assert.equal((parseJson('{"video_id": ') as { ok: false; error: { field: string } }).error.field, 'body');
  assert.equal(fieldOf([1, 2]).field, 'body');
  assert.equal(fieldOf({ frame_emb: [[1, 2, 3]] }).field, 'video_id');
  assert.equal(fieldOf({ ...base(), video_id: 7 }).field, 'video_id');
  assert.equal(fieldOf({ ...base(), video_id: '' }).field, 'video_id');
  assert.equal(fieldOf({ ...base(), prior_strikes: 'two' }).field, 'prior_strikes');
  assert.equal(fieldOf({ ...base(), prior_strikes: 1.5 }).field, 'prior_strikes');
  assert.equal(fieldOf({ ...base(), upload_hour: 24 }).field, 'upload_hour');
  assert.equal(fieldOf({ ...base(), upload_ts: 'yesterday' }).field, 'upload_ts');
  // Wrong embedding dimension, ragged frames, NaN/Inf.
  const dim = fieldOf({ ...base(), frame_emb: [[1, 2]] });
  assert.equal(dim.field, 'frame_emb[0]');
  assert.match(dim.message, /expects 3/);
  const ragged = fieldOf({ ...base(), frame_emb: [[1, 2, 3], [1, 2, 3, 4]] });
  assert.equal(ragged.field, 'frame_emb[1]');
  assert.match(ragged.message, /ragged/);
  assert.equal(fieldOf({ ...base(), audio_emb: [[1, 'x']] }).field, 'audio_emb[0]');
  assert.equal(fieldOf({ ...base(), frame_emb: [[1, 2, 1e39]] }).field, 'frame_emb[0]');
  assert.equal(fieldOf({ ...base(), frame_emb: b64([1, 2, NaN]) }).field, 'frame_emb[0]');
  assert.equal(fieldOf({ ...base(), frame_emb: [b64([1, 2, 3]), b64([Infinity, 0, 0])] }).field, 'frame_emb[1]');
  assert.equal(fieldOf({ ...base(), frame_emb: b64([1, 2, 3, 4]) }).field, 'frame_emb');
  assert.equal(fieldOf({ ...base(), frame_emb: 'not base64!' }).field, 'frame_emb');
  // Too many frames.
  const many = fieldOf({ ...base(), frame_emb: Array.from({ length: 6 }, () => [0, 0, 0]) });
  assert.equal(many.field, 'frame_emb');
  assert.match(many.message, /at most 5/);
  assert.equal(fieldOf({ ...base(), frame_emb: [] }).field, 'frame_emb');
  assert.equal(fieldOf({ ...base(), frame_emb: null }).field, 'frame_emb');
  assert.equal(fieldOf({ ...base(), frame_ts: [0] }).field, 'frame_ts');
  assert.equal(fieldOf({ ...base(), frame_ts: [0, -1] }).field, 'frame_ts[1]');
  // Unknown fields and modalities.
  const unk = fieldOf({ ...base(), thumbnail_emb: [[1]] });
  assert.equal(unk.field, 'thumbnail_emb');
  assert.match(unk.message, /unknown field/);
  assert.equal(fieldOf({ ...base(), audio_emb: null, audio_ts: [0] }).field, 'audio_ts');
  // Inside a batch the path is prefixed.
  const r = parseVideo({ ...base(), video_id: null }, limits, '[3].');
  assert.ok(!r.ok && r.error.field === '[3].video_id');
});
