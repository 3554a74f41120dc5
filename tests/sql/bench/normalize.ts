/**
 * Throughput of normalize() on typical ~90-char statements (a script, never part of the tests). Run:
 *   npx tsc tests/sql/bench/normalize.ts src/sql/*.ts --outDir node_modules/.cache/sqlb --rootDir . \
 *     --module nodenext --moduleResolution nodenext --target es2022 --skipLibCheck --types node && node node_modules/.cache/sqlb/tests/sql/bench/normalize.js
 */
import { fingerprint, normalize } from '../../../src/sql/index.js';

const statements = [
  'SELECT "users"."id", "users"."email" FROM "users" WHERE "users"."id" = $1 LIMIT $2',
  "SELECT * FROM posts WHERE author_id = 42 AND status = 'published' ORDER BY created_at DESC LIMIT 1",
  'UPDATE pgbench_accounts SET abalance = abalance + -4123 WHERE aid = 88123;',
  'INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (7, 1, 44211, 1234, CURRENT_TIMESTAMP);',
  'SELECT id, name FROM products WHERE category_id IN (1, 2, 3, 4, 5) AND price > 10.5',
  "select c.id, c.name from customers c where c.email = 'someone@example.com' /* controller='users',action='show' */",
];
const avg = statements.reduce((a, s) => a + s.length, 0) / statements.length;
// Distinct texts, as in a real log, so that no cache can help.
const N = 200_000;
const inputs = Array.from({ length: N }, (_, i) => statements[i % statements.length]!.replace(/\d+/, String(i)));
/** CPU µs per call of `f` over all inputs (CPU time, so a busy shared machine distorts it less than wall time). */
function measure(f: (s: string) => number): number {
  let sink = 0;
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) sink += f(inputs[i]!);
  const c = process.cpuUsage(c0);
  if (sink === -1) console.log('!');
  return c.user / N;
}
// Reference: one pass over the characters plus toLowerCase — the floor any tokenizer pays.
const floor = (s: string): number => {
  let h = 0;
  for (let j = 0; j < s.length; j++) h = (h * 31 + s.charCodeAt(j)) | 0;
  return h + s.toLowerCase().length;
};
const best = { norm: Infinity, fp: Infinity, floor: Infinity };
for (let pass = 0; pass < 7; pass++) {
  best.floor = Math.min(best.floor, measure(floor));
  best.norm = Math.min(best.norm, measure((s) => normalize(s).template.length));
  best.fp = Math.min(best.fp, measure((s) => fingerprint(s).fingerprint.length));
}
console.log(
  `avg ${avg.toFixed(0)} chars: normalize ${best.norm.toFixed(3)} µs/stmt, fingerprint ${best.fp.toFixed(3)} µs/stmt, ` +
    `char-loop floor ${best.floor.toFixed(3)} µs (normalize = ${(best.norm / best.floor).toFixed(1)}x floor; best of 7 passes, CPU time)`,
);
