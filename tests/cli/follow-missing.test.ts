/** --follow like tail -F: a file that does not exist yet is waited for (said once), and after a rotation the line count covers both files. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileFollower } from '../../src/input/follow.js';
import { resolveSources, InputError } from '../../src/input/sources.js';
import { BIN, repoRoot } from '../support/cli.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sqloupe-follow-missing-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const billing = readFileSync(path.join(repoRoot, 'samples/billing.log'), 'utf8');
const BILLING_LINES = 516;

function follower(file: string) {
  const seen: number[] = [];
  const waited: string[] = [];
  const f = new FileFollower(file, { line: (_t, n) => seen.push(n), warn: () => undefined, waiting: (p) => waited.push(p) });
  return { f, seen, waited };
}

describe('FileFollower', () => {
  it('waits for a file that does not exist yet, says so once, then reads it from its start', () => {
    const file = path.join(tmp, 'later.log');
    const { f, seen, waited } = follower(file);
    expect(waited).toEqual([file]);
    expect(f.poll()).toBe(0);
    expect(f.poll()).toBe(0);
    writeFileSync(file, billing);
    expect(f.poll()).toBe(Buffer.byteLength(billing));
    expect([f.lines, seen.length, seen[0]]).toEqual([BILLING_LINES, BILLING_LINES, 1]);
    expect(waited).toHaveLength(1);
    f.finish();
  });

  it('counts the lines of both files after a rotation; line numbers restart in the new file', () => {
    const file = path.join(tmp, 'rotated.log');
    writeFileSync(file, billing);
    const { f, seen } = follower(file);
    f.poll();
    renameSync(file, `${file}.1`);
    const head = billing.split('\n').slice(0, 100).join('\n') + '\n';
    writeFileSync(file, head);
    f.poll();
    expect(f.lines).toBe(BILLING_LINES + 100);
    expect(seen[BILLING_LINES]).toBe(1);
    f.finish();
  });

  it('and after a copytruncate', () => {
    const file = path.join(tmp, 'truncated.log');
    writeFileSync(file, billing);
    const { f } = follower(file);
    f.poll();
    writeFileSync(file, billing.split('\n').slice(0, 10).join('\n') + '\n');
    f.poll();
    expect(f.lines).toBe(BILLING_LINES + 10);
    f.finish();
  });
});

describe('resolveSources for --follow', () => {
  it('keeps a plain path that does not exist yet; a normal run still refuses it', () => {
    const missing = path.join(tmp, 'nope.log');
    expect(resolveSources([missing], false, { waitForMissing: true })).toEqual([{ path: missing, size: null }]);
    expect(() => resolveSources([missing], false)).toThrow(new InputError(`cannot read ${missing}: no such file or directory`));
  });
});

describe('sqloupe --follow on a file that does not exist yet', () => {
  it('says it waits (once, on stderr), then reads the file when it appears', async () => {
    const log = path.join(tmp, 'postgresql.log');
    const child = spawn(process.execPath, [BIN, '--follow', log], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const until = async (what: () => boolean) => {
      while (!what()) await new Promise((r) => setTimeout(r, 50));
    };
    await until(() => err.includes('waiting'));
    expect(err).toBe(`sqloupe: ${log} does not exist yet; waiting for it to appear (as tail -F does)\n`);
    writeFileSync(log, billing);
    await until(() => out.includes('id 35ba7cc0be22'));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // the summary's line count after a rotation comes from FileFollower.lines, tested above without timing
    expect(out).toContain(`sqloupe follow summary — ${log} (${BILLING_LINES} lines)\n`);
  });
});
