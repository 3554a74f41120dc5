/** Statement normalization: tokens → readable template with $n, constants in order, sqlcommenter tags; one pass over reused buffers. */
import { EXPECT_OPERAND, Tok, TokenBuffer, isStringKind, lexInto, lowerWord } from './lexer.js';
import { COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS } from './keywords.js';
import { parseTags } from './tags.js';

/** A statement with its constants taken out. */
export interface Normalized {
  /** Readable SQL with constants and placeholders as $1, $2… in order of first appearance. */
  template: string;
  /**
   * One entry per template parameter ($n is index n-1): the literal value it replaced (strings unquoted
   * and unescaped, numbers as written, `true`/`false` as words), or null for a placeholder or SQL NULL.
   * A collapsed list (IN-list, ARRAY[…], one column of a multi-row VALUES) becomes a PostgreSQL array
   * literal of all its values (`{1,2,3}`, `{"a b",NULL}`) — exactly what one would bind to `= ANY($n)` —
   * or null if the list held a placeholder; every item is in `lists`.
   */
  constants: (string | null)[];
  /** sqlcommenter / Rails query-log tags found in comments, or null. */
  tags: Record<string, string> | null;
  /**
   * Where each template parameter's placeholders came from, or null when the input had none:
   * index n-1 lists the original placeholders behind $n (a number for `$k` or the k-th `?`/`%s`, a
   * name for `%(name)s`/`:name`); empty for a literal. A collapsed list lists all of its placeholders.
   */
  paramSources: (number | string)[][] | null;
  /** Each collapsed list: its template parameter number and every item value in order (placeholders → null). */
  lists: { param: number; values: (string | null)[] }[] | null;
}

// After these words a following `(` keeps a space: `in (select …)`, `values ($1)`, `over (…)`; after any
// other word the `(` is a call or a column list and sticks to it: `count(*)`, `any($1)`.
const SPACE_KW = new Set([
  'and', 'or', 'not', 'in', 'values', 'as', 'on', 'using', 'from', 'join', 'select', 'where', 'when', 'then',
  'else', 'exists', 'is', 'by', 'with', 'set', 'returning', 'over', 'filter', 'lateral', 'union', 'intersect',
  'except', 'conflict', 'do', 'case', 'having', 'table', 'into', 'limit', 'offset', 'distinct', 'between',
  'like', 'ilike', 'recursive', 'materialized', 'all', 'some', 'any', 'update', 'delete', 'insert', 'only',
]);
// `any(…)`/`all(…)` read better as calls; they stay in EXPECT_OPERAND but not in the spacing set.
SPACE_KW.delete('any');
SPACE_KW.delete('all');
SPACE_KW.delete('some');

/** Type names that turn a following string into a typed literal (`date '2024-01-01'`), which is a constant. */
const TYPE_WORDS = new Set([
  'date', 'time', 'timestamp', 'timestamptz', 'timetz', 'interval', 'int', 'int2', 'int4', 'int8', 'integer',
  'bigint', 'smallint', 'numeric', 'decimal', 'real', 'float', 'float4', 'float8', 'boolean', 'bool', 'text',
  'varchar', 'char', 'character', 'uuid', 'json', 'jsonb', 'inet', 'cidr', 'macaddr', 'bytea', 'money',
  'point', 'tsquery', 'tsvector', 'xml', 'bit', 'name', 'oid', 'regclass', 'citext', 'daterange', 'tstzrange',
  'int4range', 'int8range', 'numrange',
  'n', // N'…' (national character) lexes as `n` + string
]);
const INTERVAL_FIELDS = new Set(['year', 'month', 'day', 'hour', 'minute', 'second']);
/** Words that end an ORDER BY / GROUP BY list (positional numbers there are kept, see decide table). */
const CLAUSE_END = new Set([
  'limit', 'offset', 'having', 'window', 'fetch', 'for', 'union', 'intersect', 'except', 'returning', 'from',
  'where', 'order', 'group',
]);

// Word flags, looked up once per word token through an interning table (no slice, no Set lookups).
const F_SPACE = 1; // SPACE_KW
const F_CLAUSE_END = 2;
const F_TYPE = 4; // TYPE_WORDS
const F_EXPECT = 8; // EXPECT_OPERAND
const F_SPECIAL = 16; // handled specially by the main loop or constItem
const F_NEEDQUOTE = 32; // keyword that must stay quoted as an identifier
const SPECIAL_WORDS = ['in', 'not', 'values', 'by', 'true', 'false', 'null', 'cast', 'array', 'some', 'into', 'table', 'update'];

const WT_SIZE = 1024;
const WT_MASK = WT_SIZE - 1;
const wtWords: (string | undefined)[] = new Array(WT_SIZE);
const wtFlags = new Uint8Array(WT_SIZE);

function wordHash(h: number, c: number): number {
  return (Math.imul(h, 31) + c) | 0;
}

