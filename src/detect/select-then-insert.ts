/** select-then-insert: look a row up by key, insert it when missing, once per row — an upsert done by hand. */
import { commonCallSite, isNoise, shapeFor, type Burst, type LoopCandidate, type UnitAnalysis } from './analysis.js';
import { blockDraft, blockStatements, blockTrusted } from './sequence-draft.js';
import { defineKind } from './kind.js';
import type { BlockDetails, Draft } from './draft.js';
import type { Stmt, TemplateInfo, Unit } from '../sessions/types.js';

export interface SelectThenInsertDetails extends BlockDetails {
  /** The table looked up and then inserted into. */
  table: string;
  /** The lookup's key columns (the ON CONFLICT target when all are inserted). */
  keyColumns: string[];
}

export default defineKind<SelectThenInsertDetails>()({
  id: 'select-then-insert',
  meta: {
    title: 'SELECT then INSERT per row (hand-made upsert)',
    summary: 'SELECT by key then INSERT into the same table, repeated: INSERT … ON CONFLICT does both',
    loop: true,
    severity: 'loop',
    repeatsInTitle: true,
    sarif: {
      name: 'SelectThenInsert',
      short: 'SELECT then INSERT per row (hand-made upsert)',
      full: 'A lookup by key followed by an INSERT into the same table, repeated. INSERT … ON CONFLICT does both in one statement.',
    },
    options: ['minSequenceRepeats', 'minRepeats', 'burstGapMs'],
    runOrder: 10,
  },
  detect(unit, a) {
    const out: Draft<SelectThenInsertDetails>[] = [];
    // pairs first: they see every iteration, where a block stops at the first row that already existed
    for (const run of lookupInsertRuns(unit, a)) {
      const draft = runDraft(a, run);
      if (draft !== null) out.push(draft);
    }
    for (const b of a.repeatedBlocks()) {
      const { st, members, varying } = blockStatements(b);
      if (!varying || st.some((s) => a.isClaimed(s)) || !blockTrusted(a, b)) continue;
      const pair = findPair(members.map(shapeFor));
      if (pair === null) continue;
      out.push(blockDraft(a, b, { table: pair.table, keyColumns: pair.keyColumns }));
    }
    return out;
  },
});

/** Lookups of one template and the INSERTs of what they did not find, in one stretch of the unit. */
interface LookupInsertRun {
  sel: TemplateInfo;
  ins: TemplateInfo;
  /** Every lookup and insert of the stretch, in order. */
  statements: Stmt[];
  lookups: Stmt[];
  inserts: number;
}

/**
 * Get-or-create one row at a time: a lookup by key, and when nothing came back an INSERT of that key
 * (savepoints and settings between them aside). Rows that already exist skip the INSERT, so the loop is not a
 * block repeated back to back; it is the pairs, each INSERT carrying the value its lookup asked for.
 */
function lookupInsertRuns(unit: Unit, a: UnitAnalysis): LookupInsertRun[] {
  const st = unit.statements;
  const runs: LookupInsertRun[] = [];
  let open: LookupInsertRun | null = null;
  let last = -1;
  const paired = new Set<Stmt>();
  for (let i = 0; i < st.length; i++) {
    const ins = st[i]!;
    if (ins.t.verb !== 'insert' || ins.valuesRows !== 1 || a.isClaimed(ins)) continue;
    const shape = shapeFor(ins.t);
    if (shape.mainTable === null) continue;
    const k = lookupOf(st, i, shape.mainTable, paired);
    if (k < 0 || a.isClaimed(st[k]!)) continue;
    const sel = st[k]!;
    paired.add(sel);
    // the stretch goes on while nothing but these two templates (and noise) runs between its pairs
    if (open !== null && open.sel === sel.t && open.ins === ins.t && onlyBody(st, last + 1, k, open.sel)) {
      for (let j = last + 1; j <= i; j++) if (st[j]!.t === open.sel || st[j]!.t === open.ins) open.statements.push(st[j]!);
      open.inserts++;
    } else {
      // other lookups of the template may stand between this pair (threads interleaved): they are the run's too
      const statements = st.slice(k, i + 1).filter((x) => x.t === sel.t || x === ins);
      open = { sel: sel.t, ins: ins.t, statements, lookups: [], inserts: 1 };
      runs.push(open);
    }
    last = i;
  }
  for (const r of runs) {
    // rows that already existed before the first INSERT or after the last are lookups of the same loop
    const before: Stmt[] = [];
    for (let j = r.statements[0]!.index - 1; j >= 0 && (st[j]!.t === r.sel || isNoise(st[j]!.t)); j--) if (st[j]!.t === r.sel && !a.isClaimed(st[j]!)) before.unshift(st[j]!);
    const after: Stmt[] = [];
    for (let j = r.statements[r.statements.length - 1]!.index + 1; j < st.length && (st[j]!.t === r.sel || isNoise(st[j]!.t)); j++) if (st[j]!.t === r.sel && !a.isClaimed(st[j]!)) after.push(st[j]!);
    r.statements = [...before, ...r.statements, ...after];
    r.lookups = r.statements.filter((x) => x.t === r.sel);
  }
  return runs.filter((r) => r.lookups.length >= 2);
}

