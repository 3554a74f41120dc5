/** `--follow` end to end: findings appear while the log grows, rotation is followed, SIGINT prints the summary; EPIPE is quiet. */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BIN, repoRoot, runJson } from '../support/cli.js';
import { pgLogs, readLog } from '../support/pg-logs.js';

const billing = readFileSync(path.join(repoRoot, 'samples', 'billing.log'), 'utf8');
const dir = mkdtempSync(path.join(tmpdir(), 'sqloupe-follow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * How long to wait for output that must come before the stop. Only a bound for a broken build: on a loaded
 * machine a follow process may take many seconds just to start, and what is checked is that the output comes
 * while the process runs, not how fast.
 */
const PATIENCE = 90_000;
/** Per test: room for PATIENCE plus the writes, the stop and the summary. */
const TEST_TIMEOUT = 150_000;

/** Lines of the sample cut into `n` chunks at record boundaries (a continuation line stays with its record). */
function chunks(text: string, n: number): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const out: string[] = [];
  const per = Math.ceil(lines.length / n);
  let cur: string[] = [];
  for (const l of lines) {
    if (cur.length >= per && /^\d{4}-/.test(l)) {
      out.push(cur.join('\n') + '\n');
      cur = [];
    }
    cur.push(l);
  }
  if (cur.length) out.push(cur.join('\n') + '\n');
  return out;
}

/** Follow processes still running after a test (one that failed before its stop) are killed. */
const running = new Set<ReturnType<typeof spawn>>();
afterEach(() => {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
});

function follow(args: string[]) {
  const child = spawn(process.execPath, [BIN, '--follow', ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  running.add(child);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('sqloupe --follow', async () => {
  const single = await runJson([path.join(repoRoot, 'samples', 'billing.log')]);

  it('prints the N+1 finding while the file grows, follows a rotation, and prints the summary on SIGINT', async () => {
    const log = path.join(dir, 'postgresql.log');
    writeFileSync(log, '');
    const run = follow(['--format', 'ndjson', log]);
    for (const c of chunks(billing, 5)) {
      appendFileSync(log, c);
      await sleep(300);
    }
    // the finding must come while the process runs, not from the summary at the stop
    await waitFor(() => run.out().includes('"kind":"n-plus-one"'), PATIENCE, 'the n-plus-one finding');
    const early = run.out().trim().split('\n').map((l) => JSON.parse(l));
    expect(early.every((o) => o.type === 'finding')).toBe(true);
    expect(early.map((o) => o.id)).toContain(single.findings.find((f: { kind: string }) => f.kind === 'n-plus-one').id);

    // logrotate (create mode): rename the file away, start a new one, keep writing
    renameSync(log, log + '.1');
    writeFileSync(log, '');
    for (const c of chunks(billing, 2)) {
      appendFileSync(log, c);
      await sleep(300);
    }
    run.child.kill('SIGINT');
    const { code } = await run.exited;
    expect(run.err()).not.toMatch(/at .*\.js:\d+/);
    expect(code).toBe(0);
    const lines = run.out().trim().split('\n').map((l) => JSON.parse(l));
    const summary = lines[lines.length - 1];
    expect(summary.type).toBe('summary');
    // both files were read whole: the old one to its end, the new one from its start
    expect(summary.summary.statements).toBe(2 * single.summary.statements);
    expect(summary.summary.findings).toEqual(single.summary.findings);
    // each finding is printed once, when it first appears
    const ids = lines.filter((o) => o.type === 'finding').map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
  }, TEST_TIMEOUT);

  /**
   * Follows a new file, appends a parent query and `loops` lookups of one session to it (no COMMIT, no later
   * line), and returns the n-plus-one finding printed while the log is quiet; the run is then stopped.
   */
  async function quietLoop(name: string, pid: number, loops: number): Promise<{ repeats: number }> {
    const log = path.join(dir, name);
    writeFileSync(log, '');
    const run = follow(['--format', 'ndjson', log]);
    const line = (ms: number, sql: string) =>
      `2026-11-25 15:00:00.${String(ms).padStart(3, '0')} UTC [${pid}] app@shop/web [6b06f600.${pid.toString(16)}] 0 LOG:  duration: 0.100 ms  statement: ${sql}\n`;
    let text = line(1, `SELECT id FROM orders WHERE customer_id = ${pid}`);
    for (let i = 0; i < loops; i++) text += line(10 + i, `SELECT * FROM order_items WHERE order_id = ${100 + i}`);
    await sleep(300);
    appendFileSync(log, text);
    await waitFor(() => run.out().includes('"kind":"n-plus-one"'), PATIENCE, 'the finding while the log is quiet');
    const finding = run.out().split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((o) => o.kind === 'n-plus-one');
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(0);
    return finding;
  }

  it('closes an autocommit unit when the log stays quiet for the idle gap in wall-clock time', async () => {
    // only the timer-driven sweep can close this unit before the stop
    expect((await quietLoop('quiet.log', 4242, 10)).repeats).toBe(10);
  }, TEST_TIMEOUT);

  it('a quiet log gives up its last entry: a loop whose last statement is the last line is printed whole', async () => {
    // five lookups, the --min-repeats threshold: the parser holds the fifth until a next line or the quiet flush
    expect((await quietLoop('last-line.log', 4243, 5)).repeats).toBe(5);
  }, TEST_TIMEOUT);

  it('reads from the start again after copytruncate', async () => {
    const log = path.join(dir, 'truncated.log');
    writeFileSync(log, billing);
    const run = follow(['--format', 'ndjson', log]);
    await waitFor(() => run.out().includes('"kind":"n-plus-one"'), PATIENCE, 'the n-plus-one finding');
    writeFileSync(log, ''); // truncate in place
    await sleep(400);
    appendFileSync(log, billing.slice(0, 2000).replace(/\n[^\n]*$/, '\n'));
    await sleep(400);
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    expect(code).toBe(0);
    const summary = JSON.parse(run.out().trim().split('\n').pop()!);
    expect(summary.summary.statements).toBeGreaterThan(single.summary.statements);
  }, TEST_TIMEOUT);

  it('text output: finding blocks as they come, then the follow summary', async () => {
    const log = path.join(dir, 'text.log');
    writeFileSync(log, billing);
    const run = follow([log]);
    await waitFor(() => run.out().includes('warning[n-plus-one]'), PATIENCE, 'the text finding block');
    run.child.kill('SIGINT');
    expect((await run.exited).code).toBe(0);
    expect(run.out()).toMatch(/sqloupe follow summary/);
    expect(run.out()).toMatch(/\d+ statements, \d+ sessions/);
  }, TEST_TIMEOUT);

  it('follows stdin (-) and ends with the summary when the pipe closes', () => {
    const r = spawnSync(process.execPath, [BIN, '--follow', '--format', 'ndjson', '-'], { cwd: repoRoot, input: billing, env: { ...process.env, NO_COLOR: '1' }, timeout: PATIENCE });
    expect(r.status).toBe(0);
    const lines = r.stdout.toString().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[lines.length - 1].summary.statements).toBe(single.summary.statements);
  });

  it('refuses report formats that need the whole run', () => {
    const r = spawnSync(process.execPath, [BIN, '--follow', '--format', 'json', path.join(repoRoot, 'samples', 'billing.log')], { cwd: repoRoot, timeout: PATIENCE });
    expect(r.status).toBe(2);
    expect(r.stderr.toString()).toMatch(/--format text or --format ndjson/);
  });
});

describe('EPIPE', () => {
  const sh = (cmd: string) => spawnSync('bash', ['-c', `${cmd}; echo "exit=\${PIPESTATUS[0]}" >&2`], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, timeout: PATIENCE });

  it('`sqloupe samples/billing.log | head -1` exits 0 without a stack trace', () => {
    const r = sh(`node ${BIN} samples/billing.log | head -1`);
    expect(r.stdout.toString().split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr.toString()).toMatch(/exit=0/);
    expect(r.stderr.toString()).not.toMatch(/Error|at .*:\d+:\d+/);
  });

  it('a reader that is already gone (`| true`) is a quiet exit 0, also in follow mode', () => {
    const r = sh(`node ${BIN} samples/billing.log | true`);
    expect(r.stderr.toString()).toMatch(/exit=0/);
    expect(r.stderr.toString()).not.toMatch(/Error|at .*:\d+:\d+/);
    const f = sh(`node ${BIN} --follow --format ndjson samples/billing.log | true`);
    expect(f.stderr.toString()).toMatch(/exit=0/);
    expect(f.stderr.toString()).not.toMatch(/Error|at .*:\d+:\d+/);
  }, 2 * TEST_TIMEOUT);

  it('--redact holds in follow mode: no parameter value in the findings or the summary', async () => {
    const log = path.join(dir, 'redact.log');
    // the N+1's order ids become a marker that must never be printed
    writeFileSync(log, billing.replace(/parameters: \$1 = '(\d+)'/g, (_m, id: string) => `parameters: $1 = 'SECRET_MARKER_${id}'`));
    for (const redact of [false, true]) {
      const run = follow(['--format', 'ndjson', ...(redact ? ['--redact'] : []), log]);
      await waitFor(() => run.out().includes('"n-plus-one"'), PATIENCE, 'the n-plus-one line');
      run.child.kill('SIGINT');
      await run.exited;
      expect(run.out()).toContain('"type":"summary"');
      expect(run.out().includes('SECRET_MARKER_')).toBe(!redact);
    }
  }, 2 * TEST_TIMEOUT);

  it('a loop fanned out over pooled connections is printed while the log is quiet, not only at the stop', async () => {
    const logs = await pgLogs('default');
    const log = path.join(dir, 'fanout.log');
    // the whole log is there before the follower opens it, so its first poll reads all of it at once: how the
    // writer and the follower are scheduled cannot cut the fan-out apart with a wall-clock quiet spell
    writeFileSync(log, readLog(logs.log));
    const run = follow(['--format', 'ndjson', log]);
    await waitFor(() => run.out().includes('"applications":["gateway"]'), PATIENCE, 'the fan-out finding');
    run.child.kill('SIGINT');
    await run.exited;
    const gateway = run.out().split('\n').filter((l) => l.includes('"applications":["gateway"]'));
    expect(gateway.map((l) => [JSON.parse(l).kind, JSON.parse(l).tables[0], JSON.parse(l).units[0].kind])).toEqual([['n-plus-one', 'shipments', 'fan-out']]);
  }, TEST_TIMEOUT);
});
