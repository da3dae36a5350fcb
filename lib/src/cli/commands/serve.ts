import type { Command } from '../command.js';
import { requireString, intOption } from '../command.js';
import { loadRunFolder } from '../../serve/runFolder.js';
import { startServer, exitOnSignals, DEFAULT_PORT, DEFAULT_MAX_IN_FLIGHT, DEFAULT_DRAIN_GRACE_MS } from '../../serve/server.js';
import { loadFittedPreprocessor } from '../../serve/fittedPreprocessing.js';
import { loadKnownContent } from '../../serve/knownContent.js';
import { VigilError } from '../../util/errors.js';
import { assertNotPartialRun } from '../../runs/runFolder.js';

/** The defaults `vigil serve` starts with (deploy/ manifests are checked against them). */
export const SERVE_DEFAULTS = { port: DEFAULT_PORT, host: '0.0.0.0', threads: 1, maxInFlight: DEFAULT_MAX_IN_FLIGHT, drainGraceS: DEFAULT_DRAIN_GRACE_MS / 1000 } as const;

export const serveCommand: Command = {
  name: 'serve',
  usage: [
    'Usage: vigil serve --run RUN_DIR [--port N] [--host ADDR] [--threads N] [--max-body-mb N] [--max-batch N]',
    '                   [--max-in-flight N] [--drain-grace-s N]',
    '',
    '  --run RUN_DIR     run folder with model.onnx, preprocessor.json, policy.json, reason_codes.json and',
    '                    a manifest.json whose serving section lists their sha256 (refused otherwise)',
    '  --port N          listen port (default 8080)',
    '  --host ADDR       listen address (default 0.0.0.0)',
    '  --threads N       onnxruntime intra-op threads (default 1: one request per core scales best)',
    '  --max-body-mb N   largest request body in MiB (default 16; larger → 413)',
    '  --max-batch N     most videos per /v1/score/batch request (default 64)',
    '  --max-in-flight N most scoring requests admitted at once (default 8); more → 503 + Retry-After,',
    '                    and /readyz is 503 from three quarters full until a second after the last shed',
    '  --drain-grace-s N on SIGTERM, longest wait for accepted requests before connections are cut (default 25;',
    '                    keep it below the pod\'s terminationGracePeriodSeconds). Exit 0 only if all finished.',
    '',
    'Endpoints: POST /v1/score, POST /v1/score/batch, GET /healthz, GET /readyz, GET /v1/model, GET /metrics (Prometheus).',
    'Logs one JSON line per request on stdout. SIGTERM drains every accepted request, then exits 0.',
    'API and reason codes: docs/serving.md.',
  ].join('\n'),
  options: {
    run: { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, threads: { type: 'string' },
    'max-body-mb': { type: 'string' }, 'max-batch': { type: 'string' }, 'max-in-flight': { type: 'string' }, 'drain-grace-s': { type: 'string' },
  },
  async run(values) {
    const runDir = requireString(values, 'run', 'serve');
    // Before anything is loaded or a port bound: a run that never completed is not a model to serve.
    assertNotPartialRun(runDir, 'vigil serve');
    const threads = intOption(values, 'threads', SERVE_DEFAULTS.threads);
    if (threads < 1) throw new VigilError('--threads: expected >= 1', { field: 'threads' });
    const maxBodyMb = intOption(values, 'max-body-mb', 16);
    const maxInFlight = intOption(values, 'max-in-flight', SERVE_DEFAULTS.maxInFlight);
    if (maxInFlight < 1) throw new VigilError('--max-in-flight: expected >= 1', { field: 'max-in-flight' });
    const graceS = intOption(values, 'drain-grace-s', SERVE_DEFAULTS.drainGraceS);
    if (graceS < 1) throw new VigilError('--drain-grace-s: expected >= 1', { field: 'drain-grace-s' });
    const running = await startServer(
      async () => (await loadRunFolder(runDir, { threads, loadPreprocessor: loadFittedPreprocessor, loadKnownContent })).scorer,
      {
        port: intOption(values, 'port', SERVE_DEFAULTS.port), host: typeof values.host === 'string' ? values.host : SERVE_DEFAULTS.host,
        maxBodyBytes: maxBodyMb * 1024 * 1024, maxBatch: intOption(values, 'max-batch', 64), modelInfo: { run_dir: runDir, threads },
        maxInFlight, drainGraceMs: graceS * 1000,
      },
    );
    exitOnSignals(running);
    try {
      await running.ready;
    } catch (e) {
      await running.shutdown('load failed');
      throw e instanceof VigilError ? e : new VigilError(`vigil serve: ${(e as Error).message}`);
    }
    // Serve until a signal arrives (exitOnSignals ends the process).
    await new Promise<never>(() => undefined);
    return 0;
  },
};
