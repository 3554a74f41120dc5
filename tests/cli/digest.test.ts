/**
 * The cron digest against a baseline: "worse" only for more repeats, more units of work or more wasted time beyond
 * noise; a baseline that covers everything says so ("no new loops; N known loops still present") in -q, text and
 * the mail, and known findings that went away are listed apart. Real log: samples/billing.log (one N+1, 12 × 2).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, DEFAULT_ANALYZE_OPTIONS } from '../../src/analyze.js';
import { buildBaseline, DEFAULT_WORSE_RULE, narrowFindings, worseReasons, type Baseline, type BaselineEntry } from '../../src/findings/baseline.js';
import type { AnalysisResult } from '../../src/findings/result.js';
import type { Finding } from '../../src/findings/types.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';
import { headline } from '../../src/report/summary.js';
import { parseConfig } from '../../src/config.js';
import { runCli } from '../support/cli.js';

const BILLING = 'samples/billing.log';
const ID = '35ba7cc0be22';
const tmp = mkdtempSync(path.join(tmpdir(), 'sqloupe-digest-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const env = { HOME: tmp, XDG_CONFIG_HOME: path.join(tmp, 'xdg') };

let run: AnalysisResult;
let loop: Finding;
let written: Baseline;
beforeAll(async () => {
  run = await analyze([{ path: BILLING, size: null }], DEFAULT_ANALYZE_OPTIONS);
  loop = run.findings.find((f) => f.id === ID)!;
  written = buildBaseline(run.findings, run.fingerprintAlgorithm, null, '2026-11-26T07:00:00.000Z');
});

const entry = (over: Partial<BaselineEntry>): BaselineEntry => ({ ...written.findings.find((e) => e.id === ID)!, ...over });
const baselineFile = (name: string, entries: BaselineEntry[]) => {
  const file = path.join(tmp, name);
  writeFileSync(file, JSON.stringify({ ...written, findings: entries }));
  return file;
};
const narrow = (file: string, minTimeMs = DEFAULT_WORSE_RULE.minTimeMs) =>
  narrowFindings(run, { suppressions: [], baselineFile: file, writeBaselineFile: null, worse: { factor: 2, minTimeMs } });
const plain = (r: AnalysisResult, quiet = false) => renderText(r, { color: false, quiet, width: 100 });

describe('what counts as worse', () => {
  it('the billing loop as recorded: 12 repeats in 2 units of work, 0.228 ms in total, 0.209 ms wasted', () => {
    expect([loop.repeats, loop.occurrences, loop.totalDurationMs, loop.wastedMs]).toEqual([12, 2, 0.228, 0.209]);
    expect(entry({})).toMatchObject({ repeats: 12, occurrences: 2, totalDurationMs: 0.228, wastedMs: 0.209 });
  });

  it('the same counts with ten times less time (0.02 → 0.21 ms) is noise under the 100 ms floor: not worse', () => {
    expect(worseReasons(loop, entry({ totalDurationMs: 0.0228, wastedMs: 0.0209 }))).toEqual([]);
  });

  it('with the floor at 0 the same growth is worse, and the reason names the measure and both values', () => {
    expect(worseReasons(loop, entry({ wastedMs: 0.0209 }), { factor: 2, minTimeMs: 0 })).toEqual(['wasted time 0.02 ms → 0.21 ms']);
  });

  it('time that grew by the floor but not by the factor is not worse', () => {
    expect(worseReasons(loop, entry({ wastedMs: 0.15 }), { factor: 2, minTimeMs: 0 })).toEqual([]);
  });

  it('more repeats and more units of work are worse by the factor alone (counts have no noise)', () => {
    expect(worseReasons(loop, entry({ repeats: 5, occurrences: 1 }))).toEqual(['repeats 5 → 12', 'units of work 1 → 2']);
    // grown, but by less than the factor
    expect(worseReasons(loop, entry({ repeats: 7 }))).toEqual([]);
  });

  it('a baseline written before units of work and wasted time were recorded compares repeats and total time', () => {
    const { occurrences: _o, wastedMs: _w, ...old } = entry({ repeats: 12 });
    expect(worseReasons(loop, { ...old, totalDurationMs: 0.01 }, { factor: 2, minTimeMs: 0 })).toEqual(['time 0.01 ms → 0.23 ms']);
    expect(worseReasons(loop, { ...old, occurrences: undefined })).toEqual([]);
  });
});

describe('a baseline that covers everything', () => {
  it('reports nothing, and says the known loop is still there: headline, -q and the full text', () => {
    const n = narrow(baselineFile('same.json', [entry({})]));
    expect(n.result.findings).toEqual([]);
    expect(n.result.baseline).toEqual({ stillPresent: [{ id: ID, kind: 'n-plus-one', title: loop.title }], gone: [] });
    expect(headline(n.result)).toBe('no new loops; 1 known loop still present (baseline)');
    expect(plain(n.result, true)).toBe('No new loops; 1 known loop still present (baseline).\n');
    expect(plain(n.result)).toContain('\nNo new loops; 1 known loop still present (baseline). Looked at 6 units of work.\n');
    expect(renderMarkdown(n.result, { color: false, quiet: false, width: 80 }).split('\n')[0]).toBe(
      '# sqloupe report: no new loops; 1 known loop still present (baseline)',
    );
  });

  it('known findings not seen in this run are listed apart, as gone', () => {
    const gone = { id: 'aaaaaaaaaaaa', kind: 'per-row-insert', title: 'Per-row INSERT into audit_log: 40× in one unit of work', repeats: 40, totalDurationMs: 3, firstSeen: '2026-11-01T07:00:00.000Z' };
    const n = narrow(baselineFile('gone.json', [entry({}), gone]));
    expect(n.result.baseline!.gone).toEqual([{ id: gone.id, kind: gone.kind, title: gone.title, firstSeen: gone.firstSeen }]);
    const text = plain(n.result);
    expect(text).toContain(
      "Gone since the baseline: 1 known finding not seen in this run (fixed, or outside this log's window)\n" +
        '  aaaaaaaaaaaa  per-row-insert  Per-row INSERT into audit_log: 40× in one unit of work (first seen 2026-11-01T07:00:00.000Z)\n',
    );
    // "still present" and "gone" are different news: the headline counts only what is still there
    expect(headline(n.result)).toBe('no new loops; 1 known loop still present (baseline)');
  });

  it('-q on the command line prints the same line, and the cron digest stays silent without --always', async () => {
    const file = baselineFile('cli-same.json', [entry({})]);
    const q = await runCli([BILLING, '--baseline', file, '-q'], { env });
    expect([q.code, q.stdout, q.stderr]).toEqual([0, 'No new loops; 1 known loop still present (baseline).\n', '']);
    const cron = await runCli([BILLING, '--baseline', file, '--format', 'email', '--to', 'team@example.com'], { env });
    expect([cron.code, cron.stdout, cron.stderr]).toEqual([0, '', '']);
  });

  it('--always mails the truth: subject, text and HTML say no new loops and the known one still present', async () => {
    const file = baselineFile('cli-always.json', [entry({})]);
    const r = await runCli([BILLING, '--baseline', file, '--format', 'email', '--to', 'team@example.com', '--always'], { env });
    expect(r.code).toBe(0);
    const mail = await simpleParser(r.stdout);
    expect(mail.subject).toBe(`[sqloupe] no new loops; 1 known loop still present (baseline) in ${BILLING} on ${hostname()}`);
    expect(mail.text).toContain('No new loops; 1 known loop still present (baseline).');
    expect(mail.html).toContain('sqloupe: no new loops; 1 known loop still present (baseline)</td>');
    expect(mail.text).not.toContain('not repeated');
  });
});

describe('a worse finding', () => {
  it('text and HTML parts of the digest give the same reason', async () => {
    const file = baselineFile('cli-worse.json', [entry({ repeats: 5, totalDurationMs: 0.2, wastedMs: 0.2 })]);
    const r = await runCli([BILLING, '--baseline', file, '--format', 'email', '--to', 'team@example.com'], { env });
    expect(r.code).toBe(0);
    const mail = await simpleParser(r.stdout);
    expect(mail.subject).toMatch(/^\[sqloupe\] 1 new or worse finding in /);
    expect(mail.text).toContain('  baseline: worse: repeats 5 → 12\n');
    expect(mail.html).toContain('>worse: repeats 5 → 12</td>');
  });

  it('--worse-min-time sets the floor; a bad value is a usage error naming the option', async () => {
    const file = baselineFile('cli-noise.json', [entry({ totalDurationMs: 0.0228, wastedMs: 0.0209 })]);
    const json = async (extra: string[]) => JSON.parse((await runCli([BILLING, '--baseline', file, '--format', 'json', ...extra], { env })).stdout);
    expect((await json([])).findings).toEqual([]);
    const strict = (await json(['--worse-min-time', '0ms'])).findings;
    expect(strict.map((f: Finding) => f.evidence['baseline'])).toEqual([
      {
        status: 'worse',
        firstSeen: entry({}).firstSeen,
        previousRepeats: 12,
        previousOccurrences: 2,
        previousTotalDurationMs: 0.0228,
        previousWastedMs: 0.0209,
        reasons: ['wasted time 0.02 ms → 0.21 ms'],
      },
    ]);
    const bad = await runCli([BILLING, '--baseline', file, '--worse-min-time', 'soon'], { env });
    expect([bad.code, bad.stderr]).toEqual([2, 'sqloupe: --worse-min-time must be a duration like 250ms, 30s, 30m, 24h or 7d. Received "soon".\n']);
  });

  it('sqloupe.config.json takes the floor as baseline.worseMinTime, checked like the flag', () => {
    expect(parseConfig('{"baseline":{"worseFactor":3,"worseMinTime":"250ms"}}', 'sqloupe.config.json').baseline).toEqual({ worseFactor: 3, worseMinTime: '250ms' });
    expect(() => parseConfig('{"baseline":{"worseMinTime":"soon"}}', 'sqloupe.config.json')).toThrow(/baseline\.worseMinTime/);
  });

  it('--write-baseline records units of work and wasted time as well', async () => {
    const file = path.join(tmp, 'written.json');
    expect((await runCli([BILLING, '--write-baseline', file, '-q'], { env })).code).toBe(0);
    const b = JSON.parse(readFileSync(file, 'utf8')) as Baseline;
    expect(b.findings.map((e) => [e.id, e.repeats, e.occurrences, e.totalDurationMs, e.wastedMs])).toEqual([[ID, 12, 2, 0.228, 0.209]]);
  });
});
