import { testKind } from '../../support/kind-tester.js';

testKind('repeated-sequence', {
  valid: [
    {
      name: 'a block run twice is below the threshold',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT * FROM authors WHERE id = 1
        12:00:00.002 [7] SELECT * FROM publishers WHERE id = 10
        12:00:00.003 [7] SELECT * FROM authors WHERE id = 2
        12:00:00.004 [7] SELECT * FROM publishers WHERE id = 20
        12:00:00.005 [7] COMMIT
      `,
    },
    {
      name: 'the same block with the same values is a retry, not a loop',
      allow: ['duplicate-query'],
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT * FROM authors WHERE id = 1
        12:00:00.002 [7] SELECT * FROM publishers WHERE id = 10
        12:00:00.003 [7] SELECT * FROM authors WHERE id = 1
        12:00:00.004 [7] SELECT * FROM publishers WHERE id = 10
        12:00:00.005 [7] SELECT * FROM authors WHERE id = 1
        12:00:00.006 [7] SELECT * FROM publishers WHERE id = 10
        12:00:00.007 [7] COMMIT
      `,
    },
    {
      name: 'two lookups per book, three books: one N+1 per relation (n-plus-one), not one block',
      allow: ['n-plus-one'],
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id, author_id, publisher_id FROM books WHERE shelf = 4
        12:00:00.002 [7] SELECT * FROM authors WHERE id = 1
        12:00:00.003 [7] SELECT * FROM publishers WHERE id = 10
        12:00:00.004 [7] SELECT * FROM authors WHERE id = 2
        12:00:00.005 [7] SELECT * FROM publishers WHERE id = 20
        12:00:00.006 [7] SELECT * FROM authors WHERE id = 3
        12:00:00.007 [7] SELECT * FROM publishers WHERE id = 30
        12:00:00.008 [7] COMMIT
      `,
    },
  ],
  invalid: [
    {
      name: 'two aggregates per customer stay one block',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id FROM customers WHERE region = 'eu'
        12:00:00.002 [7] SELECT count(*) FROM orders WHERE customer_id = 1
        12:00:00.003 [7] SELECT sum(amount) FROM payments WHERE customer_id = 1
        12:00:00.004 [7] SELECT count(*) FROM orders WHERE customer_id = 2
        12:00:00.005 [7] SELECT sum(amount) FROM payments WHERE customer_id = 2
        12:00:00.006 [7] SELECT count(*) FROM orders WHERE customer_id = 3
        12:00:00.007 [7] SELECT sum(amount) FROM payments WHERE customer_id = 3
        12:00:00.008 [7] COMMIT
      `,
      findings: [{ kind: 'repeated-sequence', tables: ['orders', 'payments'], repeats: 3, confidence: 'high' }],
    },
    {
      name: 'a lookup and a write per order, three orders',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id, customer_id FROM orders WHERE status = 'paid'
        12:00:00.002 [7] SELECT * FROM addresses WHERE customer_id = 1
        12:00:00.003 [7] UPDATE orders SET shipped = true WHERE id = 10
        12:00:00.004 [7] SELECT * FROM addresses WHERE customer_id = 2
        12:00:00.005 [7] UPDATE orders SET shipped = true WHERE id = 20
        12:00:00.006 [7] SELECT * FROM addresses WHERE customer_id = 3
        12:00:00.007 [7] UPDATE orders SET shipped = true WHERE id = 30
        12:00:00.008 [7] COMMIT
      `,
      findings: [{ kind: 'repeated-sequence', tables: ['addresses', 'orders'], repeats: 3, confidence: 'high' }],
    },
  ],
});
