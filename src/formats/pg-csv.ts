/** PostgreSQL csvlog (log_destination = csvlog): RFC 4180 records, possibly spanning lines, read by position (23–26 columns). */
import type { parse as ParseCsv } from 'csv-parse/sync';
import { lazyRequire } from '../lazy-require.js';
import { emptyFields, PgMessageInterpreter, type PgFields } from './pg-message.js';
import { createTimeParser } from './pg-time.js';
import { defineFormat, type FormatContext, type FormatParser } from './types.js';
import { count } from '../text/plural.js';

/** Column positions; PG ≤ 12 writes 23 columns, PG 13 adds backend_type, PG 14+ adds leader_pid and query_id. */
const C = {
  logTime: 0, user: 1, database: 2, pid: 3, connectionFrom: 4, sessionId: 5, sessionLine: 6, commandTag: 7,
  sessionStart: 8, vxid: 9, xid: 10, severity: 11, sqlState: 12, message: 13, detail: 14, hint: 15,
  internalQuery: 16, internalQueryPos: 17, context: 18, query: 19, queryPos: 20, location: 21, application: 22,
} as const;
/** Fewest columns a csvlog record has (PG 9.0–12). */
export const MIN_CSV_COLUMNS = 23;
/** A record held open by an unbalanced quote is given up past this size (a corrupt file must not eat memory). */
const MAX_RECORD_CHARS = 64 << 20;
const CSV_OPTIONS = { relax_column_count: true } as const;
/** Records (and characters) parsed by one csv-parse call. */
const BATCH_RECORDS = 128;
const BATCH_CHARS = 1 << 20;

/** csv-parse, loaded on the first csvlog record rather than on every run's start-up. */
const csvParse = lazyRequire<{ parse: typeof ParseCsv }>('csv-parse/sync');
const parseCsv = (text: string, options: typeof CSV_OPTIONS): unknown => csvParse().parse(text, options);

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * `YYYY-MM-DD HH:MM:SS` at the start of a line: how every csvlog record begins (log_time). PostgreSQL
 * writes log_time unquoted; a CSV writer that quotes every text field (a re-export, pgBadger's own
 * fixtures) writes `"YYYY-MM-DD …"`, which is the same record.
 */
export function startsWithLogTime(s: string): boolean {
  const o = s.charCodeAt(0) === 34 ? 1 : 0;
  return (
    s.length > 19 + o &&
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
  // a record whose quoted message spans lines shows fewer commas on its first line; the severity is before the message
  return sev.length > 0 && sev.length <= 10 && sev === sev.toUpperCase() && /^[A-Z0-9]+$/.test(sev);
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
  /**
   * Complete records waiting to be parsed together: csv-parse costs ~40 µs of set-up per call and ~5 µs per
   * record, so records are handed to it in batches (one at a time when following a live log).
   */
  private batch: string[] = [];
  private batchLines: number[] = [];
  private batchChars = 0;
  private readonly batchMax: number;

  constructor(private readonly ctx: FormatContext) {
    this.interp = new PgMessageInterpreter(ctx);
    this.time = createTimeParser(ctx.options.logTimezone);
    this.f = emptyFields(ctx.file);
    this.batchMax = ctx.options.live ? 1 : BATCH_RECORDS;
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
        if (this.quotes % 2 === 0) this.queueRecord();
        return;
      }
    }
    if (text.length === 0) return;
    if (!startsWithLogTime(text) && countQuotes(text) % 2 === 1) {
      // every record starts with log_time: this is the tail of a record cut off (rotation, a lost line), and
      // opening a record on its odd quote would invert the quote parity for the records after it
      this.parseBatch();
      this.badRecords++;
      this.ctx.skip(line, 'not the start of a csvlog record (the rest of a record whose beginning is missing?)');
      return;
    }
    this.rec = text;
    this.recLine = line;
    this.recLines = 1;
    this.quotes = countQuotes(text);
    if (this.quotes % 2 === 0) this.queueRecord();
  }

  end(): void {
    if (this.recLines > 0) this.fail(`truncated last record (${count(this.recLines, 'line')}, a quoted field never closes)`);
    this.flush();
  }

  /** The record being assembled (its quotes still open) stays: its next line may yet arrive. */
  flush(): void {
    this.parseBatch();
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
    // records before this one are reported first, in file order
    this.parseBatch();
    this.badRecords++;
    this.ctx.skip(this.recLine, reason);
    this.rec = '';
    this.recLines = 0;
  }

  /** The assembled record is complete (its quotes balance): queue it. */
  private queueRecord(): void {
    this.batch.push(this.rec);
    this.batchLines.push(this.recLine, this.recLines);
    this.batchChars += this.rec.length;
    this.rec = '';
    this.recLines = 0;
    if (this.batch.length >= this.batchMax || this.batchChars >= BATCH_CHARS) this.parseBatch();
  }

  private parseBatch(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    const lines = this.batchLines;
    this.batch = [];
    this.batchLines = [];
    this.batchChars = 0;
    if (batch.length > 1) {
      let rows: string[][] | null = null;
      try {
        rows = parseCsv(batch.join('\n'), CSV_OPTIONS) as string[][];
      } catch {
        rows = null;
      }
      // one row per record, as when each is parsed alone; otherwise a bad record is in there: find it one by one
      if (rows !== null && rows.length === batch.length) {
        for (let i = 0; i < rows.length; i++) this.record([rows[i]!], lines[2 * i]!, lines[2 * i + 1]!);
        return;
      }
    }
    for (let i = 0; i < batch.length; i++) {
      let rows: string[][];
      try {
        rows = parseCsv(batch[i]!, CSV_OPTIONS) as string[][];
      } catch (e) {
        this.badRecords++;
        this.ctx.skip(lines[2 * i]!, `not a valid csvlog record (${firstLine((e as Error).message)})`);
        continue;
      }
      this.record(rows, lines[2 * i]!, lines[2 * i + 1]!);
    }
  }

  /** The rows csv-parse read from one record (one, unless the record is not csvlog). */
  private record(rows: string[][], line: number, lines: number): void {
    const r = rows[0];
    if (rows.length !== 1 || r === undefined || r.length < MIN_CSV_COLUMNS || !startsWithLogTime(r[C.logTime]!)) {
      this.badRecords++;
      this.ctx.skip(line, `not a csvlog record (${r?.length ?? 0} columns; csvlog has ${MIN_CSV_COLUMNS} to 26)`);
      return;
    }
    this.records++;
    if (lines > 1) this.multiLineRecords++;
    if (r.length < this.minColumns) this.minColumns = r.length;
    if (r.length > this.maxColumns) this.maxColumns = r.length;
    const f = this.f;
    f.line = line;
    const t = this.time.parse(r[C.logTime]!);
    f.time = Number.isNaN(t) ? null : t;
    f.session = r[C.sessionId] || r[C.pid] || this.ctx.file;
    f.tx = txKey(r[C.vxid]!, r[C.xid]!);
    f.user = r[C.user] || null;
    f.database = r[C.database] || null;
    f.application = r[C.application] || null;
    f.client = clientHost(r[C.connectionFrom]!);
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
