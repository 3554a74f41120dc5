/**
 * Work shared by all detectors on one unit: splitting autocommit traffic into bursts (requests), grouping
 * statements by template, finding repeated blocks, parents, and the evidence a loop rests on.
 * Detectors run most specific first and claim statements, so one loop is reported once.
 */
import { shapeOf, type Shape } from '../sql/index.js';
import type { Stmt, TemplateInfo, Unit } from '../sessions/types.js';
import { fmtMs } from '../text/duration.js';
import type { Confidence, DetectOptions, Draft, LoopDetails } from './draft.js';

/** A stretch of one unit in which statements follow each other without a request-sized pause (timings: runTiming). */
export interface Burst {
  statements: Stmt[];
}

/** A block of 2–8 templates repeated back to back. */
export interface Block {
  burst: Burst;
  start: number;
  length: number;
  repeats: number;
}

/** Statements of one template in one burst (or one back-to-back run), not yet claimed by a more specific detector. */
export interface LoopCandidate {
  /** Where the loop sits; parents are looked for before its first statement. */
  burst: Burst;
  t: TemplateInfo;
  statements: Stmt[];
  distinctKeys: number;
  /**
   * The templates of its loop body: its own and, when one row's lookups of two relations interleave (holder,
   * series, holder…), the others' too: never its parent, never a break in its run. Found on first use (bodyOf).
   */
  body?: Set<TemplateInfo>;
  /** The repeated block of lookups it was cut from (timed autocommit): trusted only if the block is. */
  block?: Block;
  /** The stretch of interleaved lookups it was cut from (timed autocommit): trusted only if the stretch is. */
  stretch?: LookupStretch;
}

/** Pauses of a run of statements, for evidence: span, longest pause inside, pauses before and after. */
export interface RunTiming {
  spanMs: number;
  maxInnerGap: number;
  gapBefore: number | null;
  gapAfter: number | null;
}

/** Per template; at most MAX_SHAPES (a log of ever-new statement texts must not keep one per template seen). */
const shapes = new Map<TemplateInfo, Shape>();
const MAX_SHAPES = 20_000;

/**
 * A pause one loop iteration may take in the application wherever the pause after the parent was short: an
 * interpreted language building an object per row, a log call, a GC pause. Swept by tests/detect/sweep.test.ts:
 * pauses of 0–10 ms at random plus each statement's own time, and an identity map skipping rows at 3 ms a row,
 * must keep a loop of two or three (10 ms, the earlier guess, lost them); pooled requests must still raise nothing
 * (they do up to 60 ms, so 20 leaves room). Two or three lookups 20–50 ms apart are not told from requests.
 */
const SLOW_ITERATION_MS = 20;
/** A round trip to a server on the local network, for a BEGIN or COMMIT the log does not place in the unit. */
const ROUND_TRIP_MS = 1;

/** Statements that wrap a loop body without being part of its work (Rails wraps each create in a savepoint). */
export const CONTROL_VERBS = new Set(['savepoint', 'release', 'set', 'show', 'reset']);

const CATALOG = /^(?:pg_catalog\.|information_schema\.|pg_)/;
const catalogOrControl = new WeakMap<TemplateInfo, boolean>();

/**
 * Statements an ORM or driver sends around the application's own work: session settings, savepoints, and
 * schema introspection (pg_catalog, information_schema). They never make a loop of their own.
 */
export function isCatalogOrControl(t: TemplateInfo): boolean {
  let n = catalogOrControl.get(t);
  if (n === undefined) {
    if (CONTROL_VERBS.has(t.verb)) n = true;
    else if (t.verb !== 'select' && t.verb !== 'with') n = false;
    else {
      const tables = shapeFor(t).tables;
      n = tables.length > 0 && tables.every((x) => CATALOG.test(x));
    }
    catalogOrControl.set(t, n);
  }
  return n;
}

/**
 * Statements that never break the chain from a parent to its loop, nor a loop's run: the above, and reads of
 * no table (`select current_schema()`, `select nextval(…)`), which drivers send on connect and ORMs between
 * inserts. ActiveRecord loads a table's columns between a parent and its first lookup.
 */
export function isNoise(t: TemplateInfo): boolean {
  return isCatalogOrControl(t) || ((t.verb === 'select' || t.verb === 'with') && shapeFor(t).tables.length === 0);
}

/** Statements per template, in the order of each template's first statement; `skip` leaves statements out. */
export function byTemplate(stmts: Stmt[], skip: ((s: Stmt) => boolean) | null = null): Map<TemplateInfo, Stmt[]> {
  const groups = new Map<TemplateInfo, Stmt[]>();
  for (const s of stmts) {
    if (skip !== null && skip(s)) continue;
    const g = groups.get(s.t);
    if (g) g.push(s);
    else groups.set(s.t, [s]);
  }
  return groups;
}

/** Whether the template has an AST, without keeping its shape for later (the report's count over all templates). */
export function hasAst(t: TemplateInfo): boolean {
  return (shapes.get(t) ?? shapeOf(t.template)).parsed;
}

/** Shape of a template, asked of the SQL core once per template. */
export function shapeFor(t: TemplateInfo): Shape {
  let s = shapes.get(t);
  if (s === undefined) {
    s = shapeOf(t.template);
    if (shapes.size >= MAX_SHAPES) shapes.clear();
    shapes.set(t, s);
  }
  return s;
}

/**
 * The statements of a candidate take their keys in sets already: every key is compared with `= ANY(…)` and most
 * statements pass it two or more values (`DELETE … WHERE id IN (150 ids)` per request, a job's chunks). A loop
 * of those writes is batching, not one statement per row; `IN (5)` per row (one value each) still is.
 */
