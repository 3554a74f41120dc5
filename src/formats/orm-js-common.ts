/** Small line helpers shared by the Sequelize, TypeORM, Prisma, Hibernate and GORM parsers (no regex backtracking, no per-line objects). */
import { TZDate } from '@date-fns/tz';
import type { EventKind, FormatContext, ParamValues } from './types.js';

/**
 * Remove a trailing CR and ANSI colour sequences. Windows consoles that do not render ESC show it as
 * `←`, so `←[33m` is treated like ESC[33m. Lines without either pay one indexOf each.
 */
export function cleanLine(text: string): string {
  let s = text;
  if (s.length > 0 && s.charCodeAt(s.length - 1) === 13) s = s.slice(0, -1);
  if (s.indexOf('\u001b') < 0 && s.indexOf('\u2190[') < 0) return withoutComposePrefix(s);
  let out = '';
  let from = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if ((c === 0x1b || c === 0x2190) && s.charCodeAt(i + 1) === 91 /* [ */) {
      // CSI: parameters and intermediates (0x20-0x3f) then one final byte (0x40-0x7e).
      let j = i + 2;
      while (j < s.length) {
        const d = s.charCodeAt(j);
        if (d < 0x20 || d > 0x3f) break;
        j++;
      }
      if (j < s.length) {
        const d = s.charCodeAt(j);
        if (d >= 0x40 && d <= 0x7e) {
          out += s.slice(from, i);
          i = j + 1;
          from = i;
          continue;
        }
      }
    }
    i++;
  }
  return withoutComposePrefix(out + s.slice(from));
}

function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Wall-clock (read as UTC) → epoch ms in the --log-timezone zone. */
export type LocalTime = (wallMs: number) => number;

/**
 * Reader for zone-less timestamps in `zone` (IANA name), or null to read them as UTC. The offset is
 * cached per hour of wall time, so a line costs a comparison; it is re-checked at the guessed instant
 * so times next to a DST change land on the right side.
 */
export function localTime(zone: string | null): LocalTime | null {
  if (zone === null || zone === '' || zone === 'UTC') return null;
  let hour = NaN;
  let offsetMs = 0;
  return (wall) => {
    const h = Math.floor(wall / 3_600_000);
    if (h !== hour) {
      hour = h;
      const first = new TZDate(wall, zone).getTimezoneOffset() * 60_000;
      offsetMs = new TZDate(wall + first, zone).getTimezoneOffset() * 60_000;
    }
    return wall + offsetMs;
  };
}

/**
 * The zone reader of the parser now running. Each parser sets it at the start of push(); parsing is
 * synchronous, so parsers of several files never see each other's zone.
 */
let local: LocalTime | null = null;
export function useLocalTime(reader: LocalTime | null): void {
  local = reader;
}

/** Result slot of parseTimestamp (reused, so parsing a line allocates nothing); frac: it had a sub-second part. */
export const stamp = { time: 0, end: 0, frac: false };

/**
 * Read a timestamp at s[i]: `YYYY-MM-DD[ T]HH:MM:SS[.,fraction][Z|±HH[:]MM| UTC]` or Go's
 * `YYYY/MM/DD HH:MM:SS[.micro]`. Sets stamp.time (epoch ms) and stamp.end; returns false when absent.
 * A time without a zone is read in --log-timezone when given (useLocalTime), else as UTC: these logs
 * rarely say their zone, and a fixed rule keeps runs reproducible on any machine.
 */
