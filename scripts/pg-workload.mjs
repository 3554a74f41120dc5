#!/usr/bin/env node
// A realistic application workload against a real PostgreSQL server, with a ground truth.
//
//   node scripts/pg-workload.mjs --port <p> [--host 127.0.0.1] [--user postgres] [--database app]
//        [--scenarios a,b,...] [--truth <file>] [--web-requests 300] [--seed 42]
//   node scripts/pg-workload.mjs --cluster <dir>/cluster.json ...   (connection from pg-cluster.mjs)
//   node scripts/pg-workload.mjs --list
//
// Every scenario runs in its own session(s) with its own application_name, and all selected
// scenarios run concurrently after the schema setup, so their sessions interleave in the log.
// Each client query() call is counted: that is the number of statements the server executed
// (BEGIN/COMMIT/ROLLBACK included). The ground truth (see samples/README.md) says, per
// scenario, how many statements ran and which findings a correct analyzer must report —
// and that it must report nothing else for that application.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import process from 'node:process';
import { pathToFileURL } from 'node:url';
import pg from 'pg';

export const TRUTH_VERSION = 1;

// ---------------------------------------------------------------------------------------------
// helpers

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Per-scenario accounting of what the client sent. */
class Tally {
  constructor(name, application) {
    this.name = name;
    this.application = application;
    this.statements = 0; // successful query() calls
    this.failed = 0; // query() calls the server rejected (ERROR)
    this.simple = 0; // simple protocol (text only)
    this.extended = 0; // extended protocol, unnamed statement
    this.named = 0; // extended protocol, named prepared statement
    this.transactions = 0; // explicit BEGIN
    this.sessions = 0; // connections opened
    this.startedAt = null;
    this.endedAt = null;
  }
}

/** Wrap a pg client so that each query() call is counted against a tally. */
function counted(client, tally) {
  return async function q(textOrConfig, values) {
    const cfg = typeof textOrConfig === 'string' ? { text: textOrConfig, values } : textOrConfig;
    const hasValues = Array.isArray(cfg.values) && cfg.values.length > 0;
    if (cfg.name) tally.named++;
    else if (hasValues) tally.extended++;
    else tally.simple++;
    if (/^\s*(BEGIN|START TRANSACTION)\b/i.test(cfg.text)) tally.transactions++;
    try {
      const r = await client.query(cfg);
      tally.statements++;
      return r;
    } catch (e) {
      tally.failed++;
      throw e;
    }
  };
}

async function connect(conn, application, tally) {
  const client = new pg.Client({ ...conn, application_name: application });
  await client.connect();
  tally.sessions++;
  return client;
}

// ---------------------------------------------------------------------------------------------
// schema and seed data (application `setup`, simple protocol, one statement per query() call)

const SCHEMA = [
  `DROP SCHEMA IF EXISTS public CASCADE`,
  `CREATE SCHEMA public`,
  `CREATE TABLE customers (
    id          serial PRIMARY KEY,
    email       text NOT NULL UNIQUE,
    first_name  text NOT NULL,
    last_name   text NOT NULL,
    region      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE addresses (
    id           serial PRIMARY KEY,
    customer_id  integer NOT NULL REFERENCES customers(id),
    line1        text NOT NULL,
    city         text NOT NULL
  )`,
  `CREATE INDEX addresses_customer_id_idx ON addresses (customer_id)`,
  `CREATE TABLE products (
    id           serial PRIMARY KEY,
    sku          text NOT NULL UNIQUE,
    name         text NOT NULL,
    category     text NOT NULL,
    price_cents  integer NOT NULL,
    description  text
  )`,
  `CREATE TABLE orders (
    id           serial PRIMARY KEY,
    customer_id  integer NOT NULL REFERENCES customers(id),
    status       text NOT NULL,
    total_cents  integer NOT NULL,
    created_at   timestamptz NOT NULL
  )`,
  `CREATE INDEX orders_customer_created_idx ON orders (customer_id, created_at)`,
  `CREATE TABLE order_items (
    id                serial PRIMARY KEY,
    order_id          integer NOT NULL REFERENCES orders(id),
    product_id        integer NOT NULL REFERENCES products(id),
    quantity          integer NOT NULL,
    unit_price_cents  integer NOT NULL
  )`,
  `CREATE INDEX order_items_order_id_idx ON order_items (order_id)`,
  `CREATE TABLE invoices (
    id            serial PRIMARY KEY,
    order_id      integer NOT NULL UNIQUE REFERENCES orders(id),
    amount_cents  integer NOT NULL,
    issued_at     timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE shipments (
    id          serial PRIMARY KEY,
    order_id    integer NOT NULL REFERENCES orders(id),
    carrier     text NOT NULL,
    address_id  integer REFERENCES addresses(id),
    created_at  timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    actor       text NOT NULL,
    action      text NOT NULL,
    payload     jsonb,
    created_at  timestamptz NOT NULL DEFAULT now()
  )`,
  `CREATE TABLE web_sessions (
    token         text PRIMARY KEY,
    customer_id   integer NOT NULL REFERENCES customers(id),
    expires_at    timestamptz NOT NULL,
    last_seen_at  timestamptz
  )`,
  `CREATE TABLE user_settings (
    customer_id  integer PRIMARY KEY REFERENCES customers(id),
    theme        text NOT NULL,
    locale       text NOT NULL,
    notify       boolean NOT NULL
  )`,
  `CREATE TABLE notifications (
    id           serial PRIMARY KEY,
    customer_id  integer NOT NULL REFERENCES customers(id),
    body         text NOT NULL,
    read         boolean NOT NULL DEFAULT false
  )`,
  `CREATE INDEX notifications_customer_idx ON notifications (customer_id)`,
  `CREATE TABLE cart_items (
    customer_id  integer NOT NULL REFERENCES customers(id),
    product_id   integer NOT NULL REFERENCES products(id),
    quantity     integer NOT NULL,
    PRIMARY KEY (customer_id, product_id)
  )`,
  `CREATE TABLE app_settings (key text PRIMARY KEY, value text NOT NULL)`,
  `CREATE TABLE jobs (
    id          serial PRIMARY KEY,
    kind        text NOT NULL,
    payload     jsonb NOT NULL,
    status      text NOT NULL DEFAULT 'queued',
    attempts    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now()
  )`,
];

