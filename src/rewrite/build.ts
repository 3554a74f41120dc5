/** Per-kind set-based rewrites, built from the loop's own statements (their ASTs) and printed back as SQL. */
import type { Expr, ExprParameter, From, InsertStatement, SelectedColumn, SelectFromStatement, Statement, UpdateStatement, DeleteStatement } from 'pgsql-ast-parser';
import { astLib } from './ast-lib.js';
import { arrayLiteral, ident } from '../sql/index.js';
import type { Draft } from '../detect/types.js';
import type { Stmt, TemplateInfo } from '../sessions/types.js';
import { statement } from './printer.js';
import {
  andAll,
  bindAll,
  clone,
  conjuncts,
  eqSlots,
  isValue,
  literal,
  paramOf,
  parseStmt,
  qualify,
  renumber,
  valueOf,
  type EqSlot,
  type Parsed,
} from './statement.js';

/** A rewrite before the grammar check: the main statement, other forms, and what the reader must know. */
export interface Built {
  use: string | null;
  /** Other forms, each with how to bind its own parameters. */
  alternatives: { label: string; sql: string; params?: string[]; binds?: Binds }[];
  /** Values for `use`'s parameters from the log (`$n` → value or array), so a tool can run the rewrite beside the loop. */
  binds?: Binds;
  /** How to bind the new parameters ("$1 = the 12 order_id values: {…}"). */
  params: string[];
  notes: string[];
}

/** `$n` (1-based index n-1) → the value to bind: a scalar, or an array for `= ANY($n)` / unnest(). */
export type Binds = (string | null | (string | null)[])[];

/** Rows of real values shown in multi-row rewrites; the rest are described, not printed. */
export const SHOWN_ROWS = 5;
/** Keys quoted in a parameter description. */
const SHOWN_KEYS = 10;

const AGGREGATES = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'array_agg', 'string_agg', 'json_agg', 'jsonb_agg',
  'json_object_agg', 'jsonb_object_agg', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'bit_and', 'bit_or',
]);

function empty(): Built {
  return { use: null, alternatives: [], params: [], notes: [] };
}

/**
 * The loop's statements as ASTs, all of one shape. One template can hold several shapes (the normalizer
 * folds `IN ($2)` and `IN ($2, …, $16)` together, and an ORM may batch some rows already): the rewrite is
 * built from the shape most statements have, the first statement's on a tie.
 */
function parsedAll(stmts: Stmt[]): Parsed[] | null {
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

const skeletons = new WeakMap<Parsed, string>();
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
  let k = skeletons.get(p);
  if (k === undefined) {
    try {
      k = statement(toSlot().statement(clone(p.ast))!);
    } catch {
      k = p.stmt.sql;
    }
    skeletons.set(p, k);
  }
  return k;
}

function whereOf(s: Statement): Expr | null | undefined {
  return s.type === 'select' || s.type === 'update' || s.type === 'delete' ? s.where : null;
}

/** The equality slot whose value changes from statement to statement: the loop key. */
interface LoopKey {
  slot: EqSlot;
  values: (string | null | undefined)[];
  /** Other equality slots that vary too (a loop over pairs, or a varying condition). */
  others: { slot: EqSlot; values: (string | null | undefined)[] }[];
}

function loopKey(ps: Parsed[], hint: unknown): LoopKey | null {
  const slots = eqSlots(whereOf(ps[0]!.ast));
  const varying: { slot: EqSlot; values: (string | null | undefined)[] }[] = [];
  for (const slot of slots) {
    const values = ps.map((p) => {
      const s = eqSlots(whereOf(p.ast)).find((x) => x.index === slot.index);
      return s ? valueOf(s.value, p) : undefined;
    });
    if (new Set(values).size > 1) varying.push({ slot, values });
  }
  const hints = Array.isArray(hint) ? hint.map(String) : [];
  if (varying.length === 0) {
    // the log printed `?` without the values (Hibernate without its bind logger): trust the detector's key column
    const blind = slots.filter((slot) => paramOf(slot.value) !== null && ps.every((p) => p.param(+paramOf(slot.value)!.name.slice(1)) === undefined));
    const pick = blind.find((b) => hints.includes(b.column.name)) ?? (blind.length === 1 && ps.length > 1 ? blind[0] : undefined);
    return pick ? { slot: pick, values: ps.map(() => undefined), others: [] } : null;
  }
  const keyLike = (c: string) => c === 'id' || c.endsWith('_id') || c.endsWith('id');
  const pick =
    varying.find((v) => hints.includes(v.slot.column.name) && keyLike(v.slot.column.name)) ??
    varying.find((v) => hints.includes(v.slot.column.name)) ??
    varying.find((v) => keyLike(v.slot.column.name)) ??
    varying[0]!;
  return { slot: pick.slot, values: pick.values, others: varying.filter((v) => v !== pick) };
}

/** `col = x` → `col = ANY($k)`, keeping a cast as an array cast; returns the parameter number used. */
function anyPredicate(slot: EqSlot, p: Parsed): { expr: Expr; param: number } {
  const existing = paramOf(slot.value);
  const param = existing ? +existing.name.slice(1) : p.maxParam + 1;
  let arg: Expr = { type: 'parameter', name: '$' + param };
  if (slot.value.type === 'cast') arg = { type: 'cast', operand: arg, to: { kind: 'array', arrayOf: slot.value.to } };
  const any: Expr = { type: 'call', function: { name: 'any' }, args: [arg] };
  return { expr: { type: 'binary', op: '=', left: clone(slot.column), right: any }, param };
}

