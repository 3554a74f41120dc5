/**
 * One representative unit of work of a finding, as the HTML report draws it (a waterfall): the parent statement,
 * the first looped statements and the last one, with their offsets on one time axis. Bounded (a few steps per
 * finding, whatever the loop's length) and value-free: steps name a template, never the statement's text, so
 * `--redact` has nothing to remove here. Types only (the page's own code reads them too); store.ts builds them.
 */

/** Looped statements shown before the "× N" collapse. */
export const TRACE_FIRST = 3;

export interface TraceStep {
  /** Index into the finding's `templates`; -1 for the parent (its template is `evidence.parent.template`). */
  template: number;
  /** Milliseconds after the trace's origin (the parent, else the first looped statement); null when untimed. */
  offsetMs: number | null;
  durationMs: number | null;
  source: string;
}

export interface Trace {
  /** Time of the origin step, or null when the log has no times. */
  origin: string | null;
  /** Statements in the whole unit of work, and how many of them are the loop's. */
  unitStatements: number;
  looped: number;
  parent: TraceStep | null;
  first: TraceStep[];
  /** The loop's last statement, when there are more than TRACE_FIRST. */
  last: TraceStep | null;
}
