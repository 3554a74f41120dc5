/**
 * The fingerprint decision table: pairs of statements that must and must not share a fingerprint, each
 * with the rule (and, where we differ from pg_query's fingerprint, the reason). Plus property tests.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fingerprint, normalize } from '../../src/sql/index.js';
import { needsQuotes } from '../../src/sql/keywords.js';
import { Tok, tokenize } from '../../src/sql/lexer.js';

type Pair = [a: string, b: string, same: boolean, why: string];

const PAIRS: Pair[] = [
  // ── Constants and parameters (pg_query: A_Const / ParamRef dropped) ──────────────────────────────
  ['SELECT 1', 'SELECT 2', true, 'numbers are constants'],
  ['SELECT 1', 'SELECT $1', true, 'a literal and a parameter are the same slot'],
  ["SELECT * FROM t WHERE a = 1", "SELECT * FROM t WHERE a = 'x'", true, 'constant type does not matter'],
  ['SELECT * FROM t WHERE a = 1', 'SELECT * FROM t WHERE a = NULL', true, 'NULL as a value is a constant (pg_query: Null dropped)'],
  ['SELECT * FROM t WHERE a IS NULL', 'SELECT * FROM t WHERE a = NULL', false, 'IS NULL is structure, not a value'],
  ['SELECT * FROM t WHERE a IS NULL', 'SELECT * FROM t WHERE a IS NOT NULL', false, 'IS NULL vs IS NOT NULL'],
  ['SELECT * FROM t WHERE f = true', 'SELECT * FROM t WHERE f = false', true, 'booleans are constants'],
  ['SELECT * FROM t WHERE f IS TRUE', 'SELECT * FROM t WHERE f IS FALSE', false, 'IS TRUE / IS FALSE are tests, kept'],
  ['SELECT * FROM t LIMIT 10', 'SELECT * FROM t LIMIT 20', true, 'LIMIT value is a constant'],
  ['SELECT * FROM t LIMIT 10', 'SELECT * FROM t', false, 'whether a LIMIT exists is kept'],
  ['SELECT * FROM t LIMIT 10', 'SELECT * FROM t LIMIT 20 OFFSET 40', false, 'DIFFERS from pg_query: an OFFSET (pagination) is structure'],
  ['SELECT * FROM t OFFSET 0', 'SELECT * FROM t', false, 'OFFSET 0 is still an OFFSET clause'],
  ["SELECT * FROM t WHERE s = 'a'", "SELECT * FROM t WHERE s = E'b\\'c'", true, "E'' strings are constants"],
  ["SELECT * FROM t WHERE s = 'a'", 'SELECT * FROM t WHERE s = $$a$$', true, 'dollar-quoted strings are constants'],
  ["SELECT * FROM t WHERE s = 'a'", 'SELECT * FROM t WHERE s = $tag$it\'s$tag$', true, 'tagged dollar quotes are constants'],
  ["SELECT * FROM t WHERE s = 'a'", "SELECT * FROM t WHERE s = U&'d\\0061t'", true, "U&'' strings are constants"],
  ["SELECT * FROM t WHERE b = B'0101'", "SELECT * FROM t WHERE b = X'1F'", true, "bit and hex strings are constants"],
  ["SELECT * FROM t WHERE s = N'a'", "SELECT * FROM t WHERE s = 'a'", true, "N'' (national) strings are constants"],
  ['SELECT * FROM t WHERE n = 1', 'SELECT * FROM t WHERE n = 1e-3', true, 'exponent form'],
  ['SELECT * FROM t WHERE n = 1', 'SELECT * FROM t WHERE n = .5', true, 'leading-dot form'],
  ['SELECT * FROM t WHERE n = 1', 'SELECT * FROM t WHERE n = 0x1F', true, 'PG 16 hex integers'],
  ['SELECT * FROM t WHERE n = 1', 'SELECT * FROM t WHERE n = 1_000_000', true, 'PG 16 underscores'],
  ['SELECT * FROM t WHERE n = 5', 'SELECT * FROM t WHERE n = -5', true, 'a signed number is one constant (pg_query folds the minus too)'],
  ['SELECT * FROM t WHERE n = 5', 'SELECT * FROM t WHERE n = +5', true, 'unary plus likewise'],
  ['SELECT a - 5 FROM t', 'SELECT a + 5 FROM t', false, 'operators are kept'],
  ['SELECT * FROM t WHERE n = -5', 'SELECT * FROM t WHERE n - 5 = 0', false, 'binary minus is an operator, not a sign'],
  ["SELECT * FROM t WHERE s = '1.5'", 'SELECT * FROM t WHERE s = 1.5', true, 'quoted and bare numbers are both constants'],
  ["SELECT * FROM t WHERE s LIKE 'a%'", "SELECT * FROM t WHERE s LIKE 'b_%'", true, 'LIKE patterns are constants'],
  ["SELECT * FROM t WHERE s LIKE 'a%'", "SELECT * FROM t WHERE s ILIKE 'a%'", false, 'LIKE vs ILIKE'],
  ['SELECT * FROM t WHERE n BETWEEN 1 AND 5', 'SELECT * FROM t WHERE n BETWEEN 2 AND 9', true, 'BETWEEN bounds'],
  ['SELECT coalesce(a, 0) FROM t', 'SELECT coalesce(a, 1) FROM t', true, 'constants inside calls'],
  ['SELECT a[1] FROM t', 'SELECT a[2] FROM t', true, 'subscripts are constants (as in pg_query)'],
  ["SELECT data->>'name' FROM t", "SELECT data->>'email' FROM t", true, 'JSON keys are string constants (as in pg_query)'],
  ["SELECT * FROM t WHERE data ? 'k'", "SELECT * FROM t WHERE data ? 'j'", true, 'jsonb ? after an operand is the operator, its right side a constant'],
  ["SELECT * FROM t WHERE data ? 'k'", "SELECT * FROM t WHERE data = 'k'", false, 'jsonb ? is not ='],
  ["SELECT 'a'\n  'b'", "SELECT 'ab'", true, 'string continuation across a newline is one literal'],
  ["SELECT 'unterminated", "SELECT 'x'", true, 'an unterminated string is still one constant'],
  // ── Casts of constants (pg_query: TypeCast of A_Const / ParamRef dropped) ──────────────────────────
  ["SELECT * FROM t WHERE d > '2024-01-01'::date", "SELECT * FROM t WHERE d > 'x'", true, 'a cast of a constant is the constant'],
  ['SELECT * FROM t WHERE d > CAST($1 AS date)', 'SELECT * FROM t WHERE d > $1', true, 'CAST(param AS type) is the param'],
  ["SELECT * FROM t WHERE d > date '2024-01-01'", "SELECT * FROM t WHERE d > '2024-01-01'", true, 'a typed literal is the constant'],
  ["SELECT * FROM t WHERE d > timestamp with time zone '2024-01-01'", 'SELECT * FROM t WHERE d > $1', true, 'multi-word typed literal'],
  ['SELECT * FROM t WHERE d > $1::timestamp with time zone', 'SELECT * FROM t WHERE d > $1::text', true, 'multi-word cast of a param'],
  ['SELECT * FROM t WHERE d > $1::numeric(10,2)[]', 'SELECT * FROM t WHERE d > $1', true, 'cast with modifiers and array bounds'],
  ["SELECT * FROM t WHERE r && '[1,2]'", "SELECT * FROM t WHERE r && '[1,2]'::int4range", true, 'pg_query B3 example'],
  ["SELECT now() - interval '1 day'", "SELECT now() - interval '2 hours'", true, 'interval literals are constants'],
  ['SELECT * FROM t WHERE x::text = $1', 'SELECT * FROM t WHERE x = $1', false, 'a cast of a column is kept'],
  // ── IN lists and ANY ─────────────────────────────────────────────────────────────────────────────
  ['SELECT * FROM t WHERE id IN (1)', 'SELECT * FROM t WHERE id IN (1, 2, 3, 4, 5)', true, 'IN lists of any length are one form'],
  ["SELECT * FROM t WHERE id IN ('a', 'b')", 'SELECT * FROM t WHERE id IN (1)', true, 'IN items of any type'],
  ['SELECT * FROM t WHERE id IN ($1, $2, $3)', 'SELECT * FROM t WHERE id = ANY($1)', true, 'IN (params) = ANY(param): one batch form'],
  ['SELECT * FROM t WHERE id = ANY($1::int[])', 'SELECT * FROM t WHERE id = ANY($1)', true, 'cast on the array param is dropped'],
  ['SELECT * FROM t WHERE id = ANY(ARRAY[1, 2])', 'SELECT * FROM t WHERE id IN (3)', true, 'ANY(ARRAY[…]) is the same batch form'],
  ["SELECT * FROM t WHERE id = ANY('{1,2}')", 'SELECT * FROM t WHERE id = ANY($1)', true, 'ANY of an array literal string'],
  ['SELECT * FROM t WHERE id = ANY (ARRAY[$1, $2])', 'SELECT * FROM t WHERE id = SOME($1)', true, 'SOME is ANY'],
  ['SELECT * FROM t WHERE id IN ($1::uuid)', 'SELECT * FROM t WHERE id IN ($1)', true, 'pg_query B3 example: casts inside IN'],
  ["SELECT * FROM t WHERE d IN (cast('2024-01-01' as date), cast('2024-01-02' as date))", 'SELECT * FROM t WHERE d IN ($1)', true, 'IN of casts collapses (pgBadger fails this)'],
  ['SELECT * FROM t WHERE id = $1', 'SELECT * FROM t WHERE id = ANY($1)', false, 'DIFFERS from pg_query: one key (= $1) is not a batch (ANY/IN)'],
  ['SELECT * FROM t WHERE id = 1', 'SELECT * FROM t WHERE id IN (1)', false, 'DIFFERS from pg_query: even a one-item IN is the batch form'],
  ['SELECT * FROM t WHERE id IN (1, 2)', 'SELECT * FROM t WHERE id NOT IN (1, 2)', false, 'IN vs NOT IN'],
  ['SELECT * FROM t WHERE id NOT IN (1, 2)', 'SELECT * FROM t WHERE id <> ALL($1)', true, 'NOT IN (list) is <> ALL(array), NULLs included'],
  ['SELECT * FROM t WHERE id IN (SELECT x FROM u)', 'SELECT * FROM t WHERE id IN (1)', false, 'IN (sub-select) is not a list'],
  ['SELECT * FROM t WHERE id IN (1, (SELECT 2))', 'SELECT * FROM t WHERE id IN (1, 2)', false, 'a list with a sub-select item stays as written'],
  ['SELECT * FROM t WHERE id IN ($1, lower($2))', 'SELECT * FROM t WHERE id IN ($1)', false, 'a list with an expression item stays as written'],
  ['SELECT * FROM t WHERE (a, b) IN ((1, 2), (3, 4))', 'SELECT * FROM t WHERE (a, b) IN ((5, 6))', true, 'row lists of any length (pg_query B3)'],
  ['SELECT * FROM t WHERE (a, b) IN ((1, 2))', 'SELECT * FROM t WHERE (a, b, c) IN ((1, 2, 3))', false, 'different row arity'],
  ['SELECT ARRAY[1, 2, 3]', 'SELECT ARRAY[4]', true, 'an ARRAY[…] of constants is one value'],
  // ── VALUES ───────────────────────────────────────────────────────────────────────────────────────
  ["INSERT INTO t (a, b) VALUES (1, 'x')", "INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y'), (3, 'z')", true, 'multi-row VALUES is one form (pgBadger splits per row count)'],
  ['INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)', 'INSERT INTO t (a, b) VALUES (%s, %s)', true, 'placeholder rows too'],
  ['INSERT INTO t (a, b) VALUES (1, DEFAULT), (2, DEFAULT)', 'INSERT INTO t (a, b) VALUES (3, DEFAULT)', true, 'rows with the same non-constant items'],
  ['INSERT INTO t (a, b) VALUES (1, now()), (2, now())', 'INSERT INTO t (a, b) VALUES (1, now())', true, 'a shared expression item'],
  ['INSERT INTO t (a, b) VALUES (1, DEFAULT)', "INSERT INTO t (a, b) VALUES (1, 'x')", false, 'DEFAULT is not a value'],
  ['INSERT INTO t (a, b) VALUES (1, NULL)', "INSERT INTO t (a, b) VALUES (1, 'x')", true, 'NULL in VALUES is a value (nullable columns stay one class)'],
  ['INSERT INTO t (a, b) VALUES (1, 2)', 'INSERT INTO t (b, a) VALUES (1, 2)', false, 'DIFFERS from pg_query: column order is kept (templates stay readable text)'],
  ['INSERT INTO t (a) VALUES (1) RETURNING id', 'INSERT INTO t (a) VALUES (1)', false, 'RETURNING is kept'],
  ['INSERT INTO t (a) VALUES (1) ON CONFLICT DO NOTHING', 'INSERT INTO t (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = EXCLUDED.a', false, 'conflict actions differ'],
  // ── Placeholders of every style ──────────────────────────────────────────────────────────────────
  ['SELECT * FROM t WHERE a = ?', 'SELECT * FROM t WHERE a = $1', true, 'JDBC ?'],
  ['SELECT * FROM t WHERE a = %s', 'SELECT * FROM t WHERE a = $1', true, 'psycopg %s'],
  ['SELECT * FROM t WHERE a = %(a_1)s', 'SELECT * FROM t WHERE a = $1', true, 'psycopg %(name)s'],
  ['SELECT * FROM t WHERE a = :a_1', 'SELECT * FROM t WHERE a = $1', true, 'SQLAlchemy/Oracle :name'],
  ['SELECT * FROM t WHERE a::int = :a', 'SELECT * FROM t WHERE a::int = 5', true, ':: is a cast, not a placeholder'],
  ['SELECT * FROM t WHERE a=? AND b=?', 'SELECT * FROM t WHERE a = 1 AND b = 2', true, 'Hibernate writes =? without spaces'],
  ['select * from t fetch first ? rows only', 'SELECT * FROM t FETCH FIRST 10 ROWS ONLY', true, 'FETCH FIRST count'],
  ['SELECT * FROM t WHERE a = $1 AND b = $1', 'SELECT * FROM t WHERE a = $1 AND b = $2', false, 'a reused parameter stays one parameter (template meaning kept)'],
  ['SELECT a %% b FROM t WHERE c = %s', 'SELECT a % b FROM t WHERE c = 1', true, "psycopg's %% is %"],
  // ── Identifiers ──────────────────────────────────────────────────────────────────────────────────
  ['SELECT * FROM "users"', 'SELECT * FROM users', true, 'DECISION: "users" is users (PostgreSQL resolves both to one name)'],
  ['SELECT * FROM "Users"', 'SELECT * FROM users', false, 'quoted case is kept (pt-query-digest turns "Users" into ?)'],
  ['SELECT * FROM USERS', 'SELECT * FROM users', true, 'unquoted identifiers fold to lower case'],
  ['SELECT "order" FROM t', 'SELECT "Order" FROM t', false, 'a quoted keyword stays quoted; case kept'],
  ['SELECT "users"."id" FROM "public"."users"', 'SELECT users.id FROM public.users', true, 'Django/Prisma quoting'],
  ['SELECT * FROM public.users', 'SELECT * FROM users', false, 'a schema qualifier is kept (pg_query builds disagree, B3)'],
  ['SELECT * FROM events_2024_01', 'SELECT * FROM events_2024_02', false, 'DIFFERS from pg_query: digits inside identifiers are kept (partitions)'],
  ['SELECT * FROM t_1', 'SELECT * FROM t_2', false, 'short numbered names too (as in pg_query)'],
  ['SELECT * FROM a', 'SELECT * FROM a AS b', false, 'DIFFERS from pg_query: aliases are kept (ORMs alias consistently; templates stay pasteable)'],
  ['SELECT u.id FROM users u', 'SELECT id FROM users u', false, 'qualification is kept (as in pg_query)'],
  ['SELECT x, y FROM t', 'SELECT y, x FROM t', false, 'DIFFERS from pg_query: target order is kept'],
  ['SELECT * FROM t WHERE a = 1 AND b = 2', 'SELECT * FROM t WHERE b = 2 AND a = 1', false, 'DIFFERS from pg_query: predicate order is kept (one call site writes one order)'],
  ['SELECT * FROM a JOIN b ON a.id = b.a_id', 'SELECT * FROM b JOIN a ON a.id = b.a_id', false, 'join order is kept (as in pg_query)'],
  ['SELECT ünï FROM t', 'SELECT ÜNÏ FROM t', false, 'only ASCII folds (PostgreSQL with UTF-8)'],
  ['SELECT * FROM users', 'SELECT * FROM posts', false, 'tables differ'],
  ['SELECT * FROM t WHERE a = 1', 'SELECT * FROM t WHERE b = 1', false, 'columns differ'],
  // ── Layout, case, comments ───────────────────────────────────────────────────────────────────────
  ['SELECT  *\n\tFROM   t\nWHERE a=1', 'select * from t where a = 1', true, 'whitespace and keyword case'],
  ['SELECT count(*) FROM t', 'SELECT COUNT( * ) FROM t', true, 'function names fold, spacing inside calls does not matter'],
  ['SELECT count(DISTINCT x) FROM t', 'SELECT count(x) FROM t', false, 'DISTINCT inside an aggregate'],
  ['SELECT 1 /* a /* nested */ comment */', 'SELECT 1', true, 'nested block comments dropped'],
  ['SELECT 1 -- trailing comment', 'SELECT 1 /* c */', true, 'line comments dropped'],
  ["SELECT 1 /*controller='posts',action='index'*/", "SELECT 1 /*controller='users',action='show'*/", true, 'sqlcommenter tags are metadata, not SQL'],
  ['SELECT * FROM t WHERE id = 1;', 'SELECT * FROM t WHERE id = 1 ; ;', true, 'trailing semicolons dropped'],
  ['SELECT 1; SELECT 2', 'SELECT 1', false, 'a multi-statement string is one whole'],
  ['SELECT * FROM t WHERE a != 1', 'SELECT * FROM t WHERE a <> 1', true, '!= is <>'],
  ['SELECT * FROM t WHERE a = 1', 'SELECT * FROM t WHERE a > 1', false, 'operators are kept'],
  // ── Clauses ──────────────────────────────────────────────────────────────────────────────────────
  ['SELECT * FROM t ORDER BY a', 'SELECT * FROM t ORDER BY a ASC', false, 'ORDER BY direction as written (as in pg_query)'],
  ['SELECT * FROM t ORDER BY a ASC', 'SELECT * FROM t ORDER BY a DESC', false, 'ASC vs DESC'],
  ['SELECT a, b FROM t ORDER BY 1', 'SELECT a, b FROM t ORDER BY 2', false, 'DIFFERS from pg_query: ORDER BY <position> names a column; kept'],
  ['SELECT a, count(*) FROM t GROUP BY 1', 'SELECT a, count(*) FROM t GROUP BY 2', false, 'GROUP BY <position> kept likewise'],
  ['SELECT DISTINCT a FROM t', 'SELECT DISTINCT ON (a) a FROM t', false, 'DISTINCT vs DISTINCT ON'],
  ['SELECT DISTINCT a FROM t', 'SELECT a FROM t', false, 'DISTINCT kept'],
  ['SELECT * FROM t WHERE id = 1 FOR UPDATE', 'SELECT * FROM t WHERE id = 1', false, 'FOR UPDATE kept'],
  ['BEGIN', 'BEGIN ISOLATION LEVEL SERIALIZABLE', false, 'DIFFERS from pg_query: transaction options kept'],
  ['SAVEPOINT active_record_1', 'SAVEPOINT active_record_2', false, 'DIFFERS from pg_query: savepoint names are identifiers, kept (detectors use kind=savepoint)'],
];

