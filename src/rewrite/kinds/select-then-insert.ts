/** select-then-insert: INSERT … ON CONFLICT over the real rows. */
import type { Expr, InsertStatement, SelectFromStatement, Statement } from 'pgsql-ast-parser';
import type { Stmt } from '../../sessions/types.js';
import { anyPredicate, columnName, describeKeys, empty, loopKey, ofTemplate, outputName, parsedAll, SHOWN_ROWS, withConjunct, withKeyColumn } from '../keys.js';
import { statement } from '../printer.js';
import { bindAll, clone, eqSlots, parseStmt, renumber, valueOf, type Parsed } from '../statement.js';
import { defineRewrite, type BuildInput, type Built } from '../types.js';
import { perRowInsert } from './per-row-insert.js';

/**
 * select-then-insert: one statement that inserts the missing rows and returns a row for every key looked up,
 * as the loop did: `WITH ins AS (INSERT … SELECT * FROM unnest(…) ON CONFLICT (key) DO NOTHING RETURNING …)
 * SELECT … FROM ins UNION ALL SELECT … FROM t WHERE key = ANY(…)`. The outer SELECT sees the table as it was
 * before the statement, so a key comes back once: from `ins` when it was inserted, from the table when it existed.
 */
export function selectThenInsert(draft: BuildInput): Built {
  const out = empty();
  const insT = draft.templates.find((t) => t.verb === 'insert');
  const selT = draft.templates.find((t) => t.verb === 'select');
  if (!insT) return out;
  const inserts = ofTemplate(draft, insT);
  const built = perRowInsert(draft, inserts);
  const ps = parsedAll(inserts);
  if (!built.use || !ps) return out;
  const selects = selT ? parsedAll(ofTemplate(draft, selT)) : null;
  const sel = selects?.[0] ?? null;
  const first = ps[0]!.ast as InsertStatement;
  // the detector names a quoted column as written ("OwnerRef"); the insert's column list holds OwnerRef
  const hint = draft.keyColumns.map(columnName);
  const keys = hint.length ? hint : sel && sel.ast.type === 'select' ? eqSlots(sel.ast.where).map((s) => s.column.name) : [];
  const insCols = first.columns?.map((c) => c.name) ?? [];
  const target = keys.length > 0 && keys.every((k) => insCols.includes(k)) ? keys : null;
  const returning = target && target.length === 1 && selects ? returningEvery(draft, first, selects, built, target[0]!) : null;
  if (returning) return returning;
  // no single lookup key, or no lookup to merge: the plain upsert over the real rows
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
  if (target) out.notes.push(`ON CONFLICT (${target.join(', ')}) needs a unique index or constraint on ${target.join(', ')}`);
  else out.notes.push(`the lookup columns are not all inserted, so ON CONFLICT takes any unique constraint`);
  out.notes.push(`DO NOTHING … RETURNING returns only the rows it inserted: look the others up with the keys`);
  // what verify says instead of running it: the loop got a row for every key, this returns only the new ones
  out.notRunnable = `the upsert returns rows only for the keys it inserts, where the loop got a row for every key it looked up${
    target && target.length > 1 ? ` (the one-statement form that returns every row is built for a lookup by one column; this one is by ${target.join(', ')})` : ''
  }`;
  return out;
}

