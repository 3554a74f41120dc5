/** Rails ActiveRecord log (development.log / logger at debug): `Model Load (0.3ms)  SQL  [["id", 1]]`, `↳ file:line`, request lines. */
import { blankEvent, defineFormat, type EventKind, type FormatContext, type LogEvent } from './types.js';
import { cleanLine } from './orm/line.js';
import { readStamp } from './orm/time.js';

/*
 * activerecord/lib/active_record/log_subscriber.rb: debug "  #{name}  #{sql}#{binds}" where name is
 * "#{payload[:name]} (#{duration.round(1)}ms)", "CACHE #{name}" for a query cache hit, and since 7.1
 * "ASYNC #{name} (#{lock_wait}ms) (db time #{duration}ms)"; binds is "  " + [[name, value], …].inspect;
 * with verbose_query_logs the next line is "  ↳ #{source}". Colors are ANSI (stripped, also as `←[` or
 * as bare `[1m` when a paste lost the ESC byte).
 *
 * Decisions:
 * - `CACHE …` lines are not emitted: the query cache answered, the database saw nothing. They are
 *   counted in describe().cacheHits; the `↳` after one is dropped with it.
 * - `Started GET "/x" for … at <time>` and ActiveJob's `Performing X (Job ID: …)` emit kind 'other'
 *   with sql=null: a unit-of-work boundary for the session tracker (one request / one job).
 * - Binds are positional values ($1, $2…): names repeat (`["id", 2], ["id", 1]` for IN lists).
 * - callSite keeps `file:line` of the `↳` line and drops `:in 'method'`, so it groups like GORM's.
 * - Session: a request-id-like tag from TaggedLogging (`[3f2a…]`), else the pid of Ruby's
 *   Logger::Formatter prefix (`D, [2024-01-01T10:00:00.123456 #1234] DEBUG -- : …`), else the file.
 * - Time: only that formatter prefix and `Started … at …` carry one; the formatter's stamp has no zone
 *   and is read as UTC, `Started … at 2024-01-01 10:00:00 +0100` has an offset and uses it.
 * - Consecutive identical lines are folded once the log shows it is doubled (the first two lines equal,
 *   or a `↳`/request line repeated): Rails 7.1 consoles and apps with two loggers write everything twice.
 */

/** Messages Rails writes around SQL that are not SQL: read and ignored, not counted as unreadable. */
const RAILS_NOISE = [
  'Processing by ', 'Parameters: ', 'Rendered ', 'Rendering ', 'Completed ', 'Redirected to ', 'Filter chain halted',
  'Performed ', 'Enqueued ', 'Sent mail', 'Delivered mail', "Can't verify", 'Cannot render console', 'No template found',
  'Migrating to', '== ', '-> ', 'Started ', 'Read fragment', 'Write fragment', 'Cache ', 'Sent data', 'Sent file',
  'Streaming', 'ActionController::', 'ActionView::', 'ActiveRecord::', 'Routing Error', 'Error performing',
  'Performing ', 'Loading ', 'Halted', 'Unpermitted parameter', 'Rendered layout', 'Rendered collection',
];

const CLAUSE_START = new Set([
  'from', 'where', 'join', 'left', 'right', 'inner', 'outer', 'full', 'cross', 'order', 'group', 'having', 'limit',
  'offset', 'and', 'or', 'union', 'returning', 'values', 'set', 'on', 'select', 'window', 'for', 'except', 'intersect',
]);

const UUID_LEN = 36;

function isUuid(s: string): boolean {
  if (s.length !== UUID_LEN) return false;
  for (let i = 0; i < UUID_LEN; i++) {
    const c = s.charCodeAt(i) | 0x20;
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (s.charCodeAt(i) !== 45) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** A tag that looks like an id (letters and digits, no spaces), e.g. `abc-123-request-id`. */
function isIdTag(s: string): boolean {
  let letter = false;
  let digit = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 32) return false;
    if (c >= 48 && c <= 57) digit = true;
    else if ((c | 0x20) >= 97 && (c | 0x20) <= 122) letter = true;
  }
  return letter && digit && s.length >= 6;
}

