/** Sequelize statement log: `Executing (default|uuid): SQL[; params]` / `Executed (…): … Elapsed time: Nms`. */
import { blankEvent, CONTROL_VERBS, defineFormat, ITERATION_MAX_WORK, type FormatContext, type LogEvent } from './types.js';
import { sharedAdvice, tallying, txKind } from './orm/events.js';
import { plainLine } from './orm/json-record.js';
import { lineIntake, looksLikeSqlContinuation } from './orm/line.js';
import { jsonParams } from './orm/params.js';
import { sniffScore } from './orm/sniff.js';
import { localTime, parseTimestamp, stamp, useLocalTime } from './orm/time.js';

const EXECUTING = 'Executing (';
const EXECUTED = 'Executed (';
const ELAPSED = ' Elapsed time: ';
/** Executing lines remembered per connection so a later Executed line of the same query is not counted twice. */
const MAX_OPEN = 64;
/** Statements held per transaction before it is passed on as a session of its own after all. */
const ROUTED_MAX_STATEMENTS = 8;
/** Transactions held at once (the oldest goes on as a session of its own past it). */
const MAX_HELD_TX = 64;
const CONTROL = new RegExp(`^\\s*(?:${CONTROL_VERBS.join('|')})\\b`, 'i');

function isSequelizeLine(line: string): boolean {
  const i = line.indexOf('xecut');
  if (i < 1) return false;
  const at = i - 1;
  return (line.startsWith(EXECUTING, at) || line.startsWith(EXECUTED, at)) && line.indexOf('): ', at) > 0;
}

/**
 * Index of the `;` that ends the SQL: Sequelize appends `; <params>` (or ` <params>` after a SQL that
 * already ends in `;`). Quotes are skipped so a `;` inside a string literal does not split.
 */
function sqlEnd(s: string): number {
  let q = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (q !== 0) {
      if (c === q) q = 0;
    } else if (c === 39 || c === 34) q = c;
    else if (c === 59) return i;
    else if (c === 36 /* $ */) {
      // Dollar quote ($$ or $tag$, as in Sequelize's upsert functions): skip to its closing tag.
      let j = i + 1;
      while (j < s.length) {
        const d = s.charCodeAt(j);
        if (!(d === 95 || (d >= 48 && d <= 57) || (d >= 65 && d <= 90) || (d >= 97 && d <= 122))) break;
        j++;
      }
      const first = s.charCodeAt(i + 1);
      if (s.charCodeAt(j) === 36 && !(first >= 48 && first <= 57)) {
        const close = s.indexOf(s.slice(i, j + 1), j + 1);
        if (close < 0) return -1;
        i = close + (j - i);
      }
    }
  }
  return -1;
}

