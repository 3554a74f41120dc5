/** Progress: only on a TTY stderr (no CI, not quiet), throttled, erased before output; never mixed into stdout. */
import { describe, expect, it } from 'vitest';
import { createProgress, formatBytes, progressEnabled, progressLine } from '../../src/cli/progress.js';
import { runCli } from '../support/cli.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, columns: 80, writes, write: (s: string) => (writes.push(s), true) };
}

describe('progress rules', () => {
  it('shows only on a TTY stderr, outside CI, without --quiet, on a capable terminal', () => {
    expect(progressEnabled(fakeStream(true), {}, {})).toBe(true);
    expect(progressEnabled(fakeStream(false), {}, {})).toBe(false);
    expect(progressEnabled(fakeStream(true), {}, { CI: 'true' })).toBe(false);
    expect(progressEnabled(fakeStream(true), { quiet: true }, {})).toBe(false);
    expect(progressEnabled(fakeStream(true), {}, { TERM: 'dumb' })).toBe(false);
    expect(progressEnabled(fakeStream(false), { explicit: true }, { CI: '1' })).toBe(true);
    expect(progressEnabled(fakeStream(true), { explicit: false }, {})).toBe(false);
  });

  it('is throttled to about 10 updates a second and erased once at the end', () => {
    let t = 0;
    const s = fakeStream(true);
    const p = createProgress(s, true, () => t);
    for (let i = 0; i < 100; i++) {
      t += 10;
      p.update('big.log', i * 1000, 100_000);
    }
    expect(s.writes.length).toBeGreaterThanOrEqual(9);
    expect(s.writes.length).toBeLessThanOrEqual(11);
    p.clear();
    expect(s.writes[s.writes.length - 1]).toBe('\r\x1b[2K');
    const count = s.writes.length;
    p.clear();
    expect(s.writes.length).toBe(count);
  });

  it('says bytes, rate and ETA for files, and no ETA for stdin', () => {
    const line = progressLine('/var/log/postgresql/postgresql.log', 50 * 1024 * 1024, 100 * 1024 * 1024, 5000);
    expect(line).toContain('50.0 MiB / 100 MiB (50%)');
    expect(line).toContain('10.0 MiB/s');
    expect(line).toContain('ETA 5s');
    expect(progressLine('<stdin>', 2048, null, 1000)).not.toContain('ETA');
    expect(formatBytes(512)).toBe('512 B');
  });

  it('a disabled progress writes nothing', () => {
    const s = fakeStream(false);
    const p = createProgress(s, false);
    p.update('x', 1, 2);
    p.clear();
    expect(s.writes).toEqual([]);
  });
});

describe('progress in the CLI', () => {
  it('a non-TTY stderr (cron, CI, a pipe) gets no progress', async () => {
    const r = await runCli(['samples/billing.log', '--format', 'json']);
    expect(r.stderr).not.toContain('reading');
    expect(r.stderr).not.toContain('\x1b');
  });

  it('--progress forces it onto stderr only, erased at the end; stdout stays clean JSON', async () => {
    const r = await runCli(['samples/loops.csv', '--format', 'json', '--progress']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('reading samples/loops.csv');
    expect(r.stderr.endsWith('\r\x1b[2K')).toBe(true);
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });
});
