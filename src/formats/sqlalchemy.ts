/** SQLAlchemy 1.4/2.0 engine log (echo=True / echo="debug" / the `sqlalchemy.engine` logger), with or without a logging prefix. */
import { blankEvent, defineFormat, type FormatContext, type LogEvent } from './types.js';
import { cleanLine } from './orm/line.js';
import { isDateAt, readStamp } from './orm/time.js';
import { parsePyParams, pushRowValues } from './orm/python-repr.js';

/*
 * What SQLAlchemy writes (lib/sqlalchemy/engine/base.py, cursor.py), one logging record each:
 *   <statement, possibly many lines>            _log_info(statement)
 *   [<badge>] <repr of params>                   _log_info("[%s] %r", stats, params)
 *   BEGIN (implicit) | COMMIT | ROLLBACK         (+ "… using DBAPI …" / "(implicit; DBAPI should not BEGIN …)" in autocommit)
 *   Col ('id', 'name')  /  Row (1, 'x')          echo="debug" only, while the application fetches
 * A `logging_token` execution option prefixes each message with `[token] `; we use it as the session.
 *
 * Decisions:
 * - An executemany (the params repr is a list/tuple of parameter sets) is ONE event: it is one
 *   cursor.executemany() call, which is also what SQLAlchemy's before_cursor_execute hook counts.
 *   The event carries the first parameter set; rows stay null. describe() reports how many there were.
 *   A 2.0 insertmanyvalues batch is logged (and executed) as its own statement, so each is an event.
 * - Durations are not in this log (the badge time is compile time or cache age), so durationMs is null.
 * - The logging prefix's asctime carries no zone: it is read as UTC (see readStamp).
 * - With two handlers on the logger (echo=True plus a root handler), each record appears twice in a
 *   row; identical consecutive records are folded into one.
 */

const ROW_VALUE_CAP = 1000;

/** Words a statement can start with, for lines that carry no logger name to tell us they are SQL. */
const SQL_START = new Set([
  'select', 'insert', 'update', 'delete', 'with', 'create', 'drop', 'alter', 'savepoint', 'release', 'rollback',
  'show', 'set', 'pragma', 'truncate', 'copy', 'call', 'explain', 'values', 'grant', 'revoke', 'lock', 'do',
  'comment', 'analyze', 'vacuum', 'refresh', 'listen', 'notify', 'unlisten', 'declare', 'fetch', 'close',
  'prepare', 'execute', 'deallocate', 'reset', 'discard', 'merge', 'table', 'begin', 'commit', 'start', 'end',
]);

/** Commands of other databases SQLAlchemy talks to, accepted after an engine logger name. */
const OTHER_SQL_START = new Set(['abort', 'checkpoint', 'cluster', 'reindex', 'reassign', 'security', 'import', 'load', 'move', 'use', 'describe', 'desc', 'replace', 'rename', 'attach', 'detach', 'optimize', 'kill', 'upsert']);

/** Whether an engine message can be a statement's first line: a command word, a parenthesis or a comment. */
function startsStatement(msg: string): boolean {
  const w = firstWord(msg);
  if (w === '(' || SQL_START.has(w) || OTHER_SQL_START.has(w)) return true;
  const t = msg.trimStart();
  return t.startsWith('/*') || t.startsWith('--');
}

const LEVELS = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

/** Where the message starts after a logging prefix naming `sqlalchemy.engine…`, or -1. */
function engineMessageStart(line: string): number {
  const at = line.indexOf('sqlalchemy.engine');
  if (at < 0 || at > 120) return -1;
  if (at > 0) {
    const b = line.charCodeAt(at - 1);
    if (b !== 32 && b !== 58 && b !== 91 && b !== 9 && b !== 40 && b !== 124) return -1; // ' ' ':' '[' tab '(' '|'
  }
  let i = at + 17;
  // the rest of the logger name (`.Engine`, `.base.Engine`) ends at punctuation or a space; a control byte or
  // other damage right after it means the line is not one of ours (its remains must not become a statement)
  for (let c = line.charCodeAt(i); (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 95; c = line.charCodeAt(++i));
  if (i < line.length) {
    const c = line.charCodeAt(i);
    if ((c < 32 && c !== 9) || c > 126) return -1;
  }
  while (i < line.length && line.charCodeAt(i) !== 32 && line.charCodeAt(i) !== 58 && line.charCodeAt(i) !== 93 && line.charCodeAt(i) !== 41) i++;
  // pytest's caplog format: `name:file.py:123 message`
  if (line.charCodeAt(i) === 58) {
    const sp = line.indexOf(' ', i);
    const colon = line.indexOf(':', i + 1);
    if (colon > 0 && (sp < 0 || colon < sp) && line.slice(i + 1, colon).endsWith('.py')) i = sp < 0 ? line.length : sp;
  }
  i = skipSeparators(line, i);
  // fields a logging format puts after the name: the level (`name - INFO - msg`, the Python docs' format) and
  // the thread in brackets before a colon (`name (MainThread): msg`); a message's own `[raw sql]` badge is kept
  for (let field = 0; field < 3; field++) {
    const next = fieldEnd(line, i);
    if (next < 0) break;
    i = skipSeparators(line, next);
  }
  return i;
}

function skipSeparators(line: string, from: number): number {
  let i = from;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 58 && c !== 93 && c !== 41 && c !== 9 && c !== 45 && c !== 124) break;
    // a `-` only separates when spaced (`name - msg`); otherwise it may begin the message
    if (c === 45 && line.charCodeAt(i + 1) !== 32) break;
    i++;
  }
  return i;
}

