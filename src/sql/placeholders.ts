/** Rewrite ORM placeholders (`?`, `%s`, `%(name)s`, `:name`) to PostgreSQL `$n` so libpg-query can parse the text. */
import { Tok, TokenBuffer, lexInto } from './lexer.js';

const buf = new TokenBuffer();

/**
 * Replace every ORM placeholder by `$n`, leaving strings, quoted identifiers, comments and `::` casts
 * alone (the lexer already tells them apart). Positional ones (`?`, `%s`) are numbered in order after
 * the highest `$k` already present; a repeated name (`%(id)s … %(id)s`) gets the same number. psycopg's
 * `%%` (a literal `%` in a template with parameters) becomes `%`.
 */
export function rewritePlaceholders(sql: string): string {
  lexInto(sql, buf);
  let maxDollar = 0;
  let any = false;
  for (let t = 0; t < buf.count; t++) {
    const k = buf.kind[t];
    if (k === Tok.Param) maxDollar = Math.max(maxDollar, +sql.slice(buf.start[t]! + 1, buf.end[t]));
    else if (k === Tok.Placeholder) any = true;
  }
  if (!any) return sql;
  let out = '';
  let last = 0;
  let next = maxDollar;
  const names = new Map<string, number>();
  for (let t = 0; t < buf.count; t++) {
    const k = buf.kind[t];
    const s = buf.start[t]!;
    const e = buf.end[t]!;
    if (k === Tok.Placeholder) {
      const c = sql.charCodeAt(s);
      let name: string | null = null;
      if (c === 58) name = sql.slice(s + 1, e);
      else if (c === 37 && sql.charCodeAt(s + 1) === 40) name = sql.slice(s + 2, e - 2);
      let num: number;
      if (name !== null) {
        const prior = names.get(name);
        num = prior ?? ++next;
        if (prior === undefined) names.set(name, num);
      } else num = ++next;
      out += sql.slice(last, s) + '$' + num;
      last = e;
    } else if (k === Tok.Op && e - s === 2 && sql.charCodeAt(s) === 37 && sql.charCodeAt(s + 1) === 37) {
      out += sql.slice(last, s) + '%';
      last = e;
    }
  }
  return out + sql.slice(last);
}
