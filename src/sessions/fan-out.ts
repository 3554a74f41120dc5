/**
 * Loops spread over pooled connections (Promise.all over N lookups, a thread pool): the same statement
 * started on several sessions of one application at nearly the same moment, each session running a
 * back-to-back run of it. Such clusters become synthetic units of work ('fan-out') for the detectors.
 */
import type { Stmt, TemplateInfo, Unit } from './types.js';

export interface FanOutOptions {
  /** Runs whose first statements start within this many ms of each other form one cluster. */
  windowMs: number;
  /** Statements a cluster needs before it is handed to the detectors (the loop threshold). */
  minRepeats: number;
}

/** A session's current back-to-back run of one template. */
interface Run {
  session: string;
  t: TemplateInfo;
  /** The run's statements: the first, and the others once there are any (most runs are one statement). */
  first: Stmt;
  more: Stmt[] | null;
  length: number;
  /** The statement before the run on its session, a possible parent. */
  before: Stmt | null;
  start: number;
  /** The session's first statement: sent on a connection the pool opened for it, late by a connect and login. */
  cold: boolean;
}

interface SessionRun {
  run: Run | null;
  last: Stmt | null;
  ctx: FanOutContext;
}

interface Cluster {
  input: number;
  start: number;
  runs: Run[];
  /** Statements in the runs, and runs of two or more: kept as runs join, so most clusters are rejected in O(1). */
  total: number;
  multi: number;
  /** One of its runs was a new connection's first statement (see COLD_START_MS). */
  cold: boolean;
  application: string | null;
  user: string | null;
  database: string | null;
  orm: string | null;
  file: string;
}

const MAX_RUN = 1000;
/**
 * Runs a cluster takes before it is decided: a log whose times stand still or repeat (files of several app
 * servers concatenated, a log copied twice) would otherwise grow one cluster, and the units held for it, forever.
 */
const MAX_CLUSTER_RUNS = 1000;
/**
 * How much later a lookup may start when the pool opened its connection for it: TCP, then a SCRAM login
 * (tens of ms; 40–90 ms measured for TypeORM's Promise.all on a new pool, tests/fixtures/accuracy s46).
 */
const COLD_START_MS = 100;
/** Log time after which a cluster is decided (expire) and an open run no longer holds units back. */
const HORIZON_MS = 1000;

/** Where a session's statements come from; a fan-out stays within one input, one application and one database. */
export interface FanOutContext {
  input: number;
  application: string | null;
  user: string | null;
  database: string | null;
  orm: string | null;
  /** The session has run nothing before this statement: a connection just opened (the collector forgets quiet ones). */
  fresh: boolean;
}

const startOf = (s: Stmt) => (s.time === null ? null : s.durationMs !== null ? s.time - s.durationMs : s.time);

export class FanOutCollector {
  private readonly sessions = new Map<string, SessionRun>();
  /** One open cluster per statement shape (an application's clusters of other shapes never mix with it). */
  private readonly clusters = new Map<TemplateInfo, Cluster>();
  private latest = -Infinity;
  /** Runs started in the last second of log time, oldest first (from `recentHead` on): what may still join a fan-out. */
  private readonly recent: Run[] = [];
  private recentHead = 0;
  /** Whole-second times (%t) cannot tell simultaneous from sequential: fan-outs need sub-second times. */
  private fineTimes = false;

  constructor(
    private readonly options: FanOutOptions,
    private readonly onUnit: (unit: Unit) => void,
  ) {}

  /** A statement of an autocommit unit of `session` (explicit transactions are units of their own). */
  statement(stmt: Stmt, session: string, ctx: FanOutContext): void {
    const start = startOf(stmt);
    if (start === null) return;
    if (!this.fineTimes && stmt.time! % 1000 !== 0) this.fineTimes = true;
    if (start > this.latest) this.latest = start;
    let s = this.sessions.get(session);
    const cold = ctx.fresh;
    if (s === undefined) {
      s = { run: null, last: null, ctx };
      this.sessions.set(session, s);
    }
    s.ctx = ctx;
    if (s.run !== null && s.run.t === stmt.t && s.run.length < MAX_RUN) {
      if (s.run.more === null) s.run.more = [stmt];
      else s.run.more.push(stmt);
      s.run.length++;
    } else {
      if (s.run !== null) this.closeRun(s.run, ctx);
      s.run = { session, t: stmt.t, first: stmt, more: null, length: 1, before: s.last, start, cold: cold && s.last === null };
      this.recent.push(s.run);
      this.pruneRecent();
    }
    s.last = stmt;
    if (this.latest - this.lastForget >= HORIZON_MS) this.forgetSilent();
    this.expire();
  }

