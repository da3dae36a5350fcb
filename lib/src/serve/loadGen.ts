import http from 'node:http';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { latencyStats, type LatencyStats } from './latency.js';

/**
 * HTTP load against a running scoring server, from a separate process on loopback: either an open
 * loop at a fixed request rate (latency under a given load, as production traffic arrives regardless
 * of how fast the server answers) or a closed loop with fixed concurrency (maximum throughput).
 * Bounded in both request count and time.
 */
export interface LoadOptions {
  host?: string;
  port: number;
  path?: string;
  /** Request body (one video, JSON). */
  body: string;
  /** Open loop: requests per second. Omit for a closed loop. */
  ratePerS?: number;
  /** Closed loop: requests in flight (open loop: socket pool size). */
  concurrency?: number;
  durationS: number;
  maxRequests?: number;
}

export interface LoadResult {
  mode: 'open' | 'closed';
  sent: number;
  ok: number;
  /** Non-2xx responses and connection errors. */
  errors: number;
  statuses: Record<string, number>;
  durationS: number;
  throughputPerS: number;
  latencyMs: LatencyStats;
}

/** Run the load in this process (what the child process does). */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency ?? 16 });
  const body = Buffer.from(o.body);
  const lat: number[] = [];
  const statuses: Record<string, number> = {};
  let sent = 0, ok = 0, errors = 0;
  const maxRequests = o.maxRequests ?? Infinity;
  const one = () => new Promise<void>((resolve) => {
    const t0 = performance.now();
    sent++;
    const req = http.request({
      host: o.host ?? '127.0.0.1', port: o.port, path: o.path ?? '/v1/score', method: 'POST', agent,
      headers: { 'content-type': 'application/json', 'content-length': body.length },
    }, (res) => {
      res.resume();
      res.on('end', () => {
        const s = String(res.statusCode);
        statuses[s] = (statuses[s] ?? 0) + 1;
        if (res.statusCode && res.statusCode < 300) { ok++; lat.push(performance.now() - t0); } else errors++;
        resolve();
      });
    });
    req.on('error', () => { errors++; statuses.error = (statuses.error ?? 0) + 1; resolve(); });
    req.end(body);
  });
  const start = performance.now();
  const deadline = start + o.durationS * 1000;
  if (o.ratePerS) {
    const pending: Promise<void>[] = [];
    const interval = 1000 / o.ratePerS;
    for (let k = 0; k < maxRequests; k++) {
      const due = start + k * interval;
      if (due > deadline) break;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(one());
    }
    await Promise.all(pending);
  } else {
    const worker = async () => { while (performance.now() < deadline && sent < maxRequests) await one(); };
    await Promise.all(Array.from({ length: o.concurrency ?? 1 }, worker));
  }
  const durationS = (performance.now() - start) / 1000;
  agent.destroy();
  return {
    mode: o.ratePerS ? 'open' : 'closed', sent, ok, errors, statuses, durationS: Math.round(durationS * 1000) / 1000,
    throughputPerS: Math.round((ok / durationS) * 10) / 10, latencyMs: latencyStats(lat.length > 0 ? lat : [NaN]),
  };
}

/** Run the load from a separate Node process (so the generator does not share the server's event loop). */
export function measureHttpLoad(o: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(__dirname, 'loadGenMain.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`));
      try { resolve(JSON.parse(out) as LoadResult); } catch (e) { reject(e); }
    });
    child.stdin.end(JSON.stringify(o));
  });
}

/** Cores needed for a daily volume at a measured per-core throughput, with headroom for peaks. */
export function coresFor(uploadsPerDay: number, perCorePerS: number, peakToMean = 3): number {
  return Math.ceil(((uploadsPerDay / 86_400) * peakToMean) / perCorePerS);
}