/** Ruby `inspect` of the binds array: [["id", 1], [nil, "x"]] → values, or null if it is not that shape. */
export function parseRubyBinds(text: string): (string | null)[] | null {
  let i = 0;
  const s = text;
  const out: (string | null)[] = [];
  const ws = () => {
    while (s.charCodeAt(i) === 32) i++;
  };
  const scalar = (): string | null | undefined => {
    ws();
    const c = s[i];
    if (c === '"') {
      i++;
      let v = '';
      let from = i;
      while (i < s.length) {
        const ch = s.charCodeAt(i);
        if (ch === 34) {
          v += s.slice(from, i);
          i++;
          return v;
        }
        if (ch === 92) {
          v += s.slice(from, i);
          const e = s[i + 1];
          i += 2;
          if (e === 'n') v += '\n';
          else if (e === 't') v += '\t';
          else if (e === 'r') v += '\r';
          else if (e === 'e') v += '\x1b';
          else if (e === 'u' && s[i] === '{') {
            const close = s.indexOf('}', i);
            v += String.fromCodePoint(parseInt(s.slice(i + 1, close), 16) || 0xfffd);
            i = close + 1;
          } else if (e === 'u') {
            v += String.fromCharCode(parseInt(s.slice(i, i + 4), 16) || 0xfffd);
            i += 4;
          } else v += e ?? '';
          from = i;
          continue;
        }
        i++;
      }
      return undefined;
    }
    const start = i;
    while (i < s.length && s[i] !== ',' && s[i] !== ']') i++;
    const word = s.slice(start, i).trim();
    if (word === 'nil') return null;
    if (word.length === 0) return undefined;
    return word;
  };
  ws();
  if (s[i] !== '[') return null;
  i++;
  for (;;) {
    ws();
    if (s[i] === ']') {
      i++;
      break;
    }
    if (s[i] !== '[') return null;
    i++;
    const name = scalar();
    if (name === undefined) return null;
    ws();
    if (s[i] !== ',') return null;
    i++;
    const value = scalar();
    if (value === undefined) return null;
    ws();
    if (s[i] !== ']') return null;
    i++;
    out.push(value);
    ws();
    if (s[i] === ',') i++;
  }
  ws();
  return i === s.length ? out : null;
}

interface Stmt {
  lines: string[];
  line: number;
  time: number | null;
  session: string;
  durationMs: number;
  callSite: string | null;
}

/** `Name (0.3ms)  SQL…` → where the name ends, the duration and where the SQL starts; null when not one. */
function statementHead(t: string): { nameEnd: number; ms: number; sqlAt: number } | null {
  const close = t.indexOf('ms)');
  if (close < 0 || close > 200) return null;
  const open = t.lastIndexOf('(', close);
  if (open < 0) return null;
  let ms = Number(t.slice(open + 1, close));
  if (!Number.isFinite(ms) || t.slice(open + 1, close).trim() !== t.slice(open + 1, close)) return null;
  let after = close + 3;
  // ASYNC Post Load (0.1ms) (db time 0.4ms)  SELECT …: the first time is the wait, the second the query
  if (t.startsWith(' (db time ', after)) {
    const c2 = t.indexOf('ms)', after);
    const v = Number(t.slice(after + 10, c2));
    if (c2 < 0 || !Number.isFinite(v)) return null;
    ms = v;
    after = c2 + 3;
  }
  if (t.charCodeAt(after) !== 32) return null;
  let sqlAt = after;
  while (t.charCodeAt(sqlAt) === 32) sqlAt++;
  if (sqlAt >= t.length) return null;
  return { nameEnd: open, ms, sqlAt };
}

