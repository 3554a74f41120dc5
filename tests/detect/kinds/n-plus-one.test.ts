import { testKind } from '../../support/kind-tester.js';

testKind('n-plus-one', {
  valid: [
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
  ],
  invalid: [
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
