/** PostgreSQL stderr log with any log_line_prefix: prefix compiled to a matcher, multi-line entries joined. */
import { connectionMessage, emptyFields, messageStart, PgMessageInterpreter, type PgFields } from './pg-message.js';
import { detectedMatcher, detectPrefix, prefixShare } from './pg-prefix/detect.js';
import { compilePrefix, PrefixError, type PrefixMatcher } from './pg-prefix/matcher.js';
import { parseAuthorized } from './pg-prefix/evidence.js';
import { findSeverity, severityAt } from './pg-prefix/severity.js';
import { detach } from '../input/lines.js';
import { RecentMap } from './recent-map.js';
import { defineFormat, MAX_OPEN_SESSIONS, type FormatContext, type FormatParser } from './types.js';

/** Lines read before the prefix is decided when none was given. */
const DETECT_LINES = 400;
/** Unmatched lines with a severity marker, in a row, before the prefix is detected again (it may have changed). */
const REDETECT_LINES = 20;
/** Warnings kept about lines whose prefix fields disagree with their session's (the rest are only counted). */
const MAX_WARNINGS = 10;
/** Application names remembered from connection lines, for prefixes without a session key. */
const MAX_KNOWN_APPS = 64;
/** Bounds on the lines held while deciding, so a long run of junk costs no more memory than this. */
const MAX_HELD_LINES = 2000;
const MAX_HELD_CHARS = 4 << 20;

export default defineFormat({
  id: 'pg-stderr',
  summary: 'PostgreSQL stderr log (log_destination = stderr), any log_line_prefix',
  orm: null,
  sniff(lines) {
    // tab-led lines continue a multi-line message (a long statement may fill the whole sample)
    const heads = lines.filter((l) => l.length > 0 && l.charCodeAt(0) !== 9);
    const withSeverity = heads.filter((l) => findSeverity(l) > 0).length;
    if (withSeverity === 0) return 0;
    const d = prefixShare(heads);
    const share = d.sampled ? d.matched / d.sampled : 0;
    // a severity marker alone is weak evidence; a matching prefix is strong
    return Math.min(0.95, 0.3 + 0.65 * share) * Math.min(1, withSeverity / Math.max(1, heads.length * 0.3));
  },
  create: (ctx) => new StderrParser(ctx),
});

export class StderrParser implements FormatParser {
  private matcher: PrefixMatcher | null = null;
  private prefixSource: 'given' | 'detected' | 'none' = 'none';
  private buffered: { text: string; line: number }[] | null = [];
  private readonly interp: PgMessageInterpreter;
  /** The entry being assembled (continuation lines are appended to its message). */
  private cur: PgFields;
  private spare: PgFields;
  private curSeverity = '';
  private curMessage = '';
  private hasCur = false;
  /** Session of each pid (pid:line after a `connection received`); without disconnection lines, the most recent MAX_OPEN_SESSIONS. */
  private readonly pidSessions = new RecentMap<string>(MAX_OPEN_SESSIONS);
  private matchedLines = 0;
  private continuationLines = 0;
  private unmatchedLines = 0;
  /** Lines the prefix did not match, kept until they prove to be a new prefix or junk. */
  private held: { text: string; line: number }[] = [];
  private heldChars = 0;
  private heldWithSeverity = 0;
  private redetectAt = REDETECT_LINES;
  private readonly prefixChanges: { line: number; prefix: string; matchedBefore: number }[] = [];
  /** Other prefixes the detection found to fit as well (the log alone cannot tell them apart). */
  private prefixAlternatives: string[] = [];
  /** user/database/application of each session, from its connection line (or its first line). */
  private readonly sessionFacts = new RecentMap<SessionFacts>(MAX_OPEN_SESSIONS);
  private readonly knownApps = new Set<string>();
  /** Lines whose prefix fields disagreed with their session's: the session's were used. */
  private disagreeingLines = 0;
  /** Lines whose application name (or user, database) held text that ended the prefix early. */
  private forgedLines = 0;
  private readonly warnings: string[] = [];

  constructor(private readonly ctx: FormatContext) {
    this.interp = new PgMessageInterpreter(ctx);
    this.cur = emptyFields(ctx.file);
    this.spare = emptyFields(ctx.file);
    if (ctx.options.prefix !== null) {
      this.matcher = compilePrefix(ctx.options.prefix, ctx.options.logTimezone);
      this.prefixSource = 'given';
      this.buffered = null;
    }
  }

