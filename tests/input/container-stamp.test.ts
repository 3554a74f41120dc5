/**
 * Logs read through a container runtime (`kubectl logs --timestamps`, `docker logs -t`, the CRI files under
 * /var/log/containers) carry a nanosecond stamp before every line; an ORM's log written through syslog or the
 * journal carries their header. Real recorded logs with such stamps added must give the same findings as
 * without them, format sniffing included.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createAnalysis, DEFAULT_ANALYZE_OPTIONS } from '../../src/analyze.js';
import { withoutContainerStamp } from '../../src/input/container-stamp.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (rel: string) => gunzipSync(readFileSync(path.join(root, rel))).toString('utf8');

function findings(text: string): string[] {
  const analysis = createAnalysis({ ...DEFAULT_ANALYZE_OPTIONS });
  const feed = analysis.openInput({ path: 'pod.log', size: null });
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((l, i) => feed.line(l, i + 1));
  feed.end(lines.length);
  return analysis
    .finish()
    .findings.map((f) => `${f.kind} ${f.tables.join(',')} ${f.repeats}×${f.occurrences}`)
    .sort();
}

const stamp = (i: number) => `2026-12-03T08:13:${String(10 + Math.floor(i / 1000) % 50).padStart(2, '0')}.${String(i % 1000).padStart(3, '0')}123456Z`;
const kubectl = (text: string) => text.split('\n').map((l, i) => (l === '' ? l : `${stamp(i)} ${l}`)).join('\n');
const cri = (text: string) => text.split('\n').map((l, i) => (l === '' ? l : `${stamp(i)} stdout F ${l}`)).join('\n');
const bsd = (text: string) => text.split('\n').map((l, i) => (l === '' ? l : `Dec  3 08:13:${String(10 + (i % 50)).padStart(2, '0')} web-1 app[4321]: ${l}`)).join('\n');
const iso = (text: string) => text.split('\n').map((l) => (l === '' ? l : `2026-12-03T08:13:47+0000 web-1 gunicorn[4321]: ${l}`)).join('\n');

/** The log's findings (there are some), and the same for each way of collecting it. */
function sameFindings(text: string, ...collected: ((text: string) => string)[]): void {
  const want = findings(text);
  expect(want.length).toBeGreaterThan(0);
  for (const wrap of collected) expect(findings(wrap(text)), wrap.name).toEqual(want);
}

describe('container runtime stamps', () => {
  it.each([
    ['PostgreSQL stderr', 'tests/fixtures/peers/p1/server.log.gz'],
    ['SQLAlchemy (multi-line statements)', 'tests/fixtures/peers/p1/orm/peer-n01-pos.log.gz'],
    ['ActiveRecord', 'tests/fixtures/peers/p1/orm/peer-b01-pos.log.gz'],
    ['Django', 'tests/fixtures/peers/p1/orm/peer-d01-pos.log.gz'],
  ])('%s: the same findings with kubectl --timestamps and CRI stamps on every line', (_name, file) => {
    sameFindings(read(file), kubectl, cri);
  });

  it.each([
    ['SQLAlchemy', 'tests/fixtures/peers/p1/orm/peer-n01-pos.log.gz'],
    ['TypeORM', 'tests/fixtures/accuracy/p2/orm/acc-s05-pos.log.gz'],
  ])('%s run by systemd or logging to syslog: a syslog or journal header on every line, the same findings', (_name, file) => {
    sameFindings(read(file), bsd, iso);
  });

  it('keeps an application\'s own ISO time (milliseconds, microseconds) and lines without a stamp', () => {
    for (const line of ['2026-12-03T08:13:47.872Z Executing (default): SELECT 1', '2026-12-03T08:13:47.872123 INFO x', 'SELECT 1']) {
      expect(withoutContainerStamp(line)).toBe(line);
    }
    expect(withoutContainerStamp('2026-12-03T08:13:47.872123456+01:00 stderr P LOG:  x')).toBe('LOG:  x');
  });
});
