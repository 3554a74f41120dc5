/**
 * `--redact` as a property of the data: a real PostgreSQL 15 log (tests/fixtures/hostile/planted.log, recorded by
 * record.mjs next to it) carries a marker in every place a value can live, and none of it may reach any report
 * format, the e-mail's parts, the state file (also after merging a state saved without --redact) or doctor.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeToState, resultFromStates, type AnalysisState, type AnalyzeOptions } from '../../src/analyze.js';
import { buildOptions, exitCodeFor, type AnalyzeFlags } from '../../src/cli/analyze-command.js';
import { runFollow } from '../../src/cli/follow.js';
import { redactResult } from '../../src/redact.js';
import { reporters } from '../../src/report/index.js';
import { composeEmail } from '../../src/report/email.js';
import { repoRoot, runCli } from '../support/cli.js';

const LOG = path.join(repoRoot, 'tests/fixtures/hostile/planted.log');

/** Where each marker was planted in the workload (record.mjs). */
const MARKERS: Record<string, string> = {
  'string literal (and the DETAIL of a duplicate key)': 'zqxstr',
  'numeric literal of five digits in a VALUES list': '73917',
  'numeric literal with a fraction in a VALUES list': '0.739',
  'bound parameter': 'zqxparam',
  'application name': 'zqxapp',
  'user name': 'zqxuser',
  'sqlcommenter tag value': 'zqxtag',
  'ALTER ROLE … PASSWORD': 'zqxpass',
};

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-planted-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FLAGS: AnalyzeFlags = { format: 'json', minRepeats: '3', idleGap: '1s', failOn: 'none', top: '50' };

/** Every format's output for one run, as analyze-command builds it: the state, then the result, then each reporter. */
async function outputs(redact: boolean): Promise<{ state: AnalysisState; text: Record<string, string> }> {
  const options: AnalyzeOptions = buildOptions({ ...FLAGS, redact });
  const state = await analyzeToState([{ path: LOG, size: statSync(LOG).size }], options);
  const built = resultFromStates([state], options);
  const result = redact ? redactResult(built) : built;
  const text: Record<string, string> = {};
  for (const r of reporters) {
    if (r.id === 'email') {
      const raw = await composeEmail(result, { to: ['team@example.com'], from: 'sqloupe@example.com', subject: null, suppressedFindings: 0, baselineUsed: false });
      const mail = await simpleParser(raw);
      text[r.id] = `${raw.toString('utf8')}\n${mail.subject ?? ''}\n${mail.text ?? ''}\n${typeof mail.html === 'string' ? mail.html : ''}`;
    } else {
      text[r.id] = r.render(result, { color: false, quiet: false, width: 100 });
    }
  }
  text['state'] = JSON.stringify(state);
  return { state, text };
}

let plain: Awaited<ReturnType<typeof outputs>>;
let redacted: Awaited<ReturnType<typeof outputs>>;
beforeAll(async () => {
  plain = await outputs(false);
  redacted = await outputs(true);
});

describe('--redact on a log with values planted everywhere', () => {
  it('finds the same loops with and without it', () => {
    const ids = (s: AnalysisState) => s.findings.map((g) => g.id).sort();
    expect(ids(redacted.state)).toEqual(ids(plain.state));
    expect(ids(plain.state)).toHaveLength(4);
    expect(redacted.state.counters).toEqual(plain.state.counters);
    // distinct values are still counted, from digests
    expect(redacted.state.findings.map((g) => g.distinctValues.length)).toEqual(plain.state.findings.map((g) => g.distinctValues.length));
  });

  for (const [where, marker] of Object.entries(MARKERS)) {
    it(`${where}: shown without --redact, in no format nor the state with it`, () => {
      // the test can fail: the marker really reaches some output when nothing is redacted
      expect(Object.values(plain.text).some((t) => t.includes(marker)), `${marker} in no plain output`).toBe(true);
      for (const [format, t] of Object.entries(redacted.text)) expect(t, `${marker} in ${format}`).not.toContain(marker);
    });
  }

  it('keeps the request tag key but not its value in the evidence', () => {
    const json = JSON.parse(redacted.text['json']!);
    const basis = json.findings.flatMap((f: { evidence: { basis: string[] } }) => f.evidence.basis);
    expect(basis).toContain('same request (request_id=…)');
  });

  it('writes a state file without the values, and redacts a plain state when merging it', async () => {
    const saved = path.join(tmp, 'redacted.state');
    const r = await runCli([LOG, '--redact', '--save-state', saved, '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const plainState = path.join(tmp, 'plain.state');
    expect((await runCli([LOG, '--save-state', plainState, '--format', 'json'])).code).toBe(0);
    expect(readFileSync(plainState, 'utf8')).toContain('zqxpass');
    const merged = path.join(tmp, 'merged.state');
    const m = await runCli(['merge', plainState, '--redact', '--save-state', merged, '--format', 'markdown']);
    expect(m.code, m.stderr).toBe(0);
    for (const t of [readFileSync(saved, 'utf8'), r.stdout, r.stderr, readFileSync(merged, 'utf8'), m.stdout, m.stderr]) {
      // a value's digest is hex keyed by a random salt: one in a few hundred runs spells a marker's digits by chance
      const digestsAside = t.replace(/#[0-9a-f]{16}\b/g, '#digest');
      for (const marker of Object.values(MARKERS)) expect(digestsAside).not.toContain(marker);
    }
  });

  it('--follow --redact prints findings built from the redacted data', async () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString('utf8')));
    const stop = new Promise<string>((resolve) => setImmediate(() => resolve('SIGTERM')));
    const flags = { format: 'ndjson', failOn: 'none', quiet: true, redact: true };
    await runFollow([LOG], buildOptions({ ...FLAGS, ...flags }), flags, exitCodeFor, { argv: [], stdout: out, stderr: new PassThrough(), stdin: process.stdin }, stop);
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.map((l) => l.type)).toEqual(['finding', 'finding', 'finding', 'finding', 'summary']);
    for (const marker of Object.values(MARKERS)) expect(text).not.toContain(marker);
  });

  it('doctor --redact quotes nothing from the log', async () => {
    const r = await runCli(['doctor', '--redact', LOG]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('format pg-stderr');
    for (const marker of Object.values(MARKERS)) expect(r.stdout + r.stderr).not.toContain(marker);
  });
});