export function keysInSets(c: LoopCandidate): boolean {
  const keys = shapeFor(c.t).keyPredicates;
  if (keys.length === 0 || keys.some((k) => k.op !== 'any')) return false;
  let many = 0;
  for (const s of c.statements) {
    // a list in the text (`IN (…)`), or an array bound to `= ANY($1)`
    const v = s.values[keys[0]!.param - 1];
    if ((s.listItems ?? 1) >= 2 || (typeof v === 'string' && v.startsWith('{') && arrayItems(v) >= 2)) many++;
  }
  return many * 2 > c.statements.length;
}

/** Items of a PostgreSQL array literal (`{1,2,3}`, `{"a,b",NULL}`): commas outside double quotes, plus one. */
function arrayItems(literal: string): number {
  if (literal.length <= 2) return 0;
  let n = 1;
  let quoted = false;
  for (let i = 1; i < literal.length - 1; i++) {
    const c = literal.charCodeAt(i);
    if (c === 92) i++;
    else if (c === 34) quoted = !quoted;
    else if (c === 44 && !quoted) n++;
  }
  return n;
}

export class UnitAnalysis {
  readonly bursts: Burst[];
  private readonly claimed: Uint8Array;
  private candidates: LoopCandidate[] | null = null;
  private blocks: Block[] | null = null;

  constructor(
    readonly unit: Unit,
    readonly options: DetectOptions,
  ) {
    this.claimed = new Uint8Array(unit.statements.length);
    // a fan-out unit already reported these lookups; their sessions' own units must not count them again
    if (unit.kind !== 'fan-out') for (const s of unit.statements) if (s.fannedOut) this.claimed[s.index] = 1;
    this.bursts = splitBursts(unit, options);
  }

  isClaimed(s: Stmt): boolean {
    return this.claimed[s.index] === 1;
  }

  claim(stmts: Stmt[]): void {
    for (const s of stmts) this.claimed[s.index] = 1;
  }

  /**
   * Templates repeated at least minRepeats times with at least two different argument lists, or at least
   * minParentRepeats times back to back after their parent (small, checked by trusted()). In explicit
   * transactions and untimed streams all statements of the unit count; in timed autocommit traffic only
   * consecutive runs do (noise statements between them aside), since the same lookups recur across the
   * requests that share a connection.
   */
  loopCandidates(): LoopCandidate[] {
    if (this.candidates !== null) return this.unclaimed(this.candidates);
    const out: LoopCandidate[] = [];
    const min = Math.min(this.options.minRepeats, this.options.minParentRepeats);
    const push = (burst: Burst, t: TemplateInfo, stmts: Stmt[], block: Block | null = null, stretch: LookupStretch | null = null) => {
      if (stmts.length < min || isCatalogOrControl(t)) return;
      const distinctKeys = new Set(stmts.map((s) => s.key)).size;
      if (distinctKeys < 2) return;
      const c: LoopCandidate = { burst, t, statements: stmts, distinctKeys };
      if (block !== null) {
        c.block = block;
        c.body = new Set(blockMembers(block));
      } else if (stretch !== null) {
        c.stretch = stretch;
        c.body = stretch.body;
      }
      out.push(c);
    };
    if (this.timedAutocommit) {
      const whole = this.wholeUnit();
      const st = this.unit.statements;
      let i = 0;
      while (i < st.length) {
        if (isCatalogOrControl(st[i]!.t)) {
          i++;
          continue;
        }
        let j = i + 1;
        let n = 1;
        while (j < st.length && (st[j]!.t === st[i]!.t || isNoise(st[j]!.t))) if (st[j++]!.t === st[i]!.t) n++;
        // most runs are one statement: cut out only those long enough to be a loop
        if (n >= min) push(whole, st[i]!.t, n === j - i ? st.slice(i, j) : st.slice(i, j).filter((x) => x.t === st[i]!.t));
        i = j;
      }
      // one row's lookups of two or three relations right after their parent, interleaved irregularly (an
      // identity map skips keys it has met): each relation is a loop of its own over the whole stretch
      const inStretch = new Uint8Array(st.length);
      for (const m of mixedLookupStretches(st, this.options.minSequenceRepeats)) {
        for (const x of m.statements) inStretch[x.index] = 1;
        for (const t of m.body) push(whole, t, m.statements.filter((x) => x.t === t), null, m);
      }
      // a loop body of several lookups (two relations per row) repeats as a block, not as runs
      for (const b of this.repeatedBlocks()) {
        if (inStretch[b.burst.statements[b.start]!.index] === 1) continue;
        const members = blockMembers(b);
        if (!readsOnly(members)) continue;
        const stretch = b.burst.statements.slice(b.start, b.start + b.length * b.repeats);
        for (const t of members) if (!isCatalogOrControl(t)) push(whole, t, stretch.filter((x) => x.t === t), b);
      }
    } else {
      for (const burst of this.bursts) {
        const groups = byTemplate(burst.statements);
        this.groups.set(burst, groups);
        for (const [t, stmts] of groups) push(burst, t, stmts);
      }
    }
    this.candidates = out;
    // the kinds that run first (blocks) may have claimed some already
    return this.unclaimed(out);
  }

  private unclaimed(candidates: LoopCandidate[]): LoopCandidate[] {
    return candidates.filter((c) => !c.statements.some((s) => this.isClaimed(s)));
  }

  /** The candidate's first statement follows a parent query (a SELECT able to return its keys). */
  hasParent(c: LoopCandidate): boolean {
    return this.parentOf(c.statements[0]!, c.burst, this.bodyOf(c)) !== null;
  }

  /** Fewer statements than --min-repeats: a loop only with its parent in sight (see smallLoopTrusted). */
  small(c: LoopCandidate): boolean {
    return c.statements.length < this.options.minRepeats;
  }

