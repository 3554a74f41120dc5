import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findingsOfLog, testKind } from '../../support/kind-tester.js';

testKind('n-plus-one', {
  valid: [
    {
      name: "pooled connections idle for seconds are not new ones: their lookups a moment after another request's parent are their own",
      log: `
        12:00:00.000 [8] SELECT user_id FROM sessions WHERE token = 'a'
        12:00:00.001 [9] SELECT user_id FROM sessions WHERE token = 'b'
        12:00:03.000 [7] SELECT id, author_id FROM books WHERE id <= 3
        12:00:03.020 [7] SELECT id, name FROM authors WHERE id = 1
        12:00:03.095 [8] SELECT id, name FROM authors WHERE id = 2
        12:00:03.098 [9] SELECT id, name FROM authors WHERE id = 3
      `,
    },
    {
      name: "a table read in batches (Rails' find_each: keyset pages of 1,000) is the fix for loading it whole, not an N+1",
      log: `
        12:00:00.000 [7] (3.1 ms) SELECT "users".* FROM "users" ORDER BY "users"."id" ASC LIMIT 1000
        12:00:00.040 [7] (3.0 ms) SELECT "users".* FROM "users" WHERE "users"."id" > 1000 ORDER BY "users"."id" ASC LIMIT 1000
        12:00:00.080 [7] (3.0 ms) SELECT "users".* FROM "users" WHERE "users"."id" > 2000 ORDER BY "users"."id" ASC LIMIT 1000
        12:00:00.120 [7] (3.0 ms) SELECT "users".* FROM "users" WHERE "users"."id" > 3000 ORDER BY "users"."id" ASC LIMIT 1000
        12:00:00.160 [7] (3.0 ms) SELECT "users".* FROM "users" WHERE "users"."id" > 4000 ORDER BY "users"."id" ASC LIMIT 1000
        12:00:00.200 [7] (3.0 ms) SELECT "users".* FROM "users" WHERE "users"."id" > 5000 ORDER BY "users"."id" ASC LIMIT 1000
        12:00:00.240 [7] (3.0 ms) SELECT "users".* FROM "users" WHERE "users"."id" > 6000 ORDER BY "users"."id" ASC LIMIT 1000
      `,
    },
    {
      name: 'a warm pool: a parent and its one lookup, and two other requests\' lookups at the same moment',
      log: `
        12:00:00.000 [8] SELECT user_id FROM sessions WHERE token = 'a'
        12:00:00.001 [9] SELECT user_id FROM sessions WHERE token = 'b'
        12:00:00.300 [7] SELECT id, author_id FROM books WHERE id <= 3
        12:00:00.320 [7] SELECT id, name FROM authors WHERE id = 1
        12:00:00.325 [8] SELECT id, name FROM authors WHERE id = 2
        12:00:00.330 [9] SELECT id, name FROM authors WHERE id = 3
      `,
    },
    {
      name: 'eager loading: the parent and one = ANY query',
      log: `
        12:00:00.001 [7] SELECT id, total FROM orders WHERE customer_id = 42
        12:00:00.002 [7] SELECT * FROM order_items WHERE order_id = ANY('{1,2,3,4,5,6}')
      `,
    },
    {
      name: 'four lookups: below the threshold with no parent in sight',
      log: `
        12:00:00.001 [7] SELECT * FROM products WHERE id = 1
        12:00:00.002 [7] SELECT * FROM products WHERE id = 2
        12:00:00.003 [7] SELECT * FROM products WHERE id = 3
        12:00:00.004 [7] SELECT * FROM products WHERE id = 4
      `,
    },
    {
      name: 'pooled traffic: independent requests each run one session lookup and one product lookup',
      log: `
        12:00:00.001 [11] SELECT * FROM sessions WHERE token = 'a1'
        12:00:00.002 [11] SELECT * FROM products WHERE id = 1
        12:00:00.101 [11] SELECT * FROM sessions WHERE token = 'b2'
        12:00:00.102 [11] SELECT * FROM products WHERE id = 2
        12:00:00.201 [11] SELECT * FROM sessions WHERE token = 'c3'
        12:00:00.202 [11] SELECT * FROM products WHERE id = 3
        12:00:00.301 [11] SELECT * FROM sessions WHERE token = 'd4'
        12:00:00.302 [11] SELECT * FROM products WHERE id = 4
        12:00:00.401 [11] SELECT * FROM sessions WHERE token = 'e5'
        12:00:00.402 [11] SELECT * FROM products WHERE id = 5
        12:00:00.501 [11] SELECT * FROM sessions WHERE token = 'f6'
        12:00:00.502 [11] SELECT * FROM products WHERE id = 6
      `,
    },
    {
      name: "a connection per request (Django): six requests at once, each runs its own parent query and then its one lookup",
      log: `
        12:00:00.001 [21] SELECT * FROM authors WHERE id = 4
        12:00:00.003 [22] SELECT * FROM authors WHERE id = 7
        12:00:00.004 [21] SELECT * FROM books WHERE author_id = 4
        12:00:00.005 [23] SELECT * FROM authors WHERE id = 13
        12:00:00.006 [22] SELECT * FROM books WHERE author_id = 7
        12:00:00.008 [24] SELECT * FROM authors WHERE id = 18
        12:00:00.009 [23] SELECT * FROM books WHERE author_id = 13
        12:00:00.010 [25] SELECT * FROM authors WHERE id = 20
        12:00:00.011 [24] SELECT * FROM books WHERE author_id = 18
        12:00:00.012 [26] SELECT * FROM authors WHERE id = 23
        12:00:00.013 [25] SELECT * FROM books WHERE author_id = 20
        12:00:00.015 [26] SELECT * FROM books WHERE author_id = 23
      `,
    },
    {
      name: 'the same lookups one request after another, a pause before each',
      log: `
        12:00:00.000 [7] SELECT * FROM products WHERE id = 1
        12:00:00.200 [7] SELECT * FROM products WHERE id = 2
        12:00:00.400 [7] SELECT * FROM products WHERE id = 3
        12:00:00.600 [7] SELECT * FROM products WHERE id = 4
        12:00:00.800 [7] SELECT * FROM products WHERE id = 5
        12:00:01.000 [7] SELECT * FROM products WHERE id = 6
      `,
    },
    {
      name: 'requests interleaved on one pooled connection: two parents, then one lookup for each',
      log: `
        12:00:00.001 [11] SELECT * FROM authors WHERE id = 13
        12:00:00.002 [11] SELECT * FROM authors WHERE id = 14
        12:00:00.003 [11] SELECT * FROM books WHERE author_id = 13
        12:00:00.004 [11] SELECT * FROM books WHERE author_id = 14
      `,
    },
    {
      name: 'two lookups after a parent with the same key are a duplicate, not a loop',
      allow: ['duplicate-query'],
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id FROM orders WHERE customer_id = 42
        12:00:00.002 [7] SELECT * FROM customers WHERE id = 42
        12:00:00.003 [7] SELECT * FROM customers WHERE id = 42
        12:00:00.004 [7] COMMIT
      `,
    },
    {
      name: 'two lookups with other work between them are not a run',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id FROM orders WHERE customer_id = 42
        12:00:00.002 [7] SELECT * FROM customers WHERE id = 1
        12:00:00.003 [7] UPDATE carts SET seen = true WHERE id = 9
        12:00:00.004 [7] SELECT * FROM customers WHERE id = 2
        12:00:00.005 [7] COMMIT
      `,
    },
  ],
  invalid: [
    {
      name: "whole-second times (%t), a test suite's seed data: a.user.occupation over 4 addresses right after them, a block of two lookups 4 times, is an N+1 per relation",
      log: `
        12:00:01.000 [7] SELECT id, user_id, city FROM np_addresses WHERE id <= 4 ORDER BY id
        12:00:01.000 [7] SELECT id, name FROM np_users WHERE id = 1 LIMIT 21
        12:00:01.000 [7] SELECT id, user_id, name FROM np_occupations WHERE user_id = 1 LIMIT 21
        12:00:01.000 [7] SELECT id, name FROM np_users WHERE id = 2 LIMIT 21
        12:00:01.000 [7] SELECT id, user_id, name FROM np_occupations WHERE user_id = 2 LIMIT 21
        12:00:01.000 [7] SELECT id, name FROM np_users WHERE id = 3 LIMIT 21
        12:00:01.000 [7] SELECT id, user_id, name FROM np_occupations WHERE user_id = 3 LIMIT 21
        12:00:01.000 [7] SELECT id, name FROM np_users WHERE id = 1 LIMIT 21
        12:00:01.000 [7] SELECT id, user_id, name FROM np_occupations WHERE user_id = 1 LIMIT 21
      `,
      findings: [
        { kind: 'n-plus-one', tables: ['np_users'], repeats: 4, confidence: 'medium' },
        { kind: 'n-plus-one', tables: ['np_occupations'], repeats: 4, confidence: 'medium' },
      ],
    },
    {
      name: 'Promise.all on a pool still opening its connections: one lookup on the parent\'s, the others a login later on new ones',
      log: `
        12:00:00.000 [7] SELECT id, author_id FROM books WHERE id <= 3
        12:00:00.020 [7] SELECT id, name FROM authors WHERE id = 1
        12:00:00.095 [8] SELECT id, name FROM authors WHERE id = 2
        12:00:00.098 [9] SELECT id, name FROM authors WHERE id = 3
      `,
      findings: [{ kind: 'n-plus-one', tables: ['authors'], repeats: 3, confidence: 'high', parent: 'select id, author_id from books where id <= $1' }],
    },
    {
      name: "a loop of two right after its parent: a test suite's seed data",
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id FROM posts WHERE published
        12:00:00.002 [7] SELECT * FROM comments WHERE post_id = 1
        12:00:00.003 [7] SELECT * FROM comments WHERE post_id = 2
        12:00:00.004 [7] COMMIT
      `,
      findings: [{ kind: 'n-plus-one', tables: ['comments'], repeats: 2, confidence: 'high', parent: 'select id from posts where published' }],
    },
    {
      name: 'two relations per row, the second deduplicated by the identity map: one N+1 each',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id, holder_id, series_id FROM debentures WHERE fund_id = 3
        12:00:00.002 [7] SELECT * FROM holders WHERE id = 1
        12:00:00.003 [7] SELECT * FROM series WHERE id = 7
        12:00:00.004 [7] SELECT * FROM holders WHERE id = 2
        12:00:00.005 [7] SELECT * FROM holders WHERE id = 3
        12:00:00.006 [7] SELECT * FROM series WHERE id = 8
        12:00:00.007 [7] SELECT * FROM holders WHERE id = 4
        12:00:00.008 [7] SELECT * FROM holders WHERE id = 5
        12:00:00.009 [7] COMMIT
      `,
      findings: [
        { kind: 'n-plus-one', tables: ['holders'], repeats: 5, confidence: 'high', distinctKeys: 5, parent: 'select id, holder_id, series_id from debentures where fund_id = $1' },
        { kind: 'n-plus-one', tables: ['series'], repeats: 2, confidence: 'high', distinctKeys: 2, parent: 'select id, holder_id, series_id from debentures where fund_id = $1' },
      ],
    },
    {
      name: 'schema introspection and settings between the parent and its lookups do not break the chain',
      log: `
        12:00:00.000 [8 app=job] SELECT id FROM users WHERE active
        12:00:00.004 [8 app=job] SELECT a.attname FROM pg_attribute a WHERE a.attrelid = 16384
        12:00:00.005 [8 app=job] SHOW search_path
        12:00:00.009 [8 app=job] SELECT * FROM profiles WHERE user_id = 1
        12:00:00.010 [8 app=job] SELECT a.attname FROM pg_attribute a WHERE a.attrelid = 16390
        12:00:00.015 [8 app=job] SELECT * FROM profiles WHERE user_id = 2
        12:00:00.021 [8 app=job] SELECT * FROM profiles WHERE user_id = 3
      `,
      findings: [{ kind: 'n-plus-one', tables: ['profiles'], repeats: 3, confidence: 'medium', parent: 'select id from users where active' }],
    },
    {
      name: 'a lookup per order inside one transaction, after the orders query',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id, total FROM orders WHERE customer_id = 42
        12:00:00.002 [7] SELECT * FROM order_items WHERE order_id = 1
        12:00:00.003 [7] SELECT * FROM order_items WHERE order_id = 2
        12:00:00.004 [7] SELECT * FROM order_items WHERE order_id = 3
        12:00:00.005 [7] SELECT * FROM order_items WHERE order_id = 4
        12:00:00.006 [7] SELECT * FROM order_items WHERE order_id = 5
        12:00:00.007 [7] COMMIT
      `,
      findings: [
        {
          kind: 'n-plus-one',
          tables: ['order_items'],
          repeats: 5,
          confidence: 'high',
          keyColumns: ['order_id'],
          distinctKeys: 5,
          parent: 'select id, total from orders where customer_id = $1',
        },
      ],
    },
    {
      name: 'back to back in autocommit after the parent, as a web request runs it',
      log: `
        12:00:00.000 [9 app=web] SELECT id FROM authors ORDER BY name LIMIT 20
        12:00:00.001 [9 app=web] SELECT * FROM books WHERE author_id = 10
        12:00:00.002 [9 app=web] SELECT * FROM books WHERE author_id = 11
        12:00:00.003 [9 app=web] SELECT * FROM books WHERE author_id = 12
        12:00:00.004 [9 app=web] SELECT * FROM books WHERE author_id = 13
        12:00:00.005 [9 app=web] SELECT * FROM books WHERE author_id = 14
        12:00:00.006 [9 app=web] SELECT * FROM books WHERE author_id = 15
      `,
      findings: [{ kind: 'n-plus-one', tables: ['books'], repeats: 6, confidence: 'medium', keyColumns: ['author_id'], parent: 'select id from authors order by name limit $1' }],
    },
    {
      name: 'two relations per parent row, each key looked up once: the second loop follows the first, and both have the parent',
      log: `
        12:00:00.000 [7] SELECT id, holder_id, series_id FROM debentures WHERE batch = 2 ORDER BY id
        12:00:00.001 [7] SELECT id, name FROM holders WHERE id = 2
        12:00:00.002 [7] SELECT id, name FROM holders WHERE id = 1
        12:00:00.003 [7] SELECT id, name FROM series WHERE id = 2
        12:00:00.004 [7] SELECT id, name FROM series WHERE id = 1
      `,
      findings: [
        { kind: 'n-plus-one', tables: ['holders'], repeats: 2, confidence: 'medium', keyColumns: ['id'], parent: 'select id, holder_id, series_id from debentures where batch = $1 order by id' },
        { kind: 'n-plus-one', tables: ['series'], repeats: 2, confidence: 'medium', keyColumns: ['id'], parent: 'select id, holder_id, series_id from debentures where batch = $1 order by id' },
      ],
    },
    {
      name: 'an ORM without an identity map loads the same author again for the next post by them (keys 1, 2, 2, 2): still one loop',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id, writer_id FROM posts ORDER BY id
        12:00:00.002 [7] SELECT * FROM users WHERE id = 1 LIMIT 1
        12:00:00.003 [7] SELECT * FROM users WHERE id = 2 LIMIT 1
        12:00:00.004 [7] SELECT * FROM users WHERE id = 2 LIMIT 1
        12:00:00.005 [7] SELECT * FROM users WHERE id = 2 LIMIT 1
        12:00:00.006 [7] COMMIT
      `,
      findings: [{ kind: 'n-plus-one', tables: ['users'], repeats: 4, confidence: 'high', distinctKeys: 2, parent: 'select id, writer_id from posts order by id' }],
    },
    {
      name: 'two has-many relations read per parent row over two rows (a test suite\'s seed data): posts, entries, posts, entries, with catalog queries on first touch',
      log: `
        12:00:00.000 [7] SELECT categories.* FROM categories WHERE categories.site_id = 3 ORDER BY categories.id ASC
        12:00:00.003 [7] SHOW search_path
        12:00:00.004 [7] SELECT posts.* FROM posts WHERE posts.category_id = 1 ORDER BY posts.id ASC
        12:00:00.017 [7] SELECT a.attname FROM pg_attribute a WHERE a.attrelid = 'entries'::regclass
        12:00:00.021 [7] SELECT entries.* FROM entries WHERE entries.category_id = 1
        12:00:00.038 [7] SELECT c.relname FROM pg_class c WHERE c.relname = 'comments'
        12:00:00.040 [7] SELECT posts.* FROM posts WHERE posts.category_id = 2 ORDER BY posts.id ASC
        12:00:00.042 [7] SELECT entries.* FROM entries WHERE entries.category_id = 2
      `,
      findings: [
        { kind: 'n-plus-one', tables: ['posts'], repeats: 2, confidence: 'medium', parent: 'select categories.* from categories where categories.site_id = $1 order by categories.id asc' },
        { kind: 'n-plus-one', tables: ['entries'], repeats: 2, confidence: 'medium', parent: 'select categories.* from categories where categories.site_id = $1 order by categories.id asc' },
      ],
    },
    {
      name: 'a threshold of 3 from the options finds a loop of three',
      options: { minRepeats: 3 },
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT * FROM orders WHERE status = 'open'
        12:00:00.002 [7] SELECT * FROM customers WHERE id = 1
        12:00:00.003 [7] SELECT * FROM customers WHERE id = 2
        12:00:00.004 [7] SELECT * FROM customers WHERE id = 3
        12:00:00.005 [7] COMMIT
      `,
      findings: [{ kind: 'n-plus-one', tables: ['customers'], repeats: 3, confidence: 'high' }],
    },
  ],
});

describe('n-plus-one in an ORM log (one stream, no times, no connections)', () => {
  it('two relations per parent row, each key looked up once: the second loop follows the first, and both have the parent', () => {
    const log = [
      'Executed (default): SELECT "id", "holder_id", "series_id" FROM "debentures" AS "Debenture" WHERE "Debenture"."batch" = 2 ORDER BY "Debenture"."id" ASC; Elapsed time: 2ms',
      'Executed (default): SELECT "id", "name" FROM "holders" AS "Holder" WHERE "Holder"."id" = 2; Elapsed time: 1ms',
      'Executed (default): SELECT "id", "name" FROM "holders" AS "Holder" WHERE "Holder"."id" = 1; Elapsed time: 1ms',
      'Executed (default): SELECT "id", "name" FROM "series" AS "Series" WHERE "Series"."id" = 2; Elapsed time: 1ms',
      'Executed (default): SELECT "id", "name" FROM "series" AS "Series" WHERE "Series"."id" = 1; Elapsed time: 1ms',
    ].join('\n');
    const got = findingsOfLog(log, 'sequelize').map((f) => `${f.kind}[${f.tables.join(',')}]×${f.repeats} after ${f.evidence.parent?.template.split(' from ')[1]?.split(' ')[0]}`);
    expect(got).toEqual(['n-plus-one[holders]×2 after debentures', 'n-plus-one[series]×2 after debentures']);
  });

  it('requests of threads merged into one log: two parents by id, then each one\'s books by author_id, is no loop', () => {
    const log = [
      'Executed (default): SELECT "id", "name" FROM "authors" AS "Author" WHERE "Author"."id" = 13; Elapsed time: 1ms',
      'Executed (default): SELECT "id", "name" FROM "authors" AS "Author" WHERE "Author"."id" = 14; Elapsed time: 1ms',
      'Executed (default): SELECT "id", "title" FROM "books" AS "Book" WHERE "Book"."author_id" = 13; Elapsed time: 1ms',
      'Executed (default): SELECT "id", "title" FROM "books" AS "Book" WHERE "Book"."author_id" = 14; Elapsed time: 1ms',
    ].join('\n');
    expect(findingsOfLog(log, 'sequelize').map((f) => f.kind)).toEqual([]);
  });

  it('five requests of a pool each loading their set of labels (ActiveRecord, no times, no connections) is no loop', () => {
    const insert = (r: number) =>
      `  Label Bulk Insert (0.9ms)  INSERT INTO "labels" ("name") VALUES ('r${r}:1'), ('r${r}:2'), ('r${r}:3') ON CONFLICT  DO NOTHING RETURNING "id"\n  ↳ app/jobs/tag.rb:12:in \`block in <main>'`;
    const load = (r: number) =>
      `  Label Load (0.7ms)  SELECT "labels".* FROM "labels" WHERE "labels"."name" IN ($1, $2, $3)  [["name", "r${r}:1"], ["name", "r${r}:2"], ["name", "r${r}:3"]]\n  ↳ app/jobs/tag.rb:13:in \`block in <main>'`;
    // the threads' statements interleave as a recorded log's did
    const log = [insert(2), load(2), insert(4), insert(3), load(4), insert(0), load(3), load(0), insert(1), load(1)].join('\n');
    expect(findingsOfLog(log, 'rails').map((f) => f.kind)).toEqual([]);
    // one key per statement is still one lookup per row
    const perRow = [1, 2, 3, 4, 5].map((r) => `  Label Load (0.7ms)  SELECT "labels".* FROM "labels" WHERE "labels"."name" IN ($1)  [["name", "r${r}:1"]]`).join('\n');
    expect(findingsOfLog(perRow, 'rails').map((f) => `${f.kind}×${f.repeats}`)).toEqual(['n-plus-one×5']);
  });
});

