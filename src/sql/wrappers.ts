/**
 * Statements an ORM wraps around the statement it means. Sequelize's `findOrCreate` and `create` with
 * `ignoreDuplicates` on PostgreSQL send the INSERT inside a temporary PL/pgSQL function that catches the
 * unique violation, a new dollar-quote tag each time: as written, every call is one opaque constant
 * (`create or replace function pg_temp.testfunc(…) as $1 …`) and the loop of INSERTs cannot be seen.
 * The statement that runs is the INSERT; this returns it.
 */
const SEQUELIZE_TEMP_FUNCTION =
  /^\s*CREATE OR REPLACE FUNCTION pg_temp\.\w+\(OUT response [^)]*\)\s+RETURNS RECORD AS (\$func_\w*\$)\s*BEGIN\s+([\s\S]*?)\s+INTO response;\s*EXCEPTION\b[\s\S]*?\bEND\s*\1/i;

/** The statement an ORM's wrapper runs, or the text unchanged when it is not a known wrapper. */
export function unwrapOrmStatement(sql: string): string {
  // cheap test first: almost no statement starts this way
  if (sql.length < 40 || !/^\s*CREATE OR REPLACE FUNCTION pg_temp\./i.test(sql)) return sql;
  const m = SEQUELIZE_TEMP_FUNCTION.exec(sql);
  if (m === null) return sql;
  const inner = m[2]!;
  return /^INSERT\b/i.test(inner) ? inner : sql;
}
