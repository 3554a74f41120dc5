/** per-row-insert: the real rows as one multi-row VALUES, the unnest() form, and COPY. */
import type { Expr, From, InsertStatement } from 'pgsql-ast-parser';
import type { Stmt } from '../../sessions/types.js';
import { empty, parsedAll, SHOWN_ROWS } from '../keys.js';
import { statement } from '../printer.js';
import { bindAll, clone, isRowValue, renumber, valueOf, type Parsed } from '../statement.js';
import { defineRewrite, type Binds, type BuildInput, type Built } from '../types.js';
import { arrayType, typeDef, type Scalar } from '../values.js';

function singleRowInsert(p: Parsed): InsertStatement | null {
  const a = p.ast;
  if (a.type !== 'insert' || a.insert.type !== 'values' || a.insert.values.length !== 1) return null;
  return a;
}

/** per-row-insert: the real rows as one multi-row VALUES, the unnest() form, and COPY. */
export function perRowInsert(draft: BuildInput, stmts: Stmt[] = draft.statements): Built {
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
  if (unnest) {
    out.alternatives.push({ label: 'one statement for any number of rows (arrays)', sql: unnest.sql, params: unnest.params, binds: unnest.binds });
    out.runnable = [{ sql: unnest.sql, binds: unnest.binds, covers: ps.map((p) => p.stmt), keyColumn: null, keys: [] }];
  } else if (bound && rest === 0) {
    out.runnable = [{ sql: out.use, binds: [], covers: ps.map((p) => p.stmt), keyColumn: null, keys: [] }];
  }
  out.notes.push(`for large loads: COPY ${first.into.name}${cols ? ` (${cols.join(', ')})` : ''} FROM STDIN (FORMAT csv)`);
  return out;
}

function unnestInsert(first: InsertStatement, ps: Parsed[]): { sql: string; params: string[]; binds: Binds } | null {
  const row = (first.insert as { values: Expr[][] }).values[0]!;
  if (!first.columns || !row.every(isRowValue)) return null;
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

export default defineRewrite('per-row-insert', {
  summary: 'Insert all rows in one multi-row VALUES statement (or INSERT … SELECT, or COPY)',
  build: (input) => perRowInsert(input),
  advice: {
    sqlalchemy: 'Insert the rows in one call: session.execute(insert(T), [dict(...), ...]) (executemany with insertmanyvalues), not session.add() + flush per row.',
    django: 'Model.objects.bulk_create(objs, batch_size=1000) instead of save() per object.',
    rails: 'Model.insert_all(rows) (skips callbacks/validations) instead of create per row.',
    hibernate: 'Set hibernate.jdbc.batch_size (e.g. 50) and hibernate.order_inserts=true; avoid IDENTITY ids, which disable insert batching (use a SEQUENCE with pooled optimizer).',
    prisma: 'prisma.model.createMany({ data: rows }) (createManyAndReturn when the rows are needed back).',
    sequelize: 'Model.bulkCreate(rows) instead of create per row.',
    typeorm: 'repository.createQueryBuilder().insert().values([...rows]).execute() (or repository.insert(rows)) instead of save() per entity.',
    gorm: 'db.CreateInBatches(rows, 500) (or Create(&slice)) instead of Create per row.',
  },
});
