/**
 * PostgreSQL through syslog: `Mon DD HH:MM:SS host postgres[pid]: [5-1] <log_line_prefix>LOG:  …` (or an rsyslog
 * ISO timestamp), with `[5-2]` chunks continuing the entry; the log_line_prefix inside is detected as for stderr.
 */
import { connectionMessage, emptyFields, messageStart, PgMessageInterpreter, type PgFields } from './pg-message.js';
import { detectedMatcher, detectPrefix, type PrefixDetection } from './pg-prefix/detect.js';
import { compilePrefix, PrefixError, type PrefixMatcher } from './pg-prefix/matcher.js';
import { findSeverity } from './pg-prefix/severity.js';
import { createTimeParser } from './pg-time.js';
import { RecentMap } from './recent-map.js';
import { defineFormat, MAX_OPEN_SESSIONS, type FormatContext, type FormatParser } from './types.js';

const DETECT_LINES = 400;
/** An entry of one backend waiting for its chunks is given up (dispatched) when this many lines have passed. */
const OPEN_ENTRY_LAG = 64;
const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

const isDigit = (c: number) => c >= 48 && c <= 57;

/** What the syslog header of one line holds; one object reused for every line. */
interface Header {
  /** Index of the header time and its end. */
  timeStart: number;
  timeEnd: number;
  /** BSD (`Jan  2 10:00:00`, no year) or ISO (`2024-01-02T10:00:00.123+00:00`). */
  iso: boolean;
  ident: string;
  pid: string;
  /** Chunk number from `[seq-chunk]` (1 for `[seq]` or none). */
  chunk: number;
  /** Index where PostgreSQL's own text starts (after `[seq-chunk] `). */
  body: number;
}

/** Read the syslog header; false when the line is not `TIME HOST IDENT[PID]: [N-M] …`. */
function readHeader(line: string, h: Header): boolean {
  let i: number;
  const c0 = line.charCodeAt(0);
  if (isDigit(c0)) {
    // ISO: 2024-01-02T10:00:00.123456+00:00
    if (line.charCodeAt(4) !== 45 || line.charCodeAt(10) !== 84) return false;
    i = line.indexOf(' ', 19);
    if (i < 0) return false;
    h.iso = true;
    h.timeStart = 0;
    h.timeEnd = i;
  } else {
    // BSD: "Jan  2 10:00:00" (an optional "<PRI>" before it is skipped)
    let s = 0;
    if (c0 === 60) {
      s = line.indexOf('>');
      if (s < 0 || s > 5) return false;
      s++;
    }
    if (MONTHS.indexOf(line.slice(s, s + 3)) % 3 !== 0 || line.charCodeAt(s + 3) !== 32 || line.charCodeAt(s + 9) !== 58 || line.charCodeAt(s + 12) !== 58) return false;
    h.iso = false;
    h.timeStart = s;
    h.timeEnd = s + 15;
    i = s + 15;
  }
  // host
  if (line.charCodeAt(i) !== 32) return false;
  const hostEnd = line.indexOf(' ', i + 1);
  if (hostEnd < 0) return false;
  // ident[pid]:
  const bracket = line.indexOf('[', hostEnd + 1);
  if (bracket < 0 || bracket - hostEnd > 64) return false;
  let j = bracket + 1;
  while (isDigit(line.charCodeAt(j))) j++;
  if (j === bracket + 1 || line.charCodeAt(j) !== 93 || line.charCodeAt(j + 1) !== 58 || line.charCodeAt(j + 2) !== 32) return false;
  h.ident = line.slice(hostEnd + 1, bracket);
  h.pid = line.slice(bracket + 1, j);
  j += 3;
  // [seq-chunk] (or [seq], or nothing with syslog_sequence_numbers = off and a short message)
  h.chunk = 1;
  if (line.charCodeAt(j) === 91) {
    let k = j + 1;
    while (isDigit(line.charCodeAt(k))) k++;
    if (k > j + 1 && line.charCodeAt(k) === 45) {
      let m = k + 1;
      let chunk = 0;
      while (isDigit(line.charCodeAt(m))) chunk = chunk * 10 + (line.charCodeAt(m++) - 48);
      if (m > k + 1 && line.charCodeAt(m) === 93) {
        h.chunk = chunk;
        k = m;
      }
    }
    if (k > j + 1 && line.charCodeAt(k) === 93) {
      j = k + 1;
      if (line.charCodeAt(j) === 32) j++;
    }
  }
  h.body = j;
  return true;
}

/** rsyslog writes control characters as `#ooo` (a tab as `#011`). */
function unescapeSyslog(s: string): string {
  return s.indexOf('#011') < 0 ? s : s.split('#011').join('\t');
}

/** PostgreSQL's part of the syslog lines of a sample that carry its `[seq-chunk]` marker (for sniffing). */
function bodies(lines: string[]): { entries: string[]; marked: number; syslogLines: number } {
  const h = blankHeader();
  const entries: string[] = [];
  let syslogLines = 0;
  let marked = 0;
  for (const l of lines) {
    if (!readHeader(l, h)) continue;
    syslogLines++;
    if (l.charCodeAt(h.body - 2) !== 93 && l.charCodeAt(h.body - 1) !== 93) continue;
    marked++;
    if (h.chunk === 1) entries.push(unescapeSyslog(l.slice(h.body)));
  }
  return { entries, marked, syslogLines };
}

