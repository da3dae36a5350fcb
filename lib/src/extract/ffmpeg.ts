/**
 * Thin, checked wrappers around the ffmpeg/ffprobe binaries (Debian packages). Every media decode in
 * extraction goes through here so that a missing binary or an unreadable file fails with one clear
 * message naming the file, never a raw spawn error.
 */
import { spawn, spawnSync } from 'node:child_process';
import { VigilError } from '../util/errors.js';

export interface ProcessResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Run a process to completion, collecting stdout as bytes (decoded PCM can be tens of MB). */
export function runProcess(cmd: string, args: string[]): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') reject(new VigilError(`'${cmd}' is not installed (Debian: apt-get install -y ffmpeg)`, { field: cmd }));
      else reject(e);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/**
 * The argument that makes ffmpeg read `path` as a local file: without the `file:` prefix a name such
 * as `-x.mp4`, `concat:a|b` or `http://…` would be taken as an option or a protocol.
 */
export function inputArg(path: string): string {
  return `file:${path}`;
}

let available: boolean | undefined;
/** Whether both ffmpeg and ffprobe can be run (cached). */
export function hasFfmpeg(): boolean {
  if (available === undefined) {
    const ok = (c: string) => spawnSync(c, ['-version'], { stdio: 'ignore' }).status === 0;
    available = ok('ffmpeg') && ok('ffprobe');
  }
  return available;
}

export interface MediaInfo {
  hasVideo: boolean;
  hasAudio: boolean;
  /** Container duration in seconds (NaN when the container does not say). */
  durationS: number;
  /** Container start time. ffmpeg's outputs start at 0 there, so frame and segment times are relative to it. */
  startS: number;
}

/** Last non-empty stderr line: ffmpeg puts the actual reason there. */
export function lastLine(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.length ? lines[lines.length - 1] : 'no error message';
}

/** Which streams a media file has, and its duration. Throws a VigilError naming the file when unreadable. */
export async function probeMedia(path: string): Promise<MediaInfo> {
  const r = await runProcess('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type:format=duration,start_time', '-of', 'json', inputArg(path)]);
  if (r.code !== 0) throw new VigilError(`${path}: not a readable media file (ffprobe: ${lastLine(r.stderr)})`, { field: path });
  let parsed: { streams?: { codec_type?: string }[]; format?: { duration?: string; start_time?: string } };
  try {
    parsed = JSON.parse(r.stdout.toString('utf8'));
  } catch {
    throw new VigilError(`${path}: ffprobe output could not be parsed`, { field: path });
  }
  const types = (parsed.streams ?? []).map((s) => s.codec_type);
  const dur = Number(parsed.format?.duration);
  const start = Number(parsed.format?.start_time);
  return {
    hasVideo: types.includes('video'),
    hasAudio: types.includes('audio'),
    durationS: Number.isFinite(dur) ? dur : NaN,
    startS: Number.isFinite(start) ? start : 0,
  };
}
