/** Parameter values as the ORM logs print them: JSON arrays/objects, and Node's util.inspect arrays and objects. */
import type { ParamValues } from '../types.js';

/** One logged parameter value as the SQL core wants it: text, or null for SQL NULL. */
export function paramText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

/** Parse a JSON array (or object, for named binds) of parameter values; null when it is not JSON. */
export function jsonParams(text: string): ParamValues | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (Array.isArray(v)) return v.map(paramText);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, string | null> = {};
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) out[k] = paramText(val);
    return out;
  }
  return null;
}

/**
 * Values of a Node.js util.inspect array of primitives, as debug() and console.log print them:
 * `[ 1, 'x', null, 2024-01-01T00:00:00.000Z ]`. Returns null for anything else (nested objects).
 */
export function inspectParams(text: string): (string | null)[] | null {
  const t = text.trim();
  if (t.charCodeAt(0) !== 91 || t.charCodeAt(t.length - 1) !== 93) return null;
  const out: (string | null)[] = [];
  let i = 1;
  const end = t.length - 1;
  while (i < end) {
    while (i < end && (t.charCodeAt(i) === 32 || t.charCodeAt(i) === 10)) i++;
    if (i >= end) break;
    const c = t.charCodeAt(i);
    if (c === 39 || c === 34 || c === 96) {
      let v = '';
      let j = i + 1;
      while (j < end && t.charCodeAt(j) !== c) {
        if (t.charCodeAt(j) === 92 && j + 1 < end) {
          const n = t[j + 1]!;
          v += n === 'n' ? '\n' : n === 't' ? '\t' : n;
          j += 2;
          continue;
        }
        v += t[j];
        j++;
      }
      if (j >= end) return null;
      out.push(v);
      i = j + 1;
    } else {
      let j = i;
      while (j < end && t.charCodeAt(j) !== 44) j++;
      const v = t.slice(i, j).trim();
      if (v.charCodeAt(0) === 123 || v.charCodeAt(0) === 91) return null;
      out.push(v === 'null' || v === 'undefined' ? null : v);
      i = j;
    }
    while (i < end && t.charCodeAt(i) === 32) i++;
    if (i < end && t.charCodeAt(i) !== 44) return null;
    i++;
  }
  return out;
}

/**
 * Entries of a util.inspect object literal `{ key: value, … }` (one line or many): strings in '', "" or ``
 * with inspect's escapes are unescaped, anything else (numbers, a Date's ISO text) is kept as written.
 * Null when the text is not such an object.
 */
export function inspectObject(text: string): Record<string, string> | null {
  const t = text.trim();
  if (t.charCodeAt(0) !== 123 || t.charCodeAt(t.length - 1) !== 125) return null;
  const out: Record<string, string> = {};
  const end = t.length - 1;
  let i = 1;
  while (i < end) {
    while (i < end && t.charCodeAt(i) <= 32) i++;
    if (i >= end) break;
    let k = i;
    while (k < end && t.charCodeAt(k) !== 58 && t.charCodeAt(k) > 32) k++;
    if (t.charCodeAt(k) !== 58 || k === i) return null;
    let key = t.slice(i, k);
    const kq = key.charCodeAt(0);
    if ((kq === 39 || kq === 34) && key.charCodeAt(key.length - 1) === kq) key = key.slice(1, -1);
    i = k + 1;
    while (i < end && t.charCodeAt(i) === 32) i++;
    const q = t.charCodeAt(i);
    if (q === 39 || q === 34 || q === 96) {
      let v = '';
      let j = i + 1;
      while (j < end && t.charCodeAt(j) !== q) {
        if (t.charCodeAt(j) === 92 && j + 1 < end) {
          const n = t[j + 1]!;
          if (n === 'x' || n === 'u') {
            const len = n === 'x' ? 2 : 4;
            const code = parseInt(t.slice(j + 2, j + 2 + len), 16);
            if (Number.isFinite(code)) {
              v += String.fromCharCode(code);
              j += 2 + len;
              continue;
            }
          }
          v += n === 'n' ? '\n' : n === 't' ? '\t' : n === 'r' ? '\r' : n === 'b' ? '\b' : n === 'f' ? '\f' : n;
          j += 2;
          continue;
        }
        v += t[j];
        j++;
      }
      if (j >= end) return null;
      out[key] = v;
      i = j + 1;
    } else {
      let depth = 0;
      let j = i;
      for (; j < end; j++) {
        const c = t.charCodeAt(j);
        if (c === 91 || c === 123) depth++;
        else if (c === 93 || c === 125) depth--;
        else if (c === 44 && depth === 0) break;
      }
      out[key] = t.slice(i, j).trim();
      i = j;
    }
    while (i < end && t.charCodeAt(i) <= 32) i++;
    if (i < end && t.charCodeAt(i) !== 44) return null;
    i++;
  }
  return out;
}
