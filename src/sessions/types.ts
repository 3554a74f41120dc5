/** Units of work as detectors see them: the statements of one transaction or one burst of autocommit work. */
import type { Normalized } from '../sql/index.js';

/** One distinct template, shared by every statement that has it (cached, one object per template). */
export interface TemplateInfo {
  id: string;
  template: string;
  /** First keyword of the template, lower-case (select, insert, begin…), known without parsing. */
  verb: string;
  tags: Normalized['tags'];
}

/** A statement inside an open unit. Kept only while its unit is open. */
export interface Stmt {
  /** Position in the unit (0-based). */
  index: number;
  t: TemplateInfo;
  sql: string;
  /** Bound values: literal constants of the statement, then logged parameters. */
  values: (string | null)[];
  /** Rows in the statement's VALUES list (an INSERT of several rows is already batched). */
  valuesRows: number;
  /** Items of the largest list the statement compares with (`IN (…)`, `= ANY(ARRAY[…])`), when it has one of two or more. */
  listItems?: number;
  /** values joined: equal keys mean the same statement with the same arguments. */
  key: string;
  time: number | null;
  durationMs: number | null;
  rows: number | null;
  resultValues: string[] | null;
  callSite: string | null;
  tags: Record<string, string> | null;
  file: string;
  line: number;
  /** Ran in a transaction of its own (BEGIN … COMMIT around one loop iteration), folded into the autocommit flow. */
  ownTransaction?: true;
  /** The statement's length when `sql` holds only its start (statements over MAX_STATEMENT_CHARS, sessions/statement.ts). */
  length?: number;
  /** Set once the statement is part of a fan-out unit: its own session's unit must not report it again. */
  fannedOut?: true;
}

/** fan-out: one loop's statements gathered from several pooled connections (sessions/fan-out.ts). */
export type UnitKind = 'transaction' | 'autocommit' | 'fan-out';

export interface Unit {
  kind: UnitKind;
  /** Session key as the format gave it, namespaced by input. */
  session: string;
  tx: string | null;
  application: string | null;
  user: string | null;
  database: string | null;
  /** ORM that wrote the log, when the input is an ORM log. */
  orm: string | null;
  file: string;
  statements: Stmt[];
  /** True when the log carries times for this unit's statements. */
  timed: boolean;
  /** Why the unit ended: commit, rollback, idle gap, tag change, disconnect, end of input… */
  closedBy: string;
}
