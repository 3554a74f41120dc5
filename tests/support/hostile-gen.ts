/**
 * A seeded generator of hostile and damaged statement logs, for checking what the issue on hostile logs promises
 * without relying on fixtures written by the people who wrote the code: a unique marker, wrapped in a hostile
 * payload (terminal escapes, C1 controls, bidi overrides, CRLF, Markdown and HTML), is planted in one place a
 * log can carry a value (the carrier), in a log of one format, which is then damaged in one way. The four vary
 * independently. The workload is the same in every case — a parent query and an N+1 loop, a per-row INSERT loop,
 * a get-or-create loop, failed INSERTs, an ALTER ROLE … PASSWORD and a COPY — and the carrier's value is used in
 * the loops, so it reaches findings (evidence, fix text, samples), not only quiet statements.
 *
 * Each case records how many intact statements it wrote, so a test can assert the exact count. Same seed, same
 * bytes.
 */
import { gzipSync } from 'node:zlib';
import { seeded } from './sweep.js';

export type LogFormat = 'stderr-sample' | 'stderr-pgbadger' | 'stderr-rds' | 'csvlog' | 'jsonlog' | 'rails' | 'django';
export type Carrier =
  | 'sql-string'
  | 'sql-number'
  | 'identifier'
  | 'application'
  | 'user'
  | 'database'
  | 'sqlcommenter'
  | 'bind'
  | 'error-text'
  | 'password';
export type Payload =
  | 'marker'
  | 'csi-clear'
  | 'osc-title'
  | 'osc8-link'
  | 'bel'
  | 'c1'
  | 'bidi'
  | 'crlf'
  | 'md-html'
  | 'md-link'
  | 'md-image'
  | 'md-heading'
  | 'md-table'
  | 'backticks'
  | 'html-script';
export type Damage =
  | 'none'
  | 'truncated-last-line'
  | 'nul'
  | 'invalid-utf8'
  | 'huge-line'
  | 'gzip-zero-padding'
  | 'gzip-trailing-garbage'
  | 'gzip-truncated-member'
  | 'cr-only';

export const LOG_FORMATS: LogFormat[] = ['stderr-sample', 'stderr-pgbadger', 'stderr-rds', 'csvlog', 'jsonlog', 'rails', 'django'];
export const PAYLOADS: Payload[] = ['marker', 'csi-clear', 'osc-title', 'osc8-link', 'bel', 'c1', 'bidi', 'crlf', 'md-html', 'md-link', 'md-image', 'md-heading', 'md-table', 'backticks', 'html-script'];
export const DAMAGES: Damage[] = ['none', 'truncated-last-line', 'nul', 'invalid-utf8', 'huge-line', 'gzip-zero-padding', 'gzip-trailing-garbage', 'gzip-truncated-member', 'cr-only'];

const PG_CARRIERS: Carrier[] = ['sql-string', 'sql-number', 'identifier', 'application', 'user', 'database', 'sqlcommenter', 'bind', 'error-text', 'password'];
// ORM logs carry no connection fields and no server errors
const ORM_CARRIERS: Carrier[] = ['sql-string', 'sql-number', 'identifier', 'sqlcommenter', 'bind', 'password'];
export const carriersOf = (f: LogFormat): Carrier[] => (f === 'rails' || f === 'django' ? ORM_CARRIERS : PG_CARRIERS);

/** The hostile text around the marker. */
export const PAYLOAD_TEXT: Record<Payload, string> = {
  marker: '',
  'csi-clear': '\x1b[2J\x1b[H',
  'osc-title': '\x1b]0;pwned\x07',
  'osc8-link': '\x1b]8;;http://evil.example/\x1b\\click\x1b]8;;\x1b\\',
  bel: '\x07\x07',
  c1: '\u0085\u009b31m\u009d0;t\u009c',
  bidi: '\u202egnp.exe\u202c',
  crlf: '\r\nBcc: evil@evil.example\r\n',
  'md-html': '<img src=x onerror=alert(1)>',
  'md-link': '[x](http://evil.example/)',
  'md-image': '![i](http://e/)',
  'md-heading': '# h ',
  'md-table': '| cell |',
  backticks: '``` `x` ``',
  'html-script': '</script><script>alert(1)</script>',
};

