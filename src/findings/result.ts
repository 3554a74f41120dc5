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

/** What the filters saw of one input, in `facts.filter` when a filter is given. */
export interface FilterFacts {
  /** Statements in the input before any filter. */
  statementsInLog: number;
  /** Time of the first and last record the filters kept: the window actually analysed. */
  firstKept: string | null;
  lastKept: string | null;
  /** Names seen on statements (up to 50 each), for "none for application x; applications seen: …". */
  applicationsSeen: string[];
  databasesSeen: string[];
  usersSeen: string[];
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

/** A finding named by the baseline, for the lines that say what is still there and what went away. */
export interface BaselineMention {
  id: string;
  kind: string;
  title: string;
}

/** With --baseline: the known findings held back from the report (still present) and those not seen at all (gone). */
export interface BaselineSummary {
  stillPresent: BaselineMention[];
  gone: (BaselineMention & { firstSeen: string })[];
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
  /** Files under a directory left unread as plainly not logs (README.md, …); not part of the JSON document. */
  notLogs?: string[];
  /** Set by --baseline only; not part of the JSON document. */
  baseline?: BaselineSummary;
  /** For the HTML report, not in the JSON contract: statements over time per application, bounded. */
  timeline: Timeline;
  /** For the HTML report, not in the JSON contract: one representative unit of work per finding id, value-free. */
  traces: Record<string, Trace>;
}