  /**
   * A loop shorter than --min-repeats counts only on the evidence Prosopite uses: the statements run back to
   * back right after their parent query (noise statements aside), with at least two different keys, and where the
   * log has the parent's rows, every key is among them. Writes need no parent: back-to-back single-row
   * writes with different values inside one explicit transaction are the loop.
   */
  smallLoopTrusted(c: LoopCandidate): boolean {
    const st = c.statements;
    // keys may repeat (an ORM without an identity map loads a row's author again for the next row by the same
    // author: 1, 2, 2, 2); one key throughout is a duplicate, not a loop (push() keeps those out)
    if (c.distinctKeys < 2) return false;
    const all = this.unit.statements;
    const body = this.bodyOf(c);
    for (let k = st[0]!.index + 1; k < st[st.length - 1]!.index; k++) if (!body.has(all[k]!.t) && !isNoise(all[k]!.t)) return false;
    const parent = this.parentOf(st[0]!, c.burst, body);
    if (parent === null) return this.unit.kind === 'transaction' && (c.t.verb === 'insert' || c.t.verb === 'update' || c.t.verb === 'delete');
    // parents in a row (a, b, then a's and b's lookup) are requests interleaved on one pooled connection:
    // one lookup per parent is not a loop
    const before = this.previousWork(parent);
    if (before !== null && before.t === parent.t) return false;
    if (this.timedAutocommit) {
      if (!this.keepsParentRhythm(parent, st)) return false;
      // a block of lookups repeated after a parent is a loop body only if the block itself is trusted
      if (c.block !== undefined && !this.blockTrusted(c.block, this.bodyOf(c))) return false;
    }
    return parent.resultValues === null || keysAmongRows(parent.resultValues, st);
  }

  /**
   * Independent requests merged into one stream (an ORM log written by a pool's threads, requests in a row on
   * one connection) each look one row up and then run the statement keyed by what they found: nearly every key
   * of the "loop" is the key of another template's statement a few lines away, one to one, and that template
   * is all the parent there is. A loop's keys come from a parent's rows instead. A strictly regular alternation
   * (lookup, statement, lookup, statement) is left to the other rules: a script looping over ids does that too.
   */
  requestsEachWithOwnLookup(c: LoopCandidate): boolean {
    // lookups only: a loop of writes carries the values of whatever ran near it (timestamps, names)
    if (this.unit.kind === 'fan-out' || (c.t.verb !== 'select' && c.t.verb !== 'with')) return false;
    const st = c.statements;
    const n = st.length;
    if (n < 2) return false;
    if (!this.small(c)) {
      const step = st[1]!.index - st[0]!.index;
      let regular = true;
      for (let i = 2; i < n && regular; i++) regular = st[i]!.index - st[i - 1]!.index === step;
      if (regular) return false;
    }
    const varying = varyingPositions(st);
    if (varying.length === 0) return false;
    const all = this.unit.statements;
    // one to one: a statement of the other template answers for one loop statement only (a parent that
    // lists every key literally supplies them; it is not a request's own lookup)
    const echoes = new Map<TemplateInfo, number>();
    const used = new Set<Stmt>();
    for (const s of st) {
      const keys = new Set(varying.map((i) => s.values[i]).filter((v): v is string => v !== null && v !== undefined));
      const seen = new Set<TemplateInfo>();
      const from = Math.max(0, s.index - PAIR_REACH);
      const to = Math.min(all.length - 1, s.index + PAIR_REACH);
      for (let k = from; k <= to; k++) {
        const o = all[k]!;
        if (o.t === c.t || seen.has(o.t) || used.has(o) || isNoise(o.t)) continue;
        if (o.values.some((v) => v !== null && keys.has(v))) {
          seen.add(o.t);
          used.add(o);
        }
      }
      for (const t of seen) echoes.set(t, (echoes.get(t) ?? 0) + 1);
    }
    const parent = this.parentOf(st[0]!, c.burst, this.bodyOf(c));
    for (const [t, count] of echoes) {
      if (count < Math.ceil(0.8 * n)) continue;
      if (parent === null || parent.t === t) return true;
    }
    return false;
  }

  /**
   * A stretch of interleaved lookups is one row's relations only right after a parent and at the rhythm the
   * first lookup set: requests in a row on a pooled connection pause between requests. (Which template
   * opens requests cannot be read here: in an irregular interleaving every lookup follows several others.)
   */
  stretchTrusted(m: LookupStretch): boolean {
    const first = m.statements[0]!;
    const parent = this.parentOf(first, this.wholeUnit(), m.body);
    if (parent === null) return false;
    if (m.periodic && !this.repetitionsBackToBack(m)) return false;
    return this.keepsParentRhythm(parent, m.statements);
  }

  /**
   * A block repeated back to back, as the block rules ask (blockTrusted): none of its lookups is one requests
   * start with, and the pause between repetitions is no longer than twice the longest inside one. Two requests
   * in a row that each read a session and a customer are the same a, b, a, b, with a request's pause between.
   */
  private repetitionsBackToBack(m: LookupStretch): boolean {
    const starters = this.requestStarters();
    for (const t of m.body) if (starters.has(t)) return false;
    if (this.coarse) return true;
    const { inner, boundary } = repetitionGaps(m.statements, m.body.size);
    // longer pauses between repetitions are a slow client's rows only at the loop's pace (stretchTrusted checks it)
    return boundary <= Math.max(this.options.burstGapMs, 2 * inner, SLOW_ITERATION_MS);
  }

