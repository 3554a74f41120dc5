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
  ],
  invalid: [
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
