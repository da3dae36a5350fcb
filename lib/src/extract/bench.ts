/**
 * Extraction throughput on this machine against the seed's 30 s upload-to-decision budget: an
 * `videoSeconds`-long clip (test pattern video, speech when espeak-ng is installed, else a tone) is
 * extracted `reps` times after one warm-up; reports frames/s and seconds per video by stage.
 * Runs in a private temp folder that is removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { VigilError } from '../util/errors.js';
import { hasFfmpeg } from './ffmpeg.js';
import { extractVideoWithStats, loadExtractor, type VideoStats } from './extract.js';

export const DECISION_BUDGET_S = 30;

export interface ExtractBench {
  extractorId: string;
  backend: string;
  videoSeconds: number;
  frames: number;
  reps: number;
  /** Loading the vision model and the VAD (once per process). */
  loadS: number;
  /** Median seconds per video, end to end, and by stage. */
  secondsPerVideo: number;
  stages: { decodeS: number; visualS: number; audioS: number };
  /**
   * CPU seconds this process spent per video (vision + audio + JPEG decode; ffmpeg runs in a child and
   * is not included): on a shared machine this is closer to the uncontended cost than wall time.
   */
  cpuSecondsPerVideo: number;
  /** Frames per second through the vision model alone, and end to end. */
  modelFramesPerS: number;
  endToEndFramesPerS: number;
  budgetS: number;
  /** secondsPerVideo / budget. */
  budgetFraction: number;
  audio: 'speech' | 'tone';
  /** Machine context: timings on a shared machine are only comparable at similar load. */
  cpus: number;
  loadAverage1m: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function benchExtract(opts: { videoSeconds?: number; reps?: number } = {}): Promise<ExtractBench> {
  const sec = opts.videoSeconds ?? 18;
  const reps = Math.max(1, opts.reps ?? 3);
  if (!hasFfmpeg()) throw new VigilError('extraction benchmark needs ffmpeg (apt-get install -y ffmpeg)', { field: 'ffmpeg' });
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-extract-'));
  try {
    const clip = join(dir, 'clip.mp4');
    const wav = join(dir, 'speech.wav');
    const speech = spawnSync('espeak-ng', ['-w', wav, 'This upload is a benchmark clip. It talks for a while so that the voice detector has speech to segment, then it pauses, and then it talks again until the end.'], { stdio: 'ignore' }).status === 0;
    const audioIn = speech ? ['-i', wav] : ['-f', 'lavfi', '-i', `sine=frequency=440:duration=${sec}`];
    const r = spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=duration=${sec}:size=640x360:rate=30`, ...audioIn,
      '-filter_complex', '[1:a]apad[a]', '-map', '0:v', '-map', '[a]', '-t', String(sec),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', clip], { encoding: 'utf8' });
    if (r.status !== 0) throw new VigilError(`benchmark clip could not be made: ${r.stderr}`, { field: 'ffmpeg' });
    const t0 = performance.now();
    const ex = await loadExtractor();
    const loadS = (performance.now() - t0) / 1000;
    try {
      await extractVideoWithStats(clip, ex, { tmpRoot: dir }); // warm-up: first inference compiles kernels
      const runs: VideoStats[] = [];
      const cpu: number[] = [];
      for (let k = 0; k < reps; k++) {
        const c0 = process.cpuUsage();
        runs.push((await extractVideoWithStats(clip, ex, { tmpRoot: dir })).stats);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1e6);
      }
      const secondsPerVideo = median(runs.map((s) => s.seconds));
      const visualS = median(runs.map((s) => s.stages.visualS));
      const frames = runs[0].frames;
      return {
        extractorId: ex.id, backend: ex.backend, videoSeconds: sec, frames, reps, loadS, secondsPerVideo,
        stages: { decodeS: median(runs.map((s) => s.stages.decodeS)), visualS, audioS: median(runs.map((s) => s.stages.audioS)) },
        cpuSecondsPerVideo: median(cpu), modelFramesPerS: frames / visualS, endToEndFramesPerS: frames / secondsPerVideo,
        budgetS: DECISION_BUDGET_S, budgetFraction: secondsPerVideo / DECISION_BUDGET_S, audio: speech ? 'speech' : 'tone',
        cpus: cpus().length, loadAverage1m: loadavg()[0],
      };
    } finally {
      ex.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One-paragraph text for the bench report. */
export function formatExtractBench(b: ExtractBench): string {
  return [
    `extraction (${b.backend}, ${b.extractorId})`,
    `  ${b.videoSeconds} s video → ${b.frames} frames: ${b.secondsPerVideo.toFixed(2)} s per video (median of ${b.reps}; ` +
      `decode ${b.stages.decodeS.toFixed(2)} s, vision ${b.stages.visualS.toFixed(2)} s, audio ${b.stages.audioS.toFixed(2)} s)`,
    `  ${b.modelFramesPerS.toFixed(1)} frames/s through the vision model, ${b.endToEndFramesPerS.toFixed(1)} frames/s end to end; ` +
      `${(b.budgetFraction * 100).toFixed(1)}% of the ${b.budgetS} s upload-to-decision budget; model load ${b.loadS.toFixed(1)} s (once per process)`,
    `  in-process CPU per video ${b.cpuSecondsPerVideo.toFixed(2)} s (excludes the ffmpeg child)`,
    `  measured on ${b.cpus} CPUs at load average ${b.loadAverage1m.toFixed(1)}`,
  ].join('\n');
}
