/** --follow against hostile writers: a backlog far larger than one read, and copytruncate that writes past the old size. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ANALYZE_OPTIONS } from '../../src/analyze.js';
import { exitCodeFor } from '../../src/cli/analyze-command.js';
import { runFollow } from '../../src/cli/follow.js';
import { FileFollower, FOLLOW_SLICE } from '../../src/input/follow.js';
import { BIN, repoRoot } from '../support/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-follow-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const billing = readFileSync(path.join(repoRoot, 'samples/billing.log'));
const BILLING_LINES = billing.toString('utf8').split('\n').length - 1;

function follower(file: string, slice?: number) {
  const lines: string[] = [];
  const events: string[] = [];
  const f = new FileFollower(file, { line: (t) => lines.push(t), warn: (n, m) => events.push(`warn ${n}: ${m}`), reopened: (why) => events.push(why) }, slice);
  return { f, lines, events };
}

describe('following a file', () => {
  it('reads a backlog in bounded slices, saying when it is behind, and loses no line', () => {
    const file = path.join(tmp, 'backlog.log');
    writeFileSync(file, billing);
    const { f, lines } = follower(file, 4096);
    const reads: number[] = [];
    do reads.push(f.poll());
    while (f.behind);
    expect(Math.max(...reads)).toBe(4096);
    expect(reads.reduce((a, b) => a + b, 0)).toBe(billing.length);
    expect(reads.length).toBe(Math.ceil(billing.length / 4096));
    expect(lines.length).toBe(BILLING_LINES);
    expect(lines.join('\n') + '\n').toBe(billing.toString('utf8'));
  });

  it('sees a copytruncate that wrote past the old size between two polls, by the first bytes, and reads the new content whole', () => {
    const file = path.join(tmp, 'copytruncate.log');
    const first = billing.subarray(0, billing.indexOf('\n', 2000) + 1);
    writeFileSync(file, first);
    const { f, lines, events } = follower(file);
    f.poll();
    const before = lines.length;
    // same inode, emptied and written again with more than was there: the size alone says nothing happened
    truncateSync(file, 0);
    const rewritten = Buffer.concat([Buffer.from('-- rotated\n'), billing]);
    appendFileSync(file, rewritten);
    f.poll();
    expect(events).toEqual(['truncated']);
    expect(lines.length - before).toBe(BILLING_LINES + 1);
    expect(lines.slice(before).join('\n') + '\n').toBe(rewritten.toString('utf8'));
  });

  it('does not mistake appended lines for a truncation', () => {
    const file = path.join(tmp, 'append.log');
    writeFileSync(file, billing.subarray(0, 100));
    const { f, events } = follower(file);
    f.poll();
    appendFileSync(file, billing.subarray(100));
    f.poll();
    expect(events).toEqual([]);
  });
});

describe('--follow stopped before it listens', () => {
  it('takes a stop that bin/sqloupe.js kept while the CLI was loading, and answers it with the summary', async () => {
    const file = path.join(tmp, 'starting.log');
    writeFileSync(file, billing);
    const held = process as unknown as Record<symbol, unknown>;
    const PENDING = Symbol.for('sqloupe.pendingStop');
    held[PENDING] = 'SIGTERM';
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString('utf8')));
    try {
      // no stop promise given: the run listens for signals itself, and finds the one that came first
      const code = await runFollow([file], DEFAULT_ANALYZE_OPTIONS, { format: 'ndjson', failOn: 'none', quiet: true }, exitCodeFor, { argv: [], stdout: out, stderr: new PassThrough(), stdin: process.stdin });
      expect(code).toBe(0);
      const summary = JSON.parse(text.trim().split('\n').pop()!);
      expect(summary.type).toBe('summary');
      expect(summary.inputs[0].lines).toBe(BILLING_LINES);
      // from then on a signal is the run's own
      expect(held[PENDING]).toBe('listening');
    } finally {
      delete held[PENDING];
    }
  });
});

describe('--follow stopped while far behind', () => {
  it('stops after the slice in hand, reports what it read and says how much was left', async () => {
    const file = path.join(tmp, 'big.log');
    const copies = Math.ceil((3 * FOLLOW_SLICE) / billing.length);
    writeFileSync(file, Buffer.concat(Array.from({ length: copies }, () => billing)));
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString('utf8')));
    // the stop comes before the second poll: the run must not read the rest of the file first
    const stop = new Promise<string>((resolve) => setImmediate(() => resolve('SIGTERM')));
    const code = await runFollow([file], DEFAULT_ANALYZE_OPTIONS, { format: 'ndjson', failOn: 'none', quiet: true }, exitCodeFor, { argv: [], stdout: out, stderr: new PassThrough(), stdin: process.stdin }, stop);
    expect(code).toBe(0);
    const summary = JSON.parse(text.trim().split('\n').pop()!);
    expect(summary.type).toBe('summary');
    const read = summary.inputs[0].lines as number;
    expect(read).toBeLessThan(copies * BILLING_LINES);
    expect(summary.inputs[0].warnings).toEqual([expect.stringMatching(new RegExp(`: stopped with \\d+ bytes of ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} not read yet \\(the log was written faster than it was read\\)$`))]);
  });
});

/** bin/sqloupe.js --follow on `file`, stopped with SIGTERM once `ready` resolves: its exit, output and how long the stop took. */
async function followStopped(file: string, ready: () => Promise<void>) {
  const child = spawn(process.execPath, [BIN, '--follow', '--format', 'ndjson', '-q', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<[number | null, string | null]>((resolve) => child.on('exit', (code, sig) => resolve([code, sig])));
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  await new Promise((resolve) => child.once('spawn', resolve));
  await ready();
  const t0 = Date.now();
  child.kill('SIGTERM');
  const [code, signal] = await exited;
  return { code, signal, ms: Date.now() - t0, out, err };
}

describe('--follow stopped by a signal, as a process', () => {
  it('answers SIGTERM with its summary while a writer appends at about 50 MB/s', async () => {
    const file = path.join(tmp, 'fast.log');
    writeFileSync(file, '');
    // the writer is another process, so this one's event loop is free to time the stop
    const writer = spawn(process.execPath, ['-e', `
      const fs = require('node:fs'); const block = fs.readFileSync(${JSON.stringify(path.join(repoRoot, 'samples/billing.log'))});
      const big = Buffer.concat(Array.from({ length: ${Math.ceil((2.5 << 20) / billing.length)} }, () => block));
      const t0 = Date.now(); let written = 0;
      setInterval(() => { while (written < (Date.now() - t0) * 50e3 && written < 400e6) { fs.appendFileSync(${JSON.stringify(file)}, big); written += big.length; } }, 50);
    `], { stdio: 'ignore' });
    try {
      // stopped once the follower has been reading for a while and the file keeps growing past it
      const r = await followStopped(file, () => new Promise((resolve) => setTimeout(resolve, 2500)));
      expect([r.code, r.signal, r.err]).toEqual([0, null, '']);
      const summary = JSON.parse(r.out.trim().split('\n').pop()!);
      expect(summary.type).toBe('summary');
      expect(summary.inputs[0].lines).toBeGreaterThan(0);
      // patient: a second is the promise on an idle machine; this bounds a stop that waits on the writer
      expect(r.ms).toBeLessThan(10_000);
    } finally {
      writer.kill('SIGKILL');
      rmSync(file, { force: true });
    }
  });
});
