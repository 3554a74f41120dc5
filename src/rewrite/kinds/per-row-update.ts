/** per-row-update: UPDATE … FROM (VALUES …) with the real values, or = ANY when only the key varies. */
import type { Expr, From, UpdateStatement } from 'pgsql-ast-parser';
import type { Stmt } from '../../sessions/types.js';
import { ident } from '../../sql/index.js';
import { empty, keyOnly, parsedAll, SHOWN_ROWS } from '../keys.js';
import { statement } from '../printer.js';
import { andAll, bindAll, clone, conjuncts, eqSlots, isRowValue, literal, paramOf, qualify, valueOf, type Parsed } from '../statement.js';
import { defineRewrite, type BuildInput, type Built } from '../types.js';
import { arrayType, typedLiteral, typeDef, type Scalar } from '../values.js';

/** per-row-update: UPDATE … FROM (VALUES …) AS v(key, col…) with the real values, joined on the key. */
export function perRowUpdate(draft: BuildInput, stmts: Stmt[] = draft.statements): Built {
  const out = empty();
  const parsed = parsedAll(stmts);
  if (!parsed || parsed.some((p) => p.ast.type !== 'update')) return out;
  let ps = parsed;
  const first = ps[0]!.ast as UpdateStatement;
  if (first.from) return out;
  const target = first.table.alias ?? first.table.name;
  const self = new Set([first.table.name]);
  // varying parts: key equalities in WHERE and SET values; everything constant is bound to its literal
  const wslots = eqSlots(first.where);
  const varyingW = wslots.filter((s) => new Set(ps.map((p) => valueAt(p, 'where', s.index))).size > 1);
  const varyingS = first.sets.map((s, i) => ({ s, i })).filter(({ s, i }) => isRowValue(s.value) && new Set(ps.map((p) => valueAt(p, 'set', i))).size > 1);
  // the log named placeholders but not their values (Sequelize without logQueryParameters): rows of parameters
  if (varyingW.length === 0 && wslots.length > 0 && ps.every((p) => wslots.every((w) => valueAt(p, 'where', w.index) === undefined))) {
    return updateFromParameterRows(first, ps.length, wslots, target, self, out);
  }
  if (varyingW.length === 0) return out;
  // only the key changes (SET status = 'shipped' WHERE id = $1): one UPDATE … WHERE id = ANY($1)
  if (varyingS.length === 0 && varyingW.length === 1 && first.sets.every((s) => !paramVaries(ps, s.value))) return keyOnly(draft, ps);
  if (ps.some((p) => [...varyingW.map((w) => valueAt(p, 'where', w.index)), ...varyingS.map((x) => valueAt(p, 'set', x.i))].includes(undefined))) return out;
  // a SET expression whose parameter changes (SET stock = stock - $1) has no one value to bind for all rows
  if (first.sets.some((s, i) => !varyingS.some((x) => x.i === i) && paramVaries(ps, s.value))) return out;
  const vcols = [...varyingW.map((w) => w.column.name), ...varyingS.map((x) => x.s.column.name)];
  if (new Set(vcols).size !== vcols.length) return out;
  // a row the loop updated twice ends with its last values; in one UPDATE … FROM a row joins one source row
  // (which one, PostgreSQL does not say), so only each key's last statement supplies the values
  const all = ps;
  const keyOf = (p: Parsed) => JSON.stringify(varyingW.map((w) => valueAt(p, 'where', w.index)));
  const lastOf = new Map(all.map((p) => [keyOf(p), p]));
  ps = all.filter((p) => lastOf.get(keyOf(p)) === p);
  if (ps.length < all.length) out.notes.push(`a row the loop updated more than once takes the values of its last update (${all.length - ps.length} earlier updates left out)`);
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
    out.runnable = [{ sql: statement(viaArrays), binds: arrays, covers: all.map((p) => p.stmt), keyColumn: null, keys: [] }];
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

export default defineRewrite('per-row-update', {
  summary: 'Update all rows in one UPDATE … FROM (VALUES …) statement',
  keyColumns: (d) => d.keyColumns,
  build: (input) => perRowUpdate(input),
  advice: {
    sqlalchemy: 'Bulk update by primary key: session.execute(update(T), [{"id": 1, "col": v}, ...]).',
    django: 'Model.objects.bulk_update(objs, ["col"], batch_size=1000), or .update(col=F(...)) / Case(When(...)) on a queryset.',
    rails: 'Model.upsert_all(rows, unique_by: :id) or where(id: ids).update_all(...) instead of update per record.',
    hibernate: 'hibernate.jdbc.batch_size with order_updates=true, or one bulk JPQL UPDATE … WHERE id IN :ids.',
    prisma: 'updateMany for rows that get the same value; for different values per row, $executeRaw with UPDATE … FROM (VALUES …).',
    sequelize: 'Model.bulkCreate(rows, { updateOnDuplicate: ["col"] }) (an upsert by primary key), or update(..., { where: { id: ids } }) when the value is the same.',
    typeorm: 'repository.upsert(rows, ["id"]) or one UPDATE … FROM (VALUES …) via query().',
    gorm: 'db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoUpdates: clause.AssignmentColumns([]string{"col"})}).Create(&rows).',
  },
});
