import { testKind } from '../../support/kind-tester.js';

testKind('duplicate-query', {
  valid: [
    {
      name: 'session settings repeat by design',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SET statement_timeout = 5000
        12:00:00.002 [7] SET statement_timeout = 5000
        12:00:00.003 [7] SET statement_timeout = 5000
        12:00:00.004 [7] COMMIT
      `,
    },
    {
      name: 'a function read repeated returns something new each time',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT nextval('orders_id_seq')
        12:00:00.002 [7] SELECT nextval('orders_id_seq')
        12:00:00.003 [7] SELECT nextval('orders_id_seq')
        12:00:00.004 [7] COMMIT
      `,
    },
  ],
  invalid: [
    {
      name: 'the same settings row read three times in one transaction',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT * FROM settings WHERE key = 'currency'
        12:00:00.002 [7] SELECT * FROM orders WHERE id = 1
        12:00:00.003 [7] SELECT * FROM settings WHERE key = 'currency'
        12:00:00.004 [7] SELECT * FROM orders WHERE id = 2
        12:00:00.005 [7] SELECT * FROM settings WHERE key = 'currency'
        12:00:00.006 [7] COMMIT
      `,
      findings: [{ kind: 'duplicate-query', tables: ['settings'], repeats: 3, confidence: 'medium' }],
    },
  ],
});