function create(ctx: FormatContext) {
  let pending: Stmt | null = null;
  /** The last statement line was a cache hit: its ↳ line goes with it. */
  let afterCache = false;
  let prev = '';
  let lineCount = 0;
  let doubled = false;
  let statements = 0;
  let cacheHits = 0;
  let callSites = 0;
  let requests = 0;

  function flush(): void {
    if (!pending) return;
    const p = pending;
    pending = null;
    let sql = p.lines.join('\n');
    let params: (string | null)[] | null = null;
    if (sql.endsWith(']]')) {
      for (const sep of ['  [[', ' [[']) {
        const k = sql.lastIndexOf(sep);
        if (k <= 0) continue;
        const b = parseRubyBinds(sql.slice(k + sep.length - 2));
        if (b) {
          params = b;
          sql = sql.slice(0, k);
          break;
        }
      }
    }
    const word = sql.trim().toUpperCase();
    const kind: EventKind =
      word === 'BEGIN' || word.startsWith('BEGIN ') ? 'begin' : word === 'COMMIT' ? 'commit' : word === 'ROLLBACK' ? 'rollback' : 'statement';
    const ev: LogEvent = blankEvent(kind, ctx.file, p.line);
    ev.time = p.time;
    ev.session = p.session;
    ev.sql = sql;
    ev.params = params;
    ev.durationMs = p.durationMs;
    ev.callSite = p.callSite;
    if (kind === 'statement') statements++;
    ctx.emit(ev);
  }

  return {
    push(text: string, lineNo: number): void {
      const line = cleanLine(text, 'ruby');
      if (isLogfileHeader(line)) return;
      lineCount++;
      if (line.length > 0 && line === prev) {
        if (doubled) return;
        const t0 = line.trimStart();
        if (lineCount === 2 || t0.startsWith('↳') || t0.startsWith('Started ') || t0.startsWith('Completed ') || t0.startsWith('Processing by ') || t0.indexOf('TRANSACTION (') >= 0) {
          doubled = true;
          return;
        }
      }
      prev = line;

      // Ruby Logger::Formatter: "D, [2024-01-01T10:00:00.123456 #1234] DEBUG -- : message"
      let msg = line;
      let time: number | null = null;
      let session = ctx.file;
      if (line.charCodeAt(1) === 44 && line.charCodeAt(2) === 32 && line.charCodeAt(3) === 91) {
        const st = readStamp(line, 4);
        const hash = line.indexOf(' #', 4);
        const close = line.indexOf(']', 4);
        const dashes = line.indexOf(' -- ', close);
        const colon = dashes < 0 ? -1 : line.indexOf(': ', dashes + 4);
        if (st && close > 0 && colon > 0) {
          time = st.ms;
          if (hash > 0 && hash < close) session = 'pid:' + line.slice(hash + 2, close);
          msg = line.slice(colon + 2);
        }
      }
      // TaggedLogging: "[req-id] [other] message"
      let idTag: string | null = null;
      let looseTag: string | null = null;
      for (let n = 0; n < 8 && msg.charCodeAt(0) === 91; n++) {
        const c1 = msg.charCodeAt(1);
        if (c1 === 91 || c1 === 34) break;
        const close = msg.indexOf(']');
        if (close < 0 || msg.charCodeAt(close + 1) !== 32) break;
        const tag = msg.slice(1, close);
        if (idTag === null && isUuid(tag)) idTag = tag;
        if (looseTag === null && isIdTag(tag)) looseTag = tag;
        msg = msg.slice(close + 2);
      }
      if (idTag ?? looseTag) session = (idTag ?? looseTag)!;
      const indented = msg.charCodeAt(0) === 32 || msg.charCodeAt(0) === 9;
      const t = msg.trimStart();
      if (t.length === 0) return;

      if (t.startsWith('↳')) {
        if (afterCache) return;
        if (pending && pending.callSite === null) {
          let site = t.slice(1).trim();
          const inAt = site.indexOf(':in ');
          if (inAt > 0) site = site.slice(0, inAt);
          pending.callSite = site;
          callSites++;
          flush();
        }
        return;
      }
      afterCache = false;

      if ((t.startsWith('Started ') && t.indexOf(' for ') > 0) || (t.startsWith('Performing ') && t.indexOf('(Job ID: ') > 0)) {
        flush();
        requests++;
        const ev = blankEvent('other', ctx.file, lineNo);
        ev.session = session;
        ev.time = time;
        const at = t.lastIndexOf(' at ');
        if (at > 0) {
          const st = readStamp(t, at + 4);
          if (st) ev.time = st.ms;
        }
        ctx.emit(ev);
        return;
      }

      const head = statementHead(t);
      if (head) {
        flush();
        if (t.startsWith('CACHE ')) {
          cacheHits++;
          afterCache = true;
          return;
        }
        pending = { lines: [t.slice(head.sqlAt)], line: lineNo, time, session, durationMs: head.ms, callSite: null };
        return;
      }

      for (const w of RAILS_NOISE) {
        if (t.startsWith(w)) {
          flush();
          return;
        }
      }
      // a multi-line statement (find_by_sql with a heredoc): its next lines carry no prefix
      if (pending && pending.callSite === null && (indented || t.charCodeAt(0) === 41 || CLAUSE_START.has(firstWordLower(t)) || openParens(pending.lines) > 0)) {
        pending.lines.push(msg);
        return;
      }
      flush();
      ctx.skip(lineNo, 'not an ActiveRecord log line (expected "Model Load (0.3ms)  SQL", "↳ file:line" or a request line)');
    },
    end(): void {
      flush();
    },
    // follow mode, after a quiet poll: a statement's lines are written together, so the held one is complete
    flush(): void {
      flush();
    },
    describe(): Record<string, unknown> {
      return { statements, cacheHits, callSites, requests, doubled };
    },
  };
}

