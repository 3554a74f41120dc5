/** The bench's inflated log must stay a realistic log: time only increases, each copy's sessions are new ones, findings scale with copies. */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runJson } from '../support/cli.js';
// @ts-expect-error plain .mjs script without types
import { inflate, parseSize } from '../../scripts/inflate-log.mjs';

const source = path.join(repoRoot, 'samples', 'billing.log');
const dir = mkdtempSync(path.join(tmpdir(), 'sqloupe-inflate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('scripts/inflate-log.mjs', () => {
  const out = path.join(dir, 'x3.log');
  const size = 3 * statSync(source).size;
  const r = inflate(source, out, size) as { bytes: number; copies: number };

  it('parses sizes in bytes, MB and GB (10^6, 10^9)', () => {
    expect(parseSize('1GB')).toBe(1e9);
    expect(parseSize('200MB')).toBe(2e8);
    expect(parseSize('1234')).toBe(1234);
  });

  it('writes whole copies up to the size, each later in time than the one before', () => {
    expect(r.copies).toBe(3);
    expect(r.bytes).toBe(size);
    const perCopy = readFileSync(source, 'utf8').split('\n').length - 1;
    const lines = readFileSync(out, 'utf8').split('\n');
    const timesOf = (from: number) =>
      lines
        .slice(from, from + perCopy)
        .map((l) => /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}) UTC/.exec(l)?.[1])
        .filter((t): t is string => t !== undefined)
        .map((t) => Date.parse(t.replace(' ', 'T') + 'Z'));
    // backends write a millisecond out of order inside the real log; copies must not overlap at all
    for (let k = 1; k < 3; k++) expect(Math.min(...timesOf(k * perCopy))).toBeGreaterThan(Math.max(...timesOf((k - 1) * perCopy)));
  });

  it('gives every copy its own sessions, so findings and counts scale with the copies', async () => {
    const one = await runJson([source]);
    const three = await runJson([out]);
    expect(three.summary.statements).toBe(3 * one.summary.statements);
    expect(three.summary.sessions).toBe(3 * one.summary.sessions);
    expect(three.summary.unitsOfWork).toBe(3 * one.summary.unitsOfWork);
    const occ = (res: { findings: { id: string; occurrences: number }[] }) => Object.fromEntries(res.findings.map((f) => [f.id, f.occurrences]));
    expect(occ(three)).toEqual(Object.fromEntries(Object.entries(occ(one)).map(([id, n]) => [id, 3 * n])));
  });
});