function withConjunct<T extends { where?: Expr | null }>(s: T, index: number, replacement: Expr | null): T {
  const parts = conjuncts(s.where);
  if (replacement) parts[index] = replacement;
  else parts.splice(index, 1);
  s.where = andAll(parts);
  return s;
}

function describeKeys(param: number, column: string, values: (string | null | undefined)[]): string {
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
function settle(asts: Statement[], p: Parsed, keyParam: number, column: string, values: (string | null | undefined)[]): { sqls: string[]; params: string[]; binds: Binds | undefined } {
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

function dupNote(values: unknown[]): string[] {
  return new Set(values).size < values.length ? ['= ANY matches each key once: keys the loop repeated return their rows once'] : [];
}

// ---------------------------------------------------------------------------------------------
// SELECT loops

/** n-plus-one: the child query over every key at once, and the JOIN with the parent when it is known. */
export function nPlusOne(draft: Draft): Built {
  const out = empty();
  const ps = parsedAll(draft.statements);
  if (!ps || ps[0]!.ast.type !== 'select') return out;
  const first = ps[0]!;
  const key = loopKey(ps, draft.details['keyColumns']);
  if (!key) return out;
  const ast = clone(first.ast) as SelectFromStatement;
  const any = anyPredicate(key.slot, first);
  withConjunct(ast, key.slot.index, any.expr);
  if (ast.limit) {
    // the loop's LIMIT applied per key (Django's LIMIT 21 on .get()): over all keys it would cut rows off;
    // Prisma's OFFSET 0 changes nothing
    const off = ast.limit.offset ? valueOf(ast.limit.offset, first) : '0';
    if (ast.limit.limit) out.notes.push(`LIMIT dropped: it applied to each key's query, not to all keys together`);
    else if (off !== '0') out.notes.push(`OFFSET dropped: it applied to each key's query, not to all keys together`);
    delete ast.limit;
  }
  const done = settle([ast], first, any.param, key.slot.column.name, key.values);
  out.use = done.sqls[0]!;
  out.params.push(...done.params);
  out.binds = done.binds;
  out.notes.push(...dupNote(key.values));
  if (key.others.length) out.notes.push(`${key.others.map((o) => o.slot.column.name).join(', ')} also changed between statements; filter those in the application or add them to the key`);
  if (draft.parent) {
    const join = joinWithParent(draft.parent, first, key);
    if (join) out.alternatives.push({ label: 'JOIN with the parent query', sql: join });
  }
  return out;
}

/** The parent's column that supplies the child's key: `orders.id` for `order_items.order_id`, `cart_items.product_id` for `products.id`. */
function parentColumn(parent: SelectFromStatement, childTable: string, childKey: string): string | null {
  const names = new Set<string>();
  let star = false;
  for (const c of parent.columns ?? []) {
    if (c.expr.type === 'ref') {
      if (c.expr.name === '*') star = true;
      else names.add(c.alias?.name ?? c.expr.name);
    } else if (c.alias) names.add(c.alias.name);
  }
  const parentTable = parent.from?.[0]?.type === 'table' ? parent.from[0].name.name : null;
  const candidates: string[] = [];
  if (childKey === 'id') {
    const t = childTable.toLowerCase();
    for (const stem of [t.replace(/ies$/, 'y'), t.replace(/es$/, ''), t.replace(/s$/, ''), t]) candidates.push(stem + '_id');
  } else if (parentTable && childKey.endsWith('_id')) {
    const stem = childKey.slice(0, -3);
    const pt = parentTable.toLowerCase();
    if (pt === stem || pt === stem + 's' || pt === stem + 'es' || pt === stem.replace(/y$/, 'ies')) candidates.push('id');
  }
  candidates.push(childKey);
  for (const c of candidates) if (names.has(c)) return c;
  return star && candidates.length > 1 ? candidates[0]! : null;
}

function joinWithParent(parentStmt: Stmt, child: Parsed, key: LoopKey): string | null {
  const parent = parseStmt(parentStmt);
  if (!parent || parent.ast.type !== 'select' || child.ast.type !== 'select') return null;
  const c = child.ast;
  if (c.from?.length !== 1 || c.from[0]!.type !== 'table' || c.from[0]!.join) return null;
  const childTable = c.from[0]!.name;
  const pc = parentColumn(parent.ast, childTable.name, key.slot.column.name);
  if (pc === null) return null;
  const names = new Set([childTable.name, ...(childTable.alias ? [childTable.alias] : [])]);
  // the parent keeps $1…$m; the child's other parameters follow them
  const shifted = renumber(c, (n) => n + parent.maxParam);
  const rest = conjuncts(shifted.where).filter((_, i) => i !== key.slot.index);
  const on: Expr = {
    type: 'binary',
    op: '=',
    left: { type: 'ref', table: { name: 'c' }, name: key.slot.column.name },
    right: { type: 'ref', table: { name: 'p' }, name: pc },
  };
  const joined: SelectFromStatement = {
    type: 'select',
    columns: (shifted.columns ?? [{ expr: { type: 'ref', name: '*' } }]).map((col) => ({ ...col, expr: qualify(col.expr, 'c', names) })),
    from: [
      { type: 'statement', statement: renumber(parent.ast, (n) => n), alias: 'p' },
      { type: 'table', name: { name: childTable.name, schema: childTable.schema, alias: 'c' }, join: { type: 'INNER JOIN', on } },
    ],
    where: andAll(rest.map((e) => qualify(e, 'c', names))),
    orderBy: shifted.orderBy?.map((o) => ({ ...o, by: qualify(o.by, 'c', names) })) ?? null,
  };
  return statement(joined);
}

/** aggregate-loop: one GROUP BY over the key, with FILTER (WHERE …) for a condition the loop varied. */
export function aggregateLoop(draft: Draft): Built {
  const out = empty();
  const ps = parsedAll(draft.statements);
  if (!ps || ps[0]!.ast.type !== 'select') return out;
  const first = ps[0]!;
  const key = loopKey(ps, draft.details['keyColumns']);
  if (!key) return aggregateOverSubquery(ps, draft.details['keyColumns']);
  const ast = clone(first.ast) as SelectFromStatement;
  const any = anyPredicate(key.slot, first);
  withConjunct(ast, key.slot.index, any.expr);
  const keyRef = clone(key.slot.column);
  // a second condition the loop varied (status = 'paid', then 'shipped'…): one FILTER column per value
  const cond = key.others.find((o) => new Set(o.values).size <= 8 && o.values.every((v) => v !== undefined));
  let columns: SelectedColumn[] = ast.columns ?? [];
  if (cond) {
    const distinct = [...new Set(cond.values as (string | null)[])];
    const where = conjuncts(ast.where).filter((e) => !sameSlot(e, cond.slot));
    ast.where = andAll(where);
    columns = distinct.flatMap((v) =>
      columns.map((col, i) => ({
        expr: withFilter(col.expr, {
          type: 'binary',
          op: '=',
          left: clone(cond.slot.column),
          right: v === null ? { type: 'null' } : literal(v),
        }),
        alias: { name: `${col.alias?.name ?? (col.expr.type === 'call' ? col.expr.function.name : `col${i + 1}`)}_${slug(v)}` },
      })),
    );
    out.notes.push(`one FILTER column per ${cond.slot.column.name} value the loop asked for`);
  }
  ast.columns = [{ expr: keyRef }, ...columns];
  ast.groupBy = [clone(key.slot.column)];
  delete ast.orderBy;
  delete ast.limit;
  const done = settle([ast], first, any.param, key.slot.column.name, key.values);
  out.use = done.sqls[0]!;
  out.params.push(...done.params);
  out.binds = done.binds;
  out.notes.push(`keys with no rows are absent from the result (the loop got count 0 / NULL for them)`);
  return out;
}

/**
 * Prisma counts through a sub-select: `SELECT COUNT(*) FROM (SELECT id FROM "Review" WHERE "bookId" = $1
 * OFFSET $2) AS sub`. The key moves into the sub-select's list, = ANY goes inside, GROUP BY outside.
 */
function aggregateOverSubquery(ps: Parsed[], hint: unknown): Built {
  const out = empty();
  const outer = ps[0]!.ast as SelectFromStatement;
  const from = outer.from?.[0];
  if (outer.where || outer.from?.length !== 1 || from?.type !== 'statement' || from.join || from.statement.type !== 'select') return out;
  const inners = ps.map((p) => ({ ...p, ast: (p.ast as SelectFromStatement & { from: [{ statement: Statement }] }).from[0].statement }));
  const key = loopKey(inners, hint);
  const src = from.statement;
  if (!key || src.limit?.limit || src.groupBy?.length || src.distinct) return out;
  // a per-key OFFSET other than 0 pages each key: no single query does that (unknown values: assume 0, and say so)
  const offset = src.limit?.offset ? valueOf(src.limit.offset, ps[0]!) : '0';
  if (offset !== '0' && offset !== undefined) return out;
  if (offset === undefined) out.notes.push('the log did not record the OFFSET value: this assumes 0, as ORMs send for a plain count');
  const inner = clone(src);
  delete inner.limit;
  const any = anyPredicate(key.slot, ps[0]!);
  withConjunct(inner, key.slot.index, any.expr);
  const name = key.slot.column.name;
  const listed = (inner.columns ?? []).some((c) => (c.alias?.name ?? (c.expr.type === 'ref' ? c.expr.name : null)) === name);
  if (!listed) inner.columns = [...(inner.columns ?? []), { expr: clone(key.slot.column) }];
  const keyRef: Expr = { type: 'ref', table: { name: from.alias }, name };
  const ast: SelectFromStatement = {
    ...clone(outer),
    columns: [{ expr: keyRef }, ...(outer.columns ?? [])],
    from: [{ ...clone(from), statement: inner }],
    groupBy: [clone(keyRef)],
  };
  delete ast.orderBy;
  delete ast.limit;
  const done = settle([ast], ps[0]!, any.param, name, key.values);
  out.use = done.sqls[0]!;
  out.params.push(...done.params);
  out.binds = done.binds;
  out.notes.push(`keys with no rows are absent from the result (the loop got count 0 for them)`);
  return out;
}

/**
 * Several aggregate loops over the same table and key whose WHERE differ only by extra predicates
 * (`count(*) WHERE fk = $1` and `count(*) WHERE fk = $1 AND status = 'paid'`): one GROUP BY, with each
 * extra predicate as the aggregate's FILTER (WHERE …).
 */
export function mergeAggregates(groups: Stmt[][]): Built {
  const out = empty();
  const parsed = groups.map(parsedAll);
  if (parsed.some((p) => p === null)) return out;
  const ps = parsed as Parsed[][];
  const heads = ps.map((g) => g[0]!.ast);
  if (heads.some((h) => h.type !== 'select' || h.from?.length !== 1 || h.from[0]!.type !== 'table' || h.from[0]!.join || h.groupBy?.length)) return out;
  const sels = heads as SelectFromStatement[];
  const table = (s: SelectFromStatement) => statement({ type: 'select', columns: [{ expr: { type: 'integer', value: 1 } }], from: s.from });
  if (new Set(sels.map(table)).size !== 1) return out;
  const keys = ps.map((g) => loopKey(g, []));
  if (keys.some((k) => k === null) || new Set(keys.map((k) => k!.slot.column.name)).size !== 1) return out;
  // each member's WHERE without its key, with its constant values bound
  const rests = ps.map((g, i) => {
    const bound = bindAll(g[0]!.ast, g[0]!) as SelectFromStatement | null;
    return bound ? conjuncts(bound.where).filter((_, j) => j !== keys[i]!.slot.index) : null;
  });
  if (rests.some((r) => r === null)) return out;
  const printed = rests.map((r) => r!.map((e) => statement({ type: 'select', columns: [{ expr: e }] })));
  const common = printed[0]!.filter((c) => printed.every((p) => p.includes(c)));
  const first = ps[0]![0]!;
  const base = clone(sels[0]!);
  // every other value is bound, so the key array is $1 (a cast on the key stays, as an array cast)
  const slot = keys[0]!.slot;
  const keyless: EqSlot = { ...slot, value: slot.value.type === 'cast' ? { ...slot.value, operand: { type: 'null' } } : { type: 'null' } };
  const any = anyPredicate(keyless, { ...first, maxParam: 0 });
  base.where = andAll([any.expr, ...rests[0]!.filter((_, j) => common.includes(printed[0]![j]!))]);
  const used = new Set<string>();
  const columns: SelectedColumn[] = [{ expr: clone(keys[0]!.slot.column) }];
  sels.forEach((sel, i) => {
    const extra = rests[i]!.filter((_, j) => !common.includes(printed[i]![j]!));
    for (const [c, col] of (sel.columns ?? []).entries()) {
      let name = col.alias?.name ?? (col.expr.type === 'call' ? col.expr.function.name : `col${c + 1}`);
      if (used.has(name)) name = `${name}_${i + 1}`;
      used.add(name);
      const bound = bindAll(col.expr, ps[i]![0]!) ?? col.expr;
      columns.push({ expr: extra.length ? withFilter(bound, andAll(extra)!) : bound, alias: { name } });
    }
  });
  base.columns = columns;
  base.groupBy = [clone(keys[0]!.slot.column)];
  delete base.orderBy;
  delete base.limit;
  out.use = statement(base);
  const allKeys = ps.flatMap((g, i) => keys[i]!.values);
  out.params.push(describeKeys(1, keys[0]!.slot.column.name, allKeys));
  out.binds = [[...new Set(allKeys.filter((v): v is string | null => v !== undefined))]];
  out.notes.push(`the ${groups.length} aggregate queries become one, each extra condition a FILTER (WHERE …)`, 'keys with no rows are absent from the result');
  return out;
}

function sameSlot(e: Expr, slot: EqSlot): boolean {
  return e.type === 'binary' && e.op === '=' && ((e.left.type === 'ref' && e.left.name === slot.column.name) || (e.right.type === 'ref' && e.right.name === slot.column.name));
}

function slug(v: string | null): string {
  const s = (v ?? 'null').toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
  return s.slice(0, 30) || 'value';
}

/** Attach `FILTER (WHERE cond)` to every aggregate call inside a select-list expression. */
function withFilter(e: Expr, cond: Expr): Expr {
  const x = clone(e);
  const visit = (n: Expr): Expr => {
    if (n.type === 'call') {
      const args = n.args.map(visit);
      if (AGGREGATES.has(n.function.name.toLowerCase()) && !n.over) {
        return { ...n, args, filter: n.filter ? { type: 'binary', op: 'AND', left: n.filter, right: clone(cond) } : clone(cond) };
      }
      return { ...n, args };
    }
    if (n.type === 'binary') return { ...n, left: visit(n.left), right: visit(n.right) };
    if (n.type === 'cast') return { ...n, operand: visit(n.operand) };
    if (n.type === 'unary') return { ...n, operand: visit(n.operand) };
    return n;
  };
  return visit(x);
}

/** latest-per-parent: DISTINCT ON for LIMIT 1, the row_number() window for top-N (and as the other form). */
export function latestPerParent(draft: Draft): Built {
  const out = empty();
  const ps = parsedAll(draft.statements);
  if (!ps || ps[0]!.ast.type !== 'select') return out;
  const first = ps[0]!;
  const key = loopKey(ps, draft.details['keyColumns']);
  const src = first.ast as SelectFromStatement;
  if (!key || !src.orderBy?.length || !src.limit?.limit) return out;
  // an ORM's OFFSET 0 (Prisma) changes nothing; a real offset per key has no set-based twin here
  if (src.limit.offset && valueOf(src.limit.offset, first) !== '0') return out;
  const n = Number(valueOf(src.limit.limit, first));
  if (!Number.isInteger(n) || n < 1) return out;
  const base = clone(src);
  const any = anyPredicate(key.slot, first);
  withConjunct(base, key.slot.index, any.expr);
  delete base.limit;
  const order = base.orderBy!;
  out.notes.push(...dupNote(key.values), `ties on ${order.map((o) => (o.by.type === 'ref' ? o.by.name : 'the sort key')).join(', ')} are broken arbitrarily, as LIMIT did; add a unique column to ORDER BY to make it stable`);

  const distinctOn: SelectFromStatement = { ...clone(base), distinct: [clone(key.slot.column)], orderBy: [{ by: clone(key.slot.column) }, ...clone(order)] };
  const window = windowForm(base, key.slot, n);
  const done = settle(window ? [distinctOn, window] : [distinctOn], first, any.param, key.slot.column.name, key.values);
  out.params.push(...done.params);
  out.binds = done.binds;
  if (n === 1) {
    out.use = done.sqls[0]!;
    if (window) out.alternatives.push({ label: 'window function', sql: done.sqls[1]! });
  } else {
    out.use = window ? done.sqls[1]! : null;
    out.notes.push(`LIMIT ${n} per key: DISTINCT ON keeps only one row, so the window form is used`);
  }
  return out;
}

function windowForm(base: SelectFromStatement, slot: EqSlot, n: number): SelectFromStatement | null {
  const names: string[] = [];
  for (const c of base.columns ?? []) {
    const name = c.alias?.name ?? (c.expr.type === 'ref' && c.expr.name !== '*' ? c.expr.name : null);
    if (name === null || names.includes(name) || name === 'rn') return null;
    names.push(name);
  }
  if (names.length === 0) return null;
  const inner: SelectFromStatement = clone(base);
  delete inner.orderBy;
  inner.columns = [
    ...(base.columns ?? []),
    {
      expr: { type: 'call', function: { name: 'row_number' }, args: [], over: { partitionBy: [clone(slot.column)], orderBy: clone(base.orderBy!) } },
      alias: { name: 'rn' },
    },
  ];
  const outer: SelectFromStatement = {
    type: 'select',
    columns: names.map((name) => ({ expr: { type: 'ref', name } })),
    from: [{ type: 'statement', statement: inner, alias: 'ranked' }],
    where: { type: 'binary', op: '<=', left: { type: 'ref', name: 'rn' }, right: { type: 'integer', value: n } },
  };
  return outer;
}

// ---------------------------------------------------------------------------------------------
// writes

type Scalar = string | null;

/** The literal for a value in a VALUES list outside INSERT, where PostgreSQL cannot take the type from a target column. */
function typedLiteral(v: Scalar): Expr {
  const e = literal(v);
  if (v === null || e.type !== 'string') return e;
  const t = guessType(v);
  return t && t !== 'text' ? { type: 'cast', operand: e, to: { name: t } } : e;
}

function guessType(v: string): string | null {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return 'uuid';
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s?([+-]\d{2}(:?\d{2})?|Z)$/.test(v)) return 'timestamptz';
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v)) return 'timestamp';
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return 'date';
  if (v === 'true' || v === 'false') return 'boolean';
  return 'text';
}

