/** Timestamps as PostgreSQL writes them (%t, %m, %n, csv/json log_time), parsed by hand because Date misreads zone abbreviations. */
import { tz } from '@date-fns/tz';

/** Offsets (minutes east of UTC) of abbreviations that mean one thing worldwide. Ambiguous ones (CST, IST, BST…) need --log-timezone. */
const FIXED_ZONES: Record<string, number> = {
  UTC: 0, GMT: 0, Z: 0, UT: 0, WET: 0, WEST: 60, CET: 60, CEST: 120, MET: 60, MEST: 120, EET: 120, EEST: 180,
  MSK: 180, EST: -300, EDT: -240, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420, AKST: -540,
  AKDT: -480, HST: -600, JST: 540, KST: 540, HKT: 480, SGT: 480, AEST: 600, AEDT: 660, ACST: 570,
  ACDT: 630, AWST: 480, NZST: 720, NZDT: 780, BRT: -180, ART: -180, CLT: -240, PKT: 300, WIB: 420,
  ICT: 420, PHT: 480, SAST: 120, CAT: 120, EAT: 180, WAT: 60, NST: -210, NDT: -150, AST: -240, ADT: -180,
};
/** Abbreviations used by several zones; the value is the most common reading, used only when no --log-timezone is given. */
const AMBIGUOUS_ZONES: Record<string, number> = { CST: -360, IST: 330, BST: 60 };

export interface TimeParser {
  /** Epoch ms of `YYYY-MM-DD HH:MM:SS[.fff] [ZONE]` starting at `start` in `s`, or NaN. */
  parse(s: string, start?: number, end?: number): number;
  /** Zone abbreviations met that were ambiguous or unknown (for doctor and warnings). */
  readonly unsureZones: Set<string>;
}

const d2 = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);

/** One parser per input: caches the zone → offset decision, so the per-line cost is a few charCodeAt calls. */
export function createTimeParser(logTimezone: string | null): TimeParser {
  const zoneCache = new Map<string, number | null>();
  const unsureZones = new Set<string>();
  const ianaTz = logTimezone ? tz(logTimezone) : null;

  /** Offset in minutes for a zone token, or null when it must be computed per timestamp in the IANA zone. */
  function zoneOffset(zone: string): number | null {
    const cached = zoneCache.get(zone);
    if (cached !== undefined) return cached;
    let off: number | null;
    const c = zone.charCodeAt(0);
    if (c === 43 || c === 45) {
      // numeric: -03, +0530, +05:30
      const sign = c === 45 ? -1 : 1;
      const digits = zone.slice(1).replace(':', '');
      const h = parseInt(digits.slice(0, 2), 10);
      const m = digits.length > 2 ? parseInt(digits.slice(2, 4), 10) : 0;
      off = Number.isFinite(h) ? sign * (h * 60 + (Number.isFinite(m) ? m : 0)) : 0;
    } else if (zone === '') {
      off = ianaTz ? null : 0;
    } else if (ianaTz && !(zone in FIXED_ZONES && (zone === 'UTC' || zone === 'GMT'))) {
      off = null; // follow the IANA zone, DST included
    } else if (zone in FIXED_ZONES) {
      off = FIXED_ZONES[zone]!;
    } else {
      unsureZones.add(zone);
      off = AMBIGUOUS_ZONES[zone] ?? 0;
    }
    zoneCache.set(zone, off);
    return off;
  }

  // Consecutive lines share their second and zone: remember the last one and add the milliseconds.
  let lastSecond = '';
  let lastZone = '';
  let lastBase = 0;

  function parse(s: string, start = 0, end = s.length): number {
    if (end - start < 19) return NaN;
    let i = start + 19;
    let ms = 0;
    const fraction = s.charCodeAt(i) === 46;
    if (fraction) {
      // fractional seconds: keep milliseconds
      i++;
      let scale = 100;
      while (i < end) {
        const c = s.charCodeAt(i);
        if (c < 48 || c > 57) break;
        ms += (c - 48) * scale;
        scale /= 10;
        i++;
      }
      ms = Math.floor(ms);
    }
    while (s.charCodeAt(i) === 32 && i < end) i++;
    if (
      lastSecond.length === 19 &&
      // = startsWith at start / at i: V8 runs lastIndexOf's comparison in bulk, startsWith's char by char
      s.lastIndexOf(lastSecond, start) === start &&
      end - i === lastZone.length &&
      s.lastIndexOf(lastZone, i) === i &&
      !(ianaTz && zoneOffset(lastZone) === null)
    ) {
      return lastBase + ms;
    }
    const y = d2(s, start) * 100 + d2(s, start + 2);
    const mo = d2(s, start + 5);
    const d = d2(s, start + 8);
    const h = d2(s, start + 11);
    const mi = d2(s, start + 14);
    const se = d2(s, start + 17);
    if (!(y > 1900 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 25 && mi < 60 && se < 61)) return NaN;
    const zone = s.slice(i, end).trim();
    const local = Date.UTC(y, mo - 1, d, h, mi, se, 0);
    const off = zoneOffset(zone);
    if (off === null) return ianaWallToEpoch(local + ms, ianaTz!);
    lastSecond = s.slice(start, start + 19);
    lastZone = s.slice(i, end);
    lastBase = local - off * 60_000;
    return lastBase + ms;
  }

  return { parse, unsureZones };
}

/** Epoch ms of a wall-clock time (given as if it were UTC) in an IANA zone. */
function ianaWallToEpoch(guess: number, zoneFn: ReturnType<typeof tz>): number {
  // Two passes converge across DST edges: guess, then correct by the offset found at the guess.
  const off1 = offsetAt(guess, zoneFn);
  const t1 = guess - off1;
  const off2 = offsetAt(t1, zoneFn);
  return guess - off2;
}

function offsetAt(epoch: number, zoneFn: ReturnType<typeof tz>): number {
  const z = zoneFn(epoch);
  return -z.getTimezoneOffset() * 60_000;
}

/** `%n`: seconds since epoch with milliseconds. */
export function parseEpochSeconds(s: string): number {
  const v = Number(s);
  return Number.isFinite(v) ? Math.round(v * 1000) : NaN;
}
