/** Hibernate statement log: `Hibernate: …` (show_sql), `org.hibernate.SQL` debug lines under any log framework prefix, bind and slow-query lines. */
import { blankEvent, defineFormat, type FormatContext, type LogEvent } from './types.js';
import { sharedAdvice, tallying, txKind } from './orm/events.js';
import { plainLine } from './orm/json-record.js';
import { lineIntake } from './orm/line.js';
import { sniffScore } from './orm/sniff.js';
import { localTime, parseTimestamp, stamp, useLocalTime } from './orm/time.js';

const BIND = 'binding parameter ';

/** Scratch result of findLogger(): the message start and the thread the framework prefix names. */
const lg = { msg: 0, thread: null as string | null, time: null as number | null, token: '' };

function isLoggerEnd(c: number): boolean {
  return Number.isNaN(c) || c === 32 || c === 9 || c === 93 || c === 58;
}

/**
 * Find `<name>` (a logger whose last segment is `name`, e.g. org.hibernate.SQL, o.h.SQL, org.hib.SQL)
 * in the first 300 characters and read the framework prefix around it:
 *   Spring Boot `2024-01-01 10:00:00.123 DEBUG 1234 --- [main] org.hibernate.SQL : msg`,
 *   logback `10:00:00.123 [http-nio-8080-exec-1] DEBUG org.hibernate.SQL - msg`,
 *   JBoss/Quarkus `10:00:00,123 DEBUG [org.hibernate.SQL] (default task-1) msg`.
 * The thread is the last `[…]` before the logger, or the `(…)` after a bracketed logger.
 */
function findLogger(line: string, name: string): boolean {
  let from = 0;
  const limit = Math.min(line.length, 300);
  while (from < limit) {
    const k = line.indexOf(name, from);
    if (k < 0 || k > limit) return false;
    from = k + 1;
    if (line.charCodeAt(k - 1) !== 46 /* . */ || !isLoggerEnd(line.charCodeAt(k + name.length))) continue;
    let s = k - 1;
    while (s > 0 && line.charCodeAt(s - 1) > 32 && line.charCodeAt(s - 1) !== 91) s--;
    lg.token = line.slice(s, k + name.length);
    const bracketed = line.charCodeAt(s - 1) === 91;
    let i = k + name.length;
    if (bracketed && line.charCodeAt(i) === 93) i++;
    lg.thread = null;
    while (i < line.length && line.charCodeAt(i) === 32) i++;
    if (bracketed && line.charCodeAt(i) === 40 /* ( */) {
      const close = line.indexOf(') ', i);
      if (close > 0) {
        lg.thread = line.slice(i + 1, close).trim();
        i = close + 1;
        while (i < line.length && line.charCodeAt(i) === 32) i++;
      }
    }
    const c = line.charCodeAt(i);
    if ((c === 58 || c === 45) && (line.charCodeAt(i + 1) === 32 || i + 1 >= line.length)) i += 2;
    lg.msg = Math.min(i, line.length);
    if (lg.thread === null) {
      // The nearest non-blank [group] before the logger: the thread, or Spring Boot 3.2+'s
      // [traceId-spanId] correlation group when tracing is on (one request, a finer session still);
      // a blank correlation group (no active span) falls back to the thread before it.
      let close = line.lastIndexOf(']', s - 1);
      for (let tries = 0; close > 0 && tries < 3 && lg.thread === null; tries++) {
        const open = line.lastIndexOf('[', close);
        if (open < 0) break;
        const t = line.slice(open + 1, close).trim();
        if (t !== '') lg.thread = t;
        close = open > 0 ? line.lastIndexOf(']', open - 1) : -1;
      }
    }
    lg.time = parseTimestamp(line, 0) ? stamp.time : null;
    return true;
  }
  return false;
}

interface Stmt {
  text: string;
  source: 'stdout' | 'logger';
  session: string;
  line: number;
  time: number | null;
  params: (string | null)[] | null;
  duration: number | null;
  /** A preceding HHH000104/HHH90003004 warning: the fetch is paged in memory, so the SQL has no LIMIT. */
  inMemoryPaging: boolean;
  /** For a show_sql statement: the logger statement printed just before it, possibly the same one. */
  twin: Stmt | null;
  /** Read from a slow-query line (logged after the statement ran). */
  fromSlowLine: boolean;
  /** Values from `extracted value` lines (result columns), capped; null when none were logged. */
  values: string[] | null;
  /** Rows counted from extracted values: each return of the first column starts a row. */
  rows: number;
  firstColumn: string | null;
}

const MAX_RESULT_VALUES = 200;
const EXTRACTED = 'extracted value ';