describe('fingerprint decision table', () => {
  it('has at least 80 pairs', () => {
    expect(PAIRS.length).toBeGreaterThanOrEqual(80);
  });
  it.each(PAIRS)('%s  vs  %s  → same=%s (%s)', (a, b, same) => {
    const fa = fingerprint(a);
    const fb = fingerprint(b);
    if (same) expect(fb.template).toBe(fa.template);
    else expect(fb.template).not.toBe(fa.template);
    expect(fa.fingerprint === fb.fingerprint).toBe(same);
  });
  it('templates are idempotent for every statement in the table', () => {
    for (const [a, b] of PAIRS) {
      for (const s of [a, b]) {
        const t = normalize(s).template;
        expect(normalize(t).template).toBe(t);
      }
    }
  });
});

// ── Property tests ─────────────────────────────────────────────────────────────────────────────────

/** Any SQL literal, written the many ways PostgreSQL and ORMs write them. */
const literal: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }).map((d) => String(d)),
  fc.string({ maxLength: 12 }).map((s) => `'${s.replaceAll("'", "''")}'`),
  fc.string({ maxLength: 12 }).map((s) => `E'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`),
  fc.string({ maxLength: 12 }).filter((s) => !s.includes('$')).map((s) => `$q$${s}$q$`),
  fc.constantFrom('true', 'false', 'NULL', '0x1F', '1_000', '.5', '1e-3', "B'01'", "X'AF'", "date '2024-01-01'", "'2024-01-01'::date", 'CAST(7 AS bigint)', '$@', '?', '%s', ':p@'),
);