/**
 * Statements looked back over for an INSERT's lookup. Usually it is the one right before; threads of one
 * process writing to one log (Python's logging, a pool's workers) interleave their get-or-creates, so a few
 * other lookups and INSERTs of the same two templates may stand between.
 */
const LOOKBACK = 6;

/** Index of the not yet paired lookup the INSERT at `i` writes the key of: within LOOKBACK statements of the same two shapes; -1 when none. */
function lookupOf(st: Stmt[], i: number, table: string, paired: Set<Stmt>): number {
  const ins = st[i]!.t;
  let sel: TemplateInfo | null = null;
  for (let k = i - 1, seen = 0; k >= 0 && seen < LOOKBACK; k--) {
    const s = st[k]!;
    if (isNoise(s.t)) continue;
    seen++;
    if (s.t === ins) continue;
    // one lookup template only: anything else between ends the search
    if (sel !== null && s.t !== sel) return -1;
    if (!paired.has(s) && asksFor(s, st[i]!, table)) return k;
    if (shapeFor(s.t).kind !== 'select' || shapeFor(s.t).mainTable !== table) return -1;
    sel = s.t;
  }
  return -1;
}

/** A lookup on `table` by key whose looked-up value the INSERT writes. */
function asksFor(sel: Stmt, ins: Stmt, table: string): boolean {
  const shape = shapeFor(sel.t);
  if (shape.kind !== 'select' || shape.mainTable !== table || shape.keyPredicates.length === 0) return false;
  const written = new Set(ins.values.filter((v): v is string => v !== null));
  return shape.keyPredicates.some((k) => {
    const v = sel.values[k.param - 1];
    return v !== null && v !== undefined && written.has(v);
  });
}

function onlyBody(st: Stmt[], from: number, to: number, sel: TemplateInfo): boolean {
  for (let j = from; j < to; j++) if (st[j]!.t !== sel && !isNoise(st[j]!.t)) return false;
  return true;
}

/** The run as a finding when the loop rules trust its lookups (parent in sight, rhythm, keys: UnitAnalysis.trusted). */
function runDraft(a: UnitAnalysis, run: LookupInsertRun): Draft<SelectThenInsertDetails> | null {
  const first = run.lookups[0]!;
  const burst: Burst = a.timedAutocommit ? a.wholeUnit() : (a.bursts.find((b) => b.statements.includes(first)) ?? a.wholeUnit());
  const distinctKeys = new Set(run.lookups.map((s) => s.key)).size;
  if (distinctKeys < 2) return null;
  const body = new Set([run.sel, run.ins]);
  const c: LoopCandidate = { burst, t: run.sel, statements: run.lookups, distinctKeys, body };
  // in a transaction the INSERTs are writes of their own: the pairs need no parent there
  const inTransaction = a.unit.kind === 'transaction' && distinctKeys === run.lookups.length;
  const unsure = !inTransaction && !a.trusted(c);
  if (unsure && !pairedWithoutClock(a, c, run)) return null;
  a.claim(run.statements);
  const parent = a.parentOf(first, burst, body);
  const ev = a.evidence(run.statements, burst, parent);
  if (unsure) {
    ev.confidence = 'low';
    ev.basis.push(
      'no parent query in sight and whole-second times: one request after another, each getting or creating one row on this pooled connection, would look the same (%m in log_line_prefix would show the pace)',
    );
  }
  const shape = shapeFor(run.sel);
  const tables = [...new Set([run.sel, run.ins].flatMap((t) => shapeFor(t).tables))];
  return {
    templates: [run.sel, run.ins],
    tables,
    callSite: commonCallSite(run.statements),
    statements: run.statements,
    repeats: run.lookups.length,
    parent,
    confidence: ev.confidence,
    basis: [`${run.lookups.length} lookups by key, ${run.inserts} of them followed by an INSERT of the key looked up`, ...ev.basis],
    details: { blockLength: 2, memberKinds: ['select', 'insert'], table: shape.mainTable!, keyColumns: shape.keyPredicates.map((k) => k.column.column) },
  };
}

/**
 * Whole-second times (%t) leave a get-or-create loop spread by a pool over its connections with no pace to read
 * and, on all but one connection, no parent: the pairs are still pairs (each INSERT writes the key its lookup
 * asked for), as many as a loop's, back to back. Reported with low confidence rather than dropped.
 */
function pairedWithoutClock(a: UnitAnalysis, c: LoopCandidate, run: LookupInsertRun): boolean {
  return a.coarse && a.timedAutocommit && !a.small(c) && run.inserts >= 2 && !a.requestsEachWithOwnLookup(c);
}

function findPair(shapes: ReturnType<typeof shapeFor>[]): { table: string; keyColumns: string[] } | null {
  for (let i = 0; i < shapes.length; i++) {
    const sel = shapes[i]!;
    if (sel.kind !== 'select' || sel.mainTable === null || sel.keyPredicates.length === 0) continue;
    for (let j = i + 1; j < shapes.length; j++) {
      const ins = shapes[j]!;
      if (ins.kind === 'insert' && ins.mainTable === sel.mainTable) {
        return { table: sel.mainTable, keyColumns: sel.keyPredicates.map((k) => k.column.column) };
      }
    }
  }
  return null;
}
