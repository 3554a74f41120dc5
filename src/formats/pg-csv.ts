/** PostgreSQL csvlog (log_destination = csvlog): RFC 4180 records, possibly spanning lines, read by position (23–26 columns). */
import type { parse as ParseCsv } from 'csv-parse/sync';
import { lazyRequire } from '../lazy-require.js';
import { emptyFields, isSeverity, PgMessageInterpreter, type PgFields } from './pg-message.js';
import { createTimeParser } from './pg-time.js';
import { defineFormat, type FormatContext, type FormatParser } from './types.js';
import { count } from '../text/plural.js';
import { detach } from '../input/lines.js';

/** Column positions; PG ≤ 12 writes 23 columns, PG 13 adds backend_type, PG 14+ adds leader_pid and query_id. */
const C = {
  logTime: 0, user: 1, database: 2, pid: 3, connectionFrom: 4, sessionId: 5, sessionLine: 6, commandTag: 7,
  sessionStart: 8, vxid: 9, xid: 10, severity: 11, sqlState: 12, message: 13, detail: 14, hint: 15,
  internalQuery: 16, internalQueryPos: 17, context: 18, query: 19, queryPos: 20, location: 21, application: 22,
} as const;
/** Fewest columns a csvlog record has (PG 9.0–12). */
export const MIN_CSV_COLUMNS = 23;
const notCsvlogWidth = (columns: number) => `not a csvlog record (${columns} columns; csvlog has ${MIN_CSV_COLUMNS} to 26)`;
/** A record held open by an unbalanced quote is given up past this size (a corrupt file must not eat memory). */
const MAX_RECORD_CHARS = 64 << 20;
/**
 * Records are handed over one at a time, their lines joined by `\n`: that is the record delimiter, so a CR
 * outside quotes is text, as it was when records went to csv-parse in batches (it found `\n` between them).
 */
export const CSV_OPTIONS = { relax_column_count: true, record_delimiter: '\n' } as const;

/** csv-parse, for the records the splitter below leaves to it; loaded on the first of them, not at start-up. */
const csvParse = lazyRequire<{ parse: typeof ParseCsv }>('csv-parse/sync');
const parseCsv = (text: string, options: typeof CSV_OPTIONS): unknown => csvParse().parse(text, options);

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * `YYYY-MM-DD HH:MM:SS` at the start of a line: how every csvlog record begins (log_time). PostgreSQL
 * writes log_time unquoted; a CSV writer that quotes every text field (a re-export, pgBadger's own
 * fixtures) writes `"YYYY-MM-DD …"`, which is the same record.
 */
export function startsWithLogTime(s: string): boolean {
  return startsWithLogTimeAt(s, 0, s.length);
}

/** {@link startsWithLogTime} for s[from, end). */
function startsWithLogTimeAt(s: string, from: number, end: number): boolean {
  const o = s.charCodeAt(from) === 34 ? from + 1 : from;
  return (
    end - o > 19 &&
    isDigit(s.charCodeAt(o)) && isDigit(s.charCodeAt(o + 3)) && s.charCodeAt(o + 4) === 45 && s.charCodeAt(o + 7) === 45 &&
    s.charCodeAt(o + 10) === 32 && s.charCodeAt(o + 13) === 58 && s.charCodeAt(o + 16) === 58
  );
}

/** Number of `"` in a line: a record is complete when its total is even. */
function countQuotes(s: string): number {
  let n = 0;
  let at = s.indexOf('"');
  while (at >= 0) {
    n++;
    at = s.indexOf('"', at + 1);
  }
  return n;
}

/** Cheap shape check for sniffing: log_time, then at least 22 commas outside quotes, a severity at column 11. */
function looksLikeCsvRecord(line: string): boolean {
  if (!startsWithLogTime(line)) return false;
  let commas = 0;
  let inQuote = false;
  let sevStart = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 34) inQuote = !inQuote;
    else if (c === 44 && !inQuote) {
      commas++;
      if (commas === C.severity) sevStart = i + 1;
    }
  }
  if (sevStart < 0) return false;
  const end = line.indexOf(',', sevStart);
  const sev = line.slice(sevStart, end < 0 ? line.length : end);
  // a record whose quoted message spans lines shows fewer commas on its first line; the severity is before the message;
  // a server with lc_messages other than English writes its severities translated (ru: СООБЩЕНИЕ for LOG)
  return (sev.length > 0 && sev.length <= 10 && /^[A-Z0-9]+$/.test(sev)) || isSeverity(sev);
}

