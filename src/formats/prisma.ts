/** Prisma query log: stdout `prisma:query SQL`, query events as JSON lines, and the docs' `Query:`/`Params:`/`Duration:` handler output. */
import { blankEvent, defineFormat, type FormatContext, type LogEvent } from './types.js';
import { sharedAdvice, tallying, txKind } from './orm/events.js';
import { plainLine } from './orm/json-record.js';
import { lineIntake, looksLikeSqlContinuation } from './orm/line.js';
import { inspectObject, jsonParams } from './orm/params.js';
import { sniffScore } from './orm/sniff.js';
import { localTime, parseTimestamp, stamp, useLocalTime } from './orm/time.js';

const STDOUT = 'prisma:query ';

/** `Model.action` from a Prisma 7 sqlcommenter tag `prismaQuery='User.findMany:<shape>'`, else null. */
export function prismaQueryTag(sql: string): string | null {
  const k = sql.lastIndexOf("prismaQuery='");
  if (k < 0) return null;
  const start = k + 13;
  let end = start;
  while (end < sql.length) {
    const c = sql.charCodeAt(end);
    if (c === 39 || c === 58) break; // ' or :
    end++;
  }
  const tag = sql.slice(start, end);
  // The value may be URL-encoded per the sqlcommenter spec.
  try {
    return tag === '' ? null : decodeURIComponent(tag);
  } catch {
    return tag;
  }
}

/** Keys of a query event as util.inspect prints them, one per line: `  query: 'SELECT …',`. */
const INSPECT_KEYS = ['timestamp: ', 'query: ', 'params: ', 'duration: ', 'target: '];

/** A line of a query event printed with console.log(e) (Node's util.inspect), or its one-line form. */
function isInspectLine(l: string): boolean {
  const t = l.trimStart();
  if (t.startsWith('{ timestamp: ') || t.startsWith('{ query: ')) return t.indexOf(' query: ') >= 0;
  for (const k of INSPECT_KEYS) {
    if (!t.startsWith(k)) continue;
    const c = t.charCodeAt(k.length);
    if (k === 'timestamp: ') return c >= 48 && c <= 57;
    if (k === 'duration: ') return c >= 48 && c <= 57;
    return c === 39 || c === 34 || c === 96;
  }
  return false;
}

function isPrismaLine(l: string): boolean {
  if (l.indexOf(STDOUT) >= 0) return true;
  if (isInspectLine(l)) return true;
  if (l.indexOf('"query"') >= 0 && l.indexOf('"duration"') >= 0) return true;
  if (l.startsWith('Query: ') || l.indexOf(' Query: ') >= 0) return true;
  // The rest of the docs handler's output: `Params: [..]` and `Duration: Nms`.
  const p = l.indexOf('Params: [');
  if (p === 0 || (p > 0 && l.charCodeAt(p - 1) === 32)) return true;
  const d = l.indexOf('Duration: ');
  return (d === 0 || (d > 0 && l.charCodeAt(d - 1) === 32)) && l.indexOf('ms', d) > d;
}

/** The debug module (`debug('prisma:events')`) on a terminal ends each message with ` +Nms`; drop it. */
function withoutDebugDelta(line: string): string {
  if (line.indexOf('prisma:') < 0) return line;
  const plus = line.lastIndexOf(' +');
  if (plus < 0) return line;
  let j = plus + 2;
  const d0 = j;
  while (j < line.length && line.charCodeAt(j) >= 48 && line.charCodeAt(j) <= 57) j++;
  if (j === d0) return line;
  const unit = line.slice(j);
  return unit === 'ms' || unit === 's' || unit === 'm' || unit === 'h' ? line.slice(0, plus) : line;
}