/**
 * `# Logfile created on 2026-12-02 03:22:04 +0000 by logger.rb/v1.5.0`: the first line Ruby's Logger writes
 * into every file it creates (log/production.log, and each file it rotates to). Not input to judge.
 */
function isLogfileHeader(line: string): boolean {
  return line.startsWith('# Logfile created on ') && line.indexOf(' by ', 21) > 0;
}

/** Parentheses left open by the statement so far (quotes respected): > 0 means its next line belongs to it. */
function openParens(lines: string[]): number {
  let depth = 0;
  for (const l of lines) {
    let quote = 0;
    for (let i = 0; i < l.length; i++) {
      const c = l.charCodeAt(i);
      if (quote !== 0) {
        if (c === quote) quote = 0;
      } else if (c === 39 || c === 34) quote = c;
      else if (c === 40) depth++;
      else if (c === 41) depth--;
    }
  }
  return depth;
}

function firstWordLower(s: string): string {
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i) | 0x20;
    if (c < 97 || c > 122) break;
    i++;
  }
  return s.slice(0, i).toLowerCase();
}

export default defineFormat({
  id: 'rails',
  summary: 'Rails ActiveRecord log: "Model Load (0.3ms)  SQL  [binds]", TRANSACTION, ↳ call sites, request lines',
  orm: 'ActiveRecord',
  sniff(lines: string[]): number {
    let stmts = 0;
    let named = 0;
    let arrows = 0;
    let requests = 0;
    let n = 0;
    for (const raw of lines) {
      const line = cleanLine(raw, 'ruby');
      if (line.length === 0 || isLogfileHeader(line)) continue;
      n++;
      const t = line.trimStart();
      if (t.startsWith('↳ ')) arrows++;
      if (t.startsWith('Started ') && t.indexOf('" for ') > 0) requests++;
      const ms = t.indexOf('ms) '); // one space too: pastes squeeze the two Rails writes
      if (ms > 0 && ms < 200) {
        stmts++;
        if (t.indexOf(' Load (') > 0 || t.startsWith('TRANSACTION (') || t.indexOf(' Create (') > 0 || t.indexOf(' Update (') > 0 || t.indexOf('] Load (') > 0 || t.indexOf(' Destroy (') > 0 || t.indexOf('CACHE ') >= 0) named++;
        else if (/\b(?:Load|Create|Update|Destroy|Exists\?|Count|Pluck|Insert All|SQL|TRANSACTION) \(/.test(t)) named++;
      }
    }
    if (n === 0) return 0;
    let score = 0;
    if (named > 0) score = 0.75 + 0.25 * Math.min(1, named / n);
    else if (stmts > 0) score = 0.4;
    if (arrows > 0) score += 0.15;
    if (requests > 0) score += 0.1;
    return Math.min(1, score);
  },
  create,
});
