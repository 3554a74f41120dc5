/** One logged statement as an AST plus its bound values, and the AST edits every rewrite shares. */
import type { Expr, ExprParameter, Statement } from 'pgsql-ast-parser';
import { astLib } from './ast-lib.js';
import { normalize, rewritePlaceholders, tokenize, Tok, type Normalized } from '../sql/index.js';
import type { Stmt } from '../sessions/types.js';
import { statement } from './printer.js';

export interface Parsed {
  stmt: Stmt;
  ast: Statement;
  /** ASTs of one family differ only in their literals (the same skeleton). */
  family: Statement;
  /** Value bound to `$n` in this statement: a string, null for SQL NULL, undefined when the log did not carry it. */
  param(n: number): string | null | undefined;
  /** Highest `$n` in the statement (after ORM placeholders became `$n`). */
  maxParam: number;
}

const cache = new WeakMap<Stmt, Parsed | null>();

/** What a statement text parses to; shared by every statement with that text (the ASTs are only read, or cloned first). */
interface ParsedText {
  ast: Statement;
  /** The AST this one was copied from with other literals (itself when parsed): ASTs of one family differ only in literals. */
  family: Statement;
  /** Literals normalize() took out: the logged parameters come after them in Stmt.values. */
  literals: number;
  order: number[] | null;
  maxParam: number;
}
/** A loop's statements repeat one text with other parameters: pgsql-ast-parser (slow) reads each text once. */
const byText = new Map<string, ParsedText | null>();
const MAX_TEXTS = 2000;

/**
 * The statements of a loop with literal keys differ only in their literals (`order_id = 1`, `= 2` …), so each
 * text is new and would cost an Earley parse of its own (milliseconds each, up to 200 per finding). The first
 * text's AST stands for its template: the next text of the template gets a copy with its own literals put in
 * the same places, kept only if printing the copy gives back exactly that text's template and literals.
 */
interface TemplateAst {
  parsed: ParsedText;
  /** For each literal node of the AST (in walk order), which of the text's literals it holds. */
  slots: number[];
  /** normalize() of the AST printed: what a correct copy must print to, literals aside. */
  printedTemplate: string;
}
/** The template's AST to copy, or how many of its texts could not give one (their literals repeat: `= 1 LIMIT 1`). */
const byTemplate = new Map<string, TemplateAst | number>();
/** Texts of one template tried as its copyable AST before every text of it gets a parse of its own. */
const TEMPLATE_TRIES = 4;

type LiteralNode = { type: 'integer' | 'numeric' | 'string'; value: unknown };

/** The AST's literal nodes in a fixed walk order (property order, which structuredClone keeps). */
function literalNodes(node: unknown, out: LiteralNode[] = []): LiteralNode[] {
  if (node === null || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    for (const x of node) literalNodes(x, out);
    return out;
  }
  const t = (node as { type?: unknown }).type;
  if ((t === 'integer' || t === 'numeric' || t === 'string') && 'value' in node) {
    out.push(node as LiteralNode);
    return out;
  }
  for (const k in node) literalNodes((node as Record<string, unknown>)[k], out);
  return out;
}

const NUMBER = /^-?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;

const nonNull = (cs: (string | null)[]) => cs.filter((c): c is string => c !== null);

/** Where each literal of a text (normalized: `n`) sits in its AST; null when the literals cannot be matched one to one. */
function templateAst(n: Normalized, parsed: ParsedText): TemplateAst | null {
  const literals = nonNull(n.constants);
  const nodes = literalNodes(parsed.ast);
  if (nodes.length !== literals.length || new Set(literals).size !== literals.length) return null;
  const slots: number[] = [];
  for (const n of nodes) {
    // a number's node holds a JavaScript number (10.50 → 10.5, large ids rounded): matched by value, one literal only
    const fits = (lit: string) => (n.type === 'string' ? lit === n.value : NUMBER.test(lit) && Number(lit) === Number(n.value));
    const at = literals.findIndex(fits);
    if (at < 0 || literals.findIndex((lit, i) => i > at && fits(lit)) >= 0 || slots.includes(at)) return null;
    slots.push(at);
    // and takes the literal's text, as every copy does (printed exactly, no rounding)
    if (n.type !== 'string') n.value = literals[at];
  }
  let printedTemplate: string;
  try {
    printedTemplate = normalize(statement(parsed.ast)).template;
  } catch {
    return null;
  }
  return { parsed, slots, printedTemplate };
}

