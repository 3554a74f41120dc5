#!/usr/bin/env node
/** Inflates a real PostgreSQL stderr log to a target size: copies shifted in time, pid and session id so sessions stay distinct. */
//   node scripts/inflate-log.mjs <source.log> <out.log> <size>      size: bytes, or 100MB / 1GB (10^6 / 10^9)
//
// Copy k of the source gets every prefix timestamp shifted by k × (the log's span + 1 s), so time only
// increases; pids by k × 7919 (kept below 2^31) and %c session ids (hex start time . hex pid) shifted the
// same way, so copy k's sessions are new sessions, not continuations of copy 0's. Lines without a
// prefix (continuations of multi-line statements) and message text are copied byte for byte: the
// statements are the real workload's. The last copy is cut at a line boundary to hit the size.
// Works for prefixes that start with %m or %t and then show %p in brackets, and %c in brackets anywhere
// (the cluster scripts' `%m [%p] %q%u@%d/%a [%c] %x `).
import fs from 'node:fs';
import process from 'node:process';

export function parseSize(s) {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|K|M|G)?$/i.exec(String(s).trim());
  if (!m) throw new Error(`not a size: ${s} (use bytes, or 100MB, 1GB)`);
  const unit = (m[2] ?? 'B').toUpperCase();
  const mult = { B: 1, K: 1e3, KB: 1e3, M: 1e6, MB: 1e6, G: 1e9, GB: 1e9 }[unit];
  return Math.round(Number(m[1]) * mult);
}

// %m / %t at the start of a line, then the zone; the pid is the first bracketed number after it
const HEAD = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d{3})? ([A-Za-z+\-0-9]+) \[(\d+)\]/;
// %c: hex process start time, a dot, hex pid, in brackets
const SESSION = /\[([0-9a-f]{6,8})\.([0-9a-f]{1,8})\]/;
const PID_STEP = 7919;

const pad = (n, w = 2) => String(n).padStart(w, '0');

/** `YYYY-MM-DD HH:MM:SS[.mmm]` in UTC; ORM logs put a `T` between date and time, or a `,` before the milliseconds. */
function fmtTime(ms, withMs, dateSep = ' ', msSep = '.') {
  const d = new Date(ms);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}${dateSep}${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return withMs ? `${base}${msSep}${pad(d.getUTCMilliseconds(), 3)}` : base;
}

/** One source line, pre-split so that each copy only formats the parts that change. */
function prepare(line) {
  const h = HEAD.exec(line);
  if (!h) return { raw: line };
  const t = Date.UTC(+h[1], +h[2] - 1, +h[3], +h[4], +h[5], +h[6], h[7] ? +h[7].slice(1) : 0);
  const rest = line.slice(h[0].length);
  const s = SESSION.exec(rest);
  return {
    t,
    withMs: h[7] !== undefined,
    zone: h[8],
    pid: +h[9],
    before: s ? rest.slice(0, s.index) : rest,
    sStart: s ? parseInt(s[1], 16) : 0,
    sPid: s ? parseInt(s[2], 16) : 0,
    after: s ? rest.slice(s.index + s[0].length) : '',
    hasSession: s !== null,
  };
}

