/** Reads the Python repr() of bound parameters and result rows, as SQLAlchemy and Django log them. */
import type { ParamValues } from '../types.js';

/** A parsed repr: a scalar as text (null for None), a tuple/list/set, or a dict. */
export type PyNode = string | null | PySeq | PyMap;
export interface PySeq {
  kind: 'seq';
  items: PyNode[];
  /** `... displaying 10 of 4999 total bound parameter sets ...`: the real number of sets. */
  total: number | null;
}
export interface PyMap {
  kind: 'map';
  entries: [string, PyNode][];
}

/** What a params repr holds: one parameter set, and how many sets the call had (executemany > 1). */
export interface PyParams {
  params: ParamValues;
  sets: number;
}

class Stop extends Error {}
const STOP = new Stop();

/** Recursive-descent reader over one repr string; any surprise ends the read (caller gets null). */
class Reader {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== 32 && c !== 9) break;
      this.i++;
    }
  }

  value(): PyNode {
    this.ws();
    const s = this.s;
    const c = s[this.i];
    if (c === undefined) throw STOP;
    if (c === '(') return this.seq(')');
    if (c === '[') return this.seq(']');
    if (c === '{') return this.brace();
    if (c === "'" || c === '"') return this.str();
    if (c === '<') return this.angle();
    if (c === '-' || c === '+' || (c >= '0' && c <= '9') || c === '.') return this.num();
    if (isIdentStart(s.charCodeAt(this.i))) {
      const start = this.i;
      while (this.i < s.length && (isIdent(s.charCodeAt(this.i)) || s[this.i] === '.')) this.i++;
      const name = s.slice(start, this.i);
      const q = s[this.i];
      // string prefixes: b'..', rb'..', u'..'
      if ((q === "'" || q === '"') && name.length <= 2 && /^[bBrRuU]+$/.test(name)) return this.str();
      if (q === '(') return this.call(name, start);
      if (name === 'None') return null;
      if (name === 'True') return 'true';
      if (name === 'False') return 'false';
      return name;
    }
    throw STOP;
  }

  /** `...` markers SQLAlchemy puts inside long reprs; returns the `of N total` count when it says one. */
  ellipsis(): number | null {
    const s = this.s;
    const close = s.indexOf('...', this.i + 3);
    if (close < 0) throw STOP;
    const text = s.slice(this.i + 3, close);
    this.i = close + 3;
    const of = text.indexOf(' of ');
    if (text.indexOf('displaying') >= 0 && of >= 0) {
      const n = parseInt(text.slice(of + 4), 10);
      return Number.isFinite(n) ? n : null;
    }
    return null;
  }

  seq(close: string): PySeq {
    const s = this.s;
    this.i++;
    const items: PyNode[] = [];
    let total: number | null = null;
    for (;;) {
      this.ws();
      if (this.i >= s.length) throw STOP;
      if (s[this.i] === close) {
        this.i++;
        return { kind: 'seq', items, total };
      }
      if (s.startsWith('...', this.i)) {
        const t = this.ellipsis();
        if (t !== null) total = t;
        continue;
      }
      items.push(this.value());
      this.ws();
      if (s[this.i] === ',') this.i++;
    }
  }

  brace(): PyNode {
    const s = this.s;
    this.i++;
    const entries: [string, PyNode][] = [];
    const items: PyNode[] = [];
    for (;;) {
      this.ws();
      if (this.i >= s.length) throw STOP;
      if (s[this.i] === '}') {
        this.i++;
        return items.length > 0 && entries.length === 0 ? { kind: 'seq', items, total: null } : { kind: 'map', entries };
      }
      if (s.startsWith('...', this.i)) {
        this.ellipsis();
        continue;
      }
      const key = this.value();
      this.ws();
      if (s[this.i] === ':') {
        this.i++;
        entries.push([typeof key === 'string' ? key : key === null ? 'None' : render(key) ?? '', this.value()]);
      } else {
        items.push(key); // a set literal
      }
      this.ws();
      if (s[this.i] === ',') this.i++;
    }
  }

  str(): string {
    const s = this.s;
    while (s[this.i] !== "'" && s[this.i] !== '"') this.i++;
    const q = s.charCodeAt(this.i);
    this.i++;
    let out = '';
    let from = this.i;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === q) {
        out += s.slice(from, this.i);
        this.i++;
        return out;
      }
      if (c === 92 /* \ */) {
        out += s.slice(from, this.i);
        const e = s[this.i + 1];
        this.i += 2;
        switch (e) {
          case 'n': out += '\n'; break;
          case 'r': out += '\r'; break;
          case 't': out += '\t'; break;
          case '0': out += '\0'; break;
          case 'x': out += this.hex(2); break;
          case 'u': out += this.hex(4); break;
          case 'U': out += this.hex(8); break;
          default: out += e ?? '';
        }
        from = this.i;
        continue;
      }
      this.i++;
    }
    throw STOP;
  }

  hex(n: number): string {
    const code = parseInt(this.s.slice(this.i, this.i + n), 16);
    this.i += n;
    return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : '';
  }

  num(): string {
    const s = this.s;
    const start = this.i;
    this.i++;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === ',' || c === ')' || c === ']' || c === '}' || c === ' ' || c === ':') break;
      this.i++;
    }
    // `...` right after a value belongs to a truncation marker, not to the number
    const text = s.slice(start, this.i);
    if (text === '.' || text.startsWith('..')) throw STOP;
    return text;
  }

  angle(): string {
    const s = this.s;
    const start = this.i;
    let depth = 0;
    while (this.i < s.length) {
      const c = s[this.i++];
      if (c === '<') depth++;
      else if (c === '>' && --depth === 0) return s.slice(start, this.i);
    }
    throw STOP;
  }

  /** `Decimal('1.5')`, `UUID('…')`, `datetime.datetime(2020, 1, 2, 3, 4, 5, 6000)`: the value as PostgreSQL would print it. */
  call(name: string, start: number): string {
    const s = this.s;
    this.i++;
    const args: PyNode[] = [];
    let tz = '';
    for (;;) {
      this.ws();
      if (this.i >= s.length) throw STOP;
      if (s[this.i] === ')') {
        this.i++;
        break;
      }
      // keyword argument: name=value
      let k = this.i;
      while (k < s.length && isIdent(s.charCodeAt(k))) k++;
      if (k > this.i && s[k] === '=') {
        const kw = s.slice(this.i, k);
        this.i = k + 1;
        const vStart = this.i;
        this.value();
        if (kw === 'tzinfo') tz = s.slice(vStart, this.i);
      } else {
        args.push(this.value());
      }
      this.ws();
      if (s[this.i] === ',') this.i++;
    }
    const raw = s.slice(start, this.i);
    const short = name.slice(name.lastIndexOf('.') + 1);
    if (args.length === 1 && typeof args[0] === 'string' && short !== 'timedelta') return args[0];
    const n = args.map((a) => (typeof a === 'string' ? Number(a) : NaN));
    if (n.some((x) => !Number.isInteger(x))) return raw;
    if (short === 'date' && n.length === 3) return ymd(n);
    if (short === 'datetime' && n.length >= 3) {
      let out = `${ymd(n)} ${p2(n[3] ?? 0)}:${p2(n[4] ?? 0)}:${p2(n[5] ?? 0)}`;
      if (n[6]) out += '.' + String(n[6]).padStart(6, '0');
      if (tz.indexOf('utc') >= 0 || tz.indexOf('UTC') >= 0) out += '+00:00';
      return out;
    }
    if (short === 'time' && n.length >= 2) return `${p2(n[0]!)}:${p2(n[1]!)}:${p2(n[2] ?? 0)}`;
    return raw;
  }
}