export default defineFormat({
  id: 'sequelize',
  summary: 'Sequelize `logging` output: Executing/Executed (connection): SQL, with benchmark and logQueryParameters',
  orm: 'sequelize',
  sniff(lines) {
    return sniffScore(lines, isSequelizeLine);
  },
  create(outer: FormatContext) {
    const { ctx, facts } = tallying(outer);
    const intake = lineIntake(facts);
    const local = localTime(outer.options.logTimezone);
    // The statement waiting for its next line (an indented continuation, or its Executed twin). Kept as
    // loose variables plus the event itself, so a line costs no object beyond the event it becomes.
    let pending: LogEvent | null = null;
    let pendingText = '';
    let pendingConn = '';
    let pendingExecuted = false;
    let pendingViaDebug = false;
    // conn -> statement text of an Executing line not yet matched by its Executed line (DEBUG=sequelize:* prints both).
    const open = new Map<string, string>();
    // Sequelize names each transaction by a uuid of its own, not by its connection: findOrCreate commits each row, so
    // read by that name every iteration of a loop is a session of one transaction, and no loop shows. The small ones
    // (at most ITERATION_MAX_WORK statements of work: findOrCreate's lookup and INSERT) are held until their COMMIT
    // and passed on whole on the file's stream, where the statements outside transactions already are: the loop's
    // iterations then follow its parent query, each in its own transaction, as on one connection. Larger
    // transactions (a request's) keep their uuid session.
    const heldTx = new Map<string, { events: LogEvent[]; work: number }>();

    function release(conn: string, routed: boolean): void {
      const held = heldTx.get(conn);
      if (held === undefined) return;
      heldTx.delete(conn);
      for (const e of held.events) {
        if (routed) e.session = ctx.file;
        ctx.emit(e);
      }
    }

    function route(ev: LogEvent, conn: string): void {
      if (conn === 'default' || ev.session !== conn) {
        ctx.emit(ev);
        return;
      }
      if (ev.kind === 'begin') {
        release(conn, false);
        heldTx.set(conn, { events: [ev], work: 0 });
        if (heldTx.size > MAX_HELD_TX) release(heldTx.keys().next().value as string, false);
        return;
      }
      const held = heldTx.get(conn);
      // not held (a large transaction, or no BEGIN seen): straight on, on its own session
      if (held === undefined) {
        ctx.emit(ev);
        return;
      }
      held.events.push(ev);
      if (ev.kind === 'statement' && !CONTROL.test(ev.sql ?? '')) held.work++;
      if (ev.kind === 'commit' || ev.kind === 'rollback') {
        release(conn, held.work <= ITERATION_MAX_WORK);
      } else if (held.work > ITERATION_MAX_WORK || held.events.length > ROUTED_MAX_STATEMENTS) release(conn, false);
    }

    /** Fill the pending event from the raw text after `(conn): `. */
    function build(ev: LogEvent, text: string, conn: string, executed: boolean): void {
      let body = text;
      let duration: number | null = null;
      const el = body.lastIndexOf(ELAPSED);
      if (el >= 0 && body.endsWith('ms')) {
        const n = Number(body.slice(el + ELAPSED.length, body.length - 2));
        if (Number.isFinite(n)) {
          duration = n;
          body = body.slice(0, el);
        }
      } else if (executed) {
        // benchmark with a custom logging function: logging(msg, ms) printed as `Executed (…): SQL; 12`.
        const sp = body.lastIndexOf(' ');
        const tail = body.slice(sp + 1);
        if (sp > 0 && tail.length > 0 && tail.length < 10 && /^\d+$/.test(tail) && sqlEnd(body.slice(0, sp)) >= 0) {
          duration = Number(tail);
          body = body.slice(0, sp);
        }
      }
      let sql = body;
      let params: LogEvent['params'] = null;
      const semi = sqlEnd(body);
      if (semi >= 0) {
        const rest = body.slice(semi + 1).trim();
        if (rest === '') sql = body.slice(0, semi + 1);
        else {
          const parsed = rest.charCodeAt(0) === 123 ? jsonParams(rest) : jsonParams('[' + rest + ']');
          // Not JSON: the `;` separated two statements of a raw query, so the whole text is SQL.
          if (parsed !== null) {
            sql = body.slice(0, semi + 1);
            params = parsed;
          }
        }
      }
      sql = sql.trim();
      ev.kind = txKind(sql);
      if (conn !== 'default') {
        ev.session = conn;
        ev.tx = conn;
      }
      ev.sql = sql;
      ev.params = params;
      ev.durationMs = duration;
    }

    function flush(): void {
      if (pending === null) return;
      const ev = pending;
      pending = null;
      build(ev, pendingText, pendingConn, pendingExecuted);
      route(ev, pendingConn);
    }

    function withoutElapsed(text: string): string {
      const el = text.lastIndexOf(ELAPSED);
      return el >= 0 && text.endsWith('ms') ? text.slice(0, el) : text;
    }

    return {
      push(raw, lineNo) {
        useLocalTime(local);
        const cleaned = intake(raw);
        if (cleaned === null) return;
        const line = plainLine(cleaned, false);
        const x = line.indexOf('xecut');
        const at = x - 1;
        const executing = x >= 1 && line.startsWith(EXECUTING, at);
        const executed = !executing && x >= 1 && line.startsWith(EXECUTED, at);
        if (!executing && !executed) {
          if (pending !== null && line.length > 0 && (line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9 || looksLikeSqlContinuation(line))) {
            // An indented line right after a statement: the rest of a multi-line raw query.
            pendingText += '\n' + line;
            return;
          }
          flush();
          if (line.trim() !== '') ctx.skip(lineNo, 'not a Sequelize "Executing (…): SQL" line (application output?)');
          return;
        }
        const open0 = at + (executing ? EXECUTING.length : EXECUTED.length);
        const close = line.indexOf('): ', open0);
        if (close < 0) {
          flush();
          ctx.skip(lineNo, 'Sequelize line without "(connection): " before the SQL; the line may be cut');
          return;
        }
        const conn = line.slice(open0, close);
        let text = line.slice(close + 3);
        const viaDebug = line.lastIndexOf('sequelize:', at) >= 0;
        // The debug module (DEBUG=sequelize:*) on a terminal ends each message with the time since the last one.
        if (viaDebug) {
          const plus = text.lastIndexOf(' +');
          if (plus > 0 && /^ \+\d+(?:ms|s|m|h)$/.test(text.slice(plus))) text = text.slice(0, plus);
        }
        let time: number | null = null;
        const t0 = line.charCodeAt(0) === 91 ? 1 : 0;
        if (at > t0 && parseTimestamp(line, t0)) time = stamp.time;

        if (executed) {
          const key = withoutElapsed(text);
          if (pending !== null && pendingConn === conn && !pendingExecuted && withoutElapsed(pendingText) === key) {
            // Executed line of the statement just announced: keep one event, take its elapsed time.
            pendingText = text;
            pendingExecuted = true;
            open.delete(conn);
            return;
          }
          if (open.get(conn) === key) {
            open.delete(conn);
            return;
          }
        }
        if (executing && pending !== null && !pendingExecuted && pendingConn === conn && pendingViaDebug !== viaDebug && pendingText === text) {
          // DEBUG=sequelize:* and the logging option both print the same Executing line: one statement.
          return;
        }
        flush();
        if (executing) {
          open.delete(conn);
          open.set(conn, text);
          if (open.size > MAX_OPEN) open.delete(open.keys().next().value as string);
        }
        pending = blankEvent('statement', ctx.file, lineNo);
        pending.time = time;
        pendingText = text;
        pendingConn = conn;
        pendingExecuted = executed;
        pendingViaDebug = viaDebug;
      },
      describe() {
      const f = facts;
      const advice: string[] = sharedAdvice(f);
      if (f.statements > 0 && f.withDurations === 0) advice.push('No durations: pass benchmark: true to the Sequelize constructor (logs "Elapsed time: Nms").');
      if (f.placeholdersWithoutParams > 0) advice.push('Bound values are not logged: pass logQueryParameters: true.');
      return { ...f, advice };
      },
      end() {
        flush();
        // transactions the log never saw end: as they were, each its own session
        for (const conn of [...heldTx.keys()]) release(conn, false);
        open.clear();
      },
      // follow mode, after a quiet poll: the held statement is complete; open transactions stay open
      flush() {
        flush();
      },
    };
  },
});
