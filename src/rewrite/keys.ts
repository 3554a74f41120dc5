/**
 * What every set-based rewrite is built from: the loop's statements parsed into one shape, the key that
 * varies between them, `col = $k` turned into `col = ANY($k)`, and the parameters renumbered and described.
 */
import type { Expr, SelectedColumn, SelectFromStatement, Statement, UpdateStatement, DeleteStatement } from 'pgsql-ast-parser';
import { astLib } from './ast-lib.js';
import { arrayLiteral } from '../sql/index.js';
import type { Stmt, TemplateInfo } from '../sessions/types.js';
import { statement } from './printer.js';
import { andAll, clone, conjuncts, eqSlots, paramOf, parseStmt, renumber, valueOf, type EqSlot, type Parsed } from './statement.js';
import type { Binds, BuildInput, Built, Runnable } from './types.js';

/** Rows of real values shown in multi-row rewrites; the rest are described, not printed. */
export const SHOWN_ROWS = 5;
/** Keys quoted in a parameter description. */
const SHOWN_KEYS = 10;

export function empty(): Built {
  return { use: null, alternatives: [], params: [], notes: [] };
}

/**
 * The loop's statements as ASTs, all of one shape. One template can hold several shapes (the normalizer
 * folds `IN ($2)` and `IN ($2, …, $16)` together, and an ORM may batch some rows already): the rewrite is
 * built from the shape most statements have, the first statement's on a tie.
 */
export function parsedAll(stmts: Stmt[]): Parsed[] | null {
  const groups = new Map<string, Parsed[]>();
  for (const s of stmts) {
    const p = parseStmt(s);
    if (p === null) continue;
    const k = skeleton(p);
    const g = groups.get(k);
    if (g) g.push(p);
    else groups.set(k, [p]);
  }
  let best: Parsed[] | null = null;
  for (const g of groups.values()) if (best === null || g.length > best.length) best = g;
  return best;
}

/** By AST family: statements whose ASTs differ only in literals share one skeleton. */
const skeletons = new WeakMap<Statement, string>();
type AstLib = ReturnType<typeof astLib>;
let slotMapper: ReturnType<AstLib['astMapper']> | null = null;
/** Every value as one placeholder (built on first use, with the library). */
function toSlot(): ReturnType<AstLib['astMapper']> {
  slotMapper ??= astLib().astMapper(() => ({
    parameter: () => ({ type: 'parameter', name: '$0' }),
    constant: () => ({ type: 'parameter', name: '$0' }),
  }));
  return slotMapper;
}

/** The statement with every value replaced by one placeholder: equal skeletons, same shape. */
function skeleton(p: Parsed): string {
  let k = skeletons.get(p.family);
  if (k === undefined) {
    try {
      k = statement(toSlot().statement(clone(p.ast))!);
    } catch {
      k = p.stmt.sql;
    }
    skeletons.set(p.family, k);
  }
  return k;
}

function whereOf(s: Statement): Expr | null | undefined {
  return s.type === 'select' || s.type === 'update' || s.type === 'delete' ? s.where : null;
}

/** The equality slot whose value changes from statement to statement: the loop key. */
export interface LoopKey {
  slot: EqSlot;
  values: (string | null | undefined)[];
  /** Other equality slots that vary too (a loop over pairs, or a varying condition). */
  others: { slot: EqSlot; values: (string | null | undefined)[] }[];
}


export function loopKey(ps: Parsed[], hint: readonly string[]): LoopKey | null {
  const slots = eqSlots(whereOf(ps[0]!.ast));
  const varying: { slot: EqSlot; values: (string | null | undefined)[] }[] = [];
  for (const slot of slots) {
    const values = ps.map((p) => {
      const s = eqSlots(whereOf(p.ast)).find((x) => x.index === slot.index);
      return s ? valueOf(s.value, p) : undefined;
    });
    if (new Set(values).size > 1) varying.push({ slot, values });
  }
  // the detector names a quoted column as written ("OwnerRef"); the AST holds the name PostgreSQL uses
  const hints = hint.map(columnName);
  if (varying.length === 0) {
    // the log printed `?` without the values (Hibernate without its bind logger): trust the detector's key column
    const blind = slots.filter((slot) => paramOf(slot.value) !== null && ps.every((p) => p.param(+paramOf(slot.value)!.name.slice(1)) === undefined));
    const pick = blind.find((b) => hints.includes(b.column.name)) ?? (blind.length === 1 && ps.length > 1 ? blind[0] : undefined);
    return pick ? { slot: pick, values: ps.map(() => undefined), others: [] } : null;
  }
  const keyLike = (c: string) => c === 'id' || c.endsWith('_id') || c.endsWith('id');
  // the loop's own variable changes least often: a count per key and status asks key 1 for 'paid', key 1
  // for 'open', then key 2…, so the column that changes at every statement is the inner condition, not the key
  const changes = (v: (typeof varying)[number]) => v.values.reduce<number>((n, x, i) => n + (i > 0 && x !== v.values[i - 1] ? 1 : 0), 0);
  const outerFirst = varying.slice().sort((a, b) => changes(a) - changes(b));
  const pick =
    outerFirst.find((v) => hints.includes(v.slot.column.name) && keyLike(v.slot.column.name)) ??
    outerFirst.find((v) => hints.includes(v.slot.column.name)) ??
    outerFirst.find((v) => keyLike(v.slot.column.name)) ??
    outerFirst[0]!;
  return { slot: pick.slot, values: pick.values, others: varying.filter((v) => v !== pick) };
}

/** A column as the detector wrote it (`"OwnerRef"`, `oi.order_id`) by the name the AST holds (`OwnerRef`, `order_id`). */
export function columnName(written: string): string {
  const last = /(?:^|\.)("(?:[^"]|"")*"|[^."]+)$/.exec(written)?.[1] ?? written;
  return last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last.toLowerCase();
}

