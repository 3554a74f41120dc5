/** Django `django.db.backends` SQL log: `(0.001) SQL; args=(…); alias=default`, any logging prefix. */
import { blankEvent, defineFormat, type EventKind, type FormatContext } from './types.js';
import { cleanLine } from './orm/line.js';
import { isDateAt, readStamp } from './orm/time.js';
import { parsePyParams } from './orm/python-repr.js';

/*
 * django/db/backends/utils.py: logger.debug("(%.3f) %s; args=%s; alias=%s", duration, sql, params, alias)
 * (before 4.0 without `; alias=%s`). The duration is in seconds. The SQL is what the driver sent
 * (psycopg2 interpolates, so it usually holds the values already) and may span lines. Since 4.2 the
 * transaction calls are logged the same way: `(0.000) BEGIN; args=None; alias=default`.
 * executemany logs the raw SQL and the list of parameter sets: ONE event (one cursor call, which is
 * what connection.execute_wrapper counts), carrying the first set.
 * A date in the logging prefix is read as UTC (asctime has no zone). The session is the file, unless
 * the prefix is Django's documented "verbose" format (`… utils <process> <thread> (0.001) …`).
 */

const MAX_PENDING_LINES = 2000;

/** Index of `(d.ddd) ` (or `(d.ddd)` at the end of the line) that opens a Django SQL message in `line`, or -1. */
function messageStart(line: string): number {
  let from = 0;
  for (let tries = 0; tries < 4; tries++) {
    const i = line.indexOf('(', from);
    if (i < 0 || i > 300) return -1;
    from = i + 1;
    if (i > 0) {
      const b = line.charCodeAt(i - 1);
      if (b !== 32 && b !== 58 && b !== 93 && b !== 124 && b !== 9) continue;
    }
    let j = i + 1;
    let digits = 0;
    while (j < line.length && line.charCodeAt(j) >= 48 && line.charCodeAt(j) <= 57) {
      j++;
      digits++;
    }
    if (digits === 0 || line.charCodeAt(j) !== 46) continue;
    j++;
    let dec = 0;
    while (j < line.length && line.charCodeAt(j) >= 48 && line.charCodeAt(j) <= 57) {
      j++;
      dec++;
    }
    // `(0.001) SQL…`, or `(0.001)` ending the line: the SQL starts on the next one (sqlparse-reindented SQL
    // that began with a newline, as triple-quoted raw SQL does, with the trailing space trimmed by a paste)
    if (dec === 0 || line.charCodeAt(j) !== 41 || (line.charCodeAt(j + 1) !== 32 && j + 1 !== line.length)) continue;
    return i;
  }
  return -1;
}

function prefixTime(prefix: string): number | null {
  let from = 0;
  for (let tries = 0; tries < 6; tries++) {
    const dash = prefix.indexOf('-', from);
    if (dash < 4) {
      if (dash < 0) return null;
      from = dash + 1;
      continue;
    }
    if (isDateAt(prefix, dash - 4)) {
      const st = readStamp(prefix, dash - 4);
      return st ? st.ms : null;
    }
    from = dash + 1;
  }
  return null;
}

/** `… utils 1234 140234 ` (Django's documented verbose formatter): process:thread. */
function prefixSession(prefix: string): string | null {
  const u = prefix.indexOf(' utils ');
  if (u < 0) return null;
  const parts = prefix.slice(u + 7).trim().split(' ');
  if (parts.length >= 2 && /^\d+$/.test(parts[0]!) && /^\d+$/.test(parts[1]!)) return `${parts[0]}:${parts[1]}`;
  return null;
}

interface Pending {
  text: string[];
  line: number;
  time: number | null;
  session: string;
  durationMs: number;
}