export interface HostileCase {
  name: string;
  format: LogFormat;
  carrier: Carrier;
  payload: Payload;
  damage: Damage;
  /** File name to write the bytes to (the extension matters to nobody but people). */
  file: string;
  bytes: Buffer;
  /** The unique text planted (letters for text carriers, digits for sql-number). */
  marker: string;
  /** The full planted value: payload and marker. */
  value: string;
  /** Statements written whole (failed ones included). */
  statements: number;
  /** 1-based line of a damaged final line the report must name, or null. */
  truncatedLine: number | null;
  /** Whether the carrier is a schema name (kept by --redact, which drops values). */
  schemaName: boolean;
  /** Whether a report shows the value at all without --redact (error texts are not reported; RDS's prefix has no %a). */
  shown: boolean;
}

interface Fields {
  user: string;
  db: string;
  app: string;
}

type Event =
  | { kind: 'quiet'; text: string }
  | { kind: 'connect' }
  | { kind: 'stmt'; sql: string; ms: number; params?: string[]; binds?: [string, string | number][] }
  | { kind: 'fail'; sql: string; error: string; detail: string; hint: string }
  | { kind: 'disconnect' };

const PID = 4711;
const SESSION = '6b0fbe68.1267';
const BASE = Date.UTC(2026, 10, 25, 14, 30, 6, 0);

