/** Line hygiene of the ORM log formats: one cleanLine, doubled lines, continuation lines of multi-line SQL. */
import { digitsAt, parseTimestamp, stamp } from './time.js';

const ESC = 0x1b;
const LEFT_ARROW = 0x2190; // '←': Windows consoles (and pastes from them) show ESC this way

/**
 * How a format wants its lines cleaned:
 * - `node` (Node, Java and Go loggers): any CSI sequence (ESC[…X) goes, and a `docker compose` service
 *   prefix (`web_1  | `) is dropped;
 * - `python` (SQLAlchemy, Django): a BOM and SGR colours (ESC[…m) go;
 * - `ruby` (Rails): as `python`, and also bare `[1m` colours, which is what is left when a coloured Rails
 *   log is pasted into a web form that drops the ESC byte.
 */
export type CleanMode = 'node' | 'python' | 'ruby';

/**
 * Remove what a paste or a terminal adds around a log line: a trailing CR (CRLF files) and colour
 * sequences written as ESC[…, or as ←[… by Windows consoles that do not render ESC; more by `mode`.
 * One pass, no regex; a line without `[` (or without ESC/←) pays one or two indexOf.
 */
export function cleanLine(text: string, mode: CleanMode): string {
  let s = text;
  if (s.length > 0 && s.charCodeAt(s.length - 1) === 13) s = s.slice(0, -1);
  if (s.length > 20 && (s.charCodeAt(3) === 32 || s.charCodeAt(10) === 84)) s = withoutSyslogHeader(s);
  const node = mode === 'node';
  const bare = mode === 'ruby';
  if (node) {
    if (s.indexOf('\u001b') < 0 && s.indexOf('\u2190[') < 0) return withoutComposePrefix(s);
  } else {
    if (s.length > 0 && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    if (s.indexOf('[') < 0) return s;
    if (!bare && s.indexOf('\x1b') < 0 && s.indexOf('\u2190') < 0) return s;
  }
  let out = '';
  let from = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    let end = -1;
    if ((c === ESC || c === LEFT_ARROW) && s.charCodeAt(i + 1) === 91 /* [ */) end = node ? csiEnd(s, i + 2) : sgrEnd(s, i + 2, false);
    else if (bare && c === 91) end = sgrEnd(s, i + 1, true); // a bare `[m…` is text (`[mytag]`); only `[0m`, `[1;36m` are colours
    if (end > 0) {
      out += s.slice(from, i);
      i = end;
      from = end;
      continue;
    }
    i++;
  }
  const cleaned = from === 0 ? s : out + s.slice(from);
  return node ? withoutComposePrefix(cleaned) : cleaned;
}

/** Index just past a CSI's parameters and intermediates (0x20-0x3f) and its final byte (0x40-0x7e) from `i`, or -1. */
function csiEnd(s: string, i: number): number {
  let j = i;
  while (j < s.length) {
    const d = s.charCodeAt(j);
    if (d < 0x20 || d > 0x3f) break;
    j++;
  }
  if (j < s.length) {
    const d = s.charCodeAt(j);
    if (d >= 0x40 && d <= 0x7e) return j + 1;
  }
  return -1;
}

/** Index just past `digits(;digits)*m` starting at `i` (at most 16 chars), or -1. */
function sgrEnd(s: string, i: number, needDigit: boolean): number {
  const limit = Math.min(s.length, i + 16);
  for (let j = i; j < limit; j++) {
    const c = s.charCodeAt(j);
    if (c === 109 /* m */) return j > i || !needDigit ? j + 1 : -1;
    if (!((c >= 48 && c <= 57) || c === 59)) return -1;
  }
  return -1;
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

/** Index just past leading spaces/tabs. */
export function skipSpaces(s: string, i: number): number {
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  return i;
}

/**
 * Each line's first step in the Node, Java and Go formats: an exact repeat printed by a second handler is
 * counted and dropped (null), any other line is cleaned (colours, CR).
 */
export function lineIntake(facts: { doubledLines: number }): (raw: string) => string | null {
  let prev: string | null = null;
  return (raw) => {
    if (isDoubledLine(raw, prev)) {
      facts.doubledLines++;
      return null;
    }
    prev = raw;
    return cleanLine(raw, 'node');
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
    raw.charCodeAt(2) === 58 && raw.charCodeAt(5) === 58 && (raw.charCodeAt(8) === 46 || raw.charCodeAt(8) === 44) && digitsAt(raw, 0, 2) >= 0 && digitsAt(raw, 9, 3) >= 0
  );
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

/**
 * A syslog or journal header (`Dec  3 08:13:47 web-1 app[4321]: `, `journalctl -o short-iso`'s
 * `2026-12-03T08:13:47+0000 web-1 app[4321]: `): an application run by systemd or logging to syslog has one
 * before every line it wrote, continuation lines of a multi-line statement too. PostgreSQL's own syslog lines
 * are read by the pg-syslog format, which does not come here.
 */
const SYSLOG_HEADER = /^(?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)) [\w.-]+ [\w./-]+(?:\[\d+\])?: /;

function withoutSyslogHeader(s: string): string {
  const m = SYSLOG_HEADER.exec(s);
  return m === null ? s : s.slice(m[0].length);
}
