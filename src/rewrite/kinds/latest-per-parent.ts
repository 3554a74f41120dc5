/** latest-per-parent: DISTINCT ON for LIMIT 1, the row_number() window for top-N. */
import type { OrderByStatement, SelectFromStatement } from 'pgsql-ast-parser';
import { anyPredicate, dupNote, empty, keyedRunnable, loopKey, parsedAll, settle, withConjunct, withKeyColumn } from '../keys.js';
import { clone, valueOf, type EqSlot } from '../statement.js';
import { defineRewrite, type BuildInput, type Built } from '../types.js';

/** latest-per-parent: DISTINCT ON for LIMIT 1, the row_number() window for top-N (and as the other form). */
export function latestPerParent(draft: BuildInput): Built {
  const out = empty();
  const ps = parsedAll(draft.statements);
  if (!ps || ps[0]!.ast.type !== 'select') return out;
  const first = ps[0]!;
  const key = loopKey(ps, draft.keyColumns);
  const src = first.ast as SelectFromStatement;
  if (!key || !src.orderBy?.length || !src.limit?.limit) return out;
  // an ORM's OFFSET 0 (Prisma) changes nothing; a real offset per key has no set-based twin here
  if (src.limit.offset && valueOf(src.limit.offset, first) !== '0') return out;
  const n = Number(valueOf(src.limit.limit, first));
  if (!Number.isInteger(n) || n < 1) return out;
  const base = clone(src);
  const any = anyPredicate(key.slot, first);
  withConjunct(base, key.slot.index, any.expr);
  withKeyColumn(base, key.slot.column);
  delete base.limit;
  const order = base.orderBy!;
  out.notes.push(...dupNote(key.values), `ties on ${order.map((o) => (o.by.type === 'ref' ? o.by.name : 'the sort key')).join(', ')} are broken arbitrarily, as LIMIT did; add a unique column to ORDER BY to make it stable`);

  const distinctOn: SelectFromStatement = { ...clone(base), distinct: [clone(key.slot.column)], orderBy: [{ by: clone(key.slot.column) }, ...clone(order)] };
  const window = windowForm(base, key.slot, n);
  const done = settle(window ? [distinctOn, window] : [distinctOn], first, any.param, key.slot.column.name, key.values);
  out.params.push(...done.params);
  out.binds = done.binds;
  out.summary = summaryFor(order[0]!, n);
  const by = order[0]!.by;
  out.names = { key: key.slot.column.name, belongsTo: false, ...(by.type === 'ref' && by.name !== '*' ? { order: { column: by.name, desc: order[0]!.order === 'DESC' } } : {}) };
  if (n === 1) {
    out.use = done.sqls[0]!;
    out.runnable = keyedRunnable(out.use, done.binds, ps, key);
    if (window) out.alternatives.push({ label: 'window function', sql: done.sqls[1]!, runnable: keyedRunnable(done.sqls[1]!, done.binds, ps, key) });
  } else {
    out.use = window ? done.sqls[1]! : null;
    if (out.use) out.runnable = keyedRunnable(out.use, done.binds, ps, key);
    out.notes.push(`LIMIT ${n} per key: DISTINCT ON keeps only one row, so the window form is used`);
  }
  return out;
}

/** "newest" only when the loop sorted a time column DESC; otherwise what the ORDER BY really picks. */
function summaryFor(o: OrderByStatement, n: number): string {
  const col = o.by.type === 'ref' ? o.by.name : null;
  const desc = o.order === 'DESC';
  const timeLike = col !== null && /(_at|_on|date|time|stamp)$/i.test(col);
  const which = timeLike ? (desc ? 'newest' : 'oldest') : col ? `${desc ? 'highest' : 'lowest'} ${col}` : desc ? 'last' : 'first';
  const rows = n === 1 ? `the ${which} row` : `the ${n} ${which} rows`;
  return `Fetch ${rows}${timeLike ? ` (by ${col})` : ''} of every parent in one ${n === 1 ? 'DISTINCT ON' : 'row_number() window'} query`;
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

export default defineRewrite('latest-per-parent', {
  summary: 'Fetch the newest row of every parent in one DISTINCT ON query',
  keyColumns: (d) => d.keyColumns,
  build: latestPerParent,
  advice: {
    sqlalchemy: 'select(T).where(T.{k}.in_(keys)).distinct(T.{k}).order_by(T.{k}, T.{o}.{dir}()) (PostgreSQL DISTINCT ON), or a row_number() over(partition_by=…) subquery.',
    django: 'Annotate with a subquery: .annotate(first=Subquery(Child.objects.filter({k}=OuterRef("pk")).order_by("{-o}").values("id")[:1])), or Child.objects.filter({k}__in=ids).order_by("{k}", "{-o}").distinct("{k}").',
    rails: 'Child.where({k}: ids).select("DISTINCT ON ({k}) *").order(:{k}, {o}: :{dir}), or a has_one association with that order as its scope, preloaded.',
    hibernate: 'A native query with DISTINCT ON, or JPQL with a window function (Hibernate 6): row_number() over (partition by {k} order by {o} {dir}).',
    prisma: 'findMany({ where: { {k}: { in: ids } }, distinct: ["{k}"], orderBy: [{ {k}: "asc" }, { {o}: "{dir}" }] }), or include the relation with take: 1 and relationLoadStrategy: "join".',
    sequelize: 'A literal DISTINCT ON query via sequelize.query, or include with separate: true, limit: 1 and order.',
    typeorm: 'A query builder with .distinctOn(["c.{k}"]).orderBy("c.{k}").addOrderBy("c.{o}", "{DIR}").',
    gorm: 'db.Raw with DISTINCT ON, or Preload with a custom func(db *gorm.DB) *gorm.DB ordering and a window function.',
  },
});
