/** GORM logger output: `2021/05/14 11:36:28 /app/repo.go:98` then `[0.773ms] [rows:1] SQL` (v2, colored or not), and GORM v1's `(file.go:12)` form. */
import { blankEvent, defineFormat, type FormatContext, type LogEvent } from './types.js';
import { sharedAdvice, tallying, txKind } from './orm/events.js';
import { lineIntake, skipSpaces } from './orm/line.js';
import { sniffScore } from './orm/sniff.js';
import { localTime, parseTimestamp, stamp, useLocalTime } from './orm/time.js';

/** Scratch result of readTrace(): `[<ms>ms] [rows:<n>|-] <sql>`. */
const tr = { ms: 0, rows: null as number | null, sql: 0 };

function readTrace(line: string, i: number): boolean {
  if (line.charCodeAt(i) !== 91) return false;
  const e = line.indexOf('ms] [rows:', i);
  if (e < 0 || e - i > 20) return false;
  const ms = Number(line.slice(i + 1, e));
  if (!Number.isFinite(ms)) return false;
  const rs = e + 10;
  const re = line.indexOf(']', rs);
  if (re < 0) return false;
  const rowsText = line.slice(rs, re);
  const rows = rowsText === '-' ? null : Number(rowsText);
  tr.ms = ms;
  tr.rows = rows !== null && Number.isInteger(rows) ? rows : null;
  tr.sql = skipSpaces(line, re + 1);
  return true;
}

/** End of a `path/file.go:123` token starting at i, or -1. */
function goFileEnd(line: string, i: number): number {
  let j = line.indexOf('.go:', i);
  if (j < 0) return -1;
  // No spaces inside the path token.
  const sp = line.indexOf(' ', i);
  if (sp >= 0 && sp < j) return -1;
  j += 4;
  const d0 = j;
  while (j < line.length) {
    const c = line.charCodeAt(j);
    if (c < 48 || c > 57) break;
    j++;
  }
  return j > d0 ? j : -1;
}

function isGormLine(l: string): boolean {
  let i = 0;
  if (parseTimestamp(l, 0)) i = skipSpaces(l, stamp.end);
  if (readTrace(l, i)) return true;
  if (i > 0 && goFileEnd(l, i) > 0) return true;
  return l.charCodeAt(0) === 40 && goFileEnd(l, 1) > 0;
}

interface Header {
  time: number | null;
  callSite: string;
  /** Error text after the call site (`record not found`, a driver error); null for info and slow records. */
  error: string | null;
  /** A `SLOW SQL >= …` record (what GORM's default Warn level prints). */
  slow: boolean;
  line: number;
}

