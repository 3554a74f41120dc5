/**
 * What the generated hostile logs (tests/support/hostile-gen.ts) found, one case each, with exact assertions:
 * a request tag value with spaces or parentheses, a database name and a prefix detected around a constant user
 * name leaked through --redact; a last line cut mid-token was dropped without a word; a log with CR-only line
 * ends was one line in no known format.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeCase, type CaseSpec, type HostileCase } from '../support/hostile-gen.js';
import { runCli } from '../support/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-hostile-reg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function write(spec: Omit<CaseSpec, 'seed'>, index: number): { c: HostileCase; file: string } {
  const c = makeCase({ ...spec, seed: 7 }, index);
  const file = path.join(tmp, c.file);
  writeFileSync(file, c.bytes);
  return { c, file };
}

async function json(file: string, ...more: string[]) {
  const r = await runCli([file, '--format', 'json', '--min-repeats', '3', ...more]);
  expect(r.code, r.stderr).toBe(0);
  return { report: JSON.parse(r.stdout), stderr: r.stderr, stdout: r.stdout };
}

describe('--redact', () => {
  it('masks a request tag value whole, spaces, commas and parentheses included', async () => {
    const { c, file } = write({ format: 'stderr-sample', carrier: 'sqlcommenter', payload: 'md-link', damage: 'none' }, 1);
    expect(c.value).toBe(`[x](http://evil.example/)${c.marker}[x](http://evil.example/)`);
    const plain = await json(file);
    const basis = (report: { findings: { evidence: { basis: string[] } }[] }) => report.findings.flatMap((f) => f.evidence.basis);
    expect(basis(plain.report)).toContain(`same request (request_id=${c.value})`);
    const state = path.join(tmp, 'tag.state');
    const r = await json(file, '--redact', '--save-state', state);
    expect(basis(r.report)).toContain('same request (request_id=…)');
    expect(r.stdout + readFileSync(state, 'utf8')).not.toContain(c.marker);
  });

  it('gives a database name a pseudonym, as application and user names', async () => {
    const { c, file } = write({ format: 'csvlog', carrier: 'database', payload: 'marker', damage: 'none' }, 2);
    const state = path.join(tmp, 'db.state');
    const r = await runCli([file, '--format', 'ndjson', '--min-repeats', '3', '--redact', '--save-state', state]);
    expect(r.code, r.stderr).toBe(0);
    const units = JSON.parse(r.stdout.split('\n')[0]!).units as { database: string }[];
    expect(units.length).toBeGreaterThan(0);
    for (const u of units) expect(u.database).toMatch(/^db#[0-9a-f]{8}$/);
    expect(r.stdout + readFileSync(state, 'utf8')).not.toContain(c.marker);
    // without --redact the name is there: the check can fail
    expect((await runCli([file, '--format', 'ndjson', '--min-repeats', '3'])).stdout).toContain(`"database":"${c.marker}"`);
  });

  it('keeps a detected prefix\'s escapes and words, not a user name it was detected around', async () => {
    // one session, so its user name is on every line and reads as literal text of the prefix
    const { c, file } = write({ format: 'stderr-sample', carrier: 'user', payload: 'crlf', damage: 'gzip-zero-padding' }, 3);
    const plain = await json(file);
    expect(plain.report.inputs[0].prefix).toContain(c.marker);
    const r = await json(file, '--redact');
    // %q after `[%p] `: the checkpointer's own line (no session fields) is read too
    expect(r.report.inputs[0].prefix).toBe('%m [%p] %q  …: %u@%d  …  …: …@….…  @…/… [%c] %l ');
    const doctor = await runCli(['doctor', '--redact', file]);
    expect(doctor.code, doctor.stderr).toBe(0);
    expect(r.stdout + r.stderr + doctor.stdout + doctor.stderr).not.toContain(c.marker);
  });
});

describe('damaged logs', () => {
  const CUT = 'the file ends inside this line, with no line end: the record was cut short while being written (or the copy was); analyze the file again once its writer has finished it';

  for (const format of ['stderr-sample', 'rails'] as const) {
    it(`${format}: a last line cut mid-token is counted as skipped, with its line and what to do`, async () => {
      const { c, file } = write({ format, carrier: 'sql-string', payload: 'marker', damage: 'truncated-last-line' }, 4);
      const { report, stderr } = await json(file);
      expect(report.summary.statements).toBe(c.statements);
      expect(report.inputs[0].unparsedLines).toBe(1);
      expect(report.inputs[0].unparsedSamples).toEqual([{ line: c.truncatedLine, reason: CUT }]);
      expect(stderr).toContain(`${file}:${c.truncatedLine}: ${CUT}`);
    });
  }

  it('a whole last line without a line end is read as usual', async () => {
    const { c, file } = write({ format: 'stderr-sample', carrier: 'sql-string', payload: 'marker', damage: 'none' }, 5);
    writeFileSync(file, c.bytes.subarray(0, c.bytes.length - 1));
    const { report } = await json(file);
    expect(report.summary.statements).toBe(c.statements);
    expect(report.inputs[0].unparsedLines).toBe(0);
  });

  for (const format of ['stderr-pgbadger', 'csvlog', 'django'] as const) {
    it(`${format}: CR-only line ends are line ends, and said so`, async () => {
      const { c, file } = write({ format, carrier: 'sql-string', payload: 'md-html', damage: 'cr-only' }, 6);
      const { report } = await json(file);
      expect(report.summary.statements).toBe(c.statements);
      expect(report.inputs[0].warnings).toEqual([`${file}:1: lines end in a lone CR (classic Mac OS line ends): each CR is read as a line end`]);
      expect(report.findings.length).toBeGreaterThanOrEqual(2);
    });
  }
});