  push(text: string, line: number): void {
    if (this.buffered !== null) {
      this.buffered.push({ text, line });
      if (this.buffered.length >= DETECT_LINES) this.decide();
      return;
    }
    this.consume(text, line);
  }

  end(): void {
    if (this.buffered !== null) this.decide();
    if (this.held.length > 0 && !(this.heldWithSeverity >= 3 && this.redetect())) this.release();
    this.dispatch();
    this.interp.end();
  }

  flush(): void {
    // while the prefix is undecided or unmatched lines are held, nothing is complete yet
    if (this.buffered !== null || this.held.length > 0) return;
    this.dispatch();
    this.interp.end();
  }

  describe(): Record<string, unknown> {
    return {
      prefix: this.matcher?.prefix ?? null,
      prefixSource: this.prefixSource,
      escapes: this.matcher ? [...this.matcher.escapes].sort() : [],
      matchedLines: this.matchedLines,
      continuationLines: this.continuationLines,
      unmatchedLines: this.unmatchedLines,
      unsureZones: this.matcher ? [...this.matcher.time.unsureZones] : [],
      prefixChanges: this.prefixChanges,
      prefixAlternatives: this.prefixAlternatives,
      disagreeingPrefixLines: this.disagreeingLines,
      forgedPrefixLines: this.forgedLines,
      warnings: this.warnings,
      ...this.interp.facts,
      sessionStateDropped: this.interp.droppedSessions + this.pidSessions.dropped + this.sessionFacts.dropped,
    };
  }

  private decide(): void {
    const lines = this.buffered!;
    this.buffered = null;
    const d = detectPrefix(
      lines.map((l) => l.text),
      this.ctx.options.logTimezone,
    );
    const detected = detectedMatcher(d, this.ctx.options.logTimezone);
    if (detected !== null) {
      this.matcher = detected;
      this.prefixSource = 'detected';
      this.prefixAlternatives = d.alternatives ?? [];
      if (this.prefixAlternatives.length > 0) {
        this.warn(
          lines[0]?.line ?? 1,
          `log_line_prefix detected as '${d.prefix}', but ${this.prefixAlternatives.map((a) => `'${a}'`).join(', ')} fit${this.prefixAlternatives.length === 1 ? 's' : ''} these lines as well and read${this.prefixAlternatives.length === 1 ? 's' : ''} them otherwise: give the right one with --prefix (SHOW log_line_prefix;)`,
        );
      }
    }
    for (const l of lines) this.consume(l.text, l.line);
  }

  private consume(text: string, line: number): void {
    const m = this.matcher;
    if (m !== null && this.held.length > 0 && m.matchOnly(text) < 0) {
      this.hold(text, line);
      return;
    }
    if (m !== null && this.held.length === 0 && this.skipBindLine(text)) return;
    if (m !== null && this.held.length === 0 && this.samePrefix(text, line)) return;
    if (m !== null) {
      const f = this.spare;
      f.line = line;
      f.session = this.ctx.file;
      const sevAt = m.matchOnly(text);
      if (sevAt >= 0) {
        if (this.held.length > 0) this.release();
        this.dispatch();
        this.spare = this.cur;
        this.cur = f;
        this.curSeverity = m.severity;
        // message starts after "SEVERITY:  "
        const msgAt = messageStart(text, sevAt + m.severity.length + 3);
        const full = needsFields(m.severity, text, msgAt);
        m.fill(text, f, this.sessionForPid, full);
        if (full && this.suspicious(m, f)) {
          const at = this.verify(m, text, f, sevAt);
          if (at !== sevAt) {
            this.curSeverity = m.severity;
            this.curPrefix = text.slice(0, at);
            this.curFull = true;
            this.startEntry(text, messageStart(text, at + m.severity.length + 3));
            return;
          }
        }
        this.curPrefix = text.slice(0, sevAt);
        this.curFull = full;
        this.startEntry(text, msgAt);
        return;
      }
    }
    // PostgreSQL writes a tab after each newline inside a message (elog.c append_with_tabs)
    if (this.hasCur && text.charCodeAt(0) === 9) {
      this.curMessage += '\n' + text.slice(1);
      this.continuationLines++;
      return;
    }
    if (text.length === 0) return;
    if (m !== null) {
      // maybe the server was restarted with another log_line_prefix: hold the lines until it is clear
      this.hold(text, line);
      return;
    }
    this.reject(line);
  }

