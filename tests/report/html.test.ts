/**
 * `--format html` in a real headless Chromium (Debian's package, installed by scripts/ensure-chromium.mjs): one
 * browser for the file, a page per case. Pages are rendered in-process from the same result the JSON report is
 * made of; screenshots of the bundled samples go to tmp/html-report/ (gitignored) for review.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, DEFAULT_ANALYZE_OPTIONS } from '../../src/analyze.js';
import type { AnalysisResult } from '../../src/findings/result.js';
import { redactResult } from '../../src/redact.js';
import { renderHtmlPage } from '../../src/report/html.js';
import { toJsonReport } from '../../src/report/json.js';
import { repoRoot, runCli } from '../support/cli.js';

const SAMPLES = ['samples/billing.log', 'samples/loops.csv', 'samples/pooled-web.json'];
const HOSTILE = 'tests/fixtures/html/hostile.json';
const HOSTILE_APP = '<script>window.__pwned=1</script>\u001b[31mbilling\u001b[0m\r\nX-Injected: 1';
const SHOTS = path.join(repoRoot, 'tmp', 'html-report');

let browser: Browser;
let dir: string;

beforeAll(async () => {
  const executablePath = execFileSync(process.execPath, [path.join(repoRoot, 'scripts/ensure-chromium.mjs')], { encoding: 'utf8' }).trim().split('\n').pop()!;
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts/bundle-html.mjs')]);
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-html-'));
  mkdirSync(SHOTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const analyzed = new Map<string, Promise<AnalysisResult>>();
/** One analysis per log for the file (tests only read the result). */
function run(file: string): Promise<AnalysisResult> {
  let r = analyzed.get(file);
  if (r === undefined) analyzed.set(file, (r = analyze([{ path: file, size: statSync(path.join(repoRoot, file)).size }], DEFAULT_ANALYZE_OPTIONS)));
  return r;
}

interface Opened {
  page: Page;
  /** Console errors and uncaught exceptions. */
  errors: string[];
  /** Every request other than the page itself: must stay empty. */
  requests: string[];
}

