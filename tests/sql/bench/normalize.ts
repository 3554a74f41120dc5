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
for (let pass = 0; pass < 7; pass++) {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) sink += normalize(inputs[i]!).template.length;
  const dt = Number(process.hrtime.bigint() - t0) / 1e3 / N;
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) sink += fingerprint(inputs[i]!).fingerprint.length;
  const dt2 = Number(process.hrtime.bigint() - t1) / 1e3 / N;
  console.log(`pass ${pass}: normalize ${dt.toFixed(3)} µs/stmt, fingerprint ${dt2.toFixed(3)} µs/stmt (avg ${avg.toFixed(0)} chars)${sink ? '' : '!'}`);
}
