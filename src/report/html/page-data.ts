/**
 * The data the HTML report embeds in its page, shared by the reporter (which builds it) and the page's client
 * code (which reads it). A projection of the result: only what the page shows, so 10,000 findings stay small.
 */
import type { Timeline } from '../../findings/timeline.js';
import type { Trace } from '../../findings/trace.js';

export type PageSeverity = 'error' | 'warning' | 'info';

export interface PageFinding {
  id: string;
  kind: string;
  severity: PageSeverity;
  title: string;
  tables: string[];
  applications: string[];
  orm: string | null;
  callSite: string | null;
  occurrences: number;
  repeats: number;
  statements: number;
  totalMs: number | null;
  wastedMs: number | null;
  confidence: string;
  basis: string[];
  distinctValues: number | null;
  keyColumns: string[];
  parent: { template: string; source: string } | null;
  templates: string[];
  sample: { sql: string; source: string } | null;
  /** Start (epoch ms) of each sampled unit of work: where the timeline marks the finding, what brushing matches. */
  unitStarts: number[];
  suggestion: { summary: string; insteadOf: string; use: string | null; orm: { name: string; advice: string } | null } | null;
  trace: Trace | null;
}

export interface PageData {
  tool: { name: string; version: string };
  fingerprintAlgorithm: string;
  inputs: { path: string; format: string | null; prefix: string | null; lines: number; statements: number; unparsedLines: number }[];
  range: { from: string; to: string } | null;
  summary: { statements: number; sessions: number; transactions: number; unitsOfWork: number; templates: number };
  findings: PageFinding[];
  topQueries: { fingerprint: string; template: string; calls: number; totalMs: number | null; meanMs: number | null; maxMs: number | null; source: string }[];
  timeline: Timeline;
  /** Documentation page of each kind found (once per kind, not per finding). */
  docs: Record<string, string>;
}

/** Id of the `<script type="application/json">` element that holds the data. */
export const DATA_ELEMENT_ID = 'sqloupe-data';
