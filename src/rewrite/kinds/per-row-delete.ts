/** per-row-delete: one DELETE over every key. */
import type { Stmt } from '../../sessions/types.js';
import { empty, keyOnly, parsedAll } from '../keys.js';
import { defineRewrite, type BuildInput, type Built } from '../types.js';

/** per-row-delete: one DELETE over every key. */
export function perRowDelete(draft: BuildInput, stmts: Stmt[] = draft.statements): Built {
  const ps = parsedAll(stmts);
  if (!ps || ps[0]!.ast.type !== 'delete') return empty();
  return keyOnly(draft, ps);
}

export default defineRewrite('per-row-delete', {
  summary: 'Delete all rows in one DELETE … WHERE id = ANY($1) statement',
  keyColumns: (d) => d.keyColumns,
  build: (input) => perRowDelete(input),
  advice: {
    sqlalchemy: 'session.execute(delete(T).where(T.{k}.in_(keys))).',
    django: 'Model.objects.filter({k}__in=ids).delete().',
    rails: 'Model.where({k}: ids).delete_all (or destroy_all when callbacks matter).',
    hibernate: 'One bulk JPQL DELETE FROM Entity e WHERE e.{k} IN :ids.',
    prisma: 'prisma.model.deleteMany({ where: { {k}: { in: ids } } }).',
    sequelize: 'Model.destroy({ where: { {k}: ids } }).',
    typeorm: 'repository.delete({ {k}: In(ids) }).',
    gorm: 'db.Where("{k} IN ?", ids).Delete(&Model{}).',
  },
});
