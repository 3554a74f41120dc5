/**
 * What a PostgreSQL log entry means, whatever wraps it (stderr prefix, syslog, csvlog, jsonlog):
 * statements from `duration: … statement/execute`, `statement:` + `duration:` pairs, DETAIL parameters,
 * ERROR + STATEMENT, connections. Shared by every PostgreSQL format so they count statements alike.
 */
import { englishConnectionMessage, englishSeverity, MessageTranslator } from './pg-locale.js';
import { detach } from '../input/lines.js';
import { RecentMap } from './recent-map.js';
import { blankEvent, MAX_DURATION_HOLD_MS, MAX_HOLD_MS, MAX_OPEN_SESSIONS, type FormatContext, type LogEvent } from './types.js';

/** The prefix fields of one entry; formats reuse one object for every entry. */
export interface PgFields {
  line: number;
  time: number | null;
  session: string;
  tx: string | null;
  user: string | null;
  database: string | null;
  application: string | null;
  client: string | null;
}

export function emptyFields(file: string): PgFields {
  return { line: 0, time: null, session: file, tx: null, user: null, database: null, application: null, client: null };
}

export const ENGLISH_SEVERITIES: ReadonlySet<string> = new Set([
  'LOG', 'ERROR', 'WARNING', 'FATAL', 'PANIC', 'DETAIL', 'HINT', 'CONTEXT', 'STATEMENT', 'NOTICE', 'INFO',
  'DEBUG', 'DEBUG1', 'DEBUG2', 'DEBUG3', 'DEBUG4', 'DEBUG5', 'QUERY', 'LOCATION',
]);

/**
 * Where a message starts in `text`, given where it would without a SQLSTATE: with log_error_verbosity = verbose,
 * stderr and syslog write one (five digits or capitals, `00000`, `42P01`) and `: ` before it.
 */
export function messageStart(text: string, at: number): number {
  if (text.charCodeAt(at + 5) !== 58 || text.charCodeAt(at + 6) !== 32) return at;
  for (let i = at; i < at + 5; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90))) return at;
  }
  return at + 7;
}

export function isSeverity(word: string): boolean {
  // translated severities too: a server with lc_messages=de writes FEHLER, ru writes СООБЩЕНИЕ for LOG
  return ENGLISH_SEVERITIES.has(word) || englishSeverity(word) !== undefined;
}

/**
 * A LOG entry's message in English when it is a `connection received`, `connection authorized` or `disconnection`
 * line, else null: the readers keep sessions by these lines, and a server with lc_messages other than English writes
 * them translated (severity too).
 */
export function connectionMessage(severity: string, message: string): string | null {
  if (severity === 'LOG') return message.startsWith('connection ') || message.startsWith('disconnection:') ? message : null;
  return englishSeverity(severity) === 'LOG' ? englishConnectionMessage(message) : null;
}

/** English messages the interpreter reads; anything else in a LOG/DETAIL entry may be a translation of one. */
const ENGLISH_HEADS = ['duration: ', 'statement: ', 'execute ', 'parse ', 'bind ', 'parameters: ', 'connection ', 'disconnection: '];

/** Whether the message starts with one of ENGLISH_HEADS; the two of nearly every line are tried first. */
function isEnglishHead(message: string): boolean {
  if (message.startsWith('duration: ') || message.startsWith('parameters: ')) return true;
  for (const h of ENGLISH_HEADS) if (message.startsWith(h)) return true;
  return false;
}

/** What the log shows it carries; doctor and inputs[] report these. */
export interface PgLogFacts {
  durationStatements: number;
  plainStatements: number;
  durationOnly: number;
  extendedExecutes: number;
  parseBindLines: number;
  parameterDetails: number;
  errors: number;
  connections: number;
  nonEnglishEntries: number;
  firstNonEnglish: string | null;
}

/** One per session with a statement waiting; dropped once the statement is emitted. */
interface PendingStatement {
  event: LogEvent;
  /** From `statement:`/`execute` without a duration: a later `duration:` line of the session completes it. */
  awaitingDuration: boolean;
}

/** A held event in the order it was logged, to release it once the log's clock has moved past it. */
interface Held {
  session: string;
  event: LogEvent;
  /** Log time from which on it is emitted as it is. */
  until: number;
}

/** Held events in log order, from `head` on (one queue per hold length, so each stays in order). */
class HoldQueue {
  private items: Held[] = [];
  private head = 0;

  push(h: Held): void {
    this.items.push(h);
  }

