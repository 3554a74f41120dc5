/** Shapes of realistic ORM statements (SQLAlchemy, Django, Rails, Hibernate, Sequelize, TypeORM, Prisma), field by field. */
import { beforeEach, describe, expect, it } from 'vitest';
import { astSupport, normalize, parseCheck, resetShapeCache, shapeOf, templatesWithoutAst, type Shape } from '../../src/sql/index.js';

const shape = (sql: string): Shape => shapeOf(normalize(sql).template);

describe('shapes of ORM statements', () => {
  it('SQLAlchemy: %(param)s placeholders, aggregate with GROUP BY', () => {
    const s = shape(
      'SELECT debentures.holder_id, sum(debentures.price) AS sum_1 FROM debentures WHERE debentures.holder_id = %(holder_id_1)s AND debentures.kind IN (%(kind_1_1)s, %(kind_1_2)s) GROUP BY debentures.holder_id',
    );
    expect(s).toMatchObject({
      parsed: true,
      kind: 'select',
      tables: ['debentures'],
      mainTable: 'debentures',
      keyPredicates: [
        { column: { table: 'debentures', column: 'holder_id' }, op: 'eq', param: 1 },
        { column: { table: 'debentures', column: 'kind' }, op: 'any', param: 2 },
      ],
      hasWhere: true,
      aggregates: ['sum'],
      groupBy: true,
      limit: null,
      joins: 0,
    });
  });

  it('Django: quoted "app_model"."col", JOIN, ORDER BY … DESC, LIMIT 21', () => {
    const s = shape(
      'SELECT "blog_post"."id", "blog_post"."title" FROM "blog_post" INNER JOIN "auth_user" ON ("blog_post"."author_id" = "auth_user"."id") WHERE "blog_post"."author_id" = 7 ORDER BY "blog_post"."created" DESC LIMIT 21',
    );
    expect(s.tables).toEqual(['blog_post', 'auth_user']);
    expect(s.mainTable).toBe('blog_post');
    expect(s.keyPredicates).toEqual([{ column: { table: 'blog_post', column: 'author_id' }, op: 'eq', param: 1 }]);
    expect(s.orderBy).toEqual([{ expr: 'blog_post.created', desc: true }]);
    expect(s.limit).toBe('param');
    expect(s.limitParam).toBe(2);
    expect(s.joins).toBe(1);
    expect(s.distinct).toBe(false);
  });

  it('Rails: $1 binds, LIMIT, and INSERT … RETURNING', () => {
    const s = shape('SELECT "comments".* FROM "comments" WHERE "comments"."post_id" = $1 ORDER BY "comments"."id" ASC LIMIT $2');
    expect(s.keyPredicates).toEqual([{ column: { table: 'comments', column: 'post_id' }, op: 'eq', param: 1 }]);
    expect(s.orderBy).toEqual([{ expr: 'comments.id', desc: false }]);
    expect([s.limit, s.limitParam]).toEqual(['param', 2]);
    const i = shape('INSERT INTO "comments" ("body", "post_id", "created_at") VALUES ($1, $2, $3) RETURNING "id"');
    expect(i).toMatchObject({
      kind: 'insert', tables: ['comments'], mainTable: 'comments', returning: true, onConflict: false,
      insertColumns: ['body', 'post_id', 'created_at'], insertFromSelect: false, valuesRows: 1,
    });
    expect(shape('SAVEPOINT active_record_1').kind).toBe('savepoint');
    expect(shape('RELEASE SAVEPOINT active_record_1').kind).toBe('savepoint');
  });

  it('Hibernate: ? placeholders, aliases resolved, OFFSET … FETCH FIRST ? ROWS ONLY', () => {
    const s = shape(
      'select o1_0.id,o1_0.total from orders o1_0 join customers c1_0 on c1_0.id=o1_0.customer_id where o1_0.customer_id=? and c1_0.region=? order by o1_0.created_at desc offset ? rows fetch first ? rows only',
    );
    expect(s.tables).toEqual(['orders', 'customers']);
    expect(s.keyPredicates).toEqual([
      { column: { table: 'orders', column: 'customer_id' }, op: 'eq', param: 1 },
      { column: { table: 'customers', column: 'region' }, op: 'eq', param: 2 },
    ]);
    expect(s.orderBy).toEqual([{ expr: 'o1_0.created_at', desc: true }]);
    expect([s.offset, s.offsetParam, s.limit, s.limitParam]).toEqual(['param', 3, 'param', 4]);
  });

  it('Sequelize: UPDATE with several SET columns and RETURNING', () => {
    const s = shape('UPDATE "Users" SET "lastSeen"=$1,"updatedAt"=$2 WHERE "id" = $3 RETURNING "id","lastSeen"');
    expect(s).toMatchObject({
      kind: 'update', tables: ['"Users"'], mainTable: '"Users"', hasWhere: true, returning: true,
      updateColumns: ['"lastSeen"', '"updatedAt"'],
      keyPredicates: [{ column: { table: '"Users"', column: 'id' }, op: 'eq', param: 3 }],
    });
  });

  it('TypeORM: aliased "User"."id" AS "User_id", IN list, DISTINCT', () => {
    const s = shape(
      'SELECT DISTINCT "User"."id" AS "User_id", "User"."name" AS "User_name" FROM "user" "User" WHERE "User"."id" IN ($1, $2, $3)',
    );
    expect(s.tables).toEqual(['"user"']);
    expect(s.keyPredicates).toEqual([{ column: { table: '"user"', column: 'id' }, op: 'any', param: 1 }]);
    expect(s.distinct).toBe(true);
    expect(s.distinctOn).toBe(false);
  });

  it('Prisma: "public"."User", OFFSET, count aggregate', () => {
    const s = shape(
      'SELECT "public"."Post"."id", "public"."Post"."title" FROM "public"."Post" WHERE "public"."Post"."authorId" = $1 ORDER BY "public"."Post"."id" ASC LIMIT $2 OFFSET $3',
    );
    expect(s.tables).toEqual(['public."Post"']);
    expect(s.mainTable).toBe('public."Post"');
    expect(s.keyPredicates).toEqual([{ column: { table: 'public."Post"', column: '"authorId"' }, op: 'eq', param: 1 }]);
    expect([s.limit, s.offset]).toEqual(['param', 'param']);
    const c = shape('SELECT COUNT(*) AS "_count._all" FROM (SELECT "public"."User"."id" FROM "public"."User" WHERE 1=1 OFFSET $1) AS "sub"');
    expect(c.aggregates).toEqual(['count']);
    expect(c.subqueries).toBe(1);
    expect(c.tables).toEqual(['public."User"']);
    expect(c.mainTable).toBeNull();
  });

  it('ON CONFLICT, INSERT … SELECT, multi-row VALUES', () => {
    expect(shape('INSERT INTO tags (name) VALUES ($1) ON CONFLICT (name) DO NOTHING').onConflict).toBe(true);
    const sel = shape('INSERT INTO archive (id, body) SELECT id, body FROM posts WHERE created < now()');
    expect(sel).toMatchObject({ insertFromSelect: true, valuesRows: 0, tables: ['archive', 'posts'], mainTable: 'archive' });
    expect(shape("INSERT INTO t (a) VALUES (1), (2), (3)").valuesRows).toBe(1); // collapsed by normalize
    expect(shapeOf('insert into t (a) values ($1), ($2)').valuesRows).toBe(2); // a raw template keeps its rows
  });

  it('DISTINCT ON, FOR UPDATE, literal LIMIT, window calls are not aggregates', () => {
    const s = shapeOf(
      'select distinct on (p.holder_id) p.holder_id, p.price, row_number() over (partition by p.holder_id) from prices p where p.holder_id = any($1) order by p.holder_id, p.at desc limit 1 for update',
    );
    expect(s).toMatchObject({
      distinctOn: true, distinct: false, forUpdate: true, limit: 1, limitParam: null, aggregates: [],
      keyPredicates: [{ column: { table: 'prices', column: 'holder_id' }, op: 'any', param: 1 }],
      orderBy: [{ expr: 'p.holder_id', desc: false }, { expr: 'p.at', desc: true }],
    });
    expect(shapeOf('select * from t limit all').limit).toBeNull();
    expect(shapeOf('select count(*) filter (where a > $1), max(b) from t').aggregates).toEqual(['count', 'max']);
  });

  it('unqualified columns belong to the only table; $n = col works both ways; casts on params', () => {
    const s = shapeOf('select * from users where $1 = org_id and email = $2::text and id > $3');
    expect(s.keyPredicates).toEqual([
      { column: { table: 'users', column: 'org_id' }, op: 'eq', param: 1 },
      { column: { table: 'users', column: 'email' }, op: 'eq', param: 2 },
    ]);
    expect(shapeOf('select * from a join b on a.id = b.a_id where x = $1').keyPredicates).toEqual([
      { column: { table: null, column: 'x' }, op: 'eq', param: 1 },
    ]);
    // OR is not a key predicate
    expect(shapeOf('select * from t where a = $1 or b = $2').keyPredicates).toEqual([]);
  });

  it('statement kinds', () => {
    const kinds = ['BEGIN', 'START TRANSACTION', 'COMMIT', 'END', 'ROLLBACK', 'ROLLBACK TO SAVEPOINT s', "SET search_path = 'x'", 'RESET ALL', 'SHOW work_mem', 'COPY t FROM STDIN', 'CREATE TABLE t (a int)', 'ALTER TABLE t ADD COLUMN b int', 'DROP INDEX i', 'TRUNCATE t', 'VACUUM ANALYZE t', 'LISTEN ch', 'DELETE FROM t WHERE id = 1', 'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE'].map((q) => shape(q).kind);
    expect(kinds).toEqual(['begin', 'begin', 'commit', 'commit', 'rollback', 'savepoint', 'set', 'set', 'show', 'copy', 'ddl', 'ddl', 'ddl', 'ddl', 'utility', 'utility', 'delete', 'other']);
  });

  it('CTE names are not tables; the main table is what the CTE reads', () => {
    const s = shapeOf('with recent as (select * from orders where at > now()) select * from recent join customers c on c.id = recent.customer_id');
    expect(s.tables).toEqual(['orders', 'customers']);
    expect(s.mainTable).toBe('orders');
    expect(s.subqueries).toBe(1);
  });
});

