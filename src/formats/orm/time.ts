/** The one timestamp reader of the ORM log formats, and the --log-timezone reading of zone-less times. */
import { TZDate } from '@date-fns/tz';

function digits(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** `n` decimal digits at `i` as a number, or -1. */
export { digits as digitsAt };

/** True when `s` has `YYYY-MM-DD` at `i`. */
export function isDateAt(s: string, i: number): boolean {
  return digits(s, i, 4) >= 0 && s.charCodeAt(i + 4) === 45 && digits(s, i + 5, 2) >= 0 && s.charCodeAt(i + 7) === 45 && digits(s, i + 8, 2) >= 0;
}

/** Wall-clock (read as UTC) → epoch ms in the --log-timezone zone. */
export type LocalTime = (wallMs: number) => number;

/**
 * Reader for zone-less timestamps in `zone` (IANA name), or null to read them as UTC. The offset is
 * cached per hour of wall time, so a line costs a comparison; it is re-checked at the guessed instant
 * so times next to a DST change land on the right side.
 */
export function localTime(zone: string | null): LocalTime | null {
  if (zone === null || zone === '' || zone === 'UTC') return null;
  let hour = NaN;
  let offsetMs = 0;
  return (wall) => {
    const h = Math.floor(wall / 3_600_000);
    if (h !== hour) {
      hour = h;
      const first = new TZDate(wall, zone).getTimezoneOffset() * 60_000;
      offsetMs = new TZDate(wall + first, zone).getTimezoneOffset() * 60_000;
    }
    return wall + offsetMs;
  };
}

/**
 * The zone reader of the parser now running. Each JavaScript/Java/Go parser sets it at the start of push();
 * parsing is synchronous, so parsers of several files never see each other's zone.
 */
let local: LocalTime | null = null;
export function useLocalTime(reader: LocalTime | null): void {
  local = reader;
}

/** Result slot of the reader (reused, so reading a line allocates nothing); frac: it had a sub-second part. */
export const stamp = { time: 0, end: 0, frac: false };

/**
 * Read `YYYY-MM-DD[ T]HH:MM:SS[.,fraction]` at s[i] and an offset after it into `stamp`; false when absent.
 * Two dialects of the one reader:
 * - `python` (the Python and Ruby logging prefixes): dashed dates only, an offset `Z`, `+hh[:]mm` (also
 *   after one space, Rails' ` +0000`) or ` UTC`; a zone-less time is read as UTC, because the log does not say
 *   which zone the writer was in.
 * - otherwise (Node, Java and Go loggers): also Go's `YYYY/MM/DD`, a checked month and day, an offset `Z`,
 *   `±HH[[:]MM]` or ` UTC`; a zone-less time is read in --log-timezone when given (useLocalTime), else as UTC:
 *   these logs rarely say their zone, and a fixed rule keeps runs reproducible on any machine.
 */
function readTime(s: string, i: number, python: boolean): boolean {
  const y = digits(s, i, 4);
  if (y < 0) return false;
  const sep = s.charCodeAt(i + 4);
  if ((sep !== 45 && (python || sep !== 47)) || s.charCodeAt(i + 7) !== sep) return false;
  const mo = digits(s, i + 5, 2);
  const d = digits(s, i + 8, 2);
  if (mo < 0 || d < 0) return false;
  if (!python && (mo < 1 || mo > 12 || d < 1 || d > 31)) return false;
  const t = s.charCodeAt(i + 10);
  if (t !== 32 && t !== 84 /* T */) return false;
  const h = digits(s, i + 11, 2);
  const mi = digits(s, i + 14, 2);
  const se = digits(s, i + 17, 2);
  if (h < 0 || mi < 0 || se < 0 || s.charCodeAt(i + 13) !== 58 || s.charCodeAt(i + 16) !== 58) return false;
  let j = i + 19;
  let ms = 0;
  const f = s.charCodeAt(j);
  const frac = f === 46 || f === 44;
  if (frac) {
    j++;
    let scale = 100;
    while (j < s.length) {
      const c = s.charCodeAt(j) - 48;
      if (c < 0 || c > 9) break;
      ms += c * scale;
      scale /= 10;
      j++;
    }
  }
  let offsetMin = 0;
  let zoned = true;
  if (python) {
    let k = j;
    if (s.charCodeAt(k) === 32 && (s.charCodeAt(k + 1) === 43 || s.charCodeAt(k + 1) === 45)) k++;
    const oc = s.charCodeAt(k);
    if (oc === 90 /* Z */) {
      j = k + 1;
    } else if (oc === 43 || oc === 45) {
      const oh = digits(s, k + 1, 2);
      const colon = s.charCodeAt(k + 3) === 58 ? 1 : 0;
      const om = digits(s, k + 3 + colon, 2);
      if (oh >= 0 && om >= 0) {
        offsetMin = (oh * 60 + om) * (oc === 45 ? -1 : 1);
        j = k + 5 + colon;
      }
    } else if (s.startsWith(' UTC', j)) {
      j += 4;
    }
    const wall = Date.UTC(y, mo - 1, d, h, mi, se) + Math.round(ms) - offsetMin * 60_000;
    if (!Number.isFinite(wall)) return false;
    stamp.time = wall;
  } else {
    const z = s.charCodeAt(j);
    if (z === 90 /* Z */) j++;
    else if (z === 43 || z === 45) {
      const oh = digits(s, j + 1, 2);
      if (oh >= 0) {
        let om = 0;
        let k = j + 3;
        if (s.charCodeAt(k) === 58) k++;
        const m2 = digits(s, k, 2);
        if (m2 >= 0) {
          om = m2;
          k += 2;
        }
        offsetMin = (z === 43 ? 1 : -1) * (oh * 60 + om);
        j = k;
      } else zoned = false;
    } else if (z === 32 && s.startsWith('UTC', j + 1)) j += 4;
    else zoned = false;
    const wall = Date.UTC(y, mo - 1, d, h, mi, se) + Math.round(ms);
    stamp.time = zoned ? wall - offsetMin * 60000 : local !== null ? local(wall) : wall;
  }
  stamp.frac = frac;
  stamp.end = j;
  return true;
}

/**
 * Read a timestamp at s[i] as the Node, Java and Go loggers write it: `YYYY-MM-DD[ T]HH:MM:SS[.,fraction][Z|±HH[:]MM| UTC]`
 * or Go's `YYYY/MM/DD HH:MM:SS[.micro]`. Sets stamp.time (epoch ms) and stamp.end; returns false when absent.
 */
export function parseTimestamp(s: string, i: number): boolean {
  return readTime(s, i, false);
}

/** A timestamp read from a log line: epoch ms and where its text ends. */
export interface Stamp {
  ms: number;
  end: number;
}

/**
 * Read a timestamp at `i` as Python's logging `asctime` and Ruby's Logger write it: `YYYY-MM-DD[ T]HH:MM:SS[,.]fraction`,
 * then an optional offset (`Z`, `+hh:mm`, `+hhmm`, ` +0100`, ` UTC`). Without an offset the stamp is read as UTC
 * (the --log-timezone option is the place to correct that, not a guess here).
 */
export function readStamp(s: string, i: number): Stamp | null {
  return readTime(s, i, true) ? { ms: stamp.time, end: stamp.end } : null;
}
