/**
 * sqloupe verify on a real PostgreSQL 15 with the workload's schema and seed data (the shared test cluster):
 * every loop kind of the sample logs verified end to end, wrong rewrites caught, the true reason for every
 * skip, the database unchanged by writes, and the DSN's password in no output.
 */
import path from 'node:path';
import { statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeToState, resultFromStates, DEFAULT_ANALYZE_OPTIONS, type AnalysisState } from '../../src/analyze.js';
import type { AnyDraft, FindingKind } from '../../src/detect/registry.js';
import type { AnalysisResult } from '../../src/findings/result.js';
import { build } from '../../src/rewrite/index.js';
import { reporterById } from '../../src/report/index.js';
import { connect, type Connection } from '../../src/verify/connect.js';
import { draftsOf, replay, verifyResult, DEFAULT_VERIFY_LIMITS, VerifyConnectionError, type VerifyOptions } from '../../src/verify/index.js';
import { validatorFor } from '../report/schema.js';
import { runCli } from '../support/cli.js';
import { draftOf, repoRoot, startDb, stmtsOf, type Db } from '../rewrite/support.js';

let db: Db;
let state: AnalysisState;
let drafts: Map<string, AnyDraft>;
let conn: Connection;
const SAMPLES = ['samples/billing.log', 'samples/loops.csv', 'samples/pooled-web.json'];

beforeAll(async () => {
  db = await startDb();
  state = await analyzeToState(SAMPLES.map((f) => ({ path: path.join(repoRoot, f), size: statSync(path.join(repoRoot, f)).size })), DEFAULT_ANALYZE_OPTIONS);
  drafts = draftsOf([state]);
  conn = await connect(db.dsn, DEFAULT_VERIFY_LIMITS);
}, 180_000);

afterAll(async () => {
  await conn?.end();
  await db?.stop();
});

const fresh = (): AnalysisResult => resultFromStates([state], DEFAULT_ANALYZE_OPTIONS);
// few, short timing runs: the tests check the verdicts, not the speed of a shared machine
const options = (over: Partial<VerifyOptions> = {}): VerifyOptions => ({ ...DEFAULT_VERIFY_LIMITS, dsn: db.dsn, findings: [], allowWrites: true, maxRuns: 3, budgetMs: 100, ...over });
const replayOptions = { allowWrites: true, maxRuns: 3, budgetMs: 100, scrub: (s: string) => s };

function findingOf(result: AnalysisResult, kind: FindingKind, application: string) {
  const f = result.findings.find((x) => x.kind === kind && x.applications.includes(application));
  if (!f) throw new Error(`no ${kind} finding for ${application}`);
  return f;
}

const draftFor = (result: AnalysisResult, kind: FindingKind, application: string) => drafts.get(findingOf(result, kind, application).id)!;

/** Every user table's rows as one checksum each: what a verify run must leave exactly as it found it. */
async function tableChecksums(): Promise<Record<string, string>> {
  const tables = (await db.client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).rows.map((r) => r.tablename as string);
  const out: Record<string, string> = {};
  for (const t of tables) {
    const r = await db.client.query(`SELECT count(*)::text || ':' || md5(coalesce(string_agg(md5(x::text), '' ORDER BY md5(x::text)), '')) AS sum FROM "${t}" AS x`);
    out[t] = r.rows[0].sum as string;
  }
  return out;
}

/** The deterministic part of a verdict: everything before the measured speed. */
const outcome = (message: string) => message.replace(/; [\d.]+× (faster|slower) \(wall .*\)$/, '');