function create(ctx: FormatContext) {
  let cur: Pending | null = null;
  let statements = 0;
  let executemany = 0;
  let paramsUnread = 0;
  let withAlias = 0;

  /** Finish `cur` from its last line, which holds `; args=`. */
  function complete(p: Pending, argsAt: number): void {
    const last = p.text[p.text.length - 1]!;
    const sqlTail = last.slice(0, argsAt);
    const sql = p.text.length === 1 ? sqlTail : p.text.slice(0, -1).join('\n') + '\n' + sqlTail;
    let argsText = last.slice(argsAt + 7);
    const alias = argsText.lastIndexOf('; alias=');
    if (alias >= 0 && argsText.indexOf(' ', alias + 8) < 0) {
      argsText = argsText.slice(0, alias);
      withAlias++;
    }
    const word = sql.trim().toUpperCase();
    const kind: EventKind = word === 'BEGIN' ? 'begin' : word === 'COMMIT' ? 'commit' : word === 'ROLLBACK' ? 'rollback' : 'statement';
    const ev = blankEvent(kind, ctx.file, p.line);
    ev.time = p.time;
    ev.session = p.session;
    ev.sql = sql;
    ev.durationMs = p.durationMs;
    argsText = argsText.trim();
    if (argsText !== 'None' && argsText.length > 0) {
      const parsed = parsePyParams(argsText);
      if (parsed) {
        ev.params = parsed.params;
        if (parsed.sets > 1) executemany++;
      } else paramsUnread++;
    }
    if (kind === 'statement') statements++;
    ctx.emit(ev);
  }

  /** A message start whose `; args=` never came (log cut): without its end the SQL is unsure, so it is skipped and counted. */
  function abandon(): void {
    if (!cur) return;
    ctx.skip(cur.line, 'Django SQL message without its "; args=" ending (log cut or lines filtered?); statement not counted');
    cur = null;
  }

  function start(line: string, at: number, lineNo: number): void {
    const prefix = line.slice(0, at);
    const close = line.indexOf(')', at);
    const secs = Number(line.slice(at + 1, close));
    cur = {
      text: [],
      line: lineNo,
      time: prefix.length > 0 ? prefixTime(prefix) : null,
      session: (prefix.length > 0 && prefixSession(prefix)) || ctx.file,
      durationMs: Math.round(secs * 1e6) / 1e3,
    };
    const rest = line.slice(close + 2);
    // `(0.001)` alone on its line: the SQL is on the lines after it, so no empty first line
    if (rest.trim() !== '') addLine(rest, lineNo);
  }

  function addLine(text: string, lineNo: number): void {
    const p = cur!;
    p.text.push(text);
    const argsAt = text.lastIndexOf('; args=');
    if (argsAt >= 0) {
      cur = null;
      complete(p, argsAt);
    } else if (p.text.length > MAX_PENDING_LINES) {
      abandon();
      ctx.skip(lineNo, 'Django SQL message longer than 2000 lines without "; args="');
    }
  }

  return {
    push(text: string, lineNo: number): void {
      const line = cleanLine(text, 'python');
      // No folding of identical consecutive lines here: the same lookup repeated is exactly what an
      // N+1 over a foreign key looks like in this log (`WHERE "authors"."id" = 1` three times).
      const at = messageStart(line);
      if (cur) {
        // a new message at the start of a line (or after a dated prefix) means the old one was cut
        if (at === 0 || (at > 0 && prefixTime(line.slice(0, at)) !== null)) abandon();
        else {
          addLine(line, lineNo);
          return;
        }
      }
      if (at < 0) {
        // django.db.backends.schema announces each DDL statement before running it: "SQL; (params None)".
        // The run itself is logged as "(0.001) SQL; args=None" too, so the announcement is not counted.
        if (line.endsWith(')') && line.lastIndexOf('; (params ') > 0) return;
        if (line.length > 0) ctx.skip(lineNo, 'not a django.db.backends SQL line (expected "(0.001) SQL; args=…")');
        return;
      }
      start(line, at, lineNo);
    },
    end(): void {
      abandon();
    },
    describe(): Record<string, unknown> {
      return { statements, executemany, paramsUnread, aliasForm: withAlias > 0 };
    },
  };
}

export default defineFormat({
  id: 'django',
  summary: 'Django django.db.backends SQL log: "(0.001) SQL; args=(…); alias=default"',
  orm: 'Django',
  sniff(lines: string[]): number {
    let hits = 0;
    let starts = 0;
    let n = 0;
    /** Inside a message whose SQL spans lines (sqlparse): its lines are one message, not n lines. */
    let open = false;
    for (const raw of lines) {
      const line = cleanLine(raw, 'python');
      if (line.length === 0) continue;
      const at = messageStart(line);
      const args = line.indexOf('; args=');
      if (!open || at >= 0) n++;
      if (at >= 0) starts++;
      if (args >= 0) hits++;
      if (at >= 0 && args > at) hits++;
      else if (open && at < 0 && args >= 0) hits++; // the end of a multi-line message
      open = at >= 0 ? args < 0 : open && args < 0;
    }
    if (n === 0 || hits === 0) return 0;
    return Math.min(1, 0.6 + 0.4 * (hits / (2 * n)) + (starts > 0 ? 0.1 : 0));
  },
  create,
});
