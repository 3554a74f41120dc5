/** A run's result as every reporter, the baseline and the JSON contract see it (docs/json-output.md). */
import type { FindingKind } from '../detect/registry.js';
import type { Timeline } from './timeline.js';
import type { TopQuery } from './top-queries.js';
import type { Trace } from './trace.js';
import type { Finding } from './types.js';

export interface UnparsedSample {
  line: number;
  reason: string;
}

export interface InputReport {
  path: string;
  format: string | null;
  orm: string | null;
  prefix: string | null;
  lines: number;
  events: number;
  statements: number;
  unparsedLines: number;
  unparsedSamples: UnparsedSample[];
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  warnings: string[];
  facts: Record<string, unknown>;
}

export interface AnalysisResult {
  fingerprintAlgorithm: string;
  inputs: InputReport[];
  summary: {
    statements: number;
    sessions: number;
    transactions: number;
    unitsOfWork: number;
    templates: number;
    templatesWithoutAst: number;
    rewritesDropped: number;
    findings: Record<FindingKind, number>;
  };
  findings: Finding[];
  topQueries: TopQuery[];
  /** For the HTML report, not in the JSON contract: statements over time per application, bounded. */
  timeline: Timeline;
  /** For the HTML report, not in the JSON contract: one representative unit of work per finding id, value-free. */
  traces: Record<string, Trace>;
}