/** The WITH form over arrays: the inserted rows as unnest() columns, the keys looked up as one more array. */
function returningEvery(draft: BuildInput, first: InsertStatement, selects: Parsed[], built: Built, keyColumn: string): Built | null {
  const arrays = built.alternatives.find((a) => a.binds !== undefined && /\bunnest\(/.test(a.sql));
  const sel = selects[0]!;
  if (!arrays || !arrays.binds || sel.ast.type !== 'select') return null;
  const src = sel.ast;
  const from = src.from?.[0];
  if (src.from?.length !== 1 || from?.type !== 'table' || from.join || from.name.name !== first.into.name) return null;
  const key = loopKey(selects, [keyColumn]);
  if (!key || key.slot.column.name !== keyColumn) return null;
  const ins = (astLibInsert(arrays.sql));
  if (!ins) return null;
  const lookup = clone(src) as SelectFromStatement;
  delete lookup.limit;
  const keyParam = arrays.binds.length + 1;
  const any = anyPredicate(key.slot, { ...sel, maxParam: 0 });
  withConjunct(lookup, key.slot.index, any.expr);
  // the key array comes after the insert's arrays; a lookup with other parameters is not merged (their values are per statement)
  if ([...statement(lookup).matchAll(/\$(\d+)/g)].some((m) => +m[1]! !== any.param)) return null;
  const lookupSql = renumber(lookup, () => keyParam);
  withKeyColumn(lookupSql, key.slot.column);
  const names = (lookupSql.columns ?? []).map(outputName);
  if (names.some((n) => n === null)) return null;
  ins.returning = (lookupSql.columns ?? []).map((c) => ({ expr: { type: 'ref', name: outputName(c)! } }));
  ins.onConflict = { on: { type: 'on expr', exprs: [{ type: 'ref', name: keyColumn }] }, do: 'do nothing' };
  const fromIns: SelectFromStatement = { type: 'select', columns: names.map((name) => ({ expr: { type: 'ref', name: name! } })), from: [{ type: 'table', name: { name: 'ins' } }] };
  const union: Statement = { type: 'union all', left: fromIns, right: lookupSql };
  const sql = statement({ type: 'with', bind: [{ alias: { name: 'ins' }, statement: ins }], in: union } as Statement);
  const keyValues = key.values;
  if (keyValues.some((v) => v === undefined)) return null;
  const out = empty();
  out.use = sql;
  out.binds = [...arrays.binds, [...new Set(keyValues as (string | null)[])]];
  out.params.push(...(arrays.params ?? []), describeKeys(keyParam, keyColumn, keyValues).replace(/ values:/, ' values looked up:'));
  out.notes.push(
    `ON CONFLICT (${keyColumn}) needs a unique index or constraint on ${keyColumn}`,
    `the outer SELECT sees the table as it was before the statement: a key comes back once, from ins when it was inserted, from ${first.into.name} when it existed`,
  );
  out.names = { key: keyColumn, belongsTo: false };
  // the loop's rows per key: what its SELECT found, or what its INSERT returned
  const covered = draft.statements.filter((s) => selects.some((p) => p.stmt === s) || s.t.verb === 'insert');
  const keyOf = new Map<Stmt, string | null>();
  selects.forEach((p, i) => keyOf.set(p.stmt, keyValues[i] as string | null));
  const at = insertColumnIndex(first, keyColumn);
  for (const s of covered) if (!keyOf.has(s)) keyOf.set(s, at < 0 ? null : (insertValue(s, at) ?? null));
  out.runnable = [{ sql, binds: out.binds, covers: covered, keyColumn, keys: covered.map((s) => keyOf.get(s)!) }];
  return out;
}

function astLibInsert(sql: string): InsertStatement | null {
  const p = parseStmt({ sql, values: [] } as unknown as Stmt);
  return p && p.ast.type === 'insert' ? (clone(p.ast) as InsertStatement) : null;
}

function insertColumnIndex(ins: InsertStatement, column: string): number {
  return ins.columns?.findIndex((c) => c.name === column) ?? -1;
}

function insertValue(s: Stmt, at: number): string | null | undefined {
  const p = parseStmt(s);
  if (!p || p.ast.type !== 'insert' || p.ast.insert.type !== 'values') return undefined;
  const e = p.ast.insert.values[0]?.[at];
  return e ? valueOf(e, p) : undefined;
}

export default defineRewrite('select-then-insert', {
  summary: 'Let INSERT … ON CONFLICT do the lookup and the insert in one statement that returns a row for every key',
  keyColumns: (d) => d.keyColumns,
  build: selectThenInsert,
  advice: {
    sqlalchemy: 'Use sqlalchemy.dialects.postgresql.insert(T).values(rows).on_conflict_do_nothing(index_elements=[…]) (or on_conflict_do_update).',
    django: 'bulk_create(objs, ignore_conflicts=True) or update_conflicts=True, unique_fields=[…], update_fields=[…] instead of get_or_create() per row.',
    rails: 'Model.insert_all(rows, unique_by: :{k}) or upsert_all instead of find_or_create_by per row.',
    hibernate: 'A native INSERT … ON CONFLICT query (@Modifying @Query(nativeQuery = true)), batched.',
    prisma: 'createMany({ data: rows, skipDuplicates: true }) (ON CONFLICT DO NOTHING), or upsert when the row must be updated.',
    sequelize: 'Model.bulkCreate(rows, { ignoreDuplicates: true }) or { updateOnDuplicate: [...] } instead of findOrCreate per row.',
    typeorm: 'repository.upsert(rows, { conflictPaths: ["{k}"], skipUpdateIfNoValuesChanged: true }) or insert().orIgnore().',
    gorm: 'db.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows) (or DoUpdates) instead of FirstOrCreate per row.',
  },
});
