/**
 * Diagnoses name the real cause: a filter that keeps nothing, a reversed window, an output path in a missing
 * directory, a --prefix that matched no line. Real log: samples/billing.log (516 lines, 89 statements,
 * applications billing, reports and setup, from 2026-11-25T14:30:06.082Z to 14:30:06.356Z).
 */
import { describe, expect, it } from 'vitest';
import { analyze, DEFAULT_ANALYZE_OPTIONS, type AnalyzeOptions } from '../../src/analyze.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { emptyFilterNote } from '../../src/cli/empty-filter.js';
import { buildOptions, type AnalyzeFlags } from '../../src/cli/analyze-command.js';
import { UsageError } from '../../src/cli/values.js';
import { runCli } from '../support/cli.js';

const BILLING = 'samples/billing.log';
const RANGE = '(the log runs from 2026-11-25T14:30:06.082Z to 2026-11-25T14:30:06.356Z)';
const flags = (over: Partial<AnalyzeFlags>): AnalyzeFlags => ({ format: 'text', minRepeats: '5', idleGap: '1s', failOn: 'none', top: '10', ...over });
const run = (over: Partial<AnalyzeFlags>) => {
  const options: AnalyzeOptions = buildOptions(flags(over));
  return analyze([{ path: BILLING, size: null }], options).then((result) => ({ result, options }));
};

describe('a filter that keeps nothing', () => {
  it('a window after the log: the statements in the log, the window asked for, and the log range', async () => {
    const { result, options } = await run({ since: '2026-11-25 14:31', until: '2026-11-25 15:00' });
    expect(result.summary.statements).toBe(0);
    expect(emptyFilterNote(result, options.filters, { since: '2026-11-25 14:31', until: '2026-11-25 15:00' })).toBe(
      `89 statements in the log, none in the window 2026-11-25T14:31:00.000Z (2026-11-25 14:31)–2026-11-25T15:00:00.000Z (2026-11-25 15:00) ${RANGE}`,
    );
  });

  it('a time-of-day window is quoted as given', async () => {
    const { result, options } = await run({ since: '14:00', until: '14:30' });
    expect(emptyFilterNote(result, options.filters, { since: '14:00', until: '14:30' })).toBe(`89 statements in the log, none in the window 14:00–14:30 ${RANGE}`);
  });

  it('an application that is not in the log: the names that are', async () => {
    const { result, options } = await run({ application: 'nosuch' });
    expect(emptyFilterNote(result, options.filters, {})).toBe('89 statements in the log, none for application nosuch; applications seen: billing, reports, setup');
  });

  it('a filter that keeps statements, or a run without filters, has nothing to explain', async () => {
    const kept = await run({ application: 'billing' });
    expect(kept.result.summary.statements).toBeGreaterThan(0);
    expect(emptyFilterNote(kept.result, kept.options.filters, {})).toBeNull();
    const none = await run({});
    expect(emptyFilterNote(none.result, none.options.filters, {})).toBeNull();
  });

  it('on the command line: that sentence on stderr, exit 0, and no postgresql.conf advice', async () => {
    const r = await runCli([BILLING, '--application', 'nosuch', '-q']);
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'No loops found.\n', 'sqloupe: 89 statements in the log, none for application nosuch; applications seen: billing, reports, setup\n']);
    expect(r.stderr).not.toContain('log_min_duration_statement');
  });

  it('in the cron digest: silent, and with --always the mail says it', async () => {
    const quiet = await runCli([BILLING, '--since', '2099-01-01', '--format', 'email', '--to', 'team@example.com']);
    expect([quiet.code, quiet.stdout, quiet.stderr]).toEqual([0, '', '']);
    const always = await runCli([BILLING, '--since', '2099-01-01', '--format', 'email', '--to', 'team@example.com', '--always']);
    expect(always.stdout.replace(/=\r?\n/g, '')).toContain(`89 statements in the log, none in the window from 2099-01-01T00:00:00.000Z (2099-01-01) ${RANGE}`);
  });
});

describe('a reversed window', () => {
  it('is a usage error that says which bound is which', () => {
    expect(() => buildOptions(flags({ since: '14:30', until: '14:00' }))).toThrow(
      new UsageError(
        '--since 14:30 is after --until 14:00: the window is reversed; swap them (for a window across midnight, give dates: --since "2026-05-01 23:00" --until "2026-05-02 01:00")',
      ),
    );
    expect(() => buildOptions(flags({ since: '2026-11-26', until: '2026-11-25' }))).toThrow('--since 2026-11-26 is after --until 2026-11-25: the window is reversed; swap them');
  });

  it('relative bounds are shown with the time they stand for; exit 2 on the command line', async () => {
    const r = await runCli([BILLING, '--since', '1h', '--until', '2h']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^sqloupe: --since 1h \(\d{4}-\d\d-\d\dT[\d:.]+Z\) is after --until 2h \(\d{4}-\d\d-\d\dT[\d:.]+Z\): the window is reversed; swap them\n$/);
  });
});

describe('the Markdown time range', () => {
  it('is the window the filters kept, with the log range beside it', async () => {
    const { result } = await run({ application: 'billing' });
    const line = renderMarkdown(result, { color: false, quiet: false, width: 80 }).split('\n').find((l) => l.startsWith('- **Time range:**'));
    expect(line).toMatch(/^- \*\*Time range:\*\* 2026-11-25T14:30:06\.\d{3}Z to 2026-11-25T14:30:06\.\d{3}Z \(filtered; the log runs from 2026-11-25T14:30:06\.082Z to 2026-11-25T14:30:06\.356Z\)$/);
    const [from, to] = /(\S+) to (\S+) \(/.exec(line!)!.slice(1);
    expect(from! > '2026-11-25T14:30:06.082Z' || to! < '2026-11-25T14:30:06.356Z').toBe(true);
  });

  it('without a filter it is the log range alone', async () => {
    const { result } = await run({});
    expect(renderMarkdown(result, { color: false, quiet: false, width: 80 })).toContain('\n- **Time range:** 2026-11-25T14:30:06.082Z to 2026-11-25T14:30:06.356Z\n');
  });
});

describe('files the run writes', () => {
  it('-o into a missing directory: one line naming the path and the cause, exit 2', async () => {
    const r = await runCli([BILLING, '-o', '/nonexistent/dir/out.txt']);
    expect([r.code, r.stdout, r.stderr]).toEqual([2, '', 'sqloupe: --output /nonexistent/dir/out.txt: cannot write it, directory /nonexistent/dir does not exist\n']);
  });

  it('--write-baseline and --save-state the same way', async () => {
    for (const opt of ['--write-baseline', '--save-state']) {
      const r = await runCli([BILLING, opt, '/nonexistent/dir/x.json']);
      expect([r.code, r.stderr]).toEqual([2, `sqloupe: ${opt} /nonexistent/dir/x.json: cannot write it, directory /nonexistent/dir does not exist\n`]);
    }
  });
});

describe('a --prefix that matches no line', () => {
  it('says so and names the detected prefix it used; the report is the one with that prefix (exit 0)', async () => {
    const { result } = await run({ prefix: 'garbage' });
    expect(result.inputs[0]!.warnings).toEqual([
      "samples/billing.log: the given --prefix 'garbage' matched none of 516 lines; used the detected prefix '%m [%p] %q%u@%d/%a [%c] %x ' (check it with `SHOW log_line_prefix;`)",
    ]);
    const plain = await run({});
    expect(result.findings.map((f) => f.id)).toEqual(plain.result.findings.map((f) => f.id));
    expect(result.summary.statements).toBe(89);
  });
});