  /**
   * Statements of timed autocommit traffic that run at the pace their parent set: requests in a row on a
   * pooled connection share it, but a loop's statements follow each other as fast (or as slowly) as the
   * first followed its parent, and requests do not. Whole-second times (%t) cannot show the rhythm; the
   * structure (right after the parent, nothing else between) still can, within one tick of the clock.
   */
  private keepsParentRhythm(parent: Stmt, run: Stmt[]): boolean {
    if (this.coarse) return (run[run.length - 1]!.time ?? 0) - (parent.time ?? 0) <= 1000;
    // the connection's own pace counts too: a slow language (or threads taking turns) leaves pauses of its
    // own between every statement, and one pause after the parent is too few to measure it by
    const pace = 2 * this.paceBefore(run[0]!);
    // an iteration in a transaction of its own also waits for its COMMIT and the next BEGIN
    const slow = SLOW_ITERATION_MS + (run.every((s) => s.ownTransaction === true) ? 2 * ROUND_TRIP_MS : 0);
    return runTiming(this.unit.statements, run).maxInnerGap <= Math.max(this.options.burstGapMs, 3 * gapBetween(parent, run[0]!), pace, slow);
  }

  /**
   * The median pause between consecutive statements up to `s` (the last 64): how fast this connection went
   * before the loop began. Pauses inside the loop are left out, so a late statement cannot excuse itself.
   */
  private paceBefore(s: Stmt): number {
    return median(this.pausesBefore(s.index));
  }

  /** The pauses before statement `index` of the unit and the 63 before them (fewer at the unit's start). */
  private pausesBefore(index: number): number[] {
    const { gaps } = this.unitGaps();
    const out: number[] = [];
    for (let i = index; i >= 1 && out.length < 64; i--) out.push(gaps[i]!);
    return out;
  }

  /** True for autocommit units whose statements carry times: loops there must show as back-to-back runs. */
  get timedAutocommit(): boolean {
    return this.unit.kind === 'autocommit' && this.unit.timed && this.unit.statements.length > 1;
  }

  private coarseTimes: boolean | null = null;

  /** Whole-second times (%t): pauses cannot be measured, so only structure (runs after a parent) is evidence. */
  get coarse(): boolean {
    this.coarseTimes ??= this.unit.statements.every((s) => s.time === null || s.time % 1000 === 0);
    return this.coarseTimes;
  }

  private whole: Burst | null = null;

  /** The whole unit as one stretch (parents of a run are looked up in it). */
  wholeUnit(): Burst {
    this.whole ??= { statements: this.unit.statements };
    return this.whole;
  }

  /** Blocks of 2–8 statements whose templates repeat back to back at least minSequenceRepeats times. */
  repeatedBlocks(): Block[] {
    if (this.blocks !== null) return this.blocks;
    const out: Block[] = [];
    const min = this.options.minSequenceRepeats;
    for (const burst of this.timedAutocommit ? [this.wholeUnit()] : this.bursts) {
      const st = burst.statements;
      let i = 0;
      while (i < st.length) {
        let found: Block | null = null;
        for (let len = 2; len <= 8 && i + len * min <= st.length; len++) {
          // a block made of one template is a plain loop; a block that is a shorter block twice is that block.
          // Both depend only on the first window, so they come before counting repeats: counting first made a
          // long run of one template cost its length at every start, quadratic in the unit.
          if (!twoWorkTemplates(st, i, len) || hasShorterPeriod(st, i, len)) continue;
          let reps = 1;
          while (i + (reps + 1) * len <= st.length && sameTemplates(st, i, i + reps * len, len)) reps++;
          if (reps < min) continue;
          if (found === null || reps * len > found.repeats * found.length) found = { burst, start: i, length: len, repeats: reps };
        }
        if (found !== null) {
          out.push(found);
          i += found.repeats * found.length;
        } else {
          i++;
        }
      }
    }
    this.blocks = out;
    return out;
  }

  /** Statements per template of each burst (explicit transactions, untimed streams), for loop bodies. */
  private readonly groups = new Map<Burst, Map<TemplateInfo, Stmt[]>>();

  /** The templates of a candidate's loop body: its own, and those of lookups interleaved with it. */
  bodyOf(c: LoopCandidate): Set<TemplateInfo> {
    if (c.body === undefined) {
      const groups = this.groups.get(c.burst);
      c.body = (groups && interleaved(groups, c.t, c.statements)) ?? new Set([c.t]);
    }
    return c.body;
  }

  /** The statement of the unit before `s` that is not noise, or null. */
  previousWork(s: Stmt): Stmt | null {
    const all = this.unit.statements;
    for (let k = s.index - 1; k >= 0; k--) if (!isNoise(all[k]!.t)) return all[k]!;
    return null;
  }

  /** The statement before `first` in its burst that returned the keys the loop uses: a different SELECT. */
  parentOf(first: Stmt, burst: Burst, loopTemplates: Set<TemplateInfo>): Stmt | null {
    const st = burst.statements;
    const at = st.indexOf(first);
    let looked = 0;
    for (let i = at - 1; i >= 0 && looked < 3; i--) {
      const p = st[i]!;
      // settings and schema lookups the ORM sends between the parent and its loop are not the parent
      if (isNoise(p.t)) continue;
      looked++;
      if (loopTemplates.has(p.t)) continue;
      if (p.t.verb !== 'select' && p.t.verb !== 'with') return null;
      // one row cannot supply a loop's keys: an ORM's `SELECT * FROM t LIMIT 1` (Django reading a table's
      // columns) or a lookup of one record sits between the parent and its loop
      if (returnsOneRow(p)) continue;
      return this.siblingLoopParent(st, i, loopTemplates) ?? p;
    }
    return null;
  }

