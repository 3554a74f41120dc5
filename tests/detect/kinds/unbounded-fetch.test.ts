import { testKind } from '../../support/kind-tester.js';

testKind('unbounded-fetch', {
  valid: [
    {
      name: 'a page with LIMIT',
      log: `
        12:00:00.000 [7] SELECT * FROM events ORDER BY id LIMIT 100
      `,
    },
    {
      name: 'a lookup by key',
      log: `
        12:00:00.000 [7] SELECT * FROM events WHERE id = 5
      `,
    },
    {
      name: 'the parent of eager loading lists rows to look children up by key',
      log: `
        12:00:00.000 [7] SELECT * FROM authors
        12:00:00.001 [7] SELECT * FROM books WHERE author_id = ANY('{1,2,3}')
      `,
    },
  ],
  invalid: [
    {
      name: 'a whole table read, slowly',
      log: `
        12:00:00.000 [7] (250 ms) SELECT * FROM events
      `,
      findings: [{ kind: 'unbounded-fetch', tables: ['events'], repeats: 1, confidence: 'medium' }],
    },
    {
      name: 'a whole table read, quickly: low confidence',
      log: `
        12:00:00.000 [7] (0.4 ms) SELECT * FROM countries
      `,
      findings: [{ kind: 'unbounded-fetch', tables: ['countries'], repeats: 1, confidence: 'low' }],
    },
  ],
});
