/** The fix in the ORM that wrote the loop (text only; each kind's texts live in rewrite/kinds/<kind>.ts). */
import type { AnyDraft } from '../detect/registry.js';
import type { OrmName } from './orm.js';
import { buildInput, REWRITES } from './registry.js';
import type { Built } from './types.js';

const NO_ORM = 'ORM not recognised from the log or the SQL: SQL advice only.';

/** Advice for the ORM that wrote the loop; null ORM gives the "SQL only" note. */
export function adviceFor(orm: OrmName | null, draft: AnyDraft, names?: Built['names']): string {
  if (orm === null) return NO_ORM;
  const text = REWRITES[draft.kind].advice[orm];
  const t = draft.tables[0] ?? 'children';
  const keys = buildInput(draft).keyColumns;
  // names arrive as SQL (`"bookId"`, `public."Book"`); the ORM spells them bare. The key the rewrite compared wins over the detector's guess.
  const k = names ? names.key.replace(/"/g, '') : keys.length ? keys[0]!.replace(/"/g, '') : 'parent_id';
  const table = t.replace(/^.*\./, '').replace(/"/g, '');
  // a loop that fetches each parent row by its own id walks a belongs-to association: one parent, singular (includes(:chair))
  const model = names?.belongsTo ? singular(table) : table;
  // the sort the loop used (latest-per-parent): its column and direction, where the kind's text asks for them
  const o = names?.order ?? { column: 'created_at', desc: true };
  const col = o.column.replace(/"/g, '');
  return text
    .replace(/\{t\}/g, model)
    .replace(/\{T\}/g, model.charAt(0).toUpperCase() + model.slice(1))
    .replace(/\{k\}/g, k)
    .replace(/\{-o\}/g, (o.desc ? '-' : '') + col)
    .replace(/\{o\}/g, col)
    .replace(/\{dir\}/g, o.desc ? 'desc' : 'asc')
    .replace(/\{DIR\}/g, o.desc ? 'DESC' : 'ASC');
}

/** The association name of one row of a table: chairs → chair, categories → category, addresses → address. */
export function singular(table: string): string {
  if (/ies$/i.test(table)) return table.slice(0, -3) + 'y';
  if (/(ss|sh|ch|x)es$/i.test(table)) return table.slice(0, -2);
  if (/ss$/i.test(table)) return table;
  if (/s$/i.test(table)) return table.slice(0, -1);
  return table;
}
