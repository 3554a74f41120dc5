/** log_line_prefix → a matcher that reads the prefix fields of a line without regular expressions. */
import type { PgFields } from '../pg-message.js';
import { createTimeParser, parseEpochSeconds, type TimeParser } from '../pg-time.js';
import { detach } from '../../input/lines.js';
import { isUnknownValue } from '../pg-locale.js';
import { severityEnd, severityWord } from './severity.js';

type Part =
  | { lit: string; esc: null; pad: 0 }
  | { lit: null; esc: string; pad: number };

/** Every escape PostgreSQL documents for log_line_prefix. */
export const PREFIX_ESCAPES = 'auderhbpPtmnicl svxqQ%'.replace(' ', '');

export interface PrefixMatcher {
  readonly prefix: string;
  readonly escapes: Set<string>;
  /**
   * Match the prefix at the start of `line`; on success fill `f` (all fields reset first) and return the index
   * where the severity word starts; -1 when the line does not start with this prefix followed by a severity.
   */
  match(line: string, f: PgFields, pidSession: (pid: string) => string): number;
  /** Match without reading the fields (cheap): the severity start or -1. Call fill() for the fields. */
  matchOnly(line: string): number;
  /** Whether the last match stopped at %q (a server process's line, without the session fields). */
  partial(): boolean;
  /** Fill `f` from the last matchOnly(); `full` false reads only the session key (for lines that are dropped). */
  fill(line: string, f: PgFields, pidSession: (pid: string) => string, full: boolean): void;
  /** The severity word found by the last successful match. */
  severity: string;
  /**
   * Match with the free-text field `esc` (%a, %u, %d …) taking exactly `value`: for a line whose value contains text
   * that reads as the end of the prefix (an application_name with `LOG:  ` in it). The severity start or -1; fill()
   * reads the fields as after matchOnly().
   */
  matchWith(line: string, esc: string, value: string): number;
  /** Where each field of the last match is in the line ([escape, start, end] in prefix order), for detection. */
  spans(): [string, number, number][];
  readonly time: TimeParser;
}

export class PrefixError extends Error {}

/** Split a prefix into literals and escapes (with optional padding like %-10a). */
function compileParts(prefix: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  for (let i = 0; i < prefix.length; i++) {
    const c = prefix[i]!;
    if (c !== '%') {
      lit += c;
      continue;
    }
    let j = i + 1;
    let pad = 0;
    let sign = 1;
    if (prefix[j] === '-') {
      sign = -1;
      j++;
    }
    while (j < prefix.length && prefix[j]! >= '0' && prefix[j]! <= '9') pad = pad * 10 + Number(prefix[j++]);
    const esc = prefix[j];
    if (esc === undefined) throw new PrefixError(`log_line_prefix '${prefix}' ends with a lone %`);
    if (esc === '%') {
      lit += '%';
    } else {
      if (!PREFIX_ESCAPES.includes(esc)) throw new PrefixError(`log_line_prefix '${prefix}' has an unknown escape %${esc}`);
      if (lit) parts.push({ lit, esc: null, pad: 0 });
      lit = '';
      parts.push({ lit: null, esc, pad: pad * sign });
    }
    i = j;
  }
  if (lit) parts.push({ lit, esc: null, pad: 0 });
  return parts;
}

const isDigit = (c: number) => c >= 48 && c <= 57;
const isHex = (c: number) => isDigit(c) || (c >= 97 && c <= 102);

