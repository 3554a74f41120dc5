/** Structured (JSON) log records that carry an ORM's text line: pino, winston, bunyan, logstash-logback-encoder, ECS. */

/** Scratch result of unwrapJson(): message, logger, thread and time of a structured (JSON) log record. */
export const rec = { message: '', logger: '', thread: '', time: null as number | null };

function firstString(o: Record<string, unknown>, keys: string[]): string {
  for (const k of keys) {
    const v = o[k];
    if (typeof v === 'string') return v;
  }
  return '';
}

/**
 * A JSON log record as pino, winston, bunyan, logstash-logback-encoder or ECS write them: the ORM's text
 * is in `msg`/`message`. Returns false for anything else. Only lines starting with `{` pay for JSON.parse.
 */
export function unwrapJson(line: string): boolean {
  if (line.charCodeAt(0) !== 123 || line.charCodeAt(line.length - 1) !== 125) return false;
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return false;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  // PostgreSQL's own jsonlog (and CloudNativePG's wrapping of it) is the server's record, never an ORM's line
  if (typeof o.error_severity === 'string' || (o.logger === 'postgres' && o.record !== null && typeof o.record === 'object')) return false;
  rec.message = firstString(o, ['msg', 'message', 'Message']);
  if (rec.message === '') return false;
  const log = o.log;
  const nested = log !== null && typeof log === 'object' ? (log as Record<string, unknown>) : null;
  rec.logger = firstString(o, ['logger_name', 'logger', 'loggerName', 'log.logger', 'name']) || (nested ? firstString(nested, ['logger']) : '');
  const proc = o.process;
  const thread = proc !== null && typeof proc === 'object' ? (proc as Record<string, unknown>).thread : null;
  rec.thread =
    firstString(o, ['thread_name', 'thread', 'threadName', 'process.thread.name']) ||
    (thread !== null && typeof thread === 'object' ? firstString(thread as Record<string, unknown>, ['name']) : '');
  const t = o['@timestamp'] ?? o.timestamp ?? o.time ?? o.ts;
  rec.time = null;
  if (typeof t === 'number') rec.time = t > 1e12 ? t : t * 1000; // pino ms, bunyan/zap seconds
  else if (typeof t === 'string') {
    const ms = Date.parse(t);
    rec.time = Number.isNaN(ms) ? null : ms;
  }
  return true;
}

/** The line itself, or the text a JSON record carries (pino, winston, logstash-logback-encoder). */
export function plainLine(line: string, withLogger: boolean): string {
  return line.charCodeAt(0) === 123 ? (jsonRecordAsLine(line, withLogger) ?? line) : line;
}

/**
 * The text a JSON log record stands for, as one plain line the format already reads:
 * `<ISO time> [thread] logger - message` (withLogger, for Java frameworks) or `<ISO time> message`.
 * Null when the line is not such a record.
 */
export function jsonRecordAsLine(line: string, withLogger: boolean): string | null {
  if (!unwrapJson(line)) return null;
  const t = rec.time !== null ? new Date(rec.time).toISOString() + ' ' : '';
  if (withLogger && rec.logger !== '') return `${t}[${rec.thread}] ${rec.logger} - ${rec.message}`;
  return t + rec.message;
}