  private reject(line: number): void {
    const m = this.matcher;
    this.unmatchedLines++;
    this.ctx.skip(
      line,
      m === null
        ? 'no log_line_prefix could be detected; give it with --prefix or try `sqloupe doctor`'
        : `line does not start with log_line_prefix '${m.prefix}' (give the right one with --prefix; try \`sqloupe doctor\`)`,
    );
  }

  /** Keep a line the prefix does not match; enough of them with severities of their own trigger a new prefix detection. */
  private hold(text: string, line: number): void {
    this.held.push({ text, line });
    this.heldChars += text.length;
    if (findSeverity(text) > 0) this.heldWithSeverity++;
    if (this.heldWithSeverity >= this.redetectAt) {
      if (this.redetect()) return;
      // not a new prefix: look again only after twice as many, so a file of junk is not re-scanned per line
      this.redetectAt *= 2;
    }
    if (this.heldWithSeverity === 0 || this.held.length > MAX_HELD_LINES || this.heldChars > MAX_HELD_CHARS) this.release();
  }

  /** Detect a prefix on the held lines; when one matches most of them, switch to it and read them again. */
  private redetect(): boolean {
    const d = detectPrefix(
      this.held.map((l) => l.text),
      this.ctx.options.logTimezone,
    );
    if (d.prefix === null || d.prefix === this.matcher?.prefix || d.matched < d.sampled * 0.8) return false;
    let next: PrefixMatcher;
    try {
      next = compilePrefix(d.prefix, this.ctx.options.logTimezone);
    } catch (e) {
      if (e instanceof PrefixError) return false;
      throw e;
    }
    this.prefixChanges.push({ line: this.held[0]!.line, prefix: d.prefix, matchedBefore: this.matchedLines });
    this.matcher = next;
    this.prefixSource = 'detected';
    const lines = this.held;
    this.clearHeld();
    for (const l of lines) this.consume(l.text, l.line);
    return true;
  }

  /** The held lines were not a new prefix: count each as unreadable. */
  private release(): void {
    const lines = this.held;
    this.clearHeld();
    for (const l of lines) if (l.text.length > 0) this.reject(l.line);
  }

  private clearHeld(): void {
    this.held = [];
    this.heldChars = 0;
    this.heldWithSeverity = 0;
  }

  /** The text before the severity of the entry being assembled, and whether all of its fields were read. */
  private curPrefix = '';
  private curFull = false;

  private startEntry(text: string, msgAt: number): void {
    this.curMessage = text.slice(msgAt);
    this.hasCur = true;
    this.matchedLines++;
    const c = (this.curConnection = connectionMessage(this.curSeverity, this.curMessage));
    if (c !== null) {
      if (c.startsWith('connection received:')) this.newPidSession(this.cur);
      else if (c.startsWith('connection authorized: user=')) this.learnSession(this.cur, c);
    }
  }

  /** The entry's message in English when it is a connection or disconnection line (whatever lc_messages), else null. */
  private curConnection: string | null = null;

  /** The true user, database and application of a session, from its `connection authorized` line. */
  private learnSession(f: PgFields, message: string): void {
    const a = parseAuthorized(message, 28);
    if (a === null) return;
    const application = a.application === '' ? null : a.application;
    if (this.keyed()) this.sessionFacts.set(f.session, { user: detachOrNull(a.user), database: detachOrNull(a.database), application: detachOrNull(application) });
    if (application !== null && this.knownApps.size < MAX_KNOWN_APPS) this.knownApps.add(application);
  }

  /** Whether lines carry a session key (%c, %p), so that a session's lines can be checked against each other. */
  private keyed(): boolean {
    const e = this.matcher?.escapes;
    return e !== undefined && (e.has('c') || e.has('p'));
  }

  /** Whether a line's user, database or application name may not be its session's (cheap: most lines are). */
  private suspicious(m: PrefixMatcher, f: PgFields): boolean {
    if (m !== this.checkedMatcher) {
      this.checkedMatcher = m;
      this.checkFields = m.escapes.has('a') || m.escapes.has('u') || m.escapes.has('d');
      this.keyedMatcher = m.escapes.has('c') || m.escapes.has('p');
    }
    if (!this.checkFields) return false;
    if (!this.keyedMatcher) return f.application !== null && this.knownApps.size > 0 && !this.knownApps.has(f.application);
    const s = this.sessionFacts.get(f.session);
    return (
      s === undefined ||
      (f.application !== null && f.application !== s.application) ||
      (f.user !== null && f.user !== s.user) ||
      (f.database !== null && f.database !== s.database)
    );
  }

