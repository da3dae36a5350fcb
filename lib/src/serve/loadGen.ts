import net from 'node:net';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { latencyStats, type LatencyStats } from './latency.js';

/**
 * HTTP load against a running scoring server, from a separate process on loopback: either an open
 * loop at a fixed request rate (latency under a given load, as production traffic arrives regardless
 * of how fast the server answers) or a closed loop with fixed concurrency (maximum throughput).
 * Bounded in both request count and time.
 *
 * The client speaks HTTP/1.1 keep-alive over raw sockets with the request bytes built once: Node's
 * http client costs several times more CPU per request, and on a small machine the generator shares
 * the cores with the server, so its own cost would show up as server latency.
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
  /** CPU the generator itself used per request (µs): what it took from the cores the server shares. */
  clientCpuUsPerRequest: number;
}

/** One keep-alive connection carrying one request at a time; `done` gets the status (0: connection lost). */
class Conn {
  private buf = Buffer.alloc(0);
  private done: ((status: number) => void) | null = null;
  closed = false;
  readonly socket: net.Socket;

  constructor(host: string, port: number, private readonly onFree: (c: Conn) => void, private readonly onLost: () => void) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.socket.on('data', (d) => this.onData(d));
    const lost = () => {
      if (this.closed) return;
      this.closed = true;
      const cb = this.done;
      this.done = null;
      cb?.(0);
      this.onLost();
    };
    this.socket.on('error', lost);
    this.socket.on('close', lost);
  }

  send(request: Buffer, done: (status: number) => void): void {
    this.done = done;
    this.socket.write(request);
  }

  /** A response is complete once its headers and content-length bytes of body have arrived. */
  private onData(d: Buffer): void {
    this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
    const headEnd = this.buf.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.buf.subarray(0, headEnd).toString('latin1');
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
    if (this.buf.length < headEnd + 4 + length) return;
    const status = Number(head.slice(9, 12));
    const close = /\r\nconnection:\s*close/i.test(head);
    const cb = this.done;
    this.done = null;
    this.buf = Buffer.alloc(0);
    // A closed connection reports itself lost (its 'close' event), which replaces it if work waits.
    if (close) this.socket.destroy();
    cb?.(status);
    if (!close) this.onFree(this);
  }
}

/** Run the load in this process (what the child process does). */
export async function runLoad(o: LoadOptions): Promise<LoadResult> {
  const host = o.host ?? '127.0.0.1';
  const body = Buffer.from(o.body);
  const request = Buffer.concat([Buffer.from(
    `POST ${o.path ?? '/v1/score'} HTTP/1.1\r\nhost: ${host}:${o.port}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`, 'latin1'), body]);
  const poolSize = o.concurrency ?? 16;
  const lat: number[] = [];
  const statuses: Record<string, number> = {};
  let sent = 0, ok = 0, errors = 0;
  const maxRequests = o.maxRequests ?? Infinity;
  const cpu0 = process.cpuUsage();

  const record = (t0: number, status: number) => {
    const key = status === 0 ? 'error' : String(status);
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (status >= 200 && status < 300) { ok++; lat.push(performance.now() - t0); } else errors++;
  };

  // Requests wait here when every connection is busy (their wait counts in their latency).
  const waiting: { t0: number; resolve: () => void }[] = [];
  const pool: Conn[] = [];
  const idle: Conn[] = [];
  let open = 0;
  const dispatch = (c: Conn, job: { t0: number; resolve: () => void }) => {
    c.send(request, (status) => { record(job.t0, status); job.resolve(); });
  };
  const onFree = (c: Conn) => {
    const job = waiting.shift();
    if (job) dispatch(c, job); else idle.push(c);
  };
  const connect = (): Conn => {
    open++;
    const c = new Conn(host, o.port, onFree, () => {
      open--;
      // A lost connection is replaced while requests wait, so none waits forever (a dead server
      // fails each of them in turn with a connection error).
      const job = waiting.shift();
      if (job) dispatch(connect(), job);
    });
    pool.push(c);
    return c;
  };
  const submit = () => new Promise<void>((resolve) => {
    const t0 = performance.now();
    sent++;
    const job = { t0, resolve };
    let c = idle.pop();
    while (c && c.closed) c = idle.pop();
    if (!c && open < poolSize) c = connect();
    if (c) dispatch(c, job); else waiting.push(job);
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
      pending.push(submit());
    }
    await Promise.all(pending);
  } else {
    const worker = async () => { while (performance.now() < deadline && sent < maxRequests) await submit(); };
    await Promise.all(Array.from({ length: poolSize }, worker));
  }
  const durationS = (performance.now() - start) / 1000;
  for (const c of pool) c.socket.destroy();
  const cpu = process.cpuUsage(cpu0);
  return {
    mode: o.ratePerS ? 'open' : 'closed', sent, ok, errors, statuses, durationS: Math.round(durationS * 1000) / 1000,
    throughputPerS: Math.round((ok / durationS) * 10) / 10, latencyMs: latencyStats(lat.length > 0 ? lat : [NaN]),
    clientCpuUsPerRequest: Math.round((cpu.user + cpu.system) / Math.max(1, sent)),
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