/** The AST of a text (normalized: `n`) from its template's, with this text's literals; null when the copy does not print back to them. */
function fromTemplate(n: Normalized, tpl: TemplateAst): ParsedText | null {
  const literals = nonNull(n.constants);
  if (literals.length !== tpl.slots.length) return null;
  const ast = clone(tpl.parsed.ast);
  const nodes = literalNodes(ast);
  if (nodes.length !== tpl.slots.length) return null;
  for (let i = 0; i < nodes.length; i++) {
    const v = literals[tpl.slots[i]!]!;
    const node = nodes[i]!;
    // a number's node keeps the text (as literal() does): no float rounding of large ids
    if (node.type !== 'string' && !NUMBER.test(v)) return null;
    node.value = v;
  }
  try {
    const back = normalize(statement(ast));
    if (back.template !== tpl.printedTemplate) return null;
    // every constant in its place, NULLs included: `SET a = NULL, b = 'x'` after `SET a = 'x', b = NULL` has the
    // same template and as many literals, in other places
    const got = back.constants;
    if (got.length !== n.constants.length) return null;
    for (let i = 0; i < got.length; i++) if (got[i] !== n.constants[i]) return null;
  } catch {
    return null;
  }
  return { ...tpl.parsed, ast, family: tpl.parsed.family };
}

function parseText(text: string): ParsedText | null {
  let hit = byText.get(text);
  if (hit !== undefined) return hit;
  // one normalize() per text: the template finds the family, the constants fill and check the copy
  const n = normalize(text);
  const key = n.template;
  const tpl = byTemplate.get(key);
  if (tpl !== undefined && typeof tpl !== 'number') {
    const derived = fromTemplate(n, tpl);
    if (derived !== null) {
      remember(text, derived);
      return derived;
    }
  }
  hit = null;
  try {
    const sql = rewritePlaceholders(text);
    const all = astLib().parse(sql);
    if (all.length === 1) {
      let maxParam = 0;
      for (const m of sql.matchAll(/\$(\d+)/g)) maxParam = Math.max(maxParam, +m[1]!);
      // values = the literals normalize() took out, then the logged parameters (named ones sorted by name)
      hit = { ast: all[0]!, family: all[0]!, literals: nonNull(n.constants).length, order: namedOrder(text), maxParam };
    }
  } catch {
    hit = null;
  }
  remember(text, hit);
  // the first text whose literals are all different stands for the template (`author_id = 1 LIMIT 1` cannot: which
  // 1 is which?), so a loop whose first key is 1 still costs one parse, not one per text
  const tries = tpl === undefined ? 0 : typeof tpl === 'number' ? tpl : TEMPLATE_TRIES;
  if (hit !== null && tries < TEMPLATE_TRIES) {
    if (tpl === undefined && byTemplate.size >= MAX_TEXTS) byTemplate.clear();
    byTemplate.set(key, templateAst(n, hit) ?? tries + 1);
  }
  return hit;
}

function remember(text: string, parsed: ParsedText | null): void {
  if (byText.size >= MAX_TEXTS) byText.clear();
  byText.set(text, parsed);
}

/** Parse a statement once; null when pgsql-ast-parser cannot read it (the rewrite is then skipped, not guessed). */
export function parseStmt(s: Stmt): Parsed | null {
  const hit = cache.get(s);
  if (hit !== undefined) return hit;
  const t = parseText(s.sql);
  const out: Parsed | null =
    t === null
      ? null
      : {
          stmt: s,
          ast: t.ast,
          family: t.family,
          maxParam: t.maxParam,
          param(n: number) {
            const idx = t.order ? t.order[n - 1] : n - 1;
            if (idx === undefined || idx < 0) return undefined;
            const at = t.literals + idx;
            return at < s.values.length ? s.values[at] : undefined;
          },
        };
  cache.set(s, out);
  return out;
}

/** For named placeholders (`%(name)s`, `:name`): $n → index of its name among the names sorted, as buildStmt stored them. */
function namedOrder(sql: string): number[] | null {
  const names: string[] = [];
  let positional = false;
  for (const t of tokenize(sql)) {
    if (t.kind !== Tok.Placeholder) continue;
    const m = /^%\((\w+)\)s$/.exec(t.text) ?? /^:(\w+)$/.exec(t.text);
    if (m) {
      if (!names.includes(m[1]!)) names.push(m[1]!);
    } else positional = true;
  }
  if (names.length === 0 || positional) return null;
  const sorted = [...names].sort();
  return names.map((n) => sorted.indexOf(n));
}

/** A fresh deep copy, so edits never touch the cached AST. */
export function clone<T>(x: T): T {
  return structuredClone(x);
}

/** The top-level AND conjuncts of a WHERE clause. */
export function conjuncts(where: Expr | null | undefined): Expr[] {
  if (!where) return [];
  if (where.type === 'binary' && where.op === 'AND') return [...conjuncts(where.left), ...conjuncts(where.right)];
  return [where];
}

export function andAll(parts: Expr[]): Expr | null {
  if (parts.length === 0) return null;
  return parts.reduce((a, b) => ({ type: 'binary', op: 'AND', left: a, right: b }));
}

/** `col = value` (either way round) or `col IN (value)`, where value is a parameter or a literal, possibly cast. */
export interface EqSlot {
  index: number;
  column: Extract<Expr, { type: 'ref' }>;
  value: Expr;
}

