/**
 * A generator of statement logs with their ground truth, for sweeping the detection rules across the
 * dimensions they were tuned on by hand: loop shape, how the loop's statements are wrapped (autocommit,
 * one transaction, a transaction per iteration), the client's pace between statements (fast, a slow
 * language, random jitter, sluggish) and loop size; and, for the negatives, pooled traffic: requests in a
 * row on one connection and requests running at once on several, at several think times. Every case is
 * seeded, so a failure names a case that fails the same way on every run.
 *
 * Cases are written in the kind tester's line format (tests/support/kind-tester.ts), so they run through the
 * whole pipeline in-process.
 */

export type Shape = 'n-plus-one' | 'aggregate-loop' | 'per-row-update' | 'per-row-insert' | 'per-row-delete' | 'select-then-insert';
export type Wrapping = 'autocommit' | 'transaction' | 'transaction-per-iteration';
export type Pace = 'fast' | 'slow' | 'jitter' | 'sluggish';

export interface LoopCase {
  name: string;
  log: string;
  expected: { kind: Shape; table: string; repeats: number };
}

export interface NegativeCase {
  name: string;
  log: string;
}

/** mulberry32: a small seeded generator (the same sequence on every machine). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes statements at the times a client with this pace would send them (log time = end of the statement). */
class Clock {
  private now = 0;
  readonly lines: { at: number; pid: number; text: string }[] = [];
  constructor(private readonly rnd: () => number) {}

  /** Run one statement on `pid` after a pause of `pauseMs`. */
  run(pid: number, sql: string, pauseMs: number, at: number | null = null): number {
    const start = (at ?? this.now) + pauseMs;
    const duration = 0.05 + this.rnd() * 0.4;
    const end = start + duration;
    this.lines.push({ at: end, pid, text: `(${duration.toFixed(3)} ms) ${sql}` });
    if (at === null) this.now = end;
    return end;
  }

  set time(t: number) {
    this.now = t;
  }

  get time(): number {
    return this.now;
  }

  text(): string {
    const base = Date.UTC(2026, 0, 15, 12, 0, 0);
    return (
      [...this.lines]
        .sort((a, b) => a.at - b.at)
        .map((l) => `${new Date(base + Math.floor(l.at)).toISOString().slice(11, 23)} [${l.pid}] ${l.text}`)
        .join('\n') + '\n'
    );
  }
}

function pauseOf(pace: Pace, rnd: () => number): number {
  switch (pace) {
    case 'fast':
      return 0.05 + rnd() * 0.1;
    case 'slow':
      return 3 + rnd() * 0.5;
    case 'jitter':
      return rnd() * 10;
    case 'sluggish':
      return 15 + rnd() * 3;
  }
}

const TABLE: Record<Shape, string> = {
  'n-plus-one': 'order_items',
  'aggregate-loop': 'order_items',
  'per-row-update': 'orders',
  'per-row-insert': 'audit_log',
  'per-row-delete': 'carts',
  'select-then-insert': 'tags',
};

/** The statements of one iteration for key k (the get-or-create INSERT only when the row is missing). */
function iteration(shape: Shape, k: number, missing: boolean): string[] {
  switch (shape) {
    case 'n-plus-one':
      return [`SELECT product_id, quantity FROM order_items WHERE order_id = ${k}`];
    case 'aggregate-loop':
      return [`SELECT count(*) FROM order_items WHERE order_id = ${k}`];
    case 'per-row-update':
      return [`UPDATE orders SET status = 'shipped' WHERE id = ${k}`];
    case 'per-row-insert':
      return [`INSERT INTO audit_log (order_id, note) VALUES (${k}, 'shipped')`];
    case 'per-row-delete':
      return [`DELETE FROM carts WHERE id = ${k}`];
    case 'select-then-insert':
      return missing ? [`SELECT id FROM tags WHERE name = 'tag-${k}'`, `INSERT INTO tags (name) VALUES ('tag-${k}') RETURNING id`] : [`SELECT id FROM tags WHERE name = 'tag-${k}'`];
  }
}

const writes = (shape: Shape) => shape.startsWith('per-row-') || shape === 'select-then-insert';

