/** The fix in the ORM that wrote the loop, per ORM and finding kind (text only; the SQL comes from build.ts). */
import type { Draft, FindingKind } from '../detect/types.js';
import type { OrmName } from './orm.js';

type Table = Partial<Record<FindingKind, string>> & { default: string };

/** `{t}` is the loop's table, `{k}` its key column. */
const ADVICE: Record<OrmName, Table> = {
  sqlalchemy: {
    'n-plus-one':
      'Load the relationship with the parent query: options(selectinload(Parent.{t})) (one extra IN query) or joinedload(...) for many-to-one; set lazy="raise" / raiseload("*") to catch the next one in tests.',
    'repeated-sequence': 'Eager-load every relationship the loop touches with selectinload(), and batch the writes with session.execute(insert(T), rows) / session.execute(update(T), rows).',
    'aggregate-loop': 'Query the aggregate once: select(T.{k}, func.count()).where(T.{k}.in_(keys)).group_by(T.{k}), or a column_property / with_expression on the parent.',
    'latest-per-parent': 'select(T).where(T.{k}.in_(keys)).distinct(T.{k}).order_by(T.{k}, T.created_at.desc()) (PostgreSQL DISTINCT ON), or a row_number() over(partition_by=…) subquery.',
    'per-row-insert': 'Insert the rows in one call: session.execute(insert(T), [dict(...), ...]) (executemany with insertmanyvalues), not session.add() + flush per row.',
    'per-row-update': 'Bulk update by primary key: session.execute(update(T), [{"id": 1, "col": v}, ...]).',
    'per-row-delete': 'session.execute(delete(T).where(T.{k}.in_(keys))).',
    'select-then-insert': 'Use sqlalchemy.dialects.postgresql.insert(T).values(rows).on_conflict_do_nothing(index_elements=[…]) (or on_conflict_do_update).',
    'duplicate-query': 'Keep the object: the identity map only skips queries for session.get() by primary key; cache other lookups for the request.',
    'unbounded-fetch': 'Page with .where(T.id > last_id).order_by(T.id).limit(n), or stream with .yield_per(n); aggregate with func.* instead of loading rows.',
    default: 'Use selectinload/joinedload for relationships and executemany-style bulk statements for writes.',
  },
  django: {
    'n-plus-one':
      'Use select_related("{t}") for foreign keys / one-to-one, prefetch_related("{t}") for reverse and many-to-many relations; on Django 6.1+ .fetch_mode(models.FETCH_PEERS) batches lazy loads, and FETCH_RAISE catches them in tests.',
    'repeated-sequence': 'prefetch_related() / select_related() for the reads, bulk_create() / bulk_update() for the writes.',
    'aggregate-loop': 'Annotate the parents once: Parent.objects.annotate(n=Count("{t}"), total=Sum(...)) (with filter=Q(...) for a conditional count).',
    'latest-per-parent':
      'Annotate with a subquery: .annotate(latest=Subquery(Child.objects.filter({k}=OuterRef("pk")).order_by("-created_at").values("id")[:1])), or Child.objects.filter({k}__in=ids).order_by("{k}", "-created_at").distinct("{k}").',
    'per-row-insert': 'Model.objects.bulk_create(objs, batch_size=1000) instead of save() per object.',
    'per-row-update': 'Model.objects.bulk_update(objs, ["col"], batch_size=1000), or .update(col=F(...)) / Case(When(...)) on a queryset.',
    'per-row-delete': 'Model.objects.filter({k}__in=ids).delete().',
    'select-then-insert': 'bulk_create(objs, ignore_conflicts=True) or update_conflicts=True, unique_fields=[…], update_fields=[…] instead of get_or_create() per row.',
    'duplicate-query': 'Evaluate the queryset once and keep it (or cached_property); querysets re-run when re-evaluated.',
    'unbounded-fetch': 'Paginate (keyset: .filter(id__gt=last).order_by("id")[:n]), iterate with .iterator(chunk_size=…), or aggregate() in SQL.',
    default: 'Use select_related/prefetch_related for reads and bulk_create/bulk_update for writes.',
  },
  rails: {
    'n-plus-one':
      'Preload the association: includes(:{t}) (or preload / eager_load); turn on strict_loading (model, association or config.active_record.strict_loading_by_default) so lazy loads raise.',
    'repeated-sequence': 'includes() for the reads; insert_all / upsert_all / update_all for the writes.',
    'aggregate-loop': 'Use a counter_cache on the association, or one grouped query: Child.where({k}: ids).group(:{k}).count (or .sum(:col)).',
    'latest-per-parent': 'Child.where({k}: ids).select("DISTINCT ON ({k}) *").order(:{k}, created_at: :desc), or a has_one :latest_… association with a scope, preloaded.',
    'per-row-insert': 'Model.insert_all(rows) (skips callbacks/validations) instead of create per row.',
    'per-row-update': 'Model.upsert_all(rows, unique_by: :id) or where(id: ids).update_all(...) instead of update per record.',
    'per-row-delete': 'Model.where({k}: ids).delete_all (or destroy_all when callbacks matter).',
    'select-then-insert': 'Model.insert_all(rows, unique_by: :{k}) or upsert_all instead of find_or_create_by per row.',
    'duplicate-query': 'Memoize the record for the request (@x ||= …, or CurrentAttributes); the query cache only covers identical SQL inside one request.',
    'unbounded-fetch': 'find_each / in_batches (keyset by id) instead of .all.each; pluck or aggregate in SQL.',
    default: 'Use includes/preload for reads and insert_all/upsert_all for writes.',
  },
  hibernate: {
    'n-plus-one':
      'Fetch the association with the query: JOIN FETCH in JPQL, or an @EntityGraph on the repository method; or @BatchSize(size = 100) / hibernate.default_batch_fetch_size so lazy loads go out as IN batches.',
    'repeated-sequence': 'JOIN FETCH / @EntityGraph for the reads; hibernate.jdbc.batch_size (with order_inserts/order_updates) for the writes.',
    'aggregate-loop': 'One JPQL query: select c.{k}, count(c) from Child c where c.{k} in :ids group by c.{k}; or @Formula on the parent.',
    'latest-per-parent': 'A native query with DISTINCT ON, or JPQL with a window function (Hibernate 6): row_number() over (partition by … order by … desc).',
    'per-row-insert': 'Set hibernate.jdbc.batch_size (e.g. 50) and hibernate.order_inserts=true; avoid IDENTITY ids, which disable insert batching (use a SEQUENCE with pooled optimizer).',
    'per-row-update': 'hibernate.jdbc.batch_size with order_updates=true, or one bulk JPQL UPDATE … WHERE id IN :ids.',
    'per-row-delete': 'One bulk JPQL DELETE FROM Entity e WHERE e.{k} IN :ids.',
    'select-then-insert': 'A native INSERT … ON CONFLICT query (@Modifying @Query(nativeQuery = true)), batched.',
    'duplicate-query': 'Reuse the entity within the persistence context (find by id hits the first-level cache); cache other lookups (second-level or query cache).',
    'unbounded-fetch': 'Page with setMaxResults / Pageable (keyset: where id > :last order by id), or stream with ScrollableResults; never page a JOIN FETCH collection (HHH90003004).',
    default: 'Use JOIN FETCH/@EntityGraph for reads and hibernate.jdbc.batch_size for writes.',
  },
  prisma: {
    'n-plus-one':
      'Load the relation with the parent: include: { {t}: true } (or select), and relationLoadStrategy: "join" (Prisma 5.8+) to get one query; or findMany({ where: { {k}: { in: ids } } }).',
    'repeated-sequence': 'include / relationLoadStrategy: "join" for the reads; createMany / updateMany, or one $transaction([...]) for the writes.',
    'aggregate-loop': 'One groupBy: prisma.model.groupBy({ by: ["{k}"], where: { {k}: { in: ids } }, _count: true, _sum: { … } }), or include: { _count: { select: { {t}: true } } }.',
    'latest-per-parent': 'findMany({ where: { {k}: { in: ids } }, distinct: ["{k}"], orderBy: [{ {k}: "asc" }, { createdAt: "desc" }] }), or include the relation with take: 1 and relationLoadStrategy: "join".',
    'per-row-insert': 'prisma.model.createMany({ data: rows }) (createManyAndReturn when the rows are needed back).',
    'per-row-update': 'updateMany for rows that get the same value; for different values per row, $executeRaw with UPDATE … FROM (VALUES …).',
    'per-row-delete': 'prisma.model.deleteMany({ where: { {k}: { in: ids } } }).',
    'select-then-insert': 'createMany({ data: rows, skipDuplicates: true }) (ON CONFLICT DO NOTHING), or upsert when the row must be updated.',
    'duplicate-query': 'Keep the result for the request (or use a dataloader); Prisma batches only findUnique calls in the same tick.',
    'unbounded-fetch': 'Paginate with take plus cursor: { id } (keyset), or aggregate with _count / _sum.',
    default: 'Use include/relationLoadStrategy for reads and createMany/updateMany for writes.',
  },
  sequelize: {
    'n-plus-one': 'Load the association in the parent query: findAll({ include: [{ model: Child }] }) (separate: true for hasMany to get one IN query).',
    'repeated-sequence': 'include for the reads; bulkCreate (with updateOnDuplicate) for the writes.',
    'aggregate-loop': 'One query: Child.findAll({ attributes: ["{k}", [fn("COUNT", col("id")), "n"]], where: { {k}: ids }, group: ["{k}"] }).',
    'latest-per-parent': 'A literal DISTINCT ON query via sequelize.query, or include with separate: true, limit: 1 and order.',
    'per-row-insert': 'Model.bulkCreate(rows) instead of create per row.',
    'per-row-update': 'Model.bulkCreate(rows, { updateOnDuplicate: ["col"] }) (an upsert by primary key), or update(..., { where: { id: ids } }) when the value is the same.',
    'per-row-delete': 'Model.destroy({ where: { {k}: ids } }).',
    'select-then-insert': 'Model.bulkCreate(rows, { ignoreDuplicates: true }) or { updateOnDuplicate: [...] } instead of findOrCreate per row.',
    'duplicate-query': 'Keep the result for the request (or a dataloader).',
    'unbounded-fetch': 'Paginate with limit + where: { id: { [Op.gt]: last } } ordered by id, or aggregate in SQL.',
    default: 'Use include for reads and bulkCreate for writes.',
  },
  typeorm: {
    'n-plus-one': 'Load the relation in the same query: find({ relations: { {t}: true } }) or createQueryBuilder().leftJoinAndSelect("p.{t}", "c"); avoid lazy relations in loops.',
    'repeated-sequence': 'relations / leftJoinAndSelect for the reads; insert().values([...]) / upsert for the writes.',
    'aggregate-loop': 'One query builder: .select("c.{k}").addSelect("COUNT(*)").where("c.{k} IN (:...ids)").groupBy("c.{k}"), or loadRelationCountAndMap.',
    'latest-per-parent': 'A query builder with .distinctOn(["c.{k}"]).orderBy("c.{k}").addOrderBy("c.createdAt", "DESC").',
    'per-row-insert': 'repository.createQueryBuilder().insert().values([...rows]).execute() (or repository.insert(rows)) instead of save() per entity.',
    'per-row-update': 'repository.upsert(rows, ["id"]) or one UPDATE … FROM (VALUES …) via query().',
    'per-row-delete': 'repository.delete({ {k}: In(ids) }).',
    'select-then-insert': 'repository.upsert(rows, { conflictPaths: ["{k}"], skipUpdateIfNoValuesChanged: true }) or insert().orIgnore().',
    'duplicate-query': 'Keep the result for the request, or enable query caching (cache: true) for the lookup.',
    'unbounded-fetch': 'Paginate with take/skip or keyset (where id > last, order id, take n); stream() for exports.',
    default: 'Use relations/leftJoinAndSelect for reads and insert().values([...]) for writes.',
  },
  gorm: {
    'n-plus-one': 'Preload the association: db.Preload("{T}").Find(&parents) (one IN query), or db.Joins("{T}") for belongs-to / has-one.',
    'repeated-sequence': 'Preload / Joins for the reads; CreateInBatches and clause.OnConflict for the writes.',
    'aggregate-loop': 'One query: db.Model(&Child{}).Select("{k}, count(*)").Where("{k} IN ?", ids).Group("{k}").Scan(&rows).',
    'latest-per-parent': 'db.Raw with DISTINCT ON, or Preload with a custom func(db *gorm.DB) *gorm.DB ordering and a window function.',
    'per-row-insert': 'db.CreateInBatches(rows, 500) (or Create(&slice)) instead of Create per row.',
    'per-row-update': 'db.Clauses(clause.OnConflict{Columns: []clause.Column{{Name: "id"}}, DoUpdates: clause.AssignmentColumns([]string{"col"})}).Create(&rows).',
    'per-row-delete': 'db.Where("{k} IN ?", ids).Delete(&Model{}).',
    'select-then-insert': 'db.Clauses(clause.OnConflict{DoNothing: true}).Create(&rows) (or DoUpdates) instead of FirstOrCreate per row.',
    'duplicate-query': 'Keep the result for the request; GORM has no query cache.',
    'unbounded-fetch': 'FindInBatches(&rows, 1000, fn), or Limit + Where("id > ?", last) keyset pages.',
    default: 'Use Preload/Joins for reads and CreateInBatches/clause.OnConflict for writes.',
  },
};

const NO_ORM = 'ORM not recognised from the log or the SQL: SQL advice only.';

/** Advice for the ORM that wrote the loop; null ORM gives the "SQL only" note. */
export function adviceFor(orm: OrmName | null, draft: Draft): string {
  if (orm === null) return NO_ORM;
  const table = ADVICE[orm];
  const text = table[draft.kind] ?? table.default;
  const t = draft.tables[0] ?? 'children';
  const keys = draft.details['keyColumns'];
  // names arrive as SQL (`"bookId"`, `public."Book"`); the ORM spells them bare
  const k = Array.isArray(keys) && keys.length ? String(keys[0]).replace(/"/g, '') : 'parent_id';
  const model = t.replace(/^.*\./, '').replace(/"/g, '');
  return text.replace(/\{t\}/g, model).replace(/\{T\}/g, model.charAt(0).toUpperCase() + model.slice(1)).replace(/\{k\}/g, k);
}
