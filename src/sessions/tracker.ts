/**
 * Per-session state machines: events in, finished units of work out. A unit is an explicit transaction,
 * or a run of autocommit statements ended by an idle gap, a transaction, a request boundary or a disconnect.
 * Memory is bounded by the open sessions: a closed unit is handed on and forgotten.
 */
import { CONTROL_VERBS, ITERATION_MAX_WORK, MAX_HOLD_MS, MAX_OPEN_SESSIONS, type LogEvent } from '../formats/types.js';
import { detach } from '../input/lines.js';
import { FanOutCollector, type FanOutContext } from './fan-out.js';
import { buildStmt, MAX_STATEMENT_CHARS, transactionVerb, type TemplateCache } from './statement.js';
import type { Stmt, Unit } from './types.js';

export interface TrackerOptions {
  /** Autocommit statements further apart than this start a new unit. */
  idleGapMs: number;
  /** A unit holding more statements than this is analyzed and a new one started (bounds memory on bulk jobs). */
  maxUnitStatements: number;
  /** Runs of one statement on several connections starting within this many ms are one fanned-out loop (0: off; default 50). */
  fanOutWindowMs?: number;
  /** The loop threshold, for fanned-out loops (the detectors' --min-repeats). */
  minRepeats?: number;
  /**
   * Sessions kept at once (default MAX_OPEN_SESSIONS). A log without disconnection lines never says a session
   * ended: past this, the sessions silent longest have their units analyzed and are forgotten.
   */
  maxOpenSessions?: number;
  /**
   * Statements kept in open units of all sessions together (default MAX_OPEN_STATEMENTS): busy connections that
   * never pause for the idle gap would each hold maxUnitStatements. Past it, the largest open units are cut.
   */
  maxOpenStatements?: number;
}

/**
 * Statements of finished units waiting for a fan-out to be decided (they may hold part of it). Normally a second
 * of log time's worth; bounded for logs whose clock goes back, where a fan-out can stay pending for good.
 */
const MAX_HELD_STATEMENTS = 20_000;

/** Default of TrackerOptions.maxOpenStatements (~300 bytes each). */
export const MAX_OPEN_STATEMENTS = 100_000;

/** Where events come from: which input, and which ORM wrote it. */
export interface InputContext {
  index: number;
  orm: string | null;
}

interface SessionState {
  /** Session key namespaced by input ("0/…"), built once per session rather than per event. */
  key: string;
  /** The input and the format's own session key (to forget it in byInput). */
  input: number;
  id: string;
  /** What the fan-out collector needs of this session; updated in place. */
  ctx: FanOutContext;
  unit: Unit | null;
  /**
   * The autocommit unit set aside while a transaction is open: a transaction as small as one loop iteration
   * (Rails' `create`, Sequelize's `findOrCreate`: BEGIN, one or a few statements, COMMIT) joins it on commit,
   * so a loop whose every iteration is its own transaction reads as the loop it is (see foldable).
   */
  flow: Unit | null;
  lastTime: number | null;
  /** Request identity from sqlcommenter tags (request_id, traceparent…); a change ends the unit. */
  requestTag: string | null;
  application: string | null;
  user: string | null;
  database: string | null;
  /**
   * An ORM log written by several connections at once (a pool's threads, no thread name in the format): a BEGIN
   * came inside an open transaction. Its BEGIN/COMMIT lines then cannot delimit transactions; the stream is read
   * as autocommit traffic.
   */
  merged: boolean;
  /** The last statement's text when it was logged as it started (log_statement, no duration): an error names it again. */
  startedSql: string | null;
  /** When it was last heard from, in events: the sessions silent longest are forgotten first at maxOpenSessions. */
  used: number;
}

/** Tags whose value names one request; a new value means a new unit of work. */
const REQUEST_TAGS = ['request_id', 'requestid', 'traceparent', 'trace_id', 'x-request-id', 'job_id'];
/** Tags that name a code path; a change of route means a new request even without a request id. */
const ROUTE_TAGS = ['route', 'controller', 'action', 'framework_route', 'path', 'job'];

export interface TrackerCounters {
  statements: number;
  sessions: number;
  transactions: number;
  units: number;
}

export class SessionTracker {
  private readonly sessions = new Map<string, SessionState>();
  /** Per input, per session (the format's key): how many times a unit was cut at maxUnitStatements. */
  private readonly cuts: Map<string, number>[] = [];

  /** Sessions of this input whose units were cut at the statement limit, with how many cuts each. */
  cutsOf(input: number): { session: string; cuts: number }[] {
    return [...(this.cuts[input] ?? new Map<string, number>())].map(([session, cuts]) => ({ session, cuts }));
  }