  /**
   * Two relations loaded per parent row (`d.holder.name`, then `d.series.name`, each key looked up once): the
   * loop that comes second follows the first loop's lookups, not the parent. When `st[i]` ends a run of one
   * keyed lookup (two or more, each with its own key, keyed by the same column as this loop: each table by its
   * own id, or both by the parent's id) that runs right after a query able to return many rows, that query is
   * the parent of both. Requests interleaved on one connection (two parents, then each one's lookup) key the
   * second lookups by another column (`author_id` after `authors.id`), so they keep the parents as parents.
   */
  private siblingLoopParent(st: Stmt[], i: number, loopTemplates: Set<TemplateInfo>): Stmt | null {
    const sibling = st[i]!;
    const loopKeys = new Set<string>();
    for (const t of loopTemplates) for (const k of shapeFor(t).keyPredicates) loopKeys.add(k.column.column);
    if (!shapeFor(sibling.t).keyPredicates.some((k) => k.op === 'eq' && loopKeys.has(k.column.column))) return null;
    const keys = new Set<string>();
    let n = 0;
    let j = i;
    for (; j >= 0; j--) {
      const s = st[j]!;
      if (isNoise(s.t)) continue;
      if (s.t !== sibling.t) break;
      n++;
      keys.add(s.key);
    }
    if (n < 2 || keys.size !== n || j < 0) return null;
    const parent = st[j]!;
    if (loopTemplates.has(parent.t) || (parent.t.verb !== 'select' && parent.t.verb !== 'with') || returnsOneRow(parent)) return null;
    // a parent that is itself one of a row of parents is requests interleaved again
    for (let k = j - 1; k >= 0; k--) {
      if (isNoise(st[k]!.t)) continue;
      if (st[k]!.t === parent.t) return null;
      break;
    }
    if (parent.resultValues !== null && !keysAmongRows(parent.resultValues, st.slice(j + 1, i + 1).filter((x) => x.t === sibling.t))) return null;
    return parent;
  }

  /** Evidence and confidence for a loop made of `stmts` in `burst`. */
  evidence(stmts: Stmt[], burst: Burst, parent: Stmt | null): { confidence: Confidence; basis: string[]; keysFromParent: boolean } {
    const basis: string[] = [];
    const unit = this.unit;
    let strong = false;
    if (unit.kind === 'transaction') {
      basis.push(`all ${stmts.length} inside one explicit transaction`);
      strong = true;
    } else if (unit.kind === 'fan-out') {
      const t = runTiming(burst.statements, stmts);
      basis.push(`fanned out over pooled connections (${unit.session}): ${stmts.length} statements started within ${fmtMs(t.spanMs)}`);
      strong = true;
    } else if (unit.timed && this.coarse) {
      basis.push(
        `back to back in autocommit on one connection; the log's times are whole seconds (%t), so pauses cannot be measured ` +
          `and lookups the same request sent over other pooled connections cannot be joined (use %m in log_line_prefix)`,
      );
    } else if (unit.timed) {
      const t = runTiming(burst.statements, stmts);
      const around = [t.gapBefore, t.gapAfter].filter((g): g is number => g !== null);
      basis.push(
        `back to back in autocommit: ${stmts.length} statements within ${fmtMs(t.spanMs)}, pauses ≤ ${fmtMs(t.maxInnerGap)}` +
          (around.length ? ` (pauses around: ${around.map(fmtMs).join(' and ')})` : ''),
      );
    } else {
      basis.push(`one autocommit stream with no timestamps, between transaction boundaries`);
      strong = true;
    }
    if (unit.kind === 'autocommit' && stmts.every((s) => s.ownTransaction === true)) {
      basis.push(`each in a transaction of its own (${stmts.length} BEGIN … COMMIT round trips): one transaction, or one statement, for all`);
    }
    const sites = new Set(stmts.map((s) => s.callSite));
    if (sites.size === 1 && stmts[0]!.callSite !== null) {
      basis.push(`same call site ${stmts[0]!.callSite}`);
      strong = true;
    }
    const req = requestTag(stmts);
    if (req) {
      basis.push(`same request (${req})`);
      strong = true;
    }
    let keysFromParent = false;
    let contradicted = false;
    if (parent !== null) {
      // where the keys came from is only known when the log holds the parent's rows: otherwise say where it ran, no more
      basis.push(`after its parent query, ${parent.t.verb.toUpperCase()} at ${parent.file}:${parent.line}`);
      if (parent.resultValues !== null) {
        const childKeys = stmts.flatMap((s) => s.values.filter((v): v is string => v !== null));
        if (childKeys.length > 0 && keysAmongRows(parent.resultValues, stmts)) {
          keysFromParent = true;
          basis.push(`every loop key appears in the parent's logged rows`);
        } else if (childKeys.length > 0) {
          // the statement before the loop is then not where its keys came from: it counts for no more than none
          contradicted = true;
          basis.push(`the parent's logged rows do not hold every loop key`);
        }
      }
    }
    const parentCounts = parent !== null && !contradicted;
    let confidence: Confidence = keysFromParent ? 'high' : strong && parentCounts ? 'high' : strong || parentCounts ? 'medium' : 'low';
    if (!strong && !keysFromParent && this.asSlowAsOtherTraffic(stmts)) {
      confidence = 'low';
      basis.push(
        `its pauses are as long as this connection's pauses between its other statements: separate requests on a pooled ` +
          `connection would look the same (sqlcommenter request tags, or %c with one connection per request, would tell)`,
      );
    } else if (!strong && !keysFromParent && this.coarse && this.timedAutocommit && this.otherWork(stmts) >= 4) {
      confidence = 'low';
      basis.push(
        `other statements run on this connection and whole-second times show no pace: separate requests on a pooled ` +
          `connection would look the same (%m in log_line_prefix, or sqlcommenter request tags, would tell)`,
      );
    }
    return { confidence, basis, keysFromParent };
  }

