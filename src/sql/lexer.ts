/** Hand-written PostgreSQL lexer (plus ORM placeholder styles): char-code scanning into reusable typed arrays, no regex. */

/**
 * Token kinds. Plain numeric constants rather than a `const enum`, so that esbuild/vitest and tsc
 * agree on them without isolatedModules caveats.
 */
export const Tok = {
  /** Unquoted identifier or keyword (PostgreSQL does not tell them apart lexically either). */
  Word: 1,
  /** "quoted identifier" or U&"quoted identifier". */
  QIdent: 2,
  /** '…' or N'…' */
  String: 3,
  /** E'…' with backslash escapes. */
  EString: 4,
  /** U&'…' */
  UString: 5,
  /** $tag$…$tag$ */
  Dollar: 6,
  /** B'…' */
  BitString: 7,
  /** X'…' */
  HexString: 8,
  Number: 9,
  /** $1 */
  Param: 10,
  /** ORM placeholder: ?, %s, %(name)s, :name */
  Placeholder: 11,
  /** Operator: any run of operator characters, including single `=`, `<`, `+`, `*`… */
  Op: 12,
  /** :: */
  Typecast: 13,
  LParen: 14,
  RParen: 15,
  LBracket: 16,
  RBracket: 17,
  Comma: 18,
  Semicolon: 19,
  Dot: 20,
  /** A lone `:` (array slices). */
  Colon: 21,
  BlockComment: 22,
  LineComment: 23,
  /** Anything else (a stray backslash, a lone `$`): one character, never fatal. */
  Other: 24,
} as const;
export type TokKind = (typeof Tok)[keyof typeof Tok];

export const TOK_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Tok).map(([k, v]) => [v, k]));

/** Kinds that are literal constants. */
export function isStringKind(k: number): boolean {
  return k >= Tok.String && k <= Tok.HexString;
}

/** Token storage as parallel typed arrays; grown on demand and reused across calls to avoid per-token objects. */
export class TokenBuffer {
  kind = new Uint8Array(256);
  start = new Int32Array(256);
  end = new Int32Array(256);
  /** For Word tokens: a hash of the ASCII-lower-cased text (see wordHash in normalize.ts). */
  hash = new Int32Array(256);
  count = 0;

  push(kind: number, start: number, end: number): void {
    if (this.count === this.kind.length) this.grow();
    const n = this.count++;
    this.kind[n] = kind;
    this.start[n] = start;
    this.end[n] = end;
  }

  private grow(): void {
    const size = this.kind.length * 2;
    const k = new Uint8Array(size);
    k.set(this.kind);
    const s = new Int32Array(size);
    s.set(this.start);
    const e = new Int32Array(size);
    e.set(this.end);
    const h = new Int32Array(size);
    h.set(this.hash);
    this.hash = h;
    this.kind = k;
    this.start = s;
    this.end = e;
  }
}

// Character classes as a lookup table over ASCII; codes >= 128 are identifier characters, as in PostgreSQL.
const C_IDSTART = 1;
const C_IDCONT = 2;
const C_DIGIT = 4;
const C_OP = 8;
const C_SPACE = 16;
const C_HEX = 32;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_]/.test(ch)) CLASS[c] |= C_IDSTART | C_IDCONT;
  if (/[0-9]/.test(ch)) CLASS[c] |= C_DIGIT | C_IDCONT;
  if (ch === '$') CLASS[c] |= C_IDCONT;
  if ('~!@#^&|`?+-*/%<>='.includes(ch)) CLASS[c] |= C_OP;
  if (' \t\n\r\f\v'.includes(ch)) CLASS[c] |= C_SPACE;
  if (/[0-9A-Fa-f]/.test(ch)) CLASS[c] |= C_HEX;
}

