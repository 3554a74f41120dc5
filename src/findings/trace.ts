/**
 * One representative unit of work of a finding, as the HTML report draws it (a waterfall): the parent statement,
 * the first looped statements and the last one, with their offsets on one time axis. Bounded (a few steps per
 * finding, whatever the loop's length) and value-free: steps name a template, never the statement's text, so
 * `--redact` has nothing to remove here.
 */
import type { AnyDraft } from '../detect/registry.js';
import type { Stmt, Unit } from '../sessions/types.js';

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

const round = (n: number) => Math.round(n * 1000) / 1000;

export function buildTrace(draft: AnyDraft, unit: Unit): Trace {
  const looped = draft.statements;
  const originStmt = draft.parent ?? looped[0] ?? null;
  const origin = originStmt?.time ?? null;
  const index = new Map(draft.templates.map((t, i) => [t.id, i]));
  const step = (s: Stmt, template: number): TraceStep => ({
    template,
    offsetMs: origin === null || s.time === null ? null : round(s.time - origin),
    durationMs: s.durationMs,
    source: `${s.file}:${s.line}`,
  });
  const loopStep = (s: Stmt) => step(s, index.get(s.t.id) ?? 0);
  return {
    origin: origin === null ? null : new Date(origin).toISOString(),
    unitStatements: unit.statements.length,
    looped: looped.length,
    parent: draft.parent ? step(draft.parent, -1) : null,
    first: looped.slice(0, TRACE_FIRST).map(loopStep),
    last: looped.length > TRACE_FIRST ? loopStep(looped[looped.length - 1]!) : null,
  };
}
