/**
 * Groups drafts from all units into findings by (kind, fingerprints, call site), with a stable id, and keeps
 * only bounded samples of each: memory grows with the number of distinct findings, not with the log.
 */
import { hash } from 'node:crypto';
import type { Draft, FindingKind } from '../detect/types.js';
import type { Stmt, Unit } from '../sessions/types.js';
import { suggest } from '../rewrite/index.js';
import type { Finding, Severity, StatementSample, UnitRef } from './types.js';

const MAX_UNITS = 5;
const MAX_SAMPLES = 3;
/** Statements of the largest occurrence kept to build the rewrite from (keys, values). */
const MAX_KEPT_STATEMENTS = 200;

interface Group {
  id: string;
  draft: Draft;
  orm: string | null;
  occurrences: number;
  statements: number;
  totalDurationMs: number;
  timed: boolean;
  units: UnitRef[];
  largest: UnitRef | null;
  applications: Set<string>;
  distinctValues: Set<string>;
}

export function findingId(kind: FindingKind, fingerprints: string[], callSite: string | null): string {
  return hash('sha1', `${kind}|${fingerprints.join(',')}|${callSite ?? ''}`).slice(0, 12);
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const source = (s: Stmt) => `${s.file}:${s.line}`;

export class FindingStore {
  private readonly groups = new Map<string, Group>();

  get size(): number {
    return this.groups.size;
  }

  /** Adds one draft; returns the id of the finding it went to. */
  add(draft: Draft, unit: Unit): string {
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
      };
      this.groups.set(id, g);
    } else if (draft.repeats > g.draft.repeats) {
      g.draft = trim(draft);
    }
    g.occurrences++;
    g.statements += draft.statements.length;
    for (const s of draft.statements) {
      if (s.durationMs !== null) {
        g.totalDurationMs += s.durationMs;
        g.timed = true;
      }
      if (g.distinctValues.size < 10_000) g.distinctValues.add(s.key);
    }
    if (unit.application) g.applications.add(unit.application);
    if (g.units.length < MAX_UNITS) g.units.push(ref);
    if (g.largest === null || ref.repeats > g.largest.repeats) g.largest = ref;
    return id;
  }

  /** One finding as it stands now (follow mode prints it when its first unit closes). */
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

function trim(d: Draft): Draft {
  return d.statements.length > MAX_KEPT_STATEMENTS ? { ...d, statements: d.statements.slice(0, MAX_KEPT_STATEMENTS) } : d;
}

function unitRef(unit: Unit, draft: Draft): UnitRef {
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

const LOOP_KINDS = new Set<FindingKind>(['n-plus-one', 'repeated-sequence', 'aggregate-loop', 'latest-per-parent', 'per-row-insert', 'per-row-update', 'per-row-delete', 'select-then-insert']);

function severityOf(kind: FindingKind, repeats: number, occurrences: number, wasted: number | null, confidence: Draft['confidence']): Severity {
  let level: number;
  if (LOOP_KINDS.has(kind)) {
    level = repeats >= 50 || (wasted ?? 0) >= 1000 || repeats * occurrences >= 500 ? 2 : 1;
  } else if (kind === 'duplicate-query') {
    level = repeats >= 10 ? 1 : 0;
  } else {
    level = confidence === 'low' ? 0 : 1;
  }
  if (confidence === 'low' && LOOP_KINDS.has(kind)) level = Math.max(0, level - 1);
  return (['info', 'warning', 'error'] as const)[level]!;
}

const KIND_TITLES: Record<FindingKind, string> = {
  'n-plus-one': 'N+1 query',
  'repeated-sequence': 'Repeated block of statements (MN+1)',
  'aggregate-loop': 'Aggregate computed in a loop',
  'latest-per-parent': 'Latest row fetched per parent',
  'per-row-insert': 'Rows inserted one at a time',
  'per-row-update': 'Rows updated one at a time',
  'per-row-delete': 'Rows deleted one at a time',
  'select-then-insert': 'SELECT then INSERT per row (hand-made upsert)',
  'duplicate-query': 'Same query repeated with the same values',
  'unbounded-fetch': 'Unbounded fetch',
};

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
  const per = LOOP_KINDS.has(d.kind) || d.kind === 'duplicate-query' ? `: ${repeats}× in one unit of work` : '';
  const units = g.units.slice();
  if (g.largest && !units.includes(g.largest)) units[units.length - 1] = g.largest;
  return {
    id: g.id,
    kind: d.kind,
    severity: severityOf(d.kind, repeats, g.occurrences, wasted, d.confidence),
    title: `${KIND_TITLES[d.kind]}${where}${per}${g.occurrences > 1 ? `, ${g.occurrences} times` : ''}`,
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
      valuesLookLikeKeys: (d.details['valuesLookLikeKeys'] as boolean | undefined) ?? null,
      parent: d.parent ? { template: d.parent.t.template, fingerprint: d.parent.t.id, source: source(d.parent) } : null,
      samples,
      ...Object.fromEntries(Object.entries(d.details).filter(([k]) => k !== 'valuesLookLikeKeys' && k !== 'distinctValues')),
    },
    suggestion: suggest(d, g.orm),
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