function internWord(w: string, flag: number): void {
  let h = 0;
  for (let i = 0; i < w.length; i++) h = wordHash(h, w.charCodeAt(i));
  let idx = h & WT_MASK;
  while (wtWords[idx] !== undefined && wtWords[idx] !== w) idx = (idx + 1) & WT_MASK;
  wtWords[idx] = w;
  wtFlags[idx] |= flag;
}
for (const w of SPACE_KW) internWord(w, F_SPACE);
for (const w of CLAUSE_END) internWord(w, F_CLAUSE_END);
for (const w of TYPE_WORDS) internWord(w, F_TYPE);
for (const w of EXPECT_OPERAND) internWord(w, F_EXPECT);
for (const w of SPECIAL_WORDS) internWord(w, F_SPECIAL);
for (const set of [RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS, COL_NAME_KEYWORDS]) for (const w of set) internWord(w, F_NEEDQUOTE);
// Other frequent words, interned only to save the slice.
for (const w of ['id', 'count', 'sum', 'max', 'min', 'avg', 'now', 'asc', 'desc', 'nulls', 'last', 'left', 'inner',
  'outer', 'full', 'cross', 'begin', 'commit', 'rollback', 'savepoint', 'release', 'end', 'case', 'coalesce',
  'insert', 'delete', 'current_timestamp', 'for', 'share', 'skip', 'locked', 'nowait', 'rows', 'row', 'only',
  'uescape', 'zone', 'precision', 'varying', 'without', 'national', 'double', 'year', 'month', 'day', 'hour',
  'minute', 'second', 'to', 'lower', 'upper', 'exists', 'group', 'order']) internWord(w, 0);

// Emission classes, for spacing.
const E_NONE = 0;
const E_NAME = 1; // identifier or non-spacing keyword
const E_KW = 2; // keyword after which `(` keeps a space
const E_VALUE = 3; // $n
const E_OP = 4;
const E_OPEN = 5; // (
const E_CLOSE = 6; // ) ]
const E_COMMA = 7;
const E_TIGHT = 8; // . :: : — no space on either side
const E_SEMI = 9;
const E_TABLE = 10; // a relation name right after INTO / TABLE: `insert into t (a, b)`
const E_LBRACKET = 11; // [

const PARAM_TEXT: string[] = [];
function paramText(n: number): string {
  let s = PARAM_TEXT[n];
  if (s === undefined) s = PARAM_TEXT[n] = '$' + n;
  return s;
}

/** The lexer's folded hash of `sql[s..e)` (same function as in lexInto). */
function hashOf(sql: string, s: number, e: number): number {
  let h = 0;
  for (let i = s; i < e; i++) {
    let c = sql.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    h = wordHash(h, c);
  }
  return h;
}

/** Index of `sql[s..e)` (ASCII case-insensitively; `h` its folded hash) in the word table, or -1. */
function lookupWord(sql: string, s: number, e: number, h: number): number {
  const len = e - s;
  let idx = h & WT_MASK;
  for (;;) {
    const cand = wtWords[idx];
    if (cand === undefined) return -1;
    if (cand.length === len) {
      let k = 0;
      while (k < len) {
        let c = sql.charCodeAt(s + k);
        if (c >= 65 && c <= 90) c += 32;
        if (c !== cand.charCodeAt(k)) break;
        k++;
      }
      if (k === len) return idx;
    }
    idx = (idx + 1) & WT_MASK;
  }
}

/**
 * Can the quoted identifier `sql[s..e)` (with its quotes) be written bare and still mean the same name?
 * Only plain lower-case names that are not keywords needing quotes: `"users"` yes; `"Users"`, `"order"`, `"a b"` no.
 */
function quotedFoldable(sql: string, s: number, e: number): boolean {
  if (e - s < 3 || sql.charCodeAt(s) !== 34 || sql.charCodeAt(e - 1) !== 34) return false;
  for (let i = s + 1; i < e - 1; i++) {
    const c = sql.charCodeAt(i);
    if ((c >= 97 && c <= 122) || c === 95 || (i > s + 1 && ((c >= 48 && c <= 57) || c === 36))) continue;
    return false;
  }
  const idx = lookupWord(sql, s + 1, e - 1, hashOf(sql, s + 1, e - 1));
  return idx < 0 || (wtFlags[idx]! & F_NEEDQUOTE) === 0;
}

function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

/** The value of a string-like or number token, unquoted and unescaped. */
export function literalValue(sql: string, kind: number, s: number, e: number, joined = false): string {
  // `joined`: already rebuilt once; an unterminated literal still holds its newlines and must not recurse again
  if (!joined && (kind === Tok.String || kind === Tok.EString || kind === Tok.UString || kind === Tok.BitString || kind === Tok.HexString)) {
    // Quote continuation ('a' newline 'b'): rebuild one quoted literal first (rare, so not on the fast path).
    // look only inside the literal: indexOf from s would scan to the end of the statement for every literal
    // (quadratic on a 16 MB multi-row INSERT with no CR in it)
    let broken = false;
    for (let i = s; i < e; i++) {
      const c = sql.charCodeAt(i);
      if (c === 10 || c === 13) {
        broken = true;
        break;
      }
    }
    if (broken) {
      const q = sql.indexOf("'", s);
      const joined = sql.slice(s, q) + joinContinued(sql, q, e, kind === Tok.EString, kind === Tok.String || kind === Tok.EString || kind === Tok.UString);
      return literalValue(joined, kind, 0, joined.length, true);
    }
  }
  switch (kind) {
    case Tok.String: {
      const q = sql.charCodeAt(s) === 39 ? s : s + 1; // N'…'
      return undouble(sql, q + 1, closeQuote(sql, q, e));
    }
    case Tok.EString:
      return unescapeE(sql, s + 2, closeQuote(sql, s + 1, e));
    case Tok.UString:
      return unescapeU(undouble(sql, s + 3, closeQuote(sql, s + 2, e)));
    case Tok.BitString:
    case Tok.HexString:
      return sql.slice(s + 2, closeQuote(sql, s + 1, e));
    case Tok.Dollar: {
      const tagEnd = sql.indexOf('$', s + 1) + 1;
      const tagLen = tagEnd - s;
      const bodyEnd = e - s >= 2 * tagLen && sql.startsWith(sql.slice(s, tagEnd), e - tagLen) ? e - tagLen : e;
      return sql.slice(tagEnd, bodyEnd);
    }
    default:
      return sql.slice(s, e);
  }
}