/** Writes the page to a file and opens it with every other request failed and recorded. */
async function open(name: string, html: string): Promise<Opened> {
  const file = path.join(dir, `${name}.html`);
  writeFileSync(file, html);
  const url = pathToFileURL(file).href;
  const context = await browser.newContext({ viewport: { width: 1200, height: 1400 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await context.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    requests.push(route.request().url());
    return route.abort();
  });
  await page.goto(url);
  // a deadline, not a measure: the machine may be busy
  await page.waitForSelector('html[data-ready="true"]', { timeout: 90_000 });
  return { page, errors, requests };
}

const text = (page: Page, selector: string) => page.locator(selector).first().innerText();

// a finding's body is drawn on the details element's toggle event, a task after the click: wait for it,
// or a count taken right after the click sees an empty body on a busy machine
async function openFinding(page: Page, n = 0): Promise<void> {
  const finding = page.locator('details.finding').nth(n);
  await finding.locator('summary').click();
  await finding.locator('.finding-body').waitFor({ timeout: 30_000 });
}

describe('--format html in Chromium', () => {
  for (const sample of SAMPLES) {
    it(`${sample}: the page's counts are the JSON report's; no error, no request; a screenshot`, async () => {
      const result = await run(sample);
      const json = toJsonReport(result);
      const { page, errors, requests } = await open(path.basename(sample), renderHtmlPage(result));
      const s = json.summary;
      expect(await text(page, '#count-findings')).toBe(String(json.findings.length));
      expect(await text(page, '#count-statements')).toBe(s.statements.toLocaleString('en-US'));
      expect(await text(page, '#count-sessions')).toBe(String(s.sessions));
      expect(await text(page, '#count-transactions')).toBe(String(s.transactions));
      expect(await text(page, '#count-units')).toBe(String(s.unitsOfWork));
      expect(await text(page, '#count-templates')).toBe(String(s.templates));
      for (const sev of ['error', 'warning', 'info'] as const) {
        expect(await text(page, `#count-${sev}`), sev).toBe(String(json.findings.filter((f) => f.severity === sev).length));
      }
      expect(await text(page, '#shown-count')).toBe(`${json.findings.length} of ${json.findings.length} findings`);
      expect(await page.locator('details.finding').count()).toBe(json.findings.length);
      expect(await page.locator('#top-queries tbody tr').count()).toBe(json.topQueries.length);
      expect(await page.locator('.timeline-chart canvas').count()).toBe(1);
      // the first finding opened: its waterfall shows the parent (when there is one) and the loop's statements
      await openFinding(page);
      const first = json.findings[0]!;
      const trace = result.traces[first.id]!;
      const rows = page.locator('details.finding').first().locator('.wf-row');
      expect(await rows.count()).toBe((trace.parent ? 1 : 0) + trace.first.length + (trace.last ? 1 : 0) + (trace.looped > trace.first.length + (trace.last ? 1 : 0) ? 1 : 0));
      await page.screenshot({ path: path.join(SHOTS, `${path.basename(sample)}.png`), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      await page.context().close();
    });
  }

  it('filters by kind, severity and search; the copy button copies the SQL; top queries sort', async () => {
    const result = await run('samples/loops.csv');
    const json = toJsonReport(result);
    const { page, errors, requests } = await open('filters', renderHtmlPage(result));
    const total = json.findings.length;
    const kind = 'per-row-update';
    await page.selectOption('#filter-kind', kind);
    expect(await text(page, '#shown-count')).toBe(`${json.findings.filter((f) => f.kind === kind).length} of ${total} findings`);
    expect(await page.locator('details.finding .kind').allInnerTexts()).toEqual([kind]);
    await page.selectOption('#filter-kind', '');
    await page.selectOption('#filter-severity', 'info');
    expect(await text(page, '#shown-count')).toBe(`${json.findings.filter((f) => f.severity === 'info').length} of ${total} findings`);
    await page.selectOption('#filter-severity', '');
    const target = json.findings[3]!;
    await page.fill('#search', target.id);
    expect(await text(page, '#shown-count')).toBe(`1 of ${total} findings`);
    expect(await page.locator('details.finding').getAttribute('data-id')).toBe(target.id);
    await page.fill('#search', 'no finding has this text');
    expect(await text(page, '#shown-count')).toBe(`0 of ${total} findings`);
    expect(await text(page, '.empty')).toBe('No finding matches these filters.');
    await page.fill('#search', '');

    // copy: the "Use" SQL of the first finding, exactly
    await openFinding(page);
    await page.locator('details.finding').first().locator('.sqlbox.use .copy').click();
    expect(await page.evaluate<string>('navigator.clipboard.readText()')).toBe(json.findings[0]!.suggestion!.use);
    expect(await page.locator('details.finding').first().locator('.sqlbox.use .copy').innerText()).toBe('Copied');
    await page.locator('details.finding').first().locator('.sqlbox.suppress .copy').click();
    expect(JSON.parse(await page.evaluate<string>('navigator.clipboard.readText()'))).toEqual({ suppressions: [{ id: json.findings[0]!.id, reason: 'why this loop is accepted' }] });

    // sorted by total time first; by calls on a click
    const firstCalls = () => page.locator('#top-queries tbody tr').first().locator('td').first().innerText();
    expect(await page.locator('#top-queries tbody tr').first().getAttribute('data-fingerprint')).toBe(json.topQueries[0]!.fingerprint);
    await page.click('#top-queries button[data-sort="calls"]');
    expect(await firstCalls()).toBe(String(Math.max(...json.topQueries.map((q) => q.calls))));
    expect(await page.locator('#top-queries th:has(button[data-sort="calls"])').getAttribute('aria-sort')).toBe('descending');

    // brushing the timeline: all of it keeps every finding, its first tenth (before any loop) none
    await page.locator('.u-over').scrollIntoViewIfNeeded();
    const over = (await page.locator('.u-over').boundingBox())!;
    const drag = async (from: number, to: number) => {
      await page.mouse.move(over.x + over.width * from, over.y + over.height / 2);
      await page.mouse.down();
      await page.mouse.move(over.x + over.width * to, over.y + over.height / 2, { steps: 5 });
      await page.mouse.up();
    };
    await drag(0.001, 0.999);
    expect(await text(page, '#shown-count')).toBe(`${total} of ${total} findings`);
    expect(await page.locator('.range-note').isVisible()).toBe(true);
    await drag(0.001, 0.1);
    expect(await text(page, '#shown-count')).toBe(`0 of ${total} findings`);
    await page.click('#clear-range');
    expect(await text(page, '#shown-count')).toBe(`${total} of ${total} findings`);
    // the same with the keyboard: a window over the first tenth, then moved to the end and widened to the last tenth
    await page.locator('.timeline-chart').focus();
    await page.keyboard.press('ArrowRight');
    expect(await text(page, '#shown-count')).toBe(`0 of ${total} findings`);
    for (let i = 0; i < 20; i++) await page.keyboard.press('ArrowRight');
    const late = (await page.locator('.range-note').innerText()).match(/between (\S+) and (\S+)/)!;
    const [from, to] = [Date.parse(late[1]!), Date.parse(late[2]!)];
    const inWindow = json.findings.filter((f) => f.units.some((u) => u.start !== null && Date.parse(u.start) >= from && Date.parse(u.start) <= to)).length;
    expect(await text(page, '#shown-count')).toBe(`${inWindow} of ${total} findings`);
    await page.keyboard.press('Escape');
    expect(await text(page, '#shown-count')).toBe(`${total} of ${total} findings`);
    expect(await page.locator('.range-note').isVisible()).toBe(false);

    // keyboard: "/" goes to the search box, Enter on a finding opens it
    await page.keyboard.press('/');
    expect(await page.evaluate<string>('document.activeElement.id')).toBe('search');
    await page.locator('details.finding summary').nth(1).focus();
    await page.keyboard.press('Enter');
    expect(await page.locator('details.finding').nth(1).getAttribute('open')).toBe('');

    // print: every finding drawn is opened with its body, and the controls are not printed
    await page.evaluate('dispatchEvent(new Event("beforeprint"))');
    expect(await page.locator('details.finding[open] .finding-body').count()).toBe(total);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.filters').isVisible()).toBe(false);
    expect(await page.locator('.copy').first().isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen', colorScheme: 'dark' });
    expect(await page.evaluate<string>('getComputedStyle(document.body).backgroundColor')).toBe('rgb(11, 17, 32)');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.context().close();
  });

  it('a hostile log (script tags in SQL and in an application name with ANSI and CRLF) renders as text', async () => {
    const result = await run(HOSTILE);
    expect(result.findings).toHaveLength(1);
    const html = renderHtmlPage(result);
    // nothing from the log can end the data element
    expect(html.match(/<script/g)).toHaveLength(2);
    const { page, errors, requests } = await open('hostile', html);
    await openFinding(page);
    expect(await page.evaluate<unknown>('window.__pwned')).toBeUndefined();
    expect(await page.locator('script').count()).toBe(2);
    expect(await page.locator('#app img').count()).toBe(0);
    const app = page.locator('#filter-application option').nth(1);
    expect(await app.evaluate((o) => o.textContent)).toBe(HOSTILE_APP);
    const facts = await page.locator('.facts dd').allTextContents();
    expect(facts).toContain(HOSTILE_APP);
    const instead = await page.locator('.sqlbox.instead pre').textContent();
    expect(instead).toBe(`SELECT product_id, '</script><img src=x onerror="window.__pwned=3">' AS tag FROM order_items WHERE order_id = 11`);
    expect(await page.locator('.summary').textContent()).toContain("'<script>window.__pwned=2</script>'");
    await page.screenshot({ path: path.join(SHOTS, 'hostile.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.context().close();
  });

  it('--redact holds in the page: no literal from the log is in it', async () => {
    const result = redactResult(await run(HOSTILE));
    const html = renderHtmlPage(result);
    expect(html).not.toContain('__pwned=2');
    expect(html).not.toContain('__pwned=3');
    expect(html).not.toContain('{11,12,13,14,15}');
    const cli = await runCli([HOSTILE, '--format', 'html', '--redact']);
    expect(cli.code).toBe(0);
    expect(cli.stdout).not.toContain('__pwned=2');
    expect(cli.stdout).not.toContain('__pwned=3');
    const { page, errors } = await open('redacted', cli.stdout);
    await openFinding(page);
    expect(await page.locator('.sqlbox.instead pre').textContent()).toBe('select product_id, $1 as tag from order_items where order_id = $2');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('10,000 findings: a page under 5 MB that draws the first hundred and counts them all', async () => {
    const base = await run('samples/loops.csv');
    const result: AnalysisResult = { ...base, findings: [], traces: {} };
    // copies of the sample's findings with every number and table name changed (a fixed sequence): as little
    // repetition for the compression to find as 10,000 different loops would leave
    let seed = 1;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
    const vary = <T>(v: T): T =>
      (typeof v === 'string'
        ? v.replace(/\d+/g, () => String(next() % 100_000)).replace(/\b(orders|customers|order_items|products)\b/g, (m) => `${m}_${(next() % 5000).toString(36)}`)
        : Array.isArray(v)
          ? v.map(vary)
          : v !== null && typeof v === 'object'
            ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'start' || k === 'end' ? x : vary(x)]))
            : v) as T;
    for (let i = 0; i < 10_000; i++) {
      const f = base.findings[i % base.findings.length]!;
      const id = `${f.id.slice(0, 6)}${i.toString(16).padStart(6, '0')}`;
      const tables = f.tables.map((t) => `${t}_${i}`);
      result.findings.push({ ...vary(f), id, tables, title: `${vary(f.title)} (${tables.join(', ')})` });
      result.traces[id] = vary(base.traces[f.id]!);
    }
    const html = renderHtmlPage(result);
    expect(Buffer.byteLength(html)).toBeLessThan(5 * 1024 * 1024);
    expect(html).toContain('data-encoding="gzip-base64"');
    const { page, errors, requests } = await open('ten-thousand', html);
    expect(await text(page, '#count-findings')).toBe('10,000');
    expect(await text(page, '#shown-count')).toBe('10,000 of 10,000 findings');
    expect(await page.locator('details.finding').count()).toBe(100);
    await page.click('#show-more');
    expect(await page.locator('details.finding').count()).toBe(200);
    await page.fill('#search', 'orders_9999');
    expect(await text(page, '#shown-count')).toBe('1 of 10,000 findings');
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.context().close();
  });
});
