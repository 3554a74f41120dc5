/** What a rewrite is: the set-based form built from a loop's statements, and how a kind declares its own. */
import type { DetailsOf, FindingKind } from '../detect/registry.js';
import type { Stmt, TemplateInfo } from '../sessions/types.js';
import type { OrmName } from './orm.js';

/** A rewrite before the grammar check: the main statement, other forms, and what the reader must know. */
export interface Built {
  use: string | null;
  /** Other forms, each with how to bind its own parameters. */
  alternatives: { label: string; sql: string; params?: string[]; binds?: Binds; runnable?: Runnable[] }[];
  /** Values for `use`'s parameters from the log (`$n` → value or array), so a tool can run the rewrite beside the loop. */
  binds?: Binds;
  /** How to bind the new parameters ("$1 = the 12 order_id values: {…}"). */
  params: string[];
  notes: string[];
  /** The one-line fix when the statements say more than the kind's fixed text (the real ORDER BY direction). */
  summary?: string;
  /** Names read from the statements for the ORM advice: the key actually compared, and whether the loop fetched each parent row by its own id. */
  names?: { key: string; belongsTo: boolean; order?: { column: string; desc: boolean } };
  /** The rewrite complete with every value from the log, one per statement of `use`, so a tool can run it beside the loop. */
  runnable?: Runnable[];
  /** Why there is no runnable form when the reason is not missing values (said by verify). */
  notRunnable?: string;
}

/** A rewrite statement with all its values, and which of the loop's statements it replaces. */
export interface Runnable {
  sql: string;
  binds: Binds;
  /** The loop's statements it replaces, in log order (statements of another shape are left out). */
  covers: Stmt[];
  /** The column of its rows that holds the key each covered statement used; null when its rows are not per key (writes). */
  keyColumn: string | null;
  /** The key each covered statement used, aligned with covers (empty when keyColumn is null). */
  keys: (string | null)[];
  /**
   * Aligned with covers: the rewrite's columns that hold each loop column of that statement, in the loop's
   * column order (an aggregate's FILTER column per condition value). Absent: the rewrite's columns have the loop's names.
   */
  columns?: string[][];
  /**
   * Compare each key's distinct rows: a JOIN with the parent returns a key's rows once per parent row that
   * names it (every order of a customer), where the loop asked once per iteration.
   */
  distinctPerKey?: boolean;
  /** The other columns of a composite key (a loop over pairs), each with the value every covered statement used. */
  alsoKeys?: { column: string; values: (string | null)[] }[];
}

/** `$n` (1-based index n-1) → the value to bind: a scalar, or an array for `= ANY($n)` / unnest(). */
export type Binds = (string | null | (string | null)[])[];

/** A finding's suggestion as every reporter and the JSON contract show it. */
export interface Suggestion {
  summary: string;
  /** The statements as the loop ran them (a sample). */
  insteadOf: string;
  /** The set-based rewrite; null when none could be built that PostgreSQL's grammar accepts. */
  use: string | null;
  orm?: { name: string; advice: string };
}

/** What a builder reads of a draft: the loop's statements, its parent, and the key columns the detector saw. */
export interface BuildInput {
  templates: TemplateInfo[];
  tables: string[];
  statements: Stmt[];
  parent: Stmt | null;
  /** The columns the detector saw compared with the key (a hint when several columns vary). */
  keyColumns: readonly string[];
}

/** What the registry lends a builder that composes others (repeated-sequence batches each member by its own kind). */
export interface BuildContext {
  /** The rewrite `kind`'s builder makes of `input`. */
  buildAs(kind: FindingKind, input: BuildInput): Built;
  /** `sql` if PostgreSQL's grammar accepts it, else null (counted as dropped). */
  checked(sql: string | null): string | null;
}

/**
 * A kind's half in this stage: the one-line fix, the builder, and the fix in each ORM (`{t}` the loop's table
 * as a model name, `{T}` the same capitalised, `{k}` its key column). Every ORM needs its text: the compiler says which is missing.
 */
export interface RewriteKind<K extends FindingKind> {
  summary: string;
  /** The key columns among the kind's evidence (omit when it has none). */
  keyColumns?(details: DetailsOf<K>): readonly string[];
  build(input: BuildInput, context: BuildContext): Built;
  advice: Record<OrmName, string>;
}

/** Declare the rewrite of kind K (the type of `build`'s draft follows from K). */
export function defineRewrite<K extends FindingKind>(_kind: K, def: RewriteKind<K>): RewriteKind<K> {
  return def;
}


