/** The fix in the ORM that wrote the loop (text only; each kind's texts live in rewrite/kinds/<kind>.ts). */
import type { AnyDraft } from '../detect/registry.js';
import type { OrmName } from './orm.js';
import { buildInput, REWRITES } from './registry.js';

const NO_ORM = 'ORM not recognised from the log or the SQL: SQL advice only.';

/** Advice for the ORM that wrote the loop; null ORM gives the "SQL only" note. */
export function adviceFor(orm: OrmName | null, draft: AnyDraft): string {
  if (orm === null) return NO_ORM;
  const text = REWRITES[draft.kind].advice[orm];
  const t = draft.tables[0] ?? 'children';
  const keys = buildInput(draft).keyColumns;
  // names arrive as SQL (`"bookId"`, `public."Book"`); the ORM spells them bare
  const k = keys.length ? keys[0]!.replace(/"/g, '') : 'parent_id';
  const model = t.replace(/^.*\./, '').replace(/"/g, '');
  return text.replace(/\{t\}/g, model).replace(/\{T\}/g, model.charAt(0).toUpperCase() + model.slice(1)).replace(/\{k\}/g, k);
}