  /** Take the events due by `now`, oldest first. */
  *due(now: number): Generator<Held> {
    while (this.head < this.items.length && this.items[this.head]!.until <= now) yield this.items[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

/** Parses the message part of PostgreSQL entries and emits LogEvents through ctx. */
export class PgMessageInterpreter {
  readonly facts: PgLogFacts = {
    durationStatements: 0, plainStatements: 0, durationOnly: 0, extendedExecutes: 0, parseBindLines: 0,
    parameterDetails: 0, errors: 0, connections: 0, nonEnglishEntries: 0, firstNonEnglish: null,
  };
  private readonly pending = new Map<string, PendingStatement>();
  private readonly pendingError = new Map<string, LogEvent>();
  /** application_name learnt from `connection authorized` lines, for prefixes without %a (at most MAX_OPEN_SESSIONS). */
  private readonly sessionApp = new RecentMap<string>(MAX_OPEN_SESSIONS);
  private readonly translator = new MessageTranslator();
  /**
   * Held statements and errors by log time: the last statement of a session would otherwise wait for that
   * session's next entry, which may come much later or never (no disconnection lines), and land in another unit.
   */
  private readonly shortHolds = new HoldQueue();
  private readonly longHolds = new HoldQueue();
  private clock = -Infinity;
  private releasedAt = -Infinity;
  /** Held events emitted early because more than MAX_OPEN_SESSIONS sessions held one (untimed logs). */
  private droppedHolds = 0;

  /** Sessions whose state was dropped at MAX_OPEN_SESSIONS (an application name, a held statement). */
  get droppedSessions(): number {
    return this.droppedHolds + this.sessionApp.dropped;
  }

  /**
   * `freshStrings`: the format hands over strings of their own (JSON.parse's), not slices of the decoded
   * window, so what is kept of them need not be copied.
   */
  constructor(
    private readonly ctx: FormatContext,
    private readonly freshStrings = false,
  ) {}

  /** Emit what is held for longer than its hold as of log time `now` (every 100 ms of log time). */
  private tick(now: number): void {
    if (now > this.clock) this.clock = now;
    if (this.clock - this.releasedAt < 100) return;
    this.releasedAt = this.clock;
    this.releaseDue(this.clock);
  }

  private releaseDue(now: number): void {
    for (const q of [this.shortHolds, this.longHolds]) {
      for (const h of q.due(now)) {
        const p = this.pending.get(h.session);
        if (p !== undefined && p.event === h.event) {
          this.pending.delete(h.session);
          this.ctx.emit(h.event);
        }
        if (this.pendingError.get(h.session) === h.event) {
          this.pendingError.delete(h.session);
          this.ctx.emit(h.event);
        }
      }
    }
  }

  /** Remember an event held for `session` so that the clock can release it. */
  private hold(session: string, ev: LogEvent, awaitingDuration: boolean): void {
    if (ev.time === null) return;
    // a `statement:` line waits for its `duration:` line only in logs that write such lines
    const long = awaitingDuration && this.facts.durationOnly > 0;
    (long ? this.longHolds : this.shortHolds).push({ session, event: ev, until: ev.time + (long ? MAX_DURATION_HOLD_MS : MAX_HOLD_MS) });
  }

  /**
   * One log entry. `detail`/`statementField` are given by formats that carry them in the same record
   * (csvlog, jsonlog); stderr sends DETAIL and STATEMENT as entries of their own.
   */
  entry(f: PgFields, severity: string, message: string, detail: string | null = null, statementField: string | null = null): void {
    if (f.time !== null) this.tick(f.time);
    if (!ENGLISH_SEVERITIES.has(severity)) {
      const en = englishSeverity(severity);
      if (en !== undefined) {
        this.facts.nonEnglishEntries++;
        this.facts.firstNonEnglish ??= severity;
        severity = en;
      }
    }
    // lc_messages other than English: statements, durations and parameters are read from the translation
    if ((severity === 'LOG' || severity === 'DETAIL') && !isEnglishHead(message)) {
      const t = this.translator.translate(message);
      if (t !== null) {
        this.facts.nonEnglishEntries++;
        this.facts.firstNonEnglish ??= this.translator.language;
        message = t;
      }
    }
    if (detail !== null && !detail.startsWith('parameters: ')) detail = this.translator.translate(detail) ?? detail;
    switch (severity) {
      case 'LOG':
        this.log(f, message, detail);
        return;
      case 'DETAIL':
        this.detail(f.session, message);
        return;
      case 'STATEMENT': {
        const err = this.pendingError.get(f.session);
        if (err) {
          err.sql = message;
          this.pendingError.delete(f.session);
          this.ctx.emit(err);
        }
        return;
      }
      case 'ERROR':
      case 'FATAL':
      case 'PANIC': {
        this.facts.errors++;
        this.flushSession(f.session);
        const ev = this.event('error', f);
        ev.sql = statementField;
        if (statementField !== null) this.ctx.emit(ev);
        else {
          this.pendingError.set(f.session, ev);
          this.hold(f.session, ev, false);
          if (this.pendingError.size > MAX_OPEN_SESSIONS) this.emitOldestError();
        }
        return;
      }
      default:
        if (!ENGLISH_SEVERITIES.has(severity)) {
          this.facts.nonEnglishEntries++;
          this.facts.firstNonEnglish ??= `${severity}: ${message.slice(0, 60)}`;
        }
    }
  }

  /** Emit everything still waiting (end of input). */
  end(): void {
    for (const p of this.pending.values()) this.ctx.emit(p.event);
    this.pending.clear();
    for (const e of this.pendingError.values()) this.ctx.emit(e);
    this.pendingError.clear();
    this.shortHolds.clear();
    this.longHolds.clear();
  }

  /** Emit what one session still holds, e.g. when it disconnects. */
  flushSession(session: string): void {
    const p = this.pending.get(session);
    if (p !== undefined) {
      this.pending.delete(session);
      this.ctx.emit(p.event);
    }
    const e = this.pendingError.get(session);
    if (e) {
      this.pendingError.delete(session);
      this.ctx.emit(e);
    }
  }

  private event(kind: LogEvent['kind'], f: PgFields): LogEvent {
    const ev = blankEvent(kind, this.ctx.file, f.line);
    ev.time = f.time;
    ev.session = f.session;
    ev.tx = f.tx;
    ev.user = f.user;
    ev.database = f.database;
    // without a session key (the file stands for it) the application of the last connection is not this line's
    ev.application = f.application ?? (f.session !== this.ctx.file ? this.sessionApp.get(f.session) : undefined) ?? null;
    ev.client = f.client;
    return ev;
  }

  private log(f: PgFields, message: string, detail: string | null): void {
    if (message.startsWith('duration: ')) {
      const msEnd = message.indexOf(' ms', 10);
      const duration = msEnd > 0 ? parseDecimal(message, 10, msEnd) : NaN;
      const rest = msEnd > 0 ? msEnd + 3 : message.length;
      if (rest >= message.length) {
        // log_duration line: completes the session's `statement:` line
        this.facts.durationOnly++;
        const p = this.pending.get(f.session);
        if (p !== undefined && p.awaitingDuration) {
          const ev = p.event;
          ev.durationMs = Number.isFinite(duration) ? duration : null;
          this.pending.delete(f.session);
          this.ctx.emit(ev);
        }
        return;
      }
      // after "ms" come two spaces, then "statement: ", "execute x: ", "parse x: ", "bind x: "
      let i = rest;
      while (message.charCodeAt(i) === 32) i++;
      this.statement(f, message, i, Number.isFinite(duration) ? duration : null, detail, true);
      return;
    }
    if (message.startsWith('statement: ') || message.startsWith('execute ') || message.startsWith('parse ') || message.startsWith('bind ')) {
      this.statement(f, message, 0, null, detail, false);
      return;
    }
    if (message.startsWith('connection authorized: ')) {
      this.facts.connections++;
      const app = valueAfter(message, 'application_name=');
      if (app !== null) this.sessionApp.set(f.session, detach(app));
      const ev = this.event('connect', f);
      if (ev.application === null && app !== null) ev.application = app;
      this.ctx.emit(ev);
      return;
    }
    if (message.startsWith('disconnection: ')) {
      this.flushSession(f.session);
      this.sessionApp.delete(f.session);
      this.ctx.emit(this.event('disconnect', f));
    }
  }

  /** `statement: SQL`, `execute <name>: SQL`; parse/bind are counted as facts only (the execute is the statement). */
  private statement(f: PgFields, message: string, at: number, duration: number | null, detail: string | null, hadDuration: boolean): void {
    let sqlStart: number;
    if (message.startsWith('statement: ', at)) {
      sqlStart = at + 11;
      if (hadDuration) this.facts.durationStatements++;
      else this.facts.plainStatements++;
    } else if (message.startsWith('execute ', at)) {
      const colon = message.indexOf(': ', at + 8);
      if (colon < 0) return;
      sqlStart = colon + 2;
      this.facts.extendedExecutes++;
    } else if (message.startsWith('parse ', at) || message.startsWith('bind ', at)) {
      // the bind's DETAIL parameters belong to the execute that follows, never to the statement before
      this.facts.parseBindLines++;
      this.flushSession(f.session);
      return;
    } else {
      return; // fastpath function calls and the like
    }
    this.flushSession(f.session);
    const ev = this.event('statement', f);
    // copied: a statement may wait long in its session, and a slice would hold the whole decoded window
    ev.sql = this.freshStrings ? message.slice(sqlStart) : detach(message.slice(sqlStart));
    ev.durationMs = duration;
    if (detail !== null) this.attachDetail(ev, detail);
    // flushSession left none for this session: insertion order is the order statements were held in
    this.pending.set(f.session, { event: ev, awaitingDuration: !hadDuration });
    this.hold(f.session, ev, !hadDuration);
    if (this.pending.size > MAX_OPEN_SESSIONS) {
      // untimed logs only (the clock releases timed ones): emit the statement held longest
      const [session, oldest] = this.pending.entries().next().value!;
      this.pending.delete(session);
      this.droppedHolds++;
      this.ctx.emit(oldest.event);
    }
  }

  private emitOldestError(): void {
    const [session, oldest] = this.pendingError.entries().next().value!;
    this.pendingError.delete(session);
    this.droppedHolds++;
    this.ctx.emit(oldest);
  }

  private detail(session: string, message: string): void {
    const p = this.pending.get(session);
    if (p !== undefined) this.attachDetail(p.event, message);
  }

  private attachDetail(ev: LogEvent, detail: string): void {
    if (ev.params === null && detail.startsWith('parameters: ')) {
      this.facts.parameterDetails++;
      ev.params = parseParameters(detail, 12, !this.freshStrings);
    }
  }
}

/**
 * `123.456` between start and end, as Number() reads it, without cutting the text out: digits, one point,
 * digits. Exact: the digits as an integer divided by a power of ten is the nearest double, as Number() gives.
 * Anything else (a sign, an exponent, 16+ digits) goes to Number().
 */
export function parseDecimal(s: string, start: number, end: number): number {
  let int = 0;
  let scale = 1;
  let point = false;
  if (end <= start || end - start > 15) return Number(s.slice(start, end));
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      int = int * 10 + (c - 48);
      if (point) scale *= 10;
    } else if (c === 46 && !point && i > start) {
      point = true;
    } else {
      return Number(s.slice(start, end));
    }
  }
  return scale === 1 ? int : int / scale;
}

/** `$1 = '…', $2 = NULL, $3 = '{1,2,3}'` → positional values; quotes are doubled inside values. */
/** `copy`: values are copied out of `s` (a slice of `s` would hold what `s` is cut from). */
export function parseParameters(s: string, start = 0, copy = true): (string | null)[] {
  const out: (string | null)[] = [];
  let i = start;
  const n = s.length;
  while (i < n) {
    while (i < n && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 44)) i++;
    if (s.charCodeAt(i) !== 36) break; // '$'
    let j = i + 1;
    let num = 0;
    while (j < n) {
      const c = s.charCodeAt(j);
      if (c < 48 || c > 57) break;
      num = num * 10 + (c - 48);
      j++;
    }
    if (s.startsWith(' = ', j)) j += 3;
    else break;
    let value: string | null;
    if (s.charCodeAt(j) === 39) {
      // quoted value; '' is a quote inside it
      let k = j + 1;
      let buf = '';
      let from = k;
      for (;;) {
        const q = s.indexOf("'", k);
        if (q < 0) {
          buf += s.slice(from); // truncated (log_parameter_max_length): keep what is there
          k = n;
          break;
        }
        if (s.charCodeAt(q + 1) === 39) {
          buf += s.slice(from, q + 1);
          k = q + 2;
          from = k;
          continue;
        }
        buf += s.slice(from, q);
        k = q + 1;
        break;
      }
      value = buf;
      j = k;
      if (s.startsWith('...', j)) j += 3;
    } else if (s.startsWith('NULL', j)) {
      value = null;
      j += 4;
    } else {
      const comma = s.indexOf(', $', j);
      value = s.slice(j, comma < 0 ? n : comma);
      j = comma < 0 ? n : comma;
    }
    out[num > 0 ? num - 1 : out.length] = value === null || !copy ? value : detach(value);
    i = j;
  }
  for (let k = 0; k < out.length; k++) if (out[k] === undefined) out[k] = null;
  return out;
}

/** Value after `key=` up to the next space (connection authorized lines). */
function valueAfter(message: string, key: string): string | null {
  const at = message.indexOf(key);
  if (at < 0) return null;
  const start = at + key.length;
  const end = message.indexOf(' ', start);
  return detach(message.slice(start, end < 0 ? message.length : end));
}
