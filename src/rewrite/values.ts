/** Values from the log as SQL: typed literals for VALUES outside INSERT, array types for unnest() columns. */
import type { Expr } from 'pgsql-ast-parser';
import { literal } from './statement.js';

export type Scalar = string | null;
/** The literal for a value in a VALUES list outside INSERT, where PostgreSQL cannot take the type from a target column. */
export function typedLiteral(v: Scalar): Expr {
  const e = literal(v);
  if (v === null || e.type !== 'string') return e;
  const t = guessType(v);
  return t && t !== 'text' ? { type: 'cast', operand: e, to: { name: t } } : e;
}

function guessType(v: string): string | null {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return 'uuid';
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s?([+-]\d{2}(:?\d{2})?|Z)$/.test(v)) return 'timestamptz';
  if (/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(v)) return 'timestamp';
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return 'date';
  if (v === 'true' || v === 'false') return 'boolean';
  return 'text';
}

/** The array type for an unnest() column, from every value the loop bound to it. */
export function arrayType(values: Scalar[]): string {
  const vs = values.filter((v): v is string => v !== null);
  // digits with a leading zero ('007', a zip code) are text: through bigint they would come back as 7
  if (vs.length && vs.every((v) => /^(?:0|-?[1-9]\d{0,17})$/.test(v))) return 'bigint[]';
  if (vs.length && vs.every((v) => /^(?:0|-?[1-9]\d*|-?(?:0|[1-9]\d*)\.\d+)$/.test(v))) return 'numeric[]';
  const types = new Set(vs.map(guessType));
  return (types.size === 1 ? [...types][0]! : 'text') + '[]';
}

export function typeDef(t: string): { kind: 'array'; arrayOf: { name: string } } {
  return { kind: 'array', arrayOf: { name: t.replace(/\[\]$/, '') } };
}
