/**
 * One finding on a real database: the loop replayed with its logged values, one round trip per statement, the
 * rewrite run with the same values, and what came back compared per key (reads) or as the tables' state
 * afterwards (writes). Reads run in one READ ONLY transaction; writes only when allowed, each run in a
 * transaction that is always rolled back. Nothing here ever sends COMMIT.
 */
import type pg from 'pg';
import type { AnyDraft } from '../detect/registry.js';
import type { Verification } from '../findings/types.js';
import type { Built, Runnable } from '../rewrite/index.js';
import { statement } from '../rewrite/printer.js';
import { parseStmt } from '../rewrite/statement.js';
import type { Stmt } from '../sessions/types.js';
import { ident, parseCheck, rewritePlaceholders } from '../sql/index.js';

export interface ReplayOptions {
  allowWrites: boolean;
  /** Most runs of each side when timing, and the time after which no new run starts. */
  maxRuns: number;
  budgetMs: number;
  /** Prefix the one-line messages with it (errors quoted from the server may name the database). */
  scrub(text: string): string;
}

/** Every value comes back as PostgreSQL's text: compared exactly, never through a JS number or Date. */
const AS_TEXT = { getTypeParser: () => (v: string) => v } as unknown as pg.CustomTypesConfig;

const READ_VERBS = new Set(['select', 'with', 'values', 'table']);
const DML_VERBS = new Set([...READ_VERBS, 'insert', 'update', 'delete']);

interface Result {
  rows: Record<string, string | null>[];
  fields: string[];
  rowCount: number;
}

/** A loop statement ready to send: the text with `$n` placeholders and its logged values. */
interface Call {
  stmt: Stmt;
  sql: string;
  params: (string | null)[];
}

/** A failure with the stage it happened in, so the verdict can name the real cause. */
class StageError extends Error {
  constructor(
    readonly stage: 'loop' | 'rewrite' | 'compare',
    override readonly cause: unknown,
    readonly where: string,
  ) {
    super(String((cause as Error)?.message ?? cause));
  }
}

function verdict(status: Verification['status'], message: string, extra: Partial<Verification> = {}): Verification {
  return { status, message, sql: null, rows: null, keys: null, roundTrips: null, wallMs: null, serverMs: null, buffers: null, speedup: null, example: null, ...extra };
}

const source = (s: Stmt) => `${s.file}:${s.line}`;

/** The loop statement as it ran: placeholders as `$n`, every parameter from the log (null when one is missing). */
function callOf(s: Stmt): Call | { missing: number } {
  const p = parseStmt(s);
  if (!p) return { missing: 0 };
  const params: (string | null)[] = [];
  for (let i = 1; i <= p.maxParam; i++) {
    const v = p.param(i);
    if (v === undefined) return { missing: i };
    params.push(v);
  }
  return { stmt: s, sql: rewritePlaceholders(s.sql), params };
}

async function run(client: pg.Client, sql: string, params: unknown[]): Promise<Result> {
  const r = await client.query({ text: sql, values: params, types: AS_TEXT });
  // a multi-statement text gives an array; ours never are, but a log could hold one
  const one = Array.isArray(r) ? (r[r.length - 1] as pg.QueryResult) : r;
  return { rows: one.rows as Record<string, string | null>[], fields: (one.fields ?? []).map((f) => f.name), rowCount: one.rowCount ?? 0 };
}

/** The first keyword of a statement, from the lexer-backed template verb or the text. */
function verbOf(sql: string): string {
  return (/^\s*\(*\s*([a-z]+)/i.exec(sql)?.[1] ?? '').toLowerCase();
}

/** True when the text can change data: a write verb, or a data-modifying WITH. */
function writes(sql: string): boolean {
  const v = verbOf(sql);
  if (v === 'insert' || v === 'update' || v === 'delete' || v === 'merge') return true;
  // row locks need a read-write transaction too (still rolled back)
  if (/\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE|KEY\s+SHARE)\b/i.test(sql)) return true;
  return v === 'with' && /\b(INSERT\s+INTO|UPDATE\s+\S+\s+SET|DELETE\s+FROM)\b/i.test(sql);
}

