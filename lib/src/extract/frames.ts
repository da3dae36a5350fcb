/**
 * 1 FPS frame sampling. A video is sampled with ffmpeg into JPEG files in a private temporary folder
 * (JPEG because that is what the feature store's frames are: the same compression the training frames
 * went through), the JPEGs are decoded in memory and the folder is removed in `finally`, on success
 * and on failure alike: raw frames never outlive the call and never touch the output folder.
 * A folder of already-sampled JPEG frames is accepted as well (same decode and resize path).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as jpeg from 'jpeg-js';
import { VigilError } from '../util/errors.js';
import { inputArg, lastLine, runProcess, type MediaInfo } from './ffmpeg.js';

/** The vision model's input side. */
export const FRAME_SIZE = 224;

/** One decoded frame, RGB, row-major, FRAME_SIZE x FRAME_SIZE after `resizeRgb`. */
export interface Frame {
  /** Seconds from the start of the media. */
  ts: number;
  width: number;
  height: number;
  rgb: Uint8Array;
}

export interface FrameOptions {
  /** Frames per second to sample (the feature store is 1 FPS). */
  fps?: number;
  /** Cap on frames per video (the model pads sequences to at most 600). */
  maxFrames?: number;
  /** Where the temporary frame folder is created (default: the OS temp dir). */
  tmpRoot?: string;
}

/**
 * Bilinear resize with aligned corners (output corner pixels sample input corner pixels), the same
 * convention as the vision model's own preprocessing, so frames given as folders of any size and
 * frames sampled by ffmpeg land on the same grid.
 */
export function resizeRgb(src: Uint8Array, w: number, h: number, outW: number, outH: number): Uint8Array {
  if (w === outW && h === outH) return src;
  const out = new Uint8Array(outW * outH * 3);
  const sy = outH > 1 ? (h - 1) / (outH - 1) : 0;
  const sx = outW > 1 ? (w - 1) / (outW - 1) : 0;
  for (let y = 0; y < outH; y++) {
    const fy = y * sy;
    const y0 = Math.floor(fy), y1 = Math.min(y0 + 1, h - 1), dy = fy - y0;
    for (let x = 0; x < outW; x++) {
      const fx = x * sx;
      const x0 = Math.floor(fx), x1 = Math.min(x0 + 1, w - 1), dx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const a = src[(y0 * w + x0) * 3 + c], b = src[(y0 * w + x1) * 3 + c];
        const d = src[(y1 * w + x0) * 3 + c], e = src[(y1 * w + x1) * 3 + c];
        const top = a + (b - a) * dx, bot = d + (e - d) * dx;
        out[(y * outW + x) * 3 + c] = Math.round(top + (bot - top) * dy);
      }
    }
  }
  return out;
}

/** Decode one JPEG to RGB at FRAME_SIZE; `name` is used in the error message. */
export function decodeJpegFrame(buf: Uint8Array, name: string, ts: number): Frame {
  let img: { width: number; height: number; data: Uint8Array };
  try {
    img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: false, maxMemoryUsageInMB: 1024 });
  } catch (e) {
    throw new VigilError(`${name}: not a decodable JPEG (${(e as Error).message})`, { field: name });
  }
  const rgb = resizeRgb(img.data, img.width, img.height, FRAME_SIZE, FRAME_SIZE);
  return { ts, width: FRAME_SIZE, height: FRAME_SIZE, rgb };
}

const isJpeg = (f: string) => /\.(jpe?g)$/i.test(f);

/** Frames from a folder of JPEGs, in file-name order; frame k is at k / fps seconds. */
export function readFrameFolder(dir: string, opts: FrameOptions = {}): Frame[] {
  const fps = opts.fps ?? 1;
  const maxFrames = opts.maxFrames ?? 600;
  const names = readdirSync(dir).filter(isJpeg).sort().slice(0, maxFrames);
  if (names.length === 0) throw new VigilError(`${dir}: frame folder holds no .jpg/.jpeg files`, { field: dir });
  return names.map((f, k) => decodeJpegFrame(readFileSync(join(dir, f)), join(dir, f), k / fps));
}

/** ffmpeg's showinfo line for each output frame carries its presentation time. */
function parseFrameTimes(stderr: string): number[] {
  const ts: number[] = [];
  for (const m of stderr.matchAll(/\bn:\s*(\d+)\s.*?\bpts_time:\s*(-?[0-9.eE+-]+)/g)) ts[Number(m[1])] = Number(m[2]);
  return ts;
}

async function runSampler(path: string, dir: string, vf: string, maxFrames: number): Promise<{ names: string[]; times: number[] }> {
  const r = await runProcess('ffmpeg', [
    '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'info', '-i', inputArg(path), '-map', '0:v:0', '-an', '-sn',
    '-vf', `${vf}scale=${FRAME_SIZE}:${FRAME_SIZE}:flags=bilinear,showinfo`,
    '-frames:v', String(maxFrames), '-q:v', '2', join(dir, '%06d.jpg'),
  ]);
  if (r.code !== 0) throw new VigilError(`${path}: frame sampling failed (ffmpeg: ${lastLine(r.stderr)})`, { field: path });
  return { names: readdirSync(dir).filter(isJpeg).sort(), times: parseFrameTimes(r.stderr) };
}

/** Sample a video at `fps`, returning decoded frames; the temporary JPEG folder is always removed. */
export async function sampleVideoFrames(path: string, info: MediaInfo, opts: FrameOptions = {}): Promise<Frame[]> {
  const fps = opts.fps ?? 1;
  const maxFrames = opts.maxFrames ?? 600;
  if (!info.hasVideo) throw new VigilError(`${path}: has no video stream`, { field: path });
  const dir = mkdtempSync(join(opts.tmpRoot ?? tmpdir(), 'vigil-frames-'));
  try {
    let { names, times } = await runSampler(path, dir, `fps=${fps},`, maxFrames);
    // A clip shorter than one sampling interval can fall between the fps filter's grid points:
    // keep its first frame so every video has at least one.
    if (names.length === 0) ({ names, times } = await runSampler(path, dir, '', 1));
    if (names.length === 0) throw new VigilError(`${path}: no decodable video frames`, { field: path });
    return names.map((f, k) => {
      // ffmpeg shifts output times to start at 0 (the input's start), so showinfo's pts_time is
      // already relative to the start of the media; k / fps is the fps filter's grid and the fallback.
      const t = times[k] !== undefined && Number.isFinite(times[k]) ? times[k] : k / fps;
      const buf = readFileSync(join(dir, f));
      if (buf.length === 0) throw new VigilError(`${path}: empty frame ${k}`, { field: path });
      return decodeJpegFrame(buf, `${path} frame ${k}`, Math.max(0, Math.round(t * 1000) / 1000));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