  /**
   * Timed autocommit traffic where the loop's statements follow each other no faster than the connection's
   * other statements follow theirs, and there is other work on it: a service whose requests run one statement
   * each makes a "parent" and its "loop" out of a list request and the item requests after it. A script's loop
   * is faster than its setup was, and a request's loop runs at the pace of its own request.
   */
  private asSlowAsOtherTraffic(stmts: Stmt[]): boolean {
    if (!this.timedAutocommit || this.coarse || stmts.length < 2) return false;
    const { gaps } = this.unitGaps();
    const first = stmts[0]!.index;
    const last = stmts[stmts.length - 1]!.index;
    if (this.otherWork(stmts) < 4) return false;
    // the connection's pace around the loop: up to 64 pauses before it and 64 after (bounded per finding)
    const outside = this.pausesBefore(first);
    for (let i = last + 1, n = 0; i < gaps.length && n < 64; i++, n++) outside.push(gaps[i]!);
    const inner: number[] = [];
    for (let i = 1; i < stmts.length; i++) inner.push(gapBetween(stmts[i - 1]!, stmts[i]!));
    const pace = median(outside);
    return pace >= this.options.burstGapMs && median(inner) >= 0.5 * pace;
  }

  /** Statements of work on the connection before the loop began or after it ended. */
  private otherWork(stmts: Stmt[]): number {
    const { work } = this.unitGaps();
    return work[stmts[0]!.index]! + (work[work.length - 1]! - work[stmts[stmts.length - 1]!.index + 1]!);
  }

  private gapsOfUnit: { gaps: Float64Array; work: Uint32Array } | null = null;

  /** Pauses before each statement of the unit, and how many statements of work come before each: once per unit. */
  private unitGaps(): { gaps: Float64Array; work: Uint32Array } {
    if (this.gapsOfUnit === null) {
      const all = this.unit.statements;
      const gaps = new Float64Array(all.length);
      const work = new Uint32Array(all.length + 1);
      for (let i = 0; i < all.length; i++) {
        if (i > 0) gaps[i] = gapBetween(all[i - 1]!, all[i]!);
        work[i + 1] = work[i]! + (isNoise(all[i]!.t) ? 0 : 1);
      }
      this.gapsOfUnit = { gaps, work };
    }
    return this.gapsOfUnit;
  }

  /** A draft for a single-template loop; claims its statements. */
  loopDraft<D extends object>(c: LoopCandidate, details: D): Draft<LoopDetails & D> {
    this.claim(c.statements);
    const parent = this.parentOf(c.statements[0]!, c.burst, this.bodyOf(c));
    const ev = this.evidence(c.statements, c.burst, parent);
    if (this.small(c)) {
      const n = c.statements.length;
      ev.basis.push(
        parent !== null
          ? `${n} statements, under --min-repeats ${this.options.minRepeats}: counted as they run back to back right after their parent, ${c.distinctKeys === n ? 'each with a different key' : `with ${c.distinctKeys} different keys`}`
          : `${n} single-row writes, under --min-repeats ${this.options.minRepeats}: counted as they run back to back in one transaction, each with different values`,
      );
    }
    const shape = shapeFor(c.t);
    return {
      templates: [c.t],
      tables: shape.tables.length ? shape.tables : [],
      callSite: commonCallSite(c.statements),
      statements: c.statements,
      repeats: c.statements.length,
      parent,
      confidence: ev.confidence,
      basis: ev.basis,
      details: { distinctValues: c.distinctKeys, valuesLookLikeKeys: looksLikeKeys(c.statements), ...details },
    };
  }

  /**
   * Loops worth reporting in this unit: in timed autocommit traffic a run must follow a parent query or
   * be truly back to back; a run of lookups spread over separate requests is not a loop.
   */
  trusted(c: LoopCandidate): boolean {
    if (this.requestsEachWithOwnLookup(c)) return false;
    if (c.stretch !== undefined && !this.stretchTrusted(c.stretch)) return false;
    if (this.small(c)) return this.smallLoopTrusted(c);
    if (!this.timedAutocommit) return true;
    if (c.block !== undefined) return this.blockTrusted(c.block, this.bodyOf(c));
    if (this.parentOf(c.statements[0]!, c.burst, this.bodyOf(c)) !== null) return true;
    return !this.coarse && runTiming(c.burst.statements, c.statements).maxInnerGap <= this.options.burstGapMs;
  }

  /**
   * A repeated block in timed autocommit traffic is a loop only when its repetitions follow each other as
   * closely as the statements inside one repetition do; a pause at every boundary means one request after another.
   */
  blockTrusted(b: Block, members: Set<TemplateInfo>): boolean {
    if (!this.timedAutocommit) return true;
    const st = b.burst.statements;
    // a block holding the statement requests open with (a session lookup) is requests in a row
    const starters = this.requestStarters();
    for (const t of members) if (starters.has(t)) return false;
    if (this.coarse) {
      // no pauses to read: only structure counts. A long run of repetitions after a parent query, or a short one
      // (a test suite's seed data) that starts right after it with nothing else between, as a small loop must
      const parent = this.parentOf(st[b.start]!, b.burst, members);
      if (parent === null) return false;
      if (b.repeats >= this.options.minRepeats) return true;
      for (let k = parent.index + 1; k < st[b.start]!.index; k++) if (!isNoise(this.unit.statements[k]!.t)) return false;
      return true;
    }
    const stretch = st.slice(b.start, b.start + b.length * b.repeats);
    const { inner, boundary } = repetitionGaps(stretch, b.length);
    const parent = this.parentOf(st[b.start]!, b.burst, members);
    if (boundary > Math.max(this.options.burstGapMs, 2 * inner)) {
      // a slow client pauses between rows, not between one row's lookups: after the parent, the repetitions
      // may be as far apart as a loop's iterations may be (keepsParentRhythm); without it, a pause at every
      // boundary is one request after another
      return parent !== null && this.keepsParentRhythm(parent, stretch.filter((x) => members.has(x.t)));
    }
    return parent !== null || Math.max(inner, boundary) <= this.options.burstGapMs;
  }

  private starters: Set<TemplateInfo> | null = null;