export default defineFormat({
  id: 'prisma',
  summary: 'Prisma Client query log: `prisma:query …` on stdout, query events ($on("query")) as JSON or as the docs’ Query/Params/Duration lines',
  orm: 'prisma',
  sniff(lines) {
    return sniffScore(lines, isPrismaLine);
  },
  create(outer: FormatContext) {
    const { ctx, facts } = tallying(outer);
    const intake = lineIntake(facts);
    const local = localTime(outer.options.logTimezone);
    /** A `Query:` line of the docs handler, waiting for its Params and Duration lines. */
    let pending: LogEvent | null = null;
    /** The pending statement came from a `prisma:query` line (not the docs handler's Query: line). */
    let pendingStdout = false;

    function statement(sql: string, lineNo: number, time: number | null): LogEvent {
      const ev = blankEvent('statement', ctx.file, lineNo);
      ev.time = time;
      ev.sql = sql;
      return ev;
    }

    function emit(ev: LogEvent): void {
      const sql = (ev.sql ?? '').trim();
      ev.sql = sql;
      ev.kind = txKind(sql);
      ev.callSite = prismaQueryTag(sql);
      ctx.emit(ev);
    }

    function flush(): void {
      if (pending !== null) emit(pending);
      pending = null;
    }

    function lineTime(line: string): number | null {
      if (parseTimestamp(line, 0)) return stamp.time;
      if (line.charCodeAt(0) === 91 && parseTimestamp(line, 1)) return stamp.time;
      return null;
    }

    function fromJson(line: string, at: number, lineNo: number): boolean {
      let obj: unknown;
      try {
        obj = JSON.parse(line.slice(at));
      } catch {
        return false;
      }
      if (obj === null || typeof obj !== 'object') return false;
      return fromEvent(obj as Record<string, unknown>, lineNo);
    }

    /** A query event's fields ({ timestamp, query, params, duration, target }) as JSON or inspect printed them. */
    function fromEvent(o: Record<string, unknown>, lineNo: number): boolean {
      if (typeof o.query !== 'string') return false;
      let time: number | null = null;
      const ts = o.timestamp ?? o.time;
      if (typeof ts === 'string') {
        const t = Date.parse(ts);
        time = Number.isNaN(t) ? null : t;
      } else if (typeof ts === 'number') time = ts;
      let params: LogEvent['params'] = null;
      if (typeof o.params === 'string') params = jsonParams(o.params);
      else if (Array.isArray(o.params)) params = jsonParams(JSON.stringify(o.params));
      const duration = typeof o.duration === 'number' ? o.duration : typeof o.duration === 'string' ? Number(o.duration) : null;
      const ev = statement(o.query, lineNo, time);
      ev.params = params;
      ev.durationMs = duration !== null && Number.isFinite(duration) ? duration : null;
      emit(ev);
      return true;
    }

    /** The lines of a query event printed by console.log(e) over several lines, from `{` to `}`. */
    let obj: string[] | null = null;
    let objLines: number[] = [];
    const MAX_OBJECT_LINES = 64;

    /** Read a complete inspected object; false when it is not a query event. */
    function fromInspect(text: string, lineNo: number): boolean {
      const o = inspectObject(text);
      if (o === null || o.query === undefined) return false;
      const ev: Record<string, unknown> = { query: o.query, params: o.params, timestamp: o.timestamp };
      if (o.duration !== undefined) ev.duration = Number(o.duration);
      return fromEvent(ev, lineNo);
    }

    /** Handle the line as (part of) an inspected query event; false when it is not one. */
    function inspected(line: string, lineNo: number): boolean {
      const t = line.trim();
      if (obj !== null) {
        obj.push(line);
        objLines.push(lineNo);
        if (t === '}' || t === '},') {
          const text = obj.join('\n').replace(/,\s*$/, '');
          obj = null;
          if (!fromInspect(text, objLines[0]!)) for (const n of objLines) ctx.skip(n, 'not a Prisma query log line (a printed object without a query key)');
        } else if (obj.length > MAX_OBJECT_LINES) {
          for (const n of objLines) ctx.skip(n, `not a Prisma query log line (a printed object longer than ${MAX_OBJECT_LINES} lines without its closing brace)`);
          obj = null;
        }
        return true;
      }
      if (t === '{') {
        flush();
        obj = [line];
        objLines = [lineNo];
        return true;
      }
      if (t.charCodeAt(0) === 123 && t.charCodeAt(1) === 32 && isInspectLine(t)) {
        flush();
        if (!fromInspect(t.replace(/,$/, ''), lineNo)) ctx.skip(lineNo, 'Prisma query event printed on one line that could not be read');
        return true;
      }
      return false;
    }

    return {
      push(raw, lineNo) {
        useLocalTime(local);
        const cleaned = intake(raw);
        if (cleaned === null) return;
        if (inspected(cleaned, lineNo)) return;
        // A structured logger's record whose message is the stdout text (`{"msg":"prisma:query …"}`);
        // Prisma's own query event JSON (it has a "query" key) is read as it is.
        let line = cleaned.indexOf('"query"') < 0 ? plainLine(cleaned, false) : cleaned;
        const q = line.indexOf(STDOUT);
        if (q >= 0) {
          flush();
          // Held for one line: a $queryRaw template literal prints its SQL over several lines.
          pending = statement(line.slice(q + STDOUT.length), lineNo, lineTime(line));
          pendingStdout = true;
          return;
        }
        if (pending !== null && pendingStdout) {
          if (line.length > 0 && (line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9 || looksLikeSqlContinuation(line) || (pending.sql ?? '').trim() === '')) {
            pending.sql += '\n' + line;
            return;
          }
          flush();
        }
        const brace = line.indexOf('{"');
        if (brace >= 0 && line.indexOf('"query"', brace) > 0) {
          flush();
          if (!fromJson(line, brace, lineNo)) ctx.skip(lineNo, 'Prisma query event that is not one complete JSON object on the line (was it cut or pretty-printed?)');
          return;
        }
        // The handler from Prisma's logging docs: console.log('Query: ' + e.query), then Params, then Duration.
        line = withoutDebugDelta(line);
        const qi = line.indexOf('Query: ');
        if (qi >= 0 && (qi === 0 || line.charCodeAt(qi - 1) === 32)) {
          flush();
          pending = statement(line.slice(qi + 7), lineNo, lineTime(line));
          pendingStdout = false;
          return;
        }
        if (pending !== null) {
          const pi = line.indexOf('Params: ');
          if (pi >= 0) {
            pending.params = jsonParams(line.slice(pi + 8).trim());
            return;
          }
          const di = line.indexOf('Duration: ');
          if (di >= 0) {
            const rest = line.slice(di + 10).trim();
            const n = Number(rest.endsWith('ms') ? rest.slice(0, -2) : rest);
            if (Number.isFinite(n)) pending.durationMs = n;
            flush();
            return;
          }
        }
        if (line.trim() === '' || line.startsWith('-----')) return;
        flush();
        // Prisma's other stdout levels: info and warn are not statements; an error follows the query that failed.
        if (line.indexOf('prisma:info ') >= 0 || line.indexOf('prisma:warn ') >= 0) return;
        const pe = line.indexOf('prisma:error ');
        if (pe >= 0) {
          const ev = blankEvent('error', ctx.file, lineNo);
          ev.time = lineTime(line);
          ev.sql = line.slice(pe + 13).trim();
          ctx.emit(ev);
          return;
        }
        ctx.skip(lineNo, 'not a Prisma query log line (expected "prisma:query …" or a query event)');
      },
      describe() {
      const f = facts;
      const advice: string[] = sharedAdvice(f);
      if (f.statements > 0 && f.withParams === 0 && f.withDurations === 0)
        advice.push("prisma:query lines carry no parameters or durations: log: [{ emit: 'event', level: 'query' }] and print each event with JSON.stringify(e).");
      return { ...f, advice };
      },
      end() {
        if (obj !== null) for (const n of objLines) ctx.skip(n, 'a printed object cut before its closing brace (log cut?)');
        obj = null;
        flush();
      },
      // follow mode, after a quiet poll: the query's params line would have come with it
      flush() {
        flush();
      },
    };
  },
});