  /** Per input: sessions forgotten at maxOpenSessions while they might still have been open. */
  private readonly shed: number[] = [];
  private seq = 0;

  /** Per input: statements over MAX_STATEMENT_CHARS, fingerprinted by their start and not kept whole. */
  private readonly long: number[] = [];

  /** Statements in open units now, and per input the units cut at maxOpenStatements. */
  private openStatements = 0;
  private readonly memoryCuts: number[] = [];

  /** Units of this input cut because more than maxOpenStatements statements were in open units at once. */
  memoryCutsOf(input: number): number {
    return this.memoryCuts[input] ?? 0;
  }

  get maxOpenStatements(): number {
    return this.options.maxOpenStatements ?? MAX_OPEN_STATEMENTS;
  }

  /** Statements of this input longer than MAX_STATEMENT_CHARS. */
  longOf(input: number): number {
    return this.long[input] ?? 0;
  }

  /** Sessions of this input forgotten because more than maxOpenSessions were open at once. */
  shedOf(input: number): number {
    return this.shed[input] ?? 0;
  }

  get maxOpenSessions(): number {
    return this.options.maxOpenSessions ?? MAX_OPEN_SESSIONS;
  }
  /** The same sessions by input, then by the format's session key: found without building the namespaced key. */
  private readonly byInput: Map<string, SessionState>[] = [];
  readonly counters: TrackerCounters = { statements: 0, sessions: 0, transactions: 0, units: 0 };
  private latestTime = -Infinity;
  private sinceSweep = 0;

  private readonly fanOut: FanOutCollector | null;

  constructor(
    private readonly options: TrackerOptions,
    private readonly templates: TemplateCache,
    private readonly onUnit: (unit: Unit) => void,
    private readonly onStatement: (stmt: Stmt, ev: LogEvent) => void,
  ) {
    const windowMs = options.fanOutWindowMs ?? 50;
    this.fanOut = windowMs > 0 ? new FanOutCollector({ windowMs, minRepeats: options.minRepeats ?? 5 }, (u) => this.emitUnit(u)) : null;
  }

  /** Autocommit units that may hold part of a fan-out not decided yet: detected once it is (see release). */
  private readonly held: Unit[] = [];
  private releasedAt = -Infinity;

  private heldStatements = 0;
  /** Per input: units handed on before the fan-outs they might belong to were decided, at MAX_HELD_STATEMENTS. */
  private readonly heldEarly: number[] = [];

  /** Units of this input detected before a pending fan-out was decided, because too many statements waited. */
  heldEarlyOf(input: number): number {
    return this.heldEarly[input] ?? 0;
  }

  private emitUnit(unit: Unit): void {
    if (this.fanOut !== null && unit.kind === 'autocommit' && unit.timed && (this.held.length > 0 || lastStart(unit) >= this.fanOut.pendingSince())) {
      this.held.push(unit);
      this.heldStatements += unit.statements.length;
      // a log whose clock goes back (files concatenated, a copy appended) can keep a fan-out pending for good,
      // and every later unit would wait behind it: past the limit the oldest are detected as they stand
      while (this.heldStatements > MAX_HELD_STATEMENTS && this.held.length > 0) {
        const early = this.shiftHeld();
        const input = Number(early.session.slice(0, early.session.indexOf('/')));
        this.heldEarly[input] = (this.heldEarly[input] ?? 0) + 1;
        this.handOn(early);
      }
      return;
    }
    this.handOn(unit);
  }

  private handOn(unit: Unit): void {
    this.counters.units++;
    this.onUnit(unit);
  }

  private shiftHeld(): Unit {
    const unit = this.held.shift()!;
    this.heldStatements -= unit.statements.length;
    return unit;
  }

  /** Hand on the held units that ended before every fan-out still pending began (all of them with `all`). */
  private release(all = false): void {
    if (this.held.length === 0) return;
    const since = all || this.fanOut === null ? Infinity : this.fanOut.pendingSince();
    while (this.held.length > 0 && (all || lastStart(this.held[0]!) < since)) {
      this.handOn(this.shiftHeld());
    }
  }

  private fanOutContext(s: SessionState, input: InputContext): FanOutContext {
    const c = s.ctx;
    c.input = input.index;
    c.application = s.application;
    c.user = s.user;
    c.database = s.database;
    c.orm = input.orm;
    c.fresh = s.lastTime === null;
    return c;
  }

  private forget(s: SessionState): void {
    this.sessions.delete(s.key);
    this.byInput[s.input]?.delete(s.id);
  }

