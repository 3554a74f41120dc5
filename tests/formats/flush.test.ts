/**
 * FormatParser.flush() (follow mode, after the log has been quiet): it emits what the parser holds, and the
 * parse goes on afterwards as if it had not been called (each session's events the same, in the same order)
 * when the quiet spell fell between records.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formats } from '../../src/formats/index.js';
import type { LogEvent } from '../../src/formats/types.js';
import { best } from './fixture-harness.js';

const FIXTURES = [
  'samples/billing.log',
  'samples/loops.csv',
  'samples/pooled-web.json',
  'tests/fixtures/orm/rails/dev.log',
  'tests/fixtures/orm/prisma/stdout.log',
  'tests/fixtures/orm/gorm/debug.log',
  'tests/fixtures/orm/sequelize/plain.log',
];

const key = (e: LogEvent) => JSON.stringify([e.kind, e.line, e.session, e.sql, e.params, e.durationMs]);

/** Events per session, in order: a flush emits every session's held statement at once, so only the order across sessions may change. */
function bySession(events: LogEvent[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const e of events) (out[e.session] ??= []).push(key(e));
  return out;
}

/** Every event of the lines, with flush() called before the lines at `flushAt` (1-based line numbers). */
function parse(file: string, lines: string[], flushAt: Set<number>, live: boolean) {
  const format = formats.find((f) => f.id === best(lines.slice(0, 200)))!;
  const events: LogEvent[] = [];
  const p = format.create({ file, options: { prefix: null, logTimezone: null, live }, emit: (e) => events.push(e), skip: () => undefined });
  lines.forEach((l, i) => {
    if (flushAt.has(i + 1)) p.flush?.();
    p.push(l, i + 1);
  });
  p.flush?.();
  const afterFlush = events.length;
  p.end();
  return { events, afterFlush, hasFlush: typeof p.flush === 'function' };
}

describe('flush() for live logs', () => {
  for (const file of FIXTURES) {
    it(`${file}: flush at record starts changes nothing, and leaves nothing for end()`, () => {
      const lines = readFileSync(file, 'utf8').split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      const straight = parse(file, lines, new Set(), true);
      expect(straight.hasFlush).toBe(true);
      expect(straight.events.length).toBeGreaterThan(3);
      // a quiet spell before every third record: the lines where records start are the events' lines
      const starts = [...new Set(straight.events.map((e) => e.line))].filter((l, i) => i % 3 === 1);
      const flushed = parse(file, lines, new Set(starts), true);
      expect(bySession(flushed.events)).toEqual(bySession(straight.events));
      expect(flushed.events.length).toBe(straight.events.length);
      // after a final flush, end() has nothing left to emit
      expect(flushed.afterFlush).toBe(flushed.events.length);
    });
  }
});