const SEED = [
  `INSERT INTO customers (email, first_name, last_name, region, created_at)
   SELECT 'customer' || g || '@example.com', 'First' || g,
          CASE WHEN g % 17 = 0 THEN 'O''Brien' ELSE 'Last' || g END,
          (ARRAY['north', 'south', 'east', 'west'])[1 + g % 4],
          timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour'
   FROM generate_series(1, 200) AS g`,
  `INSERT INTO addresses (customer_id, line1, city)
   SELECT g, g || ' Main Street', (ARRAY['Lisbon', 'Porto', 'Braga'])[1 + g % 3]
   FROM generate_series(1, 200) AS g`,
  `INSERT INTO products (sku, name, category, price_cents, description)
   SELECT 'SKU-' || lpad(g::text, 5, '0'), 'Product ' || g,
          (ARRAY['books', 'garden', 'kitchen', 'toys'])[1 + g % 4],
          500 + (g * 37) % 9500, 'Seed product ' || g
   FROM generate_series(1, 100) AS g`,
  `INSERT INTO orders (customer_id, status, total_cents, created_at)
   SELECT c, CASE WHEN (c * 7 + n) % 5 = 0 THEN 'paid' ELSE 'delivered' END,
          1000 + (c * 31 + n * 17) % 9000,
          timestamptz '2024-02-01 00:00:00+00' + (c * 13 + n * 29) * interval '1 hour'
   FROM generate_series(1, 200) AS c, generate_series(1, 12) AS n
   WHERE c <= 30 OR n <= c % 5`,
  `INSERT INTO order_items (order_id, product_id, quantity, unit_price_cents)
   SELECT o.id, 1 + (o.id * 7 + k * 13) % 100, 1 + (o.id + k) % 3, 500 + ((o.id * 7 + k * 13) % 100) * 25
   FROM orders AS o, generate_series(1, 3) AS k
   WHERE k <= 1 + o.id % 3`,
  `INSERT INTO invoices (order_id, amount_cents)
   SELECT id, total_cents FROM orders WHERE id <= 50`,
  `INSERT INTO audit_log (actor, action, payload, created_at)
   SELECT 'system', (ARRAY['login', 'export', 'update', 'delete'])[1 + g % 4],
          jsonb_build_object('n', g, 'note', 'seed row ' || g),
          now() - g * interval '1 hour'
   FROM generate_series(1, 2000) AS g`,
  `INSERT INTO web_sessions (token, customer_id, expires_at)
   SELECT 'tok_' || md5(g::text), g, now() + interval '1 day'
   FROM generate_series(1, 40) AS g`,
  `INSERT INTO user_settings (customer_id, theme, locale, notify)
   SELECT g, CASE WHEN g % 2 = 0 THEN 'dark' ELSE 'light' END, 'en_US', g % 3 = 0
   FROM generate_series(1, 200) AS g`,
  `INSERT INTO notifications (customer_id, body, read)
   SELECT c, 'Notification ' || n || ' for ' || c, n = 1
   FROM generate_series(1, 40) AS c, generate_series(1, 3) AS n`,
  `INSERT INTO cart_items (customer_id, product_id, quantity)
   SELECT c, 1 + (c * 11 + k * 7) % 100, 1 + k % 2
   FROM generate_series(1, 40) AS c, generate_series(1, 12) AS k
   WHERE k <= 6 + c % 7`,
  `INSERT INTO app_settings (key, value) VALUES
     ('currency', 'EUR'), ('locale', 'pt_PT'), ('tax_rate', '0.23'), ('support_email', 'help@example.com')`,
  `INSERT INTO jobs (kind, payload)
   SELECT (ARRAY['email', 'invoice', 'reindex'])[1 + g % 3], jsonb_build_object('order_id', 50 + g)
   FROM generate_series(1, 60) AS g`,
  `ANALYZE`,
];