  /**
   * Templates that usually come after a pause much longer than the unit's usual one: the statements that open
   * requests on a pooled connection (auth or session lookups).
   */
  requestStarters(): Set<TemplateInfo> {
    if (this.starters !== null) return this.starters;
    const st = this.unit.statements;
    const before = new Map<TemplateInfo, number[]>();
    const all: number[] = [];
    for (let i = 1; i < st.length; i++) {
      const g = gapBetween(st[i - 1]!, st[i]!);
      all.push(g);
      const list = before.get(st[i]!.t);
      if (list) list.push(g);
      else before.set(st[i]!.t, [g]);
    }
    // a slow client's pause before each row (up to SLOW_ITERATION_MS) is inside one loop, not between requests
    const cut = Math.max(this.options.burstGapMs, 2 * median(all), SLOW_ITERATION_MS);
    this.starters = new Set();
    if (!this.coarse) for (const [t, gaps] of before) if (gaps.length >= 3 && median(gaps) > cut) this.starters.add(t);
    // Structure says the same without clocks: a request's first statement follows whatever the previous
    // request ended with, while a loop member always follows the same statement (its parent or the last member).
    const predecessors = new Map<TemplateInfo, Set<TemplateInfo>>();
    for (let i = 1; i < st.length; i++) {
      const set = predecessors.get(st[i]!.t);
      if (set) set.add(st[i - 1]!.t);
      else predecessors.set(st[i]!.t, new Set([st[i - 1]!.t]));
    }
    for (const [t, preds] of predecessors) if (preds.size >= 3) this.starters.add(t);
    return this.starters;
  }
}

/** Whether every statement uses a value among the parent's logged result rows. */
function keysAmongRows(rows: readonly string[], stmts: Stmt[]): boolean {
  const set = new Set(rows);
  return stmts.every((s) => s.values.some((v) => v !== null && set.has(v)));
}

/**
 * A block repeated `period` statements at a time: the longest pause inside one repetition, and the shortest
 * between two (Infinity for one repetition).
 */
function repetitionGaps(stmts: Stmt[], period: number): { inner: number; boundary: number } {
  let inner = 0;
  let boundary = Infinity;
  for (let i = 1; i < stmts.length; i++) {
    const g = gapBetween(stmts[i - 1]!, stmts[i]!);
    if (i % period === 0) boundary = Math.min(boundary, g);
    else inner = Math.max(inner, g);
  }
  return { inner, boundary };
}

/** A SELECT with LIMIT 1 (written, or bound to 1). */
function returnsOneRow(s: Stmt): boolean {
  const shape = shapeFor(s.t);
  if (shape.limit === 1) return true;
  return shape.limit === 'param' && shape.limitParam !== null && s.values[shape.limitParam - 1] === '1';
}

/** A stretch of interleaved lookups of 2–3 templates after a parent (see loopCandidates). */
interface LookupStretch {
  body: Set<TemplateInfo>;
  statements: Stmt[];
  /** The strict repetition of a block (a, b, a, b), too few times for the block rules. */
  periodic: boolean;
}

const isPlainLookup = (t: TemplateInfo) => !isNoise(t) && readsOnly([t]);

/**
 * Stretches of a unit made only of plain lookups of two or three templates, each repeated, right after a
 * statement of another template (the parent); noise between them aside. Linear in the unit.
 */
function mixedLookupStretches(st: Stmt[], blockRepeats: number): LookupStretch[] {
  const out: LookupStretch[] = [];
  let before: Stmt | null = null;
  let i = 0;
  while (i < st.length) {
    const first = st[i]!;
    if (isNoise(first.t)) {
      i++;
      continue;
    }
    if (!isPlainLookup(first.t) || before === null || before.t === first.t) {
      before = first;
      i++;
      continue;
    }
    const body = new Set<TemplateInfo>([first.t]);
    const members: Stmt[] = [first];
    let j = i + 1;
    for (; j < st.length; j++) {
      const s = st[j]!;
      if (isNoise(s.t)) continue;
      if (body.has(s.t)) members.push(s);
      else if (body.size < 3 && s.t !== before.t && isPlainLookup(s.t)) {
        body.add(s.t);
        members.push(s);
      } else break;
    }
    if (body.size >= 2) {
      const counts = new Map<TemplateInfo, number>();
      for (const m of members) counts.set(m.t, (counts.get(m.t) ?? 0) + 1);
      const repeated = [...body].filter((t) => counts.get(t)! >= 2);
      // a strict repetition (a, b, a, b) as often as --min-sequence-repeats is a block: left to the block rules,
      // which read its pauses; fewer (two parent rows, a test suite's seed data) is a stretch here
      let periodic = true;
      for (let k = body.size; k < members.length && periodic; k++) periodic = members[k]!.t === members[k - body.size]!.t;
      const blockSized = periodic && members.length >= blockRepeats * body.size;
      if (repeated.length >= 2 && !blockSized) out.push({ body: new Set(repeated), statements: members.filter((m) => counts.get(m.t)! >= 2), periodic });
    }
    before = members[members.length - 1]!;
    i = j;
  }
  return out;
}

/** How far (in statements) a request's own lookup may sit from the statement it keys, with a pool's requests interleaved. */
const PAIR_REACH = 16;

/** Value positions that differ between the statements of a run: the loop's keys (LIMIT 1 and constants excluded). */
function varyingPositions(st: Stmt[]): number[] {
  const first = st[0]!.values;
  const out: number[] = [];
  for (let i = 0; i < first.length; i++) if (st.some((s) => s.values[i] !== first[i])) out.push(i);
  return out;
}

function median(xs: number[]): number {
  if (xs.length === 0) return 0;
  // a typed array sorts numerically without calling back into JS: units can hold thousands of gaps
  const s = Float64Array.from(xs).sort();
  return s[Math.floor(s.length / 2)]!;
}

/** Pause between the end of one statement and the start of the next (0 when times are missing). */
function gapBetween(a: Stmt, b: Stmt): number {
  const end = a.time;
  const start = startOf(b);
  return end !== null && start !== null ? Math.max(0, start - end) : 0;
}

