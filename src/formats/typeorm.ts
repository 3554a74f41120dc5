/** TypeORM query log: console `query: SQL -- PARAMETERS: […]`, slow/failed variants, and the file logger's `[time][QUERY]: …` (CRLF). */
import { blankEvent, defineFormat, type FormatContext, type LogEvent } from './types.js';
import { sharedAdvice, tallying, txKind } from './orm/events.js';
import { plainLine } from './orm/json-record.js';
import { lineIntake, looksLikeSqlContinuation } from './orm/line.js';
import { inspectParams, jsonParams } from './orm/params.js';
import { sniffScore } from './orm/sniff.js';
import { localTime, parseTimestamp, stamp, useLocalTime } from './orm/time.js';

const PARAMS = ' -- PARAMETERS: ';

type Tag = 'query' | 'slow' | 'exectime' | 'failed' | 'error' | null;

/** Scratch result of classify(): where the message starts and, for the file logger, the slow time. */
const hit = { tag: null as Tag, at: 0, time: null as number | null, slowMs: null as number | null };

/**
 * Find a TypeORM prefix in the line. Console loggers print `query: `, `query is slow: `, `execution time: `,
 * `query failed: `, `error: ` (maybe after a framework prefix); the file logger prints
 * `[ISO][QUERY]: `, `[ISO][SLOW QUERY: N ms]: `, `[ISO][FAILED QUERY]: `, `[ISO][QUERY ERROR]: `.
 */
function classify(line: string): boolean {
  hit.tag = null;
  hit.time = null;
  hit.slowMs = null;
  let i = 0;
  if (line.charCodeAt(0) === 91 && parseTimestamp(line, 1) && line.charCodeAt(stamp.end) === 93) {
    hit.time = stamp.time;
    i = stamp.end + 1;
  } else if (parseTimestamp(line, 0)) {
    hit.time = stamp.time;
  }
  if (line.charCodeAt(i) === 91 /* [ */) {
    const close = line.indexOf(']: ', i);
    if (close > 0 && close - i < 40) {
      const tag = line.slice(i + 1, close);
      hit.at = close + 3;
      if (tag === 'QUERY') hit.tag = 'query';
      else if (tag === 'FAILED QUERY') hit.tag = 'failed';
      else if (tag === 'QUERY ERROR' || tag === 'ERROR') hit.tag = 'error';
      else if (tag.startsWith('SLOW QUERY: ') && tag.endsWith(' ms')) {
        hit.tag = 'slow';
        const n = Number(tag.slice(12, -3));
        hit.slowMs = Number.isFinite(n) ? n : null;
      }
      if (hit.tag !== null) return true;
    }
    // Some other bracketed prefix ([Nest] …): look for the console form further on.
  }
  const q = line.indexOf('query', i);
  if (q >= 0) {
    if (line.startsWith('query: ', q)) {
      hit.tag = 'query';
      hit.at = q + 7;
    } else if (line.startsWith('query is slow: ', q)) {
      hit.tag = 'slow';
      hit.at = q + 15;
    } else if (line.startsWith('query failed: ', q)) {
      hit.tag = 'failed';
      hit.at = q + 14;
    }
    // A prefix before `query` must end in a space or bracket (a framework prefix), not be part of a word.
    if (hit.tag !== null && q > 0) {
      const c = line.charCodeAt(q - 1);
      if (c !== 32 && c !== 93 && c !== 58) hit.tag = null;
    }
    // `query: 'SELECT …',` is a key of a Node-inspected object (a Prisma query event printed with
    // console.log(e)); TypeORM prints the SQL itself, which never starts with a quote.
    if (hit.tag === 'query') {
      const c = line.charCodeAt(hit.at);
      if (c === 39 || c === 96) hit.tag = null;
    }
    if (hit.tag !== null) return true;
  }
  if (line.startsWith('execution time: ', i)) {
    hit.tag = 'exectime';
    hit.at = i + 16;
    return true;
  }
  if (line.startsWith('error: ', i)) {
    hit.tag = 'error';
    hit.at = i + 7;
    return true;
  }
  return false;
}