/** Statement templates with literal slots {L}, a table slot {T} and an IN-list slot {IN}. */
const SHAPES = [
  'SELECT * FROM {T} WHERE id = {L}',
  'SELECT a, b FROM {T} WHERE a = {L} AND b > {L} ORDER BY a DESC LIMIT {L}',
  'SELECT count(*) FROM {T} WHERE k IN ({IN})',
  'UPDATE {T} SET a = {L}, b = {L} WHERE id = {L}',
  'DELETE FROM {T} WHERE id = ANY(ARRAY[{IN}])',
  'INSERT INTO {T} (a, b) VALUES ({L}, {L})',
  'SELECT x.a FROM {T} x JOIN other o ON o.id = x.o_id WHERE x.created > {L} OFFSET {L}',
  'SELECT coalesce(sum(price), {L}) FROM {T} WHERE holder_id = {L} AND kind NOT IN ({IN})',
];

const fill = (shape: string, table: string, lits: string[], list: string[]): string => {
  let i = 0;
  let slot = 0;
  // `$@` / `:p@` become a parameter used only once ($k / :pk): a reused parameter is a different
  // template by decision (see the table), so it is not "changing a literal".
  const one = (l: string): string => (l === '$@' ? '$' + ++slot : l === ':p@' ? ':p' + ++slot : l);
  // (function replacers: literals contain `$'` and `$&`, which string replacements would interpret)
  return shape
    .replaceAll('{T}', () => table)
    .replaceAll('{IN}', () => list.map(one).join(', '))
    .replace(/\{L\}/g, () => one(lits[i++ % lits.length]!));
};

