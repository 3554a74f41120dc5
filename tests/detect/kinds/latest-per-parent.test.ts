import { testKind } from '../../support/kind-tester.js';

testKind('latest-per-parent', {
  valid: [
    {
      name: 'one DISTINCT ON query for every parent',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id FROM customers LIMIT 50
        12:00:00.002 [7] SELECT DISTINCT ON (customer_id) * FROM orders WHERE customer_id = ANY('{1,2,3,4,5}') ORDER BY customer_id, created_at DESC
        12:00:00.003 [7] COMMIT
      `,
    },
  ],
  invalid: [
    {
      name: 'the newest order fetched once per customer',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id FROM customers WHERE region = 'eu'
        12:00:00.002 [7] SELECT * FROM orders WHERE customer_id = 1 ORDER BY created_at DESC LIMIT 1
        12:00:00.003 [7] SELECT * FROM orders WHERE customer_id = 2 ORDER BY created_at DESC LIMIT 1
        12:00:00.004 [7] SELECT * FROM orders WHERE customer_id = 3 ORDER BY created_at DESC LIMIT 1
        12:00:00.005 [7] SELECT * FROM orders WHERE customer_id = 4 ORDER BY created_at DESC LIMIT 1
        12:00:00.006 [7] SELECT * FROM orders WHERE customer_id = 5 ORDER BY created_at DESC LIMIT 1
        12:00:00.007 [7] SELECT * FROM orders WHERE customer_id = 6 ORDER BY created_at DESC LIMIT 1
        12:00:00.008 [7] COMMIT
      `,
      findings: [{ kind: 'latest-per-parent', tables: ['orders'], repeats: 6, confidence: 'high', keyColumns: ['customer_id'] }],
    },
  ],
});