export function parseTimestamp(s: string, i: number): boolean {
  const y = digits(s, i, 4);
  if (y < 0) return false;
  const sep = s.charCodeAt(i + 4);
  if ((sep !== 45 && sep !== 47) || s.charCodeAt(i + 7) !== sep) return false;
  const mo = digits(s, i + 5, 2);
  const d = digits(s, i + 8, 2);
  const t = s.charCodeAt(i + 10);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || (t !== 32 && t !== 84)) return false;
  const h = digits(s, i + 11, 2);
  const mi = digits(s, i + 14, 2);
  const se = digits(s, i + 17, 2);
  if (h < 0 || mi < 0 || se < 0 || s.charCodeAt(i + 13) !== 58 || s.charCodeAt(i + 16) !== 58) return false;
  let j = i + 19;
  let ms = 0;
  const f = s.charCodeAt(j);
  stamp.frac = f === 46 || f === 44;
  if (f === 46 || f === 44) {
    j++;
    let scale = 100;
    while (j < s.length) {
      const c = s.charCodeAt(j) - 48;
      if (c < 0 || c > 9) break;
      ms += c * scale;
      scale /= 10;
      j++;
    }
  }
  let offsetMin = 0;
  let zoned = true;
  const z = s.charCodeAt(j);
  if (z === 90 /* Z */) j++;
  else if (z === 43 || z === 45) {
    const oh = digits(s, j + 1, 2);
    if (oh >= 0) {
      let om = 0;
      let k = j + 3;
      if (s.charCodeAt(k) === 58) k++;
      const m2 = digits(s, k, 2);
      if (m2 >= 0) {
        om = m2;
        k += 2;
      }
      offsetMin = (z === 43 ? 1 : -1) * (oh * 60 + om);
      j = k;
    } else zoned = false;
  } else if (z === 32 && s.startsWith('UTC', j + 1)) j += 4;
  else zoned = false;
  const wall = Date.UTC(y, mo - 1, d, h, mi, se) + Math.round(ms);
  stamp.time = zoned ? wall - offsetMin * 60000 : local !== null ? local(wall) : wall;
  stamp.end = j;
  return true;
}

/** Transaction control statements become begin/commit/rollback events; everything else is a statement. */
export function txKind(sql: string): EventKind {
  let i = 0;
  while (i < sql.length && sql.charCodeAt(i) <= 32) i++;
  const c = sql.charCodeAt(i) | 32;
  if (c !== 98 && c !== 115 && c !== 99 && c !== 114 && c !== 101) return 'statement';
  let end = sql.length;
  while (end > i && (sql.charCodeAt(end - 1) <= 32 || sql.charCodeAt(end - 1) === 59)) end--;
  const w = sql.slice(i, end).toUpperCase();
  if (w === 'BEGIN' || w === 'START TRANSACTION' || w.startsWith('BEGIN ') || w.startsWith('START TRANSACTION ')) {
    // BEGIN ... END blocks of PL/pgSQL start with DO, so a leading BEGIN is a transaction start.
    return 'begin';
  }
  if (w === 'COMMIT' || w === 'END' || w === 'COMMIT TRANSACTION' || w === 'COMMIT WORK') return 'commit';
  if (w === 'ROLLBACK' || w === 'ROLLBACK TRANSACTION' || w === 'ROLLBACK WORK' || w === 'ABORT') return 'rollback';
  return 'statement';
}

/** One logged parameter value as the SQL core wants it: text, or null for SQL NULL. */
export function paramText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** Parse a JSON array (or object, for named binds) of parameter values; null when it is not JSON. */
export function jsonParams(text: string): ParamValues | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (Array.isArray(v)) return v.map(paramText);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, string | null> = {};
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = paramText(val);
    return out;
  }
  return null;
}

/** Index just past leading spaces/tabs. */
export function skipSpaces(s: string, i: number): number {
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  return i;
}

