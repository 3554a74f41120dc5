import { testKind } from '../../support/kind-tester.js';

testKind('per-row-insert', {
  valid: [
    {
      name: 'one multi-row VALUES insert',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] INSERT INTO events (kind, payload) VALUES ('a', '1'), ('b', '2'), ('c', '3'), ('d', '4'), ('e', '5'), ('f', '6')
        12:00:00.002 [7] COMMIT
      `,
    },
    {
      name: 'batched inserts of several rows each share the template but are already set-based',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] INSERT INTO events (kind) VALUES ('a'), ('b')
        12:00:00.002 [7] INSERT INTO events (kind) VALUES ('c'), ('d')
        12:00:00.003 [7] INSERT INTO events (kind) VALUES ('e'), ('f')
        12:00:00.004 [7] INSERT INTO events (kind) VALUES ('g'), ('h')
        12:00:00.005 [7] INSERT INTO events (kind) VALUES ('i'), ('j')
        12:00:00.006 [7] COMMIT
      `,
    },
    {
      name: 'a queue worker: one job per transaction (dequeue, mark done, audit) is the next job, not a loop',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SELECT id, payload FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
        12:00:00.002 [7] UPDATE jobs SET status = 'done' WHERE id = 1
        12:00:00.003 [7] INSERT INTO audit_log (action) VALUES ('job:1')
        12:00:00.004 [7] COMMIT
        12:00:00.006 [7] BEGIN
        12:00:00.007 [7] SELECT id, payload FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
        12:00:00.008 [7] UPDATE jobs SET status = 'done' WHERE id = 2
        12:00:00.009 [7] INSERT INTO audit_log (action) VALUES ('job:2')
        12:00:00.010 [7] COMMIT
        12:00:00.012 [7] BEGIN
        12:00:00.013 [7] SELECT id, payload FROM jobs WHERE status = 'queued' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
        12:00:00.014 [7] UPDATE jobs SET status = 'done' WHERE id = 3
        12:00:00.015 [7] INSERT INTO audit_log (action) VALUES ('job:3')
        12:00:00.016 [7] COMMIT
      `,
    },
    {
      name: 'requests in a row on a pooled connection, each committing one row after its own lookup',
      log: `
        12:00:00.000 [7] SELECT id FROM sessions WHERE token = 't1'
        12:00:00.001 [7] BEGIN
        12:00:00.002 [7] INSERT INTO events (kind) VALUES ('a')
        12:00:00.003 [7] COMMIT
        12:00:00.060 [7] SELECT id FROM sessions WHERE token = 't2'
        12:00:00.061 [7] BEGIN
        12:00:00.062 [7] INSERT INTO events (kind) VALUES ('b')
        12:00:00.063 [7] COMMIT
        12:00:00.120 [7] SELECT id FROM sessions WHERE token = 't3'
        12:00:00.121 [7] BEGIN
        12:00:00.122 [7] INSERT INTO events (kind) VALUES ('c')
        12:00:00.123 [7] COMMIT
      `,
    },
  ],
  invalid: [
    {
      name: "each row in a transaction of its own, after the parent (Rails' create, TypeORM's save)",
      log: `
        12:00:00.000 [7] SELECT id FROM books WHERE id <= 2
        12:00:00.003 [7] BEGIN
        12:00:00.004 [7] INSERT INTO reviews (book_id, stars) VALUES (1, 2) RETURNING id
        12:00:00.005 [7] COMMIT
        12:00:00.006 [7] BEGIN
        12:00:00.007 [7] INSERT INTO reviews (book_id, stars) VALUES (2, 3) RETURNING id
        12:00:00.008 [7] COMMIT
      `,
      findings: [{ kind: 'per-row-insert', tables: ['reviews'], repeats: 2, confidence: 'medium', distinctKeys: 2, parent: 'select id from books where id <= $1' }],
    },
    {
      name: 'one INSERT per row in a transaction',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] INSERT INTO events (kind, payload) VALUES ('a', '1')
        12:00:00.002 [7] INSERT INTO events (kind, payload) VALUES ('b', '2')
        12:00:00.003 [7] INSERT INTO events (kind, payload) VALUES ('c', '3')
        12:00:00.004 [7] INSERT INTO events (kind, payload) VALUES ('d', '4')
        12:00:00.005 [7] INSERT INTO events (kind, payload) VALUES ('e', '5')
        12:00:00.006 [7] COMMIT
      `,
      findings: [{ kind: 'per-row-insert', tables: ['events'], repeats: 5, confidence: 'medium', distinctKeys: 5 }],
    },
    {
      name: 'Rails wraps each create in a savepoint: still one loop',
      log: `
        12:00:00.000 [7] BEGIN
        12:00:00.001 [7] SAVEPOINT active_record_1
        12:00:00.002 [7] INSERT INTO events (kind) VALUES ('a')
        12:00:00.003 [7] RELEASE SAVEPOINT active_record_1
        12:00:00.004 [7] SAVEPOINT active_record_1
        12:00:00.005 [7] INSERT INTO events (kind) VALUES ('b')
        12:00:00.006 [7] RELEASE SAVEPOINT active_record_1
        12:00:00.007 [7] SAVEPOINT active_record_1
        12:00:00.008 [7] INSERT INTO events (kind) VALUES ('c')
        12:00:00.009 [7] RELEASE SAVEPOINT active_record_1
        12:00:00.010 [7] SAVEPOINT active_record_1
        12:00:00.011 [7] INSERT INTO events (kind) VALUES ('d')
        12:00:00.012 [7] RELEASE SAVEPOINT active_record_1
        12:00:00.013 [7] SAVEPOINT active_record_1
        12:00:00.014 [7] INSERT INTO events (kind) VALUES ('e')
        12:00:00.015 [7] RELEASE SAVEPOINT active_record_1
        12:00:00.016 [7] COMMIT
      `,
      findings: [{ kind: 'per-row-insert', tables: ['events'], repeats: 5, confidence: 'medium' }],
    },
  ],
});