  private lastForget = -Infinity;

  /**
   * Sessions silent for longer than the horizon can no longer take part in a fan-out: their runs are over and
   * their state is dropped (a log without disconnection lines never ends them otherwise).
   */
  private forgetSilent(): void {
    this.lastForget = this.latest;
    for (const [key, s] of this.sessions) {
      // no last statement: the session is in an explicit transaction, whose next autocommit run starts afresh
      const last = s.last === null ? -Infinity : s.last.time;
      if (last === null || this.latest - last <= HORIZON_MS) continue;
      if (s.run !== null) this.closeRun(s.run, s.ctx);
      this.sessions.delete(key);
    }
  }

  /** The session ended, or entered an explicit transaction: its run is over. */
  endSession(session: string, ctx: FanOutContext, forget: boolean): void {
    const s = this.sessions.get(session);
    if (s === undefined) return;
    if (s.run !== null) this.closeRun(s.run, ctx);
    s.run = null;
    s.last = null;
    if (forget) this.sessions.delete(session);
  }

  end(): void {
    for (const [key, s] of this.sessions) {
      if (s.run !== null) this.closeRun(s.run, s.ctx);
      this.sessions.delete(key);
    }
    for (const c of this.clusters.values()) this.finish(c);
    this.clusters.clear();
  }

  private closeRun(run: Run, ctx: FanOutContext): void {
    // A run long enough to be a loop on its own is reported by its session's unit already.
    if (run.length >= this.options.minRepeats) return;
    const key = run.t;
    let c = this.clusters.get(key);
    // a Promise.all on a cold pool waits for its new connections: their lookups start a login later
    const window = this.options.windowMs + (run.cold || c?.cold === true ? COLD_START_MS : 0);
    if (
      c !== undefined &&
      (Math.abs(run.start - c.start) > window || c.runs.length >= MAX_CLUSTER_RUNS || c.input !== ctx.input || c.application !== ctx.application || c.database !== ctx.database)
    ) {
      this.finish(c);
      this.clusters.delete(key);
      c = undefined;
    }
    if (c === undefined) {
      c = { input: ctx.input, start: run.start, runs: [], total: 0, multi: 0, cold: false, application: ctx.application, user: ctx.user, database: ctx.database, orm: ctx.orm, file: run.first.file };
      this.clusters.set(key, c);
    }
    if (run.start < c.start) c.start = run.start;
    c.runs.push(run);
    if (run.cold) c.cold = true;
    c.total += run.length;
    if (run.length >= 2) c.multi++;
  }

  /** Clusters whose window has long passed cannot grow: decide them, so memory stays bounded. */
  private lastExpire = -Infinity;

  /**
   * Follow mode's clock: as of `now`, runs of sessions silent for a second are over, and clusters whose
   * second has passed are decided, so a fan-out is reported while the log is quiet, not only at the stop.
   */
  sweep(now: number): void {
    if (now > this.latest) this.latest = now;
    for (const s of this.sessions.values()) {
      const last = s.last?.time ?? null;
      if (s.run !== null && last !== null && now - last > 1000) {
        this.closeRun(s.run, s.ctx);
        s.run = null;
      }
    }
    this.lastExpire = -Infinity;
    this.expire();
  }

  /**
   * The earliest start of a run that may still become part of a fan-out unit (an open run, or a cluster not
   * decided yet); Infinity when there is none. A unit that ended before it holds no statement of a fan-out to come.
   */
  pendingSince(): number {
    this.pruneRecent();
    let min = Infinity;
    for (const c of this.clusters.values()) if (c.start < min) min = c.start;
    for (let i = this.recentHead; i < this.recent.length; i++) {
      const r = this.recent[i]!;
      if (r.start < min && this.pending(r)) min = r.start;
    }
    return min;
  }

  /** A run that may still be closed into a cluster: its session's current run, the session heard from within the horizon. */
  private pending(r: Run): boolean {
    const s = this.sessions.get(r.session);
    const last = s?.last?.time ?? null;
    return s !== undefined && s.run === r && last !== null && this.latest - last <= HORIZON_MS;
  }

  /** Forget runs at the front that can no longer join a fan-out. */
  private pruneRecent(): void {
    while (this.recentHead < this.recent.length && !this.pending(this.recent[this.recentHead]!)) this.recentHead++;
    if (this.recentHead > 1024 && this.recentHead * 2 > this.recent.length) {
      this.recent.splice(0, this.recentHead);
      this.recentHead = 0;
    }
  }

