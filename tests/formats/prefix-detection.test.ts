/**
 * log_line_prefix detection judged against the server itself: each stderr fixture of tests/fixtures/prefixes is read
 * WITHOUT --prefix and its events are compared field by field with the csvlog written by the same run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import pgCsv from '../../src/formats/pg-csv.js';
import pgStderr from '../../src/formats/pg-stderr.js';
import type { LogEvent } from '../../src/formats/types.js';
import { runText, type PgRun } from './pg-harness.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'prefixes');
const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { id: string; prefix: string; stderr: string; csvlog: string }[];

const KINDS = new Set(['statement', 'begin', 'commit', 'rollback', 'error', 'connect', 'disconnect']);
const read = (f: string) => gunzipSync(readFileSync(path.join(dir, f))).toString('utf8');
const escapesOf = (prefix: string) => new Set([...prefix.matchAll(/%-?\d*([a-zA-Z])/g)].map((m) => m[1]!));

interface Outcome {
  id: string;
  prefix: string;
  detected: string | null;
  /** fields that differ from csvlog (or from a read with the right --prefix, for fields the prefix lacks) */
  wrong: string[];
  /** examples, for the failure message */
  examples: string[];
}

function events(run: PgRun): LogEvent[] {
  return run.events.filter((e) => KINDS.has(e.kind));
}

/**
 * Pair events of two reads of the same run by kind, SQL and duration (written identically in both files). Backends
 * write their stderr and csvlog lines separately, so two backends' lines may come in another order in each: among
 * events with the same key, the one closest in time (then in the other fields) is taken.
 */
function pair(a: LogEvent[], b: LogEvent[], E: Set<string>): [LogEvent, LogEvent | undefined][] {
  const sessions = E.has('p') || E.has('c');
  const key = (e: LogEvent) => `${e.kind}\u0000${e.sql ?? ''}\u0000${e.durationMs ?? ''}`;
  const byKey = new Map<string, LogEvent[]>();
  for (const e of b) {
    const k = key(e);
    const list = byKey.get(k);
    if (list) list.push(e);
    else byKey.set(k, [e]);
  }
  // sessions paired so far, both ways: an event of a known session goes with an event of its partner
  const toB = new Map<string, string>();
  const toA = new Map<string, string>();
  const closeness = (x: LogEvent, y: LogEvent) => {
    const partner = toB.get(x.session);
    const sessionFit = !sessions ? 0 : partner === y.session ? 2 : partner === undefined && !toA.has(y.session) ? 1 : 0;
    return (
      sessionFit * 1e9 +
      // a connect event's application is the one in its message, in both files
      (Number(E.has('u') && x.user === y.user) + Number(E.has('d') && x.database === y.database) + Number((E.has('a') || x.kind === 'connect') && x.application === y.application)) * 1e6 +
      (x.time !== null && y.time !== null ? -Math.abs(x.time - y.time) : 0)
    );
  };
  return a.map((e) => {
    const list = byKey.get(key(e));
    if (!list || list.length === 0) return [e, undefined];
    let best = 0;
    for (let i = 1; i < list.length && i < 16; i++) if (closeness(e, list[i]!) > closeness(e, list[best]!)) best = i;
    const got = list.splice(best, 1)[0]!;
    if (!toB.has(e.session)) toB.set(e.session, got.session);
    if (!toA.has(got.session)) toA.set(got.session, e.session);
    return [e, got];
  });
}

function judge(id: string, prefix: string, stderrFile: string, csvFile: string): Outcome {
  const text = read(stderrFile);
  const detected = runText(pgStderr, text, stderrFile);
  const given = runText(pgStderr, text, stderrFile, prefix);
  const csv = runText(pgCsv, read(csvFile), csvFile);
  const E = escapesOf(prefix);
  const wrong = new Set<string>();
  const examples: string[] = [];
  const bad = (field: string, got: unknown, want: unknown, e: LogEvent) => {
    wrong.add(field);
    if (examples.length < 4) examples.push(`line ${e.line} ${field}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  };
  const d = events(detected);
  const c = events(csv);
  if (detected.statements.length !== csv.statements.length) {
    wrong.add('statements');
    examples.push(`statements: got ${detected.statements.length}, want ${csv.statements.length}`);
  }
  // stderr session key ↔ csvlog session id must be one to one
  const toCsv = new Map<string, string>();
  const toStderr = new Map<string, string>();
  const g = new Map(pair(d, events(given), new Set('udapcm')));
  for (const [e, want] of pair(d, c, E)) {
    if (want === undefined) {
      bad('statements', e.sql, '(no such event in csvlog)', e);
      continue;
    }
    const ref = g.get(e);
    const check = (field: 'user' | 'database' | 'application' | 'client' | 'time' | 'tx', carried: boolean, expected: unknown) => {
      const got = e[field];
      const exp = carried ? expected : ref?.[field];
      if (got !== exp) bad(field, got, exp, e);
    };
    check('user', E.has('u'), want.user);
    check('database', E.has('d'), want.database);
    check('application', E.has('a'), want.application);
    check('client', E.has('h') || E.has('r'), want.client);
    const t = want.time === null ? null : E.has('t') && !E.has('m') && !E.has('n') ? Math.floor(want.time / 1000) * 1000 : want.time;
    check('time', E.has('m') || E.has('n') || E.has('t'), t);
    if (E.has('v')) check('tx', true, want.tx);
    if (E.has('c')) {
      if (e.session !== want.session) bad('session', e.session, want.session, e);
    } else if (E.has('p')) {
      const pid = String(parseInt(want.session.split('.')[1] ?? '', 16));
      if (e.session.split(':')[0] !== pid) bad('pid', e.session, pid, e);
    } else if (ref && e.session !== ref.session) bad('session', e.session, ref.session, e);
    if (E.has('p') || E.has('c')) {
      const s = toCsv.get(e.session);
      const r = toStderr.get(want.session);
      if ((s !== undefined && s !== want.session) || (r !== undefined && r !== e.session)) bad('session', e.session, want.session, e);
      toCsv.set(e.session, want.session);
      toStderr.set(want.session, e.session);
    }
  }
  return { id, prefix, detected: (detected.facts['prefix'] as string | null) ?? null, wrong: [...wrong].sort(), examples };
}

const outcomes = manifest.map((m) => judge(m.id, m.prefix, m.stderr, m.csvlog));

describe('log_line_prefix detection against csvlog of the same run', () => {
  it('prints the table', () => {
    const rows = outcomes.map(
      (o) =>
        `${o.id} ${JSON.stringify(o.prefix).padEnd(52)} ${o.detected === o.prefix ? 'same' : JSON.stringify(o.detected).padEnd(40)} ${o.wrong.length ? `WRONG ${o.wrong.join(',')}` : 'ok'}`,
    );
    const fields = outcomes.filter((o) => o.wrong.length === 0).length;
    const exact = outcomes.filter((o) => o.detected === o.prefix).length;
    console.log(`${rows.join('\n')}\nfields right: ${fields}/${outcomes.length}, prefix exact: ${exact}/${outcomes.length}`);
  });
  for (const o of outcomes) {
    it(`${o.id} ${JSON.stringify(o.prefix)}`, () => {
      expect({ wrong: o.wrong, examples: o.examples }).toEqual({ wrong: [], examples: [] });
    });
  }
});
