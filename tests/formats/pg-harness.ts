/** Runs a PostgreSQL format over text or a file with a collecting context, for the pg-* format tests. */
import { readFileSync } from 'node:fs';
import type { LogEvent, LogFormat } from '../../src/formats/types.js';

export interface PgRun {
  events: LogEvent[];
  statements: LogEvent[];
  skipped: { line: number; reason: string }[];
  facts: Record<string, unknown>;
}

export function runText(format: LogFormat, text: string, file = 'test.log', prefix: string | null = null): PgRun {
  const events: LogEvent[] = [];
  const skipped: PgRun['skipped'] = [];
  const p = format.create({
    file,
    options: { prefix, logTimezone: null },
    emit: (e) => events.push(e),
    skip: (line, reason) => skipped.push({ line, reason }),
  });
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, i) => p.push(l.endsWith('\r') ? l.slice(0, -1) : l, i + 1));
  p.end();
  return { events, statements: events.filter((e) => e.kind === 'statement'), skipped, facts: p.describe?.() ?? {} };
}

export function runFile(format: LogFormat, file: string, prefix: string | null = null): PgRun {
  return runText(format, readFileSync(file, 'utf8'), file, prefix);
}

export function headLines(file: string, n = 200): string[] {
  return readFileSync(file, 'utf8').split('\n').slice(0, n).filter((l, i, a) => i < a.length - 1 || l !== '');
}