export default defineFormat({
  id: 'pg-csv',
  summary: 'PostgreSQL csvlog (log_destination = csvlog), 23 to 26 columns',
  orm: null,
  sniff(lines) {
    let starts = 0;
    let good = 0;
    for (const l of lines) {
      if (!startsWithLogTime(l)) continue;
      starts++;
      if (looksLikeCsvRecord(l)) good++;
    }
    if (good === 0) return 0;
    // continuation lines of quoted multi-line fields are not record starts, so judge the record starts only
    return Math.min(0.98, 0.5 + 0.48 * (good / starts));
  },
  create: (ctx) => new CsvParser(ctx),
});

/** What {@link splitCsvRecord} makes of a record's text, besides a field count. */
export const CSV_OPEN = -1;
export const CSV_IRREGULAR = -2;
/** Most fields the splitter records; a longer row (not csvlog) goes to csv-parse. */
const MAX_FIELDS = 64;

/** Field bounds of one record, reused for every record: the fields are cut out only when read. */
export class CsvSpans {
  readonly start = new Int32Array(MAX_FIELDS);
  readonly end = new Int32Array(MAX_FIELDS);
  /** 1 where a quoted field holds `""` escapes, to be undoubled when read. */
  readonly escaped = new Uint8Array(MAX_FIELDS);
  /** Whether any field of the record does. */
  anyEscaped = false;
}

/**
 * Splits one csvlog record (its lines joined by `\n`) into fields, the way csv-parse reads the plain RFC 4180
 * shape: unquoted fields up to the next comma, quoted fields from `"` to the `"` before a comma or the end,
 * `""` inside them a quote, newlines inside them kept. Returns the number of fields; CSV_OPEN when the text
 * ends inside a quoted field (the record goes on on the next line); CSV_IRREGULAR for anything csv-parse
 * might read otherwise or reject (a quote inside an unquoted field, text after a closing quote, a newline
 * outside quotes, more than 64 fields), which is then csv-parse's to read. Newlines inside quotes and CRs
 * anywhere are field content, as csv-parse reads them with CSV_OPTIONS.
 */
export function splitCsvRecord(s: string, sp: CsvSpans): number {
  const len = s.length;
  const { start, end, escaped } = sp;
  sp.anyEscaped = false;
  let n = 0;
  let i = 0;
  // the next quote and newline at or after the field at hand (len: none): an unquoted field must hold neither
  let quote = nextAt(s, '"', 0);
  let newline = nextAt(s, '\n', 0);
  for (;;) {
    if (n === MAX_FIELDS) return CSV_IRREGULAR;
    const c = s.charCodeAt(i);
    if (c === 34) {
      let j = i + 1;
      let esc = 0;
      let q: number;
      for (;;) {
        q = s.indexOf('"', j);
        if (q < 0) return CSV_OPEN;
        if (s.charCodeAt(q + 1) !== 34) break;
        esc = 1;
        j = q + 2;
      }
      start[n] = i + 1;
      end[n] = q;
      escaped[n] = esc;
      if (esc === 1) sp.anyEscaped = true;
      n++;
      if (q + 1 === len) return n;
      if (s.charCodeAt(q + 1) !== 44) return CSV_IRREGULAR;
      i = q + 2;
      if (quote < i) quote = nextAt(s, '"', i);
      if (newline < i) newline = nextAt(s, '\n', i);
    } else if (c === 44) {
      // an empty field, as most of a csvlog record's are
      start[n] = i;
      end[n] = i;
      escaped[n] = 0;
      n++;
      i++;
    } else {
      const comma = nextAt(s, ',', i);
      if (quote < comma || newline < comma) return CSV_IRREGULAR;
      start[n] = i;
      end[n] = comma;
      escaped[n] = 0;
      n++;
      if (comma === len) return n;
      i = comma + 1;
    }
  }
}

