/** Severity words after the log_line_prefix: `LOG:  `, `ERROR:  `, `DEBUG1:  `, or a translated one (`FEHLER:  `). */
import { ENGLISH_SEVERITIES, isSeverity } from '../pg-message.js';

const isDigit = (c: number) => c >= 48 && c <= 57;

/** End of a severity word (`LOG`, `ERROR`, `DEBUG1`, or a translated one) followed by ":  ", or -1. */
export function severityEnd(line: string, at: number): number {
  let i = at;
  const n = line.length;
  while (i < n) {
    const c = line.charCodeAt(i);
    // upper-case ASCII, digits, and non-ASCII letters of translated severities (FEHLER, ERREUR, ОШИБКА)
    if ((c >= 65 && c <= 90) || isDigit(c) || c > 127) i++;
    else break;
  }
  if (i === at || i - at > 20) return -1;
  return line.charCodeAt(i) === 58 && line.charCodeAt(i + 1) === 32 && line.charCodeAt(i + 2) === 32 ? i : -1;
}

/** The English severities by length, so that reading one costs no new string. */
const SEVERITY_BY_LENGTH: string[][] = [];
for (const w of ENGLISH_SEVERITIES) (SEVERITY_BY_LENGTH[w.length] ??= []).push(w);

/** The severity word followed by ":  " at `at`, or null. */
export function severityAt(line: string, at: number): string | null {
  const end = severityEnd(line, at);
  return end > 0 ? severityWord(line, at, end) : null;
}

export function severityWord(line: string, start: number, end: number): string {
  const known = SEVERITY_BY_LENGTH[end - start];
  if (known !== undefined) for (const w of known) if (line.startsWith(w, start)) return w;
  return line.slice(start, end);
}

const isWordChar = (c: number) => (c >= 65 && c <= 90) || isDigit(c) || c > 127;
const isLower = (c: number) => c >= 97 && c <= 122;

/**
 * Index of a severity marker ("LOG:  ", "ERROR:  " …) in a line, or -1. The word starts after whatever separator
 * ends the prefix (a space, `]`, `:`, but also `,`, `=`, `;`, `|` …), not after a lower-case letter.
 */
export function findSeverity(line: string): number {
  let at = line.indexOf(':  ');
  while (at > 0) {
    let s = at;
    while (s > 0 && isWordChar(line.charCodeAt(s - 1))) s--;
    if (s > 0 && isLower(line.charCodeAt(s - 1))) {
      at = line.indexOf(':  ', at + 1);
      continue;
    }
    const word = line.slice(s, at);
    if (isSeverity(word)) return s;
    at = line.indexOf(':  ', at + 1);
  }
  return -1;
}

