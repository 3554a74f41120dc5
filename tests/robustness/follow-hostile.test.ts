/** --follow against hostile writers: a backlog far larger than one read, and copytruncate that writes past the old size. */
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_ANALYZE_OPTIONS } from '../../src/analyze.js';
import { exitCodeFor } from '../../src/cli/analyze-command.js';
import { runFollow } from '../../src/cli/follow.js';
import { FileFollower, FOLLOW_SLICE } from '../../src/input/follow.js';
import { repoRoot } from '../support/cli.js';

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
