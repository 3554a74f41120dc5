/** sqloupe.config.json: discovery (upward to the git root or $HOME, then XDG), validation naming the key, flags over file, suppressions. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configJsonSchema, findConfig, parseConfig } from '../../src/config.js';
import { repoRoot, runCli } from '../support/cli.js';
import { validatorFor } from '../report/schema.js';

const BILLING = path.join(repoRoot, 'samples/billing.log');

/** Every sandbox of this file lives in one temp folder, removed at the end. */
const sandboxes = mkdtempSync(path.join(tmpdir(), 'sqloupe-config-'));
afterAll(() => rmSync(sandboxes, { recursive: true, force: true }));

function sandbox() {
  const root = mkdtempSync(path.join(sandboxes, 'sandbox-'));
  const home = path.join(root, 'home');
  const xdg = path.join(root, 'xdg');
  mkdirSync(home, { recursive: true });
  return { root, home, xdg, env: { HOME: home, XDG_CONFIG_HOME: xdg } };
}

function write(file: string, value: unknown) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
}

const isJson = (s: string) => s.trimStart().startsWith('{');

describe('config discovery', () => {
  it('finds sqloupe.config.json in a parent directory up to the git root', async () => {
    const s = sandbox();
    const repo = path.join(s.root, 'repo');
    mkdirSync(path.join(repo, '.git'), { recursive: true });
    write(path.join(repo, 'sqloupe.config.json'), { output: { format: 'json' } });
    const deep = path.join(repo, 'a', 'b');
    mkdirSync(deep, { recursive: true });
    expect(findConfig(deep, s.env)).toBe(path.join(repo, 'sqloupe.config.json'));
    const r = await runCli([BILLING], { cwd: deep, env: s.env });
    expect(r.code).toBe(0);
    expect(isJson(r.stdout)).toBe(true);
  });

  it('stops at the git root and at $HOME', async () => {
    const s = sandbox();
    write(path.join(s.root, 'sqloupe.config.json'), { output: { format: 'json' } });
    const repo = path.join(s.root, 'repo');
    mkdirSync(path.join(repo, '.git'), { recursive: true });
    expect(findConfig(repo, s.env)).toBeNull();
    const inHome = path.join(s.home, 'work');
    mkdirSync(inHome, { recursive: true });
    expect(findConfig(inHome, s.env)).toBeNull();
    expect(isJson((await runCli([BILLING], { cwd: repo, env: s.env })).stdout)).toBe(false);
  });

  it('falls back to $XDG_CONFIG_HOME/sqloupe/config.json (cron starts in $HOME)', async () => {
    const s = sandbox();
    write(path.join(s.xdg, 'sqloupe', 'config.json'), { output: { format: 'json' } });
    expect(findConfig(s.home, s.env)).toBe(path.join(s.xdg, 'sqloupe', 'config.json'));
    expect(isJson((await runCli([BILLING], { cwd: s.home, env: s.env })).stdout)).toBe(true);
  });

  it('--config PATH wins over discovery; a missing one is exit 2', async () => {
    const s = sandbox();
    write(path.join(s.home, 'sqloupe.config.json'), { output: { format: 'json' } });
    const other = path.join(s.root, 'other.json');
    write(other, { output: { format: 'markdown' } });
    expect((await runCli([BILLING, '--config', other], { cwd: s.home, env: s.env })).stdout).toMatch(/^# sqloupe report/);
    const r = await runCli([BILLING, '--config', path.join(s.root, 'nope.json')], { cwd: s.home, env: s.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.json');
  });
});

describe('config validation', () => {
  it.each([
    [{ thresholds: { minRepets: 3 } }, 'unknown key "thresholds.minRepets"'],
    [{ outputs: {} }, 'unknown key "outputs"'],
    [{ thresholds: { minRepeats: 1 } }, 'thresholds.minRepeats'],
    [{ output: { format: 'xml' } }, 'output.format'],
    [{ output: { failOn: 'fatal' } }, 'output.failOn'],
    [{ email: { send: 'ftp://x' } }, 'email.send'],
    [{ suppressions: [{ id: 'abc' }] }, 'suppressions[0].reason: a reason is required'],
    [{ suppressions: [{ reason: 'because' }] }, 'suppressions[0]: a suppression needs at least one of'],
    ['{ not json', 'not valid JSON'],
  ])('%j is a usage error naming %s', async (config, message) => {
    const s = sandbox();
    const file = path.join(s.root, 'sqloupe.config.json');
    write(file, config);
    const r = await runCli([BILLING], { cwd: s.root, env: s.env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(file);
    expect(r.stdout).toBe('');
  });
});

describe('config values', () => {
  it('feeds thresholds, and command-line flags override the file', async () => {
    const s = sandbox();
    write(path.join(s.root, 'sqloupe.config.json'), { thresholds: { minRepeats: 13 }, output: { format: 'json' } });
    const fromFile = JSON.parse((await runCli([BILLING], { cwd: s.root, env: s.env })).stdout);
    expect(fromFile.findings).toEqual([]); // the N+1 repeats 12 times: below 13
    const fromFlag = JSON.parse((await runCli([BILLING, '--min-repeats', '5'], { cwd: s.root, env: s.env })).stdout);
    expect(fromFlag.findings.map((f: { kind: string }) => f.kind)).toEqual(['n-plus-one']);
    expect((await runCli([BILLING, '--format', 'markdown'], { cwd: s.root, env: s.env })).stdout).toMatch(/^# sqloupe/);
  });

  it('feeds filters and --fail-on', async () => {
    const s = sandbox();
    write(path.join(s.root, 'sqloupe.config.json'), { filters: { application: ['reports'] }, output: { failOn: 'info', format: 'json' } });
    const r = await runCli([BILLING], { cwd: s.root, env: s.env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).findings).toEqual([]);
    expect((await runCli([BILLING, '--application', 'billing'], { cwd: s.root, env: s.env })).code).toBe(1);
  });

  it('suppressions by id, table or kind remove findings (and keep them out of --fail-on)', async () => {
    const s = sandbox();
    const id = JSON.parse((await runCli([BILLING, '--format', 'json'], { env: s.env })).stdout).findings[0].id as string;
    for (const sup of [{ id }, { table: 'order_items' }, { kind: 'n-plus-one', application: 'billing' }]) {
      write(path.join(s.root, 'sqloupe.config.json'), { suppressions: [{ ...sup, reason: 'known, fixed in #123' }] });
      const r = await runCli([BILLING, '--format', 'json', '--fail-on', 'info'], { cwd: s.root, env: s.env });
      expect(r.code, JSON.stringify(sup)).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc.findings).toEqual([]);
      expect(doc.summary.findings['n-plus-one']).toBe(0);
    }
    // a suppression that names something else leaves the finding alone
    write(path.join(s.root, 'sqloupe.config.json'), { suppressions: [{ table: 'order_items', application: 'reports', reason: 'other app' }] });
    expect(JSON.parse((await runCli([BILLING, '--format', 'json'], { cwd: s.root, env: s.env })).stdout).findings).toHaveLength(1);
    // an expired suppression no longer applies
    write(path.join(s.root, 'sqloupe.config.json'), { suppressions: [{ id, reason: 'until the fix ships', expires: '2001-01-01' }] });
    expect(JSON.parse((await runCli([BILLING, '--format', 'json'], { cwd: s.root, env: s.env })).stdout).findings).toHaveLength(1);
  });
});

describe('published config schema', () => {
  const file = path.join(repoRoot, 'schema/sqloupe.config.schema.json');

  it('schema/sqloupe.config.schema.json is what z.toJSONSchema() makes of the zod schema', () => {
    const current = configJsonSchema();
    if (process.env['SQLOUPE_UPDATE_SCHEMA']) writeFileSync(file, JSON.stringify(current, null, 2) + '\n');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(current);
  });

  it('accepts a full example and rejects what zod rejects', () => {
    const validate = validatorFor('sqloupe.config.schema.json');
    const example = {
      $schema: './node_modules/sqloupe/schema/sqloupe.config.schema.json',
      input: { prefix: '%m [%p] %q%u@%d/%a ', logTimezone: 'Europe/Helsinki' },
      thresholds: { minRepeats: 5, minSequenceRepeats: 3, minDuplicates: 3, unboundedRows: 1000, unboundedMs: 100, idleGap: '1s' },
      filters: { since: '24h', application: ['billing', 'web'], database: 'app' },
      output: { format: 'email', top: 10, failOn: 'warning', quiet: false, progress: false },
      email: { to: ['team@example.com'], from: 'sqloupe@db1.example.com', subject: 'Nightly loops', send: 'smtp://127.0.0.1:25', always: false },
      baseline: { file: 'sqloupe-baseline.json', worseFactor: 2 },
      suppressions: [{ table: 'app_settings', kind: 'duplicate-query', reason: 'cached by the ORM in production' }],
    };
    expect(validate(example)).toEqual([]);
    expect(() => parseConfig(JSON.stringify(example), 'example.json')).not.toThrow();
    expect(validate({ thresholds: { minRepets: 3 } })).not.toEqual([]);
    expect(validate({ suppressions: [{ id: 'x' }] })).not.toEqual([]);
  });
});
