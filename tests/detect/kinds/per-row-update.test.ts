import { testKind } from '../../support/kind-tester.js';

testKind('per-row-update', {
  valid: [
    {
      name: 'one UPDATE … WHERE id = ANY',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] UPDATE orders SET status = 'shipped' WHERE id = ANY('{1,2,3,4,5}')
        12:00:00.002 [7] COMMIT
      `,
    },
    {
      name: 'a job updating in chunks of IN lists: batching already',
      log: `
        12:00:00.000 [7] UPDATE books SET price = 10 WHERE id IN (1, 2, 3)
        12:00:00.001 [7] UPDATE books SET price = 10 WHERE id IN (4, 5, 6)
        12:00:00.002 [7] UPDATE books SET price = 10 WHERE id IN (7, 8, 9)
        12:00:00.003 [7] UPDATE books SET price = 10 WHERE id IN (10, 11, 12)
        12:00:00.004 [7] UPDATE books SET price = 10 WHERE id IN (13, 14, 15)
        12:00:00.005 [7] UPDATE books SET price = 10 WHERE id IN (16, 17, 18)
      `,
    },
  ],
  invalid: [
    {
      name: 'one UPDATE per row by id',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] UPDATE orders SET status = 'shipped' WHERE id = 1
        12:00:00.002 [7] UPDATE orders SET status = 'shipped' WHERE id = 2
        12:00:00.003 [7] UPDATE orders SET status = 'shipped' WHERE id = 3
        12:00:00.004 [7] UPDATE orders SET status = 'shipped' WHERE id = 4
        12:00:00.005 [7] UPDATE orders SET status = 'shipped' WHERE id = 5
        12:00:00.006 [7] COMMIT
      `,
      findings: [{ kind: 'per-row-update', tables: ['orders'], repeats: 5, confidence: 'medium', keyColumns: ['id'] }],
    },
  ],
});