function isIdStart(c: number): boolean {
  return c >= 128 || (CLASS[c]! & C_IDSTART) !== 0;
}
function isIdCont(c: number): boolean {
  return c >= 128 || (CLASS[c]! & C_IDCONT) !== 0;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isOpChar(c: number): boolean {
  return c < 128 && (CLASS[c]! & C_OP) !== 0;
}

/**
 * Words after which an operand is expected. A lone `?` after one of these (or after an operator,
 * `(`, `,`, or at the start) is an ORM placeholder; after an operand it is PostgreSQL's jsonb `?`
 * operator. The same test decides whether `-` before a number is a sign.
 */
export const EXPECT_OPERAND = new Set([
  'select', 'where', 'and', 'or', 'not', 'limit', 'offset', 'set', 'values', 'in', 'by', 'then', 'when',
  'else', 'like', 'ilike', 'between', 'first', 'next', 'return', 'returning', 'case', 'on', 'having',
  'distinct', 'is', 'any', 'all', 'some', 'array', 'similar', 'to', 'escape', 'default', 'from', 'using',
  'as', 'fetch', 'with', 'interval', 'exists', 'over', 'partition', 'filter', 'do', 'update', 'into',
]);

const lowerCache = new Map<string, string>();

export interface LexOptions {
  /** Recognize ORM placeholders (`?`, `%s`, `%(name)s`, `:name`). Default true. */
  placeholders?: boolean;
}

/**
 * Tokenize `sql` into `buf` (cleared first). Whitespace is skipped; comments are kept as tokens.
 * Never throws: an unterminated string, identifier or comment runs to the end of the input.
 */
export function lexInto(sql: string, buf: TokenBuffer, opts?: LexOptions): TokenBuffer {
  const orm = opts?.placeholders !== false;
  const n = sql.length;
  buf.count = 0;
  let i = 0;
  let bracketDepth = 0;
  // Bit d set: the bracket opened at depth d is an ARRAY[…] constructor (its `:name` items are placeholders).
  let arrayMask = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c < 128 && (CLASS[c]! & C_SPACE) !== 0) {
      i++;
      continue;
    }
    const s = i;
    // Identifiers, keywords and prefixed strings (E'', B'', X'', N'', U&'', U&"").
    if (isIdStart(c)) {
      if (i + 1 < n) {
        const c1 = sql.charCodeAt(i + 1);
        if (c1 === 39 /* ' */) {
          const lc = c | 32;
          if (lc === 101 /* e */) {
            i = scanEString(sql, i + 2);
            buf.push(Tok.EString, s, i);
            continue;
          }
          // (N'…' is lexed by PostgreSQL as the keyword `n` then a string; so here too.)
          if (lc === 98 /* b */ || lc === 120 /* x */) {
            i = scanQuoted(sql, i + 2, 39, false);
            buf.push(lc === 98 ? Tok.BitString : Tok.HexString, s, i);
            continue;
          }
        } else if (c1 === 38 /* & */ && (c | 32) === 117 /* u */ && i + 2 < n) {
          const c2 = sql.charCodeAt(i + 2);
          if (c2 === 39) {
            i = scanQuoted(sql, i + 3, 39);
            buf.push(Tok.UString, s, i);
            continue;
          }
          if (c2 === 34) {
            i = scanQuoted(sql, i + 3, 34);
            buf.push(Tok.QIdent, s, i);
            continue;
          }
        }
      }
      // The case-folded hash is computed here, in the one pass over the word, for keyword lookup later.
      let h = c >= 65 && c <= 90 ? c + 32 : c;
      i++;
      while (i < n) {
        let d = sql.charCodeAt(i);
        if (!isIdCont(d)) break;
        if (d >= 65 && d <= 90) d += 32;
        h = (Math.imul(h, 31) + d) | 0;
        i++;
      }
      buf.push(Tok.Word, s, i);
      buf.hash[buf.count - 1] = h;
      continue;
    }
    if (isDigit(c) || (c === 46 /* . */ && i + 1 < n && isDigit(sql.charCodeAt(i + 1)))) {
      i = scanNumber(sql, i);
      buf.push(Tok.Number, s, i);
      continue;
    }
    switch (c) {
      case 39: // '
        i = scanQuoted(sql, i + 1, 39);
        buf.push(Tok.String, s, i);
        continue;
      case 34: // "
        i = scanQuoted(sql, i + 1, 34);
        buf.push(Tok.QIdent, s, i);
        continue;
      case 36: {
        // $1, $tag$…$tag$, $$…$$
        const c1 = i + 1 < n ? sql.charCodeAt(i + 1) : 0;
        if (isDigit(c1)) {
          i += 2;
          while (i < n && isDigit(sql.charCodeAt(i))) i++;
          buf.push(Tok.Param, s, i);
          continue;
        }
        const end = scanDollar(sql, i);
        if (end > 0) {
          i = end;
          buf.push(Tok.Dollar, s, i);
          continue;
        }
        i++;
        buf.push(Tok.Other, s, i);
        continue;
      }
      case 40:
        i++;
        buf.push(Tok.LParen, s, i);
        continue;
      case 41:
        i++;
        buf.push(Tok.RParen, s, i);
        continue;
      case 91:
        i++;
        if (bracketDepth < 31) {
          const bit = 1 << bracketDepth;
          arrayMask = prevIsArrayWord(sql, buf) ? arrayMask | bit : arrayMask & ~bit;
        }
        bracketDepth++;
        buf.push(Tok.LBracket, s, i);
        continue;
      case 93:
        i++;
        if (bracketDepth > 0) bracketDepth--;
        buf.push(Tok.RBracket, s, i);
        continue;
      case 44:
        i++;
        buf.push(Tok.Comma, s, i);
        continue;
      case 59:
        i++;
        buf.push(Tok.Semicolon, s, i);
        continue;
      case 46: // . or ..
        if (i + 1 < n && sql.charCodeAt(i + 1) === 46) {
          i += 2;
          buf.push(Tok.Op, s, i);
        } else {
          i++;
          buf.push(Tok.Dot, s, i);
        }
        continue;
      case 58: {
        // ::, :=, :name, :
        const c1 = i + 1 < n ? sql.charCodeAt(i + 1) : 0;
        if (c1 === 58) {
          i += 2;
          buf.push(Tok.Typecast, s, i);
          continue;
        }
        if (c1 === 61) {
          i += 2;
          buf.push(Tok.Op, s, i);
          continue;
        }
        // Inside a subscript a colon is a slice bound (`a[lo:hi]`), not a named parameter; inside ARRAY[…] it is one.
        if (orm && isIdStart(c1) && (bracketDepth === 0 || (bracketDepth <= 31 && (arrayMask >> (bracketDepth - 1)) & 1))) {
          i += 2;
          while (i < n && isIdCont(sql.charCodeAt(i))) i++;
          buf.push(Tok.Placeholder, s, i);
          continue;
        }
        i++;
        buf.push(Tok.Colon, s, i);
        continue;
      }
    }
    if (c === 47 /* / */ && i + 1 < n && sql.charCodeAt(i + 1) === 42) {
      i = scanBlockComment(sql, i);
      buf.push(Tok.BlockComment, s, i);
      continue;
    }
    if (c === 45 /* - */ && i + 1 < n && sql.charCodeAt(i + 1) === 45) {
      i += 2;
      while (i < n) {
        const d = sql.charCodeAt(i);
        if (d === 10 || d === 13) break;
        i++;
      }
      buf.push(Tok.LineComment, s, i);
      continue;
    }
    if (isOpChar(c)) {
      if (orm) {
        const p = placeholderAt(sql, i, buf);
        if (p > 0) {
          i = p;
          buf.push(Tok.Placeholder, s, i);
          continue;
        }
      }
      i = scanOperator(sql, i, orm);
      buf.push(Tok.Op, s, i);
      continue;
    }
    i++;
    buf.push(Tok.Other, s, i);
  }
  return buf;
}