describe('every loop kind of the samples, verified on the database', () => {
  let result: AnalysisResult;
  let before: Record<string, string>;

  beforeAll(async () => {
    before = await tableChecksums();
    result = fresh();
    await verifyResult(result, [state], options());
  }, 180_000);

  it('reads: same rows per key, round trips and speed measured', () => {
    const expected: [FindingKind, string, string][] = [
      // the JOIN with the parent query is run too, in the same snapshot: the same rows per key
      ['n-plus-one', 'billing', 'verified: same 34 rows for 12 keys (JOIN with the parent query: same rows); 12 round trips → 1'],
      ['n-plus-one', 'web', 'verified: same 10 rows for 10 keys (JOIN with the parent query: same rows); 10 round trips → 1'],
      ['aggregate-loop', 'dashboard', 'verified: same 13 rows for 15 keys; 15 round trips → 1'],
      ['latest-per-parent', 'crm', 'verified: same 11 rows for 12 keys (window function: same rows); 12 round trips → 1'],
      ['duplicate-query', 'catalog', 'verified: same 1 row; 10 round trips → 1'],
    ];
    for (const [kind, app, message] of expected) {
      const v = findingOf(result, kind, app).verification!;
      expect(v.status, `${kind} ${app}`).toBe('verified');
      expect(outcome(v.message), `${kind} ${app}`).toBe(message);
      expect(v.message).toMatch(/; [\d.]+× (faster|slower) \(wall [\d.]+ ms → [\d.]+ ms, server [\d.]+ ms → [\d.]+ ms\)$/);
      expect(v.wallMs!.runs).toBeGreaterThanOrEqual(1);
      expect(v.wallMs!.runs).toBeLessThanOrEqual(3);
      expect(v.serverMs!.rewrite).toBeGreaterThan(0);
      expect(v.speedup).toBe(Math.round((v.wallMs!.loop / v.wallMs!.rewrite) * 10) / 10);
    }
  });

  it('writes (--allow-writes): the same table state afterwards, both sides rolled back', () => {
    const expected: [FindingKind, string, string][] = [
      ['per-row-insert', 'importer', 'verified: same state of products afterwards (25 rows changed by the loop, 25 by the rewrite; both rolled back); 25 round trips → 1'],
      ['per-row-update', 'pricing', 'verified: same state of products afterwards (12 rows changed by the loop, 12 by the rewrite; both rolled back); 12 round trips → 1'],
      ['per-row-delete', 'cleanup', 'verified: same state of audit_log afterwards (15 rows changed by the loop, 15 by the rewrite; both rolled back); 15 round trips → 1'],
      [
        'select-then-insert',
        'sync',
        'verified: same state of customers afterwards (12 rows changed by the loop, 12 by the rewrite; the same rows back for 12 keys; both rolled back); 24 round trips → 1',
      ],
      [
        'repeated-sequence',
        'fulfillment',
        // 8 inserts and 8 updates: the 8 lookups change nothing (the server's count, not the statements' row counts)
        'verified: same state of orders, shipments afterwards (16 rows changed by the loop, 16 by the rewrite; the same rows back for 8 keys; both rolled back); 24 round trips → 3',
      ],
    ];
    for (const [kind, app, message] of expected) {
      const v = findingOf(result, kind, app).verification!;
      expect(v.status, `${kind} ${app}`).toBe('verified');
      expect(outcome(v.message), `${kind} ${app}`).toBe(message);
    }
  });

  it('a finding that is not a loop is skipped, with why', () => {
    expect(findingOf(result, 'unbounded-fetch', 'export').verification!.message).toBe('skipped: not a loop, so there is no loop to replay against a rewrite');
  });

  it('the database is exactly as before: every table has the same rows', async () => {
    expect(await tableChecksums()).toEqual(before);
  });

  it('the verdict raises the confidence and is in the JSON (valid against the schema) and every text report', () => {
    const f = findingOf(result, 'n-plus-one', 'billing');
    expect(f.evidence.confidence).toBe('high');
    expect(f.evidence.basis.at(-1)).toBe(`rewrite verified on ${conn.where.replace(/^[^@]*@/, '')}: it returns what the loop did`);
    const json = JSON.parse(reporterById('json')!.render(result, { color: false, quiet: false, width: 100 })) as { findings: { id: string; verification?: { status: string } }[] };
    expect(validatorFor('sqloupe-report.schema.json')(json)).toEqual([]);
    expect(json.findings.find((x) => x.id === f.id)!.verification!.status).toBe('verified');
    const line = `verify: ${f.verification!.message}`;
    // the text report wraps a long line: read it unwrapped
    const text = reporterById('text')!.render(result, { color: false, quiet: true, width: 1000 }).replace(/\n {2,}/g, ' ');
    expect(text).toContain(` ${line} `);
    expect(f.verification!.alternatives).toEqual([{ label: 'JOIN with the parent query', status: 'verified', message: 'same rows' }]);
    expect(reporterById('markdown')!.render(result, { color: false, quiet: true, width: 100 })).toContain(`- **Verified:** ${f.verification!.message}\n`);
    const sarif = JSON.parse(reporterById('sarif')!.render(result, { color: false, quiet: true, width: 100 })) as { runs: { results: { properties: Record<string, unknown> }[] }[] };
    const props = sarif.runs[0]!.results.find((r) => r.properties['findingId'] === f.id)!.properties;
    expect(props['verification']).toBe('verified');
    expect(props['verificationMessage']).toBe(f.verification!.message);
  });
});

