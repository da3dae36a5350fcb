import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic, writeFileAtomic } from '../util/atomic.js';
import { VigilError } from '../util/errors.js';
import { createRunId, writeRunFolder } from '../runs/runFolder.js';
import { buildLoopSections } from './reportSection.js';
import { renderMarkdown } from '../report/markdown.js';
import { renderHtml } from '../report/html.js';
import { loopResultSchema, type LoopResult } from './schema.js';

export const LOOP_FILE = 'loop.json';

/**
 * Write a loop result as a versioned folder `<loopsDir>/<time>-loop-<hash>/` (built under a
 * temporary name and renamed, like a run folder): loop.json (validated), report.md, report.html.
 */
export async function writeLoopFolder(loopsDir: string, result: LoopResult, now = new Date()): Promise<string> {
  const checked = loopResultSchema.parse(result);
  const id = createRunId({ name: 'loop', run: checked.run.id, config: checked.config, source: checked.source }, now);
  const sections = await buildLoopSections(checked);
  const meta = { title: `Moderation loop — ${checked.run.id}`, subtitle: `${checked.config.weeks} weeks, strategies: ${checked.strategies.map((s) => s.strategy).join(', ')}`, generatedAt: now.toISOString() };
  return writeRunFolder(loopsDir, id, (dir) => {
    writeJsonAtomic(join(dir, LOOP_FILE), checked);
    writeFileAtomic(join(dir, 'report.md'), renderMarkdown(sections, meta));
    writeFileAtomic(join(dir, 'report.html'), renderHtml(sections, meta));
  });
}

/** Read and validate a loop folder's loop.json (names the file and the first bad field). */
export function readLoopResult(dir: string): LoopResult {
  const p = join(dir, LOOP_FILE);
  if (!existsSync(p)) throw new VigilError(`loop folder '${dir}' has no ${LOOP_FILE}`, { field: LOOP_FILE });
  const parsed = loopResultSchema.safeParse(JSON.parse(readFileSync(p, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new VigilError(`${p}: '${issue.path.join('.')}' ${issue.message}`, { field: issue.path.join('.') });
  }
  return parsed.data;
}