/** Scratch result of debugMessage(): the line's time from the debug module, when it printed one. */
const dbg = { time: null as number | null };

/**
 * `logger: 'debug'` prints through the debug module: `typeorm:query:log query: SQL +0ms` on a terminal,
 * `2024-…Z typeorm:query:log query: SQL` elsewhere, and parameters on their own `parameters: [ … ]` line.
 * Returns the message without namespace and time delta, or null when the line is not from it.
 */
function debugMessage(line: string): string | null {
  const ns = line.indexOf('typeorm:');
  if (ns < 0 || ns > 40) return null;
  dbg.time = parseTimestamp(line, 0) ? stamp.time : null;
  const sp = line.indexOf(' ', ns);
  if (sp < 0) return null;
  let end = line.length;
  const plus = line.lastIndexOf(' +');
  if (plus > sp) {
    let j = plus + 2;
    const d0 = j;
    while (j < line.length && line.charCodeAt(j) >= 48 && line.charCodeAt(j) <= 57) j++;
    const unit = line.slice(j);
    if (j > d0 && (unit === 'ms' || unit === 's' || unit === 'm' || unit === 'h')) end = plus;
  }
  return line.slice(sp + 1, end);
}

/** Bare first line of a formatted statement (formatSql puts `SELECT` alone on its first line). */
function isBareKeyword(sql: string): boolean {
  if (sql.length === 0 || sql.length > 20) return false;
  for (let i = 0; i < sql.length; i++) {
    const c = sql.charCodeAt(i);
    if (!(c === 32 || (c >= 65 && c <= 90))) return false;
  }
  return txKind(sql) === 'statement';
}

/** Scratch result of split(): SQL and parameters of one logged statement. */
const parts = { sql: '', params: null as LogEvent['params'] };

/** Separate ` -- PARAMETERS: [json]` from the SQL, trying later markers first (a value may contain the marker). */
function split(text: string): void {
  let p = text.lastIndexOf(PARAMS);
  while (p >= 0) {
    const params = jsonParams(text.slice(p + PARAMS.length));
    if (params !== null) {
      parts.sql = text.slice(0, p);
      parts.params = params;
      return;
    }
    p = p === 0 ? -1 : text.lastIndexOf(PARAMS, p - 1);
  }
  parts.sql = text;
  parts.params = null;
}

