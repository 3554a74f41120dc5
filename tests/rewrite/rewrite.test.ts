/** Rewrites built from the real sample logs: exact SQL, prepared in a real PostgreSQL 15, and returning the loop's rows. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnyDraft, FindingKind } from '../../src/detect/registry.js';
import { build, suggest } from '../../src/rewrite/index.js';
import { parseStmt } from '../../src/rewrite/statement.js';
import type { Stmt } from '../../src/sessions/types.js';
import { rewritePlaceholders } from '../../src/sql/index.js';
import { draftsOf, startDb, type Db, type Found } from './support.js';

let db: Db;
const found: Found[] = [];

beforeAll(async () => {
  db = await startDb();
  for (const f of ['samples/billing.log', 'samples/loops.csv', 'samples/pooled-web.json']) found.push(...(await draftsOf(f)).found);
}, 180_000);

afterAll(async () => {
  await db?.stop();
});

function draft(kind: FindingKind, application: string): AnyDraft {
  const f = found.find((x) => x.draft.kind === kind && x.unit.application === application);
  if (!f) throw new Error(`no ${kind} draft for ${application}`);
  return f.draft;
}

/** Run the loop's statements as the application did, with the values from the log. */
async function loopResults(stmts: Stmt[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number }> {
  const rows: Record<string, unknown>[] = [];
  let rowCount = 0;
  for (const s of stmts) {
    const p = parseStmt(s)!;
    const params = Array.from({ length: p.maxParam }, (_, i) => p.param(i + 1));
    const r = await db.client.query(rewritePlaceholders(s.sql), params);
    rows.push(...r.rows);
    rowCount += r.rowCount ?? 0;
  }
  return { rows, rowCount };
}

const canon = (rows: Record<string, unknown>[]) => rows.map((r) => JSON.stringify(r)).sort();

/** Rows grouped by the value of their key column, each group sorted (the order = ANY returns them in is not the loop's). */
function byKey(rows: Record<string, unknown>[], column: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) {
    const k = String(r[column]);
    const g = out.get(k) ?? [];
    g.push(JSON.stringify(r));
    out.set(k, g);
  }
  for (const g of out.values()) g.sort();
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The loop's rows, each tagged with the key its statement used, grouped as byKey groups the rewrite's. */
async function loopRowsByKey(stmts: Stmt[], column: string): Promise<Map<string, string[]>> {
  const rows: Record<string, unknown>[] = [];
  for (const s of stmts) {
    const p = parseStmt(s)!;
    const r = await db.client.query(rewritePlaceholders(s.sql), Array.from({ length: p.maxParam }, (_, i) => p.param(i + 1)));
    for (const row of r.rows) rows.push({ [column]: row[column] ?? Number(p.param(1)), ...row });
  }
  return byKey(rows, column);
}

/** PREPARE plans the statement against the real schema: names, types and operators must all resolve. */
async function prepares(sql: string): Promise<void> {
  await db.client.query(`PREPARE rw AS ${sql}`);
  await db.client.query('DEALLOCATE rw');
}

async function inRollback<T>(f: () => Promise<T>): Promise<T> {
  await db.client.query('BEGIN');
  try {
    return await f();
  } finally {
    await db.client.query('ROLLBACK');
  }
}

describe('rewrites of the sample loops', () => {
  it('n-plus-one: = ANY over the keys returns the loop rows with their key; the JOIN with the parent too', async () => {
    const d = draft('n-plus-one', 'billing');
    const b = build(d);
    expect(b.use).toBe('SELECT order_id, product_id, quantity, unit_price_cents FROM order_items WHERE order_id = ANY($1)');
    expect(b.alternatives.map((a) => a.sql)).toEqual([
      'SELECT c.order_id, c.product_id, c.quantity, c.unit_price_cents FROM (SELECT id, total_cents FROM orders WHERE customer_id = $1 ORDER BY created_at) AS p INNER JOIN order_items AS c ON c.order_id = p.id',
    ]);
    const s = suggest(d, null);
    expect(s.use).toBe(b.use);
    expect(s.summary).toContain('$1 = the 12 order_id values: {1,167,299,');
    expect(s.summary).toContain('SQL advice only');
    await prepares(b.use!);
    await prepares(b.alternatives[0]!.sql);
    // every row says which order it belongs to: the loop's rows for key k are the rewrite's rows with order_id = k
    const perKey = await loopRowsByKey(d.statements, 'order_id');
    const batched = await db.client.query(b.use!, b.binds);
    expect(byKey(batched.rows, 'order_id')).toEqual(perKey);
    const parentParams = [parseStmt(d.parent!)!.param(1)];
    const joined = await db.client.query(b.alternatives[0]!.sql, parentParams);
    expect(byKey(joined.rows, 'order_id')).toEqual(perKey);
  });

  it('n-plus-one (pooled web, parent cart_items): JOIN on the parent column that holds the key', async () => {
    const d = draft('n-plus-one', 'web');
    const b = build(d);
    expect(b.use).toBe('SELECT id, name, price_cents FROM products WHERE id = ANY($1)');
    // fetched by its own id: a belongs-to association, one product per cart item
    expect(suggest(d, 'rails').orm!.advice).toContain('includes(:product)');
    expect(b.alternatives[0]!.sql).toBe(
      'SELECT c.id, c.name, c.price_cents FROM (SELECT product_id, quantity FROM cart_items WHERE customer_id = $1 ORDER BY product_id) AS p INNER JOIN products AS c ON c.id = p.product_id',
    );
    await prepares(b.alternatives[0]!.sql);
    const loop = await loopResults(d.statements);
    expect(canon((await db.client.query(b.use!, b.binds)).rows)).toEqual(canon(loop.rows));
  });

  it('aggregate-loop: one GROUP BY over the key; every key with rows gets the loop value', async () => {
    const d = draft('aggregate-loop', 'dashboard');
    const b = build(d);
    expect(b.use).toBe(
      'SELECT customer_id, count(*) AS orders, coalesce(sum(total_cents), 0) AS revenue FROM orders WHERE customer_id = ANY($1) GROUP BY customer_id',
    );
    await prepares(b.use!);
    const keys = b.binds![0] as string[];
    expect(keys).toHaveLength(15);
    const loop = await loopResults(d.statements);
    const grouped = new Map((await db.client.query(b.use!, b.binds)).rows.map((r) => [String(r.customer_id), { orders: r.orders, revenue: r.revenue }]));
    let same = 0;
    loop.rows.forEach((row, i) => {
      // the literal loop runs one statement per key, in key order
      const got = grouped.get(keys[i]!);
      if (row.orders === '0') expect(got).toBeUndefined();
      else expect(got).toEqual(row), same++;
    });
    expect(same).toBeGreaterThan(10);
  });

  it('latest-per-parent: DISTINCT ON and the window form both return the loop rows', async () => {
    const d = draft('latest-per-parent', 'crm');
    const b = build(d);
    expect(b.use).toBe(
      'SELECT DISTINCT ON (customer_id) customer_id, id, total_cents, created_at FROM orders WHERE customer_id = ANY($1) ORDER BY customer_id, created_at DESC',
    );
    expect(b.alternatives[0]!.sql).toBe(
      'SELECT customer_id, id, total_cents, created_at FROM (SELECT customer_id, id, total_cents, created_at, row_number() OVER (PARTITION BY customer_id ORDER BY created_at DESC) AS rn FROM orders WHERE customer_id = ANY($1)) AS ranked WHERE rn <= 1',
    );
    expect(suggest(d, null).summary).toMatch(/^Fetch the newest row \(by created_at\) of every parent in one DISTINCT ON query, with /);
    const perKey = await loopRowsByKey(d.statements, 'customer_id');
    for (const sql of [b.use!, b.alternatives[0]!.sql]) {
      await prepares(sql);
      expect(byKey((await db.client.query(sql, b.binds)).rows, 'customer_id')).toEqual(perKey);
    }
  });

  it('per-row-insert: the real rows in one VALUES list, and unnest() arrays insert exactly what the loop did', async () => {
    const d = draft('per-row-insert', 'importer');
    const b = build(d);
    expect(b.use).toBe(
      "INSERT INTO products (sku, name, category, price_cents, description) VALUES ('IMP-0001', 'Ol'' Reliable #1', 'garden', 1010, 'Imported item 1'), " +
        "('IMP-0002', 'Ol'' Reliable #2', 'garden', 1020, 'Imported item 2'), " +
        "('IMP-0003', 'Ol'' Reliable #3', 'garden', 1030, E'First line of the description\\nsecond line, after a newline'), " +
        "('IMP-0004', 'Ol'' Reliable #4', 'garden', 1040, 'Imported item 4'), " +
        "('IMP-0005', 'Ol'' Reliable #5', 'garden', 1050, 'Quotes: it''s \"great\", {braces}, back\\slash') /* … 20 more rows like these (25 in all) */",
    );
    const unnest = b.alternatives[0]!;
    expect(unnest.sql).toBe(
      'INSERT INTO products (sku, name, category, price_cents, description) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[]) AS v',
    );
    await prepares(b.use!);
    await prepares(unnest.sql);
    const snapshot = "SELECT sku, name, category, price_cents, description FROM products WHERE sku LIKE 'IMP-%'";
    const viaLoop = await inRollback(async () => {
      await loopResults(d.statements);
      return (await db.client.query(snapshot)).rows;
    });
    const viaArrays = await inRollback(async () => {
      await db.client.query(unnest.sql, unnest.binds);
      return (await db.client.query(snapshot)).rows;
    });
    expect(viaLoop).toHaveLength(25);
    expect(canon(viaArrays)).toEqual(canon(viaLoop));
    // the shown VALUES statement inserts its five rows exactly as the loop's first five
    const viaValues = await inRollback(async () => {
      await db.client.query(b.use!);
      return (await db.client.query(snapshot)).rows;
    });
    expect(canon(viaValues)).toEqual(canon(viaLoop.filter((r) => r.sku <= 'IMP-0005')));
  });

  it('per-row-update: UPDATE … FROM (VALUES …) with the real values; the array form leaves the table as the loop did', async () => {
    const d = draft('per-row-update', 'pricing');
    const b = build(d);
    expect(b.use).toBe(
      'UPDATE products SET price_cents = v.price_cents FROM (VALUES (2, 631), (6, 794), (10, 957), (14, 1120), (18, 1283)) AS v(id, price_cents) WHERE products.id = v.id /* … 7 more rows in VALUES (12 in all) */',
    );
    const arrays = b.alternatives[0]!;
    expect(arrays.sql).toBe('UPDATE products SET price_cents = v.price_cents FROM unnest($1::bigint[], $2::bigint[]) AS v(id, price_cents) WHERE products.id = v.id');
    await prepares(b.use!);
    await prepares(arrays.sql);
    const snapshot = 'SELECT id, price_cents FROM products ORDER BY id';
    const viaLoop = await inRollback(async () => {
      await loopResults(d.statements);
      return (await db.client.query(snapshot)).rows;
    });
    const viaArrays = await inRollback(async () => {
      await db.client.query(arrays.sql, arrays.binds);
      return (await db.client.query(snapshot)).rows;
    });
    expect(viaArrays).toEqual(viaLoop);
  });

  it('per-row-delete: one DELETE … = ANY deletes the rows the loop deleted', async () => {
    const d = draft('per-row-delete', 'cleanup');
    const b = build(d);
    expect(b.use).toBe('DELETE FROM audit_log WHERE id = ANY($1)');
    await prepares(b.use!);
    const left = 'SELECT id FROM audit_log ORDER BY id';
    const viaLoop = await inRollback(async () => ({ n: (await loopResults(d.statements)).rowCount, left: (await db.client.query(left)).rows }));
    const viaAny = await inRollback(async () => ({ n: (await db.client.query(b.use!, b.binds)).rowCount, left: (await db.client.query(left)).rows }));
    expect(viaLoop.n).toBe(15);
    expect(viaAny).toEqual(viaLoop);
  });

  it('select-then-insert: one WITH … ON CONFLICT DO NOTHING that returns an id for every key, inserted or already there', async () => {
    const d = draft('select-then-insert', 'sync');
    const b = build(d);
    expect(b.use).toBe(
      'WITH ins AS (INSERT INTO customers (email, first_name, last_name, region) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS v ' +
        'ON CONFLICT (email) DO NOTHING RETURNING email, id) SELECT email, id FROM ins UNION ALL SELECT email, id FROM customers WHERE email = ANY($5)',
    );
    expect(b.params.at(-1)).toBe('$5 = the 12 email values looked up: {sync1@example.net,sync2@example.net,sync3@example.net,o\'brien.sync4@example.net,sync5@example.net,sync6@example.net,sync7@example.net,o\'brien.sync8@example.net,sync9@example.net,sync10@example.net,…}');
    await prepares(b.use!);
    await inRollback(async () => {
      // the loop first: its SELECT found some keys, its INSERT … RETURNING id gave the others their id
      const loopIds = new Map<string, string>();
      for (const s of d.statements) {
        const p = parseStmt(s)!;
        const r = await db.client.query(rewritePlaceholders(s.sql), Array.from({ length: p.maxParam }, (_, i) => p.param(i + 1)));
        if (r.rows[0]) loopIds.set(String(p.param(1)), String(r.rows[0].id));
      }
      expect(loopIds.size).toBe(12);
      // now every row exists: the rewrite inserts nothing and still returns each key's id, the same as the loop's
      const r = await db.client.query(b.use!, b.binds);
      expect(r.rowCount).toBe(12);
      expect(new Map(r.rows.map((x) => [String(x.email), String(x.id)]))).toEqual(loopIds);
    });
    await inRollback(async () => {
      // on the table as the loop found it: one row per key, the new ones from ins
      const r = await db.client.query(b.use!, b.binds);
      expect(r.rowCount).toBe(12);
      expect(new Set(r.rows.map((x) => x.email)).size).toBe(12);
    });
  });

  it('repeated-sequence: each member batched by its own rule, each one prepared', async () => {
    const d = draft('repeated-sequence', 'fulfillment');
    const s = suggest(d, null);
    const members = s.use!.split(';\n');
    expect(members).toEqual([
      'SELECT customer_id, id, line1, city FROM addresses WHERE customer_id = ANY($1)',
      "INSERT INTO shipments (order_id, carrier, address_id) VALUES (2, 'CTT', 2), (7, 'CTT', 7), (12, 'CTT', 12), (17, 'CTT', 17), (22, 'CTT', 22) /* … 3 more rows like these (8 in all) */",
      "UPDATE orders SET status = 'shipped' WHERE id = ANY($1)",
    ]);
    for (const m of members) await prepares(m);
  });

  it('duplicate-query: the one statement to keep, printed without comments', async () => {
    const b = build(draft('duplicate-query', 'catalog'));
    expect(b.use).toBe('SELECT value FROM app_settings WHERE key = $1');
    await prepares(b.use!);
  });

  it('unbounded-fetch: keyset pagination on the sort key', async () => {
    const d = draft('unbounded-fetch', 'export');
    const b = build(d);
    expect(b.use).toBe('SELECT id, actor, action, payload, created_at FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2');
    await prepares(b.use!);
    // pages of 500 from below the smallest id give back every row of the unbounded fetch, in order
    const all = (await db.client.query(d.statements[0]!.sql)).rows;
    const paged: Record<string, unknown>[] = [];
    let last = 0;
    for (;;) {
      const page = (await db.client.query(b.use!, [last, 500])).rows;
      if (page.length === 0) break;
      paged.push(...page);
      last = Number(page[page.length - 1]!.id);
    }
    expect(paged).toEqual(all);
  });

  it('every finding of the samples carries a rewrite that PostgreSQL prepares', async () => {
    for (const { draft: d, unit } of found) {
      const s = suggest(d, unit.orm);
      expect(s.use, `${d.kind} ${unit.application}`).not.toBeNull();
      for (const m of s.use!.split(';\n')) await prepares(m);
    }
  });
});
