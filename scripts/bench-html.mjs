#!/usr/bin/env node
// Size and time to interactive of --format html with N findings (default 10,000): the findings of samples/loops.csv
// copied with other ids, numbers and tables, rendered, opened in Chromium. Needs `npm run build`. Usage: node scripts/bench-html.mjs [N]
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureChromium } from './ensure-chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { analyze, DEFAULT_ANALYZE_OPTIONS } = await import(pathToFileURL(path.join(root, 'dist/analyze.js')).href);
const { renderHtmlPage } = await import(pathToFileURL(path.join(root, 'dist/report/html.js')).href);
const n = Number(process.argv[2] ?? 10_000);
const sample = path.join(root, 'samples/loops.csv');
const base = await analyze([{ path: sample, size: statSync(sample).size }], DEFAULT_ANALYZE_OPTIONS);
const result = { ...base, findings: [], traces: {} };
// every number and table name changed (a fixed sequence), so the copies compress as little as different loops would
let seed = 1;
const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
const vary = (v) =>
  typeof v === 'string'
    ? v.replace(/\d+/g, () => String(next() % 100_000)).replace(/\b(orders|customers|order_items|products)\b/g, (m) => `${m}_${(next() % 5000).toString(36)}`)
    : Array.isArray(v)
      ? v.map(vary)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'start' || k === 'end' ? x : vary(x)]))
        : v;
for (let i = 0; i < n; i++) {
  const f = base.findings[i % base.findings.length];
  const id = `${f.id.slice(0, 6)}${i.toString(16).padStart(6, '0')}`;
  const tables = f.tables.map((t) => `${t}_${i}`);
  result.findings.push({ ...vary(f), id, tables, title: `${vary(f.title)} (${tables.join(', ')})` });
  result.traces[id] = vary(base.traces[f.id]);
}
let t = performance.now();
const html = renderHtmlPage(result);
const renderMs = performance.now() - t;
const dir = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-bench-html-'));
const file = path.join(dir, 'page.html');
writeFileSync(file, html);
const browser = await chromium.launch({ executablePath: ensureChromium(), args: ['--no-sandbox'] });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
  // the renderer's own busy time (script, layout, paint), which a loaded machine does not inflate as it does the clock
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  t = performance.now();
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('html[data-ready="true"]', { timeout: 120_000 });
  const readyMs = performance.now() - t;
  // the page's own clock: from navigation start to the end of its first drawing
  const inPage = await page.evaluate('performance.now()');
  const marks = await page.evaluate('Object.fromEntries(performance.getEntriesByType("mark").map((m) => [m.name, Math.round(m.startTime)]))');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const busy = Object.fromEntries(metrics.filter((m) => ['TaskDuration', 'ScriptDuration', 'LayoutDuration'].includes(m.name)).map((m) => [m.name, Math.round(m.value * 1000)]));
  const domInteractive = await page.evaluate('Math.round(performance.getEntriesByType("navigation")[0].domInteractive)');
  console.log(JSON.stringify({ findings: n, bytes: Buffer.byteLength(html), renderMs: Math.round(renderMs), openToReadyMs: Math.round(readyMs), pageClockAtReadyMs: Math.round(inPage), domInteractive, marks, rendererBusyMs: busy }));
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
