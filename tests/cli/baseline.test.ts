/** Baseline flow: a rerun reports 0 new findings; a planted regression (a second log with more loops, or grown repeats) is reported. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sqloupe-baseline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const env = { HOME: tmp, XDG_CONFIG_HOME: path.join(tmp, 'xdg') };
const BILLING = 'samples/billing.log';
// a second log with loops of its own: the "regression" a cron job must mail about
const EXTRA = 'tests/fixtures/orm/gorm/debug.log';

interface Doc {
  findings: { id: string; kind: string; repeats: number; evidence: { baseline?: { status: string; previousRepeats?: number } } }[];
}
const json = async (args: string[]) => {
  const r = await runCli([...args, '--format', 'json'], { env });
  expect([0, 1], r.stderr).toContain(r.code);
  return JSON.parse(r.stdout) as Doc;
};

describe('baseline', () => {
  const file = path.join(tmp, 'baseline.json');

  it('--write-baseline records id, kind, title, repeats, units of work, total and wasted time, and firstSeen of every finding', async () => {
    const all = await json([BILLING, '--write-baseline', file]);
    const b = JSON.parse(readFileSync(file, 'utf8'));
    expect(b.baselineVersion).toBe(1);
    expect(b.fingerprintAlgorithm).toMatch(/^sqloupe-fp\//);
    expect(b.findings.map((e: { id: string }) => e.id).sort()).toEqual(all.findings.map((f) => f.id).sort());
    for (const e of b.findings) {
      expect(Object.keys(e).sort()).toEqual(['firstSeen', 'id', 'kind', 'occurrences', 'repeats', 'title', 'totalDurationMs', 'wastedMs']);
      expect(e.firstSeen).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
  });

  it('a rerun against it reports 0 findings, and --fail-on passes', async () => {
    expect((await json([BILLING, '--baseline', file])).findings).toEqual([]);
    expect((await runCli([BILLING, '--baseline', file, '--fail-on', 'info'], { env })).code).toBe(0);
  });

  it('a second log with an extra loop: only the new findings are reported, tagged "new"', async () => {
    const extraAlone = (await json([EXTRA])).findings.map((f) => f.id).sort();
    expect(extraAlone.length).toBeGreaterThan(0);
    const doc = await json([BILLING, EXTRA, '--baseline', file]);
    expect(doc.findings.map((f) => f.id).sort()).toEqual(extraAlone);
    for (const f of doc.findings) expect(f.evidence.baseline?.status).toBe('new');
    expect((await runCli([BILLING, EXTRA, '--baseline', file, '--fail-on', 'info'], { env })).code).toBe(1);
  });

  it('a known finding whose repeats grew by the factor is reported as "worse"; --worse-factor raises the bar', async () => {
    const b = JSON.parse(readFileSync(file, 'utf8'));
    const worse = path.join(tmp, 'smaller.json');
    b.findings = b.findings.map((e: { repeats: number; totalDurationMs: number | null }) => ({ ...e, repeats: 5, totalDurationMs: null }));
    writeFileSync(worse, JSON.stringify(b));
    const doc = await json([BILLING, '--baseline', worse]);
    expect(doc.findings).toHaveLength(1);
    expect(doc.findings[0]!.evidence.baseline).toMatchObject({ status: 'worse', previousRepeats: 5 });
    expect((await json([BILLING, '--baseline', worse, '--worse-factor', '3'])).findings).toEqual([]);
  });

  it('rewriting a baseline keeps firstSeen', async () => {
    const b = JSON.parse(readFileSync(file, 'utf8'));
    b.findings[0].firstSeen = '2020-01-01T00:00:00.000Z';
    writeFileSync(file, JSON.stringify(b));
    await json([BILLING, EXTRA, '--baseline', file, '--write-baseline', file]);
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.findings.find((e: { id: string }) => e.id === b.findings[0].id).firstSeen).toBe('2020-01-01T00:00:00.000Z');
    expect(after.findings.length).toBeGreaterThan(b.findings.length);
    expect((await json([BILLING, EXTRA, '--baseline', file])).findings).toEqual([]);
  });

  it('the e-mail digest is silent when nothing is new (unless --always)', async () => {
    const quiet = await runCli([BILLING, '--baseline', file, '--format', 'email', '--to', 'team@example.com'], { env });
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe('');
    expect(quiet.stderr).toBe('');
    const always = await runCli([BILLING, '--baseline', file, '--format', 'email', '--to', 'team@example.com', '--always'], { env });
    expect(always.stdout).toMatch(/^Subject: /m);
  });

  it('a missing or foreign baseline is a usage error (exit 2), never "no news"', async () => {
    const r = await runCli([BILLING, '--baseline', path.join(tmp, 'none.json')], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--write-baseline');
    const foreign = path.join(tmp, 'foreign.json');
    writeFileSync(foreign, JSON.stringify({ hello: 1 }));
    expect((await runCli([BILLING, '--baseline', foreign], { env })).code).toBe(2);
  });
});