function p2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}
function ymd(n: number[]): string {
  return `${String(n[0]).padStart(4, '0')}-${p2(n[1]!)}-${p2(n[2]!)}`;
}
function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdent(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

/** Parse one Python repr value; null when the text is not one (cut short, unknown syntax). */
export function parsePyRepr(text: string): { node: PyNode } | null {
  const r = new Reader(text);
  try {
    const node = r.value();
    return { node };
  } catch (e) {
    if (e === STOP) return null;
    throw e;
  }
}

/** A nested value as one parameter string: a list/tuple as a PostgreSQL array literal, a dict as JSON. */
function render(node: PyNode): string | null {
  if (node === null || typeof node === 'string') return node;
  if (node.kind === 'seq') return '{' + node.items.map((x) => render(x) ?? 'NULL').join(',') + '}';
  const o: Record<string, string | null> = {};
  for (const [k, v] of node.entries) o[k] = render(v);
  return JSON.stringify(o);
}

function toSet(node: PyNode): ParamValues | null {
  if (node === null || typeof node === 'string') return null;
  if (node.kind === 'seq') return node.items.map(render);
  const o: Record<string, string | null> = {};
  for (const [k, v] of node.entries) o[k] = render(v);
  return o;
}

/**
 * Parameters from their repr: `(1, 'a')` / `[1]` → positional, `{'id': 1}` → named, and for executemany
 * (a tuple/list whose members are all tuples, lists or dicts, or one marked "displaying N of M") the
 * first set plus the number of sets. `(((1, 2),))`-style single tuples of one tuple stay one set.
 */
export function parsePyParams(text: string): PyParams | null {
  const parsed = parsePyRepr(text);
  if (!parsed) return null;
  const node = parsed.node;
  if (node === null || typeof node === 'string') return null;
  if (node.kind === 'seq' && node.items.length > 0) {
    const allSets = node.items.every((x) => x !== null && typeof x !== 'string');
    const first = node.items[0]!;
    const multi = allSets && (node.items.length > 1 || node.total !== null || (typeof first === 'object' && first !== null && first.kind === 'map'));
    if (multi) {
      const params = toSet(first);
      return params ? { params, sets: node.total ?? node.items.length } : null;
    }
  }
  const params = toSet(node);
  return params ? { params, sets: 1 } : null;
}

/** The cells of a logged row `(1, 'a', None)` as strings (None left out), appended to `out` up to `cap`. */
export function pushRowValues(text: string, out: string[], cap: number): boolean {
  const parsed = parsePyRepr(text);
  if (!parsed || parsed.node === null || typeof parsed.node === 'string' || parsed.node.kind !== 'seq') return false;
  for (const cell of parsed.node.items) {
    if (out.length >= cap) break;
    const v = render(cell);
    if (v !== null) out.push(v);
  }
  return true;
}
