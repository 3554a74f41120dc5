/**
 * Text from a log made safe to print: every control character a terminal acts on (C0 but tab and newline, DEL,
 * C1 — which starts CSI/OSC sequences on its own in some terminals), and the bidirectional overrides that reorder
 * what is shown, become visible escapes (`\x1b`, `\x9b`, `\u202e`). ESC[2J, OSC 0 titles, OSC 8 links and BEL
 * then print as text instead of acting. The reporters call it on every value that came from a log.
 */

// \r is escaped too: on its own it returns to the start of the line and lets a value overwrite what precedes it
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_OR_NEWLINE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeChar(ch: string): string {
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with every control character shown as an escape; tabs and (unless `oneLine`) newlines are kept. */
export function printable(s: string, oneLine = false): string {
  const re = oneLine ? UNSAFE_OR_NEWLINE : UNSAFE;
  re.lastIndex = 0;
  return re.test(s) ? s.replace(re, escapeChar) : s;
}

/** A copy of a report's data with every string in it printable (for a reporter that prints many fields). */
export function printableDeep<T>(v: T): T {
  if (typeof v === 'string') return printable(v) as T;
  if (Array.isArray(v)) return v.map(printableDeep) as T;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = printableDeep(x);
    return out as T;
  }
  return v;
}

/**
 * JSON text whose strings hold no raw control character either: JSON.stringify escapes C0 only, so DEL, C1
 * and the bidirectional overrides are turned into `\u` escapes here (the parsed value is unchanged).
 */
export function printableJson(json: string): string {
  return json.replace(/[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
