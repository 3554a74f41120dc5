/**
 * The SQL core's public interface. The rest of sqloupe sees only these types, never a parser's AST.
 * (First cut: a naive normalizer; the SQL-core issue replaces the internals with a real lexer.)
 */
import { hash } from 'node:crypto';

export const FINGERPRINT_ALGORITHM = 'sqloupe-fp/0';

/** A statement with its constants taken out. */
export interface Normalized {
  /** Readable SQL with constants and placeholders as $1, $2… in order. */
  template: string;
  /** The constants that were replaced, in order, as written (quotes removed from strings); placeholders give null. */
  constants: (string | null)[];
  /** sqlcommenter / Rails query-log tags found in comments, or null. */
  tags: Record<string, string> | null;
}

export function normalize(sql: string): Normalized {
  const constants: (string | null)[] = [];
  let n = 0;
  const template = sql
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b|\$\d+/g, (m) => {
      constants.push(m.startsWith('$') ? null : m.startsWith("'") ? m.slice(1, -1).replace(/''/g, "'") : m);
      return `$${++n}`;
    })
    .replace(/\s+/g, ' ')
    .trim();
  return { template, constants, tags: null };
}

/** Fixed-width id of a template. */
export function fingerprintId(template: string): string {
  return hash('sha1', template).slice(0, 16);
}
