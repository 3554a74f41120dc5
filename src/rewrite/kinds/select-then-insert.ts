/** select-then-insert: INSERT … ON CONFLICT over the real rows. */
import type { Expr, InsertStatement } from 'pgsql-ast-parser';
import { empty, ofTemplate, parsedAll, SHOWN_ROWS } from '../keys.js';
import { statement } from '../printer.js';
import { bindAll, clone, eqSlots, parseStmt } from '../statement.js';
import { defineRewrite, type BuildInput, type Built } from '../types.js';
import { perRowInsert } from './per-row-insert.js';

/** select-then-insert: INSERT … ON CONFLICT (key) DO NOTHING over the real rows, or DO UPDATE to get every id back. */
export function selectThenInsert(draft: BuildInput): Built {
  const out = empty();
  const insT = draft.templates.find((t) => t.verb === 'insert');
  const selT = draft.templates.find((t) => t.verb === 'select');
  if (!insT) return out;
  const inserts = ofTemplate(draft, insT);
  const built = perRowInsert(draft, inserts);
  const ps = parsedAll(inserts);
  if (!built.use || !ps) return out;
  const sel = selT ? parseStmt(ofTemplate(draft, selT)[0]!) : null;
  const first = ps[0]!.ast as InsertStatement;
  const hint = [...draft.keyColumns];
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

export default defineRewrite('select-then-insert', {
  summary: 'Let INSERT … ON CONFLICT do the lookup and the insert in one statement',
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