/** `col = x` → `col = ANY($k)`, keeping a cast as an array cast; returns the parameter number used. */
export function anyPredicate(slot: EqSlot, p: Parsed): { expr: Expr; param: number } {
  const existing = paramOf(slot.value);
  const param = existing ? +existing.name.slice(1) : p.maxParam + 1;
  let arg: Expr = { type: 'parameter', name: '$' + param };
  if (slot.value.type === 'cast') arg = { type: 'cast', operand: arg, to: { kind: 'array', arrayOf: slot.value.to } };
  const any: Expr = { type: 'call', function: { name: 'any' }, args: [arg] };
  return { expr: { type: 'binary', op: '=', left: clone(slot.column), right: any }, param };
}

/**
 * The key column in the select list, first, unless the rows already carry it (or `*`): rows fetched for
 * all keys at once are of no use to the application unless each says which key it belongs to.
 */
export function withKeyColumn(ast: SelectFromStatement, column: EqSlot['column']): SelectFromStatement {
  const cols = ast.columns ?? [];
  const has = cols.some((c) => c.expr.type === 'ref' && (c.expr.name === '*' || (c.expr.name === column.name && (!c.alias || c.alias.name === column.name))));
  if (!has) ast.columns = [{ expr: clone(column) }, ...cols];
  return ast;
}

/** The name a select-list entry comes back under (null for an unnamed expression or `*`). */
export function outputName(c: SelectedColumn): string | null {
  return c.alias?.name ?? (c.expr.type === 'ref' && c.expr.name !== '*' ? c.expr.name : null);
}

/** The complete form of a keyed read: its SQL and binds, the statements it replaces and each one's key. */
export function keyedRunnable(sql: string, binds: Binds | undefined, ps: Parsed[], key: LoopKey): Runnable[] | undefined {
  if (binds === undefined || key.values.some((v) => v === undefined)) return undefined;
  return [{ sql, binds, covers: ps.map((p) => p.stmt), keyColumn: key.slot.column.name, keys: key.values as (string | null)[] }];
}

export function withConjunct<T extends { where?: Expr | null }>(s: T, index: number, replacement: Expr | null): T {
  const parts = conjuncts(s.where);
  if (replacement) parts[index] = replacement;
  else parts.splice(index, 1);
  s.where = andAll(parts);
  return s;
}

export function describeKeys(param: number, column: string, values: (string | null | undefined)[]): string {
  const distinct = [...new Set(values.filter((v): v is string | null => v !== undefined))];
  if (distinct.length === 0) return `$${param} = an array of the ${column} values the loop used`;
  const shown = arrayLiteral(distinct.slice(0, SHOWN_KEYS));
  const more = distinct.length > SHOWN_KEYS ? shown.slice(0, -1) + ',…}' : shown;
  return `$${param} = the ${distinct.length} ${column} values: ${more}`;
}

/**
 * Print rewritten statements with their parameters renumbered 1…k in order (a dropped OFFSET $2 must not
 * leave a gap PREPARE cannot type), and say how to bind each: the key array, the others as in the loop.
 */
export function settle(asts: Statement[], p: Parsed, keyParam: number, column: string, values: (string | null | undefined)[]): { sqls: string[]; params: string[]; binds: Binds | undefined } {
  const used = new Set<number>();
  for (const a of asts) for (const m of statement(a).matchAll(/\$(\d+)/g)) used.add(+m[1]!);
  const order = [...used].sort((a, b) => a - b);
  const map = new Map(order.map((n, i) => [n, i + 1]));
  const sqls = asts.map((a) => statement(renumber(a, (n) => map.get(n) ?? n)));
  const params: string[] = [];
  const others: string[] = [];
  let binds: Binds | undefined = [];
  for (const old of order) {
    const now = map.get(old)!;
    if (old === keyParam) {
      params.push(describeKeys(now, column, values));
      if (values.some((v) => v === undefined)) binds = undefined;
      else binds?.push([...new Set(values as (string | null)[])]);
    } else {
      others.push(now === old ? `$${now}` : `$${now} (the loop's $${old})`);
      const v = p.param(old);
      if (v === undefined) binds = undefined;
      else binds?.push(v);
    }
  }
  if (others.length) params.push(`${others.join(', ')} as in the loop`);
  return { sqls, params, binds };
}

export function dupNote(values: unknown[]): string[] {
  return new Set(values).size < values.length ? ['= ANY matches each key once: keys the loop repeated return their rows once'] : [];
}

/** An UPDATE or DELETE whose only varying part is the key: the key predicate becomes = ANY($k). */
export function keyOnly(draft: BuildInput, ps: Parsed[]): Built {
  const out = empty();
  const first = ps[0]!;
  const key = loopKey(ps, draft.keyColumns);
  if (!key) return out;
  const ast = clone(first.ast) as DeleteStatement | UpdateStatement;
  const any = anyPredicate(key.slot, first);
  withConjunct(ast, key.slot.index, any.expr);
  const done = settle([ast], first, any.param, key.slot.column.name, key.values);
  out.use = done.sqls[0]!;
  out.params.push(...done.params);
  out.binds = done.binds;
  out.names = { key: key.slot.column.name, belongsTo: false };
  // a write's rows are compared as the table's state afterwards, not per key
  if (done.binds !== undefined) out.runnable = [{ sql: out.use, binds: done.binds, covers: ps.map((p) => p.stmt), keyColumn: null, keys: [] }];
  return out;
}


/** The statements of one template of the pattern. */
export function ofTemplate(draft: BuildInput, t: TemplateInfo): Stmt[] {
  return draft.statements.filter((s) => s.t === t);
}
