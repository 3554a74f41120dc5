/**
 * What a detector reports for one unit of work, and the thresholds it reads. Kept apart from the kinds
 * and the shared analysis so that both can use it without importing each other.
 */
import type { Stmt } from '../sessions/types.js';

export type Confidence = 'high' | 'medium' | 'low';

/** Thresholds, from flags and the config file. */
export interface DetectOptions {
  /** Statements of one template in one unit before it is a loop when no parent query is in sight (Sentry uses 5). */
  minRepeats: number;
  /**
   * Statements before it is a loop when they run back to back right after their parent query, each with a
   * different key (Prosopite and Bullet flag at 2: a test suite's seed data makes loops of 2–4).
   */
  minParentRepeats: number;
  /** Repeats of a 2–8 statement block before it is a repeated sequence (Sentry MN+1 uses 3). */
  minSequenceRepeats: number;
  /** The same statement with the same values this often in one unit is a duplicate. */
  minDuplicates: number;
  /** Logged rows above this make a SELECT an unbounded fetch. */
  unboundedRows: number;
  /** A SELECT with no LIMIT and no predicate whose mean time is at least this (ms) is an unbounded fetch. */
  unboundedMs: number;
  /** In autocommit sessions, a pause this long (ms) or 5× the session's usual pause separates requests. */
  burstGapMs: number;
}

export const DEFAULT_DETECT_OPTIONS: DetectOptions = {
  minRepeats: 5,
  minParentRepeats: 2,
  minSequenceRepeats: 3,
  minDuplicates: 3,
  unboundedRows: 1000,
  unboundedMs: 100,
  burstGapMs: 2,
};

/**
 * What one detector found in one unit, before the registry stamps its kind on it. The findings stage
 * groups drafts across units. `D` is the kind's own evidence, typed by the kind that declares it.
 */
export interface Draft<D = unknown> {
  /** Fingerprints of the statements that make the pattern (one for single-template loops, the block for sequences). */
  templates: Stmt['t'][];
  tables: string[];
  callSite: string | null;
  /** The loop's statements (all of them, in order). */
  statements: Stmt[];
  /** Repetitions in this unit (statements for a loop, blocks for a sequence). */
  repeats: number;
  /** Set when `statements` holds only the first of the loop's statements (the report keeps a bounded number): how many it had. */
  keptOf?: number;
  /** The statement whose rows seem to drive the loop, when there is one. */
  parent: Stmt | null;
  confidence: Confidence;
  /** What the finding rests on, in words a reviewer can check. */
  basis: string[];
  /** Kind-specific evidence (key column, rows, member kinds…). */
  details: D;
}

/** Evidence every single-template loop carries (UnitAnalysis.loopDraft). */
export interface LoopDetails {
  distinctValues: number;
  /** Whether the varying values look like keys (ids, uuids, short codes) rather than free text. */
  valuesLookLikeKeys: boolean;
}

/** Evidence every repeated block carries (sequence-draft.ts). */
export interface BlockDetails {
  blockLength: number;
  /** The statement kind of each member of the block, in order. */
  memberKinds: string[];
}