/** One loop after its parent query, as a script or a request would run it. */
export function loopCase(shape: Shape, wrapping: Wrapping, pace: Pace, size: number, seed: number): LoopCase {
  const rnd = seeded(seed);
  const c = new Clock(rnd);
  const pid = 7;
  if (wrapping === 'transaction') c.run(pid, 'BEGIN', 0);
  c.run(pid, `SELECT id FROM orders WHERE customer_id = ${40 + (seed % 7)} ORDER BY id`, 1);
  for (let i = 0; i < size; i++) {
    const k = 100 + i * 3;
    const stmts = iteration(shape, k, i % 3 !== 1 || size < 3);
    const pause = pauseOf(pace, rnd);
    if (wrapping === 'transaction-per-iteration') c.run(pid, 'BEGIN', pause);
    stmts.forEach((sql, j) => c.run(pid, sql, j === 0 && wrapping !== 'transaction-per-iteration' ? pause : pauseOf('fast', rnd)));
    if (wrapping === 'transaction-per-iteration') c.run(pid, 'COMMIT', pauseOf('fast', rnd));
  }
  if (wrapping === 'transaction') c.run(pid, 'COMMIT', pauseOf('fast', rnd));
  const lookups = shape === 'select-then-insert' ? size : size;
  return {
    name: `${shape} · ${wrapping} · ${pace} · ${size} (seed ${seed})`,
    log: c.text(),
    expected: { kind: shape, table: TABLE[shape], repeats: lookups },
  };
}

export const LOOP_WRAPPINGS = (shape: Shape): Wrapping[] => (writes(shape) ? ['autocommit', 'transaction', 'transaction-per-iteration'] : ['autocommit', 'transaction']);

/** What one request of pooled web traffic does: never a loop. */
type Request = 'parent-and-one-lookup' | 'one-lookup' | 'one-update' | 'one-insert-own-transaction' | 'get-or-create-once' | 'one-statement-apis';

function request(kind: Request, r: number): string[] {
  const auth = [`SELECT user_id FROM sessions WHERE token = 'tok-${r}'`, `SELECT value FROM settings WHERE key = 'theme'`];
  switch (kind) {
    case 'parent-and-one-lookup':
      return [...auth, `SELECT id FROM orders WHERE customer_id = ${r}`, `SELECT product_id, quantity FROM order_items WHERE order_id = ${1000 + r}`];
    case 'one-lookup':
      return [...auth, `SELECT product_id, quantity FROM order_items WHERE order_id = ${1000 + r}`];
    case 'one-update':
      return [...auth, `UPDATE orders SET status = 'seen' WHERE id = ${2000 + r}`];
    case 'one-insert-own-transaction':
      return [...auth, 'BEGIN', `INSERT INTO audit_log (order_id, note) VALUES (${3000 + r}, 'viewed')`, 'COMMIT'];
    case 'get-or-create-once':
      return [...auth, `SELECT id FROM tags WHERE name = 'tag-${r}'`, `INSERT INTO tags (name) VALUES ('tag-${r}') RETURNING id`];
    case 'one-statement-apis':
      // a service whose endpoints run one statement each and authenticate elsewhere: a list, then item lookups
      return r % 4 === 1 ? [`SELECT id FROM orders WHERE customer_id = ${r} ORDER BY id`] : [`SELECT product_id, quantity FROM order_items WHERE order_id = ${1000 + r}`];
  }
}

const MIXED: Request[] = ['parent-and-one-lookup', 'one-lookup', 'one-update', 'one-insert-own-transaction', 'get-or-create-once'];

export const REQUESTS: Request[] = ['parent-and-one-lookup', 'one-lookup', 'one-update', 'one-insert-own-transaction', 'get-or-create-once', 'one-statement-apis'];

/**
 * Independent requests of one kind on a pool of `connections`: each request takes a connection, runs its few
 * statements at the fast pace, and the next request comes `thinkMs` (± half) later. With one connection they
 * queue up on it; with several they overlap, as a web server's workers do.
 */
export function pooledCase(kind: Request | 'mixed', connections: number, thinkMs: number, requests: number, seed: number): NegativeCase {
  const rnd = seeded(seed);
  const c = new Clock(rnd);
  const freeAt = new Array<number>(connections).fill(0);
  let arrival = 0;
  for (let r = 1; r <= requests; r++) {
    arrival += thinkMs * (0.5 + rnd());
    // the connection free longest takes the request
    let conn = 0;
    for (let i = 1; i < connections; i++) if (freeAt[i]! < freeAt[conn]!) conn = i;
    let t = Math.max(arrival, freeAt[conn]!);
    // mixed: each request of a kind picked at random (a web app's endpoints), one-statement endpoints aside
    const k = kind === 'mixed' ? MIXED[Math.floor(rnd() * MIXED.length)]! : kind;
    for (const sql of request(k, r)) t = c.run(100 + conn, sql, pauseOf('fast', rnd), t);
    freeAt[conn] = t;
  }
  return { name: `${kind} · ${connections} connection${connections === 1 ? '' : 's'} · think ${thinkMs} ms (seed ${seed})`, log: c.text() };
}