function prevIsArrayWord(sql: string, buf: TokenBuffer): boolean {
  const t = buf.count - 1;
  if (t < 0 || buf.kind[t] !== Tok.Word || buf.end[t]! - buf.start[t]! !== 5) return false;
  return sql.slice(buf.start[t], buf.end[t]).toLowerCase() === 'array';
}

/**
 * End of a '…' or "…" body starting at `i` (just after the opening quote); doubled quotes continue it,
 * and so does SQL's string continuation ('a' newline 'b' is one literal).
 */
function scanQuoted(sql: string, i: number, q: number, doubling = true): number {
  const quote = q === 39 ? "'" : '"';
  for (;;) {
    const j = sql.indexOf(quote, i);
    if (j < 0) return sql.length;
    // (B'…' and X'…' have no doubled quotes in PostgreSQL's scanner.)
    if (doubling && j + 1 < sql.length && sql.charCodeAt(j + 1) === q) {
      i = j + 2;
      continue;
    }
    if (q === 39) {
      const k = continuation(sql, j + 1);
      if (k > 0) {
        i = k;
        continue;
      }
    }
    return j + 1;
  }
}

/**
 * PostgreSQL's quote continuation: after a closing quote, whitespace containing a newline followed by
 * another quote continues the same literal (a `--` comment in between ends it, as scanSync shows).
 * Returns the index just after that next quote, or 0.
 */
