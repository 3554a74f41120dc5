import { testKind } from '../../support/kind-tester.js';

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
  ],
  invalid: [
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
  ],
});