describe('templates the grammar rejects', () => {
  beforeEach(() => resetShapeCache());

  it('fall back to tokens and are counted once per template', () => {
    const t = normalize('SELEC id FROM users WHERE id = 5 LIMIT 10').template;
    const s = shapeOf(t);
    shapeOf(t);
    expect(s).toMatchObject({ parsed: false, kind: 'utility', tables: ['users'], mainTable: 'users', hasWhere: true, limit: 'param', limitParam: 2 });
    const trunc = shapeOf('select a, b from orders o where o.customer_id = $1 and (');
    expect(trunc).toMatchObject({ parsed: false, kind: 'select', tables: ['orders'], mainTable: 'orders', hasWhere: true });
    shapeOf('select 1');
    expect(templatesWithoutAst()).toBe(2);
    expect(astSupport()).toEqual({ templates: 3, parsed: 1, withoutAst: 2, share: 1 / 3 });
  });
});

describe('parseCheck', () => {
  it('answers whether PostgreSQL accepts the text, ORM placeholders included', () => {
    expect(parseCheck('select * from t where id = any($1)')).toBe(true);
    expect(parseCheck('select * from t where id = ? and x = %(x)s')).toBe(true);
    expect(parseCheck('UPDATE t SET a = v.a FROM (VALUES (1, 2)) AS v(id, a) WHERE t.id = v.id')).toBe(true);
    expect(parseCheck('select * from where')).toBe(false);
    expect(parseCheck('SELEC 1')).toBe(false);
  });
});