  private checkedMatcher: PrefixMatcher | null = null;
  private checkFields = false;
  private keyedMatcher = false;

  /**
   * Check a line's client-controlled fields against its session's. A value that stops short of the session's where
   * the line holds the whole of it (an application_name with `LOG:  ` or the separator in it) is read again with
   * the whole value; a value that disagrees otherwise is not trusted: counted, warned about, and the session's used.
   * Returns where the severity word starts (moved when the line was read again).
   */
  private verify(m: PrefixMatcher, text: string, f: PgFields, sevAt: number): number {
    const keyed = this.keyed();
    let facts = keyed ? this.sessionFacts.get(f.session) : undefined;
    let at = sevAt;
    for (const esc of FREE_ESCAPES) {
      if (!m.escapes.has(esc)) continue;
      const field = FIELD_OF[esc]!;
      const got = f[field];
      if (got === null) continue;
      const want = facts?.[field];
      let wanted: string[] | null = null;
      if (want !== undefined && want !== null && got !== want && want.length > got.length) wanted = [want];
      else if (facts === undefined && esc === 'a' && this.knownApps.size > 0 && !this.knownApps.has(got)) wanted = [...this.knownApps];
      if (wanted === null) continue;
      const span = m.spans().find((x) => x[0] === esc);
      if (span === undefined) continue;
      for (const w of wanted) {
        if (w.length <= got.length || !text.startsWith(w, span[1])) continue;
        const again = m.matchWith(text, esc, w);
        if (again < 0) continue;
        m.fill(text, f, this.sessionForPid, true);
        at = again;
        this.forgedLines++;
        this.warn(f.line, `the ${FIELD_NAME[esc]} holds text that reads as the end of the log line prefix (a forged log line?); read with the ${FIELD_NAME[esc]} of the session`);
        facts = keyed ? this.sessionFacts.get(f.session) : undefined;
        break;
      }
    }
    if (!keyed) return at;
    if (facts === undefined) {
      // `connection received` knows none of them yet (`[unknown]`, which a translation may write with the separator
      // in it: ru `[н/д]`); the `connection authorized` line that follows says what they are
      if (connectionMessage(m.severity, text.slice(messageStart(text, at + m.severity.length + 3)))?.startsWith('connection received:')) return at;
      // no connection line seen: the session's first line says what its fields are
      this.sessionFacts.set(f.session, { user: detachOrNull(f.user), database: detachOrNull(f.database), application: detachOrNull(f.application) });
      return at;
    }
    for (const esc of FREE_ESCAPES) {
      if (!m.escapes.has(esc)) continue;
      const field = FIELD_OF[esc]!;
      const got = f[field];
      const want = facts[field];
      if (got === null || want === null || got === want) continue;
      // SET application_name changes it for the rest of the session: the SET line already shows the new one
      if (esc === 'a' && /application_name/i.test(text.slice(at))) {
        facts.application = got;
        continue;
      }
      this.disagreeingLines++;
      this.warn(f.line, `the ${FIELD_NAME[esc]} in this line's prefix is not its session's (from the connection line or earlier lines); the session's is used`);
      f[field] = want;
    }
    return at;
  }

  private warn(line: number, message: string): void {
    if (this.warnings.length < MAX_WARNINGS) this.warnings.push(`${this.ctx.file}:${line}: ${message}`);
  }

  /**
   * A line that starts with the same text as the last entry's prefix has the same fields: a message's DETAIL,
   * or the session's next statement logged in the same millisecond. Its fields are copied, not read again.
   */
  private samePrefix(text: string, line: number): boolean {
    const prefix = this.curPrefix;
    // lastIndexOf from 0 looks at position 0 only: V8 compares that in bulk, startsWith char by char
    if (prefix.length === 0 || !this.hasCur || text.lastIndexOf(prefix, 0) !== 0) return false;
    const severity = severityAt(text, prefix.length);
    if (severity === null) return false;
    const msgAt = messageStart(text, prefix.length + severity.length + 3);
    const full = needsFields(severity, text, msgAt);
    if (full && !this.curFull) return false;
    const prev = this.cur;
    this.dispatch();
    const f = this.spare;
    f.line = line;
    f.time = prev.time;
    f.session = prev.session;
    f.tx = prev.tx;
    f.user = prev.user;
    f.database = prev.database;
    f.application = prev.application;
    f.client = prev.client;
    this.spare = prev;
    this.cur = f;
    this.curSeverity = severity;
    this.startEntry(text, msgAt);
    return true;
  }

