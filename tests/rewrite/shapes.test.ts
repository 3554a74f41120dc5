/** Rewrites from literal real SQL: FILTER for varied conditions, ORM placeholders, the grammar gate and its counter. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, finish, resetRewriteCounters, rewritesBuilt, rewritesDropped, suggest } from '../../src/rewrite/index.js';
import { draftOf, startDb, stmtsOf, type Db } from './support.js';

let db: Db;
beforeAll(async () => {
  db = await startDb();
}, 180_000);
afterAll(async () => {
  await db?.stop();
});

async function prepares(sql: string): Promise<void> {
  await db.client.query(`PREPARE rw AS ${sql}`);
  await db.client.query('DEALLOCATE rw');
}

describe('aggregate loops that vary a condition', () => {
  it('one template, the condition value varies: a FILTER column per value', async () => {
    const sqls: string[] = [];
    for (const c of [3, 4, 5, 6]) for (const st of ['paid', 'delivered']) sqls.push(`SELECT count(*) AS n FROM orders WHERE customer_id = ${c} AND status = '${st}'`);
    const d = draftOf('aggregate-loop', stmtsOf(sqls));
    const b = build(d);
    expect(b.use).toBe(
      "SELECT customer_id, count(*) FILTER (WHERE status = 'paid') AS n_paid, count(*) FILTER (WHERE status = 'delivered') AS n_delivered FROM orders WHERE customer_id = ANY($1) GROUP BY customer_id",
    );
    await prepares(b.use!);
    const loop = await Promise.all(sqls.map(async (s) => Number((await db.client.query(s)).rows[0].n)));
    const rows = (await db.client.query(b.use!, b.binds)).rows;
    const byKey = new Map(rows.map((r) => [Number(r.customer_id), [Number(r.n_paid), Number(r.n_delivered)]]));
    expect([3, 4, 5, 6].flatMap((c) => byKey.get(c) ?? [0, 0])).toEqual(loop);
  });

  it('two templates differing only in a predicate (a repeated block): one GROUP BY with FILTER', async () => {
    const sqls: { sql: string; params: string[] }[] = [];
    for (const c of ['1', '2', '3', '4']) {
      sqls.push({ sql: 'SELECT count(*) FROM notifications WHERE customer_id = $1', params: [c] });
      sqls.push({ sql: 'SELECT count(*) FROM notifications WHERE customer_id = $1 AND read = false', params: [c] });
    }
    const d = draftOf('repeated-sequence', stmtsOf(sqls));
    const s = suggest(d, null);
    expect(s.use).toBe(
      'SELECT customer_id, count(*) AS count, count(*) FILTER (WHERE read = FALSE) AS count_2 FROM notifications WHERE customer_id = ANY($1) GROUP BY customer_id',
    );
    await prepares(s.use!);
    const rows = (await db.client.query(s.use!, [['1', '2', '3', '4']])).rows;
    for (const r of rows) {
      const all = (await db.client.query('SELECT count(*) FROM notifications WHERE customer_id = $1', [r.customer_id])).rows[0].count;
      const unread = (await db.client.query('SELECT count(*) FROM notifications WHERE customer_id = $1 AND read = false', [r.customer_id])).rows[0].count;
      expect([r.count, r.count_2]).toEqual([all, unread]);
    }
    expect(rows).toHaveLength(4);
  });
});

describe('ORM statements', () => {
  it('Hibernate `?`: the key becomes = ANY($1), aliases kept', async () => {
    const stmts = stmtsOf(
      [1, 2, 3, 4, 5].map((id) => ({ sql: 'select o1_0.id,o1_0.product_id,o1_0.quantity from order_items o1_0 where o1_0.order_id=?', params: [String(id)] })),
    );
    const s = suggest(draftOf('n-plus-one', stmts), 'hibernate');
    expect(s.use).toBe('SELECT o1_0.order_id, o1_0.id, o1_0.product_id, o1_0.quantity FROM order_items AS o1_0 WHERE o1_0.order_id = ANY($1)');
    expect(s.orm?.name).toBe('hibernate');
    expect(s.orm?.advice).toContain('JOIN FETCH');
    await prepares(s.use!);
  });

  it('`?` without logged values: the key column from the detector still gives the = ANY form', async () => {
    const stmts = stmtsOf([1, 2, 3, 4, 5].map(() => 'select o1_0.id,o1_0.quantity from order_items o1_0 where o1_0.order_id=?'));
    const s = suggest(draftOf('n-plus-one', stmts, null, { keyColumns: ['order_id'] }), null);
    expect(s.use).toBe('SELECT o1_0.order_id, o1_0.id, o1_0.quantity FROM order_items AS o1_0 WHERE o1_0.order_id = ANY($1)');
    expect(s.summary).toContain('$1 = an array of the order_id values the loop used');
    expect(s.orm?.name).toBe('hibernate');
    await prepares(s.use!);
  });

  it('psycopg `%(name)s`: parameters map back by name; Django LIMIT 21 is dropped', async () => {
    const stmts = stmtsOf(
      [1, 2, 3, 4, 5].map((id) => ({
        sql: 'SELECT "customers"."id", "customers"."email" FROM "customers" WHERE ("customers"."region" = %(region)s AND "customers"."id" = %(id)s) LIMIT 21',
        params: [String(id), 'south'],
      })),
    );
    // buildStmt stores named parameters sorted by name: id, region
    const b = build(draftOf('n-plus-one', stmts));
    expect(b.use).toBe('SELECT customers.id, customers.email FROM customers WHERE customers.region = $1 AND customers.id = ANY($2)');
    expect(b.binds).toEqual(['south', ['1', '2', '3', '4', '5']]);
    expect(b.notes[0]).toContain('LIMIT dropped');
    await prepares(b.use!);
    expect((await db.client.query(b.use!, b.binds)).rows.length).toBeGreaterThan(0);
  });

  it('Sequelize per-row UPDATE with timestamps: typed first VALUES row, prepared', async () => {
    const stmts = stmtsOf(
      [1, 2, 3].map((id) => ({ sql: 'UPDATE "orders" SET "status"=$1,"created_at"=$2 WHERE "id" = $3', params: ['paid', `2026-11-25 14:37:13.17${id} +00:00`, String(id)] })),
    );
    const b = build(draftOf('per-row-update', stmts));
    expect(b.use).toBe(
      "UPDATE orders SET status = 'paid', created_at = v.created_at FROM (VALUES (1, '2026-11-25 14:37:13.171 +00:00'::timestamptz), (2, '2026-11-25 14:37:13.172 +00:00'), (3, '2026-11-25 14:37:13.173 +00:00')) AS v(id, created_at) WHERE orders.id = v.id",
    );
    await prepares(b.use!);
  });
});

describe('the grammar gate', () => {
  it('a rewrite PostgreSQL cannot parse is dropped, counted, and said', () => {
    resetRewriteCounters();
    const d = draftOf('per-row-delete', stmtsOf(['DELETE FROM audit_log WHERE id = 1', 'DELETE FROM audit_log WHERE id = 2']));
    const good = suggest(d, null);
    expect(good.use).toBe('DELETE FROM audit_log WHERE id = ANY($1)');
    expect([rewritesBuilt(), rewritesDropped()]).toEqual([1, 0]);
    const bad = finish(d, { use: 'DELETE FROM audit_log WHERE id = ANY($1', alternatives: [{ label: 'x', sql: 'SELEC 1' }], params: [], notes: [] }, null);
    expect(bad.use).toBeNull();
    expect(bad.summary).not.toContain('SELEC 1');
    expect(bad.summary).toContain('did not pass');
    expect([rewritesBuilt(), rewritesDropped()]).toEqual([3, 2]);
  });

  it('a statement pgsql-ast-parser cannot read gives no rewrite rather than a guess', () => {
    const d = draftOf('n-plus-one', stmtsOf(['SELECT * FROM t WHERE a = 1 FETCH FIRST 1 ROWS WITH TIES', 'SELECT * FROM t WHERE a = 2 FETCH FIRST 1 ROWS WITH TIES']));
    expect(suggest(d, null).use).toBeNull();
  });
});
