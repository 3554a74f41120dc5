import { describe, expect, it } from 'vitest';
import { findingsOfLog, testKind } from '../../support/kind-tester.js';

testKind('select-then-insert', {
  valid: [
    {
      name: 'INSERT … ON CONFLICT over all rows',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] INSERT INTO tags (name) VALUES ('a'), ('b'), ('c') ON CONFLICT (name) DO NOTHING
        12:00:00.002 [7] COMMIT
      `,
    },
    {
      name: 'the same lookup and insert once',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id FROM tags WHERE name = 'a'
        12:00:00.002 [7] INSERT INTO tags (name) VALUES ('a')
        12:00:00.003 [7] COMMIT
      `,
    },
    {
      name: 'one get-or-create after its parent',
      log: `
        12:00:00.000 [7] SELECT id FROM authors WHERE id <= 1
        12:00:00.002 [7] SELECT id FROM labels WHERE name = 'a'
        12:00:00.003 [7] INSERT INTO labels (name) VALUES ('a') RETURNING id
      `,
    },
    {
      name: 'requests in a row on a pooled connection, each creating its own row after its own lookup',
      log: `
        12:00:00.000 [7] SELECT id FROM sessions WHERE token = 't1'
        12:00:00.001 [7] SELECT id FROM labels WHERE name = 'a'
        12:00:00.002 [7] INSERT INTO labels (name) VALUES ('a') RETURNING id
        12:00:00.060 [7] SELECT id FROM sessions WHERE token = 't2'
        12:00:00.061 [7] SELECT id FROM labels WHERE name = 'b'
        12:00:00.062 [7] INSERT INTO labels (name) VALUES ('b') RETURNING id
        12:00:00.120 [7] SELECT id FROM sessions WHERE token = 't3'
        12:00:00.121 [7] SELECT id FROM labels WHERE name = 'c'
        12:00:00.122 [7] INSERT INTO labels (name) VALUES ('c') RETURNING id
      `,
    },
    {
      name: 'whole-second times, requests in a row on a pooled connection, each a session lookup then one get-or-create',
      log: `
        12:00:00.000 [7] SELECT id FROM sessions WHERE token = 't0'
        12:00:00.000 [7] SELECT id FROM labels WHERE name = 'l0'
        12:00:00.000 [7] INSERT INTO labels (name) VALUES ('l0') RETURNING id
        12:00:00.000 [7] SELECT id FROM sessions WHERE token = 't1'
        12:00:00.000 [7] SELECT id FROM labels WHERE name = 'l1'
        12:00:00.000 [7] INSERT INTO labels (name) VALUES ('l1') RETURNING id
        12:00:01.000 [7] SELECT id FROM sessions WHERE token = 't2'
        12:00:01.000 [7] SELECT id FROM labels WHERE name = 'l2'
        12:00:01.000 [7] INSERT INTO labels (name) VALUES ('l2') RETURNING id
        12:00:01.000 [7] SELECT id FROM sessions WHERE token = 't3'
        12:00:01.000 [7] SELECT id FROM labels WHERE name = 'l3'
        12:00:01.000 [7] INSERT INTO labels (name) VALUES ('l3') RETURNING id
        12:00:02.000 [7] SELECT id FROM sessions WHERE token = 't4'
        12:00:02.000 [7] SELECT id FROM labels WHERE name = 'l4'
        12:00:02.000 [7] INSERT INTO labels (name) VALUES ('l4') RETURNING id
        12:00:02.000 [7] SELECT id FROM sessions WHERE token = 't5'
        12:00:02.000 [7] SELECT id FROM labels WHERE name = 'l5'
        12:00:02.000 [7] INSERT INTO labels (name) VALUES ('l5') RETURNING id
      `,
    },
  ],
  invalid: [
    {
      name: 'three threads writing one log: their get-or-creates interleave, each INSERT a lookup or two after its own',
      log: `
        12:00:00.000 [7] SELECT id, name FROM authors WHERE id <= 2 ORDER BY id
        12:00:00.001 [7] SELECT id, name FROM labels WHERE name = 'r1:1'
        12:00:00.002 [7] SELECT id, name FROM labels WHERE name = 'r0:1'
        12:00:00.003 [7] INSERT INTO labels (name) VALUES ('r1:1') RETURNING id
        12:00:00.004 [7] INSERT INTO labels (name) VALUES ('r0:1') RETURNING id
        12:00:00.005 [7] SELECT id, name FROM labels WHERE name = 'r2:1'
        12:00:00.006 [7] SELECT id, name FROM labels WHERE name = 'r0:2'
        12:00:00.007 [7] INSERT INTO labels (name) VALUES ('r2:1') RETURNING id
        12:00:00.008 [7] INSERT INTO labels (name) VALUES ('r0:2') RETURNING id
        12:00:00.009 [7] SELECT id, name FROM labels WHERE name = 'r1:2'
        12:00:00.010 [7] INSERT INTO labels (name) VALUES ('r1:2') RETURNING id
      `,
      findings: [{ kind: 'select-then-insert', tables: ['labels'], repeats: 5, confidence: 'medium' }],
    },
    {
      name: 'two rows right after their parent, in autocommit (a test suite\'s seed data)',
      log: `
        12:00:00.000 [7] SELECT id FROM authors WHERE id <= 2
        12:00:00.002 [7] SELECT id FROM labels WHERE name = 'a'
        12:00:00.003 [7] INSERT INTO labels (name) VALUES ('a') RETURNING id
        12:00:00.004 [7] SELECT id FROM labels WHERE name = 'b'
        12:00:00.005 [7] INSERT INTO labels (name) VALUES ('b') RETURNING id
      `,
      findings: [{ kind: 'select-then-insert', tables: ['labels'], repeats: 2, confidence: 'medium', keyColumns: ['name'], parent: 'select id from authors where id <= $1' }],
    },
    {
      name: "Django's get_or_create in a transaction: a savepoint around each INSERT, a row that exists skips it",
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT "authors"."id" FROM "authors" WHERE "authors"."id" <= 3
        12:00:00.002 [7] SELECT "labels"."id", "labels"."name" FROM "labels" WHERE "labels"."name" = 'a' LIMIT 21
        12:00:00.003 [7] SAVEPOINT "s1401_x1"
        12:00:00.004 [7] INSERT INTO "labels" ("name") VALUES ('a') RETURNING "labels"."id"
        12:00:00.005 [7] RELEASE SAVEPOINT "s1401_x1"
        12:00:00.006 [7] SELECT "labels"."id", "labels"."name" FROM "labels" WHERE "labels"."name" = 'b' LIMIT 21
        12:00:00.007 [7] SELECT "labels"."id", "labels"."name" FROM "labels" WHERE "labels"."name" = 'c' LIMIT 21
        12:00:00.008 [7] SAVEPOINT "s1401_x2"
        12:00:00.009 [7] INSERT INTO "labels" ("name") VALUES ('c') RETURNING "labels"."id"
        12:00:00.010 [7] RELEASE SAVEPOINT "s1401_x2"
        12:00:00.011 [7] COMMIT
      `,
      findings: [{ kind: 'select-then-insert', tables: ['labels'], repeats: 3, confidence: 'high', keyColumns: ['name'] }],
    },
    {
      name: "Sequelize's findOrCreate: each row its own transaction, the INSERT inside a temporary function",
      log: `
        12:00:00.000 [7] SELECT "id", "name" FROM "authors" AS "Author" WHERE "Author"."id" <= 2 ORDER BY "Author"."id" ASC;
        12:00:00.002 [7] START TRANSACTION;
        12:00:00.003 [7] SELECT "id", "name" FROM "labels" AS "Label" WHERE "Label"."name" = 'a';
        12:00:00.004 [7] CREATE OR REPLACE FUNCTION pg_temp.testfunc(OUT response "labels", OUT sequelize_caught_exception text) RETURNS RECORD AS $func_a1f$ BEGIN INSERT INTO "labels" ("id","name") VALUES (DEFAULT,'a') RETURNING * INTO response; EXCEPTION WHEN unique_violation THEN GET STACKED DIAGNOSTICS sequelize_caught_exception = PG_EXCEPTION_DETAIL; END $func_a1f$ LANGUAGE plpgsql; SELECT (testfunc.response).*, testfunc.sequelize_caught_exception FROM pg_temp.testfunc(); DROP FUNCTION IF EXISTS pg_temp.testfunc();
        12:00:00.005 [7] COMMIT;
        12:00:00.006 [7] START TRANSACTION;
        12:00:00.007 [7] SELECT "id", "name" FROM "labels" AS "Label" WHERE "Label"."name" = 'b';
        12:00:00.008 [7] CREATE OR REPLACE FUNCTION pg_temp.testfunc(OUT response "labels", OUT sequelize_caught_exception text) RETURNS RECORD AS $func_b1f$ BEGIN INSERT INTO "labels" ("id","name") VALUES (DEFAULT,'b') RETURNING * INTO response; EXCEPTION WHEN unique_violation THEN GET STACKED DIAGNOSTICS sequelize_caught_exception = PG_EXCEPTION_DETAIL; END $func_b1f$ LANGUAGE plpgsql; SELECT (testfunc.response).*, testfunc.sequelize_caught_exception FROM pg_temp.testfunc(); DROP FUNCTION IF EXISTS pg_temp.testfunc();
        12:00:00.009 [7] COMMIT;
      `,
      findings: [{ kind: 'select-then-insert', tables: ['labels'], repeats: 2, confidence: 'medium', keyColumns: ['name'] }],
    },
    {
      name: 'get_or_create per tag',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id FROM tags WHERE name = 'a'
        12:00:00.002 [7] INSERT INTO tags (name) VALUES ('a')
        12:00:00.003 [7] SELECT id FROM tags WHERE name = 'b'
        12:00:00.004 [7] INSERT INTO tags (name) VALUES ('b')
        12:00:00.005 [7] SELECT id FROM tags WHERE name = 'c'
        12:00:00.006 [7] INSERT INTO tags (name) VALUES ('c')
        12:00:00.007 [7] COMMIT
      `,
      findings: [{ kind: 'select-then-insert', tables: ['tags'], repeats: 3, confidence: 'medium', keyColumns: ['name'] }],
    },
    {
      name: 'whole-second times, a pool spreading a findOrCreate loop: this connection has no parent, only the pairs (low: one request after another would look the same)',
      log: `
        12:00:01.000 [8] BEGIN
        12:00:01.000 [8] SELECT id FROM labels WHERE name = 'r1:1'
        12:00:01.000 [8] INSERT INTO labels (name) VALUES ('r1:1') RETURNING id
        12:00:01.000 [8] COMMIT
        12:00:01.000 [8] BEGIN
        12:00:01.000 [8] SELECT id FROM labels WHERE name = 'r2:2'
        12:00:01.000 [8] INSERT INTO labels (name) VALUES ('r2:2') RETURNING id
        12:00:01.000 [8] COMMIT
        12:00:01.000 [8] BEGIN
        12:00:01.000 [8] SELECT id FROM labels WHERE name = 'r1:3'
        12:00:01.000 [8] INSERT INTO labels (name) VALUES ('r1:3') RETURNING id
        12:00:01.000 [8] COMMIT
        12:00:01.000 [8] BEGIN
        12:00:01.000 [8] SELECT id FROM labels WHERE name = 'r2:4'
        12:00:01.000 [8] INSERT INTO labels (name) VALUES ('r2:4') RETURNING id
        12:00:01.000 [8] COMMIT
        12:00:01.000 [8] BEGIN
        12:00:01.000 [8] SELECT id FROM labels WHERE name = 'r1:5'
        12:00:01.000 [8] INSERT INTO labels (name) VALUES ('r1:5') RETURNING id
        12:00:01.000 [8] COMMIT
      `,
      findings: [{ kind: 'select-then-insert', tables: ['labels'], repeats: 5, confidence: 'low', keyColumns: ['name'], parent: null }],
    },
  ],
});