/** End of a logging field at `at` (a level word, or `(…)`/`[…]` before a colon or ` - `), or -1 when the message starts there. */
function fieldEnd(line: string, at: number): number {
  for (const l of LEVELS) {
    if (!line.startsWith(l, at)) continue;
    const c = line.charCodeAt(at + l.length);
    if (c === 32 || c === 58 || c === 93 || c === 9) return at + l.length;
  }
  const open = line.charCodeAt(at);
  if (open === 40 || open === 91) {
    const close = line.indexOf(open === 40 ? ')' : ']', at + 1);
    // a field ends at a colon or a spaced separator (`(Thread-2): `, `(Thread-2) - `, `[worker] | `)
    const next = line.charCodeAt(close + 1);
    const spaced = next === 32 && (line.charCodeAt(close + 2) === 45 || line.charCodeAt(close + 2) === 124) && line.charCodeAt(close + 3) === 32;
    if (close > at && close - at <= 64 && (next === 58 || spaced)) return close + 1;
  }
  return -1;
}

/** True when a line starts a record of some logger (a date, or `LEVEL:`/`LEVEL `), so it is no SQL continuation. */
function isRecordStart(line: string): boolean {
  if (isDateAt(line, 0) || (line.charCodeAt(0) === 91 && isDateAt(line, 1))) return true;
  for (const l of LEVELS) {
    if (line.startsWith(l) && (line.charCodeAt(l.length) === 58 || line.charCodeAt(l.length) === 32)) return true;
  }
  return false;
}

function firstWord(s: string): string {
  let i = 0;
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  if (s.charCodeAt(i) === 40) return '(';
  const start = i;
  while (i < s.length) {
    const c = s.charCodeAt(i) | 0x20;
    if (c < 97 || c > 122) break;
    i++;
  }
  return s.slice(start, i).toLowerCase();
}

type TxKind = 'begin' | 'commit' | 'rollback';
function txKind(msg: string): TxKind | null {
  if (msg.startsWith('BEGIN (implicit') || msg.startsWith('BEGIN TWOPHASE (implicit')) return 'begin';
  if (msg === 'COMMIT' || msg.startsWith('COMMIT using DBAPI')) return 'commit';
  if (msg === 'ROLLBACK' || msg.startsWith('ROLLBACK using DBAPI')) return 'rollback';
  return null;
}

/** Badge words that open a params line; anything else in leading brackets is a logging_token. */
function isBadge(inner: string): boolean {
  return (
    inner.startsWith('generated in') ||
    inner.startsWith('cached since') ||
    inner.startsWith('raw sql') ||
    inner.startsWith('no key') ||
    inner.startsWith('caching disabled') ||
    inner.startsWith('dialect ') ||
    inner.startsWith('insertmanyvalues') ||
    inner.startsWith('SQL parameters hidden') ||
    inner.startsWith('SQL parameters')
  );
}

interface Pending {
  lines: string[];
  line: number;
  time: number | null;
  session: string;
}

/**
 * What one writer (a thread, or a logging_token) has open: a statement waiting for its params line, a
 * statement that never got one, and the last complete statement while its Col/Row lines arrive.
 */
interface Stream {
  cur: Pending | null;
  orphan: Pending | null;
  held: LogEvent | null;
  colSeen: boolean;
  rowCount: number;
  values: string[];
  rowsDoubled: boolean;
  rowToggle: boolean;
}

function newStream(): Stream {
  return { cur: null, orphan: null, held: null, colSeen: false, rowCount: 0, values: [], rowsDoubled: false, rowToggle: false };
}

/** Streams kept at once; past it the least recently used one is finished (its statements emitted). */
const MAX_STREAMS = 256;