function blankHeader(): Header {
  return { timeStart: 0, timeEnd: 0, iso: false, ident: '', pid: '', chunk: 1, body: 0 };
}

/** The prefix that fits most entry lines, the empty prefix included (a common choice with syslog). */
function choosePrefix(entryLines: string[], tz: string | null): PrefixDetection {
  const d = detectPrefix(entryLines, tz);
  const empty = compilePrefix('', tz);
  const f = emptyFields('');
  let emptyMatched = 0;
  let sampled = 0;
  for (const l of entryLines) {
    if (findSeverity(l) < 0) continue;
    sampled++;
    if (sampled > 200) break;
    if (empty.match(l, f, (p) => p) >= 0) emptyMatched++;
  }
  if (emptyMatched > d.matched) return { prefix: '', matched: emptyMatched, sampled: Math.min(sampled, 200) };
  return d;
}

export default defineFormat({
  id: 'pg-syslog',
  summary: 'PostgreSQL via syslog (log_destination = syslog): BSD or ISO syslog header, [seq-chunk] lines, any log_line_prefix',
  orm: null,
  sniff(lines) {
    const nonEmpty = lines.filter((l) => l.length > 0).length;
    if (nonEmpty === 0) return 0;
    const b = bodies(lines);
    const withSeverity = b.entries.filter((x) => findSeverity(x) >= 0).length;
    if (withSeverity === 0) return 0;
    // the [seq-chunk] marker is PostgreSQL's own: lines with it and a severity marker are near certain; other
    // programs' lines in a shared syslog file lower the score only a little, non-syslog lines more
    const sevShare = withSeverity / Math.max(1, b.entries.length);
    const markedShare = b.marked / Math.max(1, b.syslogLines);
    return Math.min(0.97, 0.6 + 0.25 * sevShare + 0.12 * markedShare) * Math.min(1, b.syslogLines / (nonEmpty * 0.5));
  },
  create: (ctx) => new SyslogParser(ctx),
});

interface OpenEntry {
  f: PgFields;
  severity: string;
  message: string;
  /** Line of the last chunk, to give up on entries whose backend went quiet. */
  last: number;
}

export class SyslogParser implements FormatParser {
  private matcher: PrefixMatcher | null = null;
  private prefixSource: 'given' | 'detected' | 'none' = 'none';
  /** Other prefixes the detection found to fit as well (doctor names them). */
  private prefixAlternatives: string[] = [];
  private ident: string | null = null;
  private buffered: { text: string; line: number }[] | null = [];
  private readonly interp: PgMessageInterpreter;
  private readonly time;
  private readonly h = blankHeader();
  /** Entries still collecting chunks, per pid, oldest first (Map keeps insertion order). */
  private readonly open = new Map<string, OpenEntry>();
  /** Session of each pid; without disconnection lines, the most recently used MAX_OPEN_SESSIONS. */
  private readonly pidSessions = new RecentMap<string>(MAX_OPEN_SESSIONS);
  private readonly year: number;
  private lastBsd = '';
  private lastBsdTime: number | null = null;
  private readonly counts = { entries: 0, continuationChunks: 0, otherPrograms: 0, unmatched: 0 };

