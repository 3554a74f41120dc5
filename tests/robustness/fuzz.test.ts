/** Fuzz: real fixture logs, mutated (cut, flipped, garbage, duplicated, interleaved), never crash the pipeline or gain/lose statements beyond the damage. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze, DEFAULT_ANALYZE_OPTIONS } from '../../src/analyze.js';
import { repoRoot } from '../support/cli.js';

// The invariants, with S the statement count of the unmutated file and d the number of its lines destroyed:
// - a line is destroyed when a mutation changes, removes or splits any of its bytes; a cut at byte o destroys the
//   line holding o and every line after it; a garbage block (always followed by a newline) destroys the line it
//   lands in, or counts as one destroyed line when it lands between two (it interrupts the record there);
// - cut, flip, garbage: S - d <= statements <= S (damage can lose the statements it touches, never invent any);
// - duplicate lines [a, b] after b: S - 2 <= statements <= S + (b - a + 1) (the copy can add its own statements;
//   both of its edges may break the record they interrupt);
// - interleave the lines of two files: statements <= S1 + S2 (formats are sniffed per file, so the mixture may
//   read as neither);
// - always: analyze() resolves (no throw), within the test's timeout, with finite non-negative counts.

const SOURCES = [
  'samples/billing.log',
  'samples/loops.csv',
  'samples/pooled-web.json',
  'tests/fixtures/orm/sqlalchemy/echo.log',
  'tests/fixtures/orm/rails/production.log',
  'tests/fixtures/orm/django/plain.log',
  'tests/fixtures/orm/gorm/debug.log',
  'tests/fixtures/orm/sequelize/plain.log',
  'tests/fixtures/orm/typeorm/file.log',
  'tests/fixtures/orm/hibernate/spring-boot-h6.log',
  'tests/fixtures/orm/prisma/events.jsonl',
  'tests/fixtures/pg/edge.csv',
];
const RUNS = Number(process.env.SQLOUPE_FUZZ_RUNS ?? 40);
const SEED = 0x5109;

const tmp = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let seq = 0;
async function count(data: Buffer, ext: string): Promise<number> {
  const file = path.join(tmp, `m${seq++}${ext}`);
  writeFileSync(file, data);
  const r = await analyze([{ path: file, size: data.length }], DEFAULT_ANALYZE_OPTIONS);
  rmSync(file);
  const n = r.inputs[0]!.statements;
  expect(Number.isFinite(n) && n >= 0).toBe(true);
  expect(Number.isFinite(r.summary.statements)).toBe(true);
  return n;
}

interface Source {
  name: string;
  ext: string;
  data: Buffer;
  /** Byte offset where each line starts, and one past the end. */
  starts: number[];
  statements: number;
}
const sources: Source[] = [];

beforeAll(async () => {
  for (const name of SOURCES) {
    const data = readFileSync(path.join(repoRoot, name));
    const starts = [0];
    for (let i = 0; i < data.length; i++) if (data[i] === 10 && i + 1 < data.length) starts.push(i + 1);
    starts.push(data.length);
    sources.push({ name, ext: path.extname(name), data, starts, statements: await count(data, path.extname(name)) });
  }
}, 120_000);

/** Index of the line holding byte o. */
function lineAt(s: Source, o: number): number {
  let lo = 0;
  let hi = s.starts.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (s.starts[mid]! <= o) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
const lineCount = (s: Source) => s.starts.length - 1;

const source = fc.integer({ min: 0, max: SOURCES.length - 1 });
const frac = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('fuzz: mutated real logs', () => {
  it('cut at a byte offset', async () => {
    await fc.assert(
      fc.asyncProperty(source, frac, async (i, f) => {
        const s = sources[i]!;
        const o = Math.floor(f * s.data.length);
        const d = lineCount(s) - lineAt(s, o);
        const n = await count(s.data.subarray(0, o), s.ext);
        expect(n).toBeLessThanOrEqual(s.statements);
        expect(n).toBeGreaterThanOrEqual(s.statements - d);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('flip bytes', async () => {
    await fc.assert(
      fc.asyncProperty(source, fc.array(fc.tuple(frac, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }), async (i, flips) => {
        const s = sources[i]!;
        const data = Buffer.from(s.data);
        const destroyed = new Set<number>();
        for (const [f, b] of flips) {
          const o = Math.floor(f * data.length);
          const line = lineAt(s, o);
          destroyed.add(line);
          // a newline flipped away joins its line to the next: both are destroyed
          if (s.data[o] === 10) destroyed.add(line + 1);
          data[o] = b;
        }
        const n = await count(data, s.ext);
        expect(n).toBeLessThanOrEqual(s.statements);
        expect(n).toBeGreaterThanOrEqual(s.statements - destroyed.size);
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });

  it('insert garbage lines', async () => {
    await fc.assert(
      fc.asyncProperty(source, fc.array(fc.tuple(frac, fc.uint8Array({ minLength: 1, maxLength: 600 })), { minLength: 1, maxLength: 4 }), async (i, blocks) => {
        const s = sources[i]!;
        const at = blocks.map(([f, g]) => ({ o: Math.floor(f * s.data.length), g })).sort((a, b) => a.o - b.o);
        const parts: Buffer[] = [];
        let prev = 0;
        for (const { o, g } of at) {
          parts.push(s.data.subarray(prev, o), Buffer.from(g), Buffer.from('\n'));
          prev = o;
        }
        parts.push(s.data.subarray(prev));
        const n = await count(Buffer.concat(parts), s.ext);
        expect(n).toBeLessThanOrEqual(s.statements);
        expect(n).toBeGreaterThanOrEqual(s.statements - blocks.length);
      }),
      { seed: SEED + 2, numRuns: RUNS },
    );
  });

  it('duplicate a range of lines', async () => {
    await fc.assert(
      fc.asyncProperty(source, frac, frac, async (i, f1, f2) => {
        const s = sources[i]!;
        const a = Math.floor(f1 * lineCount(s));
        const b = Math.min(lineCount(s) - 1, a + Math.floor(f2 * 40));
        const block = s.data.subarray(s.starts[a]!, s.starts[b + 1]!);
        const nl = block.length > 0 && block[block.length - 1] !== 10 ? Buffer.from('\n') : Buffer.alloc(0);
        const data = Buffer.concat([s.data.subarray(0, s.starts[b + 1]!), nl, block, nl, s.data.subarray(s.starts[b + 1]!)]);
        const n = await count(data, s.ext);
        expect(n).toBeLessThanOrEqual(s.statements + (b - a + 1));
        expect(n).toBeGreaterThanOrEqual(s.statements - 2);
      }),
      { seed: SEED + 3, numRuns: RUNS },
    );
  });

  it("interleave two files' lines", async () => {
    await fc.assert(
      fc.asyncProperty(source, source, fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (i, j, seed) => {
        const s1 = sources[i]!;
        const s2 = sources[j]!;
        const l1 = s1.data.toString('latin1').split('\n');
        const l2 = s2.data.toString('latin1').split('\n');
        const out: string[] = [];
        let x = seed;
        let p = 0;
        let q = 0;
        while (p < l1.length || q < l2.length) {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          if (q >= l2.length || (p < l1.length && (x >>> 16) % 2 === 0)) out.push(l1[p++]!);
          else out.push(l2[q++]!);
        }
        const n = await count(Buffer.from(out.join('\n'), 'latin1'), s1.ext);
        expect(n).toBeLessThanOrEqual(s1.statements + s2.statements);
      }),
      { seed: SEED + 4, numRuns: Math.max(5, Math.floor(RUNS / 2)) },
    );
  });
});