/**
 * Who wrote a record, from the logging prefix before the logger name: what is left of it without the
 * timestamp, the level name and other numbers (msecs, relativeCreated, the process id). With
 * `%(threadName)s` or `%(thread)d` in the format that is the thread (`Thread-3 (worker)`, `MainThread`,
 * `140234567890123`); with neither it is usually '' (or a constant), which keeps one stream for the file.
 * Several threads write one log at once and their records interleave, so a statement is paired with the
 * next params line of the same writer, not with the next params line.
 */
function writerKey(line: string, from: number, to: number): string {
  if (to <= from) return '';
  let key = '';
  let i = from;
  while (i < to) {
    while (i < to && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    let j = i;
    while (j < to && line.charCodeAt(j) !== 32 && line.charCodeAt(j) !== 9) j++;
    let a = i;
    let b = j;
    // surrounding punctuation of a field: [name], (name), name:, name -, |
    while (a < b && PUNCT.indexOf(line[a]!) >= 0) a++;
    while (b > a && PUNCT.indexOf(line[b - 1]!) >= 0) b--;
    i = j;
    if (a >= b) continue;
    const tok = line.slice(a, b);
    if (LEVELS.includes(tok) || tok.startsWith('sqlalchemy.engine')) continue;
    if (isNumberish(tok) && !isThreadId(tok)) continue;
    key = key === '' ? tok : key + ' ' + tok;
  }
  return key;
}

const PUNCT = '[]():,|-<>{}';

/** Digits with time/date separators only: a time, a date, msecs, a counter. */
function isNumberish(t: string): boolean {
  for (let k = 0; k < t.length; k++) {
    const c = t.charCodeAt(k);
    if (!((c >= 48 && c <= 57) || c === 46 || c === 58 || c === 44 || c === 47 || c === 45)) return false;
  }
  return true;
}

/** `%(thread)d`: Python's thread ident, a large integer (a pthread_t address on Linux). */
function isThreadId(t: string): boolean {
  if (t.length < 8) return false;
  for (let k = 0; k < t.length; k++) {
    const c = t.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

function create(ctx: FormatContext) {
  let prefixed = false;
  /** Open state per writer (see writerKey); '' is the one stream of a log without thread names. */
  const streams = new Map<string, Stream>();
  /** The stream of the current writer: the one the last record went to (its continuation lines too). */
  let s: Stream = newStream();
  streams.set('', s);
  /** Last message and its writer, to fold a record written twice by two handlers. */
  let lastMsg = '';
  let lastKey = '';
  let lastMsgLine = -1;
  /** After a record of another logger, its continuation lines belong to it. */
  let inOther = false;
  let statements = 0;
  let executemany = 0;
  let executemanySets = 0;
  let paramsUnread = 0;
  let writers = 0;
  /** A Col/Row line was seen: statements wait for their rows, even while other writers go on. */
  let rowsSeen = false;

  /** Make the stream of `key` current (LRU order kept by re-inserting). */
  function use(key: string): void {
    let st = streams.get(key);
    if (st === undefined) {
      st = newStream();
      if (key !== '') writers++;
      if (streams.size >= MAX_STREAMS) {
        const oldest = streams.keys().next().value!;
        const was = s;
        s = streams.get(oldest)!;
        finishStream();
        s = was;
        streams.delete(oldest);
      }
    } else streams.delete(key);
    streams.set(key, st);
    // a statement is held only for the Col/Row lines of echo="debug"; without them, leaving its writer
    // lets it go, so events come out in the order of the log's lines
    if (st !== s && !rowsSeen) flushHeld();
    s = st;
  }

  function flushHeld(): void {
    if (!s.held) return;
    if (s.colSeen) {
      s.held.rows = s.rowCount;
      s.held.resultValues = s.values;
    }
    ctx.emit(s.held);
    s.held = null;
    s.colSeen = false;
    s.rowCount = 0;
    s.values = [];
    s.rowsDoubled = false;
  }

  /** The statement of a finished record, or null (counted as skipped) when its text cannot be one: a damaged record. */
  function statementEvent(p: Pending): LogEvent | null {
    const ev = blankEvent('statement', ctx.file, p.line);
    ev.time = p.time;
    ev.session = p.session;
    let lines = p.lines;
    // an unprefixed record written twice arrives as its lines twice over
    if (lines.length % 2 === 0 && lines.length > 0) {
      const h = lines.length / 2;
      let same = true;
      for (let k = 0; k < h && same; k++) same = lines[k] === lines[k + h];
      if (same) lines = lines.slice(0, h);
    }
    ev.sql = lines.join('\n');
    // DDL starts on the line after the logger name: the first line may be empty, the statement may not
    if (!startsStatement(ev.sql.trimStart())) {
      ctx.skip(p.line, 'sqlalchemy.engine record that is neither SQL nor parameters, rows or BEGIN/COMMIT (damaged?)');
      return null;
    }
    statements++;
    return ev;
  }

  /** A statement whose params line is missing: emit it on its own (the log was cut or filtered). */
  function flushOrphan(): void {
    if (!s.orphan) return;
    flushHeld();
    s.held = statementEvent(s.orphan);
    s.orphan = null;
  }

  function flushCur(): void {
    if (!s.cur) return;
    s.orphan = s.cur;
    s.cur = null;
    flushOrphan();
  }

  function finishStream(): void {
    flushCur();
    flushOrphan();
    flushHeld();
  }

  function onParams(msg: string, badgeEnd: number, lineNo: number, dup: boolean): void {
    if (!s.cur) {
      if (dup) return; // the same params line again: a doubled handler
      ctx.skip(lineNo, 'SQLAlchemy parameters line with no statement before it (was the statement line cut from the log?)');
      return;
    }
    if (s.orphan) {
      if (s.orphan.lines.join('\n') === s.cur.lines.join('\n')) s.orphan = null; // doubled record
      else flushOrphan();
    }
    flushHeld();
    const ev = statementEvent(s.cur);
    s.cur = null;
    if (ev === null) return;
    const rest = msg.slice(badgeEnd + 1).trim();
    if (rest.length > 0 && rest.charCodeAt(0) !== 91 /* [SQL parameters hidden …] */) {
      const p = parsePyParams(rest);
      if (p) {
        ev.params = p.params;
        if (p.sets > 1) {
          executemany++;
          executemanySets += p.sets;
        }
      } else paramsUnread++;
    }
    s.held = ev;
  }

  /** One logging record's first line (after any prefix), or one line of an unprefixed log; `writer` from its prefix. */
  function onMessage(raw: string, lineNo: number, time: number | null, hasPrefix: boolean, writer: string): void {
    let msg = raw;
    let session = writer === '' ? ctx.file : writer;
    let token = '';
    let badgeEnd = -1;
    if (msg.charCodeAt(0) === 91) {
      const close = msg.indexOf(']');
      if (close > 0) {
        if (isBadge(msg.slice(1, close))) badgeEnd = close;
        else if (msg.charCodeAt(close + 1) === 32) {
          // logging_token (or a thread name written after the logger name): `[token] message`
          token = msg.slice(1, close);
          session = token;
          msg = msg.slice(close + 2);
          if (msg.charCodeAt(0) === 91) {
            const c2 = msg.indexOf(']');
            if (c2 > 0 && isBadge(msg.slice(1, c2))) badgeEnd = c2;
          }
        }
      }
    }
    // a logging_token (or a thread name after the logger name) marks the writer as well: one execution's
    // statement and params lines carry the same one
    const key = token === '' ? writer : writer + '\u0000' + token;
    if (hasPrefix) use(key);
    const dup = msg === lastMsg && key === lastKey && lineNo === lastMsgLine + 1;
    lastMsg = msg;
    lastKey = key;
    lastMsgLine = lineNo;

    if (badgeEnd > 0) {
      onParams(msg, badgeEnd, lineNo, dup);
      return;
    }
    if (msg.startsWith('Col (') || msg.startsWith('Row (')) {
      rowsSeen = true;
      if (!s.held) {
        if (!dup) ctx.skip(lineNo, 'SQLAlchemy result row with no statement before it');
        return;
      }
      if (msg.charCodeAt(0) === 67 /* C */) {
        if (s.colSeen && dup) s.rowsDoubled = true;
        s.colSeen = true;
        s.rowToggle = false;
        return;
      }
      if (s.rowsDoubled) {
        s.rowToggle = !s.rowToggle;
        if (!s.rowToggle) return;
      }
      s.colSeen = true;
      s.rowCount++;
      if (s.values.length < ROW_VALUE_CAP) pushRowValues(msg.slice(4), s.values, ROW_VALUE_CAP);
      return;
    }
    const tx = txKind(msg);
    if (tx) {
      if (dup) return; // BEGIN/COMMIT/ROLLBACK never repeat back to back: a second handler wrote it
      flushCur();
      flushHeld();
      const ev = blankEvent(tx, ctx.file, lineNo);
      ev.time = time;
      ev.session = session;
      ev.sql = tx === 'begin' ? 'BEGIN' : tx === 'commit' ? 'COMMIT' : 'ROLLBACK';
      ctx.emit(ev);
      return;
    }
    if (!hasPrefix && !SQL_START.has(firstWord(msg))) {
      ctx.skip(lineNo, 'not a SQLAlchemy engine log line (no sqlalchemy.engine logger name and no SQL keyword)');
      return;
    }
    if (hasPrefix && msg.trim() !== '' && !startsStatement(msg)) {
      // the engine logs statements, parameters, rows and transaction words: anything else is a damaged line,
      // and the lines that continue it are not ours either
      inOther = true;
      ctx.skip(lineNo, 'sqlalchemy.engine line that is neither SQL nor parameters, rows or BEGIN/COMMIT (damaged?)');
      return;
    }
    if (s.cur) {
      // a second statement before the first one's params: keep it to compare (doubled handler) or emit alone
      if (s.orphan) flushOrphan();
      s.orphan = s.cur;
    }
    s.cur = { lines: [msg], line: lineNo, time, session };
  }

  return {
    push(text: string, lineNo: number): void {
      const line = cleanLine(text, 'python');
      const at = engineMessageStart(line);
      if (at >= 0) {
        prefixed = true;
        inOther = false;
        const sf = line.charCodeAt(0) === 91 ? 1 : 0;
        const st = readStamp(line, sf);
        const nameAt = line.indexOf('sqlalchemy.engine');
        // the thread may also stand after the logger name (`sqlalchemy.engine.Engine (Thread-2): …`)
        const before = writerKey(line, st ? st.end : 0, nameAt);
        const after = writerKey(line, nameAt, at);
        onMessage(line.slice(at), lineNo, st ? st.ms : null, true, after === '' ? before : before === '' ? after : `${before} ${after}`);
        return;
      }
      if (line.length === 0) {
        // blank lines inside a statement (SQLAlchemy's DDL ends with two) are part of it; elsewhere nothing
        if (s.cur) s.cur.lines.push(line);
        return;
      }
      if (isRecordStart(line)) {
        // another logger's record (sqlalchemy.pool, the application…): not SQL, and its continuation lines neither
        inOther = true;
        if (line.indexOf('sqlalchemy.') < 0) ctx.skip(lineNo, 'record of another logger, not sqlalchemy.engine');
        return;
      }
      if (inOther) {
        // after another logger's record (or a damaged one), its continuation lines belong to it, not to our statement
        ctx.skip(lineNo, 'continuation of another logger\'s record');
        return;
      }
      if (s.cur) {
        // continuation of a multi-line statement; a params/tx/row line without prefix ends it in unprefixed logs
        if (!prefixed && (line.charCodeAt(0) === 91 || txKind(line) || line.startsWith('Col (') || line.startsWith('Row ('))) {
          onMessage(line, lineNo, null, false, '');
          return;
        }
        s.cur.lines.push(line);
        return;
      }
      onMessage(line, lineNo, null, false, '');
    },
    end(): void {
      for (const st of streams.values()) {
        s = st;
        finishStream();
      }
    },
    describe(): Record<string, unknown> {
      const d: Record<string, unknown> = { prefixed, statements, executemany, executemanySets, paramsUnread, durations: false };
      if (writers > 1) d.writers = writers; // threads (or logging tokens) whose records were paired apart
      return d;
    },
  };
}

export default defineFormat({
  id: 'sqlalchemy',
  summary: 'SQLAlchemy engine log (echo=True/"debug", sqlalchemy.engine logger): statements, params, BEGIN/COMMIT, rows',
  orm: 'SQLAlchemy',
  sniff(lines: string[]): number {
    let engine = 0;
    let badges = 0;
    let tx = 0;
    let n = 0;
    for (const raw of lines) {
      const line = cleanLine(raw, 'python');
      if (line.length === 0) continue;
      n++;
      if (engineMessageStart(line) >= 0) engine++;
      const b = line.indexOf('[generated in ') >= 0 || line.indexOf('[cached since ') >= 0 || line.indexOf('[raw sql] ') >= 0 || line.indexOf('[no key ') >= 0 || line.indexOf('[SQL parameters hidden') >= 0 || line.indexOf('[insertmanyvalues ') >= 0;
      if (b) badges++;
      if (line.endsWith('BEGIN (implicit)')) tx++;
    }
    if (n === 0) return 0;
    if (engine > 0) return Math.min(1, 0.7 + 0.3 * (engine / n) + (badges > 0 ? 0.1 : 0));
    if (badges > 0) return Math.min(0.9, 0.6 + 0.1 * badges + 0.1 * tx);
    if (tx > 0) return 0.4;
    return 0;
  },
  create,
});