export function eqSlots(where: Expr | null | undefined): EqSlot[] {
  const out: EqSlot[] = [];
  conjuncts(where).forEach((c, index) => {
    // TypeORM and others write a single key as `id IN ($2)`: the same slot as `id = $2`
    if (c.type === 'binary' && c.op === 'IN' && c.left.type === 'ref') {
      // pgsql-ast-parser reads `IN ($2)` as the bare value, `IN (1)` may come as a one-item list
      const v = c.right.type === 'list' && c.right.expressions.length === 1 ? c.right.expressions[0]! : c.right;
      if (isValue(v)) out.push({ index, column: c.left, value: v });
      return;
    }
    if (c.type !== 'binary' || c.op !== '=') return;
    if (c.left.type === 'ref' && c.left.name !== '*' && isValue(c.right)) out.push({ index, column: c.left, value: c.right });
    else if (c.right.type === 'ref' && c.right.name !== '*' && isValue(c.left)) out.push({ index, column: c.right, value: c.left });
  });
  return out;
}

export function isValue(e: Expr): boolean {
  if (e.type === 'cast') return isValue(e.operand);
  return e.type === 'parameter' || e.type === 'integer' || e.type === 'numeric' || e.type === 'string' || e.type === 'boolean' || e.type === 'constant';
}

/**
 * A value a row carries: a literal, a parameter, or NULL. `SET label = NULL` in one iteration and
 * `SET label = 'x'` in the next is one varying column, never a constant NULL (an equality with NULL is not a key: isValue).
 */
export function isRowValue(e: Expr): boolean {
  return e.type === 'null' || (e.type === 'cast' && e.operand.type === 'null') || isValue(e);
}

/** The value an expression stands for in this statement: a literal's text or the bound parameter. */
export function valueOf(e: Expr, p: Parsed): string | null | undefined {
  switch (e.type) {
    case 'cast':
      return valueOf(e.operand, p);
    case 'parameter':
      return p.param(+e.name.slice(1));
    case 'integer':
    case 'numeric':
      return String(e.value);
    case 'string':
      return e.value;
    case 'boolean':
      return e.value ? 'true' : 'false';
    case 'constant':
      return String(e.value);
    case 'null':
      return null;
    default:
      return undefined;
  }
}

/** The parameter inside a value expression (`$3`, `$3::uuid`), if any. */
export function paramOf(e: Expr): ExprParameter | null {
  if (e.type === 'parameter') return e;
  if (e.type === 'cast') return paramOf(e.operand);
  return null;
}

const INT = /^-?(?:0|[1-9]\d{0,30})$/;
const DEC = /^-?(?:0|[1-9]\d*)\.\d+$/;

/** A logged value as a literal; numbers bare (PostgreSQL types them from the target), everything else quoted. */
export function literal(v: string | null): Expr {
  if (v === null) return { type: 'null' };
  // the printer prints value with String(): keeping the text avoids float rounding of large ids
  if (INT.test(v)) return { type: 'integer', value: v as unknown as number };
  if (DEC.test(v)) return { type: 'numeric', value: v as unknown as number };
  return { type: 'string', value: v };
}

/** Replace every `$n` by the literal this statement bound to it; null when a value was not logged. */
export function bindAll<T extends Statement | Expr>(node: T, p: Parsed, keep: Set<number> = new Set()): T | null {
  let missing = false;
  const m = astLib().astMapper(() => ({
    parameter: (x) => {
      const n = +x.name.slice(1);
      if (keep.has(n)) return x;
      const v = p.param(n);
      if (v === undefined) {
        missing = true;
        return x;
      }
      return literal(v);
    },
  }));
  const out = 'type' in node && isStatementType(node.type) ? m.statement(clone(node) as Statement) : m.expr(clone(node) as Expr);
  return missing || !out ? null : (out as T);
}

function isStatementType(t: string): boolean {
  return ['select', 'insert', 'update', 'delete', 'union', 'union all', 'values', 'with', 'with recursive'].includes(t);
}

/** Renumber parameters: `map(n)` gives the new number. */
export function renumber<T extends Statement>(s: T, map: (n: number) => number): T {
  const m = astLib().astMapper(() => ({ parameter: (x) => ({ type: 'parameter', name: '$' + map(+x.name.slice(1)) }) }));
  return m.statement(clone(s)) as T;
}

/** Qualify unqualified column references with `alias` (not descending into subqueries, which have their own scope). */
export function qualify(e: Expr, alias: string, from: Set<string>): Expr {
  const m = astLib().astMapper(() => ({
    ref: (r) => {
      if (!r.table) return { ...r, table: { name: alias } };
      if (!r.table.schema && from.has(r.table.name)) return { ...r, table: { name: alias } };
      return r;
    },
    selection: (s) => s,
    union: (s) => s,
    with: (s) => s,
  }));
  return m.expr(clone(e)) as Expr;
}

/** Values of a varying slot across all statements (in order, duplicates kept). */
export function slotValues(all: Parsed[], index: number, side: 'value'): (string | null | undefined)[] {
  void side;
  return all.map((p) => {
    const w = p.ast.type === 'select' || p.ast.type === 'update' || p.ast.type === 'delete' ? p.ast.where : null;
    const slot = eqSlots(w).find((s) => s.index === index);
    return slot ? valueOf(slot.value, p) : undefined;
  });
}
