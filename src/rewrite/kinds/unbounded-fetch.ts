/** unbounded-fetch: keyset pagination on the sort key(s), or on id. */
import type { Expr, ExprParameter, SelectFromStatement } from 'pgsql-ast-parser';
import { empty } from '../keys.js';
import { statement } from '../printer.js';
import { andAll, clone, conjuncts, parseStmt } from '../statement.js';
import { defineRewrite, type BuildInput, type Built } from '../types.js';

/** unbounded-fetch: keyset pagination on the sort key(s) (or id): `WHERE key > $n ORDER BY key LIMIT $m`. */
export function unboundedFetch(draft: BuildInput): Built {
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

export default defineRewrite('unbounded-fetch', {
  summary: 'Paginate, aggregate in SQL, or add a selective predicate',
  build: unboundedFetch,
  advice: {
    sqlalchemy: 'Page with .where(T.id > last_id).order_by(T.id).limit(n), or stream with .yield_per(n); aggregate with func.* instead of loading rows.',
    django: 'Paginate (keyset: .filter(id__gt=last).order_by("id")[:n]), iterate with .iterator(chunk_size=…), or aggregate() in SQL.',
    rails: 'find_each / in_batches (keyset by id) instead of .all.each; pluck or aggregate in SQL.',
    hibernate: 'Page with setMaxResults / Pageable (keyset: where id > :last order by id), or stream with ScrollableResults; never page a JOIN FETCH collection (HHH90003004).',
    prisma: 'Paginate with take plus cursor: { id } (keyset), or aggregate with _count / _sum.',
    sequelize: 'Paginate with limit + where: { id: { [Op.gt]: last } } ordered by id, or aggregate in SQL.',
    typeorm: 'Paginate with take/skip or keyset (where id > last, order id, take n); stream() for exports.',
    gorm: 'FindInBatches(&rows, 1000, fn), or Limit + Where("id > ?", last) keyset pages.',
  },
});