// csvlog and jsonlog records: (lead)(time) (zone)(…)(pid)(…)(session start).(session pid)(rest). Lines that do
// not match (the continuation lines of a csv record's quoted multi-line field) are copied as they are.
const CSV_FIELD = '(?:"(?:[^"]|"")*"|[^,]*)';
const RECORD = {
  csv: new RegExp(`^()(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d{3})?) ([A-Za-z+\\-0-9]+)(,${CSV_FIELD},${CSV_FIELD},)(\\d+)(,${CSV_FIELD},)([0-9a-f]+)\\.([0-9a-f]+)(,.*)$`),
  json: /^(\{"timestamp":")(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{3})?) ([A-Za-z+\-0-9]+)(".*?"pid":)(\d+)(,.*?"session_id":")([0-9a-f]+)\.([0-9a-f]+)(".*)$/,
};

/** A csvlog or jsonlog record, split like prepare() splits a stderr line. */
function prepareRecord(line, re) {
  const m = re.exec(line);
  if (!m) return { raw: line };
  const [, lead, time, zone, beforePid, pid, beforeSession, sStart, sPid, rest] = m;
  const t = Date.parse(time.replace(' ', 'T') + 'Z');
  return { record: true, t, withMs: time.length > 19, zone, lead, beforePid, pid: +pid, beforeSession, sStart: parseInt(sStart, 16), sPid: parseInt(sPid, 16), rest };
}

/** Copy k of one prepared line; the zone text is kept, since the shift is done in UTC and zones are fixed offsets here. */
function render(p, k, shiftMs) {
  if (p.raw !== undefined) return p.raw;
  if (p.record) {
    const pid = (p.pid + k * PID_STEP) % 2_000_000_000;
    const start = p.sStart + Math.round((k * shiftMs) / 1000);
    const sPid = (p.sPid + k * PID_STEP) % 2_000_000_000;
    return `${p.lead}${fmtTime(p.t + k * shiftMs, p.withMs)} ${p.zone}${p.beforePid}${pid}${p.beforeSession}${start.toString(16)}.${sPid.toString(16)}${p.rest}`;
  }
  const pid = (p.pid + k * PID_STEP) % 2_000_000_000;
  let out = `${fmtTime(p.t + k * shiftMs, p.withMs)} ${p.zone} [${pid}]${p.before}`;
  if (p.hasSession) {
    const start = p.sStart + Math.round((k * shiftMs) / 1000);
    const sPid = (p.sPid + k * PID_STEP) % 2_000_000_000;
    out += `[${start.toString(16)}.${sPid.toString(16)}]${p.after}`;
  }
  return out;
}

export function inflate(source, out, size, log = () => {}) {
  const text = fs.readFileSync(source, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const kind = source.endsWith('.csv') ? 'csv' : source.endsWith('.json') ? 'json' : 'stderr';
  const prepared = kind === 'stderr' ? lines.map(prepare) : lines.map((l) => prepareRecord(l, RECORD[kind]));
  let first = Infinity;
  let last = -Infinity;
  for (const p of prepared) {
    if (p.t === undefined) continue;
    if (p.t < first) first = p.t;
    if (p.t > last) last = p.t;
  }
  if (!Number.isFinite(first)) throw new Error(`${source}: no line starts with a timestamp and [pid] (stderr), or is a csvlog/jsonlog record (.csv, .json)`);
  // whole seconds, so %c start times (seconds) shift by exactly the same amount as the timestamps
  const shiftMs = Math.ceil((last - first + 1000) / 1000) * 1000;
  const fd = fs.openSync(out + '.tmp', 'w');
  let written = 0;
  let copies = 0;
  try {
    outer: for (let k = 0; ; k++) {
      copies = k + 1;
      let chunk = '';
      for (const p of prepared) {
        const line = render(p, k, shiftMs) + '\n';
        const bytes = Buffer.byteLength(line);
        if (written + chunk.length + bytes > size && k > 0) {
          // the size cut lands here: stop at a line boundary, but never inside a multi-line statement
          if (p.raw === undefined) {
            written += fs.writeSync(fd, chunk);
            break outer;
          }
        }
        chunk += line;
        if (chunk.length > 4 << 20) {
          written += fs.writeSync(fd, chunk);
          chunk = '';
        }
      }
      written += fs.writeSync(fd, chunk);
      if (written >= size) break;
      if (k % 50 === 0) log(`  copy ${k + 1}: ${(written / 1e6).toFixed(0)} MB`);
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(out + '.tmp', out);
  return { bytes: fs.statSync(out).size, copies, sourceLines: lines.length, spanMs: shiftMs };
}

// an ORM log line's time, near its start: `2026-12-02 03:24:00,489` (Python logging), `.489`, or ISO with `T` and `Z` (TypeORM)
const ORM_TIME = /(\d{4})-(\d\d)-(\d\d)([ T])(\d\d):(\d\d):(\d\d)(?:([.,])(\d{3}))?(Z?)/;

/**
 * An ORM's statement log repeated until it reaches the size, every copy's line times shifted by the log's span + 1 s
 * so that time only increases, as in a log that kept running (a copy repeated as it is would turn the clock back at
 * every copy, which no real log does and which the session and fan-out logic rightly treats as a new stream).
 * Logs without times (Sequelize, ActiveRecord) are copied as they are. Copies are never cut.
 */
export function repeatShifted(source, out, size) {
  const text = fs.readFileSync(source, 'utf8');
  if (text.length === 0) throw new Error(`${source}: empty`);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const prepared = lines.map((line) => {
    const m = ORM_TIME.exec(line.slice(0, 64));
    if (!m) return { raw: line };
    const t = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[5], +m[6], +m[7], m[9] ? +m[9] : 0);
    return { t, before: line.slice(0, m.index), after: line.slice(m.index + m[0].length), sepDate: m[4], sepMs: m[8] ?? null, zulu: m[10] };
  });
  let first = Infinity;
  let last = -Infinity;
  for (const p of prepared) {
    if (p.t === undefined) continue;
    first = Math.min(first, p.t);
    last = Math.max(last, p.t);
  }
  const shiftMs = Number.isFinite(first) ? Math.ceil((last - first + 1000) / 1000) * 1000 : 0;
  const render = (p, k) => (p.raw !== undefined ? p.raw : `${p.before}${fmtTime(p.t + k * shiftMs, p.sepMs !== null, p.sepDate, p.sepMs ?? '.')}${p.zulu}${p.after}`);
  const fd = fs.openSync(out + '.tmp', 'w');
  let written = 0;
  let copies = 0;
  try {
    while (written < size) {
      let chunk = '';
      for (const p of prepared) {
        chunk += render(p, copies) + '\n';
        if (chunk.length > 4 << 20) {
          written += fs.writeSync(fd, chunk);
          chunk = '';
        }
      }
      written += fs.writeSync(fd, chunk);
      copies++;
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(out + '.tmp', out);
  return { bytes: written, copies, spanMs: shiftMs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [source, out, size] = process.argv.slice(2);
  if (!source || !out || !size) {
    process.stderr.write('usage: node scripts/inflate-log.mjs <source.log> <out.log> <size: bytes | 100MB | 1GB>\n');
    process.exit(2);
  }
  const r = inflate(source, out, parseSize(size), (m) => process.stderr.write(m + '\n'));
  process.stdout.write(JSON.stringify({ out, ...r }) + '\n');
}
