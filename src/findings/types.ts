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
}
