/**
 * Values from a log reach terminals, e-mail text parts and Markdown tickets: planted in a real log (samples/billing.log,
 * its N+1 loop), terminal escapes must come out as visible escapes and Markdown must render as text.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, DEFAULT_ANALYZE_OPTIONS } from '../../src/analyze.js';
import type { AnalysisResult } from '../../src/findings/result.js';
import { renderPlain } from '../../src/report/email.js';
import { mdText, renderMarkdown } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';
import { printable } from '../../src/text/printable.js';
import { repoRoot } from '../support/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const ESC = '\x1b';
// clear screen, set the window title (OSC 0 … BEL), a hidden hyperlink (OSC 8 … ST), CSI as one C1 byte
const TERMINAL = `${ESC}[2J${ESC}]0;pwned\x07${ESC}]8;;http://evil.example/${ESC}\\click${ESC}]8;;${ESC}\\\x9b31m`;
// a table name that is raw HTML, a link, an image, emphasis and terminal escapes; an application name likewise
// (PostgreSQL keeps 63 bytes of an identifier: the table's is short)
const TABLE = `"oi${ESC}[2J${ESC}]0;pw\x07<img src=x>[p](http://e.x/)![i](x)*b*_u_"`;
const APP = `billing#h1|cell\`tick\`~~s~~${TERMINAL}`;

let result: AnalysisResult;
beforeAll(async () => {
  let text = readFileSync(path.join(repoRoot, 'samples/billing.log'), 'utf8');
  // the loop's table and the key of its first statements; the application name in the prefixes and connection lines
  text = text.replace(/FROM order_items WHERE order_id = \$1/g, `FROM ${TABLE} WHERE order_id = $1`);
  text = text.replace(/\/billing \[/g, `/${APP} [`).replace(/application_name=billing$/gm, `application_name=${APP}`);
  const file = path.join(tmp, 'hostile.log');
  writeFileSync(file, text);
  result = await analyze([{ path: file, size: null }], DEFAULT_ANALYZE_OPTIONS);
  // the planted values really are in the data the reporters get
  const f = result.findings[0]!;
  expect(f.kind).toBe('n-plus-one');
  expect(f.applications).toEqual([APP]);
  expect(f.tables).toEqual([TABLE]);
});

/** Any byte a terminal acts on: C0 but tab and newline, DEL, C1. */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('terminal escapes', () => {
  it('printable shows every control character as an escape and keeps text', () => {
    expect(printable(TERMINAL)).toBe('\\x1b[2J\\x1b]0;pwned\\x07\\x1b]8;;http://evil.example/\\x1b\\click\\x1b]8;;\\x1b\\\\x9b31m');
    expect(printable('a\tb\nc\rd\u202ee')).toBe('a\tb\nc\\x0dd\\u202ee');
    expect(printable('a\nb', true)).toBe('a\\x0ab');
    expect(printable('SELECT 1 -- é ü 🙂')).toBe('SELECT 1 -- é ü 🙂');
  });

  it('the text report and the e-mail text part show them, never send them', () => {
    for (const out of [renderText(result, { color: false, quiet: false, width: 100 }), renderText(result, { color: true, quiet: false, width: 100 }), renderPlain(result, { to: ['a@example.com'], from: null, subject: null, suppressedFindings: 0, baselineUsed: false })]) {
      // with colours on, the report's own SGR codes are the only escapes
      expect(out.replace(/\x1b\[[0-9;]*m/g, '')).not.toMatch(CONTROL);
      expect(out).toContain('app billing#h1|cell`tick`~~s~~\\x1b[2J\\x1b]0;pwned\\x07\\x1b]8;;http://evil.example/\\x1b\\click\\x1b]8;;\\x1b\\\\x9b31m');
      expect(out).toContain('N+1 query on "oi\\x1b[2J\\x1b]0;pw\\x07<img src=x>[p](http://e.x/)![i](x)*b*_u_"');
    }
  });
});

describe('Markdown', () => {
  it('escapes every character that opens markup in inline text', () => {
    expect(mdText('<img src=x> [a](http://e.example/) ![i](x) # h *b* _u_ `c` ~~s~~ a|b &amp; x@y.example www.e.example\nline')).toBe(
      '\\<img src=x\\> \\[a\\](http\\://e.example/) \\!\\[i\\](x) \\# h \\*b\\* \\_u\\_ \\`c\\` \\~\\~s\\~\\~ a\\|b \\&amp; x\\@y.example www\\.e.example line',
    );
  });

  it('a ticket made from the log renders the values as text', () => {
    const md = renderMarkdown(result, { color: false, quiet: false, width: 100 });
    expect(md).not.toMatch(CONTROL);
    const lines = md.split('\n');
    const table = '"oi\\\\x1b\\[2J\\\\x1b\\]0;pw\\\\x07\\<img src=x\\>\\[p\\](http\\://e.x/)\\!\\[i\\](x)\\*b\\*\\_u\\_"';
    expect(lines).toContain(`## 1. N+1 query on ${table}: 12× in one unit of work, 2 times`);
    expect(lines).toContain(`- **Tables:** ${table}`);
    expect(lines).toContain(
      '- **Applications:** billing\\#h1\\|cell\\`tick\\`\\~\\~s\\~\\~\\\\x1b\\[2J\\\\x1b\\]0;pwned\\\\x07\\\\x1b\\]8;;http\\://evil.example/\\\\x1b\\\\click\\\\x1b\\]8;;\\\\x1b\\\\\\\\x9b31m',
    );
    // the table of findings keeps its six columns plus the id: the log's `|` is escaped
    const row = lines.find((l) => l.startsWith('| 1 | warning |'))!;
    expect(row).toContain(`| ${table} |`);
    expect(row.split(/(?<!\\)\|/).length).toBe(9);
    // no line outside code has an unescaped `<`, `[` or `!` from the log
    const prose = lines.filter((l) => l.startsWith('## ') || l.startsWith('- **Tables') || l.startsWith('- **Applications') || l.startsWith('**Fix:**') || l.startsWith('| 1 | warning'));
    expect(prose).toHaveLength(6);
    for (const l of prose) expect(l).not.toMatch(/(?<!\\)<img|(?<!\\)\[p|(?<!\\)!\\?\[i|(?<![\\\w])\*b/);
  });
});