  constructor(private readonly ctx: FormatContext) {
    this.interp = new PgMessageInterpreter(ctx);
    this.time = createTimeParser(ctx.options.logTimezone);
    this.year = new Date().getUTCFullYear();
    if (ctx.options.prefix !== null) {
      this.matcher = compilePrefix(ctx.options.prefix, ctx.options.logTimezone);
      this.prefixSource = 'given';
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
    this.flush();
  }

  flush(): void {
    if (this.buffered !== null) return;
    for (const e of this.open.values()) this.dispatch(e);
    this.open.clear();
    this.interp.end();
  }

  describe(): Record<string, unknown> {
    return {
      prefix: this.matcher?.prefix ?? null,
      prefixSource: this.prefixSource,
      prefixAlternatives: this.prefixAlternatives,
      ident: this.ident,
      escapes: this.matcher ? [...this.matcher.escapes].sort() : [],
      ...this.counts,
      unsureZones: [...this.time.unsureZones, ...(this.matcher ? this.matcher.time.unsureZones : [])],
      ...this.interp.facts,
    };
  }

  private decide(): void {
    const lines = this.buffered!;
    this.buffered = null;
    // the program name PostgreSQL logs under (syslog_ident): the one most lines with [seq-chunk] markers carry
    const h = this.h;
    const idents = new Map<string, number>();
    for (const l of lines) if (readHeader(l.text, h) && l.text.charCodeAt(h.body - 2) === 93) idents.set(h.ident, (idents.get(h.ident) ?? 0) + 1);
    let best = 0;
    for (const [id, n] of idents) if (n > best) [this.ident, best] = [id, n];
    if (this.matcher === null) {
      const entryLines: string[] = [];
      for (const l of lines) if (readHeader(l.text, h) && h.chunk === 1 && (this.ident === null || h.ident === this.ident)) entryLines.push(unescapeSyslog(l.text.slice(h.body)));
      const d = choosePrefix(entryLines, this.ctx.options.logTimezone);
      const detected = detectedMatcher(d, this.ctx.options.logTimezone);
      if (detected !== null) {
        this.matcher = detected;
        this.prefixSource = 'detected';
        this.prefixAlternatives = d.alternatives ?? [];
      }
    }
    for (const l of lines) this.consume(l.text, l.line);
  }

  private consume(text: string, line: number): void {
    const h = this.h;
    if (!readHeader(text, h)) {
      if (text.length > 0) {
        this.counts.unmatched++;
        this.ctx.skip(line, 'not a syslog line (`Mon DD HH:MM:SS host postgres[pid]: …`)');
      }
      return;
    }
    if (this.ident !== null && h.ident !== this.ident) {
      // other programs share /var/log/syslog: not ours, not an error
      this.counts.otherPrograms++;
      return;
    }
    const body = unescapeSyslog(text.slice(h.body));
    const m = this.matcher;
    const pid = h.pid;
    if (m !== null) {
      const f = emptyFields(this.ctx.file);
      f.line = line;
      f.session = this.sessionForPid(pid);
      const sevAt = m.match(body, f, this.sessionForPid);
      if (sevAt >= 0) {
        const prev = this.open.get(pid);
        if (prev) {
          this.open.delete(pid);
          this.dispatch(prev);
        }
        if (f.time === null) f.time = this.headerTime(text, h);
        const e: OpenEntry = { f, severity: m.severity, message: body.slice(messageStart(body, sevAt + m.severity.length + 3)), last: line };
        this.counts.entries++;
        if (!m.escapes.has('c') && connectionMessage(e.severity, e.message)?.startsWith('connection received:')) {
          // a new connection on a reused pid is a new session
          const s = `${pid}:${line}`;
          this.pidSessions.set(pid, s);
          f.session = s;
        }
        this.open.set(pid, e);
        this.expire(line);
        return;
      }
    }
    const cur = this.open.get(pid);
    if (cur !== undefined && h.chunk > 1) {
      this.counts.continuationChunks++;
      cur.last = line;
      // a chunk after a newline starts with PostgreSQL's tab; otherwise the message was cut at ~900 bytes and the
      // chunk carries on the same line (it starts with the whitespace it was cut at)
      if (body.charCodeAt(0) === 9) cur.message += '\n' + body.slice(1);
      else cur.message += body;
      return;
    }
    this.counts.unmatched++;
    this.ctx.skip(
      line,
      m === null
        ? 'no log_line_prefix could be detected in the syslog messages; give it with --prefix or try `sqloupe doctor`'
        : `syslog message does not start with log_line_prefix '${m.prefix}' (give the right one with --prefix)`,
    );
  }

  /** Entries of backends that went quiet are complete: dispatch them so events stay in time order. */
  private expire(line: number): void {
    for (const [pid, e] of this.open) {
      if (line - e.last <= OPEN_ENTRY_LAG) break;
      this.open.delete(pid);
      this.dispatch(e);
    }
  }

  private dispatch(e: OpenEntry): void {
    this.interp.entry(e.f, e.severity, e.message);
    if (connectionMessage(e.severity, e.message)?.startsWith('disconnection:')) {
      const colon = e.f.session.indexOf(':');
      this.pidSessions.delete(colon < 0 ? e.f.session : e.f.session.slice(0, colon));
    }
  }

  private readonly sessionForPid = (pid: string): string => {
    let s = this.pidSessions.get(pid);
    if (s === undefined) {
      s = pid;
      this.pidSessions.set(pid, s);
    }
    return s;
  };

  /** Time from the syslog header, for prefixes without %m/%t/%n. BSD headers have no year: this year, unless that is in the future. */
  private headerTime(text: string, h: Header): number | null {
    if (h.iso) {
      const t = this.time.parse(text, h.timeStart, h.timeEnd);
      return Number.isNaN(t) ? null : t;
    }
    const stamp = text.slice(h.timeStart, h.timeEnd);
    if (stamp === this.lastBsd) return this.lastBsdTime;
    const mon = MONTHS.indexOf(stamp.slice(0, 3)) / 3 + 1;
    const day = stamp.charCodeAt(4) === 32 ? stamp.slice(5, 6) : stamp.slice(4, 6);
    const build = (y: number) => this.time.parse(`${y}-${String(mon).padStart(2, '0')}-${day.padStart(2, '0')} ${stamp.slice(7, 15)}`);
    let t = build(this.year);
    // a December log read in January belongs to last year
    if (!Number.isNaN(t) && t > Date.now() + 86_400_000) t = build(this.year - 1);
    this.lastBsd = stamp;
    this.lastBsdTime = Number.isNaN(t) ? null : t;
    return this.lastBsdTime;
  }
}