/** Share of the non-empty lines (ANSI and CR removed) that pass `test`. */
export function shareContaining(lines: string[], test: (line: string) => boolean): number {
  let n = 0;
  let hit = 0;
  for (const raw of lines) {
    const line = cleanLine(raw);
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
  for (const raw of lines) if (test(cleanLine(raw))) hits++;
  if (hits === 0) return 0;
  const share = shareContaining(lines, test);
  return Math.min(1, 0.6 + 0.4 * share + (hits >= 3 ? 0.1 : 0));
}

/** What an ORM log turned out to carry, for `inputs[]` and doctor (counted as events go out). */
export interface OrmFacts {
  statements: number;
  transactionEvents: number;
  errors: number;
  withParams: number;
  withDurations: number;
  withRows: number;
  withCallSite: number;
  /** Statements whose SQL has `?` or `$n` placeholders but no logged values. */
  placeholdersWithoutParams: number;
  /** Lines dropped as exact timestamped repeats of the line before (two handlers printing one record). */
  doubledLines: number;
}

/** Advice every ORM format shares. */
export function sharedAdvice(f: OrmFacts): string[] {
  return f.doubledLines > 0
    ? [`${f.doubledLines} lines were printed twice (two handlers or appenders for one logger, e.g. logback additivity); each was read once.`]
    : [];
}

/** Wrap a context so every emitted event is tallied into the returned facts. */
export function tallying(ctx: FormatContext): { ctx: FormatContext; facts: OrmFacts } {
  const facts: OrmFacts = {
    statements: 0,
    transactionEvents: 0,
    errors: 0,
    withParams: 0,
    withDurations: 0,
    withRows: 0,
    withCallSite: 0,
    placeholdersWithoutParams: 0,
    doubledLines: 0,
  };
  const wrapped: FormatContext = {
    file: ctx.file,
    options: ctx.options,
    skip: (line, reason) => ctx.skip(line, reason),
    emit(ev) {
      if (ev.kind === 'statement') {
        facts.statements++;
        if (ev.params !== null) facts.withParams++;
        else if (ev.sql !== null && (ev.sql.indexOf('?') >= 0 || ev.sql.indexOf('$1') >= 0)) facts.placeholdersWithoutParams++;
        if (ev.durationMs !== null) facts.withDurations++;
        if (ev.rows !== null) facts.withRows++;
        if (ev.callSite !== null) facts.withCallSite++;
      } else if (ev.kind === 'begin' || ev.kind === 'commit' || ev.kind === 'rollback') facts.transactionEvents++;
      else if (ev.kind === 'error') facts.errors++;
      ctx.emit(ev);
    },
  };
  return { ctx: wrapped, facts };
}

/**
 * Each line's first step in these formats: an exact repeat printed by a second handler is counted and
 * dropped (null), any other line is cleaned (colours, CR).
 */
export function lineIntake(facts: { doubledLines: number }): (raw: string) => string | null {
  let prev: string | null = null;
  return (raw) => {
    if (isDoubledLine(raw, prev)) {
      facts.doubledLines++;
      return null;
    }
    prev = raw;
    return cleanLine(raw);
  };
}

/**
 * A line that repeats the previous one exactly and carries a sub-second timestamp: the same record printed
 * by two handlers (logback additivity, a logger attached twice), not the same statement run twice, which
 * would differ at least in its time. Lines without a fine timestamp are never dropped this way: there a
 * repeat may be a real duplicate query.
 */
export function isDoubledLine(raw: string, prev: string | null): boolean {
  if (prev === null || raw !== prev || raw.length < 12) return false;
  if (parseTimestamp(raw, 0) || (raw.charCodeAt(0) === 91 && parseTimestamp(raw, 1))) return stamp.frac;
  if (raw.indexOf('"timestamp":"') >= 0) return true;
  // logback's default pattern starts with HH:mm:ss.SSS
  return (
    raw.charCodeAt(2) === 58 && raw.charCodeAt(5) === 58 && (raw.charCodeAt(8) === 46 || raw.charCodeAt(8) === 44) && digits(raw, 0, 2) >= 0 && digits(raw, 9, 3) >= 0
  );
}

/**
 * Values of a Node.js util.inspect array of primitives, as debug() and console.log print them:
 * `[ 1, 'x', null, 2024-01-01T00:00:00.000Z ]`. Returns null for anything else (nested objects).
 */
export function inspectParams(text: string): (string | null)[] | null {
  const t = text.trim();
  if (t.charCodeAt(0) !== 91 || t.charCodeAt(t.length - 1) !== 93) return null;
  const out: (string | null)[] = [];
  let i = 1;
  const end = t.length - 1;
  while (i < end) {
    while (i < end && (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 10)) i++;
    if (i >= end) break;
    const c = t.charCodeAt(i);
    if (c === 39 || c === 34 || c === 96) {
      let v = '';
      let j = i + 1;
      while (j < end && t.charCodeAt(j) !== c) {
        if (t.charCodeAt(j) === 92 && j + 1 < end) {
          const n = t[j + 1]!;
          v += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          j += 2;
          continue;
        }
        v += t[j];
        j++;
      }
      if (j >= end) return null;
      out.push(v);
      i = j + 1;
    } else {
      let j = i;
      while (j < end && t.charCodeAt(j) !== 44) j++;
      const v = t.slice(i, j).trim();
      if (v.charCodeAt(0) === 123 || v.charCodeAt(0) === 91) return null;
      out.push(v === 'null' || v === 'undefined' ? null : v);
      i = j;
    }
    while (i < end && t.charCodeAt(i) === 32) i++;
    if (i < end && t.charCodeAt(i) !== 44) return null;
    i++;
  }
  return out;
}

/** Scratch result of unwrapJson(): message, logger, thread and time of a structured (JSON) log record. */
export const rec = { message: '', logger: '', thread: '', time: null as number | null };

function firstString(o: Record<string, unknown>, keys: string[]): string {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string') return v;
  }
  return '';
}

