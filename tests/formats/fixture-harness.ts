/** Test helper for the Python and Ruby ORM formats: run a format over text, read a fixture folder, and ask the registry which format wins. */
import { readFileSync } from 'node:fs';
import { formats } from '../../src/formats/index.js';
import type { LogEvent, LogFormat } from '../../src/formats/types.js';

export const PG_LINE = '2024-01-01 10:00:00.123 UTC [123] LOG:  duration: 0.1 ms  statement: SELECT 1';

export function run(format: LogFormat, text: string, file = 'snippet.log') {
  const events: LogEvent[] = [];
  const skipped: [number, string][] = [];
  const p = format.create({ file, options: { prefix: null, logTimezone: null }, emit: (e) => events.push(e), skip: (l, r) => skipped.push([l, r]) });
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, i) => p.push(l, i + 1));
  p.end();
  const count = (k: string) => events.filter((e) => e.kind === k).length;
  return { events, skipped, statements: events.filter((e) => e.kind === 'statement'), count, describe: p.describe?.() ?? {} };
}

/** read(name) and truth(variant) for one fixture folder. */
export function fixtures(dir: string) {
  const read = (name: string) => readFileSync(`${dir}/${name}`, 'utf8');
  return { read, truth: (v: string) => JSON.parse(read(`${v}.truth.json`)) };
}

/** Id of the format whose sniffer scores these lines highest. */
export function best(lines: string[]): string {
  let top = '';
  let score = -1;
  for (const f of formats) {
    const s = f.sniff(lines);
    if (s > score) [top, score] = [f.id, s];
  }
  return top;
}
