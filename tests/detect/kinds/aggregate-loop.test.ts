import { testKind } from '../../support/kind-tester.js';

testKind('aggregate-loop', {
  valid: [
    {
      name: 'one GROUP BY over all keys',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id FROM customers WHERE region = 'eu'
        12:00:00.002 [7] SELECT customer_id, count(*) FROM orders WHERE customer_id = ANY('{1,2,3,4,5}') GROUP BY customer_id
        12:00:00.003 [7] COMMIT
      `,
    },
    {
      name: 'the same count in separate requests, a pause before each',
      log: `
        12:00:00.000 [7] SELECT count(*) FROM orders WHERE customer_id = 1
        12:00:00.300 [7] SELECT count(*) FROM orders WHERE customer_id = 2
        12:00:00.600 [7] SELECT count(*) FROM orders WHERE customer_id = 3
        12:00:00.900 [7] SELECT count(*) FROM orders WHERE customer_id = 4
        12:00:01.200 [7] SELECT count(*) FROM orders WHERE customer_id = 5
      `,
    },
  ],
  invalid: [
    {
      name: 'a sum per customer inside one transaction',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id FROM customers WHERE region = 'eu'
        12:00:00.002 [7] SELECT sum(total) FROM orders WHERE customer_id = 1
        12:00:00.003 [7] SELECT sum(total) FROM orders WHERE customer_id = 2
        12:00:00.004 [7] SELECT sum(total) FROM orders WHERE customer_id = 3
        12:00:00.005 [7] SELECT sum(total) FROM orders WHERE customer_id = 4
        12:00:00.006 [7] SELECT sum(total) FROM orders WHERE customer_id = 5
        12:00:00.007 [7] COMMIT
      `,
      findings: [
        { kind: 'aggregate-loop', tables: ['orders'], repeats: 5, confidence: 'high', keyColumns: ['customer_id'], parent: "select id from customers where region = $1" },
      ],
    },
    {
      name: "two sums on a script's own connection, slowly, after Django read the table's columns (a catalog query, then SELECT * … LIMIT 1)",
      log: `
        12:00:00.000 [7] SELECT "authors"."id", "authors"."name" FROM "authors" WHERE "authors"."id" <= 2 ORDER BY "authors"."id" ASC
        12:00:00.015 [7] (13.9 ms) SELECT a.attname AS column_name FROM pg_attribute a JOIN pg_class c ON a.attrelid = c.oid WHERE c.relname = 'authors'
        12:00:00.017 [7] SELECT * FROM "authors" LIMIT 1
        12:00:00.020 [7] SELECT SUM("books"."price") AS "price__sum" FROM "books" WHERE "books"."author_id" = 1
        12:00:00.031 [7] SELECT SUM("books"."price") AS "price__sum" FROM "books" WHERE "books"."author_id" = 2
      `,
      findings: [
        { kind: 'aggregate-loop', tables: ['books'], repeats: 2, confidence: 'medium', keyColumns: ['author_id'], parent: 'select authors.id, authors.name from authors where authors.id <= $1 order by authors.id asc' },
      ],
    },
  ],
});