/**
 * A JSON log record as pino, winston, bunyan, logstash-logback-encoder or ECS write them: the ORM's text
 * is in `msg`/`message`. Returns false for anything else. Only lines starting with `{` pay for JSON.parse.
 */
export function unwrapJson(line: string): boolean {
  if (line.charCodeAt(0) !== 123 || line.charCodeAt(line.length - 1) !== 125) return false;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return false;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  rec.message = firstString(o, ['msg', 'message', 'Message']);
  if (rec.message === '') return false;
  const log = o.log;
  const nested = log !== null && typeof log === 'object' ? (log as Record<string, unknown>) : null;
  rec.logger = firstString(o, ['logger_name', 'logger', 'loggerName', 'log.logger', 'name']) || (nested ? firstString(nested, ['logger']) : '');
  const proc = o.process;
  const thread = proc !== null && typeof proc === 'object' ? (proc as Record<string, unknown>).thread : null;
  rec.thread =
    firstString(o, ['thread_name', 'thread', 'threadName', 'process.thread.name']) ||
    (thread !== null && typeof thread === 'object' ? firstString(thread as Record<string, unknown>, ['name']) : '');
  const t = o['@timestamp'] ?? o.timestamp ?? o.time ?? o.ts;
  rec.time = null;
  if (typeof t === 'number') rec.time = t > 1e12 ? t : t * 1000; // pino ms, bunyan/zap seconds
  else if (typeof t === 'string') {
    const ms = Date.parse(t);
    rec.time = Number.isNaN(ms) ? null : ms;
  }
  return true;
}

/**
 * Drop a `docker compose` service prefix (`web_1  | `, `api-1  | `) so a line starts where the program's
 * output starts. Cheap: only looks at the first 64 characters.
 */
export function withoutComposePrefix(line: string): string {
  const bar = line.indexOf(' | ');
  if (bar <= 0 || bar > 64 || line.charCodeAt(0) === 32) return line;
  for (let i = 0; i < bar; i++) {
    const c = line.charCodeAt(i);
    const word = c === 95 || c === 45 || c === 46 || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
    if (!word && c !== 32) return line;
  }
  return line.slice(bar + 3);
}

/**
 * The text a JSON log record stands for, as one plain line the format already reads:
 * `<ISO time> [thread] logger - message` (withLogger, for Java frameworks) or `<ISO time> message`.
 * Null when the line is not such a record.
 */
/** The line itself, or the text a JSON record carries (pino, winston, logstash-logback-encoder). */
export function plainLine(line: string, withLogger: boolean): string {
  return line.charCodeAt(0) === 123 ? (jsonRecordAsLine(line, withLogger) ?? line) : line;
}

export function jsonRecordAsLine(line: string, withLogger: boolean): string | null {
  if (!unwrapJson(line)) return null;
  const t = rec.time !== null ? new Date(rec.time).toISOString() + ' ' : '';
  if (withLogger && rec.logger !== '') return `${t}[${rec.thread}] ${rec.logger} - ${rec.message}`;
  return t + rec.message;
}

/** First words of the lines of a multi-line SQL statement (the ones a query builder or a developer breaks before). */
const CONTINUATION_WORDS = new Set([
  'from', 'where', 'and', 'or', 'join', 'inner', 'left', 'right', 'full', 'cross', 'on', 'group', 'order', 'having',
  'limit', 'offset', 'union', 'except', 'intersect', 'set', 'values', 'returning', 'select', 'with', 'as', 'when',
  'then', 'else', 'end', 'case', 'not', 'in', 'exists', 'lateral', 'using', 'window', 'for', 'fetch', 'on conflict',
  'do', 'into', 'update', 'delete', 'insert',
]);

/**
 * An unindented line that still continues a statement printed over several lines: it starts with a SQL
 * keyword (`FROM …`, `WHERE …`, `) AS t`), which application output rarely does.
 */
export function looksLikeSqlContinuation(line: string): boolean {
  const c = line.charCodeAt(0);
  if (c === 41 /* ) */ || c === 44 /* , */) return true;
  let end = 0;
  while (end < line.length && end < 12) {
    const d = line.charCodeAt(end) | 32;
    if (d < 97 || d > 122) break;
    end++;
  }
  if (end === 0 || (end < line.length && line.charCodeAt(end) !== 32 && line.charCodeAt(end) !== 40)) return false;
  return CONTINUATION_WORDS.has(line.slice(0, end).toLowerCase());
}
