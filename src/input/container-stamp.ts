/**
 * Lines as a container runtime hands them over: `kubectl logs --timestamps`, `docker logs -t` and the CRI files
 * under /var/log/containers put a stamp in nanoseconds (and, in CRI files, the stream and a partial flag) before
 * every line the program wrote. No log format starts that way (PostgreSQL writes a space between date and time,
 * applications write milliseconds or microseconds), so it is taken off before any format sees the line; on a
 * multi-line statement it stands before every line, and left in place it would make each one look like a new record.
 */
const CONTAINER_STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(?:Z|[+-]\d\d:\d\d) (?:(?:stdout|stderr) [FP] )?/;

/** The line without a container runtime's stamp; the line itself (no copy) when it has none. */
export function withoutContainerStamp(line: string): string {
  // two character tests first: nearly every line pays only these
  if (line.length < 31 || line.charCodeAt(10) !== 84 || line.charCodeAt(4) !== 45) return line;
  const m = CONTAINER_STAMP.exec(line);
  return m === null ? line : line.slice(m[0].length);
}