describe('n-plus-one evidence about the parent', () => {
  const debugLog = readFileSync('tests/fixtures/orm/sqlalchemy/debug.log', 'utf8');
  const bookLoop = (log: string) => findingsOfLog(log, 'sqlalchemy').find((f) => f.kind === 'n-plus-one' && f.tables[0] === 'books')!;

  it('says the keys came from the parent only when its logged rows hold them (SQLAlchemy echo="debug")', () => {
    const f = bookLoop(debugLog);
    expect(f.evidence.confidence).toBe('high');
    expect(f.evidence.basis.slice(1)).toEqual(['after its parent query, SELECT at case.log:77', "every loop key appears in the parent's logged rows"]);
  });

  it("says so when the parent's logged rows do not hold the loop's keys, and claims no more than that it ran before", () => {
    // the authors query returned other ids than the ones the loop then asked for
    const other = debugLog.replace(/Row \(([1-5]), 'author \1'\)/g, (_m, d) => `Row (${Number(d) + 100}, 'author ${Number(d) + 100}')`);
    const f = bookLoop(other);
    // one transaction still, but the parent no longer adds to it
    expect(f.evidence.confidence).toBe('medium');
    expect(f.evidence.basis.slice(1)).toEqual(['after its parent query, SELECT at case.log:77', "the parent's logged rows do not hold every loop key"]);
    expect(f.evidence.basis.join(' ')).not.toMatch(/supplies/);
  });
});
