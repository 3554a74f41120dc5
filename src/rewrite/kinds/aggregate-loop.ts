/** aggregate-loop: one GROUP BY over the key (FILTER for a varied condition); also merges sibling aggregate loops. */
import type { Expr, SelectedColumn, SelectFromStatement, Statement } from 'pgsql-ast-parser';
import type { Stmt } from '../../sessions/types.js';
import { anyPredicate, describeKeys, empty, keyedRunnable, loopKey, parsedAll, settle, withConjunct } from '../keys.js';
import { statement } from '../printer.js';
import { andAll, bindAll, clone, conjuncts, literal, valueOf, type EqSlot, type Parsed } from '../statement.js';
import { defineRewrite, type BuildInput, type Built } from '../types.js';

const AGGREGATES = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'array_agg', 'string_agg', 'json_agg', 'jsonb_agg',
  'json_object_agg', 'jsonb_object_agg', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp', 'bit_and', 'bit_or',
]);

/** aggregate-loop: one GROUP BY over the key, with FILTER (WHERE …) for a condition the loop varied. */
export function aggregateLoop(draft: BuildInput): Built {
  const out = empty();
  const ps = parsedAll(draft.statements);
  if (!ps || ps[0]!.ast.type !== 'select') return out;
  const first = ps[0]!;
  const key = loopKey(ps, draft.keyColumns);
  if (!key) return aggregateOverSubquery(ps, draft.keyColumns);
  const ast = clone(first.ast) as SelectFromStatement;
  const any = anyPredicate(key.slot, first);
  withConjunct(ast, key.slot.index, any.expr);
  const keyRef = clone(key.slot.column);
  // a second condition the loop varied (status = 'paid', then 'shipped'…): one FILTER column per value
  const cond = key.others.find((o) => new Set(o.values).size <= 8 && o.values.every((v) => v !== undefined));
  let columns: SelectedColumn[] = ast.columns ?? [];
  const loopColumns = columns;
  // the FILTER column that holds the loop's i-th column for one condition value
  const aliasOf = (v: string | null, i: number) => {
    const col = loopColumns[i]!;
    return `${col.alias?.name ?? (col.expr.type === 'call' ? col.expr.function.name : `col${i + 1}`)}_${slug(v)}`;
  };
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
        alias: { name: aliasOf(v, i) },
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
  out.runnable = keyedRunnable(out.use, done.binds, ps, key);
  if (cond && out.runnable) {
    // with FILTER columns, a loop statement's values are in the columns of its condition value
    const names = ps.map((_, s) => loopColumns.map((_c, i) => aliasOf(cond.values[s] as string | null, i)));
    const all = [...new Set(cond.values as (string | null)[])].flatMap((v) => loopColumns.map((_c, i) => aliasOf(v, i)));
    if (new Set(all).size === all.length && !all.includes(key.slot.column.name)) out.runnable[0]!.columns = names;
    else {
      out.runnable = undefined;
      out.notRunnable = `two ${cond.slot.column.name} values give the same FILTER column name, so the rows cannot be told apart`;
    }
  }
  out.names = { key: key.slot.column.name, belongsTo: false };
  out.notes.push(`keys with no rows are absent from the result (the loop got count 0 / NULL for them)`);
  return out;
}

/**
 * Prisma counts through a sub-select: `SELECT COUNT(*) FROM (SELECT id FROM "Review" WHERE "bookId" = $1
 * OFFSET $2) AS sub`. The key moves into the sub-select's list, = ANY goes inside, GROUP BY outside.
 */
function aggregateOverSubquery(ps: Parsed[], hint: readonly string[]): Built {
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
  out.runnable = keyedRunnable(out.use, done.binds, ps, key);
  out.names = { key: name, belongsTo: false };
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
  out.notRunnable = 'the merged aggregates come back as one row per key with renamed columns, so rows cannot be compared one for one with the loop\'s';
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

export default defineRewrite('aggregate-loop', {
  summary: 'Compute the aggregate for every key in one GROUP BY query',
  keyColumns: (d) => d.keyColumns,
  build: aggregateLoop,
  advice: {
    sqlalchemy: 'Query the aggregate once: select(T.{k}, func.count()).where(T.{k}.in_(keys)).group_by(T.{k}), or a column_property / with_expression on the parent.',
    django: 'Annotate the parents once: Parent.objects.annotate(n=Count("{t}"), total=Sum(...)) (with filter=Q(...) for a conditional count).',
    rails: 'Use a counter_cache on the association, or one grouped query: Child.where({k}: ids).group(:{k}).count (or .sum(:col)).',
    hibernate: 'One JPQL query: select c.{k}, count(c) from Child c where c.{k} in :ids group by c.{k}; or @Formula on the parent.',
    prisma: 'One groupBy: prisma.model.groupBy({ by: ["{k}"], where: { {k}: { in: ids } }, _count: true, _sum: { … } }), or include: { _count: { select: { {t}: true } } }.',
    sequelize: 'One query: Child.findAll({ attributes: ["{k}", [fn("COUNT", col("id")), "n"]], where: { {k}: ids }, group: ["{k}"] }).',
    typeorm: 'One query builder: .select("c.{k}").addSelect("COUNT(*)").where("c.{k} IN (:...ids)").groupBy("c.{k}"), or loadRelationCountAndMap.',
    gorm: 'One query: db.Model(&Child{}).Select("{k}, count(*)").Where("{k} IN ?", ids).Group("{k}").Scan(&rows).',
  },
});
