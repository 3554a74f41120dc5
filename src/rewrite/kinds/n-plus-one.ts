/** n-plus-one: the child query over every key at once, and the JOIN with the parent when it is known. */
import type { Expr, SelectFromStatement } from 'pgsql-ast-parser';
import { anyPredicate, dupNote, empty, keyedRunnable, loopKey, parsedAll, settle, SHOWN_ROWS, withConjunct, withKeyColumn, type LoopKey } from '../keys.js';
import { statement } from '../printer.js';
import { andAll, bindAll, clone, conjuncts, parseStmt, qualify, renumber, valueOf, type Parsed } from '../statement.js';
import { defineRewrite, type BuildInput, type Built } from '../types.js';

/** n-plus-one: the child query over every key at once, and the JOIN with the parent when it is known. */
export function nPlusOne(draft: BuildInput): Built {
  const out = empty();
  const ps = parsedAll(draft.statements);
  if (!ps || ps[0]!.ast.type !== 'select') return out;
  const first = ps[0]!;
  const key = loopKey(ps, draft.keyColumns);
  if (!key) return out;
  // a loop over pairs (owner and status both change): one statement over the pairs it asked for
  if (key.others.length && [key, ...key.others].every((k) => k.values.every((v) => v !== undefined))) {
    const tuples = byTuples(first, ps, key, out);
    if (tuples) return tuples;
  }
  const ast = clone(first.ast) as SelectFromStatement;
  const any = anyPredicate(key.slot, first);
  withConjunct(ast, key.slot.index, any.expr);
  withKeyColumn(ast, key.slot.column);
  dropLimit(ast, first, out);
  const done = settle([ast], first, any.param, key.slot.column.name, key.values);
  out.use = done.sqls[0]!;
  out.params.push(...done.params);
  out.binds = done.binds;
  out.runnable = keyedRunnable(out.use, done.binds, ps, key);
  out.names = { key: key.slot.column.name.replace(/"/g, ''), belongsTo: key.slot.column.name === 'id' };
  out.notes.push(...dupNote(key.values));
  if (key.others.length) out.notes.push(`${key.others.map((o) => o.slot.column.name).join(', ')} also changed between statements; filter those in the application or add them to the key`);
  const parent = draft.parent ? parseStmt(draft.parent) : null;
  const join = parent ? joinWithParent(parent, first, key) : null;
  if (parent && join) {
    const alt: Built['alternatives'][number] = { label: 'JOIN with the parent query', sql: statement(closeGaps(join)) };
    // to run it: the parent's and the child's logged values written in (two statements' parameters, one text)
    const bp = bindAll(parent.ast, parent);
    const bc = bindAll(first.ast, first);
    const boundJoin = bp && bc ? joinWithParent({ ...parent, ast: bp, maxParam: 0 }, { ...first, ast: bc, maxParam: 0 }, key) : null;
    if (boundJoin && key.values.every((v) => v !== undefined)) {
      alt.runnable = [{ sql: statement(boundJoin), binds: [], covers: ps.map((p) => p.stmt), keyColumn: key.slot.column.name, keys: key.values as (string | null)[], distinctPerKey: true }];
    }
    out.alternatives.push(alt);
  }
  return out;
}

/** The loop's LIMIT applied per key (Django's LIMIT 21 on .get()): over all keys it would cut rows off; Prisma's OFFSET 0 changes nothing. */
function dropLimit(ast: SelectFromStatement, first: Parsed, out: Built): void {
  if (!ast.limit) return;
  const off = ast.limit.offset ? valueOf(ast.limit.offset, first) : '0';
  if (ast.limit.limit) out.notes.push(`LIMIT dropped: it applied to each key's query, not to all keys together`);
  else if (off !== '0') out.notes.push(`OFFSET dropped: it applied to each key's query, not to all keys together`);
  delete ast.limit;
}

/**
 * `WHERE owner_id = $1 AND status = $2` with both changing: `WHERE (owner_id, status) IN (('7', 'paid'), …)`, every
 * pair the loop asked for, each value a quoted literal that takes its column's type (no type to guess), and
 * every key column in the rows. Null when another value of the statement was not logged.
 */
function byTuples(first: Parsed, ps: Parsed[], key: LoopKey, out: Built): Built | null {
  const parts = [key, ...key.others];
  const bound = bindAll(first.ast, first) as SelectFromStatement | null;
  if (!bound) return null;
  const tuples = [...new Map(ps.map((_, i) => parts.map((p) => p.values[i] as string | null)).map((t) => [JSON.stringify(t), t])).values()];
  const literal = (v: string | null): Expr => (v === null ? { type: 'null' } : { type: 'string', value: v });
  const slots = new Set(parts.map((p) => p.slot.index));
  const make = (rows: (string | null)[][]) => {
    const ast = clone(bound);
    const among: Expr = {
      type: 'binary',
      op: 'IN',
      left: { type: 'list', expressions: parts.map((p) => clone(p.slot.column)) },
      right: { type: 'list', expressions: rows.map((t) => ({ type: 'list', expressions: t.map(literal) })) },
    };
    ast.where = andAll([among, ...conjuncts(ast.where).filter((_, i) => !slots.has(i))]);
    for (const p of parts.slice().reverse()) withKeyColumn(ast, p.slot.column);
    dropLimit(ast, first, { ...out, notes: [] });
    return ast;
  };
  const names = parts.map((p) => p.slot.column.name);
  const rest = tuples.length - Math.min(tuples.length, SHOWN_ROWS);
  dropLimit(clone(bound), first, out);
  out.use = statement(make(tuples.slice(0, SHOWN_ROWS))) + (rest > 0 ? ` /* … ${rest} more (${names.join(', ')}) pairs like these (${tuples.length} in all) */` : '');
  out.runnable = [
    {
      sql: statement(make(tuples)),
      binds: [],
      covers: ps.map((p) => p.stmt),
      keyColumn: key.slot.column.name,
      keys: key.values as (string | null)[],
      alsoKeys: key.others.map((o) => ({ column: o.slot.column.name, values: o.values as (string | null)[] })),
    },
  ];
  out.names = { key: key.slot.column.name.replace(/"/g, ''), belongsTo: false };
  out.notes.push(`the loop changed ${names.join(' and ')} together: one query over the ${tuples.length} (${names.join(', ')}) pairs it asked for`);
  if (tuples.length < ps.length) out.notes.push(`pairs the loop asked for more than once return their rows once`);
  return out;
}

/** The statement's parameters renumbered 1…k in order: the child's key parameter, dropped for the ON, leaves no gap. */
function closeGaps(ast: SelectFromStatement): SelectFromStatement {
  const used = [...new Set([...statement(ast).matchAll(/\$(\d+)/g)].map((m) => +m[1]!))].sort((a, b) => a - b);
  const map = new Map(used.map((n, i) => [n, i + 1]));
  return renumber(ast, (n) => map.get(n) ?? n);
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
  // the parent's own id is another table's key, never the child's id (belongs-to through a table named otherwise)
  if (childKey !== 'id') candidates.push(childKey);
  for (const c of candidates) if (names.has(c)) return c;
  return star && candidates.length > 1 ? candidates[0]! : null;
}

function joinWithParent(parent: Parsed, child: Parsed, key: LoopKey): SelectFromStatement | null {
  if (parent.ast.type !== 'select' || child.ast.type !== 'select') return null;
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
    columns: withKeyColumn({ type: 'select', columns: shifted.columns ?? [{ expr: { type: 'ref', name: '*' } }] }, key.slot.column).columns!.map((col) => ({
      ...col,
      expr: qualify(col.expr, 'c', names),
    })),
    from: [
      { type: 'statement', statement: renumber(parent.ast, (n) => n), alias: 'p' },
      { type: 'table', name: { name: childTable.name, schema: childTable.schema, alias: 'c' }, join: { type: 'INNER JOIN', on } },
    ],
    where: andAll(rest.map((e) => qualify(e, 'c', names))),
    orderBy: shifted.orderBy?.map((o) => ({ ...o, by: qualify(o.by, 'c', names) })) ?? null,
  };
  return joined;
}

export default defineRewrite('n-plus-one', {
  summary: 'Load all rows in one query with = ANY($1) over the keys (or a JOIN with the parent query)',
  keyColumns: (d) => d.keyColumns,
  build: nPlusOne,
  advice: {
    sqlalchemy: 'Load the relationship with the parent query: options(selectinload(Parent.{t})) (one extra IN query) or joinedload(...) for many-to-one; set lazy="raise" / raiseload("*") to catch the next one in tests.',
    django: 'Use select_related("{t}") for foreign keys / one-to-one, prefetch_related("{t}") for reverse and many-to-many relations; on Django 6.1+ .fetch_mode(models.FETCH_PEERS) batches lazy loads, and FETCH_RAISE catches them in tests.',
    rails: 'Preload the association: includes(:{t}) (or preload / eager_load); turn on strict_loading (model, association or config.active_record.strict_loading_by_default) so lazy loads raise.',
    hibernate: 'Fetch the association with the query: JOIN FETCH in JPQL, or an @EntityGraph on the repository method; or @BatchSize(size = 100) / hibernate.default_batch_fetch_size so lazy loads go out as IN batches.',
    prisma: 'Load the relation with the parent: include: { {t}: true } (or select), and relationLoadStrategy: "join" (Prisma 5.8+) to get one query; or findMany({ where: { {k}: { in: ids } } }).',
    sequelize: 'Load the association in the parent query: findAll({ include: [{ model: Child }] }) (separate: true for hasMany to get one IN query).',
    typeorm: 'Load the relation in the same query: find({ relations: { {t}: true } }) or createQueryBuilder().leftJoinAndSelect("p.{t}", "c"); avoid lazy relations in loops.',
    gorm: 'Preload the association: db.Preload("{T}").Find(&parents) (one IN query), or db.Joins("{T}") for belongs-to / has-one.',
  },
});