/** The array type for an unnest() column, from every value the loop bound to it. */
function arrayType(values: Scalar[]): string {
  const vs = values.filter((v): v is string => v !== null);
  if (vs.length && vs.every((v) => /^-?\d{1,18}$/.test(v))) return 'bigint[]';
  if (vs.length && vs.every((v) => /^-?\d+(\.\d+)?$/.test(v))) return 'numeric[]';
  const types = new Set(vs.map(guessType));
  return (types.size === 1 ? [...types][0]! : 'text') + '[]';
}

function singleRowInsert(p: Parsed): InsertStatement | null {
  const a = p.ast;
  if (a.type !== 'insert' || a.insert.type !== 'values' || a.insert.values.length !== 1) return null;
  return a;
}

/** per-row-insert: the real rows as one multi-row VALUES, the unnest() form, and COPY. */
export function perRowInsert(draft: Draft, stmts: Stmt[] = draft.statements): Built {
  const out = empty();
  const ps = parsedAll(stmts);
  if (!ps) return out;
  const inserts = ps.map(singleRowInsert);
  if (inserts.some((x) => x === null)) return out;
  const first = inserts[0]!;
  const shown = ps.slice(0, SHOWN_ROWS);
  const rows: Expr[][] = [];
  let bound = true;
  for (const p of shown) {
    const row = (p.ast as InsertStatement).insert;
    const b = bindAll(row, p);
    if (!b || b.type !== 'values') {
      bound = false;
      break;
    }
    rows.push(b.values[0]!);
  }
  const multi = clone(first);
  if (bound) {
    multi.insert = { type: 'values', values: rows };
  } else {
    // values not in the log: number each row's parameters on from the previous row's
    const width = ps[0]!.maxParam;
    multi.insert = {
      type: 'values',
      values: shown.map((p, r) => (renumber(p.ast as InsertStatement, (n) => n + r * width).insert as { values: Expr[][] }).values[0]!),
    };
  }
  const rest = ps.length - shown.length;
  out.use = statement(multi) + (rest > 0 ? ` /* … ${rest} more rows like these (${ps.length} in all) */` : '');
  if (!bound) out.params.push(`each row's parameters as the loop bound them`);
  const cols = first.columns?.map((c) => c.name) ?? null;
  const unnest = unnestInsert(first, ps);
  if (unnest) out.alternatives.push({ label: 'one statement for any number of rows (arrays)', sql: unnest.sql, params: unnest.params, binds: unnest.binds });
  out.notes.push(`for large loads: COPY ${first.into.name}${cols ? ` (${cols.join(', ')})` : ''} FROM STDIN (FORMAT csv)`);
  return out;
}