function sqlStringSafe(v: string): string {
  return v.replace(/'/g, "''");
}

/** The workload, with the planted value where the carrier says and neutral values elsewhere. */
function workload(carrier: Carrier, value: string, numeric: string, rnd: () => number): { events: Event[]; fields: Fields } {
  const fields: Fields = {
    user: carrier === 'user' ? value : 'billing_user',
    db: carrier === 'database' ? value : 'shop',
    app: carrier === 'application' ? value : 'billing',
  };
  const s = carrier === 'sql-string' ? sqlStringSafe(value) : 'shipped';
  const n = carrier === 'sql-number' ? numeric : '3';
  const f = carrier === 'sql-number' ? `0.${numeric}` : '0.5';
  const table = carrier === 'identifier' ? `"${value.replace(/"/g, '""')}"` : 'order_items';
  const tag = carrier === 'sqlcommenter' ? value : 'a1b2';
  const comment = ` /*request_id='${tag}',route='%2Fcheckout'*/`;
  const ms = () => Math.round((0.02 + rnd() * 0.3) * 1000) / 1000;
  const ev: Event[] = [{ kind: 'quiet', text: 'checkpoint starting: time' }, { kind: 'connect' }];
  ev.push({ kind: 'stmt', sql: 'BEGIN', ms: ms() });
  ev.push({ kind: 'stmt', sql: `SELECT id, total_cents FROM orders WHERE customer_id = 42 ORDER BY id${comment}`, ms: ms() });
  for (let i = 0; i < 8; i++) {
    const k = 101 + i * 7;
    if (carrier === 'bind') {
      ev.push({
        kind: 'stmt',
        sql: `SELECT product_id, quantity FROM ${table} WHERE order_id = $1 AND status = $2${comment}`,
        ms: ms(),
        params: [String(k), value],
        binds: [['order_id', k], ['status', value]],
      });
    } else {
      ev.push({ kind: 'stmt', sql: `SELECT product_id, quantity FROM ${table} WHERE order_id = ${k} AND status = '${s}' AND quantity < ${n}${comment}`, ms: ms() });
    }
  }
  for (let i = 0; i < 6; i++) {
    ev.push({ kind: 'stmt', sql: `INSERT INTO audit_log (order_id, note, qty, price) VALUES (${201 + i}, '${s}-${i}', ${n}, ${f})`, ms: ms() });
  }
  for (let i = 0; i < 5; i++) {
    ev.push({ kind: 'stmt', sql: `SELECT id FROM tags WHERE name = '${s}-t${i}'`, ms: ms() });
    ev.push({ kind: 'stmt', sql: `INSERT INTO tags (name) VALUES ('${s}-t${i}') RETURNING id`, ms: ms() });
  }
  ev.push({ kind: 'stmt', sql: 'COMMIT', ms: ms() });
  const err = carrier === 'error-text' ? value : 'customers_email_key';
  for (let i = 0; i < 3; i++) {
    ev.push({
      kind: 'fail',
      sql: `INSERT INTO customers (id, email) VALUES (${i + 1}, '${s}-${i}@mail.example')`,
      error: `duplicate key value violates unique constraint "${err}"`,
      detail: `Key (email)=(${err}-${i}) already exists.`,
      hint: `Check ${err} first.`,
    });
  }
  const secret = carrier === 'password' ? sqlStringSafe(value) : 'hunter2';
  ev.push({ kind: 'stmt', sql: `ALTER ROLE billing_user PASSWORD '${secret}'`, ms: ms() });
  ev.push({ kind: 'stmt', sql: `COPY (SELECT '${secret}' AS token) TO STDOUT`, ms: ms() });
  ev.push({ kind: 'disconnect' });
  return { events: ev, fields };
}

// ---- rendering per format ----

function stamp(t: number, kind: 'ms' | 's' | 'iso' | 'django'): string {
  const d = new Date(BASE + t);
  const iso = d.toISOString();
  if (kind === 'iso') return `${iso.slice(0, 23)}000`;
  if (kind === 'django') return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`;
  return kind === 'ms' ? `${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC` : `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** PostgreSQL writes a message's later lines after a tab (stderr). */
const tabbed = (s: string) => s.replace(/\n/g, '\n\t');

function renderStderr(format: LogFormat, events: Event[], fields: Fields): string[] {
  let lineNo = 0;
  let t = 0;
  const prefix = (connected: boolean | 'auth', backend: boolean): string => {
    lineNo++;
    const u = backend ? (connected ? fields.user : '[unknown]') : '';
    const d = backend ? (connected ? fields.db : '[unknown]') : '';
    const a = backend ? (connected === true ? fields.app : '[unknown]') : '';
    const pid = backend ? PID : 812;
    switch (format) {
      case 'stderr-sample':
        // %q: a process that is no session's stops the prefix there
        return backend ? `${stamp(t, 'ms')} [${pid}] ${u}@${d}/${a} [${SESSION}] 0 ` : `${stamp(t, 'ms')} [${pid}] `;
      case 'stderr-pgbadger':
        return `${stamp(t, 's')} [${pid}]: [${lineNo}-1] user=${u},db=${d},app=${a},client=${backend ? '10.0.0.5' : ''} `;
      case 'stderr-rds':
        return `${stamp(t, 's')}:${backend ? '10.0.0.5(51234)' : ''}:${u}@${d}:[${pid}]:`;
      default:
        throw new Error(format);
    }
  };
  const out: string[] = [];
  for (const e of events) {
    t += 3;
    switch (e.kind) {
      case 'quiet':
        out.push(`${prefix(false, false)}LOG:  ${e.text}`);
        break;
      case 'connect':
        out.push(`${prefix(false, true)}LOG:  connection received: host=10.0.0.5 port=51234`);
        out.push(`${prefix('auth', true)}LOG:  connection authorized: user=${fields.user} database=${fields.db} application_name=${fields.app}`);
        break;
      case 'stmt':
        if (e.params) {
          out.push(`${prefix(true, true)}LOG:  duration: ${e.ms.toFixed(3)} ms  execute <unnamed>: ${tabbed(e.sql)}`);
          out.push(`${prefix(true, true)}DETAIL:  parameters: ${e.params.map((p, i) => `$${i + 1} = '${tabbed(sqlStringSafe(p))}'`).join(', ')}`);
        } else {
          out.push(`${prefix(true, true)}LOG:  duration: ${e.ms.toFixed(3)} ms  statement: ${tabbed(e.sql)}`);
        }
        break;
      case 'fail':
        out.push(`${prefix(true, true)}ERROR:  ${tabbed(e.error)}`);
        out.push(`${prefix(true, true)}DETAIL:  ${tabbed(e.detail)}`);
        out.push(`${prefix(true, true)}HINT:  ${tabbed(e.hint)}`);
        out.push(`${prefix(true, true)}STATEMENT:  ${tabbed(e.sql)}`);
        break;
      case 'disconnect':
        out.push(`${prefix(true, true)}LOG:  disconnection: session time: 0:00:00.417 user=${fields.user} database=${fields.db} host=10.0.0.5 port=51234`);
        break;
    }
  }
  return out;
}

function csvField(v: string | number | null): string {
  if (v === null || v === '') return '';
  if (typeof v === 'number') return String(v);
  return `"${v.replace(/"/g, '""')}"`;
}

function renderCsv(events: Event[], fields: Fields): string[] {
  let lineNo = 0;
  let t = 0;
  const out: string[] = [];
  const start = stamp(0, 's');
  const row = (backend: 'none' | 'received' | 'auth' | 'session', tag: string, severity: string, state: string, message: string, detail = '', hint = '', query = ''): string => {
    lineNo++;
    const b = backend !== 'none';
    const known = backend === 'auth' || backend === 'session';
    return [
      stamp(t, 'ms'),
      csvField(known ? fields.user : ''),
      csvField(known ? fields.db : ''),
      b ? PID : 812,
      csvField(b ? '10.0.0.5:51234' : ''),
      b ? SESSION : '6b0fbe60.32c',
      lineNo,
      csvField(tag),
      start,
      b ? '3/12' : '',
      0,
      severity,
      state,
      csvField(message),
      csvField(detail),
      csvField(hint),
      '',
      '',
      '',
      csvField(query),
      '',
      '',
      csvField(backend === 'session' ? fields.app : ''),
      csvField(b ? 'client backend' : 'checkpointer'),
      '',
      0,
    ].join(',');
  };
  for (const e of events) {
    t += 3;
    switch (e.kind) {
      case 'quiet':
        out.push(row('none', '', 'LOG', '00000', e.text));
        break;
      case 'connect':
        out.push(row('received', '', 'LOG', '00000', 'connection received: host=10.0.0.5 port=51234'));
        out.push(row('auth', 'authentication', 'LOG', '00000', `connection authorized: user=${fields.user} database=${fields.db} application_name=${fields.app}`));
        break;
      case 'stmt': {
        const tag = e.sql.split(/\s/)[0]!.toUpperCase();
        out.push(
          e.params
            ? row('session', tag, 'LOG', '00000', `duration: ${e.ms.toFixed(3)} ms  execute <unnamed>: ${e.sql}`, `parameters: ${e.params.map((p, i) => `$${i + 1} = '${sqlStringSafe(p)}'`).join(', ')}`)
            : row('session', tag, 'LOG', '00000', `duration: ${e.ms.toFixed(3)} ms  statement: ${e.sql}`),
        );
        break;
      }
      case 'fail':
        out.push(row('session', 'INSERT', 'ERROR', '23505', e.error, e.detail, e.hint, e.sql));
        break;
      case 'disconnect':
        out.push(row('session', 'idle', 'LOG', '00000', `disconnection: session time: 0:00:00.417 user=${fields.user} database=${fields.db} host=10.0.0.5 port=51234`));
        break;
    }
  }
  return out;
}

function renderJson(events: Event[], fields: Fields): string[] {
  let lineNo = 0;
  let t = 0;
  const out: string[] = [];
  const rec = (backend: 'none' | 'received' | 'auth' | 'session', o: Record<string, unknown>): string => {
    lineNo++;
    const b = backend !== 'none';
    const known = backend === 'auth' || backend === 'session';
    const r: Record<string, unknown> = { timestamp: stamp(t, 'ms') };
    if (known) Object.assign(r, { user: fields.user, dbname: fields.db });
    Object.assign(r, { pid: b ? PID : 812 });
    if (b) Object.assign(r, { remote_host: '10.0.0.5', remote_port: 51234 });
    Object.assign(r, { session_id: b ? SESSION : '6b0fbe60.32c', line_num: lineNo, session_start: stamp(0, 's') });
    if (b) Object.assign(r, { vxid: '3/12' });
    Object.assign(r, { txid: 0, error_severity: 'LOG', ...o });
    if (backend === 'session') r['application_name'] = fields.app;
    r['backend_type'] = b ? 'client backend' : 'checkpointer';
    r['query_id'] = 0;
    return JSON.stringify(r);
  };
  for (const e of events) {
    t += 3;
    switch (e.kind) {
      case 'quiet':
        out.push(rec('none', { message: e.text }));
        break;
      case 'connect':
        out.push(rec('received', { message: 'connection received: host=10.0.0.5 port=51234' }));
        out.push(rec('auth', { ps: 'authentication', message: `connection authorized: user=${fields.user} database=${fields.db} application_name=${fields.app}` }));
        break;
      case 'stmt':
        out.push(
          e.params
            ? rec('session', { message: `duration: ${e.ms.toFixed(3)} ms  execute <unnamed>: ${e.sql}`, detail: `parameters: ${e.params.map((p, i) => `$${i + 1} = '${sqlStringSafe(p)}'`).join(', ')}` })
            : rec('session', { message: `duration: ${e.ms.toFixed(3)} ms  statement: ${e.sql}` }),
        );
        break;
      case 'fail':
        out.push(rec('session', { error_severity: 'ERROR', state_code: '23505', message: e.error, detail: e.detail, hint: e.hint, statement: e.sql }));
        break;
      case 'disconnect':
        out.push(rec('session', { message: `disconnection: session time: 0:00:00.417 user=${fields.user} database=${fields.db} host=10.0.0.5 port=51234` }));
        break;
    }
  }
  return out;
}

/** Ruby's String#inspect of a value, as Rails prints binds (enough of it for these values). */
function rubyInspect(v: string | number): string {
  if (typeof v === 'number') return String(v);
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function renderRails(events: Event[]): string[] {
  let t = 0;
  const out: string[] = ['# Logfile created on 2026-11-25 14:30:00 +0000 by logger.rb/v1.5.0'];
  const head = () => `D, [${stamp(t, 'iso')} #${PID}] DEBUG -- : [56bd8723-9ca4-46e9-b104-74438088d08d] `;
  for (const e of events) {
    t += 3;
    if (e.kind === 'quiet') out.push(`I, [${stamp(t, 'iso')} #${PID}]  INFO -- : [56bd8723-9ca4-46e9-b104-74438088d08d] Started GET "/orders" for 10.0.0.5`);
    else if (e.kind === 'stmt') {
      const name = /^SELECT/.test(e.sql) ? '  Order Load' : /^INSERT/.test(e.sql) ? '  Order Create' : ' ';
      const binds = e.binds ? `  [${e.binds.map(([k, v]) => `["${k}", ${rubyInspect(v)}]`).join(', ')}]` : '';
      out.push(`${head()}${name} (${e.ms.toFixed(1)}ms)  ${e.sql}${binds}`);
    }
  }
  return out;
}

/** Python's repr of a tuple of these values. */
function pyRepr(vs: (string | number)[]): string {
  const one = (v: string | number) =>
    typeof v === 'number' ? String(v) : `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\r/g, '\\r').replace(/\n/g, '\\n')}'`;
  return vs.length === 1 ? `(${one(vs[0]!)},)` : `(${vs.map(one).join(', ')})`;
}

function renderDjango(events: Event[]): string[] {
  let t = 0;
  const out: string[] = [];
  for (const e of events) {
    t += 3;
    const head = `DEBUG ${stamp(t, 'django')} utils ${PID} 140492024299584 `;
    if (e.kind === 'quiet') out.push(`INFO ${stamp(t, 'django')} basehttp ${PID} 140492024299584 "GET /orders HTTP/1.1" 200 512`);
    else if (e.kind === 'stmt') {
      // Django logs the SQL with the parameters interpolated, then the parameters
      const sql = e.binds ? e.sql.replace(/\$(\d)/g, (_m, i: string) => {
        const v = e.binds![Number(i) - 1]![1];
        return typeof v === 'number' ? String(v) : `'${sqlStringSafe(v)}'`;
      }) : e.sql;
      out.push(`${head}(${(e.ms / 1000).toFixed(3)}) ${sql}; args=${e.binds ? pyRepr(e.binds.map((b) => b[1])) : '()'}`);
    }
  }
  return out;
}

/** A line that would end a file the writer did not finish, cut mid-token, in the format's own shape. */
function truncatedLine(format: LogFormat): string {
  switch (format) {
    case 'stderr-sample':
      return `${stamp(999, 'ms')} [${PID}] billing_user@shop/billing [${SESSION}] 0 LOG:  dura`;
    case 'stderr-pgbadger':
      return `${stamp(999, 's')} [${PID}]: [99-1] user=billing_user,db=shop,app=billing,client=10.0.0.5 LOG:  dura`;
    case 'stderr-rds':
      return `${stamp(999, 's')}:10.0.0.5(51234):billing_user@shop:[${PID}]:LOG:  dura`;
    case 'csvlog':
      return `${stamp(999, 'ms')},"billing_user","shop",${PID},"10.0.0.5:51234",${SESSION},99,"SELECT",${stamp(0, 's')},3/12,0,LOG,00000,"dura`;
    case 'jsonlog':
      return `{"timestamp":"${stamp(999, 'ms')}","user":"billing_user","dbname":"shop","pid":${PID},"session_id":"${SESSION}","line_num":99,"error_severity":"LOG","message":"dura`;
    case 'rails':
      return `D, [${stamp(999, 'iso')} #${PID}] DEBUG -- : [56bd8723-9ca4-46e9-b104-74438088d08d]   Order Load (0.`;
    case 'django':
      return `DEBUG ${stamp(999, 'django')} utils ${PID} 140492024299584 (0.0`;
  }
}

/** Garbage of one kind, as a line of its own after the log's first (quiet) line. */
function garbageLine(damage: 'nul' | 'invalid-utf8'): Buffer {
  return damage === 'nul' ? Buffer.from('\u0000\u0000garbage\u0000 after a crash\u0000') : Buffer.from([0xff, 0xfe, 0x67, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0x20, 0xf0, 0x28, 0x8c, 0x28]);
}

export interface CaseSpec {
  format: LogFormat;
  carrier: Carrier;
  payload: Payload;
  damage: Damage;
  seed: number;
}

/** A value whose payload cannot be written in this place of this log is written without the line breaks. */
function valueFor(spec: CaseSpec, marker: string): string {
  let payload = PAYLOAD_TEXT[spec.payload];
  if (spec.carrier === 'sql-number') return marker;
  // a line break cannot be in a CR-only file's values (it would end the line), nor in stderr's prefix fields, nor
  // in a Rails line (Ruby's inspect escapes it; the raw bytes would not be Rails' output)
  const inPrefix = ['application', 'user', 'database'].includes(spec.carrier) && spec.format.startsWith('stderr');
  if (spec.damage === 'cr-only' || inPrefix || spec.format === 'rails') payload = payload.replace(/[\r\n]/g, ' ');
  // PostgreSQL keeps 63 bytes of a name
  const v = `${payload}${marker}${spec.payload === 'md-heading' ? '' : payload}`;
  return Buffer.byteLength(v) > 63 && ['identifier', 'application', 'user', 'database'].includes(spec.carrier) ? `${payload}${marker}` : v;
}

export function makeCase(spec: CaseSpec, index: number): HostileCase {
  const rnd = seeded(spec.seed);
  const marker = spec.carrier === 'sql-number' ? `9${String(1000 + (index % 9000)).padStart(4, '0')}` : `zqk${index.toString(36)}x${Math.floor(rnd() * 1e6).toString(36)}`;
  const value = valueFor(spec, marker);
  const { events, fields } = workload(spec.carrier, value, marker, rnd);
  let lines: string[];
  switch (spec.format) {
    case 'csvlog':
      lines = renderCsv(events, fields);
      break;
    case 'jsonlog':
      lines = renderJson(events, fields);
      break;
    case 'rails':
      lines = renderRails(events);
      break;
    case 'django':
      lines = renderDjango(events);
      break;
    default:
      lines = renderStderr(spec.format, events, fields);
  }
  // ORM logs carry no server errors: their renderers write no failed statement
  const orm = spec.format === 'rails' || spec.format === 'django';
  let statements = events.filter((e) => e.kind === 'stmt' || (e.kind === 'fail' && !orm)).length;
  let truncated: number | null = null;
  const eol = spec.damage === 'cr-only' ? '\r' : '\n';
  if (spec.damage === 'huge-line') {
    // one statement of 1 MiB, whole: it counts
    const huge = `SELECT '${'x'.repeat(1 << 20)}' AS blob`;
    const at = lines.length - 1;
    const one = spec.format === 'csvlog' ? renderCsv([{ kind: 'stmt', sql: huge, ms: 0.5 }], fields) : spec.format === 'jsonlog' ? renderJson([{ kind: 'stmt', sql: huge, ms: 0.5 }], fields) : spec.format === 'rails' ? renderRails([{ kind: 'stmt', sql: huge, ms: 0.5 }]) : spec.format === 'django' ? renderDjango([{ kind: 'stmt', sql: huge, ms: 0.5 }]) : renderStderr(spec.format, [{ kind: 'stmt', sql: huge, ms: 0.5 }], fields);
    lines.splice(at, 0, one[one.length - 1]!);
    statements++;
  }
  const parts: Buffer[] = [];
  const text = (ls: string[]) => Buffer.from(ls.map((l) => (spec.damage === 'cr-only' ? l.replace(/\n/g, '\r') : l) + eol).join(''));
  if (spec.damage === 'nul' || spec.damage === 'invalid-utf8') {
    parts.push(text(lines.slice(0, 1)), garbageLine(spec.damage), Buffer.from('\n'), text(lines.slice(1)));
  } else if (spec.damage === 'truncated-last-line') {
    const body = text(lines);
    parts.push(body, Buffer.from(truncatedLine(spec.format)));
    truncated = body.toString('utf8').split('\n').length; // the lines before it, plus one
  } else {
    parts.push(text(lines));
  }
  let bytes = Buffer.concat(parts);
  let file = `case-${index}.${spec.format === 'csvlog' ? 'csv' : spec.format === 'jsonlog' ? 'json' : 'log'}`;
  if (spec.damage.startsWith('gzip-')) {
    file += '.gz';
    if (spec.damage === 'gzip-zero-padding') bytes = Buffer.concat([gzipSync(bytes), Buffer.alloc(1024)]);
    else if (spec.damage === 'gzip-trailing-garbage') bytes = Buffer.concat([gzipSync(bytes), Buffer.from('\x00garbage after the member\n')]);
    else {
      // a second member of quiet lines, cut halfway: every statement is in the first, complete member
      const quiet = Buffer.from(Array.from({ length: 40 }, (_, i) => quietTail(spec.format, i)).join('\n') + '\n');
      const second = gzipSync(quiet);
      bytes = Buffer.concat([gzipSync(bytes), second.subarray(0, Math.floor(second.length / 2))]);
    }
  }
  return {
    name: `${spec.format} · ${spec.carrier} · ${spec.payload} · ${spec.damage} (seed ${spec.seed})`,
    ...spec,
    file,
    bytes,
    marker,
    value,
    statements,
    truncatedLine: truncated,
    schemaName: spec.carrier === 'identifier',
    shown: spec.carrier !== 'error-text' && !(spec.carrier === 'application' && spec.format === 'stderr-rds'),
  };
}

/** A quiet line of the format (no statement), for the tail of a gzip member that gets cut. */
function quietTail(format: LogFormat, i: number): string {
  const ev: Event[] = [{ kind: 'quiet', text: `checkpoint complete: wrote ${i} buffers` }];
  const f: Fields = { user: 'u', db: 'd', app: 'a' };
  switch (format) {
    case 'csvlog':
      return renderCsv(ev, f)[0]!;
    case 'jsonlog':
      return renderJson(ev, f)[0]!;
    case 'rails':
      return renderRails(ev)[1]!;
    case 'django':
      return renderDjango(ev)[0]!;
    default:
      return renderStderr(format, ev, f)[0]!;
  }
}

/**
 * `count` cases: the formats in turn, each with its carriers in turn (each format starting at another carrier, so
 * a few cases of every format cover every carrier), and payloads and damages drawn from seeded cycles, so each
 * value of each dimension comes up about equally often and independently of the others. 70 cases hold every
 * format and carrier pair.
 */
export function hostileCases(count: number, seed = 19): HostileCase[] {
  const rnd = seeded(seed);
  const cycle = <T>(xs: T[]) => {
    let pool: T[] = [];
    return () => {
      if (pool.length === 0) {
        pool = [...xs];
        for (let i = pool.length - 1; i > 0; i--) {
          const j = Math.floor(rnd() * (i + 1));
          [pool[i], pool[j]] = [pool[j]!, pool[i]!];
        }
      }
      return pool.pop()!;
    };
  };
  const payload = cycle(PAYLOADS);
  const damage = cycle(DAMAGES);
  const out: HostileCase[] = [];
  for (let i = 0; i < count; i++) {
    const fi = i % LOG_FORMATS.length;
    const format = LOG_FORMATS[fi]!;
    const carriers = carriersOf(format);
    const carrier = carriers[(Math.floor(i / LOG_FORMATS.length) + fi * 6) % carriers.length]!;
    out.push(makeCase({ format, carrier, payload: payload(), damage: damage(), seed: seed * 100003 + i }, i));
  }
  return out;
}