  /** Set after a bind line: the DETAIL parameters line that follows it belongs to it and is dropped too. */
  private bindDetailNext = false;
  /** Inside a dropped entry: its tab-led continuation lines (multi-line SQL, parameter values) go with it. */
  private dropping = false;

  /**
   * Extended-protocol logs spend three of every five lines on parse and bind (and the bind's parameters),
   * which only count as facts: they are recognised by their text and dropped before any prefix matching.
   * PostgreSQL writes a message and its DETAIL in one write, so the bind's DETAIL is the next entry.
   */
  private skipBindLine(text: string): boolean {
    if (text.charCodeAt(0) === 9) {
      if (!this.dropping) return false;
      this.continuationLines++;
      return true;
    }
    this.dropping = false;
    if (this.bindDetailNext) {
      this.bindDetailNext = false;
      const d = (text.length > 512 ? text.slice(0, 512) : text).indexOf(' DETAIL:  parameters: ');
      if (d > 0) {
        this.matchedLines++;
        this.dropping = true;
        return true;
      }
    }
    // look only where the duration can be: scanning a long statement or parameter list would cost more than it saves;
    // "ms  " rather than " ms  ": a search led by a space stops at every word
    const ms = (text.length > 512 ? text.slice(0, 512) : text).indexOf('ms  ') - 1;
    if (ms < 0 || text.charCodeAt(ms) !== 32) return false;
    const bind = text.startsWith('bind ', ms + 5);
    if (!bind && !text.startsWith('parse ', ms + 5)) return false;
    if (text.lastIndexOf('LOG:  duration: ', ms) < 0) return false;
    // a new entry all the same: the one being assembled is complete
    this.dispatch();
    this.interp.facts.parseBindLines++;
    this.matchedLines++;
    this.bindDetailNext = bind;
    this.dropping = true;
    return true;
  }

  private dispatch(): void {
    if (!this.hasCur) return;
    this.hasCur = false;
    this.interp.entry(this.cur, this.curSeverity, this.curMessage);
    if (this.curConnection !== null && this.curConnection.startsWith('disconnection:')) {
      this.pidSessions.delete(this.pidOf(this.cur.session));
      this.sessionFacts.delete(this.cur.session);
    }
  }

  /** Without %c a session is the pid; a new connection on a reused pid starts a new session. */
  private readonly sessionForPid = (pid: string): string => {
    let s = this.pidSessions.get(pid);
    if (s === undefined) {
      s = pid;
      this.pidSessions.set(pid, s);
    }
    return s;
  };

  private newPidSession(f: PgFields): void {
    if (this.matcher?.escapes.has('c')) return;
    const pid = this.pidOf(f.session);
    const s = `${pid}:${f.line}`;
    this.pidSessions.set(pid, s);
    f.session = s;
  }

  private pidOf(session: string): string {
    const colon = session.indexOf(':');
    return colon < 0 ? session : session.slice(0, colon);
  }
}

/** Kept per session: a copy, not a slice that keeps the line's decode window alive. */
const detachOrNull = (s: string | null): string | null => (s === null ? null : detach(s));

interface SessionFacts {
  user: string | null;
  database: string | null;
  application: string | null;
}

/** Fields a client chooses (application_name, and which user and database it connects as), in the order checked. */
const FREE_ESCAPES = ['a', 'u', 'd'] as const;
const FIELD_OF: Record<string, 'user' | 'database' | 'application'> = { a: 'application', u: 'user', d: 'database' };
const FIELD_NAME: Record<string, string> = { a: 'application name', u: 'user name', d: 'database name' };

/**
 * Whether an entry's prefix fields matter beyond its session: DETAIL/STATEMENT lines attach to the
 * session's pending statement, and parse/bind lines are only counted, so their time, user and
 * application need not be read (they are most lines of an extended-protocol log).
 */
function needsFields(severity: string, text: string, msgAt: number): boolean {
  if (severity === 'DETAIL' || severity === 'STATEMENT' || severity === 'HINT' || severity === 'CONTEXT' || severity === 'QUERY') return false;
  if (severity === 'LOG' && text.startsWith('duration: ', msgAt)) {
    const ms = text.indexOf(' ms  ', msgAt + 10);
    if (ms > 0 && (text.startsWith('parse ', ms + 5) || text.startsWith('bind ', ms + 5))) return false;
  }
  return true;
}