function unnestInsert(first: InsertStatement, ps: Parsed[]): { sql: string; params: string[]; binds: Binds } | null {
  const row = (first.insert as { values: Expr[][] }).values[0]!;
  if (!first.columns || !row.every(isValue)) return null;
  const cols: Scalar[][] = row.map((_, i) =>
    ps.map((p) => {
      const v = valueOf(((p.ast as InsertStatement).insert as { values: Expr[][] }).values[0]![i]!, p);
      return v === undefined ? null : v;
    }),
  );
  if (ps.some((p) => row.some((e, i) => valueOf(((p.ast as InsertStatement).insert as { values: Expr[][] }).values[0]![i]!, p) === undefined && e.type === 'parameter'))) return null;
  const args: Expr[] = cols.map((vals, i) => ({ type: 'cast', operand: { type: 'parameter', name: '$' + (i + 1) }, to: typeDef(arrayType(vals)) }));
  const ins = clone(first);
  ins.insert = { type: 'select', columns: [{ expr: { type: 'ref', name: '*' } }], from: [{ type: 'call', function: { name: 'unnest' }, args, alias: { name: 'v' } } as From] };
  const params = first.columns.map((c, i) => `$${i + 1} = the ${ps.length} ${c.name} values`);
  return { sql: statement(ins), params, binds: cols };
}

