// A server process for the shutdown test: serves a run folder with the test preprocessing, each
// scoring call held back by DELAY_MS so a request is still in flight when SIGTERM arrives; an
// optional third argument sets the admission limit.
import { loadRunFolder } from '../../src/serve/runFolder.js';
import { startServer, exitOnSignals } from '../../src/serve/server.js';
import { testPreprocessor, TEST_CONFIG } from './servingFixture.js';

async function main() {
  const [runDir, delayMs, maxInFlight] = process.argv.slice(2);
  const running = await startServer(async () => {
    const { scorer } = await loadRunFolder(runDir, { loadPreprocessor: () => testPreprocessor(TEST_CONFIG) });
    const inner = scorer.scoreVideos.bind(scorer);
    scorer.scoreVideos = async (v, t) => { await new Promise((r) => setTimeout(r, Number(delayMs))); return inner(v, t); };
    return scorer;
  }, { port: 0, host: '127.0.0.1', log: () => undefined, ...(maxInFlight ? { maxInFlight: Number(maxInFlight) } : {}) });
  await running.ready;
  exitOnSignals(running);
  process.stdout.write(`READY ${running.port}\n`);
}
main().catch((e) => { console.error(e); process.exit(1); });
