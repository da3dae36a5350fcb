import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Scorer } from './scorer.js';
import { clip, parseVideo, type ParsedVideo, type RequestError } from './request.js';
import { parseJsonBytes } from './jsonBytes.js';
import { describeRanges } from './inputRanges.js';
import { selfCheck } from './selfCheck.js';
import { createServerMetrics, METRICS_PATH, type ServerMetrics } from './metrics.js';
import { isVigilError } from '../util/errors.js';

/**
 * The scoring HTTP server (node:http, no framework), shaped for Kubernetes: liveness at /healthz,
 * readiness at /readyz only once the model is loaded and a canned request scored, a bounded request
 * size, structured one-line JSON logs, admission control (a bounded number of scoring requests in
 * flight; beyond it 503 + Retry-After at once, and readiness turns unready so the load balancer
 * sends traffic elsewhere) and graceful shutdown (stop accepting, finish every accepted request).
 * Bad input always gets a 4xx `{ error, field }`; nothing a client sends can crash the process.
 * GET /metrics exposes Prometheus metrics (metrics.ts).
 */
export interface ServerOptions {
  port?: number;
  host?: string;
  /** Largest request body accepted (bytes); larger → 413. */
  maxBodyBytes?: number;
  /** Most videos per batch request. */
  maxBatch?: number;
  /** Where structured log lines go (default: stdout, one JSON object per line). */
  log?: (entry: Record<string, unknown>) => void;
  /** Extra fields for GET /v1/model. */
  modelInfo?: Record<string, unknown>;
  /**
   * Most scoring requests admitted at once (body being read, validated, waiting for or in the model).
   * One more → 503 with Retry-After, without reading the body. Bounds queueing delay and memory.
   */
  maxInFlight?: number;
  /** Shutdown: longest wait for accepted requests to finish before connections are cut (ms). */
  drainGraceMs?: number;
  /** Seconds clients are told to wait (Retry-After) when shed or draining. */
  retryAfterS?: number;
}

export interface RunningServer {
  server: Server;
  port: number;
  isReady(): boolean;
  /** Resolves when the model is loaded and self-checked (rejects if loading failed). */
  ready: Promise<void>;
  /**
   * Stop accepting connections, finish every accepted request, release the model. Resolves true when
   * everything drained, false when the grace period ran out and connections were cut.
   */
  shutdown(reason?: string): Promise<boolean>;
  /** Scoring requests admitted now, and how many were shed with 503 so far. */
  load(): { inFlight: number; shed: number };
  /** The Prometheus metrics served at GET /metrics. */
  metrics: ServerMetrics;
}

/** Probe and scrape paths (deploy/ manifests point at these; a test checks they agree). */
export const LIVENESS_PATH = '/healthz';
export const READINESS_PATH = '/readyz';
export { METRICS_PATH };
export const SCORE_PATH = '/v1/score';
export const SCORE_BATCH_PATH = '/v1/score/batch';
export const MODEL_PATH = '/v1/model';
/** Every route the server answers (docs/CONTRACTS.md lists them from here); others get 404, wrong methods 405. */
export const ENDPOINTS = [
  { method: 'POST', path: SCORE_PATH }, { method: 'POST', path: SCORE_BATCH_PATH }, { method: 'GET', path: MODEL_PATH },
  { method: 'GET', path: LIVENESS_PATH }, { method: 'GET', path: READINESS_PATH }, { method: 'GET', path: METRICS_PATH },
] as const;
export const DEFAULT_PORT = 8080;

const DEFAULT_MAX_BODY = 16 * 1024 * 1024;
/**
 * One process answers about 2,500 one-video requests/s with a handful in flight (one event loop, one
 * onnxruntime thread); more admitted requests only wait longer. 8 keeps the admitted requests' queueing
 * to a few milliseconds under overload (measured: docs/serving.md "Tail latency and overload").
 */
export const DEFAULT_MAX_IN_FLIGHT = 8;
export const DEFAULT_DRAIN_GRACE_MS = 25_000;
/** Readiness stays 503 this long after the last shed request (so probes see the overload). */
const OVERLOAD_HOLD_MS = 1_000;
/** While draining, a connection that was accepted but has sent no request for this long is closed. */
const DRAIN_IDLE_NEW_MS = 1_000;
/** Before the listener closes on shutdown, connections the kernel already queued are still accepted. */
const ACCEPT_SETTLE_MS = 100;

class HttpError extends Error {
  constructor(readonly status: number, readonly field: string, message: string) { super(message); }
}