async function setup(conn, tally) {
  const client = await connect(conn, tally.application, tally);
  const q = counted(client, tally);
  try {
    for (const sql of SCHEMA) await q(sql);
    for (const sql of SEED) await q(sql);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// scenarios. Each returns the loops it ran so the truth can state repeats and occurrences.

const ORDER_ITEMS_BY_ORDER = 'SELECT product_id, quantity, unit_price_cents FROM order_items WHERE order_id = $1';

/** billing: an N+1 over order_items, once in an explicit transaction and once in autocommit. */
async function nPlusOne(conn, tally) {
  const client = await connect(conn, tally.application, tally);
  const q = counted(client, tally);
  const loops = [];
  try {
    // 1) explicit transaction, child query as a named prepared statement
    await q('BEGIN');
    const orders = await q('SELECT id, total_cents FROM orders WHERE customer_id = $1 ORDER BY created_at', [1]);
    for (const o of orders.rows) {
      await q({ name: 'order_items_by_order', text: ORDER_ITEMS_BY_ORDER, values: [o.id] });
    }
    await q('COMMIT');
    loops.push(orders.rows.length);
    await sleep(40);
    // 2) the same job in autocommit, unnamed extended protocol, back to back
    const orders2 = await q('SELECT id, total_cents FROM orders WHERE customer_id = $1 ORDER BY created_at', [2]);
    for (const o of orders2.rows) await q(ORDER_ITEMS_BY_ORDER, [o.id]);
    loops.push(orders2.rows.length);
  } finally {
    await client.end();
  }
  return {
    expected: [
      {
        kind: 'n-plus-one',
        table: 'order_items',
        tables: ['order_items'],
        template: ORDER_ITEMS_BY_ORDER,
        parentTable: 'orders',
        occurrences: loops.length,
        minRepeats: Math.min(...loops),
        maxRepeats: Math.max(...loops),
      },
    ],
  };
}

/** reports: the same job as billing, set-based. Must give no findings. */
async function clean(conn, tally) {
  const client = await connect(conn, tally.application, tally);
  const q = counted(client, tally);
  const customers = [3, 4, 5];
  try {
    for (const c of customers) {
      await q('BEGIN');
      const orders = await q('SELECT id, total_cents, created_at FROM orders WHERE customer_id = $1 ORDER BY id', [c]);
      const ids = orders.rows.map((r) => r.id);
      await q(
        `SELECT oi.order_id, p.name, oi.quantity, oi.unit_price_cents
           FROM order_items AS oi
           JOIN products AS p ON p.id = oi.product_id
          WHERE oi.order_id = ANY($1)
          ORDER BY oi.order_id, p.name`,
        [ids],
      );
      await q(
        `SELECT o.customer_id,
                count(*)            AS orders,
                sum(o.total_cents)  AS revenue,
                count(*) FILTER (WHERE o.status = 'paid') AS paid_orders
           FROM orders AS o
          WHERE o.customer_id = ANY($1)
          GROUP BY o.customer_id`,
        [customers],
      );
      await q(
        `SELECT DISTINCT ON (customer_id) customer_id, id, created_at
           FROM orders
          WHERE customer_id = ANY($1)
          ORDER BY customer_id, created_at DESC`,
        [customers],
      );
      // multi-row insert, one statement for all of this customer's invoices
      const values = [];
      const params = [];
      for (const r of orders.rows) {
        params.push(r.id, r.total_cents);
        values.push(`($${params.length - 1}, $${params.length})`);
      }
      await q(
        `INSERT INTO invoices (order_id, amount_cents) VALUES ${values.join(', ')} ON CONFLICT (order_id) DO NOTHING`,
        params,
      );
      // simple protocol, literal with a doubled quote, multi-line
      await q(`SELECT id, email
  FROM customers
 WHERE last_name = 'O''Brien'
   AND region <> 'nowhere'
 ORDER BY id
 LIMIT 50`);
      // text array parameter whose elements contain quotes and commas
      await q('SELECT id, email FROM customers WHERE email = ANY($1) ORDER BY id', [
        [`o'brien.${c}@example.com`, `customer${c}@example.com`, `a "quoted", name${c}@example.com`],
      ]);
      await q('COMMIT');
      await sleep(25);
    }
  } finally {
    await client.end();
  }
  return { expected: [] };
}

/** dashboard: count/sum per customer in a loop, simple protocol with literals inlined. */
async function aggregateLoop(conn, tally) {
  const client = await connect(conn, tally.application, tally);
  const q = counted(client, tally);
  let n = 0;
  try {
    await q('BEGIN');
    const customers = await q(`SELECT id FROM customers WHERE region = 'north' ORDER BY id LIMIT 15`);
    for (const c of customers.rows) {
      await q(
        `SELECT count(*) AS orders, coalesce(sum(total_cents), 0) AS revenue FROM orders WHERE customer_id = ${c.id}`,
      );
      n++;
    }
    await q('COMMIT');
  } finally {
    await client.end();
  }
  return {
    expected: [
      {
        kind: 'aggregate-loop',
        table: 'orders',
        tables: ['orders'],
        template: 'SELECT count(*) AS orders, coalesce(sum(total_cents), $1) AS revenue FROM orders WHERE customer_id = $2',
        parentTable: 'customers',
        occurrences: 1,
        minRepeats: n,
        maxRepeats: n,
      },
    ],
  };
}

/** crm: latest order per customer, one query per customer, autocommit, extended protocol. */
async function latestPerParent(conn, tally) {
  const client = await connect(conn, tally.application, tally);
  const q = counted(client, tally);
  const sql = 'SELECT id, total_cents, created_at FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 1';
  let n = 0;
  try {
    const customers = await q('SELECT id, email FROM customers WHERE region = $1 ORDER BY id LIMIT 12', ['south']);
    for (const c of customers.rows) {
      await q(sql, [c.id]);
      n++;
    }
  } finally {
    await client.end();
  }
  return {
    expected: [
      {
        kind: 'latest-per-parent',
        table: 'orders',
        tables: ['orders'],
        template: sql,
        parentTable: 'customers',
        occurrences: 1,
        minRepeats: n,
        maxRepeats: n,
      },
    ],
  };
}

/** importer: one INSERT per product row inside a transaction; awkward strings in parameters. */
async function perRowInsert(conn, tally) {
  const client = await connect(conn, tally.application, tally);
  const q = counted(client, tally);
  const sql = 'INSERT INTO products (sku, name, category, price_cents, description) VALUES ($1, $2, $3, $4, $5)';
  const n = 25;
  try {
    await q('BEGIN');
    for (let i = 1; i <= n; i++) {
      let description = `Imported item ${i}`;
      if (i === 7) description = null; // logged as $5 = NULL (unquoted)
      if (i === 3) description = 'First line of the description\nsecond line, after a newline';
      if (i === 5) description = `Quotes: it's "great", {braces}, back\\slash`;
      await q(sql, [`IMP-${String(i).padStart(4, '0')}`, `Ol' Reliable #${i}`, 'garden', 1000 + i * 10, description]);
    }
    await q('COMMIT');
  } finally {
    await client.end();
  }
  return {
    expected: [
      { kind: 'per-row-insert', table: 'products', tables: ['products'], template: sql, occurrences: 1, minRepeats: n, maxRepeats: n },
    ],
  };
}

/** pricing: read a page of products then UPDATE each one by id. */
async function perRowUpdate(conn, tally) {
  const client = await connect(conn, tally.application, tally);
  const q = counted(client, tally);
  const sql = 'UPDATE products SET price_cents = $1 WHERE id = $2';
  let n = 0;
  try {
    await q('BEGIN');
    const rows = await q('SELECT id, price_cents FROM products WHERE category = $1 ORDER BY id LIMIT 12', ['kitchen']);
    for (const r of rows.rows) {
      await q(sql, [Math.round(r.price_cents * 1.1), r.id]);
      n++;
    }
    await q('COMMIT');
  } finally {
    await client.end();
  }
  return {
    expected: [
      { kind: 'per-row-update', table: 'products', tables: ['products'], template: sql, parentTable: 'products', occurrences: 1, minRepeats: n, maxRepeats: n },
    ],
  };
}

/** cleanup: find old audit rows then DELETE each by id; simple protocol. */
async function perRowDelete(conn, tally) {
  const client = await connect(conn, tally.application, tally);
  const q = counted(client, tally);
  let n = 0;
  try {
    await q('BEGIN');
    const rows = await q(
      `SELECT id FROM audit_log WHERE created_at < now() - interval '30 days' ORDER BY id LIMIT 15`,
    );
    for (const r of rows.rows) {
      await q(`DELETE FROM audit_log WHERE id = ${r.id}`);
      n++;
    }
    await q('COMMIT');
  } finally {
    await client.end();
  }
  return {
    expected: [
      {
        kind: 'per-row-delete',
        table: 'audit_log',
        tables: ['audit_log'],
        template: 'DELETE FROM audit_log WHERE id = $1',
        parentTable: 'audit_log',
        occurrences: 1,
        minRepeats: n,
        maxRepeats: n,
      },
    ],
  };
}

/** sync: look a customer up by e-mail, insert it when missing, per incoming record. */
async function selectThenInsert(conn, tally) {
  const client = await connect(conn, tally.application, tally);
  const q = counted(client, tally);
  const n = 12;
  let inserts = 0;
  try {
    await q('BEGIN');
    for (let i = 1; i <= n; i++) {
      const email = i % 4 === 0 ? `o'brien.sync${i}@example.net` : `sync${i}@example.net`;
      const found = await q('SELECT id FROM customers WHERE email = $1', [email]);
      if (found.rowCount === 0) {
        await q(
          'INSERT INTO customers (email, first_name, last_name, region) VALUES ($1, $2, $3, $4) RETURNING id',
          [email, `Sync${i}`, i % 3 === 0 ? "D'Angelo" : `Imported${i}`, 'east'],
        );
        inserts++;
      }
    }
    await q('COMMIT');
  } finally {
    await client.end();
  }
  return {
    expected: [
      {
        kind: 'select-then-insert',
        table: 'customers',
        tables: ['customers'],
        template: 'SELECT id FROM customers WHERE email = $1',
        occurrences: 1,
        minRepeats: inserts,
        maxRepeats: inserts,
      },
    ],
  };
}

/** catalog: the same settings lookup, same parameter, once per rendered product. */
async function duplicateQuery(conn, tally) {
  const client = await connect(conn, tally.application, tally);
  const q = counted(client, tally);
  const sql = 'SELECT value FROM app_settings WHERE key = $1';
  let n = 0;
  try {
    const products = await q('SELECT id, name, price_cents FROM products WHERE category = $1 ORDER BY name LIMIT 10', [
      'books',
    ]);
    for (const _ of products.rows) {
      await q(sql, ['currency']);
      n++;
    }
  } finally {
    await client.end();
  }
  return {
    expected: [
      { kind: 'duplicate-query', table: 'app_settings', tables: ['app_settings'], template: sql, occurrences: 1, minRepeats: n, maxRepeats: n },
    ],
  };
}

/** export: read a whole table with no LIMIT and no predicate (plus bounded negatives). */
async function unboundedFetch(conn, tally) {
  const client = await connect(conn, tally.application, tally);
  const q = counted(client, tally);
  let rows = 0;
  try {
    await q('SELECT count(*) FROM audit_log');
    const r = await q('SELECT id, actor, action, payload, created_at FROM audit_log ORDER BY id');
    rows = r.rowCount;
    await q('SELECT id, email FROM customers WHERE id = 7');
  } finally {
    await client.end();
  }
  return {
    expected: [
      {
        kind: 'unbounded-fetch',
        table: 'audit_log',
        tables: ['audit_log'],
        template: 'SELECT id, actor, action, payload, created_at FROM audit_log ORDER BY id',
        occurrences: 1,
        minRepeats: 1,
        maxRepeats: 1,
        rows,
      },
    ],
  };
}

/** fulfillment: a block of three statements (address, shipment insert, order update) per order. */
async function repeatedSequence(conn, tally) {
  const client = await connect(conn, tally.application, tally);
  const q = counted(client, tally);
  let n = 0;
  try {
    await q('BEGIN');
    const orders = await q('SELECT id, customer_id FROM orders WHERE status = $1 ORDER BY id LIMIT 8', ['paid']);
    for (const o of orders.rows) {
      const addr = await q({
        name: 'address_for_customer',
        text: 'SELECT id, line1, city FROM addresses WHERE customer_id = $1',
        values: [o.customer_id],
      });
      await q({
        name: 'insert_shipment',
        text: `INSERT INTO shipments (order_id, carrier, address_id)
VALUES ($1, $2, $3)`,
        values: [o.id, 'CTT', addr.rows[0]?.id ?? null],
      });
      await q({ name: 'mark_shipped', text: `UPDATE orders SET status = 'shipped' WHERE id = $1`, values: [o.id] });
      n++;
    }
    await q('COMMIT');
  } finally {
    await client.end();
  }
  return {
    expected: [
      {
        kind: 'repeated-sequence',
        table: 'addresses',
        tables: ['addresses', 'shipments', 'orders'],
        template: 'SELECT id, line1, city FROM addresses WHERE customer_id = $1',
        blockSize: 3,
        parentTable: 'orders',
        occurrences: 1,
        minRepeats: n,
        maxRepeats: n,
      },
    ],
  };
}

/** worker: one job per explicit transaction, repeated. Not a loop. One job fails and rolls back. */
async function worker(conn, tally, opts) {
  const client = await connect(conn, tally.application, tally);
  const q = counted(client, tally);
  const rng = mulberry32(opts.seed + 7);
  const jobs = 30;
  const failAt = 13;
  try {
    for (let i = 1; i <= jobs; i++) {
      await q('BEGIN');
      const job = await q(
        `SELECT id, kind, payload FROM jobs
  WHERE status = $1
  ORDER BY id
  LIMIT 1
  FOR UPDATE SKIP LOCKED`,
        ['queued'],
      );
      const j = job.rows[0];
      if (!j) {
        await q('COMMIT');
        continue;
      }
      if (i === failAt) {
        // order 1 already has an invoice: unique violation, then ROLLBACK and mark the job failed
        try {
          await q('INSERT INTO invoices (order_id, amount_cents) VALUES ($1, $2)', [1, 100]);
        } catch {
          /* expected: duplicate key */
        }
        await q('ROLLBACK');
        await q('BEGIN');
        await q(`UPDATE jobs SET status = 'failed', attempts = attempts + 1 WHERE id = $1`, [j.id]);
        await q('COMMIT');
      } else {
        await q(`UPDATE jobs SET status = 'done', attempts = attempts + 1 WHERE id = $1`, [j.id]);
        await q('INSERT INTO audit_log (actor, action, payload) VALUES ($1, $2, $3)', [
          'worker',
          `job:${j.kind}`,
          JSON.stringify({ job: j.id, payload: j.payload }),
        ]);
        await q('COMMIT');
      }
      await sleep(1 + Math.floor(rng() * 4));
    }
  } finally {
    await client.end();
  }
  return { expected: [] };
}

/**
 * web: pooled autocommit traffic. 4 connections, extended protocol, many short requests with
 * think time between them. Every request looks its session and user up, so those templates
 * repeat hundreds of times per connection; only the /cart route has a real N+1 (one product
 * lookup per cart row, back to back, right after the cart query).
 */
async function pooledWeb(conn, tally, opts) {
  const pool = new pg.Pool({ ...conn, application_name: tally.application, max: 4, idleTimeoutMillis: 0 });
  pool.on('connect', () => {
    tally.sessions++;
  });
  pool.on('error', () => {});
  const rng = mulberry32(opts.seed);
  const timing = mulberry32(opts.seed + 1);
  const total = opts.webRequests;
  const routeNames = ['profile', 'orders', 'product', 'touch', 'notifications', 'cart'];
  const weights = [0.22, 0.2, 0.2, 0.14, 0.14, 0.1];
  const plan = [];
  for (let i = 0; i < total; i++) {
    let x = rng();
    let r = 0;
    while (r < weights.length - 1 && x >= weights[r]) {
      x -= weights[r];
      r++;
    }
    plan.push({ route: routeNames[r], user: 1 + Math.floor(rng() * 40), think: 3 + Math.floor(rng() * 25) });
  }
  const PRODUCT_BY_ID = 'SELECT id, name, price_cents FROM products WHERE id = $1';
  const cartLoops = [];
  const routesRun = {};

  async function request(q, p) {
    const token = `tok_${md5hex(String(p.user))}`;
    const s = await q('SELECT customer_id, expires_at FROM web_sessions WHERE token = $1 AND expires_at > now()', [token]);
    const uid = s.rows[0]?.customer_id ?? p.user;
    if (p.route === 'touch') {
      await q('UPDATE web_sessions SET last_seen_at = now() WHERE token = $1', [token]);
      return;
    }
    await q('SELECT id, email, first_name, last_name FROM customers WHERE id = $1', [uid]);
    switch (p.route) {
      case 'profile':
        await q('SELECT theme, locale, notify FROM user_settings WHERE customer_id = $1', [uid]);
        break;
      case 'orders':
        await q('SELECT id, status, total_cents, created_at FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 10', [uid]);
        await q('SELECT theme, locale, notify FROM user_settings WHERE customer_id = $1', [uid]);
        break;
      case 'product':
        await q('SELECT id, sku, name, price_cents, description FROM products WHERE sku = $1', [
          `SKU-${String(1 + ((p.user * 13) % 100)).padStart(5, '0')}`,
        ]);
        break;
      case 'notifications':
        await q('SELECT count(*) FROM notifications WHERE customer_id = $1 AND NOT read', [uid]);
        await q('SELECT id, body FROM notifications WHERE customer_id = $1 ORDER BY id DESC LIMIT 5', [uid]);
        break;
      case 'cart': {
        const items = await q('SELECT product_id, quantity FROM cart_items WHERE customer_id = $1 ORDER BY product_id', [uid]);
        for (const it of items.rows) await q(PRODUCT_BY_ID, [it.product_id]);
        cartLoops.push(items.rows.length);
        break;
      }
    }
  }

  let next = 0;
  async function userLoop() {
    while (next < plan.length) {
      const p = plan[next++];
      await sleep(p.think);
      const client = await pool.connect();
      try {
        // the connection is held for the whole request, as web frameworks do: routing/auth
        // work before the first query and rendering after the last keep a gap of a few ms
        // between requests on a connection, while the statements of one request run back to back
        await sleep(1 + Math.floor(timing() * 3));
        await request(counted(client, tally), p);
        await sleep(1 + Math.floor(timing() * 4));
        routesRun[p.route] = (routesRun[p.route] ?? 0) + 1;
      } finally {
        client.release();
      }
    }
  }
  try {
    await Promise.all([userLoop(), userLoop(), userLoop(), userLoop()]);
  } finally {
    await pool.end();
  }
  return {
    requests: total,
    routes: routesRun,
    expected: [
      {
        kind: 'n-plus-one',
        table: 'products',
        tables: ['products'],
        template: PRODUCT_BY_ID,
        parentTable: 'cart_items',
        occurrences: cartLoops.length,
        minRepeats: Math.min(...cartLoops),
        maxRepeats: Math.max(...cartLoops),
      },
    ],
  };
}

/**
 * gateway: a Promise.all fan-out. One query lists the orders, then one shipment lookup per order is
 * sent at once through a pool of 4 autocommit connections, so the loop is spread over the
 * connections (about 3 back-to-back lookups each, all starting together): one N+1, found only by
 * looking across sessions.
 */
async function fanOut(conn, tally) {
  const pool = new pg.Pool({ ...conn, application_name: tally.application, max: 4, idleTimeoutMillis: 0 });
  pool.on('connect', () => {
    tally.sessions++;
  });
  pool.on('error', () => {});
  const sql = 'SELECT id, carrier, created_at FROM shipments WHERE order_id = $1';
  let n = 0;
  try {
    // warm the pool so the fan-out does not wait for connections to open
    const clients = await Promise.all([0, 1, 2, 3].map(() => pool.connect()));
    for (const c of clients) c.release();
    const first = await pool.connect();
    let orders;
    try {
      orders = await counted(first, tally)('SELECT id FROM orders WHERE status = $1 ORDER BY id LIMIT 12', ['paid']);
    } finally {
      first.release();
    }
    await Promise.all(
      orders.rows.map(async (o) => {
        const c = await pool.connect();
        try {
          await counted(c, tally)(sql, [o.id]);
          n++;
        } finally {
          c.release();
        }
      }),
    );
  } finally {
    await pool.end();
  }
  return {
    expected: [
      { kind: 'n-plus-one', table: 'shipments', tables: ['shipments'], template: sql, parentTable: 'orders', occurrences: 1, minRepeats: n, maxRepeats: n },
    ],
  };
}

function md5hex(s) {
  return createHash('md5').update(s).digest('hex');
}

export const SCENARIOS = {
  'n-plus-one': { application: 'billing', run: nPlusOne, description: 'orders then one order_items query per order: in a transaction (named statement) and in autocommit' },
  clean: { application: 'reports', run: clean, description: 'the billing job set-based: ANY($1), JOIN, GROUP BY/FILTER, DISTINCT ON, multi-row INSERT' },
  'aggregate-loop': { application: 'dashboard', run: aggregateLoop, description: 'count/sum of orders per customer in a loop (simple protocol, literals)' },
  'latest-per-parent': { application: 'crm', run: latestPerParent, description: 'latest order per customer: ORDER BY created_at DESC LIMIT 1 per customer (autocommit)' },
  'per-row-insert': { application: 'importer', run: perRowInsert, description: 'one INSERT INTO products per row in a transaction (params with quotes and a newline)' },
  'per-row-update': { application: 'pricing', run: perRowUpdate, description: 'UPDATE products ... WHERE id = $2 per row of a parent SELECT' },
  'per-row-delete': { application: 'cleanup', run: perRowDelete, description: 'DELETE FROM audit_log WHERE id = <n> per row (simple protocol)' },
  'select-then-insert': { application: 'sync', run: selectThenInsert, description: 'SELECT customer by email, then INSERT when missing, per record' },
  'duplicate-query': { application: 'catalog', run: duplicateQuery, description: 'the same settings lookup with the same parameter once per product' },
  'unbounded-fetch': { application: 'export', run: unboundedFetch, description: 'SELECT all of audit_log with no WHERE and no LIMIT' },
  'repeated-sequence': { application: 'fulfillment', run: repeatedSequence, description: 'address lookup + shipment insert + order update per order (named statements)' },
  'pooled-web': { application: 'web', run: pooledWeb, description: 'pool of 4 autocommit connections, many short requests; only /cart has an N+1 over products' },
  'fan-out': { application: 'gateway', run: fanOut, description: 'Promise.all over 12 shipment lookups through a pool of 4 connections, after one orders query' },
  worker: { application: 'worker', run: worker, description: 'one job per explicit transaction, repeated; one job fails (unique violation) and rolls back' },
};

export const ALL_SCENARIOS = Object.keys(SCENARIOS);

/**
 * Run the setup and the selected scenarios concurrently; return the ground truth object.
 * conn: {host, port, user, database}
 */
export async function runWorkload(conn, options = {}) {
  const opts = { seed: 42, webRequests: 300, scenarios: ALL_SCENARIOS, ...options };
  for (const s of opts.scenarios) {
    if (!SCENARIOS[s]) throw new Error(`unknown scenario ${s}; known: ${ALL_SCENARIOS.join(', ')}`);
  }
  const setupTally = new Tally('setup', 'setup');
  setupTally.startedAt = new Date().toISOString();
  await setup(conn, setupTally);
  setupTally.endedAt = new Date().toISOString();

  const results = await Promise.all(
    opts.scenarios.map(async (name) => {
      const def = SCENARIOS[name];
      const tally = new Tally(name, def.application);
      tally.startedAt = new Date().toISOString();
      const out = await def.run(conn, tally, opts);
      tally.endedAt = new Date().toISOString();
      return { name, def, tally, out };
    }),
  );

  const scenarios = {
    setup: describe('setup', 'schema and seed data', setupTally, { expected: [] }),
  };
  for (const { name, def, tally, out } of results) scenarios[name] = describe(name, def.description, tally, out);

  const all = Object.values(scenarios);
  const sum = (k) => all.reduce((a, s) => a + s[k], 0);
  const expectedFindings = all.flatMap((s) => s.expected);
  return {
    version: TRUTH_VERSION,
    generator: 'scripts/pg-workload.mjs',
    seed: opts.seed,
    totals: {
      statements: sum('statements'),
      failed: sum('failed'),
      calls: sum('statements') + sum('failed'),
      simple: sum('simple'),
      extended: sum('extended'),
      named: sum('named'),
      transactions: sum('transactions'),
      sessions: sum('sessions'),
    },
    applications: Object.fromEntries(all.map((s) => [s.application, s.scenario])),
    expectedFindings,
    exhaustiveApplications: all.map((s) => s.application),
    scenarios,
  };
}

function describe(name, description, tally, out) {
  const { expected = [], ...extra } = out ?? {};
  return {
    scenario: name,
    application: tally.application,
    description,
    statements: tally.statements,
    failed: tally.failed,
    simple: tally.simple,
    extended: tally.extended,
    named: tally.named,
    transactions: tally.transactions,
    sessions: tally.sessions,
    startedAt: tally.startedAt,
    endedAt: tally.endedAt,
    expected: expected.map((e) => ({ ...e, application: tally.application })),
    noOtherFindings: true,
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------
// CLI

function parseArgs(argv) {
  const o = { host: '127.0.0.1', user: 'postgres', database: 'app' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--port') o.port = Number(val());
    else if (a === '--host') o.host = val();
    else if (a === '--user') o.user = val();
    else if (a === '--database') o.database = val();
    else if (a === '--cluster') Object.assign(o, JSON.parse(fs.readFileSync(val(), 'utf8')));
    else if (a === '--scenarios') o.scenarios = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--truth') o.truth = val();
    else if (a === '--web-requests') o.webRequests = Number(val());
    else if (a === '--seed') o.seed = Number(val());
    else if (a === '--list') o.list = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

async function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`pg-workload: ${e.message}\n`);
    process.exit(2);
  }
  if (o.list) {
    for (const [k, v] of Object.entries(SCENARIOS)) process.stdout.write(`${k.padEnd(20)} ${v.application.padEnd(12)} ${v.description}\n`);
    return;
  }
  if (!o.port) {
    process.stderr.write('pg-workload: --port or --cluster is required\n');
    process.exit(2);
  }
  const conn = { host: o.host, port: o.port, user: o.user, database: o.database };
  const options = {};
  if (o.scenarios) options.scenarios = o.scenarios;
  if (o.webRequests) options.webRequests = o.webRequests;
  if (o.seed !== undefined) options.seed = o.seed;
  const truth = await runWorkload(conn, options);
  const text = JSON.stringify(truth, null, 2) + '\n';
  if (o.truth) fs.writeFileSync(o.truth, text);
  else process.stdout.write(text);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    process.stderr.write(`pg-workload: ${e.stack ?? e}\n`);
    process.exit(1);
  });
}
