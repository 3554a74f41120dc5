/** Findings as every reporter and the JSON contract see them (documented in docs/json-output.md). */
import type { Confidence } from '../detect/draft.js';
import type { FindingKind } from '../detect/registry.js';
import type { Suggestion } from '../rewrite/types.js';

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: Severity[] = ['info', 'warning', 'error'];

/** A unit of work where the finding happened (sampled). */
export interface UnitRef {
  session: string;
  transaction: string | null;
  kind: 'transaction' | 'autocommit' | 'fan-out';
  application: string | null;
  user: string | null;
  database: string | null;
  start: string | null;
  end: string | null;
  statements: number;
  repeats: number;
  source: string;
}

export interface StatementSample {
  sql: string;
  source: string;
  durationMs: number | null;
  callSite: string | null;
}

export interface Finding {
  id: string;
  kind: FindingKind;
  severity: Severity;
  title: string;
  tables: string[];
  fingerprint: string;
  /** All fingerprints of the pattern (more than one for sequences). */
  fingerprints: string[];
  template: string;
  templates: string[];
  callSite: string | null;
  orm: string | null;
  applications: string[];
  occurrences: number;
  repeats: number;
  statements: number;
  totalDurationMs: number | null;
  wastedMs: number | null;
  units: UnitRef[];
  evidence: {
    confidence: Confidence;
    basis: string[];
    distinctValues: number | null;
    valuesLookLikeKeys: boolean | null;
    parent: { template: string; fingerprint: string; source: string } | null;
    samples: StatementSample[];
    [k: string]: unknown;
  };
  suggestion: Suggestion | null;
  /** What `sqloupe verify` (or analyze --verify-dsn) found when it ran the loop and the rewrite on a real database. */
  verification?: Verification;
}

/** The verdict on one finding's rewrite, from replaying the loop and running the rewrite with the logged values. */
export interface Verification {
  status: 'verified' | 'different' | 'failed' | 'skipped';
  /** One line: "same 37 rows for 12 keys; 12 round trips → 1; 4.2× faster", or exactly why not. */
  message: string;
  /** The rewrite statement that ran (null when none did). */
  sql: string | null;
  /** Rows (reads) or changed rows (writes) compared, and keys compared (reads). */
  rows: number | null;
  keys: number | null;
  roundTrips: { loop: number; rewrite: number } | null;
  /** Median wall time of a whole replay, in ms, and how many times each was run. */
  wallMs: { loop: number; rewrite: number; runs: number } | null;
  /** Planning + execution time from EXPLAIN (ANALYZE, BUFFERS), in ms; buffers hit + read. */
  serverMs: { loop: number; rewrite: number } | null;
  buffers: { loop: number; rewrite: number } | null;
  /** Loop wall time / rewrite wall time. */
  speedup: number | null;
  /** The first key whose rows differ: the loop's row and the rewrite's (as JSON), either may be null (missing). */
  example: { key: string | null; loop: string | null; rewrite: string | null } | null;
  /** The suggestion's other forms run beside the loop too (JOIN with the parent, window function): compared, not timed. */
  alternatives?: { label: string; status: 'verified' | 'different' | 'failed'; message: string }[];
}