/** `'a'<newline>'b'` (from the quote at `q` to `e`) → `'ab'`, bodies kept in their escaped form. */
function joinContinued(sql: string, q: number, e: number, backslash: boolean, doubling: boolean): string {
  let out = "'";
  let i = q + 1;
  while (i < e) {
    const c = sql.charCodeAt(i);
    if (backslash && c === 92 && i + 1 < e) {
      out += sql.slice(i, i + 2);
      i += 2;
      continue;
    }
    if (c === 39) {
      if (doubling && i + 1 < e && sql.charCodeAt(i + 1) === 39) {
        out += "''";
        i += 2;
        continue;
      }
      // closing quote: skip the whitespace to the next opening quote
      i++;
      while (i < e && sql.charCodeAt(i) !== 39) i++;
      i++;
      continue;
    }
    out += sql[i];
    i++;
  }
  return out + "'";
}

/** Index of the closing quote of a token that opened at `q` and ends at `e` (or `e` if unterminated). */
function closeQuote(sql: string, q: number, e: number): number {
  return e - 1 > q && sql.charCodeAt(e - 1) === sql.charCodeAt(q) ? e - 1 : e;
}

function undouble(sql: string, s: number, e: number): string {
  const body = sql.slice(s, e);
  return body.indexOf("''") < 0 ? body : body.replaceAll("''", "'");
}

function unescapeE(sql: string, s: number, e: number): string {
  if (sql.indexOf('\\', s) < 0 || sql.indexOf('\\', s) >= e) return undouble(sql, s, e);
  let out = '';
  for (let i = s; i < e; i++) {
    const c = sql[i]!;
    if (c === "'" && sql[i + 1] === "'") {
      out += "'";
      i++;
      continue;
    }
    if (c !== '\\' || i + 1 >= e) {
      out += c;
      continue;
    }
    const d = sql[++i]!;
    switch (d) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'x': {
        let j = i + 1;
        while (j < e && j < i + 3 && /[0-9A-Fa-f]/.test(sql[j]!)) j++;
        out += j > i + 1 ? String.fromCharCode(parseInt(sql.slice(i + 1, j), 16)) : 'x';
        i = j - 1;
        break;
      }
      case 'u':
      case 'U': {
        const len = d === 'u' ? 4 : 8;
        const hex = sql.slice(i + 1, i + 1 + len);
        if (hex.length === len && /^[0-9A-Fa-f]+$/.test(hex)) {
          out += String.fromCodePoint(parseInt(hex, 16));
          i += len;
        } else out += d;
        break;
      }
      default:
        if (d >= '0' && d <= '7') {
          let j = i;
          while (j < e && j < i + 3 && sql[j]! >= '0' && sql[j]! <= '7') j++;
          out += String.fromCharCode(parseInt(sql.slice(i, j), 8));
          i = j - 1;
        } else out += d;
    }
  }
  return out;
}

function unescapeU(body: string): string {
  if (body.indexOf('\\') < 0) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      out += c;
      continue;
    }
    if (body[i + 1] === '\\') {
      out += '\\';
      i++;
    } else if (body[i + 1] === '+' && /^[0-9A-Fa-f]{6}$/.test(body.slice(i + 2, i + 8))) {
      out += String.fromCodePoint(parseInt(body.slice(i + 2, i + 8), 16));
      i += 7;
    } else if (/^[0-9A-Fa-f]{4}$/.test(body.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += c;
  }
  return out;
}

/** Can `v` stand unquoted in an array literal? (no braces, commas, quotes, backslashes, spaces; not NULL) */
function plainArrayItem(v: string): boolean {
  const n = v.length;
  if (n === 0) return false;
  for (let i = 0; i < n; i++) {
    const c = v.charCodeAt(i);
    if (c === 123 || c === 125 || c === 44 || c === 34 || c === 92 || c <= 32) return false;
  }
  return !(n === 4 && v.toUpperCase() === 'NULL');
}