/** Timing of `run` (consecutive statements of `context`). */
export function runTiming(context: Stmt[], run: Stmt[]): RunTiming {
  const first = context.indexOf(run[0]!);
  const last = context.indexOf(run[run.length - 1]!);
  let maxInner = 0;
  for (let k = first + 1; k <= last; k++) maxInner = Math.max(maxInner, gapBetween(context[k - 1]!, context[k]!));
  const t0 = startOf(run[0]!);
  const t1 = run[run.length - 1]!.time;
  return {
    spanMs: t0 !== null && t1 !== null ? Math.max(0, t1 - t0) : 0,
    maxInnerGap: maxInner,
    gapBefore: first > 0 ? gapBetween(context[first - 1]!, context[first]!) : null,
    gapAfter: last >= 0 && last < context.length - 1 ? gapBetween(context[last]!, context[last + 1]!) : null,
  };
}

function sameTemplates(st: Stmt[], a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (st[a + k]!.t !== st[b + k]!.t) return false;
  return true;
}

/** Whether st[start..start+len) holds at least two templates that are not control statements (len ≤ 8: no set needed). */
function twoWorkTemplates(st: Stmt[], start: number, len: number): boolean {
  let first: TemplateInfo | null = null;
  for (let k = start; k < start + len; k++) {
    const t = st[k]!.t;
    if (CONTROL_VERBS.has(t.verb)) continue;
    if (first === null) first = t;
    else if (t !== first) return true;
  }
  return false;
}

function hasShorterPeriod(st: Stmt[], start: number, len: number): boolean {
  for (let p = 1; p < len; p++) {
    if (len % p !== 0) continue;
    let ok = true;
    for (let k = p; k < len && ok; k++) ok = st[start + k]!.t === st[start + k - p]!.t;
    if (ok) return true;
  }
  return false;
}

/** Start of a statement: log time minus its duration (PostgreSQL stamps a statement when it ends). */
function startOf(s: Stmt): number | null {
  if (s.time === null) return null;
  return s.durationMs !== null ? s.time - s.durationMs : s.time;
}

/**
 * Explicit transactions and untimed streams are one burst. Timed autocommit units are cut where the
 * client paused much longer than it usually does between statements: that is where one request ends.
 */
export function splitBursts(unit: Unit, options: DetectOptions): Burst[] {
  const st = unit.statements;
  if (unit.kind !== 'autocommit' || !unit.timed || st.length < 2) {
    return [{ statements: st }];
  }
  const gaps = new Float64Array(st.length);
  for (let i = 1; i < st.length; i++) {
    const a = st[i - 1]!.time;
    const b = startOf(st[i]!);
    gaps[i] = a !== null && b !== null ? Math.max(0, b - a) : 0;
  }
  const sorted = gaps.slice(1).sort();
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const cut = Math.max(options.burstGapMs, median * 5);
  const bursts: Burst[] = [];
  let from = 0;
  for (let i = 1; i <= st.length; i++) {
    if (i < st.length && gaps[i]! < cut) continue;
    bursts.push({ statements: st.slice(from, i) });
    from = i;
  }
  return bursts;
}

export function commonCallSite(stmts: Stmt[]): string | null {
  const first = stmts[0]?.callSite ?? null;
  return first !== null && stmts.every((s) => s.callSite === first) ? first : null;
}

function requestTag(stmts: Stmt[]): string | null {
  const tags = stmts[0]?.tags;
  if (!tags) return null;
  for (const k of ['request_id', 'traceparent', 'route', 'controller', 'action']) {
    const v = tags[k];
    if (v !== undefined && stmts.every((s) => s.tags?.[k] === v)) return `${k}=${v}`;
  }
  return null;
}

const KEY_LIKE = /^(?:-?\d{1,19}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9_.:-]{1,64})$/i;

/** Whether the varying values look like keys (ids, uuids, short codes) rather than free text. */
export function looksLikeKeys(stmts: Stmt[]): boolean {
  let seen = 0;
  for (const s of stmts) {
    for (const v of s.values) {
      if (v === null) continue;
      if (!KEY_LIKE.test(v)) return false;
      if (++seen > 50) return true;
    }
  }
  return seen > 0;
}

/** The templates of a block, in order, each once. */
export function blockMembers(b: Block): TemplateInfo[] {
  return [...new Set(b.burst.statements.slice(b.start, b.start + b.length).map((s) => s.t))];
}

/**
 * A block made only of plain lookups (besides control statements): each member is a loop of its own. Aggregates
 * stay a block: counts that differ in a condition merge into one GROUP BY with FILTER.
 */
export function readsOnly(members: TemplateInfo[]): boolean {
  return members.every((t) => {
    if (isCatalogOrControl(t)) return true;
    const s = shapeFor(t);
    return s.kind === 'select' && s.aggregates.length === 0 && (t.verb === 'select' || t.verb === 'with');
  });
}

/**
 * Templates whose statements interleave with `stmts` and repeat too: the other lookups of one loop body
 * (a row's holder and series, loaded as the identity map first meets each key).
 */
function interleaved(groups: Map<TemplateInfo, Stmt[]>, t: TemplateInfo, stmts: Stmt[]): Set<TemplateInfo> | null {
  if (stmts.length < 2) return null;
  const from = stmts[0]!.index;
  const to = stmts[stmts.length - 1]!.index;
  let out: Set<TemplateInfo> | null = null;
  for (const [u, other] of groups) {
    if (u === t || other.length < 2 || isNoise(u) || u.verb !== 'select') continue;
    if (other[0]!.index < to && other[other.length - 1]!.index > from && other.some((x) => x.index > from && x.index < to)) (out ??= new Set([t])).add(u);
  }
  return out;
}

