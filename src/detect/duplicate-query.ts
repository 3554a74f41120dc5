/** duplicate-query: the same statement with the same values run again and again in one unit of work. */
import { commonCallSite, shapeFor, type Burst, type UnitAnalysis } from './analysis.js';
import type { Stmt } from '../sessions/types.js';
import { defineKind } from './kind.js';
import type { Draft } from './draft.js';

export interface DuplicateQueryDetails {
  /** The repeated values (the first ten). */
  values: (string | null)[];
}

/** Statements that legitimately repeat unchanged: session settings, health checks, transaction control. */
const IGNORED_VERBS = new Set(['set', 'show', 'reset', 'savepoint', 'release', 'begin', 'commit', 'rollback', 'discard', 'listen', 'notify', 'deallocate']);

export default defineKind<DuplicateQueryDetails>()({
  id: 'duplicate-query',
  meta: {
    title: 'Same query repeated with the same values',
    summary: 'The same statement with the same values repeated in one unit of work',
    loop: false,
    severity: 'repeats',
    repeatsInTitle: true,
    sarif: {
      name: 'DuplicateQuery',
      short: 'Same query repeated with the same values',
      full: 'The same statement with the same parameters runs several times in one unit of work. Reuse the first result.',
    },
    options: ['minDuplicates', 'minRepeats'],
    runOrder: 90,
  },
  detect(unit, a, o) {
    const out: Draft<DuplicateQueryDetails>[] = [];
    // In timed autocommit traffic the same lookup recurs across the requests sharing a connection:
    // only a periodic repeat (once per loop iteration) anywhere in the unit is evidence, or, with
    // millisecond times, repeats inside one burst. With whole-second times it must reach --min-repeats.
    const auto = a.timedAutocommit;
    const report = (stmts: Stmt[], burst: Burst) => {
      const shape = shapeFor(stmts[0]!.t);
      // only reads of tables: `select nextval(…)`, `select now()` return something new each time
      if ((shape.kind !== 'select' && shape.kind !== 'other') || shape.tables.length === 0) return;
      a.claim(stmts);
      const ev = a.evidence(stmts, burst, null);
      out.push({
        templates: [stmts[0]!.t],
        tables: shapeFor(stmts[0]!.t).tables,
        callSite: commonCallSite(stmts),
        statements: stmts,
        repeats: stmts.length,
        parent: null,
        confidence: ev.confidence,
        basis: [`${stmts.length} identical statements with identical values`, ...ev.basis],
        details: { values: stmts[0]!.values.slice(0, 10) },
      });
    };
    // every group of a burst lies inside a group of the whole unit: only those statements can repeat in a burst
    let inGroup: Uint8Array | null = null;
    if (auto) {
      const whole = a.wholeUnit();
      const groups = groupIdentical(whole.statements, a, null);
      inGroup = new Uint8Array(unit.statements.length);
      // which request-sized stretch each statement is in: a repeat once per request is not once per iteration
      const burstOf = new Uint32Array(unit.statements.length);
      a.bursts.forEach((b, i) => {
        for (const s of b.statements) burstOf[s.index] = i;
      });
      for (const stmts of groups) {
        for (const s of stmts) inGroup[s.index] = 1;
        for (const run of periodicRuns(stmts).flatMap((r) => withinBursts(r, burstOf))) {
          // with whole-second times nothing separates requests in a row that each read the same setting among
          // their own statements from a loop doing it per row: only a run back to back counts there
          if (a.coarse && run[1]!.index - run[0]!.index !== 1) continue;
          if (run.length >= (a.coarse ? Math.max(o.minDuplicates, o.minRepeats) : o.minDuplicates)) report(run, whole);
        }
      }
      if (a.coarse) return out;
    }
    for (const burst of a.bursts) {
      for (const stmts of groupIdentical(burst.statements, a, inGroup)) if (stmts.length >= o.minDuplicates) report(stmts, burst);
    }
    return out;
  },
});

/**
 * Unclaimed statements grouped by template and values (template first: no key string built per statement),
 * in order of each template's first statement, then of each group's first. `only`: statements (by index)
 * that may be grouped at all; the others still place their template in the order.
 */
function groupIdentical(statements: Stmt[], a: UnitAnalysis, only: Uint8Array | null): Stmt[][] {
  // statements per template first (most templates of a burst run once or twice: no map for those)
  const byTemplate = new Map<Stmt['t'], Stmt[] | null>();
  for (const s of statements) {
    // a statement in a transaction of its own belongs to one job or request: the same one in the next
    // transaction is the next job (a queue's dequeue), not a repeat inside one unit of work
    if (a.isClaimed(s) || s.ownTransaction === true || IGNORED_VERBS.has(s.t.verb) || s.t.template === 'select $1') continue;
    const list = byTemplate.get(s.t);
    if (only !== null && only[s.index] !== 1) {
      if (list === undefined) byTemplate.set(s.t, null);
    } else if (list === undefined || list === null) {
      byTemplate.set(s.t, [s]);
    } else {
      list.push(s);
    }
  }
  const out: Stmt[][] = [];
  for (const list of byTemplate.values()) {
    if (list === null || list.length < 2) continue;
    if (list.length === 2) {
      if (list[0]!.key === list[1]!.key) out.push(list);
      continue;
    }
    // a group of one is kept as the statement itself: most values are distinct
    const byKey = new Map<string, Stmt | Stmt[]>();
    for (const s of list) {
      const g = byKey.get(s.key);
      if (g === undefined) byKey.set(s.key, s);
      else if (Array.isArray(g)) g.push(s);
      else byKey.set(s.key, [g, s]);
    }
    for (const g of byKey.values()) if (Array.isArray(g)) out.push(g);
  }
  return out;
}

/**
 * A run with other statements between its repeats, cut where two of them lie in different bursts: requests
 * in a row each read the same setting among their own statements. A run back to back (nothing between) is
 * one loop, whatever pauses a busy client leaves in it.
 */
function withinBursts(run: Stmt[], burstOf: Uint32Array): Stmt[][] {
  if (run.length < 2 || run[1]!.index - run[0]!.index === 1) return [run];
  const out: Stmt[][] = [];
  let from = 0;
  for (let i = 1; i <= run.length; i++) {
    if (i < run.length && burstOf[run[i]!.index] === burstOf[run[i - 1]!.index]) continue;
    if (i - from >= 2) out.push(run.slice(from, i));
    from = i;
  }
  return out;
}

/** Maximal runs of statements that recur every k positions (k ≤ 8), as one statement of a loop body does. */
function periodicRuns(stmts: Stmt[]): Stmt[][] {
  const runs: Stmt[][] = [];
  let i = 0;
  while (i < stmts.length - 1) {
    const k = stmts[i + 1]!.index - stmts[i]!.index;
    let j = i + 1;
    if (k >= 1 && k <= 8) while (j + 1 < stmts.length && stmts[j + 1]!.index - stmts[j]!.index === k) j++;
    if (k >= 1 && k <= 8 && j > i) runs.push(stmts.slice(i, j + 1));
    i = j;
  }
  return runs;
}