  event(ev: LogEvent, input: InputContext): void {
    // held units wait for fan-outs to be decided; asking every 10 ms of log time is often enough
    if (this.held.length > 0 && ev.time !== null && ev.time - this.releasedAt >= 10) {
      this.releasedAt = ev.time;
      this.release();
    }
    let perInput = this.byInput[input.index];
    if (perInput === undefined) {
      perInput = new Map();
      this.byInput[input.index] = perInput;
    }
    let s = perInput.get(ev.session);
    if (s === undefined) {
      if (this.sessions.size >= this.maxOpenSessions) {
        this.shedSessions();
      }
      const id = detach(ev.session);
      const key = `${input.index}/${id}`;
      s = {
        key,
        input: input.index,
        id,
        ctx: { input: input.index, application: null, user: null, database: null, orm: input.orm, fresh: true },
        unit: null,
        flow: null,
        lastTime: null,
        requestTag: null,
        merged: false,
        application: null,
        user: null,
        database: null,
        startedSql: null,
        used: 0,
      };
      this.sessions.set(key, s);
      perInput.set(id, s);
      this.counters.sessions++;
    }
    const key = s.key;
    s.used = ++this.seq;
    // kept for the session's life: copies, not slices that keep a line's decode window alive
    if (ev.application !== null && ev.application !== s.application) s.application = detach(ev.application);
    if (ev.user !== null && ev.user !== s.user) s.user = detach(ev.user);
    if (ev.database !== null && ev.database !== s.database) s.database = detach(ev.database);
    if (ev.time !== null && ev.time > this.latestTime) this.latestTime = ev.time;

    switch (ev.kind) {
      case 'begin':
        this.counters.statements++;
        this.beginTx(s, key, ev, input);
        return;
      case 'commit':
      case 'rollback':
        this.counters.statements++;
        this.endTx(s, ev.kind);
        return;
      case 'disconnect':
        this.closeFlow(s, 'disconnect');
        this.close(s, 'disconnect');
        this.fanOut?.endSession(key, this.fanOutContext(s, input), true);
        this.forget(s);
        return;
      case 'other':
        // a request boundary written by the ORM (Rails "Started GET …")
        this.closeFlow(s, 'request boundary');
        if (s.unit?.kind === 'autocommit') this.close(s, 'request boundary');
        return;
      case 'statement':
        break;
      case 'error':
        // a failed statement (ERROR + STATEMENT) ran and counts like any other; under log_statement its text was
        // already logged as it started, and the error only names it again
        if (ev.sql === null || ev.sql === s.startedSql) {
          s.startedSql = null;
          return;
        }
        break;
      default:
        return;
    }
    s.startedSql = ev.kind === 'statement' && ev.durationMs === null ? ev.sql : null;

    if (ev.sql !== null && ev.sql.length > MAX_STATEMENT_CHARS) this.long[input.index] = (this.long[input.index] ?? 0) + 1;
    const stmt = buildStmt(ev, this.templates);
    this.counters.statements++;
    this.onStatement(stmt, ev);
    const verb = transactionVerb(stmt.t);
    if (verb === 'begin') {
      this.beginTx(s, key, ev, input);
      return;
    }
    if (verb !== null) {
      this.endTx(s, verb);
      return;
    }

    let unit = s.unit;
    if (unit !== null && unit.kind === 'autocommit') {
      if (ev.time !== null && s.lastTime !== null && ev.time - s.lastTime > this.options.idleGapMs) {
        this.close(s, 'idle gap');
        unit = null;
      } else if (stmt.tags !== null) {
        const req = requestIdentity(stmt.tags);
        if (req !== null && s.requestTag !== null && req !== s.requestTag) {
          this.close(s, 'request tag changed');
          unit = null;
        }
      }
    }
    if (stmt.tags !== null) s.requestTag = requestIdentity(stmt.tags) ?? s.requestTag;
    if (unit === null) unit = this.open(s, key, 'autocommit', ev, input);
    if (unit.statements.length >= this.options.maxUnitStatements) {
      const kind = unit.kind;
      // said in the report: loops that span the cut are seen in parts
      let cuts = this.cuts[s.input];
      if (cuts === undefined) this.cuts[s.input] = cuts = new Map();
      cuts.set(s.id, (cuts.get(s.id) ?? 0) + 1);
      this.close(s, 'unit size limit');
      unit = this.open(s, key, kind, ev, input);
    }
    stmt.index = unit.statements.length;
    unit.statements.push(stmt);
    if (unit.kind === 'autocommit') this.fanOut?.statement(stmt, key, this.fanOutContext(s, input));
    else if (s.flow !== null && !foldable(unit)) this.closeFlow(s, 'explicit transaction');
    if (ev.time !== null) {
      s.lastTime = ev.time;
      unit.timed = true;
    }
    if (++this.sinceSweep >= 50_000) this.sweep();
    if (++this.openStatements > this.maxOpenStatements) this.cutLargest();
  }

