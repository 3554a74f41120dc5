/** --html-attachment: the e-mail digest carries the --format html page as an attachment. */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, DEFAULT_ANALYZE_OPTIONS } from '../../src/analyze.js';
import { composeEmail } from '../../src/report/email.js';
import { renderHtmlPage } from '../../src/report/html.js';
import { repoRoot, runCli } from '../support/cli.js';

const BILLING = 'samples/billing.log';

beforeAll(() => {
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts/bundle-html.mjs')]);
});

describe('--html-attachment', () => {
  it('attaches the page, byte for byte, next to the text and HTML parts', async () => {
    const result = await analyze([{ path: BILLING, size: statSync(path.join(repoRoot, BILLING)).size }], DEFAULT_ANALYZE_OPTIONS);
    const opts = { to: ['team@example.com'], from: 'sqloupe@db1.example.com', subject: null, knownFindings: 0, suppressedFindings: 0, baselineUsed: false, date: new Date('2026-11-26T07:00:00Z') };
    const mail = await simpleParser(await composeEmail(result, { ...opts, attachHtml: true }));
    expect(mail.attachments.map((a) => [a.filename, a.contentType])).toEqual([['sqloupe-report.html', 'text/html']]);
    expect(mail.attachments[0]!.content.toString('utf8')).toBe(renderHtmlPage(result));
    expect(mail.text).toContain('n-plus-one');
    expect(mail.html).toContain('N+1 query on order_items');
    const plain = await simpleParser(await composeEmail(result, opts));
    expect(plain.attachments).toEqual([]);
  });

  it('from the command line', async () => {
    const r = await runCli([BILLING, '--format', 'email', '--to', 'team@example.com', '--html-attachment']);
    expect(r.code).toBe(0);
    const mail = await simpleParser(r.stdout);
    expect(mail.attachments.map((a) => a.filename)).toEqual(['sqloupe-report.html']);
    const page = mail.attachments[0]!.content.toString('utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('<script type="application/json" id="sqloupe-data">');
  });
});
