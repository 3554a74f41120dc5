/** Sniff scores of the Node, Java and Go ORM formats from the lines that match. */
import { jsonRecordAsLine } from './json-record.js';
import { cleanLine } from './line.js';

/** Share of the non-empty lines (ANSI and CR removed) that pass `test`. */
export function shareContaining(lines: string[], test: (line: string) => boolean): number {
  let n = 0;
  let hit = 0;
  for (const raw of lines) {
    const line = cleanLine(raw, 'node');
    if (line.trim() === '') continue;
    n++;
    if (test(line)) hit++;
  }
  return n === 0 ? 0 : hit / n;
}

/** Sniff score from matched lines: one clear line is good evidence, a clear majority is certain. JSON records are judged by the text they carry. */
export function sniffScore(lines: string[], test0: (line: string) => boolean): number {
  const test = (l: string) => test0(l.charCodeAt(0) === 123 ? (jsonRecordAsLine(l, true) ?? l) : l);
  let hits = 0;
  for (const raw of lines) if (test(cleanLine(raw, 'node'))) hits++;
  if (hits === 0) return 0;
  const share = shareContaining(lines, test);
  return Math.min(1, 0.6 + 0.4 * share + (hits >= 3 ? 0.1 : 0));
}
