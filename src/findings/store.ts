/**
 * Groups drafts from all units into findings by (kind, fingerprints, call site), with a stable id, and keeps
 * only bounded samples of each: memory grows with the number of distinct findings, not with the log.
 */
import { hash } from 'node:crypto';
import { kindMeta, type AnyDraft, type FindingKind } from '../detect/registry.js';
import type { Stmt, Unit } from '../sessions/types.js';
import { suggest } from '../rewrite/index.js';
import type { Finding, Severity, StatementSample, UnitRef } from './types.js';
import { TRACE_FIRST, type Trace, type TraceStep } from './trace.js';

const MAX_UNITS = 5;
const MAX_SAMPLES = 3;
/** Statements of the largest occurrence kept to build the rewrite from (keys, values). */
const MAX_KEPT_STATEMENTS = 200;

interface Group {
  id: string;
  draft: AnyDraft;
  orm: string | null;
  occurrences: number;
  statements: number;
  totalDurationMs: number;
  timed: boolean;
  units: UnitRef[];
  largest: UnitRef | null;
  applications: Set<string>;
  distinctValues: Set<string>;
  /** The waterfall of the occurrence `draft` came from (the largest one). */
  trace: Trace;
}

/** A statement as saved in a state file: its template by text (ids are recomputed from it). */
export type StmtState = Omit<Stmt, 't'> & { template: string };

/** One finding's accumulated data, as plain JSON, for --save-state and merge: a Group with templates by text and sets as arrays. */
export interface GroupState extends Omit<Group, 'draft' | 'applications' | 'distinctValues' | 'trace'> {
  /** Absent in states saved before traces existed. */
  trace?: Trace;
  draft: Omit<AnyDraft, 'templates' | 'statements' | 'parent'> & { templates: string[]; statements: StmtState[]; parent: StmtState | null };
  applications: string[];
  distinctValues: string[];
}

/** Turns template texts back into the run's shared TemplateInfo objects. */
export type TemplateInterner = (template: string) => Stmt['t'];

const stmtState = (s: Stmt): StmtState => {
  const { t, ...rest } = s;
  return { ...rest, template: t.template };
};

const stmtFromState = (s: StmtState, intern: TemplateInterner): Stmt => {
  const { template, ...rest } = s;
  return { ...rest, t: intern(template) };
};

const MAX_DISTINCT_VALUES = 10_000;
/** What a finding merged from a state saved before traces existed shows: no waterfall. */
const NO_TRACE: Trace = { origin: null, unitStatements: 0, looped: 0, parent: null, first: [], last: null };
/** Occurrences per finding remembered for overlap, and statements of each (a fan-out and its part overlap early). */
const MAX_RECENT = 4;
const MAX_REMEMBERED = 200;

interface Occurrence {
  lines: Set<string>;
  ref: UnitRef;
}

const lineOf = (s: Stmt) => `${s.file}:${s.line}`;