/** Position of the next `c` in s from `from`, or s.length. */
function nextAt(s: string, c: string, from: number): number {
  const at = s.indexOf(c, from);
  return at < 0 ? s.length : at;
}

/** Field k of a split record. */
function field(s: string, sp: CsvSpans, k: number): string {
  const v = s.slice(sp.start[k]!, sp.end[k]!);
  return sp.escaped[k] === 1 ? v.replaceAll('""', '"') : v;
}

/** Columns read from every record; the others are never cut out. */
const READ_COLUMNS = [C.logTime, C.user, C.database, C.pid, C.connectionFrom, C.sessionId, C.vxid, C.xid, C.severity, C.message, C.detail, C.query, C.application];

/**
 * Values that outlive their record (session keys, users, databases…): the same as the record before's are
 * that one's string, a new one is copied once, so what is kept never holds the record or its decoded window.
 */
class Kept {
  private last = '';
  own(v: string): string {
    if (v === this.last) return this.last;
    this.last = detach(v);
    return this.last;
  }
  /** The value s[from, end) (not empty), compared in place: nothing is cut out when it is the last one again. */
  at(s: string, from: number, end: number): string {
    const last = this.last;
    if (end - from === last.length && s.startsWith(last, from)) return last;
    this.last = detach(s.slice(from, end));
    return this.last;
  }
}

/** Columns read in place (compared, not cut out) when none of them holds a `""` escape. */
const IN_PLACE_COLUMNS = [C.logTime, C.user, C.database, C.pid, C.connectionFrom, C.sessionId, C.vxid, C.xid, C.severity, C.application];

/** End of the host in a csvlog connection_from s[from, end) (`host:port` → host), as {@link clientHost} cuts it. */
function clientHostEnd(s: string, from: number, end: number): number {
  let i = end - 1;
  while (i > from && isDigit(s.charCodeAt(i))) i--;
  return i > from && i < end - 1 && s.charCodeAt(i) === 58 ? i : end;
}

export class CsvParser implements FormatParser {
  private readonly interp: PgMessageInterpreter;
  private readonly time;
  private readonly f: PgFields;
  /** The record being assembled and its first line. */
  private rec = '';
  private recLine = 0;
  private recLines = 0;
  private quotes = 0;
  private records = 0;
  private multiLineRecords = 0;
  private badRecords = 0;
  private minColumns = Infinity;
  private maxColumns = 0;
  private readonly spans = new CsvSpans();
  /** The read columns of a record that takes the row path (the others stay ''). */
  private readonly row: string[] = new Array<string>(MAX_FIELDS).fill('');
  private readonly kept = { session: new Kept(), tx: new Kept(), user: new Kept(), database: new Kept(), application: new Kept(), client: new Kept() };

  constructor(private readonly ctx: FormatContext) {
    this.interp = new PgMessageInterpreter(ctx);
    this.time = createTimeParser(ctx.options.logTimezone);
    this.f = emptyFields(ctx.file);
  }

  push(text: string, line: number): void {
    if (this.recLines > 0) {
      // an unbalanced quote must not swallow the rest of the file: a new log_time line ends a broken record
      // (its own quotes may be odd: a record whose message spans lines opens its quote on the first line)
      if (startsWithLogTime(text) && looksLikeCsvRecord(text)) {
        this.fail(`unterminated quoted field (record of ${count(this.recLines, 'line')} cut short)`);
      } else if (this.rec.length + text.length > MAX_RECORD_CHARS) {
        this.fail(`record longer than ${MAX_RECORD_CHARS >> 20} MB without its closing quote`);
        return;
      } else {
        this.rec += '\n' + text;
        this.recLines++;
        this.quotes += countQuotes(text);
        if (this.quotes % 2 === 0) this.complete(this.rec, this.recLine, this.recLines, CSV_IRREGULAR);
        return;
      }
    }
    if (text.length === 0) return;
    const logTime = startsWithLogTime(text);
    if (logTime) {
      // the common case, a whole record on one line: split at once, its quotes balance when it splits
      const n = splitCsvRecord(text, this.spans);
      if (n >= 0) {
        this.complete(text, line, 1, n);
        return;
      }
    }
    const quotes = countQuotes(text);
    if (!logTime && quotes % 2 === 1) {
      // every record starts with log_time: this is the tail of a record cut off (rotation, a lost line), and
      // opening a record on its odd quote would invert the quote parity for the records after it
      this.reject(line, 'not the start of a csvlog record (the rest of a record whose beginning is missing?)');
      return;
    }
    this.quotes = quotes;
    if (quotes % 2 === 0) {
      this.complete(text, line, 1, logTime ? CSV_IRREGULAR : splitCsvRecord(text, this.spans));
      return;
    }
    this.rec = text;
    this.recLine = line;
    this.recLines = 1;
  }