function typeDef(t: string): { kind: 'array'; arrayOf: { name: string } } {
  return { kind: 'array', arrayOf: { name: t.replace(/\[\]$/, '') } };
}

/** per-row-update: UPDATE … FROM (VALUES …) AS v(key, col…) with the real values, joined on the key. */
export function perRowUpdate(draft: Draft, stmts: Stmt[] = draft.statements): Built {
  const out = empty();
  const ps = parsedAll(stmts);
  if (!ps || ps.some((p) => p.ast.type !== 'update')) return out;
  const first = ps[0]!.ast as UpdateStatement;
  if (first.from) return out;
  const target = first.table.alias ?? first.table.name;
  const self = new Set([first.table.name]);
  // varying parts: key equalities in WHERE and SET values; everything constant is bound to its literal
  const wslots = eqSlots(first.where);
  const varyingW = wslots.filter((s) => new Set(ps.map((p) => valueAt(p, 'where', s.index))).size > 1);
  const varyingS = first.sets.map((s, i) => ({ s, i })).filter(({ s, i }) => isValue(s.value) && new Set(ps.map((p) => valueAt(p, 'set', i))).size > 1);
  // the log named placeholders but not their values (Sequelize without logQueryParameters): rows of parameters
  if (varyingW.length === 0 && wslots.length > 0 && ps.every((p) => wslots.every((w) => valueAt(p, 'where', w.index) === undefined))) {
    return updateFromParameterRows(first, ps.length, wslots, target, self, out);
  }
  if (varyingW.length === 0) return out;
  // only the key changes (SET status = 'shipped' WHERE id = $1): one UPDATE … WHERE id = ANY($1)
  if (varyingS.length === 0 && varyingW.length === 1 && first.sets.every((s) => !paramVaries(ps, s.value))) return keyOnly(draft, ps);
  if (ps.some((p) => [...varyingW.map((w) => valueAt(p, 'where', w.index)), ...varyingS.map((x) => valueAt(p, 'set', x.i))].includes(undefined))) return out;
  const vcols = [...varyingW.map((w) => w.column.name), ...varyingS.map((x) => x.s.column.name)];
  if (new Set(vcols).size !== vcols.length) return out;
  const shown = ps.slice(0, SHOWN_ROWS);
  const rows: Expr[][] = shown.map((p, r) =>
    [...varyingW.map((w) => valueAt(p, 'where', w.index)), ...varyingS.map((x) => valueAt(p, 'set', x.i))].map((v) => (r === 0 ? typedLiteral(v as Scalar) : literal(v as Scalar))),
  );
  const bound = bindAll(first, ps[0]!);
  const base = (bound ?? clone(first)) as UpdateStatement;
  const vref = (name: string): Expr => ({ type: 'ref', table: { name: 'v' }, name });
  const upd: UpdateStatement = {
    type: 'update',
    table: clone(first.table),
    sets: base.sets.map((s, i) => ({ column: s.column, value: varyingS.some((x) => x.i === i) ? vref(s.column.name) : qualify(s.value, target, self) })),
    from: { type: 'statement', statement: { type: 'values', values: rows }, alias: 'v', columnNames: vcols.map((name) => ({ name })) },
    where: andAll(
      conjuncts(base.where).map((e, i) => {
        const w = varyingW.find((x) => x.index === i);
        return w ? { type: 'binary', op: '=', left: { type: 'ref', table: { name: target }, name: w.column.name }, right: vref(w.column.name) } : qualify(e, target, self);
      }),
    ),
    returning: base.returning ? base.returning.map((c) => ({ ...c, expr: qualify(c.expr, target, self) })) : null,
  };
  const rest = ps.length - shown.length;
  out.use = statement(upd) + (rest > 0 ? ` /* … ${rest} more rows in VALUES (${ps.length} in all) */` : '');
  if (!bound) out.params.push(`the other parameters as the loop bound them`);
  // the same with arrays, for any number of rows
  const arrays: Scalar[][] = vcols.map((_, c) =>
    ps.map((p) => (c < varyingW.length ? valueAt(p, 'where', varyingW[c]!.index) : valueAt(p, 'set', varyingS[c - varyingW.length]!.i)) as Scalar),
  );
  const viaArrays: UpdateStatement = {
    ...clone(upd),
    from: {
      type: 'call',
      function: { name: 'unnest' },
      args: arrays.map((vals, i) => ({ type: 'cast', operand: { type: 'parameter', name: '$' + (i + 1) }, to: typeDef(arrayType(vals)) })),
      alias: { name: 'v', columns: vcols.map((name) => ({ name })) },
    } as From,
  };
  if (bound) {
    out.alternatives.push({
      label: 'one statement for any number of rows (arrays)',
      sql: statement(viaArrays),
      params: vcols.map((c, i) => `$${i + 1} = the ${ps.length} ${c} values`),
      binds: arrays,
    });
  }
  return out;
}

