// Executes every notebook top to bottom on the `tiny` preset with Jupyter + the tslab kernel.
// A failing cell fails the test with that cell's stderr/error text (nbconvert itself reports tslab
// errors with an empty message, so the executed notebook is inspected instead).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { join, resolve, delimiter } from 'node:path';
import { tmpdir } from 'node:os';
import { tslabFailure } from '../helpers/tslab.js';

const root = resolve(__dirname, '../../../..');
const nbDir = join(root, 'notebooks');
const notebooks = existsSync(nbDir) ? readdirSync(nbDir).filter((f) => f.endsWith('.ipynb')).sort() : [];

function missingTooling(): string | null {
  const nb = spawnSync('jupyter-nbconvert', ['--version'], { encoding: 'utf8' });
  if (nb.status !== 0) return 'jupyter-nbconvert is not installed (apt-get install jupyter-nbconvert python3-nbclient python3-ipykernel)';
  const ks = spawnSync('/usr/bin/python3', ['-c', 'from jupyter_client.kernelspec import KernelSpecManager as K; print(list(K().find_kernel_specs()))'], { encoding: 'utf8' });
  if (!/'tslab'/.test(ks.stdout ?? '')) return 'the tslab kernel is not registered (npx tslab install --python=/usr/bin/python3)';
  return null;
}

interface Output { output_type: string; name?: string; text?: string | string[]; ename?: string; evalue?: string; traceback?: string[] }

test('notebooks sources and .ipynb files agree', () => {
  const r = spawnSync(process.execPath, ['scripts/notebooks.mjs', 'check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

const why = missingTooling();
for (const nb of notebooks) {
  test(`notebook ${nb} runs top to bottom on the tiny preset`, { skip: why && !process.env.CI ? why : false, timeout: 600_000 }, () => {
    assert.equal(why, null, why ?? '');
    const out = mkdtempSync(join(tmpdir(), 'vigil-nb-'));
    try {
      const r = spawnSync('jupyter-nbconvert', [
        '--to', 'notebook', '--execute', '--allow-errors',
        '--ExecutePreprocessor.timeout=600', '--ExecutePreprocessor.kernel_name=tslab',
        '--output-dir', out, join(nbDir, nb),
      ], {
        cwd: nbDir, encoding: 'utf8',
        env: { ...process.env, VIGIL_PRESET: 'tiny', VIGIL_QUIET: '1', PATH: `${join(root, 'node_modules/.bin')}${delimiter}${process.env.PATH}` },
      });
      assert.equal(r.status, 0, `nbconvert failed for ${nb}:\n${r.stderr}`);
      const executed = JSON.parse(readFileSync(join(out, nb), 'utf8')) as { cells: { cell_type: string; source: string[]; outputs?: Output[] }[] };
      executed.cells.forEach((c, k) => {
        const outs = c.outputs ?? [];
        const err = outs.find((o) => o.output_type === 'error');
        const stderr = outs.filter((o) => o.output_type === 'stream' && o.name === 'stderr').map((o) => [].concat(o.text as never).join('')).join('');
        // tslab reports type errors and uncaught exceptions on stderr only (no error output), so a
        // cell also fails when its stderr holds a compiler diagnostic or a stack trace.
        // Charts must be image/svg+xml outputs (GitHub and VS Code render those), never SVG inside HTML.
        for (const o of outs) {
          const html = [].concat(((o as { data?: Record<string, unknown> }).data?.['text/html'] ?? []) as never).join('');
          assert.ok(!/<svg[\s>]/.test(html), `${nb} cell ${k + 1}: a chart displayed as SVG inside text/html (use tslab.display.svg)`);
        }
        if (!err && !tslabFailure(stderr)) return;
        assert.fail(`${nb} cell ${k + 1} failed:\n--- cell ---\n${c.source.join('')}\n--- error ---\n${err ? `${err.ename ?? ''}: ${err.evalue ?? ''}\n${(err.traceback ?? []).join('\n')}\n` : ''}${stderr}`);
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
}