export async function replay(client: pg.Client, draft: AnyDraft, built: Built, opts: ReplayOptions): Promise<Verification> {
  if (draft.kind === 'unbounded-fetch') return verdict('skipped', 'skipped: not a loop, so there is no loop to replay against a rewrite');
  const runnables = built.runnable ?? (draft.kind === 'duplicate-query' && built.use ? duplicateRunnable(draft, built.use) : undefined);
  const stmts = runnables ? [...new Set(runnables.flatMap((r) => r.covers))].sort((a, b) => a.index - b.index) : draft.statements;
  // DDL and anything else that is not plain DML is never sent, not even inside a transaction rolled back
  const other = [...stmts, ...(draft.parent ? [] : [])].find((s) => !DML_VERBS.has(s.t.verb));
  if (other) return verdict('skipped', `skipped: ${other.t.verb.toUpperCase()} at ${source(other)} is not a SELECT/INSERT/UPDATE/DELETE; verify never runs DDL or other commands`);
  const calls: Call[] = [];
  for (const s of stmts) {
    const c = callOf(s);
    if ('missing' in c) {
      return verdict(
        'skipped',
        c.missing === 0
          ? `skipped: the statement at ${source(s)} could not be read`
          : `skipped: no logged value for $${c.missing} at ${source(s)} (parameters not logged, or redacted): set log_parameter_max_length = -1 / the ORM's parameter logging`,
      );
    }
    calls.push(c);
  }
  if (!runnables || runnables.length === 0) {
    return verdict(
      'skipped',
      built.use === null
        ? 'skipped: no rewrite was built for this loop'
        : built.notRunnable
          ? `skipped: ${built.notRunnable}`
          : 'skipped: the rewrite cannot be run as printed (it needs values the log does not hold, or shows only some rows)',
    );
  }
  for (const r of runnables) {
    if (!DML_VERBS.has(verbOf(r.sql))) return verdict('skipped', `skipped: the rewrite is not plain DML (${verbOf(r.sql).toUpperCase()}); verify never runs it`);
    if (!parseCheck(r.sql)) return verdict('failed', `failed: the rewrite does not pass PostgreSQL's grammar check`, { sql: r.sql });
  }
  const isWrite = calls.some((c) => writes(c.sql)) || runnables.some((r) => writes(r.sql));
  // the other forms of a read, when they can be run as they are: every statement they replace is one the rewrite does
  const alternatives = built.alternatives.flatMap((a) =>
    !isWrite && a.runnable?.length && a.runnable.every((r) => DML_VERBS.has(verbOf(r.sql)) && !writes(r.sql) && r.covers.every((s) => stmts.includes(s)) && parseCheck(r.sql))
      ? [{ label: a.label, runnable: a.runnable }]
      : [],
  );
  const sql = runnables.map((r) => r.sql).join(';\n');
  if (isWrite && !opts.allowWrites) {
    return verdict('skipped', 'skipped: the loop writes; run with --allow-writes to verify it inside a transaction that is always rolled back', { sql });
  }
  try {
    return isWrite ? await verifyWrites(client, draft, calls, runnables, opts) : await verifyReads(client, draft, calls, runnables, alternatives, opts);
  } catch (e) {
    return failure(e, sql, opts);
  } finally {
    // whatever happened, no transaction stays open: ROLLBACK, never COMMIT
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

/** duplicate-query: the same statement N times is one statement run once. */
function duplicateRunnable(draft: AnyDraft, use: string): Runnable[] | undefined {
  const first = draft.statements[0];
  if (!first) return undefined;
  const c = callOf(first);
  if ('missing' in c) return undefined;
  void use;
  return [{ sql: c.sql, binds: c.params, covers: draft.statements, keyColumn: null, keys: [] }];
}

/** A server error as the verdict: a missing table or column is the database's fault, not the rewrite's. */
function failure(e: unknown, sql: string, opts: ReplayOptions): Verification {
  if (e instanceof PermissionError) throw e;
  const st = e instanceof StageError ? e : new StageError('compare', e, '');
  const err = st.cause as { code?: string; message?: string };
  const msg = opts.scrub(String(err?.message ?? st.cause).split('\n')[0]!);
  if (err?.code === '42501') throw new PermissionError(opts.scrub(`permission denied on the database: ${msg}`));
  if (st.stage === 'loop' && (err?.code === '42P01' || err?.code === '3F000')) {
    return verdict('skipped', `skipped: missing table: ${msg} (at ${st.where}); point --dsn at a database with the log's schema`, { sql });
  }
  if (st.stage === 'loop' && (err?.code === '42703' || err?.code === '42883')) {
    return verdict('skipped', `skipped: the database's schema differs from the log's: ${msg} (at ${st.where})`, { sql });
  }
  if (err?.code === '57014') return verdict('failed', `failed: the ${st.stage} ran past statement_timeout (${msg})`, { sql });
  if (err?.code === '55P03') return verdict('failed', `failed: the ${st.stage} waited past lock_timeout for a lock (${msg})`, { sql });
  if (err?.code === '25006') return verdict('skipped', `skipped: the ${st.stage} writes (${msg}); run with --allow-writes`, { sql });
  if (st.stage === 'rewrite' && err?.code === '42P10') {
    // an upsert on a column with no unique index: the rewrite assumed one (a lookup that is not a get-or-create)
    const on = /ON CONFLICT\s*\(([^)]*)\)/i.exec(sql)?.[1];
    return verdict('failed', `failed: the rewrite's ON CONFLICT${on ? ` (${on})` : ''} needs a unique index or constraint${on ? ` on ${on}` : ''}, and this database has none (${msg})`, { sql });
  }
  if (st.stage === 'loop') return verdict('failed', `failed: the loop itself failed at ${st.where}: ${msg}`, { sql });
  return verdict('failed', `failed: the rewrite failed: ${msg}`, { sql });
}

/** Permission denied is the user's setup, not this finding's: the run stops with one line. */
export class PermissionError extends Error {}

/** Each statement in turn, one round trip each; a failure names its stage (and the loop statement's place in the log). */
async function runAll(client: pg.Client, items: { sql: string; params: unknown[]; where: string }[], stage: 'loop' | 'rewrite'): Promise<Result[]> {
  const out: Result[] = [];
  for (const it of items) {
    try {
      out.push(await run(client, it.sql, it.params));
    } catch (e) {
      throw new StageError(stage, e, it.where);
    }
  }
  return out;
}

const loopRun = (client: pg.Client, calls: Call[]) => runAll(client, calls.map((c) => ({ sql: c.sql, params: c.params, where: source(c.stmt) })), 'loop');
const rewriteRun = (client: pg.Client, runnables: Runnable[]) => runAll(client, runnables.map((r) => ({ sql: r.sql, params: r.binds, where: '' })), 'rewrite');

/** Every runnable's rows against the loop's rows of the statements it covers; the first difference, or the totals. */
function compareAll(draft: AnyDraft, runnables: Runnable[], results: Result[], byStmt: Map<Stmt, Result>): Comparison & { absentAt: { stmt: Stmt; key: string; row: string }[] } {
  let rows = 0;
  let keys = 0;
  const absentAt: { stmt: Stmt; key: string; row: string }[] = [];
  for (const [i, r] of runnables.entries()) {
    const cmp = compareRows(r, r.covers.map((s) => byStmt.get(s)!), results[i]!, draft.kind === 'aggregate-loop' || (draft.kind === 'repeated-sequence' && /\bGROUP BY\b/i.test(r.sql)));
    if (cmp.different) return { ...cmp, absentAt };
    rows += cmp.rows;
    keys += cmp.keys;
    for (const a of cmp.absent ?? []) absentAt.push({ stmt: r.covers[a.index]!, key: a.key, row: a.row });
  }
  return { rows, keys, absentAt };
}

/**
 * A key the GROUP BY left out counts as the loop's 0 / NULL only if it has no rows: the loop's statement for it
 * is run again as count(*) over the same FROM and WHERE. A key with rows (their sum was NULL, or 0) that the
 * rewrite lost is a difference. A statement that cannot be counted so keeps the documented reading.
 */
async function absentWithRows(client: pg.Client, absent: { stmt: Stmt; key: string; row: string }[], calls: Call[]): Promise<string | null> {
  for (const a of absent) {
    const call = calls.find((c) => c.stmt === a.stmt);
    const probe = call ? countOf(call.sql) : null;
    if (!call || !probe) continue;
    await client.query('SAVEPOINT sqloupe_probe');
    try {
      const n = Number(Object.values((await run(client, probe, call.params)).rows[0] ?? {})[0] ?? 0);
      await client.query('RELEASE SAVEPOINT sqloupe_probe');
      if (n > 0) return `for ${a.key} the loop got ${short(a.row)} from ${n} row${n === 1 ? '' : 's'}, the rewrite no row (a key is left out of GROUP BY only when it has no rows)`;
    } catch {
      await client.query('ROLLBACK TO SAVEPOINT sqloupe_probe');
    }
  }
  return null;
}

/** `SELECT sum(x) FROM t WHERE k = $1` as `SELECT count(*) FROM t WHERE k = $1`: how many rows it aggregated. */
function countOf(sql: string): string | null {
  const p = parseStmt({ sql, values: [] } as unknown as Stmt);
  if (!p || p.ast.type !== 'select' || p.ast.groupBy?.length || !p.ast.from?.length) return null;
  const ast = { ...p.ast, columns: [{ expr: { type: 'call', function: { name: 'count' }, args: [{ type: 'ref', name: '*' }] } }], orderBy: undefined, limit: undefined } as typeof p.ast;
  try {
    return statement(ast);
  } catch {
    return null;
  }
}

type Alternative = { label: string; runnable: Runnable[] };
type AlternativeVerdict = NonNullable<Verification['alternatives']>[number];

/** The suggestion's other forms, in the same snapshot as the loop: compared like the rewrite (a failure does not end the transaction). */
async function verifyAlternatives(client: pg.Client, draft: AnyDraft, alternatives: Alternative[], byStmt: Map<Stmt, Result>, opts: ReplayOptions): Promise<AlternativeVerdict[]> {
  const out: AlternativeVerdict[] = [];
  for (const a of alternatives) {
    await client.query('SAVEPOINT sqloupe_alternative');
    try {
      const cmp = compareAll(draft, a.runnable, await rewriteRun(client, a.runnable), byStmt);
      out.push(cmp.different ? { label: a.label, status: 'different', message: `other rows: ${cmp.different}` } : { label: a.label, status: 'verified', message: `same rows` });
      await client.query('RELEASE SAVEPOINT sqloupe_alternative');
    } catch (e) {
      await client.query('ROLLBACK TO SAVEPOINT sqloupe_alternative');
      const err = (e instanceof StageError ? e.cause : e) as { code?: string; message?: string };
      if (err?.code === '42501') throw new PermissionError(opts.scrub(`permission denied on the database: ${String(err.message).split('\n')[0]}`));
      out.push({ label: a.label, status: 'failed', message: `failed: ${opts.scrub(String(err?.message ?? e).split('\n')[0]!)}` });
    }
  }
  return out;
}

/** The alternatives' verdicts as one clause of the message: "(the JOIN with the parent query: same rows)". */
function alternativesClause(alts: AlternativeVerdict[]): string {
  return alts.length ? ` (${alts.map((a) => `${a.label}: ${a.message}`).join('; ')})` : '';
}

async function verifyReads(client: pg.Client, draft: AnyDraft, calls: Call[], runnables: Runnable[], alternatives: Alternative[], opts: ReplayOptions): Promise<Verification> {
  // one snapshot for both sides: a busy database cannot make them differ
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  const loop = await loopRun(client, calls);
  const rewritten = await rewriteRun(client, runnables);
  const byStmt = new Map(calls.map((c, i) => [c.stmt, loop[i]!]));
  const sql = runnables.map((r) => r.sql).join(';\n');
  const compared = compareAll(draft, runnables, rewritten, byStmt);
  const lost = compared.different ? null : await absentWithRows(client, compared.absentAt, calls);
  const cmp: Comparison = lost ? { rows: 0, keys: 0, different: lost } : compared;
  const alts = await verifyAlternatives(client, draft, alternatives, byStmt, opts);
  const extra = alts.length ? { alternatives: alts } : {};
  if (cmp.different) {
    return verdict('different', `different rows: ${cmp.different}${alternativesClause(alts)}`, { sql, example: cmp.example ?? null, roundTrips: { loop: calls.length, rewrite: runnables.length }, ...extra });
  }
  const { rows, keys } = cmp;
  const timing = await measure(
    () => loopRun(client, calls),
    () => rewriteRun(client, runnables),
    opts,
  );
  const server = await explainAll(client, calls, runnables);
  await client.query('ROLLBACK');
  const v = verified(`same ${rows} row${rows === 1 ? '' : 's'}${keys ? ` for ${keys} key${keys === 1 ? '' : 's'}` : ''}${alternativesClause(alts)}`, sql, rows, keys || null, calls.length, runnables.length, timing, server, draft.keptOf);
  return { ...v, ...extra };
}

function verified(
  what: string,
  sql: string,
  rows: number,
  keys: number | null,
  loopTrips: number,
  rewriteTrips: number,
  timing: { loop: number; rewrite: number; runs: number },
  server: { loop: number; rewrite: number; loopBuffers: number; rewriteBuffers: number } | null,
  keptOf?: number,
): Verification {
  // from the times as reported, so the figure can be checked against them
  timing = { ...timing, loop: round(timing.loop), rewrite: round(timing.rewrite) };
  const speedup = timing.rewrite > 0 ? Math.round((timing.loop / timing.rewrite) * 10) / 10 : null;
  const speed = speedup === null ? '' : speedup >= 1 ? `; ${speedup}× faster` : `; ${Math.round((timing.rewrite / timing.loop) * 10) / 10}× slower`;
  const ms = (n: number) => (n >= 10 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toFixed(2));
  const detail = ` (wall ${ms(timing.loop)} ms → ${ms(timing.rewrite)} ms${server ? `, server ${ms(server.loop)} ms → ${ms(server.rewrite)} ms` : ''})`;
  // a long loop is kept (and so replayed) only in part: say which part was proven
  const part = keptOf !== undefined && keptOf > loopTrips ? ` (the loop's first ${loopTrips} of its ${keptOf} statements, as many as the report keeps)` : '';
  return verdict('verified', `verified: ${what}; ${loopTrips} round trip${loopTrips === 1 ? '' : 's'} → ${rewriteTrips}${part}${speed}${detail}`, {
    sql,
    rows,
    keys,
    roundTrips: { loop: loopTrips, rewrite: rewriteTrips },
    wallMs: { loop: round(timing.loop), rewrite: round(timing.rewrite), runs: timing.runs },
    serverMs: server ? { loop: round(server.loop), rewrite: round(server.rewrite) } : null,
    buffers: server ? { loop: server.loopBuffers, rewrite: server.rewriteBuffers } : null,
    speedup,
  });
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/** A key as both sides spell it: PostgreSQL's text for booleans, the logged text otherwise. */
function normKey(v: string | null | undefined): string {
  if (v === null || v === undefined) return '\u0000null';
  if (v === 'true') return 't';
  if (v === 'false') return 'f';
  // a uuid logged in capitals is the same key PostgreSQL prints in lower case
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return v.toLowerCase();
  return v;
}

interface Comparison {
  rows: number;
  keys: number;
  different?: string;
  example?: Verification['example'];
  /**
   * Aggregates: keys absent from the rewrite's GROUP BY where the loop got 0 / NULL, by the covered statement
   * that asked (its index in covers). The same only if that key has no rows at all: checked on the database.
   */
  absent?: { index: number; key: string; row: string }[];
}

const short = (s: string) => (s.length > 200 ? s.slice(0, 199) + '…' : s);

/** One row as the loop's columns, in the loop's order, so a rewrite with more columns (its key) still compares. */
function canon(row: Record<string, string | null>, cols: string[]): string {
  return JSON.stringify(Object.fromEntries(cols.map((c) => [c, row[c] ?? null])));
}

/**
 * The loop's rows per key against the rewrite's rows carrying that key (reads), or each run's rows against the
 * single statement's (duplicate-query). Aggregates: a key with no rows is absent from GROUP BY, where the loop got
 * count 0 / NULL; that is the documented difference and counts as the same.
 */
export function compareRows(r: Runnable, loop: Result[], rewrite: Result, aggregate: boolean, mask: (col: string, v: string | null) => string | null = (_c, v) => v): Comparison {
  const cols = loop.find((x) => x.fields.length)?.fields ?? rewrite.fields;
  if (r.columns && r.keyColumn !== null) return compareMapped(r, r.keyColumn, r.columns, cols, loop, rewrite, aggregate);
  const missing = cols.filter((c) => !rewrite.fields.includes(c));
  if (missing.length) return { rows: 0, keys: 0, different: `the rewrite does not return ${missing.join(', ')}, which the loop did` };
  const canonOf = (row: Record<string, string | null>) => canon(Object.fromEntries(Object.entries(row).map(([c, v]) => [c, mask(c, v)])), cols);
  if (r.keyColumn === null) {
    const want = rewrite.rows.map(canonOf).sort();
    for (const [i, res] of loop.entries()) {
      const got = res.rows.map(canonOf).sort();
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        return { rows: 0, keys: 0, different: `run ${i + 1} of the loop got ${got.length} rows, the rewrite ${want.length}`, example: { key: null, loop: got[0] ?? null, rewrite: want[0] ?? null } };
      }
    }
    return { rows: rewrite.rows.length, keys: 0 };
  }
  const key = r.keyColumn;
  // a loop over pairs (owner, status) is keyed by every column it varied
  const also = r.alsoKeys ?? [];
  const keyCols = [key, ...also.map((a) => a.column)];
  const absent = keyCols.filter((c) => !rewrite.fields.includes(c));
  if (absent.length) {
    return { rows: 0, keys: 0, different: `the rewrite's rows do not carry ${absent.join(', ')}, so the application cannot tell which key each row belongs to` };
  }
  const keyAt = (i: number) => (also.length ? JSON.stringify([normKey(r.keys[i]), ...also.map((a) => normKey(a.values[i]))]) : normKey(r.keys[i]));
  const keyOfRow = (row: Record<string, string | null>) => (also.length ? JSON.stringify(keyCols.map((c) => normKey(row[c]))) : normKey(row[key]));
  const disp = (k: string) => (k === '\u0000null' ? 'NULL' : k);
  const showKey = (k: string) => (also.length ? (JSON.parse(k) as string[]).map((v, j) => `${keyCols[j]} = ${disp(v)}`).join(', ') : `${key} = ${disp(k)}`);
  const expected = new Map<string, string[]>();
  const askedAt = new Map<string, number>();
  loop.forEach((res, i) => {
    const k = keyAt(i);
    if (!askedAt.has(k)) askedAt.set(k, i);
    const rows = res.rows.map(canonOf);
    const had = expected.get(k);
    // a key the loop asked for twice (a select-then-insert: its SELECT, then its INSERT … RETURNING) has the rows of both
    if (had) had.push(...rows.filter((x) => !had.includes(x)));
    else expected.set(k, rows);
  });
  const actual = new Map<string, string[]>();
  for (const row of rewrite.rows) {
    const k = keyOfRow(row);
    const g = actual.get(k) ?? [];
    const c = canonOf(row);
    if (!r.distinctPerKey || !g.includes(c)) g.push(c);
    actual.set(k, g);
  }
  let rows = 0;
  const absentKeys: NonNullable<Comparison['absent']> = [];
  for (const [k, want] of expected) {
    const got = (actual.get(k) ?? []).slice().sort();
    const w = want.slice().sort();
    const shown = also.length ? showKey(k) : disp(k);
    if (aggregate && got.length === 0 && w.length === 1 && emptyAggregate(w[0]!, key)) {
      absentKeys.push({ index: askedAt.get(k)!, key: showKey(k), row: w[0]! });
      continue;
    }
    const differs = rowsDiffer(showKey(k), shown, w, got, '');
    if (differs) return differs;
    rows += w.length;
  }
  // in key order, so the example does not depend on the order the rows came in
  for (const [k, got] of [...actual].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (!expected.has(k)) {
      const shown = also.length ? showKey(k) : disp(k);
      return { rows: 0, keys: 0, different: `the rewrite returned ${got.length} row(s) for ${showKey(k)}, a key the loop never asked for`, example: { key: shown, loop: null, rewrite: short(got[0]!) } };
    }
  }
  return { rows, keys: expected.size, absent: absentKeys };
}

/**
 * A rewrite whose row per key holds several loop statements' values, each statement's in columns of its own
 * (the FILTER column per condition value): each loop statement's rows against its columns of its key's row.
 */
function compareMapped(r: Runnable, key: string, columns: string[][], cols: string[], loop: Result[], rewrite: Result, aggregate: boolean): Comparison {
  if (!rewrite.fields.includes(key)) {
    return { rows: 0, keys: 0, different: `the rewrite's rows do not carry ${key}, so the application cannot tell which key each row belongs to` };
  }
  const absent = [...new Set(columns.flat())].filter((c) => !rewrite.fields.includes(c));
  if (absent.length) return { rows: 0, keys: 0, different: `the rewrite does not return ${absent.join(', ')}, where the loop's values belong` };
  const byKey = new Map<string, Record<string, string | null>[]>();
  for (const row of rewrite.rows) {
    const k = normKey(row[key]);
    byKey.set(k, [...(byKey.get(k) ?? []), row]);
  }
  const asked = new Set(r.keys.map(normKey));
  for (const [k, got] of byKey) {
    if (!asked.has(k)) {
      const shown = k === '\u0000null' ? 'NULL' : k;
      return { rows: 0, keys: 0, different: `the rewrite returned ${got.length} row(s) for ${key} = ${shown}, a key the loop never asked for`, example: { key: shown, loop: null, rewrite: short(JSON.stringify(got[0])) } };
    }
  }
  const compared = new Set<string>();
  const absentKeys: NonNullable<Comparison['absent']> = [];
  for (const [i, res] of loop.entries()) {
    const k = normKey(r.keys[i]);
    const names = columns[i]!;
    const shown = k === '\u0000null' ? 'NULL' : k;
    const want = res.rows.map((row) => canon(row, cols)).sort();
    const got = (byKey.get(k) ?? []).map((row) => JSON.stringify(Object.fromEntries(cols.map((c, j) => [c, row[names[j]!] ?? null])))).sort();
    if (aggregate && got.length === 0 && want.length === 1 && emptyAggregate(want[0]!, key)) {
      absentKeys.push({ index: i, key: `${key} = ${shown}`, row: want[0]! });
      continue;
    }
    const differs = rowsDiffer(`${key} = ${shown}`, shown, want, got, ` in ${names.join(', ')}`);
    if (differs) return differs;
    compared.add(JSON.stringify([k, names]));
  }
  return { rows: compared.size, keys: asked.size, absent: absentKeys };
}

/** One key's rows on both sides (sorted canonical rows): the difference with an example of each side, or null. */
function rowsDiffer(which: string, shown: string, want: string[], got: string[], where: string): Comparison | null {
  if (JSON.stringify(got) === JSON.stringify(want)) return null;
  const lw = want.find((x) => !got.includes(x)) ?? null;
  const gw = got.find((x) => !want.includes(x)) ?? null;
  return {
    rows: 0,
    keys: 0,
    different: `for ${which} the loop got ${want.length} row${want.length === 1 ? '' : 's'}, the rewrite ${got.length}${where}${lw ? `; the loop's ${short(lw)}` : ''}${gw ? `; the rewrite's ${short(gw)}` : ''}`,
    example: { key: shown, loop: lw, rewrite: gw },
  };
}

/** The loop's row for a key with no rows: every aggregate 0 or NULL. */
function emptyAggregate(row: string, key: string): boolean {
  const values = Object.entries(JSON.parse(row) as Record<string, string | null>).filter(([c]) => c !== key);
  return values.every(([, v]) => v === null || v === '0' || /^0(\.0+)?$/.test(v));
}

/**
 * Median wall time of each side, run alternately so both see the same caches: at least 3 runs, then until the
 * median moves by under 5% with one more run, at most maxRuns, and no new run after budgetMs.
 */
async function measure(loop: () => Promise<unknown>, rewrite: () => Promise<unknown>, opts: Pick<ReplayOptions, 'maxRuns' | 'budgetMs'>): Promise<{ loop: number; rewrite: number; runs: number }> {
  const a: number[] = [];
  const b: number[] = [];
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
  const time = async (f: () => Promise<unknown>) => {
    const t = process.hrtime.bigint();
    await f();
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  while (a.length < opts.maxRuns) {
    a.push(await time(loop));
    b.push(await time(rewrite));
    if (a.length >= 3 && stable(a) && stable(b)) break;
    if (elapsed() > opts.budgetMs) break;
  }
  return { loop: median(a), rewrite: median(b), runs: a.length };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function stable(xs: number[]): boolean {
  const now = median(xs);
  const before = median(xs.slice(0, -1));
  return Math.abs(now - before) <= 0.05 * Math.max(now, before);
}

/** Server time and buffers from EXPLAIN (ANALYZE, BUFFERS): the loop's statements summed, and the rewrite's. */
async function explainAll(client: pg.Client, calls: Call[], runnables: Runnable[], between?: () => Promise<void>): Promise<{ loop: number; rewrite: number; loopBuffers: number; rewriteBuffers: number } | null> {
  try {
    let loop = 0;
    let loopBuffers = 0;
    for (const c of calls) {
      const e = await explain(client, c.sql, c.params);
      loop += e.ms;
      loopBuffers += e.buffers;
    }
    // writes: the rewrite must start from the table as the loop found it, not as the loop left it
    await between?.();
    let rewrite = 0;
    let rewriteBuffers = 0;
    for (const r of runnables) {
      const e = await explain(client, r.sql, r.binds);
      rewrite += e.ms;
      rewriteBuffers += e.buffers;
    }
    return { loop, rewrite, loopBuffers, rewriteBuffers };
  } catch {
    // the statements just ran, so EXPLAIN fails only if the server refuses it: then there is no server time
    await client.query('ROLLBACK').catch(() => undefined);
    return null;
  }
}

async function explain(client: pg.Client, sql: string, params: unknown[]): Promise<{ ms: number; buffers: number }> {
  const r = await run(client, `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
  const plan = JSON.parse(String(Object.values(r.rows[0]!)[0])) as { Plan: Record<string, number>; 'Planning Time': number; 'Execution Time': number }[];
  const top = plan[0]!;
  return { ms: (top['Planning Time'] ?? 0) + (top['Execution Time'] ?? 0), buffers: (top.Plan['Shared Hit Blocks'] ?? 0) + (top.Plan['Shared Read Blocks'] ?? 0) };
}

/** Tables a write statement changes, as SQL names. */
function writtenTables(sqls: string[]): string[] {
  const out = new Set<string>();
  for (const sql of sqls) {
    const p = parseStmt({ sql, values: [] } as unknown as Stmt);
    if (!p) continue;
    const visit = (a: typeof p.ast) => {
      if (a.type === 'insert') out.add(qname(a.into.name, a.into.schema));
      else if (a.type === 'update') out.add(qname(a.table.name, a.table.schema));
      else if (a.type === 'delete') out.add(qname(a.from.name, a.from.schema));
      else if (a.type === 'with') {
        for (const b of a.bind) visit(b.statement);
        visit(a.in);
      }
    };
    visit(p.ast);
  }
  return [...out].sort();
}

const qname = (name: string, schema?: string) => (schema ? `${ident(schema)}.${ident(name)}` : ident(name));

/** The column list of a table with how each is compared: generated values above the old maximum and now() masked. */
async function tableShape(client: pg.Client, table: string): Promise<{ exprs: string[]; generated: Map<string, string | null>; random: string[] } | null> {
  const cols = await run(
    client,
    `SELECT a.attname, format_type(a.atttypid, a.atttypmod) AS type, pg_get_expr(d.adbin, d.adrelid) AS def, a.attidentity AS ident
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [table],
  );
  if (cols.rows.length === 0) return null;
  const generated = new Map<string, string | null>();
  const random: string[] = [];
  const exprs: string[] = [];
  for (const c of cols.rows) {
    const col = ident(c['attname']!);
    if (RANDOM_DEFAULT.test(c['def'] ?? '')) {
      // DEFAULT gen_random_uuid(): a row this transaction wrote has a value no other run gives it
      random.push(c['attname']!);
      exprs.push(`CASE WHEN ${WRITTEN_HERE} THEN NULL ELSE t.${col} END`);
    } else if ((c['def'] ?? '').startsWith('nextval(') || c['ident'] === 'a' || c['ident'] === 'd') {
      const max = (await run(client, `SELECT max(${col})::text AS m FROM ${table}`, [])).rows[0]!['m'] ?? null;
      generated.set(c['attname']!, max);
      exprs.push(max === null ? 'NULL' : `CASE WHEN t.${col} > ${/^-?\d+$/.test(max) ? max : `'${max.replace(/'/g, "''")}'`} THEN NULL ELSE t.${col} END`);
    } else if (/^timestamp|^date$/.test(c['type']!)) {
      // DEFAULT now() / SET updated_at = now(): the same statement gives another value in another transaction
      exprs.push(`CASE WHEN t.${col} = now() THEN NULL ELSE t.${col} END`);
    } else exprs.push(`t.${col}`);
  }
  return { exprs, generated, random };
}

/** Defaults that give every new row a value of chance: no two runs of the same statement agree on it. */
const RANDOM_DEFAULT = /\b(gen_random_uuid|uuid_generate_v[14]|random|clock_timestamp|timeofday)\s*\(/i;
/** True for a row of `t` that the current transaction inserted or updated (its xmin is this transaction's id). */
const WRITTEN_HERE = `t.xmin::text::bigint = txid_current() % 4294967296`;

/** The values of chance this transaction's rows got, per column: what a returned row may carry and still match. */
async function randomValues(client: pg.Client, table: string, columns: string[], into: Map<string, Set<string>>): Promise<void> {
  for (const c of columns) {
    const r = await run(client, `SELECT t.${ident(c)}::text AS v FROM ${table} AS t WHERE ${WRITTEN_HERE}`, []);
    const set = into.get(c) ?? new Set<string>();
    for (const row of r.rows) if (row['v'] !== null) set.add(row['v']!);
    into.set(c, set);
  }
}

/**
 * The server's count of rows inserted, updated and deleted in the tables by this backend and not yet flushed to
 * the shared statistics (flushes happen between transactions, never inside one): the difference of two readings
 * in one transaction is what ran between them. A statement's row count is not that: a lookup's is the rows it
 * found, a WITH's the rows its outer SELECT returned.
 */
async function rowsChanged(client: pg.Client, tables: string[]): Promise<number> {
  if (tables.length === 0) return 0;
  const r = await run(
    client,
    `SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::text AS n FROM pg_stat_xact_user_tables WHERE relid IN (SELECT to_regclass(t) FROM unnest($1::text[]) AS t)`,
    [tables],
  );
  return Number(r.rows[0]!['n']);
}

async function checksum(client: pg.Client, table: string, exprs: string[]): Promise<string> {
  const r = await run(
    client,
    `SELECT count(*)::text || ':' || md5(coalesce(string_agg(h, '' ORDER BY h), '')) AS sum FROM (SELECT md5(ROW(${exprs.join(', ')})::text) AS h FROM ${table} AS t) AS s`,
    [],
  );
  return r.rows[0]!['sum']!;
}

async function verifyWrites(client: pg.Client, draft: AnyDraft, calls: Call[], runnables: Runnable[], opts: ReplayOptions): Promise<Verification> {
  const sql = runnables.map((r) => r.sql).join(';\n');
  const tables = writtenTables([...calls.map((c) => c.sql), ...runnables.map((r) => r.sql)]);
  const shapes = new Map<string, NonNullable<Awaited<ReturnType<typeof tableShape>>>>();
  for (const t of tables) {
    const s = await tableShape(client, t);
    if (s === null) return verdict('skipped', `skipped: missing table: ${t} does not exist on this database; point --dsn at a database with the log's schema`, { sql });
    shapes.set(t, s);
  }
  // a returned id above the table's old maximum is a new row's: its value depends on the sequence, not the rewrite
  const fresh = new Map<string, Set<string>>();
  const mask = (col: string, v: string | null) => {
    if (v !== null && fresh.get(col)?.has(v)) return '<new>';
    for (const s of shapes.values()) {
      const max = s.generated.get(col);
      if (max !== undefined && v !== null && (max === null || (/^-?\d+$/.test(v) && /^-?\d+$/.test(max) ? BigInt(v) > BigInt(max) : v > max))) return '<new>';
    }
    return v;
  };
  const side = async (f: () => Promise<Result[]>) => {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ WRITE');
    try {
      const start = await rowsChanged(client, tables);
      const res = await f();
      const changed = (await rowsChanged(client, tables)) - start;
      const sums = new Map<string, string>();
      for (const [t, s] of shapes) {
        sums.set(t, await checksum(client, t, s.exprs));
        if (s.random.length) await randomValues(client, t, s.random, fresh);
      }
      return { res, sums, changed };
    } finally {
      await client.query('ROLLBACK');
    }
  };
  const loop = await side(() => loopRun(client, calls));
  const rewritten = await side(() => rewriteRun(client, runnables));
  const changedLoop = loop.changed;
  const changedRewrite = rewritten.changed;
  for (const t of tables) {
    if (loop.sums.get(t) !== rewritten.sums.get(t)) {
      const [ln] = loop.sums.get(t)!.split(':');
      const [rn] = rewritten.sums.get(t)!.split(':');
      return verdict(
        'different',
        `different rows: ${t} is not the same after the rewrite as after the loop (${ln} rows after the loop, ${rn} after the rewrite; the loop changed ${changedLoop} rows, the rewrite ${changedRewrite})`,
        { sql, example: { key: null, loop: `${ln} rows in ${t}`, rewrite: `${rn} rows in ${t}` }, roundTrips: { loop: calls.length, rewrite: runnables.length } },
      );
    }
  }
  // what a keyed write returns (the upsert's ids) must match what the loop's statements returned, per key
  const byStmt = new Map(calls.map((c, i) => [c.stmt, loop.res[i]!]));
  let keys = 0;
  for (const [i, r] of runnables.entries()) {
    if (r.keyColumn === null) continue;
    const cmp = compareRows(r, r.covers.map((s) => byStmt.get(s)!), rewritten.res[i]!, false, mask);
    if (cmp.different) return verdict('different', `different rows: ${cmp.different}`, { sql, example: cmp.example ?? null, roundTrips: { loop: calls.length, rewrite: runnables.length } });
    keys += cmp.keys;
  }
  const timing = await measure(
    () => side(() => loopRun(client, calls)),
    () => side(() => rewriteRun(client, runnables)),
    { maxRuns: Math.min(opts.maxRuns, 10), budgetMs: opts.budgetMs },
  );
  const begin = () => client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ WRITE').then(() => undefined);
  await begin();
  let server: Awaited<ReturnType<typeof explainAll>>;
  try {
    server = await explainAll(client, calls, runnables, async () => {
      await client.query('ROLLBACK');
      await begin();
    });
  } finally {
    await client.query('ROLLBACK');
  }
  const names = tables.join(', ');
  const what = tables.length === 0
    ? `same ${keys ? `rows back for ${keys} keys` : 'result'}; no table written (row locks only, rolled back)`
    : `same state of ${names} afterwards (${changedLoop} row${changedLoop === 1 ? '' : 's'} changed by the loop, ${changedRewrite} by the rewrite${keys ? `; the same rows back for ${keys} keys` : ''}; both rolled back)`;
  void draft;
  return verified(what, sql, changedLoop, keys || null, calls.length, runnables.length, timing, server, draft.keptOf);
}