describe('what verify refuses, and why', () => {
  it('writes without --allow-writes are skipped; reads still verified', async () => {
    const result = fresh();
    await verifyResult(result, [state], options({ allowWrites: false }));
    for (const [kind, app] of [['per-row-insert', 'importer'], ['per-row-update', 'pricing'], ['per-row-delete', 'cleanup'], ['select-then-insert', 'sync'], ['repeated-sequence', 'fulfillment']] as const) {
      expect(findingOf(result, kind, app).verification!.message).toBe('skipped: the loop writes; run with --allow-writes to verify it inside a transaction that is always rolled back');
    }
    expect(findingOf(result, 'n-plus-one', 'billing').verification!.status).toBe('verified');
  });

  it('--finding verifies only the findings named; an unknown id is an error', async () => {
    const result = fresh();
    const id = findingOf(result, 'n-plus-one', 'billing').id;
    const verdicts = await verifyResult(result, [state], options({ findings: [id] }));
    expect([...verdicts.keys()]).toEqual([id]);
    expect(result.findings.filter((f) => f.verification).map((f) => f.id)).toEqual([id]);
    await expect(verifyResult(fresh(), [state], options({ findings: ['000000000000'] }))).rejects.toThrow('no finding 000000000000 in these logs');
  });

  it('a missing table, values the log does not hold, and DDL: skipped with the true reason', async () => {
    const missing = draftOf('n-plus-one', stmtsOf([1, 2, 3].map((k) => ({ sql: 'SELECT id, qty FROM no_such_table WHERE order_id = $1', params: [String(k)] }))));
    expect((await replay(conn.client, missing, build(missing), replayOptions)).message).toBe(
      'skipped: missing table: relation "no_such_table" does not exist (at test:1); point --dsn at a database with the log\'s schema',
    );
    const blind = draftOf('n-plus-one', stmtsOf(['SELECT id FROM order_items WHERE order_id = $1', 'SELECT id FROM order_items WHERE order_id = $1']), null, { keyColumns: ['order_id'] });
    expect((await replay(conn.client, blind, build(blind), replayOptions)).message).toBe(
      "skipped: no logged value for $1 at test:1 (parameters not logged, or redacted): set log_parameter_max_length = -1 / the ORM's parameter logging",
    );
    const ddl = draftOf('per-row-insert', stmtsOf(['CREATE TABLE t1 (id int)', 'CREATE TABLE t2 (id int)']));
    expect((await replay(conn.client, ddl, build(ddl), replayOptions)).message).toBe(
      'skipped: CREATE at test:1 is not a SELECT/INSERT/UPDATE/DELETE; verify never runs DDL or other commands',
    );
    expect((await db.client.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('t1', 't2')")).rows[0].n).toBe(0);
  });

  it('row locks (FOR UPDATE) need --allow-writes; then they are compared per key inside a rolled-back transaction', async () => {
    const locked = draftOf('n-plus-one', stmtsOf([1, 2, 3].map((k) => ({ sql: 'SELECT id, status FROM orders WHERE customer_id = $1 FOR UPDATE', params: [String(k)] }))), null, { keyColumns: ['customer_id'] });
    expect((await replay(conn.client, locked, build(locked), { ...replayOptions, allowWrites: false })).message).toBe(
      'skipped: the loop writes; run with --allow-writes to verify it inside a transaction that is always rolled back',
    );
    const v = await replay(conn.client, locked, build(locked), replayOptions);
    expect(v.status).toBe('verified');
    expect(outcome(v.message)).toBe('verified: same rows back for 3 keys; no table written (row locks only, rolled back); 3 round trips → 1');
  });

  it('the session is read-only by default, with statement_timeout and lock_timeout set', async () => {
    const settings = await conn.client.query("SELECT current_setting('default_transaction_read_only') AS ro, current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt");
    expect(settings.rows[0]).toEqual({ ro: 'on', st: '5s', lt: '1s' });
    await expect(conn.client.query("INSERT INTO app_settings (key, value) VALUES ('x', 'y')")).rejects.toThrow('cannot execute INSERT in a read-only transaction');
  });
});

describe('a wrong rewrite is never verified', () => {
  it('reads: a rewrite that loses rows, one that drops the key, and a wrong aggregate', async () => {
    const result = fresh();
    const d = draftFor(result, 'n-plus-one', 'billing');
    const b = build(d);
    const lossy = { ...b, runnable: [{ ...b.runnable![0]!, sql: b.runnable![0]!.sql + ' AND quantity > 1' }] };
    const v = await replay(conn.client, d, lossy, replayOptions);
    expect(v.status).toBe('different');
    expect(v.message).toMatch(/^different rows: for order_id = \d+ the loop got \d+ rows?, the rewrite \d+; the loop's \{"product_id":"\d+","quantity":"1","unit_price_cents":"\d+"\}/);
    expect(v.example!.loop).toContain('"quantity":"1"');
    // the rewrite as it was built before: rows without the key they belong to
    const keyless = { ...b, runnable: [{ ...b.runnable![0]!, sql: 'SELECT product_id, quantity, unit_price_cents FROM order_items WHERE order_id = ANY($1)' }] };
    expect((await replay(conn.client, d, keyless, replayOptions)).message).toBe(
      "different rows: the rewrite's rows do not carry order_id, so the application cannot tell which key each row belongs to (JOIN with the parent query: same rows)",
    );
    // a JOIN on the wrong column: the rewrite is still verified, the alternative is not
    const join = b.alternatives.find((a) => a.label === 'JOIN with the parent query')!;
    expect(join.runnable![0]!.sql).toBe(
      "SELECT c.order_id, c.product_id, c.quantity, c.unit_price_cents FROM (SELECT id, total_cents FROM orders WHERE customer_id = 1 ORDER BY created_at) AS p INNER JOIN order_items AS c ON c.order_id = p.id",
    );
    const offJoin = { ...b, alternatives: [{ ...join, runnable: [{ ...join.runnable![0]!, sql: join.runnable![0]!.sql.replace('c.order_id = p.id', 'c.product_id = p.id') }] }] };
    const jv = await replay(conn.client, d, offJoin, replayOptions);
    expect(jv.status).toBe('verified');
    expect(jv.alternatives![0]!.status).toBe('different');
    expect(outcome(jv.message)).toMatch(/^verified: same 34 rows for 12 keys \(JOIN with the parent query: other rows: for order_id = \d+ the loop got \d+ rows?, the rewrite \d+(; the loop's \{[^}]*\})?(; the rewrite's \{[^}]*\})?\); 12 round trips → 1$/);
    // one that does not run fails alone; the transaction goes on
    const badJoin = { ...b, alternatives: [{ ...join, runnable: [{ ...join.runnable![0]!, sql: join.runnable![0]!.sql.replace('c.order_id = p.id', 'c.order_id = p.no_such') }] }] };
    const bv = await replay(conn.client, d, badJoin, replayOptions);
    expect(bv.status).toBe('verified');
    expect(bv.alternatives).toEqual([{ label: 'JOIN with the parent query', status: 'failed', message: 'failed: column p.no_such does not exist' }]);
    const agg = draftFor(result, 'aggregate-loop', 'dashboard');
    const ab = build(agg);
    const wrong = { ...ab, runnable: [{ ...ab.runnable![0]!, sql: ab.runnable![0]!.sql.replace('sum(total_cents)', 'max(total_cents)') }] };
    expect(wrong.runnable[0]!.sql).toContain('max(total_cents)');
    const av = await replay(conn.client, agg, wrong, replayOptions);
    expect(av.status).toBe('different');
    expect(av.message).toMatch(/^different rows: for customer_id = \d+ the loop got 1 row, the rewrite 1; the loop's \{"orders":"\d+","revenue":"\d+"\}; the rewrite's \{"orders":"\d+","revenue":"\d+"\}$/);
  });

  it('writes: an UPDATE that sets other values is caught, and the table is left as it was', async () => {
    const before = await tableChecksums();
    const d = draftFor(fresh(), 'per-row-update', 'pricing');
    const b = build(d);
    const off = { ...b, runnable: [{ ...b.runnable![0]!, sql: b.runnable![0]!.sql.replace('SET price_cents = v.price_cents', 'SET price_cents = v.price_cents + 1') }] };
    expect(off.runnable[0]!.sql).toContain('v.price_cents + 1');
    const v = await replay(conn.client, d, off, replayOptions);
    expect(v.message).toBe(
      'different rows: products is not the same after the rewrite as after the loop (' +
        `${before['products']!.split(':')[0]} rows after the loop, ${before['products']!.split(':')[0]} after the rewrite; the loop changed 12 rows, the rewrite 12)`,
    );
    const f = await replay(conn.client, d, { ...b, runnable: [{ ...b.runnable![0]!, sql: b.runnable![0]!.sql.replace('v.price_cents', 'v.no_such_column') }] }, replayOptions);
    expect(f.status).toBe('failed');
    expect(f.message).toBe('failed: the rewrite failed: column v.no_such_column does not exist');
    expect(await tableChecksums()).toEqual(before);
  });
});

describe('shapes the generated scenarios (scenarios.test.ts) found', () => {
  beforeAll(async () => {
    // a schema of its own: the sample tables' checksums above stay as they were
    await db.client.query(`CREATE SCHEMA "T16";
      CREATE TABLE "T16"."Tally" (id integer PRIMARY KEY, "OwnerRef" bigint NOT NULL, status text NOT NULL, note text);
      INSERT INTO "T16"."Tally" VALUES (1, 9007199254740993, 'paid', 'a'), (2, 9007199254740993, 'open', NULL), (3, 9007199254740994, 'paid', 'c'), (4, 9007199254740994, 'paid', 'd');
      CREATE TABLE "T16".handles (id serial PRIMARY KEY, handle text NOT NULL UNIQUE, name text);
      INSERT INTO "T16".handles (handle, name) VALUES ('kept', 'Kept');
      CREATE TABLE "T16".tokens (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), handle text NOT NULL UNIQUE, made_at timestamptz NOT NULL DEFAULT clock_timestamp());
      INSERT INTO "T16".tokens (handle) VALUES ('kept')`);
  });

  it('an aggregate with one FILTER column per condition value: each loop statement compared with its column of its key', async () => {
    const stmts = stmtsOf(
      [1, 2, 3].flatMap((k) => ['paid', 'shipped'].map((st) => ({ sql: 'SELECT count(*) FROM orders WHERE customer_id = $1 AND status = $2', params: [String(k), st] }))),
    );
    const agg = draftOf('aggregate-loop', stmts, null, { keyColumns: ['customer_id'] });
    const b = build(agg);
    expect(b.use).toContain('FILTER (WHERE status =');
    expect(b.runnable![0]!.columns).toEqual([['count_paid'], ['count_shipped'], ['count_paid'], ['count_shipped'], ['count_paid'], ['count_shipped']]);
    const v = await replay(conn.client, agg, b, replayOptions);
    expect(outcome(v.message)).toBe('verified: same 6 rows for 3 keys; 6 round trips → 1');
    // a rewrite whose FILTER columns are swapped gives each status the other's count
    const swapped = b.runnable![0]!.sql.replace('AS count_paid', 'AS count_x').replace('AS count_shipped', 'AS count_paid').replace('AS count_x', 'AS count_shipped');
    const w = await replay(conn.client, agg, { ...b, runnable: [{ ...b.runnable![0]!, sql: swapped }] }, replayOptions);
    expect(w.status).toBe('different');
    expect(w.message).toMatch(/^different rows: for customer_id = \d+ the loop got 1 row, the rewrite 1 in count_(paid|shipped); the loop's \{"count":"\d+"\}; the rewrite's \{"count":"\d+"\}$/);
  });

  it('the key of a FILTER aggregate is the quoted column the loop walks, not the condition that changes at every statement', async () => {
    const stmts = stmtsOf(
      ['9007199254740993', '9007199254740994', '9007199254740995'].flatMap((k) => ['paid', 'open'].map((st) => `SELECT count(*) FROM "T16"."Tally" WHERE "OwnerRef" = '${k}' AND status = '${st}'`)),
    );
    const agg = draftOf('aggregate-loop', stmts, null, { keyColumns: ['"OwnerRef"', 'status'] });
    const b = build(agg);
    expect(b.use).toBe(
      'SELECT "OwnerRef", count(*) FILTER (WHERE status = \'paid\') AS count_paid, count(*) FILTER (WHERE status = \'open\') AS count_open FROM "T16"."Tally" WHERE "OwnerRef" = ANY($1) GROUP BY "OwnerRef"',
    );
    expect(outcome((await replay(conn.client, agg, b, replayOptions)).message)).toBe('verified: same 4 rows for 3 keys; 6 round trips → 1');
  });

  it('per-row-update: a NULL the first statement sets is a value that varies, and a row updated twice takes its last values', async () => {
    const nulls = draftOf('per-row-update', stmtsOf(["UPDATE products SET description = NULL WHERE id = 1", "UPDATE products SET description = 'b' WHERE id = 2", "UPDATE products SET description = 'c' WHERE id = 3"]));
    const nv = await replay(conn.client, nulls, build(nulls), replayOptions);
    expect(outcome(nv.message)).toBe('verified: same state of products afterwards (3 rows changed by the loop, 3 by the rewrite; both rolled back); 3 round trips → 1');
    const twice = draftOf(
      'per-row-update',
      stmtsOf([1, 2, 1].map((id, i) => ({ sql: 'UPDATE products SET price_cents = $1 WHERE id = $2', params: [String(100 + i), String(id)] }))),
    );
    const tb = build(twice);
    expect(tb.notes).toContain('a row the loop updated more than once takes the values of its last update (1 earlier updates left out)');
    expect(tb.runnable![0]!.binds).toEqual([['2', '1'], ['101', '102']]);
    expect(outcome((await replay(conn.client, twice, tb, replayOptions)).message)).toBe(
      'verified: same state of products afterwards (3 rows changed by the loop, 2 by the rewrite; both rolled back); 3 round trips → 1',
    );
  });

  it('get-or-create with a NULL literal among the inserted values is run, and only the inserted rows count as changed', async () => {
    const d = draftOf(
      'select-then-insert',
      stmtsOf([
        `SELECT id FROM "T16".handles WHERE handle = 'kept'`,
        `SELECT id FROM "T16".handles WHERE handle = 'o''new'`,
        `INSERT INTO "T16".handles (handle, name) VALUES ('o''new', NULL) RETURNING id`,
        `SELECT id FROM "T16".handles WHERE handle = 'fresh'`,
        `INSERT INTO "T16".handles (handle, name) VALUES ('fresh', 'Fresh') RETURNING id`,
      ]),
      null,
      { keyColumns: ['handle'] },
    );
    const v = await replay(conn.client, d, build(d), replayOptions);
    expect(outcome(v.message)).toBe(
      'verified: same state of "T16".handles afterwards (2 rows changed by the loop, 2 by the rewrite; the same rows back for 3 keys; both rolled back); 5 round trips → 1',
    );
  });

  it('digits with a leading zero in a text column stay text in the unnest() arrays (a zip code is not the number 7)', async () => {
    const d = draftOf('per-row-insert', stmtsOf(['007', '0100', '12'].map((h) => ({ sql: 'INSERT INTO "T16".handles (handle, name) VALUES ($1, $2)', params: [h, h === '12' ? null : '0'] }))));
    const b = build(d);
    expect(b.runnable![0]!.sql).toBe('INSERT INTO "T16".handles (handle, name) SELECT * FROM unnest($1::text[], $2::bigint[]) AS v');
    expect(outcome((await replay(conn.client, d, b, replayOptions)).message)).toBe(
      'verified: same state of "T16".handles afterwards (3 rows changed by the loop, 3 by the rewrite; both rolled back); 3 round trips → 1',
    );
  });

  it('a loop over pairs (two columns change together) is one query over the pairs, compared per pair', async () => {
    const pairs: [string, string][] = [['1', 'paid'], ['2', 'shipped'], ['3', 'paid'], ['1', 'shipped'], ['4', 'pending']];
    const d = draftOf('n-plus-one', stmtsOf(pairs.map(([c, st]) => ({ sql: 'SELECT id, total_cents FROM orders WHERE customer_id = $1 AND status = $2', params: [c, st] }))), null, { keyColumns: ['customer_id'] });
    const b = build(d);
    expect(b.use).toBe(
      "SELECT customer_id, status, id, total_cents FROM orders WHERE (customer_id, status) IN (('1', 'paid'), ('2', 'shipped'), ('3', 'paid'), ('1', 'shipped'), ('4', 'pending'))",
    );
    const v = await replay(conn.client, d, b, replayOptions);
    const [{ n }] = (await db.client.query(`SELECT count(*)::int AS n FROM orders WHERE (customer_id, status) IN ((1, 'paid'), (2, 'shipped'), (3, 'paid'), (1, 'shipped'), (4, 'pending'))`)).rows;
    expect(outcome(v.message)).toBe(`verified: same ${n} rows for 5 keys; 5 round trips → 1`);
    // keyed on customer_id alone, with status fixed to the first pair's: caught
    const one = { ...b, runnable: [{ ...b.runnable![0]!, sql: "SELECT customer_id, status, id, total_cents FROM orders WHERE customer_id = ANY('{1,2,3,4}') AND status = 'paid'" }] };
    expect((await replay(conn.client, d, one, replayOptions)).message).toBe('different rows: the rewrite returned 3 row(s) for customer_id = 2, status = paid, a key the loop never asked for');
  });

  it('an aggregate key left out of GROUP BY counts as 0 / NULL only when it has no rows', async () => {
    const d = draftOf(
      'aggregate-loop',
      stmtsOf(['9007199254740993', '9007199254740994', '9007199254740995'].map((k) => ({ sql: `SELECT max(note) AS note FROM "T16"."Tally" WHERE status = 'open' AND "OwnerRef" = $1`, params: [k] }))),
      null,
      { keyColumns: ['"OwnerRef"'] },
    );
    const b = build(d);
    // ...993 has one open row whose note is NULL: the GROUP BY has a row for it; the other two have none
    expect(outcome((await replay(conn.client, d, b, replayOptions)).message)).toBe('verified: same 1 row for 3 keys; 3 round trips → 1');
    const dropsNulls = { ...b, runnable: [{ ...b.runnable![0]!, sql: `${b.runnable![0]!.sql} HAVING max(note) IS NOT NULL` }] };
    expect((await replay(conn.client, d, dropsNulls, replayOptions)).message).toBe(
      'different rows: for OwnerRef = 9007199254740993 the loop got {"note":null} from 1 row, the rewrite no row (a key is left out of GROUP BY only when it has no rows)',
    );
  });

  it('get-or-create on a table whose key is DEFAULT gen_random_uuid(): the new rows\' random values are masked, the old ones compared', async () => {
    const d = draftOf(
      'select-then-insert',
      stmtsOf([
        `SELECT id FROM "T16".tokens WHERE handle = 'kept'`,
        `SELECT id FROM "T16".tokens WHERE handle = 'a'`,
        `INSERT INTO "T16".tokens (handle) VALUES ('a') RETURNING id`,
        `SELECT id FROM "T16".tokens WHERE handle = 'b'`,
        `INSERT INTO "T16".tokens (handle) VALUES ('b') RETURNING id`,
      ]),
      null,
      { keyColumns: ['handle'] },
    );
    const b = build(d);
    expect(outcome((await replay(conn.client, d, b, replayOptions)).message)).toBe(
      'verified: same state of "T16".tokens afterwards (2 rows changed by the loop, 2 by the rewrite; the same rows back for 3 keys; both rolled back); 5 round trips → 1',
    );
    // the row that existed keeps its id: a rewrite that gives it another one is caught
    const moved = { ...b, runnable: [{ ...b.runnable![0]!, sql: b.runnable![0]!.sql.replace(/SELECT handle, id FROM "T16"\.tokens WHERE/, 'SELECT handle, gen_random_uuid() AS id FROM "T16".tokens WHERE') }] };
    expect(moved.runnable[0]!.sql).toContain('gen_random_uuid() AS id');
    expect((await replay(conn.client, d, moved, replayOptions)).message).toMatch(/^different rows: for handle = kept the loop got 1 row, the rewrite 1; the loop's \{"id":"[0-9a-f-]{36}"\}; the rewrite's \{"id":"[0-9a-f-]{36}"\}$/);
  });

  it('get-or-create by two columns together: skipped with the true reason (its upsert returns only the inserted rows)', async () => {
    const d = draftOf(
      'select-then-insert',
      stmtsOf([
        `SELECT id FROM "T16"."Tally" WHERE "OwnerRef" = 7 AND status = 'x'`,
        `INSERT INTO "T16"."Tally" (id, "OwnerRef", status) VALUES (10, 7, 'x') RETURNING id`,
        `SELECT id FROM "T16"."Tally" WHERE "OwnerRef" = 8 AND status = 'y'`,
        `INSERT INTO "T16"."Tally" (id, "OwnerRef", status) VALUES (11, 8, 'y') RETURNING id`,
      ]),
      null,
      { keyColumns: ['"OwnerRef"', 'status'] },
    );
    const b = build(d);
    expect(b.use).toBe(`INSERT INTO "T16"."Tally" (id, "OwnerRef", status) VALUES (10, 7, 'x'), (11, 8, 'y') ON CONFLICT ("OwnerRef", status) DO NOTHING RETURNING id`);
    expect((await replay(conn.client, d, b, replayOptions)).message).toBe(
      'skipped: the upsert returns rows only for the keys it inserts, where the loop got a row for every key it looked up (the one-statement form that returns every row is built for a lookup by one column; this one is by OwnerRef, status)',
    );
  });

  it('an upsert on a column with no unique index fails with that reason', async () => {
    const d = draftOf(
      'select-then-insert',
      stmtsOf([
        `SELECT id FROM "T16"."Tally" WHERE status = 'x'`,
        `INSERT INTO "T16"."Tally" (id, "OwnerRef", status) VALUES (10, 7, 'x') RETURNING id`,
        `SELECT id FROM "T16"."Tally" WHERE status = 'y'`,
        `INSERT INTO "T16"."Tally" (id, "OwnerRef", status) VALUES (11, 8, 'y') RETURNING id`,
      ]),
      null,
      { keyColumns: ['status'] },
    );
    expect((await replay(conn.client, d, build(d), replayOptions)).message).toBe(
      "failed: the rewrite's ON CONFLICT (status) needs a unique index or constraint on status, and this database has none (there is no unique or exclusion constraint matching the ON CONFLICT specification)",
    );
  });

  it('a loop kept only in part says that its first statements were proven', async () => {
    const d = { ...draftOf('n-plus-one', stmtsOf([1, 2, 3].map((k) => ({ sql: 'SELECT id, total_cents FROM orders WHERE customer_id = $1', params: [String(k)] }))), null, { keyColumns: ['customer_id'] }), keptOf: 450 };
    const v = await replay(conn.client, d, build(d), replayOptions);
    expect(v.message).toMatch(/^verified: same \d+ rows for 3 keys; 3 round trips → 1 \(the loop's first 3 of its 450 statements, as many as the report keeps\); /);
  });
});

describe('the DSN password', () => {
  const secret = 'Pw-9secret';

  it('never appears in a connection error, and the error is one line', async () => {
    const err = await connect(`postgres://postgres:${secret}@127.0.0.1:1/app`, DEFAULT_VERIFY_LIMITS).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VerifyConnectionError);
    expect((err as Error).message).toBe('cannot verify on postgres@127.0.0.1:1/app: connection refused: is PostgreSQL running there, and is the host and port right?');
    const bad = await connect(`mysql://root:${secret}@host/db`, DEFAULT_VERIFY_LIMITS).catch((e: unknown) => e);
    expect((bad as Error).message).toBe('--dsn must start with postgres:// or postgresql:// (got mysql://…)');
    const garbage = await connect(`not a url ${secret}`, DEFAULT_VERIFY_LIMITS).catch((e: unknown) => e);
    expect((garbage as Error).message).not.toContain(secret);
  });

  it('never appears in a report of a run that used it', async () => {
    const url = new URL(db.dsn);
    url.password = secret;
    const result = fresh();
    await verifyResult(result, [state], options({ dsn: url.href, allowWrites: false }));
    expect(result.findings.filter((f) => f.verification?.status === 'verified').length).toBe(5);
    for (const id of ['json', 'text', 'markdown', 'sarif']) expect(reporterById(id)!.render(result, { color: false, quiet: false, width: 100 })).not.toContain(secret);
  });

  it('the CLI: unreachable server, one line on stderr without the password, exit 2', async () => {
    const r = await runCli(['verify', '--dsn', `postgres://app:${secret}@127.0.0.1:1/app`, 'samples/billing.log']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('sqloupe: verify: cannot verify on app@127.0.0.1:1/app: connection refused: is PostgreSQL running there, and is the host and port right?\n');
  });
});