  end(): void {
    if (this.recLines > 0) this.fail(`truncated last record (${count(this.recLines, 'line')}, a quoted field never closes)`);
    this.flush();
  }

  /** The record being assembled (its quotes still open) stays: its next line may yet arrive. */
  flush(): void {
    this.interp.end();
  }

  describe(): Record<string, unknown> {
    return {
      records: this.records,
      multiLineRecords: this.multiLineRecords,
      badRecords: this.badRecords,
      columns: this.maxColumns === 0 ? null : this.minColumns === this.maxColumns ? this.maxColumns : [this.minColumns, this.maxColumns],
      unsureZones: [...this.time.unsureZones],
      ...this.interp.facts,
    };
  }

  private fail(reason: string): void {
    this.reject(this.recLine, reason);
    this.rec = '';
    this.recLines = 0;
  }

  /**
   * A record whose quotes balance: `split` is its field count when already split, else it is split here,
   * and what the splitter leaves (CSV_OPEN, CSV_IRREGULAR) is read by csv-parse, which also words the error.
   */
  private complete(text: string, line: number, lines: number, split: number): void {
    this.rec = '';
    this.recLines = 0;
    const n = split >= 0 ? split : lines > 1 ? splitCsvRecord(text, this.spans) : CSV_IRREGULAR;
    if (n >= 0) {
      const row = this.row;
      const sp = this.spans;
      if (n >= MIN_CSV_COLUMNS && (!sp.anyEscaped || IN_PLACE_COLUMNS.every((k) => sp.escaped[k] === 0))) {
        this.recordInPlace(text, n, line, lines);
        return;
      }
      for (const k of READ_COLUMNS) row[k] = k < n ? field(text, sp, k) : '';
      this.record(row, n, line, lines);
      return;
    }
    let rows: string[][];
    try {
      rows = parseCsv(text, CSV_OPTIONS) as string[][];
    } catch (e) {
      this.reject(line, `not a valid csvlog record (${firstLine((e as Error).message)})`);
      return;
    }
    const r = rows[0];
    if (rows.length !== 1 || r === undefined) {
      this.reject(line, notCsvlogWidth(r?.length ?? 0));
      return;
    }
    this.record(r, r.length, line, lines);
  }

  /**
   * A split record of csvlog's width whose short columns hold no escapes, read where it lies: what record()
   * does with a row, without cutting out a string per column (they were most of what reading allocated).
   */
  private recordInPlace(s: string, columns: number, line: number, lines: number): void {
    const sp = this.spans;
    const start = sp.start;
    const end = sp.end;
    if (!startsWithLogTimeAt(s, start[C.logTime]!, end[C.logTime]!)) {
      this.reject(line, notCsvlogWidth(columns));
      return;
    }
    this.counted(columns, lines);
    const f = this.f;
    const kept = this.kept;
    f.line = line;
    const t = this.time.parse(s, start[C.logTime]!, end[C.logTime]!);
    f.time = Number.isNaN(t) ? null : t;
    const session = end[C.sessionId]! > start[C.sessionId]! ? C.sessionId : end[C.pid]! > start[C.pid]! ? C.pid : -1;
    f.session = session < 0 ? this.ctx.file : kept.session.at(s, start[session]!, end[session]!);
    // txKey in place: the vxid unless empty or `N/0`, else the xid unless empty or 0
    const va = start[C.vxid]!;
    const vb = end[C.vxid]!;
    const xa = start[C.xid]!;
    const xb = end[C.xid]!;
    if (vb > va && !(vb - va >= 2 && s.charCodeAt(vb - 2) === 47 && s.charCodeAt(vb - 1) === 48)) f.tx = kept.tx.at(s, va, vb);
    else f.tx = xb > xa && !(xb - xa === 1 && s.charCodeAt(xa) === 48) ? kept.tx.at(s, xa, xb) : null;
    f.user = end[C.user]! > start[C.user]! ? kept.user.at(s, start[C.user]!, end[C.user]!) : null;
    f.database = end[C.database]! > start[C.database]! ? kept.database.at(s, start[C.database]!, end[C.database]!) : null;
    f.application = end[C.application]! > start[C.application]! ? kept.application.at(s, start[C.application]!, end[C.application]!) : null;
    const ca = start[C.connectionFrom]!;
    const cb = end[C.connectionFrom]!;
    f.client = cb > ca ? kept.client.at(s, ca, clientHostEnd(s, ca, cb)) : null;
    const sa = start[C.severity]!;
    const sb = end[C.severity]!;
    const severity = sb - sa === 3 && s.startsWith('LOG', sa) ? 'LOG' : s.slice(sa, sb);
    const detail = end[C.detail]! > start[C.detail]! ? field(s, sp, C.detail) : null;
    const query = severity !== 'LOG' && end[C.query]! > start[C.query]! ? field(s, sp, C.query) : null;
    this.interp.entry(f, severity, field(s, sp, C.message), detail, query);
  }

