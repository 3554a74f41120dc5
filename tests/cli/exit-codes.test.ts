/** Exit codes as documented (0 ok, 1 --fail-on, 2 usage/config/input), and NO_COLOR winning over FORCE_COLOR for chalk and commander. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const ANSI = /\x1b\[/;
const tmp = mkdtempSync(path.join(tmpdir(), 'sqloupe-exit-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
// isolate from any config on this machine: no discovery above tmp, no per-user file
const env = { HOME: tmp, XDG_CONFIG_HOME: path.join(tmp, 'xdg') };

describe('exit codes', () => {
  it('0 when it ran and nothing reaches --fail-on (default none)', async () => {
    const r = await runCli(['samples/billing.log'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('n-plus-one');
  });

  it('1 when a finding is at or above --fail-on, 0 when none is', async () => {
    expect((await runCli(['samples/billing.log', '--fail-on', 'warning'], { env })).code).toBe(1);
    expect((await runCli(['samples/billing.log', '--fail-on', 'info', '--format', 'json'], { env })).code).toBe(1);
    expect((await runCli(['samples/billing.log', '--fail-on', 'error'], { env })).code).toBe(0);
  });

  it.each([
    ['an unknown option', ['samples/billing.log', '--bogus']],
    ['a value outside the choices', ['samples/billing.log', '--format', 'xml']],
    ['a missing option value', ['samples/billing.log', '--config']],
    ['a bad number', ['samples/billing.log', '--min-repeats', 'x']],
    ['a bad duration', ['samples/billing.log', '--since', 'yesterday-ish']],
    ['a bad --worse-factor', ['samples/billing.log', '--worse-factor', '1']],
    ['a missing file', ['samples/no-such.log']],
    ['a glob that matches nothing', ['samples/*.nothing']],
    ['an unknown command-line severity', ['samples/billing.log', '--fail-on', 'fatal']],
  ])('2 for %s (commander errors are mapped from 1 to 2)', async (_what, args) => {
    const r = await runCli(args, { env });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toBe('');
    expect(r.stdout).toBe('');
  });

  it('2 when no line of the input is understood, with the diagnosis on stderr', async () => {
    const file = path.join(tmp, 'garbage.log');
    writeFileSync(file, 'this is not a database log\nnor is this\n'.repeat(20));
    const r = await runCli([file], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/format not recognised|not recognised/);
  });

  it('2 for empty stdin', async () => {
    expect((await runCli(['-'], { env, input: '' })).code).toBe(2);
  });

  it('0 for --help and --version; --help documents the exit codes', async () => {
    const h = await runCli(['analyze', '--help'], { env });
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/Exit codes:[\s\S]*0 {2}ran[\s\S]*1 {2}a finding[\s\S]*2 {2}usage/);
    expect((await runCli(['--help'], { env })).code).toBe(0);
    expect((await runCli(['--version'], { env })).code).toBe(0);
  });
});

describe('colour', () => {
  it('FORCE_COLOR alone colours the text report (so the next checks mean something)', async () => {
    const r = await runCli(['samples/billing.log'], { env: { ...env, NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(r.stdout).toMatch(ANSI);
  });

  it('NO_COLOR wins over FORCE_COLOR in the report and in commander output', async () => {
    const r = await runCli(['samples/billing.log'], { env: { ...env, NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(r.stdout).not.toMatch(ANSI);
    const u = await runCli(['samples/billing.log', '--bogus'], { env: { ...env, NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(u.code).toBe(2);
    expect(u.stderr).not.toMatch(ANSI);
    const h = await runCli(['analyze', '--help'], { env: { ...env, NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(h.stdout).not.toMatch(ANSI);
  });

  it('--no-color beats FORCE_COLOR; an explicit --color beats NO_COLOR (no-color.org: flags override the variable)', async () => {
    expect((await runCli(['samples/billing.log', '--no-color'], { env: { ...env, NO_COLOR: '', FORCE_COLOR: '1' } })).stdout).not.toMatch(ANSI);
    expect((await runCli(['samples/billing.log', '--color'], { env: { ...env, NO_COLOR: '1' } })).stdout).toMatch(ANSI);
  });

  it('machine formats are never coloured', async () => {
    for (const f of ['json', 'ndjson', 'sarif', 'markdown']) {
      const r = await runCli(['samples/billing.log', '--format', f, '--color'], { env: { ...env, FORCE_COLOR: '3' } });
      expect(r.stdout, f).not.toMatch(ANSI);
    }
  });
});