/**
 * When the log named placeholders but not their values (Sequelize without logQueryParameters), the rows
 * come as one JSON array typed by the table itself: UPDATE t SET c = v.c FROM
 * jsonb_populate_recordset(NULL::t, $1) AS v WHERE t.id = v.id — no column type needs to be known.
 */
function updateFromParameterRows(first: UpdateStatement, n: number, wslots: ReturnType<typeof eqSlots>, target: string, self: Set<string>, out: Built): Built {
  const sets = first.sets.map((s, i) => ({ s, i })).filter(({ s }) => s.value.type === 'parameter');
  const vcols = [...wslots.map((w) => w.column.name), ...sets.map((x) => x.s.column.name)];
  if (new Set(vcols).size !== vcols.length) return out;
  const vref = (name: string): Expr => ({ type: 'ref', table: { name: 'v' }, name });
  // a type name is printed as written: quote it here as PostgreSQL folds it ("Book" keeps its case)
  const rowType = { name: ident(first.table.name), ...(first.table.schema ? { schema: ident(first.table.schema) } : {}) };
  const upd: UpdateStatement = {
    type: 'update',
    table: clone(first.table),
    sets: first.sets.map((s, i) => ({ column: s.column, value: sets.some((x) => x.i === i) ? vref(s.column.name) : qualify(s.value, target, self) })),
    from: {
      type: 'call',
      function: { name: 'jsonb_populate_recordset' },
      args: [{ type: 'cast', operand: { type: 'null' }, to: rowType }, { type: 'parameter', name: '$1' }],
      alias: { name: 'v' },
    } as From,
    where: andAll(
      conjuncts(first.where).map((e, i) => {
        const w = wslots.find((x) => x.index === i);
        return w ? { type: 'binary', op: '=', left: { type: 'ref', table: { name: target }, name: w.column.name }, right: vref(w.column.name) } : qualify(e, target, self);
      }),
    ),
    returning: first.returning ? first.returning.map((c) => ({ ...c, expr: qualify(c.expr, target, self) })) : null,
  };
  out.use = statement(upd);
  out.params.push(`$1 = a JSON array of the ${n} rows, one object per loop iteration with ${vcols.join(', ')} (the log did not record the values)`);
  return out;
}

