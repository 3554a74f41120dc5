/** ORM detection per finding (log format, tags, application_name, SQL shape) and the advice that follows. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { adviceFor, detectOrm, suggest } from '../../src/rewrite/index.js';
import { ormFromSql, ormFromTags } from '../../src/rewrite/orm.js';
import { draftOf, draftsOf, repoRoot, stmtsOf } from './support.js';

// one real statement per ORM, as each writes it (from tests/fixtures/orm and the ORMs' documented output)
const SHAPES: [string, string][] = [
  ['sqlalchemy', 'SELECT books.id AS books_id, books.author_id AS books_author_id, books.title AS books_title FROM books WHERE %(param_1)s = books.author_id'],
  ['sqlalchemy', 'SELECT anon_1.id FROM (SELECT users.id AS id FROM users) AS anon_1'],
  ['django', 'SELECT "authors"."id", "authors"."name" FROM "authors" WHERE "authors"."id" = 1 LIMIT 21'],
  ['django', 'SELECT "blog_entry"."id", "blog_entry"."headline" FROM "blog_entry" WHERE "blog_entry"."blog_id" = 3'],
  ['rails', 'SELECT "books".* FROM "books" WHERE "books"."author_id" = $1 ORDER BY "books"."id" ASC'],
  ['sequelize', 'SELECT "id", "title", "authorId" FROM "Books" AS "Book" WHERE "Book"."authorId" = 1;'],
  ['typeorm', 'SELECT "Book"."id" AS "Book_id", "Book"."title" AS "Book_title" FROM "book" "Book" WHERE "Book"."authorId" = $1'],
  ['prisma', 'SELECT "public"."Book"."id", "public"."Book"."title" FROM "public"."Book" WHERE "public"."Book"."authorId" = $1 OFFSET $2'],
  ['hibernate', 'select b1_0.author_id,b1_0.id,b1_0.title from book b1_0 where b1_0.author_id=?'],
  ['hibernate', 'select books0_.author_id as author_i4_1_0_, books0_.id as id1_1_0_ from book books0_ where books0_.author_id=?'],
  ['gorm', 'SELECT * FROM "books" WHERE author_id = 1 AND "books"."deleted_at" IS NULL'],
  ['gorm', 'SELECT * FROM `books` WHERE author_id = 1 AND `books`.`deleted_at` IS NULL'],
];

describe('ORM from the SQL shape', () => {
  it.each(SHAPES)('%s: %s', (orm, sql) => {
    expect(ormFromSql(sql)).toBe(orm);
  });

  it('plain hand-written SQL is no ORM', () => {
    for (const sql of [
      'SELECT product_id, quantity FROM order_items WHERE order_id = $1',
      'SELECT count(*) AS orders FROM orders WHERE customer_id = 12',
      'UPDATE products SET price_cents = $1 WHERE id = $2',
    ])
      expect(ormFromSql(sql)).toBeNull();
  });
});

describe('ORM from tags and application_name', () => {
  it('Prisma 7 prismaQuery, a sqlcommenter framework tag, Rails query log tags', () => {
    expect(ormFromTags({ prismaQuery: 'Book.findMany:e30' })).toBe('prisma');
    expect(ormFromTags({ framework: 'django:4.2.1', route: '/books' })).toBe('django');
    expect(ormFromTags({ framework: 'sqlalchemy:2.0.30' })).toBe('sqlalchemy');
    expect(ormFromTags({ application: 'Bookshop', controller: 'books', action: 'index' })).toBe('rails');
    expect(ormFromTags({ traceparent: '00-abc-def-01' })).toBeNull();
  });

  it('order: log format, then tags, then application_name, then SQL shape', () => {
    const tagged = stmtsOf(["SELECT id FROM orders WHERE customer_id = 1 /*prismaQuery='Order.findMany:e30'*/", "SELECT id FROM orders WHERE customer_id = 2 /*prismaQuery='Order.findMany:e30'*/"]);
    const d = draftOf('n-plus-one', tagged);
    expect(detectOrm(d, 'typeorm')).toBe('typeorm');
    expect(detectOrm(d, null, ['rails-app'])).toBe('prisma');
    const plain = draftOf('n-plus-one', stmtsOf(['SELECT id FROM orders WHERE customer_id = 1', 'SELECT id FROM orders WHERE customer_id = 2']));
    expect(detectOrm(plain, null, ['billing-sqlalchemy'])).toBe('sqlalchemy');
    expect(detectOrm(plain, null, ['billing'])).toBeNull();
  });

  it('unknown ORM: SQL advice only, and the summary says so; no orm field', () => {
    const d = draftOf('per-row-delete', stmtsOf(['DELETE FROM audit_log WHERE id = 1', 'DELETE FROM audit_log WHERE id = 2']));
    const s = suggest(d, null);
    expect(s.orm).toBeUndefined();
    expect(s.summary).toContain('SQL advice only');
  });
});

