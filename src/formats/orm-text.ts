/** Line hygiene and timestamp reading shared by the SQLAlchemy, Django and Rails log formats. */

const ESC = 0x1b;
const LEFT_ARROW = 0x2190; // '←': Windows consoles (and pastes from them) show ESC this way

/**
 * Remove what a paste or a terminal adds around a log line: a trailing CR (CRLF files), a BOM, and
 * ANSI SGR sequences written as ESC[…m, ←[…m, or (with `bare`) as `[1m`, which is what is left when
 * a colored Rails log is pasted into a web form that drops the ESC byte. One pass, no regex.
 */
export function cleanLine(text: string, bare = false): string {
  let s = text;
  if (s.length > 0 && s.charCodeAt(s.length - 1) === 13) s = s.slice(0, -1);
  if (s.length > 0 && s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  if (s.indexOf('[') < 0) return s;
  if (!bare && s.indexOf('\x1b') < 0 && s.indexOf('\u2190') < 0) return s;
  let out = '';
  let from = 0;
  let i = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    let start = -1;
    let needDigit = false;
    if ((c === ESC || c === LEFT_ARROW) && s.charCodeAt(i + 1) === 91) start = i + 2;
    else if (bare && c === 91) {
      start = i + 1;
      needDigit = true; // a bare `[m…` is text (`[mytag]`); only `[0m`, `[1;36m` are colors
    }
    if (start >= 0) {
      const end = sgrEnd(s, start, needDigit);
      if (end > 0) {
        out += s.slice(from, i);
        i = end;
        from = end;
        continue;
      }
    }
    i++;
  }
  return from === 0 ? s : out + s.slice(from);
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

function digitsAt(s: string, i: number, n: number): number {
  let v = 0;
  for (let k = 0; k < n; k++) {
    const c = s.charCodeAt(i + k) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** True when `s` has `YYYY-MM-DD` at `i`. */
export function isDateAt(s: string, i: number): boolean {
  return digitsAt(s, i, 4) >= 0 && s.charCodeAt(i + 4) === 45 && digitsAt(s, i + 5, 2) >= 0 && s.charCodeAt(i + 7) === 45 && digitsAt(s, i + 8, 2) >= 0;
}

/** A timestamp read from a log line: epoch ms and where its text ends. */
export interface Stamp {
  ms: number;
  end: number;
}

/**
 * Read `YYYY-MM-DD[ T]HH:MM:SS[,.]fraction` at `i`, then an optional offset (`Z`, `+hh:mm`, `+hhmm`,
 * ` +0100`, ` UTC`). Python's logging `asctime` and Ruby's Logger write local time without an offset;
 * those stamps are read as UTC, because the log does not say which zone the writer was in (the
 * --log-timezone option is the place to correct that, not a guess here).
 */
export function readStamp(s: string, i: number): Stamp | null {
  if (!isDateAt(s, i)) return null;
  const sep = s.charCodeAt(i + 10);
  if (sep !== 32 && sep !== 84 /* T */) return null;
  const y = digitsAt(s, i, 4);
  const mo = digitsAt(s, i + 5, 2);
  const d = digitsAt(s, i + 8, 2);
  const h = digitsAt(s, i + 11, 2);
  const mi = digitsAt(s, i + 14, 2);
  const se = digitsAt(s, i + 17, 2);
  if (h < 0 || mi < 0 || se < 0 || s.charCodeAt(i + 13) !== 58 || s.charCodeAt(i + 16) !== 58) return null;
  let j = i + 19;
  let frac = 0;
  const fc = s.charCodeAt(j);
  if (fc === 44 || fc === 46) {
    j++;
    let scale = 100;
    while (j < s.length) {
      const c = s.charCodeAt(j) - 48;
      if (c < 0 || c > 9) break;
      frac += c * scale;
      scale /= 10;
      j++;
    }
  }
  let offsetMin = 0;
  let k = j;
  if (s.charCodeAt(k) === 32 && (s.charCodeAt(k + 1) === 43 || s.charCodeAt(k + 1) === 45)) k++;
  const oc = s.charCodeAt(k);
  if (oc === 90 /* Z */) {
    j = k + 1;
  } else if (oc === 43 || oc === 45) {
    const oh = digitsAt(s, k + 1, 2);
    const colon = s.charCodeAt(k + 3) === 58 ? 1 : 0;
    const om = digitsAt(s, k + 3 + colon, 2);
    if (oh >= 0 && om >= 0) {
      offsetMin = (oh * 60 + om) * (oc === 45 ? -1 : 1);
      j = k + 5 + colon;
    }
  } else if (s.startsWith(' UTC', j)) {
    j += 4;
  }
  const ms = Date.UTC(y, mo - 1, d, h, mi, se) + Math.round(frac) - offsetMin * 60_000;
  return Number.isFinite(ms) ? { ms, end: j } : null;
}

/** Parse a decimal like `0.3` or `12` at [from, to); NaN when it is not one. */
export function decimal(s: string, from: number, to: number): number {
  if (to <= from) return NaN;
  let dot = false;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (dot) return NaN;
      dot = true;
    } else if (c < 48 || c > 57) return NaN;
  }
  return Number(s.slice(from, to));
}