function valueAt(p: Parsed, where: 'where' | 'set', index: number): Scalar | undefined {
  const a = p.ast as UpdateStatement;
  if (where === 'set') {
    const s = a.sets[index];
    return s ? valueOf(s.value, p) : undefined;
  }
  const slot = eqSlots(a.where).find((x) => x.index === index);
  return slot ? valueOf(slot.value, p) : undefined;
}

function paramVaries(ps: Parsed[], e: Expr): boolean {
  const p = paramOf(e);
  if (p) return new Set(ps.map((x) => x.param(+p.name.slice(1)))).size > 1;
  return false;
}

/** per-row-delete: one DELETE over every key. */
export function perRowDelete(draft: Draft, stmts: Stmt[] = draft.statements): Built {
  const ps = parsedAll(stmts);
  if (!ps || ps[0]!.ast.type !== 'delete') return empty();
  return keyOnly(draft, ps);
}

/** An UPDATE or DELETE whose only varying part is the key: the key predicate becomes = ANY($k). */
function keyOnly(draft: Draft, ps: Parsed[]): Built {
  const out = empty();
  const first = ps[0]!;
  const key = loopKey(ps, draft.details['keyColumns']);
  if (!key) return out;
  const ast = clone(first.ast) as DeleteStatement | UpdateStatement;
  const any = anyPredicate(key.slot, first);
  withConjunct(ast, key.slot.index, any.expr);
  const done = settle([ast], first, any.param, key.slot.column.name, key.values);
  out.use = done.sqls[0]!;
  out.params.push(...done.params);
  out.binds = done.binds;
  return out;
}

