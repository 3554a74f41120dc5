import { testKind } from '../../support/kind-tester.js';

testKind('per-row-delete', {
  valid: [
    {
      name: 'one DELETE … WHERE id = ANY',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] DELETE FROM audit_log WHERE id = ANY('{1,2,3,4,5}')
        12:00:00.002 [7] COMMIT
      `,
    },
    {
      name: 'a fast request deletes one row after its lookup; the next request, long after, deletes another',
      log: `
        12:00:00.000 [7] INSERT INTO reviews (book_id, body) VALUES (1, 'r0'), (2, 'r0')
        12:00:00.001 [7] SELECT id FROM reviews WHERE body = 'r0' ORDER BY id
        12:00:00.002 [7] DELETE FROM reviews WHERE id IN (7)
        12:00:00.080 [7] DELETE FROM reviews WHERE id IN (8)
      `,
    },
    {
      name: 'requests that each delete their rows in one statement, right after their lookup: sets, not rows',
      log: `
        12:00:00.126 [7] INSERT INTO reviews (book_id, body) VALUES (1, 'r0'), (2, 'r0')
        12:00:00.148 [7] SELECT id FROM reviews WHERE body = 'r0' ORDER BY id
        12:00:00.154 [7] DELETE FROM reviews WHERE id IN (7, 8, 9, 10)
        12:00:00.176 [7] DELETE FROM reviews WHERE id IN (11, 12, 13, 14)
      `,
    },
    {
      name: 'a job deleting in chunks of = ANY(array): batching already',
      log: `
        12:00:00.000 [7] DELETE FROM audit_log WHERE id = ANY('{1,2,3}')
        12:00:00.001 [7] DELETE FROM audit_log WHERE id = ANY('{4,5,6}')
        12:00:00.002 [7] DELETE FROM audit_log WHERE id = ANY('{7,8,9}')
        12:00:00.003 [7] DELETE FROM audit_log WHERE id = ANY('{10,11,12}')
        12:00:00.004 [7] DELETE FROM audit_log WHERE id = ANY('{13,14,15}')
        12:00:00.005 [7] DELETE FROM audit_log WHERE id = ANY('{16,17,18}')
      `,
    },
  ],
  invalid: [
    {
      name: "two deletes after their parent at the connection's own slow pace (Python threads taking turns)",
      log: `
        12:00:00.126 [7] INSERT INTO reviews (book_id, body) VALUES (1, 'r0'), (2, 'r0')
        12:00:00.148 [7] SELECT id FROM reviews WHERE body = 'r0' ORDER BY id
        12:00:00.154 [7] DELETE FROM reviews WHERE id IN (7)
        12:00:00.176 [7] DELETE FROM reviews WHERE id IN (8)
      `,
      findings: [{ kind: 'per-row-delete', tables: ['reviews'], repeats: 2, confidence: 'medium', keyColumns: ['id'], parent: 'select id from reviews where body = $1 order by id' }],
    },
    {
      name: 'one DELETE per row, back to back in autocommit',
      log: `
        12:00:00.000 [7] DELETE FROM audit_log WHERE id = 1
        12:00:00.001 [7] DELETE FROM audit_log WHERE id = 2
        12:00:00.002 [7] DELETE FROM audit_log WHERE id = 3
        12:00:00.003 [7] DELETE FROM audit_log WHERE id = 4
        12:00:00.004 [7] DELETE FROM audit_log WHERE id = 5
        12:00:00.005 [7] DELETE FROM audit_log WHERE id = 6
      `,
      findings: [{ kind: 'per-row-delete', tables: ['audit_log'], repeats: 6, confidence: 'low', keyColumns: ['id'] }],
    },
  ],
});
