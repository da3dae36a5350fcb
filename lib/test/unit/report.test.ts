import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReport } from '../../src/report/render.js';
import { criterionVerdict, standardCriteria } from '../../src/report/criteria.js';
import { fixtureReportInput } from '../fixtures/report.js';
import { tmpDir } from '../fixtures/runs.js';

const CHROMIUM = '/usr/bin/chromium';
// Rendered once and shared: chart rendering is the slow part.
let rendered: ReturnType<typeof renderReport> | null = null;
const fixtureReport = () => (rendered ??= renderReport(fixtureReportInput(), { now: new Date(0) }));

const CHARTS = ['prevalence', 'leakage', 'pr', 'roc', 'reliability', 'sweep', 'slices', 'attention', 'psi', 'drift-prevalence'];

test('criteria are met only when the CI bound on the safe side meets the target', () => {
  const c = (value: number, ci: [number, number] | undefined, target: number, direction: '>=' | '<=') => criterionVerdict({ name: 'x', metric: { value, ci }, target, direction });
  assert.equal(c(0.93, [0.91, 0.95], 0.9, '>='), 'met');
  assert.equal(c(0.93, [0.88, 0.97], 0.9, '>='), 'not proven', 'point meets, lower bound does not');
  assert.equal(c(0.93, undefined, 0.9, '>='), 'not proven', 'no interval, no claim');
  assert.equal(c(0.86, [0.79, 0.92], 0.9, '>='), 'not met');
  assert.equal(c(150, [140, 190], 200, '<='), 'met');
  assert.equal(c(150, [140, 210], 200, '<='), 'not proven');
  assert.equal(criterionVerdict({ name: 'x', metric: null, target: 1, direction: '>=' }), 'not measured');
  const std = standardCriteria({ n: 1, positives: 1, recallAtFpr: { '0.02': { value: 0.95, ci: [0.92, 0.97] } } }, { minRecall: 0.9, maxFpr: 0.02, minTopPrecision: 0.25, topShare: 0.01 }, { n: 10, p50: 1, p95: 2, p99: 3, budgetMs: 200 });
  assert.deepEqual(std.map(criterionVerdict), ['met', 'not measured', 'met']);
});

test('a report with no stage results says "not run" in every section instead of failing', async () => {
  const { html, md } = await renderReport({ runId: 'empty' }, { now: new Date(0) });
  assert.equal((md.match(/_Not run: this stage produced no results/g) ?? []).length, 15);
  assert.equal((html.match(/class="notrun"/g) ?? []).length, 30, 'nav entry + section per stage');
  assert.ok(!html.includes('<script'), 'no interactive block → no plotly bundle');
});

test('markdown and HTML show the same numbers and verdicts', async () => {
  const { html, md } = await fixtureReport();
  for (const s of ['86.0% [79.0, 92.0]', '27.0% [22.0, 33.0]', 'not met', 'not proven', 'too small (< 20 harmful)', 'NO — the constraints cannot all hold', 'queueCapacity, minRecall', 'VIS_VIOLENCE']) {
    assert.ok(md.includes(s), `markdown lacks '${s}'`);
    assert.ok(html.includes(s.replace(/</g, '&lt;')), `html lacks '${s}'`);
  }
  for (const name of CHARTS) assert.ok(html.includes(`data-chart="${name}"`), `chart ${name} missing`);
  assert.ok(!/<script[^>]+src=/i.test(html) && !/<link[^>]+href=/i.test(html), 'no external scripts or stylesheets');
});

test('the report renders in headless Chromium: no console errors, every chart drawn, plotly drew', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(`${CHROMIUM} not found: install it with 'apt-get install -y chromium' to run the browser check`);
    return;
  }
  const { chromium } = await import('playwright-core');
  const { html } = await fixtureReport();
  const dir = tmpDir('report');
  const file = join(dir, 'report.html');
  writeFileSync(file, html);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const network: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) network.push(r.url()); });
    await page.goto('file://' + file, { waitUntil: 'load' });
    await page.waitForSelector('.plotly-explorer .main-svg', { timeout: 15000 });
    const sizes = await page.$$eval('figure.chart', (figs) => figs.map((f) => {
      const svg = f.querySelector('svg');
      const r = svg?.getBoundingClientRect();
      return { name: f.getAttribute('data-chart'), w: r?.width ?? 0, h: r?.height ?? 0, marks: svg?.querySelectorAll('path, rect, line, circle').length ?? 0 };
    }));
    assert.deepEqual(sizes.map((s) => s.name).sort(), [...CHARTS].sort());
    for (const s of sizes) assert.ok(s.w > 50 && s.h > 30 && s.marks > 3, `chart ${s.name} did not render: ${JSON.stringify(s)}`);
    const plot = await page.$eval('.plotly-explorer', (el) => ({ traces: el.querySelectorAll('.scatterlayer .trace').length, w: el.getBoundingClientRect().width }));
    assert.equal(plot.traces, 4);
    assert.ok(plot.w > 100);
    const before = await page.$eval('#threshold-explorer-out', (o) => o.textContent);
    await page.$eval('#threshold-explorer-slider', (el) => { (el as unknown as { value: string }).value = '3'; el.dispatchEvent(new Event('input')); });
    const after = await page.$eval('#threshold-explorer-out', (o) => o.textContent);
    assert.match(after ?? '', /^t=.*recall .*FPR .*precision/);
    assert.notEqual(before, after, 'the slider reads out a new operating point');
    assert.deepEqual(errors, [], 'console errors');
    assert.deepEqual(network, [], 'the report must work offline');
    const shots = join(tmpdir(), 'vigil-report-screenshots');
    mkdirSync(shots, { recursive: true });
    const shot = join(shots, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`report screenshot: ${shot}`);
  } finally {
    await browser.close();
  }
});