export function findingId(kind: FindingKind, fingerprints: string[], callSite: string | null): string {
  return hash('sha1', `${kind}|${fingerprints.join(',')}|${callSite ?? ''}`).slice(0, 12);
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const source = (s: Stmt) => `${s.file}:${s.line}`;

export class FindingStore {
  private readonly groups = new Map<string, Group>();
  /** The statements (file:line) of each finding's last few occurrences, to tell one loop reported twice. */
  private readonly recent = new Map<string, Occurrence[]>();

  private overlapping(id: string, draft: AnyDraft): Occurrence | null {
    const list = this.recent.get(id);
    if (list === undefined) return null;
    const lines = draft.statements.slice(0, MAX_REMEMBERED).map(lineOf);
    for (const o of list) for (const l of lines) if (o.lines.has(l)) return o;
    return null;
  }

  private remember(id: string, draft: AnyDraft, ref: UnitRef): void {
    let list = this.recent.get(id);
    if (list === undefined) this.recent.set(id, (list = []));
    list.push({ lines: new Set(draft.statements.slice(0, MAX_REMEMBERED).map(lineOf)), ref });
    if (list.length > MAX_RECENT) list.shift();
  }

  get size(): number {
    return this.groups.size;
  }

  /** Adds one draft; returns the id of the finding it went to. */
  add(draft: AnyDraft, unit: Unit): string {
    const fps = draft.templates.map((t) => t.id);
    const id = findingId(draft.kind, fps, draft.callSite);
    let g = this.groups.get(id);
    const ref = unitRef(unit, draft);
    if (g === undefined) {
      g = {
        id,
        draft: trim(draft),
        orm: unit.orm,
        occurrences: 0,
        statements: 0,
        totalDurationMs: 0,
        timed: false,
        units: [],
        largest: null,
        applications: new Set(),
        distinctValues: new Set(),
        trace: buildTrace(draft, unit),
      };
      this.groups.set(id, g);
    } else if (draft.repeats > g.draft.repeats) {
      g.draft = trim(draft);
      g.trace = buildTrace(draft, unit);
    }
    // A loop fanned out over pooled connections is reported twice: by the fan-out unit, and by the unit of the
    // connection that ran a part of it after the parent. Drafts that share a statement are one occurrence.
    const seen = this.overlapping(id, draft);
    if (seen === null) g.occurrences++;
    for (const s of draft.statements) {
      if (seen !== null && seen.lines.has(lineOf(s))) continue;
      g.statements++;
      if (s.durationMs !== null) {
        g.totalDurationMs += s.durationMs;
        g.timed = true;
      }
      if (g.distinctValues.size < MAX_DISTINCT_VALUES) g.distinctValues.add(s.key);
    }
    if (seen !== null) {
      const at = g.units.indexOf(seen.ref);
      if (at >= 0 && ref.repeats > seen.ref.repeats) g.units[at] = ref;
      if (g.largest === seen.ref && ref.repeats > seen.ref.repeats) g.largest = ref;
      if (unit.application) g.applications.add(unit.application);
      if (g.largest === null || ref.repeats > g.largest.repeats) g.largest = ref;
      this.remember(id, draft, ref);
      return id;
    }
    this.remember(id, draft, ref);
    if (unit.application) g.applications.add(unit.application);
    if (g.units.length < MAX_UNITS) g.units.push(ref);
    if (g.largest === null || ref.repeats > g.largest.repeats) g.largest = ref;
    return id;
  }

  /** Everything the findings of this run rest on, as plain data (input order is kept by the caller). */
  exportState(): GroupState[] {
    return [...this.groups.values()].map(groupState);
  }

  /** One finding's data as it stands now, as exportState writes it (follow mode redacts it before printing). */
  exportGroup(id: string): GroupState | null {
    const g = this.groups.get(id);
    return g === undefined ? null : groupState(g);
  }

  /**
   * Adds a saved finding the way add() would have added its units one by one: so findings merged from
   * per-input states equal those of one run over the inputs in the same order.
   */
  importState(gs: GroupState, intern: TemplateInterner): void {
    // written by exportState from a draft of this kind: its details are that kind's
    const draft = {
      ...gs.draft,
      templates: gs.draft.templates.map(intern),
      statements: gs.draft.statements.map((x) => stmtFromState(x, intern)),
      parent: gs.draft.parent ? stmtFromState(gs.draft.parent, intern) : null,
    } as AnyDraft;
    const g = this.groups.get(gs.id);
    if (g === undefined) {
      this.groups.set(gs.id, {
        id: gs.id,
        draft,
        orm: gs.orm,
        occurrences: gs.occurrences,
        statements: gs.statements,
        totalDurationMs: gs.totalDurationMs,
        timed: gs.timed,
        units: gs.units.slice(0, MAX_UNITS),
        largest: gs.largest,
        applications: new Set(gs.applications),
        distinctValues: new Set(gs.distinctValues.slice(0, MAX_DISTINCT_VALUES)),
        trace: gs.trace ?? NO_TRACE,
      });
      return;
    }
    if (draft.repeats > g.draft.repeats) {
      g.draft = draft;
      g.trace = gs.trace ?? NO_TRACE;
    }
    g.occurrences += gs.occurrences;
    g.statements += gs.statements;
    g.totalDurationMs += gs.totalDurationMs;
    g.timed ||= gs.timed;
    for (const u of gs.units) if (g.units.length < MAX_UNITS) g.units.push(u);
    if (gs.largest !== null && (g.largest === null || gs.largest.repeats > g.largest.repeats)) g.largest = gs.largest;
    for (const a of gs.applications) g.applications.add(a);
    for (const v of gs.distinctValues) {
      if (g.distinctValues.size >= MAX_DISTINCT_VALUES) break;
      g.distinctValues.add(v);
    }
  }

  /** Each finding's representative unit of work, by finding id (for the HTML report; not in the JSON contract). */
  traces(): Record<string, Trace> {
    const out: Record<string, Trace> = {};
    for (const g of this.groups.values()) out[g.id] = g.trace;
    return out;
  }

  finding(id: string): Finding | null {
    const g = this.groups.get(id);
    return g === undefined ? null : toFinding(g);
  }

  /** Finished findings, most wasted time first, then most repeats; ids break ties so order is stable. */
  findings(): Finding[] {
    const out: Finding[] = [];
    for (const g of this.groups.values()) out.push(toFinding(g));
    out.sort(
      (a, b) =>
        (b.wastedMs ?? 0) - (a.wastedMs ?? 0) ||
        b.repeats * b.occurrences - a.repeats * a.occurrences ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    return out;
  }
}

function groupState(g: Group): GroupState {
  return {
    id: g.id,
    draft: {
      ...g.draft,
      templates: g.draft.templates.map((t) => t.template),
      statements: g.draft.statements.map(stmtState),
      parent: g.draft.parent ? stmtState(g.draft.parent) : null,
    },
    orm: g.orm,
    occurrences: g.occurrences,
    statements: g.statements,
    totalDurationMs: g.totalDurationMs,
    timed: g.timed,
    units: g.units,
    largest: g.largest,
    applications: [...g.applications],
    distinctValues: [...g.distinctValues],
    trace: g.trace,
  };
}

function trim(d: AnyDraft): AnyDraft {
  return d.statements.length > MAX_KEPT_STATEMENTS ? { ...d, statements: d.statements.slice(0, MAX_KEPT_STATEMENTS), keptOf: d.keptOf ?? d.statements.length } : d;
}

function unitRef(unit: Unit, draft: AnyDraft): UnitRef {
  const st = unit.statements;
  const first = st[0]!;
  const last = st[st.length - 1]!;
  const loopFirst = draft.statements[0] ?? first;
  return {
    session: unit.session.slice(unit.session.indexOf('/') + 1),
    transaction: unit.tx,
    kind: unit.kind,
    application: unit.application,
    user: unit.user,
    database: unit.database,
    start: iso(first.time),
    end: iso(last.time),
    statements: st.length,
    repeats: draft.repeats,
    source: source(loopFirst),
  };
}

function severityOf(kind: FindingKind, repeats: number, occurrences: number, wasted: number | null, confidence: AnyDraft['confidence']): Severity {
  const rule = kindMeta(kind).severity;
  let level: number;
  if (rule === 'loop') {
    level = repeats >= 50 || (wasted ?? 0) >= 1000 || repeats * occurrences >= 500 ? 2 : 1;
    if (confidence === 'low') level = Math.max(0, level - 1);
  } else if (rule === 'repeats') {
    level = repeats >= 10 ? 1 : 0;
  } else {
    level = confidence === 'low' ? 0 : 1;
  }
  return (['info', 'warning', 'error'] as const)[level]!;
}

function toFinding(g: Group): Finding {
  const d = g.draft;
  const repeats = d.repeats;
  const total = g.timed ? round(g.totalDurationMs) : null;
  // a set-based query costs about one of the looped statements: the rest is what the loop wastes
  const wasted = total !== null && g.statements > 0 ? round(total * (1 - g.occurrences / g.statements)) : null;
  const samples: StatementSample[] = d.statements.slice(0, MAX_SAMPLES).map((s) => ({
    sql: s.sql,
    source: source(s),
    durationMs: s.durationMs,
    callSite: s.callSite,
  }));
  const tables = d.tables.length ? d.tables : [];
  const where = tables.length ? ` on ${tables.join(', ')}` : '';
  const meta = kindMeta(d.kind);
  const per = meta.repeatsInTitle ? `: ${repeats}× in one unit of work` : '';
  const units = g.units.slice();
  // compared by content: a finding merged from saved states holds copies, not the same objects
  const largest = g.largest;
  if (largest && !units.some((u) => u.session === largest.session && u.source === largest.source && u.start === largest.start)) units[units.length - 1] = largest;
  return {
    id: g.id,
    kind: d.kind,
    severity: severityOf(d.kind, repeats, g.occurrences, wasted, d.confidence),
    title: `${meta.title}${where}${per}${g.occurrences > 1 ? `, ${g.occurrences} times` : ''}`,
    tables,
    fingerprint: d.templates[0]!.id,
    fingerprints: d.templates.map((t) => t.id),
    template: d.templates[0]!.template,
    templates: d.templates.map((t) => t.template),
    callSite: d.callSite,
    orm: g.orm,
    applications: [...g.applications].sort(),
    occurrences: g.occurrences,
    repeats,
    statements: g.statements,
    totalDurationMs: total,
    wastedMs: wasted,
    units,
    evidence: {
      confidence: d.confidence,
      basis: d.basis,
      distinctValues: g.distinctValues.size,
      valuesLookLikeKeys: 'valuesLookLikeKeys' in d.details ? d.details.valuesLookLikeKeys : null,
      parent: d.parent ? { template: d.parent.t.template, fingerprint: d.parent.t.id, source: source(d.parent) } : null,
      samples,
      ...Object.fromEntries(Object.entries(d.details).filter(([k]) => k !== 'valuesLookLikeKeys' && k !== 'distinctValues')),
    },
    suggestion: suggest(d, g.orm, [...g.applications]),
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** The waterfall of one occurrence: parent, first looped statements and the last one, offsets from the parent. */
function buildTrace(draft: AnyDraft, unit: Unit): Trace {
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
