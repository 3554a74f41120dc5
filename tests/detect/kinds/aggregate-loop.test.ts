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
  ],
});
