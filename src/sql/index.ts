/**
 * The SQL core's public interface. The rest of sqloupe sees only these types, never a parser's AST.
 *
 * Template decisions (each has pairs in tests/sql/equivalence.test.ts):
 * - constants, placeholders (`$n ? %s %(x)s :x`), true/false, NULL as a value, typed literals and casts of
 *   constants → `$n`, numbered by first appearance; a reused `$k` / name stays one parameter;
 * - `IN (consts…)` / `= ANY(ARRAY[…])` / `= ANY($1::t[])` → `= any($n)`; `NOT IN (…)` → `<> all($n)`; `= $n`
 *   stays apart (one key is not a batch); the list's constant is an array literal, every item in `lists`;
 * - multi-row VALUES → one row, one parameter per column (array literal of the column's values);
 * - unquoted words ASCII-lower-cased; `"users"` → users (same name to PostgreSQL), `"Users"`/`"order"` kept;
 * - kept on purpose, unlike pg_query: digits in identifiers, aliases, select-list/predicate/column order,
 *   ORDER BY / GROUP BY positions, OFFSET presence, savepoint names, transaction options.
 */
import { hash } from 'node:crypto';
import { normalize } from './normalize.js';

/** Stored next to every fingerprint; bump whenever a template for the same SQL could change. */
export const FINGERPRINT_ALGORITHM = 'sqloupe-fp/1';

export { normalize, arrayLiteral } from './normalize.js';
export type { Normalized } from './normalize.js';
export { rewritePlaceholders } from './placeholders.js';
export { tokenize, lexInto, TokenBuffer, Tok, TOK_NAMES } from './lexer.js';
export type { Token, TokKind, LexOptions } from './lexer.js';
export { parseTags } from './tags.js';
export { unwrapOrmStatement } from './wrappers.js';

/** Fixed-width (16 hex digit) id of a template. */
export function fingerprintId(template: string): string {
  return hash('sha1', template).slice(0, 16);
}

/** Template and id of one statement, for `sqloupe fingerprint` and scripts. */
export function fingerprint(sql: string): { fingerprint: string; template: string } {
  const { template } = normalize(sql);
  return { fingerprint: fingerprintId(template), template };
}
export { shapeOf, parseCheck, templatesWithoutAst, astSupport, resetShapeCache, ident, MAX_SHAPE_CHARS, MAX_SHAPE_DEPTH, nestsDeeperThan } from './shape.js';
export type { Shape, ShapeKind, ColumnRef, KeyPredicate } from './shape.js';