/** select-then-insert: INSERT … ON CONFLICT (key) DO NOTHING over the real rows, or DO UPDATE to get every id back. */
export function selectThenInsert(draft: Draft): Built {
  const out = empty();
  const insT = draft.templates.find((t) => t.verb === 'insert');
  const selT = draft.templates.find((t) => t.verb === 'select');
  if (!insT) return out;
  const inserts = byTemplate(draft, insT);
  const built = perRowInsert(draft, inserts);
  const ps = parsedAll(inserts);
  if (!built.use || !ps) return out;
  const sel = selT ? parseStmt(byTemplate(draft, selT)[0]!) : null;
  const first = ps[0]!.ast as InsertStatement;
  const hint = Array.isArray(draft.details['keyColumns']) ? (draft.details['keyColumns'] as string[]) : [];
  const keys = hint.length ? hint : sel && sel.ast.type === 'select' ? eqSlots(sel.ast.where).map((s) => s.column.name) : [];
  const insCols = first.columns?.map((c) => c.name) ?? [];
  const target = keys.length > 0 && keys.every((k) => insCols.includes(k)) ? keys : null;
  const rows = ps.slice(0, SHOWN_ROWS).map((p) => bindAll((p.ast as InsertStatement).insert, p));
  const upsert = clone(first);
  if (rows.every((r) => r && r.type === 'values')) upsert.insert = { type: 'values', values: rows.map((r) => (r as { values: Expr[][] }).values[0]!) };
  else return out;
  const rest = ps.length - Math.min(ps.length, SHOWN_ROWS);
  const tail = rest > 0 ? ` /* … ${rest} more rows like these (${ps.length} in all) */` : '';
  if (!upsert.onConflict) {
    upsert.onConflict = { ...(target ? { on: { type: 'on expr', exprs: target.map((name) => ({ type: 'ref', name })) } } : {}), do: 'do nothing' };
  }
  out.use = statement(upsert) + tail;
  if (target) {
    const others = insCols.filter((c) => !target.includes(c));
    const col = others[0] ?? target[0]!;
    const doUpdate = clone(upsert);
    doUpdate.onConflict = {
      on: { type: 'on expr', exprs: target.map((name) => ({ type: 'ref', name })) },
      do: { sets: [{ column: { name: col }, value: { type: 'ref', table: { name: 'excluded' }, name: col } }] },
    };
    out.alternatives.push({ label: `DO UPDATE (RETURNING then gives existing rows too)`, sql: statement(doUpdate) + tail });
    out.notes.push(`ON CONFLICT (${target.join(', ')}) needs a unique index or constraint on ${target.join(', ')}`);
  } else {
    out.notes.push(`the lookup columns are not all inserted, so ON CONFLICT takes any unique constraint`);
  }
  out.notes.push(`DO NOTHING … RETURNING returns only the rows it inserted`);
  return out;
}

function byTemplate(draft: Draft, t: TemplateInfo): Stmt[] {
  return draft.statements.filter((s) => s.t === t);
}

/** duplicate-query: the one statement to run once (printed without comments). */
export function duplicateQuery(draft: Draft): Built {
  const out = empty();
  const p = parseStmt(draft.statements[0]!);
  if (!p) return out;
  out.use = statement(p.ast);
  out.notes.push(`run it once per request or job and reuse the result (memoize, or pass it down)`);
  return out;
}

/** unbounded-fetch: keyset pagination on the sort key(s) (or id): `WHERE key > $n ORDER BY key LIMIT $m`. */
export function unboundedFetch(draft: Draft): Built {
  const out = empty();
  const p = parseStmt(draft.statements[0]!);
  if (!p || p.ast.type !== 'select') return out;
  const ast = clone(p.ast);
  if (ast.limit || ast.groupBy?.length || ast.distinct) return out;
  const order = ast.orderBy ?? [];
  // keyset needs plain columns sorted one way (a row comparison cannot mix ASC and DESC)
  if (order.some((o) => o.by.type !== 'ref' || o.nulls) || new Set(order.map((o) => o.order === 'DESC')).size > 1) return out;
  const keys: Expr[] = order.length ? order.map((o) => o.by) : [idRef(ast)];
  const desc = order[0]?.order === 'DESC';
  const after = p.maxParam + 1;
  const params: ExprParameter[] = keys.map((_, i) => ({ type: 'parameter', name: '$' + (after + i) }));
  const seek: Expr =
    keys.length === 1
      ? { type: 'binary', op: desc ? '<' : '>', left: clone(keys[0]!), right: params[0]! }
      : { type: 'binary', op: desc ? '<' : '>', left: { type: 'list', expressions: clone(keys) }, right: { type: 'list', expressions: params } };
  ast.where = andAll([...conjuncts(ast.where), seek]);
  ast.orderBy = keys.map((k) => ({ by: clone(k), ...(desc ? { order: 'DESC' as const } : {}) }));
  const limit = after + keys.length;
  ast.limit = { limit: { type: 'parameter', name: '$' + limit } };
  out.use = statement(ast);
  const names = keys.map((k) => (k.type === 'ref' ? k.name : 'key')).join(', ');
  out.params.push(
    `${params.map((x) => x.name).join(', ')} = the last ${names} of the previous page (for the first page, drop that predicate)`,
    `$${limit} = the page size, e.g. 1000`,
  );
  out.notes.push(`or aggregate in SQL if the rows are only summed or counted`);
  return out;
}

function idRef(s: SelectFromStatement): Expr {
  const t = s.from?.[0];
  const q = t?.type === 'table' ? (t.name.alias ?? null) : null;
  return q ? { type: 'ref', table: { name: q }, name: 'id' } : { type: 'ref', name: 'id' };
}