function continuation(sql: string, i: number): number {
  const n = sql.length;
  let newline = false;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 10 || c === 13) {
      newline = true;
      i++;
    } else if (c === 32 || c === 9 || c === 12 || c === 11) i++;
    else break;
  }
  return newline && i < n && sql.charCodeAt(i) === 39 ? i + 1 : 0;
}

/** End of an E'…' body: backslash escapes anything, '' is a quote. */
function scanEString(sql: string, i: number): number {
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 92) {
      i += 2;
      continue;
    }
    if (c === 39) {
      if (i + 1 < n && sql.charCodeAt(i + 1) === 39) {
        i += 2;
        continue;
      }
      const k = continuation(sql, i + 1);
      if (k > 0) {
        i = k;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return n;
}

/** End of a $tag$…$tag$ string starting at `i` (on the `$`), or 0 when this `$` starts none. */
function scanDollar(sql: string, i: number): number {
  const n = sql.length;
  let j = i + 1;
  if (j < n && sql.charCodeAt(j) !== 36) {
    if (!isIdStart(sql.charCodeAt(j))) return 0;
    j++;
    // Tag characters are identifier characters except `$`.
    while (j < n) {
      const c = sql.charCodeAt(j);
      if (c === 36 || !isIdCont(c)) break;
      j++;
    }
    if (j >= n || sql.charCodeAt(j) !== 36) return 0;
  } else if (j >= n) {
    return 0;
  }
  const tag = sql.slice(i, j + 1);
  const close = sql.indexOf(tag, j + 1);
  return close < 0 ? n : close + tag.length;
}

/** End of a nested block comment starting at `i` (on the `/`). */
function scanBlockComment(sql: string, i: number): number {
  const n = sql.length;
  let depth = 1;
  i += 2;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === 42 && i + 1 < n && sql.charCodeAt(i + 1) === 47) {
      i += 2;
      if (--depth === 0) return i;
      continue;
    }
    if (c === 47 && i + 1 < n && sql.charCodeAt(i + 1) === 42) {
      i += 2;
      depth++;
      continue;
    }
    i++;
  }
  return n;
}

/** PostgreSQL 16 numeric literals: 1_000, 0x1F, 0o17, 0b101, 1.5, .5, 1., 1e-3; `1..2` leaves `..` alone. */
function scanNumber(sql: string, i: number): number {
  const n = sql.length;
  const c0 = sql.charCodeAt(i);
  if (c0 === 48 && i + 2 < n) {
    const p = sql.charCodeAt(i + 1) | 32;
    const radix = p === 120 ? 16 : p === 111 ? 8 : p === 98 ? 2 : 0;
    if (radix) {
      let j = i + 2;
      if (sql.charCodeAt(j) === 95) j++;
      if (j < n && radixDigit(sql.charCodeAt(j), radix)) {
        j++;
        while (j < n) {
          const c = sql.charCodeAt(j);
          if (radixDigit(c, radix)) j++;
          else if (c === 95 && j + 1 < n && radixDigit(sql.charCodeAt(j + 1), radix)) j += 2;
          else break;
        }
        return j;
      }
    }
  }
  let j = i;
  j = scanDigits(sql, j);
  if (j < n && sql.charCodeAt(j) === 46 && !(j + 1 < n && sql.charCodeAt(j + 1) === 46)) {
    j++;
    j = scanDigits(sql, j);
  }
  if (j < n && (sql.charCodeAt(j) | 32) === 101) {
    let k = j + 1;
    const sign = k < n ? sql.charCodeAt(k) : 0;
    if (sign === 43 || sign === 45) k++;
    if (k < n && isDigit(sql.charCodeAt(k))) j = scanDigits(sql, k);
  }
  return j;
}

function scanDigits(sql: string, j: number): number {
  const n = sql.length;
  while (j < n) {
    const c = sql.charCodeAt(j);
    if (isDigit(c)) j++;
    else if (c === 95 && j > 0 && isDigit(sql.charCodeAt(j - 1)) && j + 1 < n && isDigit(sql.charCodeAt(j + 1))) j += 2;
    else break;
  }
  return j;
}

function radixDigit(c: number, radix: number): boolean {
  if (radix === 16) return c < 128 && (CLASS[c]! & C_HEX) !== 0;
  if (radix === 8) return c >= 48 && c <= 55;
  return c === 48 || c === 49;
}