export function compilePrefix(prefix: string, logTimezone: string | null): PrefixMatcher {
  const parts = compileParts(prefix);
  const escapes = new Set(parts.filter((p) => p.esc !== null).map((p) => p.esc!));
  const time = createTimeParser(logTimezone);
  // Index of %q: the parts after it are absent on lines of non-session processes.
  const qIndex = parts.findIndex((p) => p.esc === 'q');
  let pid = '';
  let sessionId = '';
  let remoteHost: string | null = null;

  // Field positions of the last match, by part index; parts from stopPart on were absent (%q).
  const spanStart = new Int32Array(parts.length);
  const spanEnd = new Int32Array(parts.length);
  let stopPart = parts.length;

  /**
   * Recent texts between a leading time field and the severity, cut at the fields that change from line to line
   * of one session (%l, %x, %v): the segments between them repeat, and a line whose segments equal a recent one's
   * (with a value of the right shape in each gap) has the same fields at the same offsets within each segment.
   */
  interface Tail {
    /** The texts around the varying fields, in order (one more than `gaps`). */
    segments: string[];
    /** Part index of the varying field after each segment but the last. */
    gaps: number[];
    /** Per part: the segment it lies in (-1 for a varying field), and its offsets from that segment's start. */
    segmentOf: Int8Array;
    starts: Int32Array;
    ends: Int32Array;
    stopPart: number;
    /** A gap holds %x or %v: the transaction is read from the line, not from the remembered fields. */
    txInGap: boolean;
    /** The fields this text holds, read by the first full fill() of a line with it: later lines reuse them. */
    fields: TailFields | null;
  }
  interface TailFields {
    tx: string | null;
    user: string | null;
    database: string | null;
    application: string | null;
    client: string | null;
    pid: string;
    sessionId: string;
  }
  /** The tail the last match used (hit or just remembered); null when the line matched without one. */
  let lastTail: Tail | null = null;
  /** The last match hit a tail and left the spans after the time unset (fill() sets them from the tail). */
  let spansFromTail = false;
  /** Where each segment of the last tail hit began in the line, and the spans of its varying fields (by part). */
  const segmentStart = new Int32Array(parts.length + 1);
  const gapStart = new Int32Array(parts.length);
  const gapEnd = new Int32Array(parts.length);
  const first = parts[0];
  // (a leading %t is no head when %m or %n follows: the time is theirs, and would not be read on a cached line)
  const headEsc =
    first !== undefined && first.esc !== null && first.pad === 0 && 'mtn'.includes(first.esc) && !(first.esc === 't' && (escapes.has('m') || escapes.has('n')))
      ? first.esc
      : null;
  const tails: Tail[] = [];
  const MAX_TAILS = 16;
  /** Fields whose value changes within a session: the line number, the transaction ids. */
  const varies = (p: Part) => p.esc !== null && p.pad === 0 && (p.esc === 'l' || p.esc === 'x' || p.esc === 'v');

  function remember(line: string, headEnd: number, sevAt: number): void {
    const segmentOf = new Int8Array(parts.length);
    const starts = new Int32Array(parts.length);
    const ends = new Int32Array(parts.length);
    const segments: string[] = [];
    const gaps: number[] = [];
    let txInGap = false;
    let from = headEnd;
    for (let pi = 1; pi < stopPart; pi++) {
      if (!varies(parts[pi]!)) continue;
      // copied: a slice would keep the whole decoded window alive
      segments.push(detach(line.slice(from, spanStart[pi]!)));
      gaps.push(pi);
      if (parts[pi]!.esc !== 'l') txInGap = true;
      from = spanEnd[pi]!;
    }
    segments.push(detach(line.slice(from, sevAt)));
    if (segments.length > 127) return;
    let seg = 0;
    let segStart = headEnd;
    for (let pi = 1; pi < parts.length; pi++) {
      if (seg < gaps.length && gaps[seg] === pi) {
        segmentOf[pi] = -1;
        seg++;
        segStart = spanEnd[pi]!;
        continue;
      }
      segmentOf[pi] = seg;
      starts[pi] = spanStart[pi]! - segStart;
      ends[pi] = spanEnd[pi]! - segStart;
    }
    if (tails.length >= MAX_TAILS) tails.pop();
    lastTail = { segments, gaps, segmentOf, starts, ends, stopPart, txInGap, fields: null };
    tails.unshift(lastTail);
  }

  /** Whether `line` after `headEnd` has the tail's segments with values of the right shape between them: the end of the last segment, else -1. */
  function hitTail(t: Tail, line: string, headEnd: number): number {
    let pos = headEnd;
    const last = t.segments.length - 1;
    for (let k = 0; ; k++) {
      const seg = t.segments[k]!;
      // = line.startsWith(seg, pos), but V8 compares long strings faster this way
      if (line.lastIndexOf(seg, pos) !== pos) return -1;
      segmentStart[k] = pos;
      pos += seg.length;
      if (k === last) return pos;
      const pi = t.gaps[k]!;
      const end = scanFixed(parts[pi]!.esc!, line, pos);
      if (end < 0) return -1;
      gapStart[pi] = pos;
      gapEnd[pi] = end;
      pos = end;
    }
  }

  /** The spans of the last tail hit's fields, from its segments' starts. */
  function spansOfTail(t: Tail): void {
    for (let pi = 1; pi < parts.length; pi++) {
      const seg = t.segmentOf[pi]!;
      if (seg < 0) {
        spanStart[pi] = gapStart[pi]!;
        spanEnd[pi] = gapEnd[pi]!;
      } else {
        spanStart[pi] = t.starts[pi]! + segmentStart[seg]!;
        spanEnd[pi] = t.ends[pi]! + segmentStart[seg]!;
      }
    }
  }

  const matcher: PrefixMatcher = {
    prefix,
    escapes,
    severity: '',
    time,
    match(line, f, pidSession) {
      const at = matcher.matchOnly(line);
      if (at >= 0) matcher.fill(line, f, pidSession, true);
      return at;
    },
    partial() {
      return stopPart < parts.length;
    },
    matchOnly(line) {
      stopPart = parts.length;
      lastTail = null;
      spansFromTail = false;
      // Lines of one session repeat the text between the timestamp and the severity ("[123] app@db [sid] 0 "):
      // a line whose text there equals a recent one's has the same fields at the same offsets.
      const headEnd = headEsc !== null ? scanFixed(headEsc, line, 0) : -1;
      if (headEnd > 0) {
        for (let k = 0; k < tails.length; k++) {
          const t = tails[k]!;
          const sevAt = hitTail(t, line, headEnd);
          if (sevAt < 0) continue;
          const sev = severityEnd(line, sevAt);
          if (sev < 0) continue;
          // the other fields' spans are set by fill() only when the tail's fields are not known yet
          spanStart[0] = 0;
          spanEnd[0] = headEnd;
          spansFromTail = true;
          stopPart = t.stopPart;
          lastTail = t;
          if (k > 0) {
            tails[k] = tails[0]!;
            tails[0] = t;
          }
          return finish(line, sevAt, sev);
        }
      }
      steps = 0;
      const at = matchFrom(line, 0, 0, 0);
      if (at >= 0 && headEnd > 0 && spanEnd[0] === headEnd) remember(line, headEnd, at);
      return at;
    },
    matchWith(line, esc, value) {
      stopPart = parts.length;
      lastTail = null;
      spansFromTail = false;
      steps = 0;
      forcedEsc = esc;
      forcedValue = value;
      let at: number;
      try {
        at = matchFrom(line, 0, 0, 0);
      } finally {
        forcedEsc = null;
      }
      // the next lines of the session repeat this text: remembered, they are read this way without a second match
      const headEnd = headEsc !== null && spanStart[0] === 0 ? spanEnd[0]! : -1;
      if (at >= 0 && headEnd > 0) remember(line, headEnd, at);
      return at;
    },
    spans() {
      if (spansFromTail) {
        spansOfTail(lastTail!);
        spansFromTail = false;
      }
      const out: [string, number, number][] = [];
      for (let pi = 0; pi < stopPart; pi++) {
        const esc = parts[pi]!.esc;
        if (esc !== null && esc !== 'q') out.push([esc, spanStart[pi]!, spanEnd[pi]!]);
      }
      return out;
    },
    fill(line, f, pidSession, full) {
      f.time = null;
      const cached = lastTail !== null ? lastTail.fields : null;
      if (cached !== null) {
        // same text after the time as an earlier line: same fields; only the time is read
        if (full) assign(headEsc!, line, spanStart[0]!, spanEnd[0]!, f);
        f.tx = cached.tx;
        if (lastTail!.txInGap) {
          f.tx = null;
          for (const pi of lastTail!.gaps) {
            const esc = parts[pi]!.esc!;
            if (esc !== 'l') assign(esc, line, gapStart[pi]!, gapEnd[pi]!, f);
          }
        }
        f.user = cached.user;
        f.database = cached.database;
        f.application = cached.application;
        f.client = cached.client;
        f.session = cached.sessionId || (cached.pid ? pidSession(cached.pid) : f.session);
        return;
      }
      if (spansFromTail) spansOfTail(lastTail!);
      f.tx = null;
      f.user = f.database = f.application = f.client = null;
      pid = sessionId = '';
      remoteHost = null;
      for (let pi = 0; pi < stopPart; pi++) {
        const esc = parts[pi]!.esc;
        if (esc === null) continue;
        if (full || esc === 'p' || esc === 'c') assign(esc, line, spanStart[pi]!, spanEnd[pi]!, f);
      }
      f.session = sessionId || (pid ? pidSession(pid) : f.session);
      if (f.client === null && remoteHost !== null) f.client = remoteHost;
      if (full && lastTail !== null) {
        // copied: kept for as long as the tail is, they must not hold the decoded window alive
        lastTail.fields = {
          tx: own(f.tx),
          user: own(f.user),
          database: own(f.database),
          application: own(f.application),
          client: own(f.client),
          pid: own(pid)!,
          sessionId: own(sessionId)!,
        };
      }
    },
  };

  function mark(pi: number, start: number, end: number): void {
    spanStart[pi] = start;
    spanEnd[pi] = end;
  }

  /**
   * Free-text fields end where the rest of the prefix matches; a value may hold the separator that follows it
   * (an application_name with spaces), so several ends are tried, within this many steps per line.
   */
  const STEPS = 256;
  let steps = 0;
  /** Set by matchWith(): this free-text escape takes exactly this value. */
  let forcedEsc: string | null = null;
  let forcedValue = '';

  function matchFrom(line: string, pi: number, pos: number, depth: number): number {
    for (; pi < parts.length; pi++) {
      if (pi === qIndex) {
        const sev = severityEnd(line, pos);
        if (sev > 0) {
          stopPart = pi;
          return finish(line, pos, sev);
        }
        continue;
      }
      const part = parts[pi]!;
      if (part.lit !== null) {
        if (!line.startsWith(part.lit, pos)) return -1;
        pos += part.lit.length;
        continue;
      }
      if (part.pad > 0) while (line.charCodeAt(pos) === 32) pos++;
      const fixedEnd = scanFixed(part.esc, line, pos);
      if (fixedEnd !== -2) {
        if (fixedEnd < 0) return -1;
        mark(pi, pos, fixedEnd);
        pos = fixedEnd;
        if (part.pad < 0) while (line.charCodeAt(pos) === 32) pos++;
        continue;
      }
      // free text (%a %u %d %h %r %b %i): ends where the rest of the prefix matches
      if (part.esc === forcedEsc) {
        if (!line.startsWith(forcedValue, pos)) return -1;
        mark(pi, pos, pos + forcedValue.length);
        pos += forcedValue.length;
        continue;
      }
      const next = parts[pi + 1];
      if (next === undefined || (pi + 1 === qIndex && parts[pi + 2] === undefined)) {
        // last part: the value runs to the severity word; find the first "WORD:  " after pos
        let at = pos;
        for (let tries = 0; tries < 8 && steps++ < STEPS; tries++) {
          const colon = line.indexOf(':  ', at);
          if (colon < 0) return -1;
          let s = colon;
          while (s > pos && line.charCodeAt(s - 1) !== 32) s--;
          if (s > pos || s === pos) {
            const sev = severityEnd(line, s);
            if (sev > 0) {
              mark(pi, pos, s > pos ? s - 1 : s);
              return finish(line, s, sev);
            }
          }
          at = colon + 1;
        }
        return -1;
      }
      if (next.lit === null) {
        // two escapes side by side: take one word
        let e = pos;
        while (e < line.length && line.charCodeAt(e) !== 32) e++;
        mark(pi, pos, e);
        pos = e;
        continue;
      }
      let at = line.indexOf(next.lit, pos);
      // PostgreSQL names are at most 63 bytes; host names and command tags a little longer
      for (; at >= 0 && at - pos <= 300 && depth < 8 && steps++ < STEPS; ) {
        mark(pi, pos, at);
        const r = matchFrom(line, pi + 1, at, depth + 1);
        if (r >= 0) return r;
        at = line.indexOf(next.lit, at + 1);
      }
      return -1;
    }
    const sev = severityEnd(line, pos);
    return sev > 0 ? finish(line, pos, sev) : -1;
  }

  function finish(line: string, start: number, sevEnd: number): number {
    matcher.severity = severityWord(line, start, sevEnd);
    return start;
  }

  /** End of a fixed-syntax field, -1 when it does not fit, -2 for free-text escapes. */
  function scanFixed(esc: string, line: string, pos: number): number {
    let i = pos;
    switch (esc) {
      case 'p':
      case 'P':
      case 'l':
      case 'x':
        while (isDigit(line.charCodeAt(i))) i++;
        return i > pos || esc === 'P' ? i : -1;
      case 'Q':
        if (line.charCodeAt(i) === 45) i++;
        while (isDigit(line.charCodeAt(i))) i++;
        return i > pos ? i : -1;
      case 'm':
      case 't':
      case 's': {
        // YYYY-MM-DD HH:MM:SS[.fff] ZONE
        if (line.charCodeAt(pos + 4) !== 45 || line.charCodeAt(pos + 10) !== 32 || line.charCodeAt(pos + 13) !== 58) return -1;
        i = pos + 19;
        if (line.charCodeAt(i) === 46) {
          i++;
          while (isDigit(line.charCodeAt(i))) i++;
        }
        if (line.charCodeAt(i) !== 32) return i;
        const z = i + 1;
        let e = z;
        // a colon belongs to the zone only in offsets like +05:30 (RDS puts ':' right after "UTC")
        const signed = line.charCodeAt(z) === 43 || line.charCodeAt(z) === 45;
        while (e < line.length) {
          const c = line.charCodeAt(e);
          if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || isDigit(c) || (e === z && signed) || (signed && c === 58)) e++;
          else break;
        }
        // a zone is letters or a signed offset; a bare number there is not a zone
        return e > z && !isDigit(line.charCodeAt(z)) ? e : i;
      }
      case 'n':
        while (isDigit(line.charCodeAt(i))) i++;
        if (line.charCodeAt(i) === 46) {
          i++;
          while (isDigit(line.charCodeAt(i))) i++;
        }
        return i > pos ? i : -1;
      case 'c':
        while (isHex(line.charCodeAt(i))) i++;
        if (i === pos || line.charCodeAt(i) !== 46) return -1;
        i++;
        while (isHex(line.charCodeAt(i))) i++;
        return i;
      case 'v':
        // backend id / local xid; empty for processes without one
        while (isDigit(line.charCodeAt(i))) i++;
        if (line.charCodeAt(i) === 47) {
          i++;
          while (isDigit(line.charCodeAt(i))) i++;
        }
        return i;
      case 'e':
        while (i < pos + 5 && i < line.length && line.charCodeAt(i) !== 32) i++;
        return i === pos + 5 ? i : -1;
      default:
        return -2;
    }
  }

  // Values repeat from line to line: reuse the previous string when the text is the same (no allocation).
  const lastValue: Record<string, string> = Object.create(null);
  function text(esc: string, line: string, start: number, end: number): string {
    const prev = lastValue[esc];
    if (prev !== undefined && prev.length === end - start && line.startsWith(prev, start)) return prev;
    const v = line.slice(start, end);
    lastValue[esc] = v;
    return v;
  }

  function assign(esc: string, line: string, start: number, end: number, f: PgFields): void {
    switch (esc) {
      case 'm':
      case 't':
        // with both, the milliseconds of %m win over the seconds of %t
        if (esc === 't' && f.time !== null) return;
        f.time = time.parse(line, start, end);
        if (Number.isNaN(f.time)) f.time = null;
        return;
      case 'n':
        f.time = parseEpochSeconds(line.slice(start, end));
        return;
      case 'p':
        pid = text(esc, line, start, end);
        return;
      case 'c':
        sessionId = text(esc, line, start, end);
        return;
      case 'u':
        f.user = emptyToNull(text(esc, line, start, end).trim());
        return;
      case 'd':
        f.database = emptyToNull(text(esc, line, start, end).trim());
        return;
      case 'a':
        f.application = emptyToNull(text(esc, line, start, end).trim());
        return;
      case 'h':
        f.client = emptyToNull(text(esc, line, start, end).trim());
        return;
      case 'r': {
        const v = line.slice(start, end).trim();
        const paren = v.indexOf('(');
        remoteHost = emptyToNull(paren > 0 ? v.slice(0, paren) : v);
        return;
      }
      case 'v':
        // N/0: no transaction open (autocommit statements are logged after theirs ended), as csvlog's txKey says
        if (end > start && f.tx === null && !(line.charCodeAt(end - 1) === 48 && line.charCodeAt(end - 2) === 47)) f.tx = line.slice(start, end);
        return;
      case 'x':
        // xid 0 means "none assigned yet"; a vxid (%v) is preferred when both are present
        if (end > start && !(end - start === 1 && line.charCodeAt(start) === 48) && !escapes.has('v')) f.tx = line.slice(start, end);
        return;
      default:
    }
  }

  return matcher;
}

function own(v: string | null): string | null {
  return v === null ? null : detach(v);
}

function emptyToNull(v: string): string | null {
  return v === '' || isUnknownValue(v) ? null : v;
}