/** A PostgreSQL array literal of `values` (`{1,"a b",NULL}`), as one would bind it to `= ANY($n)`. */
export function arrayLiteral(values: readonly (string | null)[]): string {
  // joined, not appended: `+=` leaves a rope of one node per item, kept as long as the statement is (32 bytes an item)
  const items = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    items[i] = v === null || v === undefined ? 'NULL' : plainArrayItem(v) ? v : '"' + v.replace(/[\\"]/g, '\\$&') + '"';
  }
  return `{${items.join(',')}}`;
}

/**
 * The normalizer. One instance is reused for every statement (JS is single-threaded and normalize never
 * re-enters), so its token buffer and scratch arrays are allocated once.
 */
class Normalizer {
  private buf = new TokenBuffer();
  private sql = '';
  private n = 0;
  /** Template bytes while it is pure ASCII (almost always); `wide` takes over after a non-ASCII character. */
  private ob = Buffer.allocUnsafe(1024);
  private olen = 0;
  private wide: string | null = null;
  private prev = E_NONE;
  private tableCtx = false;
  private constants: (string | null)[] = [];
  private sources: (number | string)[][] | null = null;
  private lists: { param: number; values: (string | null)[] }[] | null = null;
  private tags: Record<string, string> | null = null;
  /** Original placeholder → template parameter number, so `$1 … $1` stays one parameter. */
  private seen: Map<string, number> | null = null;
  /** The last placeholder scanned was positional (`?`, `%s`). */
  private itemPositional = false;
  private positional = 0;
  private depth = 0;
  private orderDepth = -1;
  // Scratch for one constant item / list being scanned.
  // Item scratch as arrays with explicit counts: resetting a count is free, resetting `.length` is a runtime call.
  private itemValues: (string | null)[] = [];
  private itemSources: (number | string)[] = [];
  private nv = 0;
  private ns = 0;
  private itemIsList = false;
  /** Lower-cased text of each Word token (index = token), computed once per statement. */
  private words: string[] = [];
  private wflags = new Uint8Array(256);

  run(sql: string): Normalized {
    this.sql = sql;
    const buf = lexInto(sql, this.buf);
    this.olen = 0;
    this.wide = null;
    this.prev = E_NONE;
    this.tableCtx = false;
    this.constants = [];
    this.sources = null;
    this.lists = null;
    this.tags = null;
    this.seen = null;
    this.positional = 0;
    this.depth = 0;
    this.orderDepth = -1;
    // Drop comments (keeping their tags) so that every index below is a significant token.
    let w = 0;
    for (let t = 0; t < buf.count; t++) {
      const k = buf.kind[t]!;
      if (k === Tok.BlockComment) {
        const tags = parseTags(sql, buf.start[t]! + 2, buf.end[t]! - 2);
        if (tags) this.tags = this.tags ? Object.assign(this.tags, tags) : tags;
        continue;
      }
      if (k === Tok.LineComment) continue;
      if (w !== t) {
        buf.kind[w] = k;
        buf.start[w] = buf.start[t]!;
        buf.end[w] = buf.end[t]!;
      }
      if (k === Tok.Word) {
        const idx = lookupWord(sql, buf.start[t]!, buf.end[t]!, buf.hash[t]!);
        this.words[w] = idx < 0 ? '' : wtWords[idx]!;
        if (w >= this.wflags.length) {
          const f = new Uint8Array(this.wflags.length * 2 + w);
          f.set(this.wflags);
          this.wflags = f;
        }
        this.wflags[w] = idx < 0 ? 0 : wtFlags[idx]!;
      }
      w++;
    }
    while (w > 0 && buf.kind[w - 1] === Tok.Semicolon) w--;
    this.n = w;
    this.emitRange(0, w);
    const result: Normalized = {
      template: this.wide ?? this.ob.toString('latin1', 0, this.olen),
      constants: this.constants,
      tags: this.tags,
      paramSources: this.sources,
      lists: this.lists,
    };
    this.sql = '';
    return result;
  }

  private text(t: number): string {
    return this.sql.slice(this.buf.start[t], this.buf.end[t]);
  }

  private word(t: number): string | null {
    return t >= 0 && t < this.n && this.buf.kind[t] === Tok.Word ? this.words[t]! : null;
  }

  private kind(t: number): number {
    return t >= 0 && t < this.n ? this.buf.kind[t]! : 0;
  }

  /** Write the separator the spacing rules ask for between the previous emission and one of class `cls`. */
  private space(cls: number): void {
    const p = this.prev;
    this.prev = cls;
    if (p === E_NONE || p === E_OPEN || p === E_LBRACKET || p === E_TIGHT) return;
    if (cls === E_CLOSE || cls === E_COMMA || cls === E_TIGHT || cls === E_SEMI) return;
    if (cls === E_OPEN && p === E_NAME) return;
    if (cls === E_LBRACKET && (p === E_NAME || p === E_CLOSE || p === E_VALUE || p === E_TABLE)) return;
    this.putAscii(32);
  }

  private putAscii(c: number): void {
    if (this.wide !== null) {
      this.wide += String.fromCharCode(c);
      return;
    }
    if (this.olen === this.ob.length) this.growOut();
    this.ob[this.olen++] = c;
  }

  private growOut(): void {
    const nb = Buffer.allocUnsafe(this.ob.length * 2);
    this.ob.copy(nb, 0, 0, this.olen);
    this.ob = nb;
  }

  /** Leave the byte buffer for a JS string once a non-ASCII character appears (rare: only identifiers keep text). */
  private goWide(): string {
    return this.ob.toString('latin1', 0, this.olen);
  }

  /** Emit a fixed string (keywords, `$n`, punctuation). */
  private emit(text: string, cls: number): void {
    this.space(cls);
    if (this.wide !== null) {
      this.wide += text;
      return;
    }
    const len = text.length;
    while (this.olen + len > this.ob.length) this.growOut();
    const ob = this.ob;
    let o = this.olen;
    for (let i = 0; i < len; i++) {
      const c = text.charCodeAt(i);
      if (c >= 128) {
        this.olen = o;
        this.wide = this.goWide() + text.slice(i);
        return;
      }
      ob[o++] = c;
    }
    this.olen = o;
  }

  /** Emit `sql[s..e)` as written, or ASCII-lower-cased (PostgreSQL's folding of unquoted words). */
  private emitSrc(s: number, e: number, lower: boolean, cls: number): void {
    this.space(cls);
    const sql = this.sql;
    if (this.wide !== null) {
      const t = sql.slice(s, e);
      this.wide += lower ? asciiLower(t) : t;
      return;
    }
    while (this.olen + (e - s) > this.ob.length) this.growOut();
    const ob = this.ob;
    let o = this.olen;
    for (let i = s; i < e; i++) {
      let c = sql.charCodeAt(i);
      if (c >= 128) {
        this.olen = o;
        const t = sql.slice(i, e);
        this.wide = this.goWide() + (lower ? asciiLower(t) : t);
        return;
      }
      if (lower && c >= 65 && c <= 90) c += 32;
      ob[o++] = c;
    }
    this.olen = o;
  }

  private emitParam(value: string | null, sources: readonly (number | string)[] | null, list: boolean): void {
    const num = this.constants.length + 1;
    this.constants.push(value);
    if (sources && sources.length) {
      if (!this.sources) {
        this.sources = [];
        for (let i = 1; i < num; i++) this.sources.push([]);
      }
      this.sources.push(sources as (number | string)[]);
    } else if (this.sources) this.sources.push([]);
    if (list) (this.lists ??= []).push({ param: num, values: this.itemValues.slice(0, this.nv) });
    this.emit(paramText(num), E_VALUE);
  }

  /** The original-placeholder key of a Param or Placeholder token. */
  private sourceOf(t: number): number | string {
    const s = this.buf.start[t]!;
    const e = this.buf.end[t]!;
    const c = this.sql.charCodeAt(s);
    if (c === 36) return +this.sql.slice(s + 1, e);
    if (c === 58) return this.sql.slice(s + 1, e); // :name
    if (c === 37 && this.sql.charCodeAt(s + 1) === 40) return this.sql.slice(s + 2, e - 2); // %(name)s
    this.itemPositional = true;
    return ++this.positional; // ? and %s
  }

  /**
   * If a constant item starts at `t` — a literal, placeholder, signed number, true/false/null, typed
   * literal, CAST(const AS type), ARRAY[consts] — optionally followed by `::type` casts, push its
   * value(s) to the item scratch and return the index after it; else return -1 (scratch untouched).
   */
  private constItem(t: number, inList: boolean): number {
    const k = this.kind(t);
    let j = -1;
    const mark = this.nv;
    const smark = this.ns;
    if (isStringKind(k)) {
      this.itemValues[this.nv++] = literalValue(this.sql, k, this.buf.start[t]!, this.buf.end[t]!);
      j = t + 1;
      if (k === Tok.UString && this.word(j) === 'uescape' && isStringKind(this.kind(j + 1))) j += 2;
    } else if (k === Tok.Number) {
      this.itemValues[this.nv++] = this.text(t);
      j = t + 1;
    } else if (k === Tok.Param || k === Tok.Placeholder) {
      this.itemPositional = false;
      this.itemValues[this.nv++] = null;
      this.itemSources[this.ns++] = this.sourceOf(t);
      j = t + 1;
    } else if (k === Tok.Op) {
      const op = this.text(t);
      if ((op === '-' || op === '+') && this.kind(t + 1) === Tok.Number && (inList || this.signPosition(t))) {
        this.itemValues[this.nv++] = op === '-' ? '-' + this.text(t + 1) : this.text(t + 1);
        j = t + 2;
      }
    } else if (k === Tok.Word) {
      const w = this.words[t]!;
      if (w === 'true' || w === 'false') {
        const p = this.word(t - 1);
        if (p !== 'is' && p !== 'not') {
          this.itemValues[this.nv++] = w;
          j = t + 1;
        }
      } else if (w === 'null') {
        const p = this.word(t - 1);
        if (p !== 'is' && p !== 'not' && p !== 'default') {
          this.itemValues[this.nv++] = null;
          j = t + 1;
        }
      } else if (w === 'cast' && this.kind(t + 1) === Tok.LParen) {
        const e = this.constItem(t + 2, true);
        if (e > 0 && this.word(e) === 'as') {
          const after = this.skipType(e + 1);
          if (this.kind(after) === Tok.RParen) j = after + 1;
        }
        if (j < 0) this.truncateItem(mark, smark);
      } else if (w === 'array' && this.kind(t + 1) === Tok.LBracket) {
        let i = t + 2;
        if (this.kind(i) === Tok.RBracket) j = i + 1;
        else {
          for (;;) {
            const e = this.constItem(i, true);
            if (e < 0) break;
            if (this.kind(e) === Tok.Comma) {
              i = e + 1;
              continue;
            }
            if (this.kind(e) === Tok.RBracket) j = e + 1;
            break;
          }
        }
        if (j < 0) this.truncateItem(mark, smark);
        else this.itemIsList = true;
      } else if ((this.wflags[t]! & F_TYPE) !== 0 && this.kind(t - 1) !== Tok.Typecast) {
        let i = t + 1;
        if ((w === 'timestamp' || w === 'time') && this.kind(i) === Tok.LParen && this.kind(i + 2) === Tok.RParen) i += 3;
        const w1 = this.word(i);
        if ((w === 'timestamp' || w === 'time') && (w1 === 'with' || w1 === 'without') && this.word(i + 1) === 'time' && this.word(i + 2) === 'zone') i += 3;
        const sk = this.kind(i);
        if (isStringKind(sk)) {
          this.itemValues[this.nv++] = literalValue(this.sql, sk, this.buf.start[i]!, this.buf.end[i]!);
          j = i + 1;
          if (w === 'interval') j = this.skipIntervalFields(j);
        }
      }
    }
    if (j < 0) return -1;
    while (this.kind(j) === Tok.Typecast) j = this.skipType(j + 1);
    return j;
  }

  private truncateItem(mark: number, smark: number): void {
    this.nv = mark;
    this.ns = smark;
  }

  /** Is the `-`/`+` at `t` a sign (nothing operand-like before it)? */
  private signPosition(t: number): boolean {
    const k = this.kind(t - 1);
    if (k === 0 || k === Tok.Op || k === Tok.LParen || k === Tok.Comma || k === Tok.LBracket || k === Tok.Typecast) return true;
    if (k === Tok.Word) return (this.wflags[t - 1]! & F_EXPECT) !== 0;
    return false;
  }

  private skipIntervalFields(j: number): number {
    let w = this.word(j);
    if (w && INTERVAL_FIELDS.has(w)) {
      j++;
      if (this.word(j) === 'to' && INTERVAL_FIELDS.has(this.word(j + 1) ?? '')) j += 2;
      w = this.word(j);
    }
    return j;
  }

  /** Index after a type name starting at `j` (after `::` or AS): qualified, multi-word, modifiers, array bounds. */
  private skipType(j: number): number {
    const k = this.kind(j);
    if (k !== Tok.Word && k !== Tok.QIdent) return j;
    const w = k === Tok.Word ? this.words[j]! : '';
    j++;
    while (this.kind(j) === Tok.Dot && (this.kind(j + 1) === Tok.Word || this.kind(j + 1) === Tok.QIdent)) j += 2;
    if (w === 'double' && this.word(j) === 'precision') j++;
    else if ((w === 'character' || w === 'char' || w === 'bit' || w === 'national') && this.word(j) === 'varying') j++;
    else if (w === 'national' && (this.word(j) === 'character' || this.word(j) === 'char')) {
      j++;
      if (this.word(j) === 'varying') j++;
    }
    if (this.kind(j) === Tok.LParen) j = this.skipBalanced(j, Tok.LParen, Tok.RParen);
    if (w === 'timestamp' || w === 'time') {
      const w1 = this.word(j);
      if ((w1 === 'with' || w1 === 'without') && this.word(j + 1) === 'time' && this.word(j + 2) === 'zone') j += 3;
    }
    if (w === 'interval') j = this.skipIntervalFields(j);
    while (this.kind(j) === Tok.LBracket) j = this.skipBalanced(j, Tok.LBracket, Tok.RBracket);
    return j;
  }

  private skipBalanced(j: number, open: number, close: number): number {
    let d = 0;
    for (; j < this.n; j++) {
      const k = this.buf.kind[j]!;
      if (k === open) d++;
      else if (k === close && --d === 0) return j + 1;
    }
    return this.n;
  }

  /** Emit a single constant item already scanned into the scratch as one parameter. */
  private emitItem(): void {
    const vals = this.itemValues;
    if (this.itemIsList) {
      this.emitParam(this.ns ? null : arrayLiteral(vals.slice(0, this.nv)), this.itemSources.slice(0, this.ns), true);
    } else if (this.ns === 1 && this.nv === 1) {
      // A placeholder: the same original placeholder maps to the same template parameter.
      // `?`/`%s` never repeat; `$k` and names may. Keys keep `$1` apart from the first `?` and from a name.
      const src = this.itemSources[0]!;
      const key = this.itemPositional ? null : typeof src === 'number' ? '$' + src : ':' + src;
      const seen = (this.seen ??= new Map());
      const prior = key === null ? undefined : seen.get(key);
      if (prior !== undefined) this.emit(paramText(prior), E_VALUE);
      else {
        if (key !== null) seen.set(key, this.constants.length + 1);
        this.emitParam(null, this.itemSources.slice(0, 1), false);
      }
    } else this.emitParam(vals[0] ?? null, null, false);
    this.clearItem();
  }

  private clearItem(): void {
    this.nv = 0;
    this.ns = 0;
    this.itemIsList = false;
  }

  /**
   * `in (c, c, …)` / `not in (…)` of constant items → `= any($n)` / `<> all($n)`; a list of row
   * constructors `in ((c, c), (c, c))` → `in (($a, $b))`. Returns the index after the list, or -1.
   */
  private tryInList(t: number, negated: boolean): number {
    // t is at `in`
    if (this.kind(t + 1) !== Tok.LParen) return -1;
    let i = t + 2;
    if (this.kind(i) === Tok.LParen) return this.tryRowList(t, i, negated);
    for (;;) {
      const e = this.constItem(i, true);
      if (e < 0) break;
      if (this.kind(e) === Tok.Comma) {
        i = e + 1;
        continue;
      }
      if (this.kind(e) === Tok.RParen) {
        this.emit(negated ? '<>' : '=', E_OP);
        this.emit(negated ? 'all' : 'any', E_NAME);
        this.emit('(', E_OPEN);
        this.itemIsList = true;
        this.emitItem();
        this.emit(')', E_CLOSE);
        return e + 1;
      }
      break;
    }
    this.clearItem();
    return -1;
  }

  /** Collapse `in ((c, c), (c, c))` (row constructors of constants) to one row. */
  private tryRowList(t: number, i: number, negated: boolean): number {
    const cols: (string | null)[][] = [];
    const srcs: (number | string)[][] = [];
    let arity = -1;
    for (;;) {
      if (this.kind(i) !== Tok.LParen) return -1;
      const e = this.rowOfConsts(i + 1, cols, srcs);
      if (e < 0 || (arity >= 0 && cols.length !== arity)) return -1;
      arity = cols.length;
      if (this.kind(e) === Tok.Comma) {
        i = e + 1;
        continue;
      }
      if (this.kind(e) !== Tok.RParen) return -1;
      if (negated) this.emit('not', E_KW);
      this.emit('in', E_KW);
      this.emit('(', E_OPEN);
      this.emitColumns(cols, srcs);
      this.emit(')', E_CLOSE);
      return e + 1;
    }
  }

  /** Scan `c, c, …)` into per-column values; returns the index after `)`, or -1. `cols` grows to the row's arity on first use. */
  private rowOfConsts(i: number, cols: (string | null)[][], srcs: (number | string)[][]): number {
    let col = 0;
    const first = cols.length === 0;
    for (;;) {
      const e = this.constItem(i, true);
      if (e < 0 || this.itemIsList) {
        this.clearItem();
        return -1;
      }
      if (first) {
        cols.push([]);
        srcs.push([]);
      } else if (col >= cols.length) {
        this.clearItem();
        return -1;
      }
      cols[col]!.push(...this.itemValues.slice(0, this.nv));
      srcs[col]!.push(...this.itemSources.slice(0, this.ns));
      this.clearItem();
      col++;
      if (this.kind(e) === Tok.Comma) {
        i = e + 1;
        continue;
      }
      if (this.kind(e) === Tok.RParen) return col === cols.length ? e + 1 : -1;
      return -1;
    }
  }

  /** Emit `(…)` with one parameter per column of a collapsed row list. */
  private emitColumns(cols: (string | null)[][], srcs: (number | string)[][]): void {
    this.emit('(', E_OPEN);
    for (let c = 0; c < cols.length; c++) {
      if (c) this.emit(',', E_COMMA);
      for (const v of cols[c]!) this.itemValues[this.nv++] = v;
      for (const v of srcs[c]!) this.itemSources[this.ns++] = v;
      this.emitParam(srcs[c]!.length ? null : arrayLiteral(cols[c]!), srcs[c]!, true);
      this.clearItem();
    }
    this.emit(')', E_CLOSE);
  }

  /**
   * `values (…), (…), …` with two or more rows of the same form → one row. A row item is a constant
   * item (one parameter per column, collecting every row's value) or a constant-free expression that
   * is identical in every row (`default`, `now()`). Returns the index after the rows, or -1.
   */
  private tryValues(t: number): number {
    if (this.kind(t + 1) !== Tok.LParen) return -1;
    // Count rows cheaply first: a single row goes through the ordinary path (same template).
    let i = t + 1;
    const rowStarts: number[] = [];
    for (;;) {
      if (this.kind(i) !== Tok.LParen) break;
      rowStarts.push(i);
      i = this.skipBalanced(i, Tok.LParen, Tok.RParen);
      if (this.kind(i) === Tok.Comma && this.kind(i + 1) === Tok.LParen) {
        i++;
        continue;
      }
      break;
    }
    if (rowStarts.length < 2) return -1;
    const end = i;
    // Per column: either constant values of every row, or the token range of the first row's shared expression.
    const colVals: (string | null)[][] = [];
    const colSrcs: (number | string)[][] = [];
    const colExpr: ([number, number, string] | null)[] = [];
    for (let r = 0; r < rowStarts.length; r++) {
      let p = rowStarts[r]! + 1;
      let col = 0;
      for (;;) {
        const e = this.constItem(p, true);
        let itemEnd: number;
        if (e >= 0 && !this.itemIsList) {
          if (r === 0) {
            colVals.push([]);
            colSrcs.push([]);
            colExpr.push(null);
          } else if (col >= colExpr.length || colExpr[col] !== null) return this.abandon();
          colVals[col]!.push(...this.itemValues.slice(0, this.nv));
          colSrcs[col]!.push(...this.itemSources.slice(0, this.ns));
          this.clearItem();
          itemEnd = e;
        } else {
          this.clearItem();
          itemEnd = this.plainExprEnd(p);
          if (itemEnd < 0) return -1;
          const sig = this.rangeSignature(p, itemEnd);
          if (r === 0) {
            colVals.push([]);
            colSrcs.push([]);
            colExpr.push([p, itemEnd, sig]);
          } else {
            const ce = colExpr[col];
            if (col >= colExpr.length || !ce || ce[2] !== sig) return -1;
          }
        }
        col++;
        const k = this.kind(itemEnd);
        if (k === Tok.Comma) {
          p = itemEnd + 1;
          continue;
        }
        if (k === Tok.RParen && col === colExpr.length) break;
        return -1;
      }
    }
    this.emit('values', E_KW);
    this.emit('(', E_OPEN);
    for (let c = 0; c < colExpr.length; c++) {
      if (c) this.emit(',', E_COMMA);
      const ce = colExpr[c];
      if (ce) this.emitRange(ce[0], ce[1]);
      else {
        for (const v of colVals[c]!) this.itemValues[this.nv++] = v;
        for (const v of colSrcs[c]!) this.itemSources[this.ns++] = v;
        this.emitParam(colSrcs[c]!.length ? null : arrayLiteral(colVals[c]!), colSrcs[c]!, true);
        this.clearItem();
      }
    }
    this.emit(')', E_CLOSE);
    return end;
  }

  private abandon(): number {
    this.clearItem();
    return -1;
  }

  /** End of a row item with no constants in it (up to a top-level `,` or `)`), or -1. */
  private plainExprEnd(p: number): number {
    let d = 0;
    for (let i = p; i < this.n; i++) {
      const k = this.buf.kind[i]!;
      if (k === Tok.LParen) d++;
      else if (k === Tok.RParen) {
        if (d === 0) return i > p ? i : -1;
        d--;
      } else if (k === Tok.Comma && d === 0) return i > p ? i : -1;
      else if (isStringKind(k) || k === Tok.Number || k === Tok.Param || k === Tok.Placeholder) return -1;
      else if (k === Tok.Word) {
        const w = this.words[i]!;
        if (w === 'true' || w === 'false' || w === 'null') return -1;
      }
    }
    return -1;
  }

  private rangeSignature(s: number, e: number): string {
    let sig = '';
    for (let i = s; i < e; i++) sig += (this.buf.kind[i] === Tok.Word ? asciiLower(this.text(i)) : this.text(i)) + ' ';
    return sig;
  }

  private emitQIdent(t: number, cls: number): void {
    const s = this.buf.start[t]!;
    const e = this.buf.end[t]!;
    if (quotedFoldable(this.sql, s, e)) this.emitSrc(s + 1, e - 1, false, cls);
    else this.emitSrc(s, e, false, cls);
  }

  /** The main loop: emit tokens [from, to) as template text. */
  private emitRange(from: number, to: number): void {
    const buf = this.buf;
    for (let t = from; t < to; ) {
      const k = buf.kind[t]!;
      switch (k) {
        case Tok.Word: {
          const w = this.words[t]!;
          const f = this.wflags[t]!;
          if ((f & F_SPECIAL) !== 0) {
            if (w === 'in' || (w === 'not' && this.word(t + 1) === 'in')) {
              const negated = w === 'not';
              const e = this.tryInList(negated ? t + 1 : t, negated);
              if (e > 0) {
                t = e;
                continue;
              }
            } else if (w === 'values') {
              const e = this.tryValues(t);
              if (e > 0) {
                t = e;
                continue;
              }
            } else if (w === 'by') {
              const p = this.word(t - 1);
              if (p === 'order' || p === 'group') this.orderDepth = this.depth;
            }
          }
          if ((f & F_CLAUSE_END) !== 0) this.orderDepth = -1;
          if ((f & (F_SPECIAL | F_TYPE)) !== 0) {
            const e = this.constItem(t, false);
            if (e > 0) {
              this.emitItem();
              t = e;
              continue;
            }
          }
          const cls = this.tableCtx && this.prev === E_KW ? E_TABLE : (f & F_SPACE) !== 0 ? E_KW : E_NAME;
          if (w !== '') this.emit(w === 'some' ? 'any' : w, cls);
          else this.emitSrc(buf.start[t]!, buf.end[t]!, true, cls);
          this.tableCtx = (f & F_SPECIAL) !== 0 && (w === 'into' || w === 'table' || w === 'update');
          t++;
          continue;
        }
        case Tok.QIdent: {
          this.emitQIdent(t, this.tableCtx && this.prev === E_KW ? E_TABLE : E_NAME);
          this.tableCtx = false;
          t++;
          continue;
        }
        case Tok.Number: {
          // ORDER BY 2 / GROUP BY 1 name a select-list column: structure, not data, so it is kept.
          if (this.orderDepth === this.depth && this.orderDepth >= 0) {
            const pk = this.kind(t - 1);
            const nk = this.kind(t + 1);
            const pw = this.word(t - 1);
            if ((pw === 'by' || pk === Tok.Comma) && (nk === 0 || nk === Tok.Comma || nk === Tok.RParen || nk === Tok.Semicolon || nk === Tok.Word)) {
              this.emitSrc(buf.start[t]!, buf.end[t]!, false, E_NAME);
              t++;
              continue;
            }
          }
          break;
        }
        case Tok.Dot: {
          if (this.prev === E_TABLE) {
            // schema.table after INTO: keep the spacing rule for the table part.
            this.emit('.', E_TIGHT);
            t++;
            const nk = this.kind(t);
            if (t < to && (nk === Tok.Word || nk === Tok.QIdent)) {
              if (nk === Tok.Word) this.emitSrc(buf.start[t]!, buf.end[t]!, true, E_TABLE);
              else this.emitQIdent(t, E_TABLE);
              t++;
            }
            continue;
          }
          this.emit('.', E_TIGHT);
          t++;
          continue;
        }
        case Tok.Typecast:
          this.emit('::', E_TIGHT);
          t++;
          continue;
        case Tok.Colon:
          this.emit(':', E_TIGHT);
          t++;
          continue;
        case Tok.LParen:
          this.depth++;
          this.emit('(', E_OPEN);
          t++;
          continue;
        case Tok.RParen:
          if (this.orderDepth === this.depth) this.orderDepth = -1;
          this.depth--;
          this.emit(')', E_CLOSE);
          t++;
          continue;
        case Tok.LBracket:
          this.emit('[', E_LBRACKET);
          t++;
          continue;
        case Tok.RBracket:
          this.emit(']', E_CLOSE);
          t++;
          continue;
        case Tok.Comma:
          this.emit(',', E_COMMA);
          t++;
          continue;
        case Tok.Semicolon:
          this.orderDepth = -1;
          this.emit(';', E_SEMI);
          t++;
          continue;
        case Tok.Op: {
          const e = this.constItem(t, false);
          if (e > 0) {
            this.emitItem();
            t = e;
            continue;
          }
          const os = buf.start[t]!;
          const oe = buf.end[t]!;
          const c0 = this.sql.charCodeAt(os);
          if (oe - os === 2 && (c0 === 33 || c0 === 37) && this.sql.charCodeAt(os + 1) === (c0 === 33 ? 61 : 37)) {
            this.emit(c0 === 33 ? '<>' : '%', E_OP); // != is <>; psycopg's %% is %
          } else this.emitSrc(os, oe, false, E_OP);
          t++;
          continue;
        }
      }
      // Constants, parameters, placeholders (and anything else) end up here.
      const e = this.constItem(t, false);
      if (e > 0) {
        this.emitItem();
        t = e;
        continue;
      }
      this.emitSrc(buf.start[t]!, buf.end[t]!, false, E_NAME);
      t++;
    }
  }
}

const normalizer = new Normalizer();

/** Normalize one statement. Never throws; cost is linear in its length. */
export function normalize(sql: string): Normalized {
  return normalizer.run(sql);
}
