/** sqlcommenter (`key='value',…`, URL-encoded) and Rails/Marginalia (`key:value,…`) tags from a comment body. */

/**
 * Parse the body of a block comment (between `/*` and `*\/`, offsets `s`..`e` in `sql`) as tags.
 * Returns null unless the whole body is a comma-separated list of key/value pairs, so prose comments
 * (`/* fetch users *\/`) are not mistaken for metadata.
 */
export function parseTags(sql: string, s: number, e: number): Record<string, string> | null {
  while (s < e && isSpace(sql.charCodeAt(s))) s++;
  while (e > s && isSpace(sql.charCodeAt(e - 1))) e--;
  if (s >= e) return null;
  let tags: Record<string, string> | null = null;
  let i = s;
  while (i < e) {
    // key
    const ks = i;
    while (i < e && isKeyChar(sql.charCodeAt(i))) i++;
    if (i === ks || i >= e) return null;
    const sep = sql.charCodeAt(i);
    if (sep !== 61 /* = */ && sep !== 58 /* : */) return null;
    const key = decode(sql.slice(ks, i));
    i++;
    let value: string;
    if (i < e && sql.charCodeAt(i) === 39 /* ' */) {
      // sqlcommenter: quoted, `\'` escapes a quote, then URL-encoded.
      i++;
      let raw = '';
      let closed = false;
      let from = i;
      while (i < e) {
        const c = sql.charCodeAt(i);
        if (c === 92 && i + 1 < e) {
          raw += sql.slice(from, i) + sql[i + 1];
          i += 2;
          from = i;
          continue;
        }
        if (c === 39) {
          raw += sql.slice(from, i);
          closed = true;
          i++;
          break;
        }
        i++;
      }
      if (!closed) return null;
      value = decode(raw);
    } else {
      if (sep === 61) return null; // `a=b` unquoted is not sqlcommenter
      // Marginalia / Rails legacy: value runs to the next comma.
      const vs = i;
      while (i < e && sql.charCodeAt(i) !== 44) i++;
      value = sql.slice(vs, i).trim();
    }
    (tags ??= {})[key] = value;
    while (i < e && isSpace(sql.charCodeAt(i))) i++;
    if (i < e) {
      if (sql.charCodeAt(i) !== 44) return null;
      i++;
      while (i < e && isSpace(sql.charCodeAt(i))) i++;
    }
  }
  return tags;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

function isKeyChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46 || c === 37;
}

function decode(s: string): string {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
