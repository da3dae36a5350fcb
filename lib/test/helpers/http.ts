import http from 'node:http';
import type { Scorer, ScoreResponse } from '../../src/serve/scorer.js';
import { TEST_CONFIG } from './servingFixture.js';

export interface HttpReply { status: number; headers: http.IncomingHttpHeaders; text: string; json: any }

/**
 * One HTTP request to a local server through node:http (fetch costs several ms per request here,
 * which would dominate the fuzz runs). A Buffer body is sent as is (bad UTF-8 tests), a string as its
 * UTF-8 bytes, anything else as JSON; `json` is the parsed body, or the text when it is not JSON.
 */
export function httpCall(port: number, method: string, path: string, body?: unknown, agent: http.Agent | false = false): Promise<HttpReply> {
  const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const headers = data ? { 'content-type': 'application/json', 'content-length': data.length } : {};
    const req = http.request({ host: '127.0.0.1', port, path, method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try { json = JSON.parse(text); } catch { json = text; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** A scorer whose answers wait while held (`hold()` … `release()`), so requests can be kept in flight. */
export function heldScorer(answer: { risk: number; action: ScoreResponse['action']; version?: string } = { risk: 0.1, action: 'ALLOW' }) {
  let gate: Promise<void> = Promise.resolve();
  let open: () => void = () => undefined;
  const v = answer.version ?? 'm';
  const scorer: Scorer = {
    limits: { frameDim: TEST_CONFIG.frameDim, audioDim: TEST_CONFIG.audioDim, maxItems: 600 },
    modelVersion: v, towers: ['visual'],
    policy: { blockThreshold: 0.9, queueThreshold: 0.5, blockEnabled: true, version: 'p' },
    async scoreVideos(videos) {
      await gate;
      return videos.map((x): ScoreResponse => ({
        video_id: x.videoId, risk_score: answer.risk, action: answer.action, reason_codes: [], model_version: v, policy_version: 'p', latency_ms: 0,
      }));
    },
    close: async () => undefined,
  };
  return { scorer, hold: () => { gate = new Promise((r) => { open = r; }); }, release: () => open() };
}