describe("select-then-insert in Sequelize's own log", () => {
  it('findOrCreate in a loop: each row a transaction with a uuid of its own, two requests interleaved, is one loop after its parent', () => {
    // Sequelize names a transaction, not a connection: read by that name, each iteration was a session of its own
    const log = [
      `Executed (default): SELECT "id", "name" FROM "authors" AS "Author" WHERE "Author"."id" <= 3 ORDER BY "Author"."id" ASC; Elapsed time: 1ms`,
      `Executed (default): SELECT "id", "name" FROM "authors" AS "Author" WHERE "Author"."id" <= 3 ORDER BY "Author"."id" ASC; Elapsed time: 1ms`,
      `Executed (00000000-aaaa-4bbb-8ccc-a10000000000): START TRANSACTION; Elapsed time: 0ms`,
      `Executed (00000000-bbbb-4bbb-8ccc-b10000000000): START TRANSACTION; Elapsed time: 0ms`,
      `Executed (00000000-aaaa-4bbb-8ccc-a10000000000): SELECT "id", "name" FROM "labels" AS "Label" WHERE "Label"."name" = 'r0:1'; Elapsed time: 1ms`,
      `Executed (00000000-bbbb-4bbb-8ccc-b10000000000): SELECT "id", "name" FROM "labels" AS "Label" WHERE "Label"."name" = 'r1:1'; Elapsed time: 1ms`,
      `Executed (00000000-bbbb-4bbb-8ccc-b10000000000): CREATE OR REPLACE FUNCTION pg_temp.testfunc(OUT response "labels", OUT sequelize_caught_exception text) RETURNS RECORD AS $func_b1$ BEGIN INSERT INTO "labels" ("id","name") VALUES (DEFAULT,'r1:1') RETURNING * INTO response; EXCEPTION WHEN unique_violation THEN GET STACKED DIAGNOSTICS sequelize_caught_exception = PG_EXCEPTION_DETAIL; END $func_b1$ LANGUAGE plpgsql; SELECT (testfunc.response).*, testfunc.sequelize_caught_exception FROM pg_temp.testfunc(); DROP FUNCTION IF EXISTS pg_temp.testfunc(); Elapsed time: 1ms`,
      `Executed (00000000-aaaa-4bbb-8ccc-a10000000000): CREATE OR REPLACE FUNCTION pg_temp.testfunc(OUT response "labels", OUT sequelize_caught_exception text) RETURNS RECORD AS $func_a1$ BEGIN INSERT INTO "labels" ("id","name") VALUES (DEFAULT,'r0:1') RETURNING * INTO response; EXCEPTION WHEN unique_violation THEN GET STACKED DIAGNOSTICS sequelize_caught_exception = PG_EXCEPTION_DETAIL; END $func_a1$ LANGUAGE plpgsql; SELECT (testfunc.response).*, testfunc.sequelize_caught_exception FROM pg_temp.testfunc(); DROP FUNCTION IF EXISTS pg_temp.testfunc(); Elapsed time: 1ms`,
      `Executed (00000000-bbbb-4bbb-8ccc-b10000000000): COMMIT; Elapsed time: 0ms`,
      `Executed (00000000-aaaa-4bbb-8ccc-a10000000000): COMMIT; Elapsed time: 0ms`,
      `Executed (00000002-aaaa-4bbb-8ccc-a20000000000): START TRANSACTION; Elapsed time: 0ms`,
      `Executed (00000002-bbbb-4bbb-8ccc-b20000000000): START TRANSACTION; Elapsed time: 0ms`,
      `Executed (00000002-aaaa-4bbb-8ccc-a20000000000): SELECT "id", "name" FROM "labels" AS "Label" WHERE "Label"."name" = 'r0:2'; Elapsed time: 1ms`,
      `Executed (00000002-bbbb-4bbb-8ccc-b20000000000): SELECT "id", "name" FROM "labels" AS "Label" WHERE "Label"."name" = 'r1:2'; Elapsed time: 1ms`,
      `Executed (00000002-bbbb-4bbb-8ccc-b20000000000): CREATE OR REPLACE FUNCTION pg_temp.testfunc(OUT response "labels", OUT sequelize_caught_exception text) RETURNS RECORD AS $func_b2$ BEGIN INSERT INTO "labels" ("id","name") VALUES (DEFAULT,'r1:2') RETURNING * INTO response; EXCEPTION WHEN unique_violation THEN GET STACKED DIAGNOSTICS sequelize_caught_exception = PG_EXCEPTION_DETAIL; END $func_b2$ LANGUAGE plpgsql; SELECT (testfunc.response).*, testfunc.sequelize_caught_exception FROM pg_temp.testfunc(); DROP FUNCTION IF EXISTS pg_temp.testfunc(); Elapsed time: 1ms`,
      `Executed (00000002-aaaa-4bbb-8ccc-a20000000000): CREATE OR REPLACE FUNCTION pg_temp.testfunc(OUT response "labels", OUT sequelize_caught_exception text) RETURNS RECORD AS $func_a2$ BEGIN INSERT INTO "labels" ("id","name") VALUES (DEFAULT,'r0:2') RETURNING * INTO response; EXCEPTION WHEN unique_violation THEN GET STACKED DIAGNOSTICS sequelize_caught_exception = PG_EXCEPTION_DETAIL; END $func_a2$ LANGUAGE plpgsql; SELECT (testfunc.response).*, testfunc.sequelize_caught_exception FROM pg_temp.testfunc(); DROP FUNCTION IF EXISTS pg_temp.testfunc(); Elapsed time: 1ms`,
      `Executed (00000002-bbbb-4bbb-8ccc-b20000000000): COMMIT; Elapsed time: 0ms`,
      `Executed (00000002-aaaa-4bbb-8ccc-a20000000000): COMMIT; Elapsed time: 0ms`,
      `Executed (00000004-aaaa-4bbb-8ccc-a30000000000): START TRANSACTION; Elapsed time: 0ms`,
      `Executed (00000004-bbbb-4bbb-8ccc-b30000000000): START TRANSACTION; Elapsed time: 0ms`,
      `Executed (00000004-aaaa-4bbb-8ccc-a30000000000): SELECT "id", "name" FROM "labels" AS "Label" WHERE "Label"."name" = 'r0:3'; Elapsed time: 1ms`,
      `Executed (00000004-bbbb-4bbb-8ccc-b30000000000): SELECT "id", "name" FROM "labels" AS "Label" WHERE "Label"."name" = 'r1:3'; Elapsed time: 1ms`,
      `Executed (00000004-bbbb-4bbb-8ccc-b30000000000): CREATE OR REPLACE FUNCTION pg_temp.testfunc(OUT response "labels", OUT sequelize_caught_exception text) RETURNS RECORD AS $func_b3$ BEGIN INSERT INTO "labels" ("id","name") VALUES (DEFAULT,'r1:3') RETURNING * INTO response; EXCEPTION WHEN unique_violation THEN GET STACKED DIAGNOSTICS sequelize_caught_exception = PG_EXCEPTION_DETAIL; END $func_b3$ LANGUAGE plpgsql; SELECT (testfunc.response).*, testfunc.sequelize_caught_exception FROM pg_temp.testfunc(); DROP FUNCTION IF EXISTS pg_temp.testfunc(); Elapsed time: 1ms`,
      `Executed (00000004-aaaa-4bbb-8ccc-a30000000000): CREATE OR REPLACE FUNCTION pg_temp.testfunc(OUT response "labels", OUT sequelize_caught_exception text) RETURNS RECORD AS $func_a3$ BEGIN INSERT INTO "labels" ("id","name") VALUES (DEFAULT,'r0:3') RETURNING * INTO response; EXCEPTION WHEN unique_violation THEN GET STACKED DIAGNOSTICS sequelize_caught_exception = PG_EXCEPTION_DETAIL; END $func_a3$ LANGUAGE plpgsql; SELECT (testfunc.response).*, testfunc.sequelize_caught_exception FROM pg_temp.testfunc(); DROP FUNCTION IF EXISTS pg_temp.testfunc(); Elapsed time: 1ms`,
      `Executed (00000004-bbbb-4bbb-8ccc-b30000000000): COMMIT; Elapsed time: 0ms`,
      `Executed (00000004-aaaa-4bbb-8ccc-a30000000000): COMMIT; Elapsed time: 0ms`,
    ].join('\n');
    const got = findingsOfLog(log, 'sequelize').filter((f) => f.kind !== 'duplicate-query');
    expect(got.map((f) => `${f.kind}[${f.tables.join(',')}]×${f.repeats}`)).toEqual(['select-then-insert[labels]×6']);
  });
});
