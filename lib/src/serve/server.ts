import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Scorer } from './scorer.js';
import { parseJson, parseVideo, type ParsedVideo, type RequestError } from './request.js';
import { selfCheck } from './selfCheck.js';
import { isVigilError } from '../util/errors.js';

/**
 * The scoring HTTP server (node:http, no framework), shaped for Kubernetes: liveness at /healthz,
 * readiness at /readyz only once the model is loaded and a canned request scored, a bounded request
 * size, structured one-line JSON logs, and graceful shutdown (stop accepting, finish in-flight).
 * Bad input always gets a 4xx `{ error, field }`; nothing a client sends can crash the process.
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
}

export interface RunningServer {
  server: Server;
  port: number;
  isReady(): boolean;
  /** Resolves when the model is loaded and self-checked (rejects if loading failed). */
  ready: Promise<void>;
  /** Stop accepting connections, let in-flight requests finish, release the model. */
  shutdown(reason?: string): Promise<void>;
}

const DEFAULT_MAX_BODY = 16 * 1024 * 1024;

class HttpError extends Error {
  constructor(readonly status: number, readonly field: string, message: string) { super(message); }
}

export async function startServer(load: () => Promise<Scorer>, opts: ServerOptions = {}): Promise<RunningServer> {
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const maxBatch = opts.maxBatch ?? 64;
  const log = opts.log ?? ((e) => process.stdout.write(JSON.stringify(e) + '\n'));
  let scorer: Scorer | null = null;
  let ready = false;
  let draining = false;
  let loadError: string | null = null;
  let inFlight = 0;
  let reqSeq = 0;

  const send = (res: ServerResponse, status: number, body: unknown, extraHeaders: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    // While draining, tell keep-alive clients to reconnect (to another replica).
    const closing: Record<string, string> = draining ? { connection: 'close' } : {};
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...closing, ...extraHeaders });
    res.end(text);
  };

  /** Read the body up to the limit; over it → 413 naming `body` (the rest is discarded, the connection closed). */
  const readBody = (req: IncomingMessage): Promise<string> => new Promise((resolve, reject) => {
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
    req.on('end', () => { if (!over) resolve(Buffer.concat(chunks).toString('utf8')); });
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
    if (url === '/healthz') {
      if (method !== 'GET') throw new HttpError(405, 'method', `${url} accepts GET`);
      return send(res, 200, { status: 'ok' });
    }
    if (url === '/readyz') {
      if (method !== 'GET') throw new HttpError(405, 'method', `${url} accepts GET`);
      return ready && !draining
        ? send(res, 200, { ready: true })
        : send(res, 503, { ready: false, reason: draining ? 'shutting down' : loadError ?? 'loading model' });
    }
    if (url === '/v1/model') {
      if (method !== 'GET') throw new HttpError(405, 'method', `${url} accepts GET`);
      if (!scorer || !ready) return send(res, 503, { error: 'model not loaded yet', field: 'model' });
      return send(res, 200, {
        model_version: scorer.modelVersion, policy_version: scorer.policy.version,
        block_threshold: scorer.policy.blockThreshold, queue_threshold: scorer.policy.queueThreshold, block_enabled: scorer.policy.blockEnabled,
        towers: scorer.towers, frame_dim: scorer.limits.frameDim, audio_dim: scorer.limits.audioDim,
        max_items: scorer.limits.maxItems, max_batch: maxBatch, max_body_bytes: maxBody, ...opts.modelInfo,
      });
    }
    if (url !== '/v1/score' && url !== '/v1/score/batch') throw new HttpError(404, 'path', `no route ${route}`);
    if (method !== 'POST') throw new HttpError(405, 'method', `${url} accepts POST`);
    if (!scorer || !ready || draining) return send(res, 503, { error: draining ? 'shutting down' : 'model not loaded yet', field: 'model' }, { 'retry-after': '1' });
    const t0 = performance.now();
    const text = await readBody(req);
    entry.bytes = Buffer.byteLength(text);
    const parsed = parseJson(text);
    if (!parsed.ok) throw requestError(parsed.error);
    entry.parse_ms = round3(performance.now() - t0);
    if (url === '/v1/score') {
      const video = validateOne(parsed.value);
      entry.video_id = video.videoId;
      const [out] = await score(scorer, [video], t0);
      entry.action = out.action;
      entry.risk = out.risk_score;
      return send(res, 200, out);
    }
    if (!Array.isArray(parsed.value)) throw new HttpError(400, 'body', 'body must be a JSON array of videos');
    if (parsed.value.length === 0) throw new HttpError(400, 'body', 'body must hold at least one video');
    if (parsed.value.length > maxBatch) throw new HttpError(413, 'body', `batch of ${parsed.value.length} videos; at most ${maxBatch} per request`);
    const videos = parsed.value.map((v, i) => validateOne(v, `[${i}].`));
    entry.videos = videos.length;
    const out = await score(scorer, videos, t0);
    return send(res, 200, out);
  };

  const server = createServer((req, res) => {
    const t0 = performance.now();
    inFlight++;
    const entry: Record<string, unknown> = { ts: new Date().toISOString(), level: 'info', req: ++reqSeq, method: req.method, path: req.url };
    let done = false;
    // One log line per request: when the response is written, or when the client hung up first
    // (then 'finish' never fires; logged as 499, nginx's "client closed request").
    const end = (status: number) => {
      if (done) return;
      done = true;
      inFlight--;
      entry.status = status;
      entry.ms = round3(performance.now() - t0);
      entry.level = status >= 500 && status !== 499 ? 'error' : status >= 400 ? 'warn' : 'info';
      log(entry);
    };
    res.on('finish', () => end(res.statusCode));
    res.on('close', () => end(499));
    handle(req, res, entry).catch((e: unknown) => {
      if (res.headersSent) { res.destroy(); return; }
      if (e instanceof HttpError) {
        entry.error = e.message;
        entry.field = e.field;
        // After a 413 the unread rest of the body is not worth reading: close the connection.
        return send(res, e.status, { error: e.message, field: e.field }, e.status === 413 ? { connection: 'close' } : {});
      }
      // A bug, not bad input: logged with its stack, answered, and the process keeps serving.
      entry.error = (e as Error)?.stack ?? String(e);
      send(res, 500, { error: 'internal error while scoring', field: 'server' });
    });
  });
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;

  const readyPromise = (async () => {
    try {
      scorer = await load();
      const check = await selfCheck(scorer);
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
    server.listen(opts.port ?? 8080, opts.host ?? '0.0.0.0', () => { server.off('error', reject); resolve(); });
  });
  const port = (server.address() as AddressInfo).port;
  log({ ts: new Date().toISOString(), level: 'info', event: 'listening', port });

  let shuttingDown: Promise<void> | null = null;
  const shutdown = (reason = 'shutdown') => {
    if (shuttingDown) return shuttingDown;
    draining = true;
    log({ ts: new Date().toISOString(), level: 'info', event: 'draining', reason, in_flight: inFlight });
    shuttingDown = new Promise<void>((resolve) => {
      // close() stops accepting and waits for open connections; idle keep-alive ones are closed now,
      // busy ones once their response is written.
      server.close(() => resolve());
      server.closeIdleConnections();
      const poll = setInterval(() => { server.closeIdleConnections(); if (inFlight === 0) clearInterval(poll); }, 50);
      poll.unref();
    }).then(async () => {
      await readyPromise.catch(() => undefined);
      if (scorer) await scorer.close();
      log({ ts: new Date().toISOString(), level: 'info', event: 'stopped', reason });
    });
    return shuttingDown;
  };
  return { server, port, isReady: () => ready && !draining, ready: readyPromise, shutdown };
}

function round3(v: number): number { return Math.round(v * 1000) / 1000; }

/** SIGTERM/SIGINT → drain and exit 0 (what Kubernetes sends before killing a pod). */
export function exitOnSignals(running: RunningServer, exit: (code: number) => void = (c) => process.exit(c)): void {
  const onSignal = (sig: NodeJS.Signals) => {
    running.shutdown(sig).then(() => exit(0), () => exit(1));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