/** How the loop body reaches its rows: the relation an ORM's lazy load follows, per parent row. */
export type Relation = 'belongs-to' | 'has-many' | 'two-relations' | 'two-per-row' | 'identity-map';

export interface RelationCase {
  name: string;
  log: string;
  /** Every N+1 of the case: table and lookups. */
  expected: { table: string; repeats: number }[];
}

/** Catalog queries and settings an ORM sends between the parent and the first lookup (Rails, Django, Sequelize). */
const INTROSPECTION = [
  `SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a WHERE a.attrelid = 'customers'::regclass AND a.attnum > 0`,
  'SHOW search_path',
  `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = 'customers'`,
];

/**
 * One parent query and the lazy loads of `size` parent rows, for each relation shape: belongs-to (each row's
 * customer by id), has-many (each row's items by order id), two relations per row (customer, then carrier, each
 * key looked up once, the second loop after the first), both read per row (items, notes, items, notes …), and an identity map (keys repeat over the rows; only a
 * key's first row looks it up). With `introspection`, the ORM's catalog queries run between the parent and the
 * loop.
 */
export function relationCase(relation: Relation, pace: Pace, size: number, seed: number, introspection: boolean): RelationCase {
  const rnd = seeded(seed);
  const c = new Clock(rnd);
  const pid = 9;
  c.run(pid, `SELECT id, customer_id, carrier_id FROM orders WHERE placed_on = '2026-01-${10 + (seed % 9)}' ORDER BY id`, 1);
  if (introspection) for (const sql of INTROSPECTION) c.run(pid, sql, pauseOf('fast', rnd));
  const expected: RelationCase['expected'] = [];
  const lookups = (table: string, column: string, keys: number[]) => {
    for (const k of keys) c.run(pid, `SELECT * FROM ${table} WHERE ${column} = ${k}`, pauseOf(pace, rnd));
    expected.push({ table, repeats: keys.length });
  };
  const keys = Array.from({ length: size }, (_, i) => 500 + i * 7);
  switch (relation) {
    case 'belongs-to':
      lookups('customers', 'id', keys);
      break;
    case 'has-many':
      lookups('order_items', 'order_id', keys);
      break;
    case 'two-relations':
      lookups('customers', 'id', keys);
      lookups('carriers', 'id', keys.map((k) => k + 3));
      break;
    case 'two-per-row': {
      // both relations read for each row before the next row: items, notes, items, notes …
      for (const k of keys) {
        c.run(pid, `SELECT * FROM order_items WHERE order_id = ${k}`, pauseOf(pace, rnd));
        c.run(pid, `SELECT * FROM order_notes WHERE order_id = ${k}`, pauseOf('fast', rnd));
      }
      expected.push({ table: 'order_items', repeats: size }, { table: 'order_notes', repeats: size });
      break;
    }
    case 'identity-map': {
      // 3 rows per key, shuffled; the first row of each key loads it, the others only cost the row's own pace
      const rows = keys.flatMap((k) => [k, k, k]).sort(() => rnd() - 0.5);
      const seen = new Set<number>();
      let pause = 0;
      for (const k of rows) {
        pause += pauseOf(pace, rnd);
        if (seen.has(k)) continue;
        seen.add(k);
        c.run(pid, `SELECT * FROM customers WHERE id = ${k}`, pause);
        pause = 0;
      }
      expected.push({ table: 'customers', repeats: seen.size });
      break;
    }
  }
  return { name: `${relation} · ${pace} · ${size}${introspection ? ' · introspection' : ''} (seed ${seed})`, log: c.text(), expected };
}

/** The same log as a server with `%t` in log_line_prefix writes it: times in whole seconds. */
export function wholeSeconds(log: string): string {
  return log.replace(/^(\d\d:\d\d:\d\d)\.\d\d\d/gm, '$1.000');
}