/** Literals usable in an IN list / ARRAY (NULL is fine there, placeholders too). */
const lits = fc.array(literal, { minLength: 1, maxLength: 6 });
const tableName = fc
  .stringMatching(/^[a-z_][a-z0-9_]{0,12}$/)
  .filter((s) => !needsQuotes(s) && !['other', 'x', 'o'].includes(s));

describe('properties', () => {
  it('changing any literal never changes the fingerprint', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SHAPES), lits, lits, lits, lits, (shape, l1, l2, in1, in2) => {
        const a = fingerprint(fill(shape, 'orders', l1, in1));
        const b = fingerprint(fill(shape, 'orders', l2, in2));
        expect(b.template).toBe(a.template);
        expect(b.fingerprint).toBe(a.fingerprint);
      }),
      { numRuns: 1500 },
    );
  });

  it('changing a table name always changes the fingerprint', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SHAPES), tableName, tableName, lits, lits, (shape, t1, t2, l, inl) => {
        fc.pre(t1 !== t2);
        const a = fingerprint(fill(shape, t1, l, inl));
        const b = fingerprint(fill(shape, t2, l, inl));
        expect(a.fingerprint).not.toBe(b.fingerprint);
      }),
      { numRuns: 1500 },
    );
  });

  it('normalizing a template gives the same template (idempotent)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SHAPES), tableName, lits, lits, (shape, t, l, inl) => {
        const first = normalize(fill(shape, t, l, inl)).template;
        expect(normalize(first).template).toBe(first);
        expect(fingerprint(first).fingerprint).toBe(fingerprint(fill(shape, t, l, inl)).fingerprint);
      }),
      { numRuns: 1500 },
    );
  });

  it('never throws and always yields a template on arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const r = normalize(s);
        expect(typeof r.template).toBe('string');
        const params = new Set(tokenize(r.template).filter((t) => t.kind === Tok.Param).map((t) => t.text));
        expect(r.constants.length).toBe(params.size);
      }),
      { numRuns: 2000 },
    );
  });
});
