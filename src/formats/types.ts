/** The contract between log formats and the rest of the pipeline: every format turns lines into LogEvents. */

export type EventKind =
  | 'statement'
  | 'begin'
  | 'commit'
  | 'rollback'
  | 'error'
  | 'connect'
  | 'disconnect'
  | 'other';

/** Bound parameter values: positional ($1 → [0]) or named (%(name)s / :name). null is SQL NULL. */
export type ParamValues = (string | null)[] | Record<string, string | null>;

/** One logical database event, whatever log it came from. */
export interface LogEvent {
  kind: EventKind;
  /** Epoch milliseconds, or null when the log line carries no time. */
  time: number | null;
  /** Session key: session id, pid+start, connection uuid, or the file for single-stream ORM logs. */
  session: string;
  /** Transaction key when the source has one (xid/vxid, Sequelize transaction uuid); null otherwise. */
  tx: string | null;
  user: string | null;
  database: string | null;
  application: string | null;
  client: string | null;
  /** Statement text for statement/begin/commit/rollback events, the message for errors. */
  sql: string | null;
  params: ParamValues | null;
  durationMs: number | null;
  /** Rows returned or affected, where the source logs them (GORM [rows:N], SQLAlchemy Row lines). */
  rows: number | null;
  /** Values seen in the result rows (flattened, capped), where the source logs them (SQLAlchemy echo="debug"). */
  resultValues: string[] | null;
  /** Code location that issued the statement (Rails ↳, GORM file:line, sqlcommenter file=). */
  callSite: string | null;
  /** Where it came from. */
  file: string;
  line: number;
}

/** Options a format parser may need, from flags or config. */
export interface FormatOptions {
  /** log_line_prefix given by the user (--prefix); formats that need one detect it when absent. */
  prefix: string | null;
  /** IANA zone used for zone abbreviations that are ambiguous or unknown (--log-timezone). */
  logTimezone: string | null;
  /** Lines arrive as they are written (follow mode): hold back as few records as possible. */
  live?: boolean;
}

/** What a parser is given: where to send events and where to report lines it could not read. */
export interface FormatContext {
  file: string;
  options: FormatOptions;
  emit(event: LogEvent): void;
  /** Count a line (or record starting at `line`) that could not be read, with a reason a user can act on. */
  skip(line: number, reason: string): void;
}

/** A stateful line assembler: lines go in one at a time (without the newline), events come out via ctx.emit. */
export interface FormatParser {
  push(text: string, line: number): void;
  /** Flush anything pending (a multi-line statement, a statement waiting for its DETAIL line). */
  end(): void;
  /**
   * Optional, for live logs: emit what is held only because a later line could still belong to it (the entry
   * being assembled, a statement waiting for its parameters). Follow mode calls it once the log has been quiet;
   * parsing goes on afterwards.
   */
  flush?(): void;
  /** Facts for `inputs[]` and for doctor: detected prefix, what the log carries. */
  describe?(): Record<string, unknown>;
}

/** A log format. One file per format, all declared the same way and listed in formats/index.ts. */
export interface LogFormat {
  id: string;
  summary: string;
  /** The ORM that writes this log, when it is an ORM log (used for advice). */
  orm: string | null;
  /** Confidence 0..1 that these first lines (newline removed) are this format. */
  sniff(lines: string[]): number;
  create(ctx: FormatContext): FormatParser;
}

export function defineFormat(format: LogFormat): LogFormat {
  return format;
}

/** Verbs of statements that do no work of their own in a transaction (savepoints, settings). */
export const CONTROL_VERBS: readonly string[] = ['savepoint', 'release', 'set', 'show', 'reset'];
/**
 * Statements of real work in a transaction that can be one iteration of a loop (a uniqueness check, a lookup,
 * the write): such transactions continue their session's stream (sessions/tracker.ts), and an ORM log that names
 * transactions instead of connections passes them on there (formats/sequelize.ts).
 */
export const ITERATION_MAX_WORK = 2;

/** A LogEvent with every optional field empty; formats fill what they know. */
export function blankEvent(kind: EventKind, file: string, line: number): LogEvent {
  return {
    kind,
    time: null,
    session: file,
    tx: null,
    user: null,
    database: null,
    application: null,
    client: null,
    sql: null,
    params: null,
    durationMs: null,
    rows: null,
    resultValues: null,
    callSite: null,
    file,
    line,
  };
}

/**
 * Log time a statement is held by a format after it was logged, waiting for lines that complete it (its DETAIL
 * parameters, the ERROR's STATEMENT): once the log's clock has moved this far past it, it is emitted as it is.
 * Later stages that close units on idle time allow for this delay (a held statement still joins its unit).
 */
export const MAX_HOLD_MS = 1000;
/** The same for a `statement:` line waiting for its own `duration:` line, in logs that write those (log_duration). */
export const MAX_DURATION_HOLD_MS = 60_000;
/**
 * Sessions a format (and the session tracker) keeps state for at once. Logs without disconnection lines never
 * say a session ended: past this, the state of the sessions silent longest is dropped. A server's sessions open
 * at once are bounded by max_connections, far below this; each kept one costs ~2 KB with its open unit
 * (at 50,000, 1,000,000 such sessions peaked at 318 MB RSS; at 20,000, 300,000 of them at 213 MB).
 */
export const MAX_OPEN_SESSIONS = 20_000;
