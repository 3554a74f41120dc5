#!/usr/bin/env node
/**
 * Writes a PostgreSQL stderr log to stdout that stresses one memory bound of the analysis (too big to commit:
 * write it under /tmp). log_line_prefix '%m [%p] %q%u@%d ', log_min_duration_statement = 0, no disconnect lines.
 *
 *   node scripts/make-pathological-logs.mjs sessions N [--gap MS]   N sessions of a few statements each, none of which
 *                                                                    logs a disconnect (log_disconnections off); a new
 *                                                                    session starts every MS of log time (default 2)
 *   node scripts/make-pathological-logs.mjs templates N              N statements, each of its own template
 *   node scripts/make-pathological-logs.mjs inlist SIZE [--items N]  one statement with an IN list of about SIZE bytes
 *                                                                    (or of N items), in a short N+1 loop
 *   node scripts/make-pathological-logs.mjs nested N [--depth D]     N statements nesting parentheses and subqueries
 *                                                                    D deep (default 100,000)
 *
 * Sizes take k/M suffixes (200M). Output is written in chunks as it is made: nothing is held whole.
 */
import { once } from 'node:events';

const [kind, countArg, ...rest] = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = rest.indexOf(name);
  return i >= 0 && rest[i + 1] !== undefined ? size(rest[i + 1]) : dflt;
};
function size(s) {
  const m = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(String(s));
  if (!m) throw new Error(`not a number: ${s}`);
  const mult = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9 }[m[2]];
  return Math.round(Number(m[1]) * mult);
}
if (!kind || countArg === undefined) {
  process.stderr.write('usage: make-pathological-logs.mjs sessions N [--gap MS] | templates N | inlist SIZE [--items N] | nested N [--depth D]\n');
  process.exit(2);
}
const count = size(countArg);

const T0 = Date.UTC(2026, 0, 5, 9, 0, 0);
const stamp = (ms) => new Date(T0 + ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
const line = (ms, pid, msg) => `${stamp(ms)} [${pid}] app@shop LOG:  ${msg}\n`;
const stmt = (ms, pid, sql, dur = 0.05) => line(ms, pid, `duration: ${dur.toFixed(3)} ms  statement: ${sql}`);

let buf = '';
async function out(s) {
  buf += s;
  if (buf.length >= 1 << 16) await flush();
}
async function flush() {
  if (buf.length === 0) return;
  if (!process.stdout.write(buf)) await once(process.stdout, 'drain');
  buf = '';
}

async function sessions(n, gap) {
  // sessions overlap (a new one every `gap` ms, each lasting ~8 ms); pids are reused only long after
  for (let i = 0; i < n; i++) {
    const t = i * gap;
    const pid = 10_000 + (i % 5_000_000);
    await out(line(t, pid, `connection authorized: user=app database=shop application_name=web`));
    await out(stmt(t + 1, pid, `SELECT id, email FROM users WHERE id = ${i}`));
    await out(stmt(t + 2, pid, `SELECT * FROM orders WHERE user_id = ${i} ORDER BY created_at DESC LIMIT 10`));
    await out(stmt(t + 3, pid, `UPDATE users SET last_seen = now() WHERE id = ${i}`));
  }
}

async function templates(n) {
  // a distinct table and column per statement: normalisation cannot fold them together; 100 connections, each
  // silent for 2 s between its statements, so that units of work stay small and only the templates pile up
  for (let i = 0; i < n; i++) {
    await out(stmt(i * 20, 20_000 + (i % 100), `SELECT c${i}, d${i % 97} FROM t${i} WHERE k${i} = ${i}`));
  }
}

async function inlist(bytes, items) {
  const pid = 30_000;
  await out(stmt(0, pid, 'SELECT id FROM posts WHERE published'));
  // the big one: written as it is made
  await out(`${stamp(1)} [${pid}] app@shop LOG:  duration: 12.000 ms  statement: SELECT * FROM comments WHERE post_id IN (`);
  let written = 0;
  for (let i = 0; items > 0 ? i < items : written < bytes; i++) {
    const item = (i === 0 ? '' : ', ') + String(100_000 + i);
    written += item.length;
    await out(item);
  }
  await out(')\n');
  for (let k = 1; k <= 5; k++) await out(stmt(1 + k, pid, `SELECT * FROM comments WHERE post_id = ${k}`));
}

async function nested(n, depth) {
  // one session, after a parent query: the statements form a loop, so the rewrite step sees them too
  const pid = 40_000;
  await out(stmt(0, pid, 'SELECT id FROM posts WHERE published'));
  for (let i = 0; i < n; i++) {
    const t = 1 + i;
    await out(`${stamp(t)} [${pid}] app@shop LOG:  duration: 1.000 ms  statement: SELECT * FROM t WHERE a = `);
    // alternate plain parentheses and scalar subqueries, so both expression and query nesting are deep
    for (let d = 0; d < depth; d++) await out(d % 2 === 0 ? '(' : '(SELECT ');
    await out(String(i));
    for (let d = 0; d < depth; d++) await out(')');
    await out('\n');
  }
}

switch (kind) {
  case 'sessions':
    await sessions(count, opt('--gap', 2));
    break;
  case 'templates':
    await templates(count);
    break;
  case 'inlist':
    await inlist(count, opt('--items', 0));
    break;
  case 'nested':
    await nested(count, opt('--depth', 100_000));
    break;
  default:
    process.stderr.write(`unknown kind ${kind}\n`);
    process.exit(2);
}
await flush();
