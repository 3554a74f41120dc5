/** Test helper for the ORM log formats: run a format over text or a file and collect what it emits. */
import { readFileSync } from 'node:fs';
import type { LogEvent, LogFormat } from '../../src/formats/types.js';

export interface Collected {
  events: LogEvent[];
  skipped: { line: number; reason: string }[];
  statements: LogEvent[];
}

export function runFormat(format: LogFormat, text: string, file = 'test.log'): Collected {
  const events: LogEvent[] = [];
  const skipped: { line: number; reason: string }[] = [];
  const parser = format.create({
    file,
    options: { prefix: null, logTimezone: null },
    emit: (e) => events.push(e),
    skip: (line, reason) => skipped.push({ line, reason }),
  });
  // Split on \n only, as the line reader does: CR stays on the line, as in CRLF files.
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, i) => parser.push(l, i + 1));
  parser.end();
  return { events, skipped, statements: events.filter((e) => e.kind === 'statement') };
}

export function runFile(format: LogFormat, path: string): Collected {
  return runFormat(format, readFileSync(path, 'utf8'), path);
}

export function firstLines(path: string, n = 50): string[] {
  return readFileSync(path, 'utf8').split('\n').slice(0, n);
}

/** A PostgreSQL server log line that no ORM format should claim. */
export const PG_SERVER_LINE = '2024-01-01 10:00:00.123 UTC [123] LOG:  duration: 0.1 ms  statement: SELECT 1';
