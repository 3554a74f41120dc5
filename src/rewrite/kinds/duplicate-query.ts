/** duplicate-query: the one statement to run once. */
import { empty } from '../keys.js';
import { statement } from '../printer.js';
import { parseStmt } from '../statement.js';
import { defineRewrite, type BuildInput, type Built } from '../types.js';

/** duplicate-query: the one statement to run once (printed without comments). */
export function duplicateQuery(draft: BuildInput): Built {
  const out = empty();
  const p = parseStmt(draft.statements[0]!);
  if (!p) return out;
  out.use = statement(p.ast);
  out.notes.push(`run it once per request or job and reuse the result (memoize, or pass it down)`);
  return out;
}

export default defineRewrite('duplicate-query', {
  summary: 'Run the query once and reuse its result',
  build: duplicateQuery,
  advice: {
    sqlalchemy: 'Keep the object: the identity map only skips queries for session.get() by primary key; cache other lookups for the request.',
    django: 'Evaluate the queryset once and keep it (or cached_property); querysets re-run when re-evaluated.',
    rails: 'Memoize the record for the request (@x ||= …, or CurrentAttributes); the query cache only covers identical SQL inside one request.',
    hibernate: 'Reuse the entity within the persistence context (find by id hits the first-level cache); cache other lookups (second-level or query cache).',
    prisma: 'Keep the result for the request (or use a dataloader); Prisma batches only findUnique calls in the same tick.',
    sequelize: 'Keep the result for the request (or a dataloader).',
    typeorm: 'Keep the result for the request, or enable query caching (cache: true) for the lookup.',
    gorm: 'Keep the result for the request; GORM has no query cache.',
  },
});