  /** A record skipped: counted, and said with its line and why. */
  private reject(line: number, reason: string): void {
    this.badRecords++;
    this.ctx.skip(line, reason);
  }

  /** A record read: its width and how many lines it spanned, for the format's facts. */
  private counted(columns: number, lines: number): void {
    this.records++;
    if (lines > 1) this.multiLineRecords++;
    if (columns < this.minColumns) this.minColumns = columns;
    if (columns > this.maxColumns) this.maxColumns = columns;
  }

  /** One row: `columns` fields, of which `r` holds at least the ones read. */
  private record(r: string[], columns: number, line: number, lines: number): void {
    if (columns < MIN_CSV_COLUMNS || !startsWithLogTime(r[C.logTime]!)) {
      this.reject(line, notCsvlogWidth(columns));
      return;
    }
    this.counted(columns, lines);
    const f = this.f;
    const kept = this.kept;
    f.line = line;
    const t = this.time.parse(r[C.logTime]!);
    f.time = Number.isNaN(t) ? null : t;
    const session = r[C.sessionId] || r[C.pid];
    f.session = session ? kept.session.own(session) : this.ctx.file;
    const tx = txKey(r[C.vxid]!, r[C.xid]!);
    f.tx = tx === null ? null : kept.tx.own(tx);
    f.user = r[C.user] ? kept.user.own(r[C.user]) : null;
    f.database = r[C.database] ? kept.database.own(r[C.database]) : null;
    f.application = r[C.application] ? kept.application.own(r[C.application]) : null;
    const client = clientHost(r[C.connectionFrom]!);
    f.client = client === null ? null : kept.client.own(client);
    const severity = r[C.severity]!;
    this.interp.entry(f, severity, r[C.message]!, r[C.detail] || null, severity === 'LOG' ? null : r[C.query] || null);
  }
}

/**
 * Transaction key: the vxid (stable for the whole transaction), else a real xid (0 means none assigned).
 * A vxid `N/0` means no transaction is open: COMMIT and ROLLBACK are logged after theirs ended, so they carry
 * no key, exactly like a stderr `%x` of 0.
 */
export function txKey(vxid: string, xid: string): string | null {
  if (vxid !== '' && !vxid.endsWith('/0')) return vxid;
  return xid !== '' && xid !== '0' ? xid : null;
}

/** `host:port` (csvlog connection_from) → host, as %h gives it; `[local]` stays. */
export function clientHost(from: string): string | null {
  if (from === '') return null;
  const colon = from.lastIndexOf(':');
  if (colon <= 0) return from;
  for (let i = colon + 1; i < from.length; i++) if (!isDigit(from.charCodeAt(i))) return from;
  return colon + 1 < from.length ? from.slice(0, colon) : from;
}

function firstLine(s: string): string {
  const nl = s.indexOf('\n');
  return nl < 0 ? s : s.slice(0, nl);
}
