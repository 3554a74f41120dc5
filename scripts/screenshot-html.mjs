#!/usr/bin/env node
// Writes docs/html-report.png, the README's picture of --format html: samples/loops.csv with its first finding open.
// Needs `npm run build` first; uses the same Chromium as the tests (scripts/ensure-chromium.mjs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { ensureChromium } from './ensure-chromium.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-shot-'));
const page = path.join(dir, 'loops.html');
execFileSync(process.execPath, [path.join(root, 'bin/sqloupe.js'), 'samples/loops.csv', '--format', 'html', '--output', page], { cwd: root });
const browser = await chromium.launch({ executablePath: ensureChromium(), args: ['--no-sandbox'] });
try {
  const p = await browser.newPage({ viewport: { width: 1200, height: 1500 }, colorScheme: 'light' });
  await p.goto(pathToFileURL(page).href);
  await p.waitForSelector('html[data-ready="true"]');
  await p.locator('details.finding summary').first().click();
  await p.screenshot({ path: path.join(root, 'docs/html-report.png') });
} finally {
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
