/**
 * PostgreSQL JSON logs, one object per line: jsonlog (PG 15+), the CloudNativePG envelope and Google CloudSQL's
 * `textPayload` export. Three format ids share this parser, which reads each line by its shape, so a stream that
 * mixes them still works; the id only says which one the file was recognised as.
 */
import { clientHost, txKey } from './pg-csv.js';
import { emptyFields, PgMessageInterpreter, type PgFields } from './pg-message.js';
import { StderrParser } from './pg-stderr.js';
import { createTimeParser } from './pg-time.js';
import { defineFormat, type FormatContext, type FormatParser, type LogFormat } from './types.js';

type Json = Record<string, unknown>;
export type JsonShape = 'jsonlog' | 'cnpg' | 'cloudsql' | 'other';

/** What kind of PostgreSQL JSON line this parsed object is. */
export function jsonShape(o: Json): JsonShape {
  if (typeof o.error_severity === 'string' && typeof o.message === 'string') return 'jsonlog';
  const rec = o.record;
  if (rec !== null && typeof rec === 'object' && o.logger === 'postgres' && typeof (rec as Json).error_severity === 'string') return 'cnpg';
  if (typeof o.textPayload === 'string') return 'cloudsql';
  return 'other';
}

/** Parse a line that looks like a JSON object; null when it is not one. */
function parseObject(line: string): Json | null {
  let i = 0;
  while (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9) i++;
  if (line.charCodeAt(i) !== 123) return null; // '{'
  try {
    const v: unknown = JSON.parse(line);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
  } catch {
    return null;
  }
}

/** Share of lines of one shape among the JSON-object lines of a sample, for the three sniffers. */
export function sniffShare(lines: string[], want: JsonShape, extra?: (o: Json) => boolean): number {
  let objects = 0;
  let hits = 0;
  for (const l of lines) {
    if (l.length === 0) continue;
    const o = parseObject(l);
    if (o === null) continue;
    objects++;
    if (jsonShape(o) === want && (extra === undefined || extra(o))) hits++;
  }
  if (hits === 0) return 0;
  const nonEmpty = lines.filter((l) => l.length > 0).length;
  // objects of other loggers (CNPG's instance manager, other Cloud Logging entries) dilute, non-JSON lines more so
  return Math.min(0.97, 0.45 + 0.3 * (hits / objects) + 0.22 * (objects / nonEmpty));
}

const str = (v: unknown): string | null => (typeof v === 'string' ? (v === '' ? null : v) : typeof v === 'number' ? String(v) : null);

export class PgJsonParser implements FormatParser {
  private readonly interp: PgMessageInterpreter;
  private readonly time;
  private readonly f: PgFields;
  /** CloudSQL payloads are stderr lines: fed to a stderr parser that detects their log_line_prefix. */
  private stderr: StderrParser | null = null;
  private readonly counts = { jsonlog: 0, cnpg: 0, cloudsql: 0, otherObjects: 0, badLines: 0 };

  constructor(private readonly ctx: FormatContext) {
    // JSON.parse makes new strings: nothing the interpreter keeps holds the decoded window
    this.interp = new PgMessageInterpreter(ctx, true);
    this.time = createTimeParser(ctx.options.logTimezone);
    this.f = emptyFields(ctx.file);
  }

  push(text: string, line: number): void {
    if (text.length === 0) return;
    const o = parseObject(text);
    if (o === null) {
      this.counts.badLines++;
      this.ctx.skip(line, text.trimStart().startsWith('{') ? 'broken JSON line (cut short or corrupt)' : 'not a JSON object line');
      return;
    }
    switch (jsonShape(o)) {
      case 'jsonlog':
        this.counts.jsonlog++;
        this.jsonlog(o, line);
        return;
      case 'cnpg':
        this.counts.cnpg++;
        this.cnpg(o.record as Json, line);
        return;
      case 'cloudsql':
        this.counts.cloudsql++;
        this.cloudsql(o.textPayload as string, line);
        return;
      default:
        // valid JSON from another logger (CNPG instance manager, other services): not PostgreSQL's, not an error
        this.counts.otherObjects++;
    }
  }

  end(): void {
    this.interp.end();
    this.stderr?.end();
  }

  flush(): void {
    this.interp.end();
    this.stderr?.flush();
  }

  describe(): Record<string, unknown> {
    const inner = this.stderr?.describe();
    return {
      ...this.counts,
      unsureZones: [...this.time.unsureZones],
      ...this.interp.facts,
      ...(inner ? { cloudsql: inner, prefix: inner.prefix } : {}),
    };
  }

  /** jsonlog keys (src/backend/utils/error/jsonlog.c); empty values are omitted by the server. */
  private jsonlog(o: Json, line: number): void {
    const f = this.f;
    f.line = line;
    f.time = this.parseTime(o.timestamp);
    f.session = str(o.session_id) ?? str(o.pid) ?? this.ctx.file;
    f.tx = txKey(str(o.vxid) ?? '', str(o.txid) ?? '');
    f.user = str(o.user);
    f.database = str(o.dbname);
    f.application = str(o.application_name);
    f.client = str(o.remote_host);
    const severity = o.error_severity as string;
    this.interp.entry(f, severity, o.message as string, str(o.detail), severity === 'LOG' ? null : str(o.statement));
  }

  /** CloudNativePG: the csvlog columns by name, all values strings. */
  private cnpg(r: Json, line: number): void {
    if (typeof r.message !== 'string') {
      this.ctx.skip(line, 'CloudNativePG record without a message');
      return;
    }
    const f = this.f;
    f.line = line;
    f.time = this.parseTime(r.log_time);
    f.session = str(r.session_id) ?? str(r.process_id) ?? this.ctx.file;
    f.tx = txKey(str(r.virtual_transaction_id) ?? '', str(r.transaction_id) ?? '');
    f.user = str(r.user_name);
    f.database = str(r.database_name);
    f.application = str(r.application_name);
    f.client = clientHost(str(r.connection_from) ?? '');
    const severity = r.error_severity as string;
    this.interp.entry(f, severity, r.message, str(r.detail), severity === 'LOG' ? null : str(r.query));
  }

  private cloudsql(payload: string, line: number): void {
    this.stderr ??= new StderrParser(this.ctx);
    // a payload may hold a whole multi-line entry; its later lines are continuations (tab-led, as on stderr)
    let from = 0;
    let first = true;
    for (;;) {
      const nl = payload.indexOf('\n', from);
      let piece = payload.slice(from, nl < 0 ? payload.length : nl);
      if (piece.endsWith('\r')) piece = piece.slice(0, -1);
      if (first) this.stderr.push(piece, line);
      else if (piece.length > 0 || nl >= 0) this.stderr.push(piece.charCodeAt(0) === 9 ? piece : '\t' + piece, line);
      first = false;
      if (nl < 0 || nl === payload.length - 1) break;
      from = nl + 1;
    }
  }

  private parseTime(v: unknown): number | null {
    if (typeof v !== 'string') return null;
    const t = this.time.parse(v);
    return Number.isNaN(t) ? null : t;
  }
}

export const pgJson: LogFormat = defineFormat({
  id: 'pg-json',
  summary: 'PostgreSQL jsonlog (log_destination = jsonlog, PG 15+)',
  orm: null,
  sniff: (lines) => sniffShare(lines, 'jsonlog'),
  create: (ctx) => new PgJsonParser(ctx),
});

export default pgJson;
