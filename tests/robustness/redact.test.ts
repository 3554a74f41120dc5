/** `--redact`: values planted in a real log's literals and bound parameters never reach any output format. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reporters } from '../../src/report/index.js';
import { redactText } from '../../src/redact.js';
import { repoRoot, runCli } from '../support/cli.js';

// Planted where the real workload has values: a literal of the per-row insert loop, the e-mail the
// select-then-insert loop looks up and inserts, and the bound parameter of the duplicated settings lookup.
const MARKERS = ['SECRET_MARKER_7f3a', 'jane.doe@privatemail.example', '4111111111111111'];
const PLANT: [RegExp, string][] = [
  [/IMP-0001/g, MARKERS[0]!],
  [/sync1@example\.net/g, MARKERS[1]!],
  [/currency/g, MARKERS[2]!],
];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-redact-'));
const log = path.join(tmp, 'planted.csv');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeAll(() => {
  let text = readFileSync(path.join(repoRoot, 'samples/loops.csv'), 'utf8');
  for (const [re, to] of PLANT) text = text.replace(re, to);
  // and in an unreadable line, whose reason must not quote it either
  text += `2026-11-25 14:59:59.000 UTC,"postgres","app",1,"x",s.1,1,"SELECT",2026-11-25 14:30:08 UTC,2/0,0,LOG,00000,"duration: 1 ms  statement: SELECT '${MARKERS[0]}'\n`;
  writeFileSync(log, text);
});

/** Everything a user would read from one run: stdout, stderr, and for e-mail the decoded text and HTML parts. */
async function output(format: string, redact: boolean): Promise<string> {
  const args = [log, '--format', format, '--top', '50'];
  if (format === 'email') args.push('--to', 'team@example.com', '--always');
  if (redact) args.push('--redact');
  const r = await runCli(args);
  expect([0, 1], r.stderr).toContain(r.code);
  let all = r.stdout + r.stderr;
  if (format === 'email') {
    const mail = await simpleParser(r.stdout);
    all += `${mail.subject ?? ''}\n${mail.text ?? ''}\n${typeof mail.html === 'string' ? mail.html : ''}`;
  }
  return all;
}

const FORMATS = reporters.map((r) => r.id);

describe('--redact', () => {
  it('covers every reporter', () => {
    expect(FORMATS).toEqual(expect.arrayContaining(['text', 'json', 'markdown', 'sarif', 'ndjson', 'email']));
  });

  for (const format of FORMATS) {
    it(`${format}: the planted values show without --redact and never with it`, async () => {
      const plain = await output(format, false);
      // the test can fail: the values are really in this format's output when nothing is redacted
      expect(MARKERS.some((m) => plain.includes(m)), `no marker in plain ${format} output`).toBe(true);
      const redacted = await output(format, true);
      for (const m of MARKERS) expect(redacted, `${m} in ${format}`).not.toContain(m);
      // the card number must not survive with separators either
      expect(redacted).not.toMatch(/4111[ -]?1111[ -]?1111[ -]?1111/);
    }, 60_000);
  }

  it('json keeps the findings and templates, only values go', async () => {
    const plain = JSON.parse((await runCli([log, '--format', 'json'])).stdout);
    const red = JSON.parse((await runCli([log, '--format', 'json', '--redact'])).stdout);
    expect(red.findings.map((f: { id: string }) => f.id)).toEqual(plain.findings.map((f: { id: string }) => f.id));
    expect(red.findings.map((f: { template: string }) => f.template)).toEqual(plain.findings.map((f: { template: string }) => f.template));
    for (const f of red.findings) for (const s of f.evidence.samples) expect(s.sql).toMatch(/\$\d|^[^']*$/);
  });

  it('masks values quoted in prose', () => {
    expect(redactText("with $1 = the 3 id values: {4,8,12}. Or: INSERT INTO t VALUES ('a@b.example', E'x\\'y', 4111 1111 1111 1111)")).toBe(
      "with $1 = the 3 id values: {…}. Or: INSERT INTO t VALUES ('…', E'…', …)",
    );
    expect(redactText("PostgreSQL's grammar check")).toBe("PostgreSQL's grammar check");
    expect(redactText('SELECT $q$secret$q$')).toBe('SELECT $$…$$');
  });
});