export default defineFormat({
  id: 'gorm',
  summary: 'GORM logger: `<time> <file.go:line> [SLOW SQL|error]` then `[ms] [rows:n] SQL`, ANSI colors stripped; GORM v1 `(file.go:line)` records',
  orm: 'gorm',
  sniff(lines) {
    return sniffScore(lines, isGormLine);
  },
  create(outer: FormatContext) {
    const { ctx, facts } = tallying(outer);
    const intake = lineIntake(facts);
    const local = localTime(outer.options.logTimezone);
    // One reusable header slot: header.line === -1 means none (no object per record).
    const header: Header = { time: null, callSite: '', error: null, slow: false, line: -1 };
    let slowOnly = 0;
    /** GORM v1 prints the rows line after the SQL, so its statement waits one line. */
    let v1: { time: number | null; callSite: string | null; ms: number; sql: string; line: number } | null = null;

    /** The statement of the last trace line (and its error), held one line for indented SQL continuation. */
    let held: LogEvent | null = null;
    let heldError: LogEvent | null = null;

    function flushHeld(): void {
      if (held === null) return;
      ctx.emit(held);
      held = null;
      if (heldError !== null) ctx.emit(heldError);
      heldError = null;
    }

    function flushV1(rows: number | null): void {
      if (v1 === null) return;
      const ev = blankEvent(txKind(v1.sql), ctx.file, v1.line);
      ev.time = v1.time;
      ev.sql = v1.sql;
      ev.durationMs = v1.ms;
      ev.rows = rows;
      ev.callSite = v1.callSite;
      v1 = null;
      ctx.emit(ev);
    }

    return {
      push(raw, lineNo) {
        useLocalTime(local);
        const line = intake(raw);
        if (line === null) return;
        if (held !== null) {
          // Raw SQL from a Go raw string keeps its newlines: indented lines continue the statement.
          if (line.length > 0 && (line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9) && line.trim() !== '') {
            held.sql += '\n' + line;
            return;
          }
          flushHeld();
        }
        if (line.trim() === '') return; // GORM's writer starts every record with "\r\n"
        if (v1 !== null) {
          // v1: `[1 rows affected or returned ]`
          if (line.charCodeAt(0) === 91 && line.indexOf(' rows affected or returned') > 0) {
            const n = Number(line.slice(1, line.indexOf(' ')));
            flushV1(Number.isInteger(n) ? n : null);
            return;
          }
          flushV1(null);
        }
        let i = 0;
        let time: number | null = null;
        if (parseTimestamp(line, 0)) {
          time = stamp.time;
          i = skipSpaces(line, stamp.end);
        }
        if (readTrace(line, i)) {
          const h = header.line !== -1 && header.line === lineNo - 1 ? header : null;
          const sql = line.slice(tr.sql);
          const ev = blankEvent(txKind(sql), ctx.file, lineNo);
          ev.time = h !== null ? h.time : time;
          ev.sql = sql;
          ev.durationMs = tr.ms;
          ev.rows = tr.rows;
          ev.callSite = h !== null ? h.callSite : null;
          if (h !== null && h.slow) slowOnly++;
          held = ev;
          if (h !== null && h.error !== null) {
            heldError = blankEvent('error', ctx.file, lineNo);
            heldError.time = ev.time;
            heldError.sql = h.error;
            heldError.callSite = h.callSite;
          }
          header.line = -1;
          return;
        }
        const fe = line.charCodeAt(i) === 40 ? -1 : goFileEnd(line, i);
        if (fe > 0) {
          const rest = line.slice(fe).trim();
          header.time = time;
          header.callSite = line.slice(i, fe);
          header.slow = rest.startsWith('SLOW SQL');
          header.error = rest === '' || header.slow ? null : rest;
          header.line = lineNo;
          return;
        }
        // [error] lines of a Logger.Error call under a call-site header.
        if (header.line !== -1 && line.startsWith('[error] ', i)) {
          const ev = blankEvent('error', ctx.file, lineNo);
          ev.time = header.time;
          ev.sql = line.slice(i + 8);
          ev.callSite = header.callSite;
          header.line = -1;
          ctx.emit(ev);
          return;
        }
        if (header.line !== -1 && (line.startsWith('[info] ', i) || line.startsWith('[warn] ', i))) {
          header.line = -1;
          return;
        }
        // GORM v1: `(/app/main.go:30)` then `[2020-03-05 11:14:31]  [1.01ms]  SELECT …`
        if (line.charCodeAt(0) === 40) {
          const e = goFileEnd(line, 1);
          if (e > 0 && line.charCodeAt(e) === 41) {
            header.time = null;
            header.callSite = line.slice(1, e);
            header.error = null;
            header.slow = false;
            header.line = lineNo;
            return;
          }
        }
        if (line.charCodeAt(0) === 91 && parseTimestamp(line, 1) && line.charCodeAt(stamp.end) === 93) {
          const t = stamp.time;
          const j = skipSpaces(line, stamp.end + 1);
          const me = line.indexOf('ms]', j);
          if (line.charCodeAt(j) === 91 && me > j) {
            const ms = Number(line.slice(j + 1, me));
            const h = header.line !== -1 && header.line === lineNo - 1 ? header : null;
            header.line = -1;
            v1 = { time: t, callSite: h !== null ? h.callSite : null, ms: Number.isFinite(ms) ? ms : 0, sql: line.slice(skipSpaces(line, me + 3)).trimEnd(), line: lineNo };
            return;
          }
        }
        header.line = -1;
        ctx.skip(lineNo, 'not a GORM log line (expected "file.go:N" then "[ms] [rows:n] SQL"); application output?');
      },
      describe() {
      const f = facts;
      const advice: string[] = sharedAdvice(f);
      if (f.statements > 0 && f.statements === slowOnly) advice.push('Only SLOW SQL records: GORM logs every statement only at Info level (db.Debug() or logger LogLevel: logger.Info).');
      if (f.placeholdersWithoutParams > 0)
        advice.push('Statements with placeholders and no values: logger.Config ParameterizedQueries is on; turn it off to see the keys each loop used.');
      return { ...f, advice };
      },
      end() {
        flushHeld();
        flushV1(null);
      },
      // follow mode, after a quiet poll: the held statement's error or rows line would have come with it
      flush() {
        flushHeld();
        flushV1(null);
      },
    };
  },
});