  /**
   * More than maxOpenStatements statements in open units: close the idle ones, then cut the largest open units
   * until a tenth of the limit is free. A cut unit goes on as a new one of the same kind (a transaction stays one).
   */
  private cutLargest(): void {
    this.sweepAt(this.latestTime, MAX_HOLD_MS);
    const target = this.maxOpenStatements - Math.max(1, Math.floor(this.maxOpenStatements / 10));
    if (this.openStatements <= target) return;
    const open = [...this.sessions.values()].filter((x) => x.unit !== null && x.unit.statements.length > 0);
    open.sort((a, b) => b.unit!.statements.length - a.unit!.statements.length);
    for (const x of open) {
      if (this.openStatements <= target) break;
      const old = x.unit!;
      this.close(x, 'open statements limit');
      x.unit = { ...old, statements: [], timed: false, closedBy: '' };
      this.memoryCuts[x.input] = (this.memoryCuts[x.input] ?? 0) + 1;
    }
  }

  /** Close every open unit (end of input). */
  end(): void {
    for (const s of this.sessions.values()) {
      this.closeFlow(s, 'end of input');
      this.close(s, 'end of input');
    }
    this.sessions.clear();
    this.openStatements = 0;
    this.byInput.length = 0;
    // fanned-out loops first: their statements are marked before their sessions' own units are detected
    this.fanOut?.end();
    this.release(true);
  }

  get openSessions(): number {
    return this.sessions.size;
  }

  /** Latest log time seen so far, or null before any timed event. */
  get latestLogTime(): number | null {
    return Number.isFinite(this.latestTime) ? this.latestTime : null;
  }

  private sweep(): void {
    this.sinceSweep = 0;
    // a format may still hold a session's last statement for MAX_HOLD_MS of log time: it must find its unit open
    this.sweepAt(this.latestTime, MAX_HOLD_MS);
  }

  /**
   * Close autocommit units idle for longer than the gap (plus `margin`), and forget sessions silent for an hour, as
   * of log time `now`. Called every 50,000 statements with the latest log time, and by follow mode's timer with
   * wall-clock time mapped onto log time (no new line means the log's clock moved on too).
   */
  sweepAt(now: number, margin = 0): void {
    if (!Number.isFinite(now)) return;
    for (const s of this.sessions.values()) {
      if (s.lastTime === null) continue;
      const idle = now - s.lastTime;
      if (s.unit?.kind === 'autocommit' && idle > this.options.idleGapMs + margin) this.close(s, 'idle gap');
      if (s.flow !== null && idle > this.options.idleGapMs + margin) this.closeFlow(s, 'idle gap');
      if (idle > 3_600_000) {
        this.closeFlow(s, 'session idle');
        this.close(s, 'session idle');
        this.forget(s);
      }
    }
  }

  /**
   * More than maxOpenSessions sessions: close the idle ones' units, then forget the tenth silent longest (their
   * open units are analyzed as they stand). Said in the report: a forgotten session that logs again counts anew.
   */
  private shedSessions(): void {
    this.sweepAt(this.latestTime, MAX_HOLD_MS);
    const max = this.maxOpenSessions;
    const keep = max - Math.max(1, Math.floor(max / 10));
    if (this.sessions.size <= keep) return;
    const uses = [...this.sessions.values()].map((s) => s.used).sort((a, b) => a - b);
    const below = uses[this.sessions.size - keep - 1]!;
    for (const s of [...this.sessions.values()]) {
      if (s.used > below) continue;
      this.closeFlow(s, 'session limit');
      this.close(s, 'session limit');
      this.fanOut?.endSession(s.key, s.ctx, true);
      this.forget(s);
      this.shed[s.input] = (this.shed[s.input] ?? 0) + 1;
    }
  }

  /** Follow mode: also end the fanned-out loops that the quiet log has finished (see FanOutCollector.sweep). */
  sweepLiveAt(now: number): void {
    // follow mode flushed the formats first: nothing is held back any more
    this.sweepAt(now);
    if (Number.isFinite(now)) this.fanOut?.sweep(now);
    this.release();
  }

  /** ORM streams found to mix connections, with the line that showed it (for the report's warnings). */
  readonly mergedStreams: { file: string; line: number }[] = [];