/** Text of a JDBC statement's toString in a slow-query line: `HikariProxyPreparedStatement@1 wrapping select …`. */
function unwrapStatement(s: string): string {
  const w = s.lastIndexOf(' wrapping ');
  if (w >= 0 && s.lastIndexOf('@', w) >= 0) return s.slice(w + 10);
  return s;
}

function normalizeWs(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export default defineFormat({
  id: 'hibernate',
  summary: 'Hibernate SQL log: show_sql `Hibernate: …`, org.hibernate.SQL debug lines (any framework prefix, format_sql), 5.x/6.x bind lines, slow queries',
  orm: 'hibernate',
  sniff(lines) {
    // format_sql continuation lines are indented and say nothing either way.
    return sniffScore(
      lines.filter((l) => l.length > 0 && l.charCodeAt(0) !== 32 && l.charCodeAt(0) !== 9),
      (l) =>
        l.startsWith('Hibernate: ') ||
        l.startsWith('[Hibernate] ') ||
        l.indexOf(BIND) >= 0 ||
        l.indexOf('org.hibernate.SQL') >= 0 ||
        l.indexOf('o.h.SQL') >= 0 ||
        l.indexOf('org.hib.SQL') >= 0 ||
        // Hibernate's startup lines (HHH000412 version banner, dialect, JTA platform) come before the
        // first statement in a Spring Boot log; they tell whose log this is when the SQL starts later.
        l.indexOf(' HHH0') >= 0 ||
        l.indexOf(': HHH') >= 0,
    );
  },
  create(outer: FormatContext) {
    const { ctx, facts } = tallying(outer);
    const intake = lineIntake(facts);
    const local = localTime(outer.options.logTimezone);
    /** Statement per session (thread) still taking bind lines. */
    const open = new Map<string, Stmt>();
    /** Statement whose header was the previous line: unprefixed indented lines continue its SQL (format_sql). */
    let cont: Stmt | null = null;
    /** The last logger-form statement started, to drop the show_sql copy of it (both switched on). */
    let lastLogger: Stmt | null = null;
    /** The statement started last, for bind lines whose thread names no open statement. */
    let lastStarted: Stmt | null = null;
    let pagingWarning = false;

    function emit(st: Stmt): void {
      const sql = st.text.trim();
      if (sql === '') return;
      const ev = blankEvent(txKind(sql), ctx.file, st.line);
      ev.time = st.time;
      ev.session = st.session;
      ev.sql = sql;
      ev.params = st.params;
      ev.durationMs = st.duration;
      if (st.values !== null) {
        ev.resultValues = st.values;
        ev.rows = st.rows;
      }
      // org.hibernate.SQL is logged before the statement runs; with a slow-log duration, stamp the end
      // (as PostgreSQL does), except for a statement read from the slow line itself, which is stamped at its end already.
      if (ev.time !== null && st.duration !== null && !st.fromSlowLine) ev.time += st.duration;
      if (st.inMemoryPaging) {
        const warn = blankEvent('other', ctx.file, st.line);
        warn.session = st.session;
        warn.time = st.time;
        warn.sql = 'HHH90003004: firstResult/maxResults specified with collection fetch; applying in memory';
        ctx.emit(warn);
      }
      ctx.emit(ev);
    }

    function close(session: string): void {
      const st = open.get(session);
      if (st === undefined) return;
      open.delete(session);
      const twin = st.twin;
      if (twin !== null && normalizeWs(twin.text) === normalizeWs(st.text) && st.line - twin.line <= 1 + countLines(twin.text)) {
        // show_sql and the org.hibernate.SQL logger both print every statement (logger first): one statement.
        return;
      }
      emit(st);
    }

    function countLines(s: string): number {
      let n = 0;
      for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
      return n;
    }

    function start(text: string, source: Stmt['source'], session: string, lineNo: number, time: number | null): Stmt {
      close(session);
      const twin = source === 'stdout' && lastLogger !== null && lastLogger.line < lineNo ? lastLogger : null;
      const st: Stmt = { text, source, session, line: lineNo, time, params: null, duration: null, inMemoryPaging: pagingWarning, twin, fromSlowLine: false, values: null, rows: 0, firstColumn: null };
      pagingWarning = false;
      open.set(session, st);
      if (source === 'logger') lastLogger = st;
      lastStarted = st;
      cont = st;
      return st;
    }

    /** Whether every `?` of the statement has its value (a statement without `?` placeholders counts as complete). */
    function rowComplete(st: Stmt): boolean {
      let marks = 0;
      for (let i = st.text.indexOf('?'); i >= 0; i = st.text.indexOf('?', i + 1)) marks++;
      return marks === 0 || (st.params !== null && st.params.length >= marks);
    }

    function bind(line: string, at: number, session: string): boolean {
      // [1] as [BIGINT] - [v]   |   (1:BIGINT) <- [v]   |   [1:BIGINT] <- [v]
      let i = at + BIND.length;
      const o = line.charCodeAt(i);
      if (o !== 91 && o !== 40) return false;
      i++;
      let idx = 0;
      const d0 = i;
      while (i < line.length) {
        const c = line.charCodeAt(i) - 48;
        if (c < 0 || c > 9) break;
        idx = idx * 10 + c;
        i++;
      }
      if (i === d0 || idx < 1 || idx > 65535) return false;
      let v = line.indexOf('<- [', i);
      let vs = v + 4;
      if (v < 0) {
        v = line.indexOf('] - [', i);
        vs = v + 5;
      }
      const ve = line.lastIndexOf(']');
      if (v < 0 || ve < vs) return false;
      const raw = line.slice(vs, ve);
      const value = raw === 'null' ? null : raw;
      // Bind lines carry the thread of their statement; show_sql statements have none, so fall back to the last one.
      let st = open.get(session);
      const last = lastStarted !== null && open.get(lastStarted.session) === lastStarted ? lastStarted : null;
      if (last !== null && last.twin !== null && open.get(last.twin.session) === last.twin && normalizeWs(last.twin.text) === normalizeWs(last.text)) {
        // show_sql copy of the logger line just before it: the binds belong to the logger's statement.
        st = last.twin;
      } else if (last !== null && (st === undefined || (last.session === ctx.file && last.line > st.line))) {
        // A show_sql statement (no thread) printed after this thread's last one: the binds are for it.
        st = last;
        if (st.session === ctx.file && session !== ctx.file) {
          // A show_sql statement learns its thread from its bind lines.
          close(session);
          open.delete(st.session);
          st.session = session;
          open.set(session, st);
        }
      }
      if (st === undefined) return false;
      if (idx === 1 && st.params !== null && st.params.length > 0 && rowComplete(st)) {
        // Parameter 1 again after every placeholder was bound: the next row of a JDBC batch, which runs the
        // same SQL once more. Before that, it is not a new row (two streams mixed, a repeated line): no statement is made up.
        const again = start(st.text, st.source, st.session, st.line, st.time);
        st = again;
      }
      if (st.params === null) st.params = [];
      while (st.params.length < idx - 1) st.params.push(null);
      st.params[idx - 1] = value;
      return true;
    }

    return {
      push(raw, lineNo) {
        useLocalTime(local);
        const cleaned = intake(raw);
        if (cleaned === null) return;
        const line = plainLine(cleaned, true);
        // 1. Continuation of a format_sql statement: indented, no prefix.
        if (cont !== null && (line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9) && !line.startsWith('\tat ') && line.indexOf(BIND) < 0) {
          cont.text += (cont.text === '' ? '' : '\n') + line;
          return;
        }
        if (line.trim() === '') return;
        cont = null;

        // 2. show_sql: `Hibernate: sql` (highlight_sql prints `[Hibernate] sql`).
        let h = line.indexOf('Hibernate: ');
        let hl = 11;
        if (h < 0) {
          h = line.indexOf('[Hibernate] ');
          hl = 12;
        }
        if (h >= 0 && (h === 0 || line.charCodeAt(h - 1) === 32)) {
          start(line.slice(h + hl), 'stdout', ctx.file, lineNo, parseTimestamp(line, 0) ? stamp.time : null);
          return;
        }

        // 3. Bind lines (5.x BasicBinder, 6.x org.hibernate.orm.jdbc.bind).
        const b = line.indexOf(BIND);
        if (b >= 0) {
          const session = findLogger(line, 'BasicBinder') || findLogger(line, 'bind') ? (lg.thread ?? ctx.file) : ctx.file;
          if (!bind(line, b, session)) ctx.skip(lineNo, 'Hibernate bind line with no statement before it, or an unknown bind format');
          return;
        }

        // 3b. Result values (5.x BasicExtractor `extracted value ([id1_0_] : [BIGINT]) - [1]`,
        // 6.x org.hibernate.orm.jdbc.extract `extracted value (1:BIGINT) -> [1]`).
        const x = line.indexOf(EXTRACTED);
        if (x >= 0) {
          const session = findLogger(line, 'BasicExtractor') || findLogger(line, 'extract') ? (lg.thread ?? ctx.file) : ctx.file;
          const st = open.get(session) ?? (lastStarted !== null && open.get(lastStarted.session) === lastStarted ? lastStarted : undefined);
          const ks = x + EXTRACTED.length + 1;
          let ke = line.indexOf(':', ks);
          let v = line.indexOf(') -> [', ks);
          let vs = v + 6;
          if (v < 0) {
            v = line.indexOf(') - [', ks);
            vs = v + 5;
            ke = line.indexOf(' : ', ks);
          }
          const ve = line.lastIndexOf(']');
          if (st === undefined || v < 0 || ke < 0 || ve < vs) {
            ctx.skip(lineNo, 'Hibernate "extracted value" line with no statement before it');
            return;
          }
          const column = line.slice(ks, ke);
          if (st.firstColumn === null) st.firstColumn = column;
          if (column === st.firstColumn) st.rows++;
          if (st.values === null) st.values = [];
          const value = line.slice(vs, ve);
          // SQL NULL cannot be a key a later statement looks up, so it is not kept as a result value.
          if (st.values.length < MAX_RESULT_VALUES && value !== 'null') st.values.push(value);
          return;
        }

        // 4. Slow query: 6.x `Slow query took N milliseconds [sql]`, 5.4 `SlowQuery: N milliseconds. SQL: 'sql'`.
        let slowMs = -1;
        let slowSql = '';
        const s6 = line.indexOf('Slow query took ');
        const s5 = s6 < 0 ? line.indexOf('SlowQuery: ') : -1;
        if (s6 >= 0) {
          const m = line.indexOf(' milliseconds [', s6);
          if (m > 0 && line.endsWith(']')) {
            slowMs = Number(line.slice(s6 + 16, m));
            slowSql = line.slice(m + 15, -1);
          }
        } else if (s5 >= 0) {
          const m = line.indexOf(" milliseconds. SQL: '", s5);
          if (m > 0 && line.endsWith("'")) {
            slowMs = Number(line.slice(s5 + 11, m));
            slowSql = line.slice(m + 21, -1);
          }
        }
        if (slowMs >= 0 && Number.isFinite(slowMs)) {
          const sql = unwrapStatement(slowSql);
          const session = findLogger(line, 'SQL_SLOW') ? (lg.thread ?? ctx.file) : ctx.file;
          const st = open.get(session) ?? (lastStarted !== null && open.get(lastStarted.session) === lastStarted ? lastStarted : undefined);
          if (st !== undefined && normalizeWs(st.text) === normalizeWs(sql)) {
            st.duration = slowMs;
            return;
          }
          // Only the slow log is on (or the SQL was printed long ago): the slow line is the statement.
          const ns = start(sql, 'logger', session, lineNo, parseTimestamp(line, 0) ? stamp.time : null);
          ns.duration = slowMs;
          ns.fromSlowLine = true;
          return;
        }

        // 5. The org.hibernate.SQL logger under a framework prefix.
        if (findLogger(line, 'SQL')) {
          start(line.slice(lg.msg), 'logger', lg.thread ?? ctx.file, lineNo, lg.time);
          return;
        }

        // 6. Paging a collection fetch in memory: the next statement has no LIMIT on purpose.
        if (line.indexOf('HHH000104') >= 0 || line.indexOf('HHH90003004') >= 0) {
          pagingWarning = true;
          return;
        }

        // 7. Transaction boundaries where Hibernate's or Spring's transaction logger is at DEBUG.
        if (findLogger(line, 'TransactionImpl') || findLogger(line, 'JpaTransactionManager')) {
          const msg = line.slice(lg.msg);
          let kind: LogEvent['kind'] | null = null;
          if (msg === 'begin' || msg.startsWith('Creating new transaction with name')) kind = 'begin';
          else if (msg === 'committing' || msg === 'Initiating transaction commit') kind = 'commit';
          else if (msg === 'rolling back' || msg === 'Initiating transaction rollback') kind = 'rollback';
          if (kind !== null) {
            const session = lg.thread ?? ctx.file;
            close(session);
            const ev = blankEvent(kind, ctx.file, lineNo);
            ev.session = session;
            ev.time = lg.time;
            ev.sql = kind === 'begin' ? 'BEGIN' : kind === 'commit' ? 'COMMIT' : 'ROLLBACK';
            ctx.emit(ev);
            return;
          }
        }
        ctx.skip(lineNo, 'not a Hibernate SQL, bind or slow-query line (other application log output?)');
      },
      describe() {
      const f = facts;
      const advice: string[] = sharedAdvice(f);
      if (f.placeholdersWithoutParams > 0)
        advice.push('Statements with ? but no bind lines: set org.hibernate.orm.jdbc.bind=TRACE (Hibernate 6) or org.hibernate.type.descriptor.sql.BasicBinder=TRACE (Hibernate 5).');
      if (f.statements > 0 && f.withDurations === 0) advice.push('Hibernate logs durations only in the slow-query log (hibernate.log_slow_query, org.hibernate.SQL_SLOW).');
      return { ...f, advice };
      },
      end() {
        for (const session of [...open.keys()]) close(session);
        cont = null;
      },
    };
  },
});
