/** The detector contract: every detector consumes finished units of work and reports loop drafts. */
import type { Stmt, Unit } from '../sessions/types.js';
import type { UnitAnalysis } from './analysis.js';

export const FINDING_KINDS = [
  'n-plus-one',
  'repeated-sequence',
  'aggregate-loop',
  'latest-per-parent',
  'per-row-insert',
  'per-row-update',
  'per-row-delete',
  'select-then-insert',
  'duplicate-query',
  'unbounded-fetch',
] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];

export type Confidence = 'high' | 'medium' | 'low';

/** Thresholds, from flags and the config file. */
export interface DetectOptions {
  /** Statements of one template in one unit before it is a loop (Sentry uses 5). */
  minRepeats: number;
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
  minSequenceRepeats: 3,
  minDuplicates: 3,
  unboundedRows: 1000,
  unboundedMs: 100,
  burstGapMs: 2,
};

/** What one detector found in one unit. The findings stage groups drafts across units. */
export interface Draft {
  kind: FindingKind;
  /** Fingerprints of the statements that make the pattern (one for single-template loops, the block for sequences). */
  templates: Stmt['t'][];
  tables: string[];
  callSite: string | null;
  /** The loop's statements (all of them, in order). */
  statements: Stmt[];
  /** Repetitions in this unit (statements for a loop, blocks for a sequence). */
  repeats: number;
  /** The statement whose rows seem to drive the loop, when there is one. */
  parent: Stmt | null;
  confidence: Confidence;
  /** What the finding rests on, in words a reviewer can check. */
  basis: string[];
  /** Detector-specific evidence (key column, rows, member kinds…). */
  details: Record<string, unknown>;
}

export interface Detector {
  id: FindingKind;
  summary: string;
  /** Inspect one finished unit. `analysis` is shared by all detectors and records which statements a loop already claimed. */
  detect(unit: Unit, analysis: UnitAnalysis, options: DetectOptions): Draft[];
}

export function defineDetector(d: Detector): Detector {
  return d;
}