  private beginTx(s: SessionState, key: string, ev: LogEvent, input: InputContext): void {
    if (s.merged) return;
    if (input.orm !== null && s.unit?.kind === 'transaction') {
      s.merged = true;
      s.unit.kind = 'autocommit';
      if (this.mergedStreams.length < 20) this.mergedStreams.push({ file: ev.file, line: ev.line });
      return;
    }
    const idle = ev.time !== null && s.lastTime !== null && ev.time - s.lastTime > this.options.idleGapMs;
    if (s.unit?.kind === 'autocommit' && !idle) {
      // kept open: the transaction may be one iteration of a loop that continues this flow
      this.closeFlow(s, 'explicit transaction');
      s.flow = s.unit;
      s.unit = null;
    } else {
      this.closeFlow(s, idle ? 'idle gap' : 'explicit transaction');
      this.close(s, idle ? 'idle gap' : 'explicit transaction');
    }
    this.fanOut?.endSession(key, this.fanOutContext(s, input), false);
    this.open(s, key, 'transaction', ev, input);
    this.counters.transactions++;
    if (ev.time !== null) s.lastTime = ev.time;
  }

  private endTx(s: SessionState, how: string): void {
    const tx = s.unit;
    if (tx?.kind !== 'transaction' || s.merged) return;
    if (tx.statements.length === 0 || !foldable(tx)) {
      this.closeFlow(s, 'explicit transaction');
      this.close(s, how);
      return;
    }
    // one iteration's transaction: its statements continue the session's autocommit flow
    let flow = s.flow;
    s.flow = null;
    if (flow === null) {
      flow = { ...tx, kind: 'autocommit', tx: null, statements: [] };
    } else if (flow.statements.length + tx.statements.length > this.options.maxUnitStatements) {
      s.unit = flow;
      this.close(s, 'unit size limit');
      flow = { ...tx, kind: 'autocommit', tx: null, statements: [] };
    }
    for (const st of tx.statements) {
      st.index = flow.statements.length;
      st.ownTransaction = true;
      flow.statements.push(st);
    }
    s.unit = flow;
  }

  /** Hand on the autocommit flow set aside for an open transaction (see SessionState.flow). */
  private closeFlow(s: SessionState, why: string): void {
    if (s.flow === null) return;
    const tx = s.unit;
    s.unit = s.flow;
    s.flow = null;
    this.close(s, why);
    s.unit = tx;
  }

  private open(s: SessionState, key: string, kind: Unit['kind'], ev: LogEvent, input: InputContext): Unit {
    const unit: Unit = {
      kind,
      session: key,
      tx: ev.tx,
      application: s.application,
      user: s.user,
      database: s.database,
      orm: input.orm,
      file: ev.file,
      statements: [],
      timed: false,
      closedBy: '',
    };
    s.unit = unit;
    return unit;
  }

  private close(s: SessionState, why: string): void {
    const unit = s.unit;
    if (unit === null) return;
    s.unit = null;
    this.openStatements -= unit.statements.length;
    if (unit.statements.length === 0) return;
    unit.closedBy = why;
    // the session's application may only become known after the unit opened (connection line, later prefix)
    unit.application ??= s.application;
    unit.user ??= s.user;
    unit.database ??= s.database;
    this.emitUnit(unit);
  }
}

/**
 * A transaction that can be one iteration of a loop (an ORM's create, save or find-or-create commits each
 * row): no template twice (no loop of its own inside), and at most two statements of work. A request's or a
 * report's transaction does more, and a queue worker's dequeue, update and audit row too: those stay units.
 */
const FOLD_MAX_STATEMENTS = 8;
const CONTROL = new Set(CONTROL_VERBS);
function foldable(tx: Unit): boolean {
  const st = tx.statements;
  if (st.length > FOLD_MAX_STATEMENTS) return false;
  let work = 0;
  for (const x of st) if (!CONTROL.has(x.t.verb) && ++work > ITERATION_MAX_WORK) return false;
  for (let i = 1; i < st.length; i++) for (let j = 0; j < i; j++) if (st[i]!.t === st[j]!.t) return false;
  return true;
}

function requestIdentity(tags: Record<string, string>): string | null {
  for (const k of REQUEST_TAGS) {
    const v = tags[k];
    if (v !== undefined) return `${k}=${v}`;
  }
  for (const k of ROUTE_TAGS) {
    const v = tags[k];
    if (v !== undefined) return `${k}=${v}`;
  }
  return null;
}

/** Start of a unit's last statement (log time minus duration), or -Infinity without times. */
function lastStart(unit: Unit): number {
  const s = unit.statements[unit.statements.length - 1];
  if (s === undefined || s.time === null) return -Infinity;
  return s.durationMs !== null ? s.time - s.durationMs : s.time;
}