describe('advice per ORM and kind', () => {
  const d = (kind: Parameters<typeof draftOf>[0]) => ({ ...draftOf(kind, [], null, { keyColumns: ['"authorId"'] }), tables: ['books'] });
  it.each([
    ['sqlalchemy', 'n-plus-one', 'selectinload'],
    ['sqlalchemy', 'per-row-insert', 'session.execute(insert(T)'],
    ['django', 'n-plus-one', 'prefetch_related("books")'],
    ['django', 'aggregate-loop', 'annotate(n=Count("books")'],
    ['django', 'latest-per-parent', 'OuterRef'],
    ['django', 'per-row-update', 'bulk_update'],
    ['rails', 'n-plus-one', 'strict_loading'],
    ['rails', 'select-then-insert', 'insert_all'],
    ['rails', 'aggregate-loop', 'counter_cache'],
    ['hibernate', 'n-plus-one', '@EntityGraph'],
    ['hibernate', 'per-row-insert', 'hibernate.jdbc.batch_size'],
    ['prisma', 'n-plus-one', 'relationLoadStrategy: "join"'],
    ['prisma', 'per-row-insert', 'createMany'],
    ['sequelize', 'per-row-update', 'updateOnDuplicate'],
    ['typeorm', 'n-plus-one', 'leftJoinAndSelect'],
    ['typeorm', 'per-row-insert', 'insert().values('],
    ['gorm', 'n-plus-one', 'db.Preload("Books")'],
    ['gorm', 'per-row-insert', 'CreateInBatches'],
    ['gorm', 'select-then-insert', 'clause.OnConflict'],
  ] as const)('%s %s → %s', (orm, kind, want) => {
    const text = adviceFor(orm, d(kind));
    expect(text).toContain(want);
    expect(text).not.toMatch(/\{[tTk]\}|\{-?o\}|\{dir\}|\{DIR\}|""/);
  });

  it('latest-per-parent advice orders as the loop did (ORDER BY id ASC is the first row, not the newest)', () => {
    const loop = stmtsOf(['SELECT * FROM legs WHERE chair_id = 1 ORDER BY id ASC LIMIT 1', 'SELECT * FROM legs WHERE chair_id = 2 ORDER BY id ASC LIMIT 1']);
    const draft = { ...draftOf('latest-per-parent', loop, null, { keyColumns: ['chair_id'] }), tables: ['legs'] };
    expect(suggest(draft, 'rails').orm!.advice).toContain('.order(:chair_id, id: :asc)');
    expect(suggest(draft, 'django').orm!.advice).toContain('.order_by("chair_id", "id")');
    const newest = stmtsOf(['SELECT * FROM orders WHERE customer_id = 1 ORDER BY placed_at DESC LIMIT 1', 'SELECT * FROM orders WHERE customer_id = 2 ORDER BY placed_at DESC LIMIT 1']);
    const d2 = { ...draftOf('latest-per-parent', newest, null, { keyColumns: ['customer_id'] }), tables: ['orders'] };
    expect(suggest(d2, 'sqlalchemy').orm!.advice).toContain('T.placed_at.desc()');
    expect(suggest(d2, 'typeorm').orm!.advice).toContain('.addOrderBy("c.placed_at", "DESC")');
  });
});

describe('the ORM named is the one that wrote the fixture log', () => {
  const root = path.join(repoRoot, 'tests/fixtures/orm');
  for (const orm of readdirSync(root)) {
    it(orm, async () => {
      const files = readdirSync(path.join(root, orm)).filter((f) => /\.(log|jsonl)$/.test(f) && !f.includes('.server.'));
      let findings = 0;
      for (const f of files) {
        const { result } = await draftsOf(path.join(root, orm, f));
        for (const finding of result.findings) {
          findings++;
          expect(finding.suggestion?.orm?.name, `${f} ${finding.kind}`).toBe(orm);
        }
      }
      expect(findings).toBeGreaterThan(0);
    }, 60_000);
  }
});