  private expire(): void {
    // every 100 ms of log time is often enough: a cluster only needs deciding once its second has passed
    if (this.clusters.size === 0 || this.latest - this.lastExpire < 100) return;
    this.lastExpire = this.latest;
    for (const [key, c] of this.clusters) {
      if (this.latest - c.start > HORIZON_MS) {
        this.finish(c);
        this.clusters.delete(key);
      }
    }
  }

  private finish(c: Cluster): void {
    if (!this.fineTimes) return;
    // cheap rejection first: most clusters are one lookup on a couple of connections
    const small = c.total < this.options.minRepeats || (c.multi < 2 && c.runs.length < this.options.minRepeats);
    if ((small && !c.cold) || c.total < 2) return;
    const sessions = new Set(c.runs.map((r) => r.session));
    if (sessions.size < 2) return;
    const statements = c.runs.flatMap((r) => (r.more === null ? [r.first] : [r.first, ...r.more]));
    // the parent is the query whose rows were fanned out: the latest SELECT that ran just before a run on
    // one of these connections (the pool may hand the first lookups to other connections)
    const first = c.runs.reduce((a, b) => (b.start < a.start ? b : a));
    let parent: Stmt | null = null;
    let parentRun: Run | null = null;
    for (const r of c.runs) {
      const b = parentBefore(r, first.start, this.options.windowMs);
      if (b === null) continue;
      if (parent === null || b.time! > parent.time!) {
        parent = b;
        parentRun = r;
      }
    }
    // Concurrent requests run the same lookup on many connections at once, one each. A fan-out saturates
    // the pool: at least two connections run the statement back to back. With a pool as large as the
    // fan-out, each connection runs it once: then only a parent right before them all is evidence.
    const saturated = c.multi >= 2;
    const wide = sessions.size >= this.options.minRepeats && parent !== null && first.start - (parent.time ?? -Infinity) <= this.options.windowMs;
    // A Promise.all on a pool still opening its connections: right after the parent, the parent's connection
    // runs the first lookup and connections opened at that moment run the others a login later, each with its
    // own key. Concurrent requests open connections too, but arrive one after another, not behind one parent.
    const coldStart =
      c.cold &&
      parent !== null &&
      parentRun === first &&
      c.runs.every((r) => r === parentRun || (r.cold && r.start - first.start <= this.options.windowMs + COLD_START_MS)) &&
      new Set(statements.map((x) => x.key)).size === statements.length;
    if (small ? !coldStart : !saturated && !wide) return;
    if (independentRequests(c.runs, this.options.windowMs)) return;
    statements.sort((a, b) => startOf(a)! - startOf(b)!);
    const ordered = parent !== null ? [parent, ...statements] : statements;
    for (const s of statements) s.fannedOut = true;
    // synthetic statements carry their position in the synthetic unit
    const copies = ordered.map((s, index) => ({ ...s, index }));
    this.onUnit({
      kind: 'fan-out',
      // session keys are namespaced by input ("0/…"): show them as the log has them
      session: [...sessions].map((k) => k.slice(k.indexOf('/') + 1)).sort().join(' + '),
      tx: null,
      application: c.application,
      user: c.user,
      database: c.database,
      orm: c.orm,
      file: c.file,
      statements: copies,
      timed: true,
      closedBy: `fanned out over ${sessions.size} connections`,
    });
  }
}

/**
 * Concurrent requests that each run a query and then one lookup (Django's connection per request, a pool of
 * threads), not one request fanning out: at least half of the connections, and two or more, ran a SELECT of one
 * template right before their own lookups. A fan-out's parent runs on one connection; the others run only lookups.
 */
function independentRequests(runs: Run[], windowMs: number): boolean {
  const own = new Map<TemplateInfo, number>();
  let most = 0;
  for (const r of runs) {
    const b = parentBefore(r, r.start, windowMs);
    if (b === null) continue;
    const n = (own.get(b.t) ?? 0) + 1;
    own.set(b.t, n);
    if (n > most) most = n;
  }
  return most >= 2 && most * 2 >= runs.length;
}

/** The SELECT (or WITH) of another template a run's connection ran just before it: within `windowMs` before `at`. */
function parentBefore(r: Run, at: number, windowMs: number): Stmt | null {
  const b = r.before;
  if (b === null || b.t === r.t || (b.t.verb !== 'select' && b.t.verb !== 'with') || b.time === null) return null;
  return b.time > at + 1 || at - b.time > windowMs ? null : b;
}