export default defineFormat({
  id: 'typeorm',
  summary: 'TypeORM logger output (console `query: …` and the file logger `[QUERY]: …`), with parameters, slow and failed queries',
  orm: 'typeorm',
  sniff(lines) {
    return sniffScore(lines, (l) => classify(l) && hit.tag !== 'error' && hit.tag !== 'exectime');
  },
  create(outer: FormatContext) {
    const { ctx, facts } = tallying(outer);
    const intake = lineIntake(facts);
    const local = localTime(outer.options.logTimezone);
    // The statement being read: its event, raw text, and whether formatted lines may still follow.
    let pending: LogEvent | null = null;
    let pendingText = '';
    let pendingOpen = false;
    let slowWaiting = false;
    /** The error event of a `query failed` line, waiting for its `error:` line to give the message. */
    let failed: LogEvent | null = null;

    function flush(): void {
      if (pending === null) return;
      const ev = pending;
      pending = null;
      split(pendingText);
      ev.sql = parts.sql.trim();
      ev.kind = txKind(ev.sql);
      // The debug logger puts parameters on their own line (already set); the others append them.
      if (ev.params === null) ev.params = parts.params;
      // TypeORM logs a query before running it; with a known run time, stamp the event at its end,
      // as PostgreSQL and the other formats do, so gaps between statements stay right.
      if (ev.time !== null && ev.durationMs !== null) ev.time += ev.durationMs;
      ctx.emit(ev);
    }

    function flushFailed(message: string | null): void {
      if (failed === null) return;
      const ev = failed;
      failed = null;
      ev.sql = message ?? 'query failed';
      ctx.emit(ev);
    }

    return {
      push(raw, lineNo) {
        useLocalTime(local);
        const cleaned = intake(raw);
        if (cleaned === null) return;
        let line = plainLine(cleaned, false);
        const fromDebug = debugMessage(line);
        if (fromDebug !== null) {
          if (fromDebug.startsWith('parameters: ')) {
            if (pending !== null && pending.params === null) {
              const params = inspectParams(fromDebug.slice(12));
              if (params !== null) {
                pending.params = params;
                return;
              }
            }
            ctx.skip(lineNo, 'TypeORM debug "parameters:" line with no statement before it, or values that are not plain');
            return;
          }
          line = fromDebug;
        }
        if (!classify(line)) {
          // A formatted statement's next line, or an indented line of a raw multi-line query.
          const indented = line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9 || looksLikeSqlContinuation(line);
          if (pending !== null && (pendingOpen || (indented && pending.params === null && pendingText.indexOf(PARAMS) < 0)) && line.trim() !== '') {
            pendingText += '\n' + line;
            if (line.indexOf(PARAMS) >= 0) pendingOpen = false;
            return;
          }
          if (line.trim() === '') {
            // The file logger leaves an empty CRLF line after each slow query.
            pendingOpen = false;
            return;
          }
          flush();
          // The file logger's other records and TypeORM's own messages: read, and not statements.
          if (line.indexOf('[LOG]: ') >= 0 || line.indexOf('[INFO]: ') >= 0 || line.indexOf('[WARN]: ') >= 0) return;
          ctx.skip(lineNo, 'not a TypeORM logger line (expected "query: …" or "[QUERY]: …"; application output?)');
          return;
        }
        const msg = line.slice(hit.at);
        switch (hit.tag) {
          case 'query': {
            flush();
            flushFailed(null);
            slowWaiting = false;
            pending = blankEvent('statement', ctx.file, lineNo);
            pending.time = fromDebug !== null ? dbg.time : hit.time;
            pendingText = msg;
            pendingOpen = msg.trim() === '' || isBareKeyword(msg.trim());
            return;
          }
          case 'slow': {
            // The statement was logged (and counted) before it ran; this line only adds its execution time.
            pendingOpen = false;
            // Only the statement still held can take the time; an emitted event is never changed afterwards.
            if (pending !== null) {
              split(msg);
              const sql = parts.sql.trim();
              split(pendingText);
              if (parts.sql.trim() === sql) {
                if (hit.slowMs !== null) pending.durationMs = hit.slowMs;
                else slowWaiting = true;
              }
            }
            return;
          }
          case 'exectime': {
            if (slowWaiting) {
              const n = Number(msg.trim());
              if (Number.isFinite(n)) {
                if (pending !== null) pending.durationMs = n;
              }
              slowWaiting = false;
            }
            return;
          }
          case 'failed': {
            flush();
            flushFailed(null);
            failed = blankEvent('error', ctx.file, lineNo);
            failed.time = hit.time;
            return;
          }
          case 'error': {
            flush();
            if (failed !== null) flushFailed(msg);
            else {
              const ev = blankEvent('error', ctx.file, lineNo);
              ev.time = hit.time;
              ev.sql = msg;
              ctx.emit(ev);
            }
            return;
          }
          default:
            return;
        }
      },
      describe() {
      const f = facts;
      const advice: string[] = sharedAdvice(f);
      if (f.statements > 0 && f.withDurations < f.statements) advice.push('TypeORM logs a duration only for queries slower than maxQueryExecutionTime ("query is slow").');
      return { ...f, advice };
      },
      end() {
        flush();
        flushFailed(null);
      },
    };
  },
});