/**
 * An ORM placeholder starting with an operator character at `i`: `%s`, `%(name)s`, or a lone `?` in
 * operand position. Returns its end, or 0.
 */
function placeholderAt(sql: string, i: number, buf: TokenBuffer): number {
  const n = sql.length;
  const c = sql.charCodeAt(i);
  if (c === 37 /* % */) {
    const c1 = i + 1 < n ? sql.charCodeAt(i + 1) : 0;
    if (c1 === 115 /* s */ && !(i + 2 < n && isIdCont(sql.charCodeAt(i + 2)))) return i + 2;
    if (c1 === 40 /* ( */) {
      const close = sql.indexOf(')', i + 2);
      if (close > i + 2 && close + 1 < n && sql.charCodeAt(close + 1) === 115) {
        for (let k = i + 2; k < close; k++) if (!isIdCont(sql.charCodeAt(k))) return 0;
        return close + 2;
      }
    }
    return 0;
  }
  if (c === 63 /* ? */) {
    const c1 = i + 1 < n ? sql.charCodeAt(i + 1) : 0;
    // ?| ?& ?# ?- ?-| ?|| are jsonb / geometric operators.
    if (c1 === 124 || c1 === 38 || c1 === 35 || c1 === 45) return 0;
    return operandExpected(sql, buf) ? i + 1 : 0;
  }
  return 0;
}

/** Does the previous significant token leave us where an operand must come next? */
function operandExpected(sql: string, buf: TokenBuffer): boolean {
  let t = buf.count - 1;
  while (t >= 0 && (buf.kind[t] === Tok.BlockComment || buf.kind[t] === Tok.LineComment)) t--;
  if (t < 0) return true;
  const k = buf.kind[t]!;
  if (k === Tok.Word) return EXPECT_OPERAND.has(lowerWord(sql.slice(buf.start[t], buf.end[t])));
  return k === Tok.Op || k === Tok.LParen || k === Tok.Comma || k === Tok.LBracket || k === Tok.Semicolon || k === Tok.Colon;
}

/** ASCII lower-casing as PostgreSQL folds unquoted identifiers, with a bounded cache for the few distinct words of a workload. */
export function lowerWord(w: string): string {
  let r = lowerCache.get(w);
  if (r === undefined) {
    r = w.toLowerCase();
    if (lowerCache.size > 50_000) lowerCache.clear();
    lowerCache.set(w, r);
  }
  return r;
}

/**
 * End of an operator run at `i`, by PostgreSQL's rules: stop before an embedded comment start, drop
 * trailing + / - unless the operator contains one of ~ ! @ # % ^ & | ` ?. With ORM placeholders on,
 * the run also stops before `?` or `%s`/`%(` so that `id=?` and `id=%s` lex as `=` and a placeholder.
 */
function scanOperator(sql: string, i: number, orm: boolean): number {
  const n = sql.length;
  const s = i;
  let special = false;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (!isOpChar(c)) break;
    if (i > s) {
      if ((c === 45 && sql.charCodeAt(i - 1) === 45) || (c === 42 && sql.charCodeAt(i - 1) === 47)) {
        i--;
        break;
      }
      if (orm && c === 63 && !(i === s + 1 && sql.charCodeAt(s) === 64) /* @? */) break;
      if (orm && c === 37 && i + 1 < n) {
        const c1 = sql.charCodeAt(i + 1);
        if (c1 === 115 || c1 === 40) break;
      }
    }
    if (c === 126 || c === 33 || c === 64 || c === 35 || c === 37 || c === 94 || c === 38 || c === 124 || c === 96 || c === 63) special = true;
    i++;
  }
  if (i - s > 1 && !special) {
    while (i - s > 1) {
      const c = sql.charCodeAt(i - 1);
      if (c === 43 || c === 45) i--;
      else break;
    }
  }
  return i;
}

/** A token as an object, for tests and tools; the hot path uses `lexInto` with a TokenBuffer. */
export interface Token {
  kind: TokKind;
  start: number;
  end: number;
  text: string;
}

export function tokenize(sql: string, opts?: LexOptions): Token[] {
  const buf = lexInto(sql, new TokenBuffer(), opts);
  const out: Token[] = [];
  for (let t = 0; t < buf.count; t++) {
    out.push({ kind: buf.kind[t] as TokKind, start: buf.start[t]!, end: buf.end[t]!, text: sql.slice(buf.start[t], buf.end[t]) });
  }
  return out;
}