export async function startServer(load: () => Promise<Scorer>, opts: ServerOptions = {}): Promise<RunningServer> {
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const maxBatch = opts.maxBatch ?? 64;
  const maxInFlight = opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  // Unready from three quarters full: probes fail before requests do.
  const readyLimit = Math.max(1, Math.ceil(maxInFlight * 0.75));
  const drainGraceMs = opts.drainGraceMs ?? DEFAULT_DRAIN_GRACE_MS;
  const retryAfter = String(opts.retryAfterS ?? 1);
  const log = opts.log ?? ((e) => process.stdout.write(JSON.stringify(e) + '\n'));
  let scorer: Scorer | null = null;
  let ready = false;
  let draining = false;
  let loadError: string | null = null;
  let inFlight = 0;
  let reqSeq = 0;
  /** Scoring requests admitted and not yet answered (the admission-control count). */
  let admitted = 0;
  let shed = 0;
  let lastShedAt = -Infinity;
  const overloaded = () => admitted >= readyLimit || performance.now() - lastShedAt < OVERLOAD_HOLD_MS;
  const isReadyNow = () => ready && !draining && !overloaded();
  /** Per connection: requests answered and in progress, and when it was accepted (for draining). */
  const conns = new Map<Socket, { served: number; active: number; since: number }>();
  const metrics = createServerMetrics({
    inFlight: () => inFlight, admitted: () => admitted, maxInFlight, ready: isReadyNow,
  });

  const send = (res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    // While draining, tell keep-alive clients to reconnect (to another replica).
    const closing: Record<string, string> = draining ? { connection: 'close' } : {};
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...closing, ...extraHeaders });
    res.end(text);
  };

  /** Read the body up to the limit; over it → 413 naming `body` (the rest is discarded, the connection closed). */
  const readBody = (req: IncomingMessage): Promise<Buffer> => new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBody) {
      req.resume();
      reject(new HttpError(413, 'body', `body is ${declared} bytes; the limit is ${maxBody}`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > maxBody) { over = true; chunks.length = 0; reject(new HttpError(413, 'body', `body exceeds the limit of ${maxBody} bytes`)); return; }
      chunks.push(c);
    });
    req.on('end', () => { if (!over) resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)); });
    req.on('error', (e) => reject(new HttpError(400, 'body', `body could not be read: ${e.message}`)));
  });

  const requestError = (e: RequestError) => new HttpError(e.status, e.field, e.message);

  /** Scoring errors that are about the input (the preprocessing refusing a value) are still 4xx. */
  const score = async (s: Scorer, videos: ParsedVideo[], t0: number) => {
    try {
      return await s.scoreVideos(videos, t0);
    } catch (e) {
      if (isVigilError(e)) throw new HttpError(422, e.field ?? 'body', e.message);
      throw e;
    }
  };

  const validateOne = (raw: unknown, path = ''): ParsedVideo => {
    const s = scorer as Scorer;
    const r = parseVideo(raw, s.limits, path);
    if (!r.ok) throw requestError(r.error);
    return r.value;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, entry: Record<string, unknown>) => {
    const url = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    const route = `${method} ${url}`;
    if (url === LIVENESS_PATH) {
      if (method !== 'GET') throw new HttpError(405, 'method', `${url} accepts GET`);
      return send(res, 200, { status: 'ok' });
    }
    if (url === READINESS_PATH) {
      if (method !== 'GET') throw new HttpError(405, 'method', `${url} accepts GET`);
      if (isReadyNow()) return send(res, 200, { ready: true, in_flight: admitted });
      const reason = draining ? 'shutting down' : !ready ? loadError ?? 'loading model' : `overloaded (${admitted} scoring requests in flight, limit ${maxInFlight})`;
      return send(res, 503, { ready: false, reason });
    }
    if (url === METRICS_PATH) {
      if (method !== 'GET') throw new HttpError(405, 'method', `${url} accepts GET`);
      const m = await metrics.render();
      res.writeHead(200, { 'content-type': m.contentType, 'content-length': Buffer.byteLength(m.body), ...(draining ? { connection: 'close' } : {}) });
      res.end(m.body);
      return;
    }
    if (url === MODEL_PATH) {
      if (method !== 'GET') throw new HttpError(405, 'method', `${url} accepts GET`);
      if (!scorer || !ready) return send(res, 503, { error: 'model not loaded yet', field: 'model' });
      return send(res, 200, {
        model_version: scorer.modelVersion, policy_version: scorer.policy.version,
        block_threshold: scorer.policy.blockThreshold, queue_threshold: scorer.policy.queueThreshold, block_enabled: scorer.policy.blockEnabled,
        towers: scorer.towers, frame_dim: scorer.limits.frameDim, audio_dim: scorer.limits.audioDim,
        max_items: scorer.limits.maxItems, max_batch: maxBatch, max_body_bytes: maxBody, max_in_flight: maxInFlight,
        ...(scorer.limits.ranges ? { input_ranges: describeRanges(scorer.limits.ranges) } : {}), ...opts.modelInfo,
      });
    }
    if (url !== SCORE_PATH && url !== SCORE_BATCH_PATH) throw new HttpError(404, 'path', `no route ${route}`);
    if (method !== 'POST') throw new HttpError(405, 'method', `${url} accepts POST`);
    // Requests that reach a draining server were accepted before the listener closed: they are
    // served (with `connection: close`), not refused.
    if (!scorer || !ready) return send(res, 503, { error: 'model not loaded yet', field: 'model' }, { 'retry-after': retryAfter });
    if (admitted >= maxInFlight) {
      // Shed at once, before reading the body: the answer costs microseconds however loaded we are.
      shed++;
      metrics.shed();
      lastShedAt = performance.now();
      entry.error = 'overloaded';
      req.resume();
      return send(res, 503, { error: `overloaded: ${admitted} scoring requests in flight (limit ${maxInFlight}); retry later`, field: 'server' }, { 'retry-after': retryAfter });
    }
    admitted++;
    try {
      return await scoreRoute(scorer, url, req, res, entry);
    } finally {
      admitted--;
    }
  };

  const scoreRoute = async (scorer: Scorer, url: string, req: IncomingMessage, res: ServerResponse, entry: Record<string, unknown>) => {
    const t0 = performance.now();
    const body = await readBody(req);
    entry.bytes = body.length;
    const parsed = parseJsonBytes(body);
    if (!parsed.ok) throw requestError(parsed.error);
    entry.parse_ms = round3(performance.now() - t0);
    if (url === SCORE_PATH) {
      const video = validateOne(parsed.value);
      entry.video_id = video.videoId;
      const [out] = await score(scorer, [video], t0);
      entry.action = out.action;
      entry.risk = out.risk_score;
      metrics.scored([out]);
      return send(res, 200, out);
    }
    if (!Array.isArray(parsed.value)) throw new HttpError(400, 'body', 'body must be a JSON array of videos');
    if (parsed.value.length === 0) throw new HttpError(400, 'body', 'body must hold at least one video');
    if (parsed.value.length > maxBatch) throw new HttpError(413, 'body', `batch of ${parsed.value.length} videos; at most ${maxBatch} per request`);
    const videos = parsed.value.map((v, i) => validateOne(v, `[${i}].`));
    entry.videos = videos.length;
    const out = await score(scorer, videos, t0);
    metrics.scored(out);
    return send(res, 200, out);
  };

  const requestTimeoutMs = 30_000;
  // Timeouts are enforced by a periodic sweep; Node's default period (30 s) would let a stalled
  // client hold a connection for up to 50 s against a documented 20 s header timeout.
  const server = createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
    const t0 = performance.now();
    inFlight++;
    const conn = conns.get(req.socket);
    if (conn) conn.active++;
    const entry: Record<string, unknown> = { ts: new Date().toISOString(), level: 'info', req: ++reqSeq, method: req.method, path: clip(req.url ?? '') };
    let done = false;
    // One log line per request: when the response is written, or when the connection closed first
    // (then 'finish' never fires): 408 when it was Node's request timeout answering, else 499
    // (nginx's "client closed request").
    const end = (status: number) => {
      if (done) return;
      done = true;
      inFlight--;
      if (conn) { conn.active--; conn.served++; }
      entry.status = status;
      entry.ms = round3(performance.now() - t0);
      metrics.request((req.url ?? '/').split('?')[0], status, (performance.now() - t0) / 1000);
      entry.level = status >= 500 && status !== 499 ? 'error' : status >= 400 ? 'warn' : 'info';
      log(entry);
    };
    res.on('finish', () => end(res.statusCode));
    res.on('close', () => end(performance.now() - t0 >= requestTimeoutMs - 50 ? 408 : 499));
    handle(req, res, entry).catch((e: unknown) => {
      if (res.headersSent) { res.destroy(); return; }
      if (e instanceof HttpError) {
        const message = clip(e.message), field = clip(e.field);
        entry.error = message;
        entry.field = field;
        // After a 413 the unread rest of the body is not worth reading: close the connection.
        return send(res, e.status, { error: message, field }, e.status === 413 ? { connection: 'close' } : {});
      }
      // A bug, not bad input: logged with its stack, answered, and the process keeps serving.
      entry.error = (e as Error)?.stack ?? String(e);
      send(res, 500, { error: 'internal error while scoring', field: 'server' });
    });
  });
  server.on('connection', (socket: Socket) => {
    conns.set(socket, { served: 0, active: 0, since: performance.now() });
    socket.once('close', () => conns.delete(socket));
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = requestTimeoutMs;
  server.keepAliveTimeout = 5_000;

  const readyPromise = (async () => {
    try {
      scorer = await load();
      const check = await selfCheck(scorer);
      metrics.model(scorer.modelVersion, scorer.policy.version);
      ready = true;
      log({ ts: new Date().toISOString(), level: 'info', event: 'ready', model_version: scorer.modelVersion, policy_version: scorer.policy.version, self_check_ms: round3(check.ms) });
    } catch (e) {
      loadError = (e as Error).message;
      log({ ts: new Date().toISOString(), level: 'error', event: 'load_failed', error: loadError });
      throw e;
    }
  })();
  // The caller decides what a failed load means (the CLI exits); never an unhandled rejection here.
  readyPromise.catch(() => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? DEFAULT_PORT, opts.host ?? '0.0.0.0', () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  log({ ts: new Date().toISOString(), level: 'info', event: 'listening', port });

  let shuttingDown: Promise<boolean> | null = null;
  /**
   * Drain: readiness turns 503 at once; connections the kernel has already queued are still accepted
   * for ACCEPT_SETTLE_MS (their clients have sent their requests), then the listener closes. Every
   * request that arrives on an open connection is served, with `connection: close`. Idle keep-alive
   * connections are closed; accepted connections that have not sent a request get DRAIN_IDLE_NEW_MS.
   * Unlike http.Server#close, a connection whose request is still in the kernel buffer is not cut.
   */
  const shutdown = (reason = 'shutdown') => {
    if (shuttingDown) return shuttingDown;
    draining = true;
    const started = performance.now();
    log({ ts: new Date().toISOString(), level: 'info', event: 'draining', reason, in_flight: inFlight, grace_ms: drainGraceMs });
    shuttingDown = new Promise<boolean>((resolve) => {
      let settled = false;
      const finish = (clean: boolean) => {
        if (settled) return;
        settled = true;
        clearInterval(sweep);
        clearTimeout(grace);
        resolve(clean);
      };
      const sweep = setInterval(() => {
        const now = performance.now();
        for (const [socket, c] of conns) {
          if (c.active > 0) continue;
          if (c.served > 0 || now - Math.max(c.since, started) >= DRAIN_IDLE_NEW_MS) socket.destroy();
        }
      }, 25);
      const grace = setTimeout(() => {
        log({ ts: new Date().toISOString(), level: 'error', event: 'drain_timeout', grace_ms: drainGraceMs, in_flight: inFlight, connections: conns.size });
        for (const socket of conns.keys()) socket.destroy();
        finish(false);
      }, drainGraceMs);
      setTimeout(() => {
        // net.Server#close: stop listening and call back once every connection has closed.
        if (server.listening) NetServer.prototype.close.call(server, () => finish(true));
        else finish(true);
      }, ACCEPT_SETTLE_MS);
    }).then(async (clean) => {
      await readyPromise.catch(() => undefined);
      if (scorer) await scorer.close();
      log({ ts: new Date().toISOString(), level: clean ? 'info' : 'error', event: 'stopped', reason, clean, drain_ms: round3(performance.now() - started) });
      return clean;
    });
    return shuttingDown;
  };
  return {
    server, port, isReady: isReadyNow, ready: readyPromise, shutdown,
    load: () => ({ inFlight: admitted, shed }), metrics,
  };
}


function round3(v: number): number { return Math.round(v * 1000) / 1000; }

/** SIGTERM/SIGINT → drain and exit 0 (what Kubernetes sends before killing a pod). */
export function exitOnSignals(running: RunningServer, exit: (code: number) => void = (c) => process.exit(c)): void {
  const onSignal = (sig: NodeJS.Signals) => {
    // Exit 0 only when every accepted request was answered within the grace period.
    running.shutdown(sig).then((clean) => exit(clean ? 0 : 1), () => exit(1));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
