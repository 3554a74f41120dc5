/** Parsing and validating option values; errors say what was expected and what was received. */
import { accessSync, constants, existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tz } from '@date-fns/tz';

import { UsageError } from '../errors.js';

export { UsageError };

const RELATIVE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30m`, `24h`, `1.5s`, `250ms` → milliseconds. */
export function parseDuration(v: string, option: string): number {
  const m = RELATIVE.exec(v.trim());
  if (!m) throw new UsageError(`${option} must be a duration like 250ms, 30s, 30m, 24h or 7d. Received "${v}".`);
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

export interface TimeBound {
  /** Absolute epoch ms, or null when only a time of day was given. */
  at: number | null;
  /** Milliseconds since midnight (in the log's zone) for `HH:MM[:SS]` values. */
  timeOfDay: number | null;
}

/**
 * `--since/--until`: relative (`24h` before now), ISO 8601 with an offset, `YYYY-MM-DD[ HH:MM[:SS]]`
 * read in the log time zone (UTC unless --log-timezone), or `HH:MM[:SS]` as a time of day.
 */
export function parseTimeBound(v: string, option: string, logTimezone: string | null, now = Date.now()): TimeBound {
  const s = v.trim();
  if (RELATIVE.test(s)) return { at: now - parseDuration(s, option), timeOfDay: null };
  const tod = /^(\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(s);
  if (tod) {
    const [h, m, sec] = [Number(tod[1]), Number(tod[2]), Number(tod[3] ?? 0)];
    if (h > 23 || m > 59 || sec > 59) throw new UsageError(`${option}: ${v} is not a time of day`);
    return { at: null, timeOfDay: ((h * 60 + m) * 60 + sec) * 1000 };
  }
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?$/.exec(s);
  if (local) {
    const [y, mo, d, h, mi, se, ms] = local.slice(1).map((x) => Number(x ?? 0));
    const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!, se!, ms!);
    if (!logTimezone) return { at: wall, timeOfDay: null };
    const off = -tz(logTimezone)(wall).getTimezoneOffset() * 60_000;
    return { at: wall - off, timeOfDay: null };
  }
  const t = Date.parse(s);
  if (Number.isFinite(t) && /[zZ]|[+-]\d\d:?\d\d$/.test(s)) return { at: t, timeOfDay: null };
  throw new UsageError(
    `${option} must be relative (30m, 24h, 7d), a date-time (2024-05-01 14:00, 2024-05-01T14:00:00+02:00) or a time of day (14:00). Received "${v}".`,
  );
}

export function parseInteger(v: string, option: string, min: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${option} must be an integer ≥ ${min}. Received "${v}".`);
  return n;
}

export function parseList(v: string | undefined): string[] | null {
  if (v === undefined) return null;
  const items = v.split(',').map((x) => x.trim()).filter(Boolean);
  return items.length ? items : null;
}

/** Validate an IANA zone name early so a typo is a usage error, not wrong times. */
export function checkTimezone(v: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
  } catch {
    throw new UsageError(`--log-timezone must be an IANA zone such as Europe/Helsinki or America/Sao_Paulo. Received "${v}".`);
  }
  return v;
}

/**
 * A file the run will write (--output, --save-state, --write-baseline) is checked before the logs are read, so a
 * typo in a directory costs one line and exit 2, not an analysis and then an "unexpected error".
 */
export function checkWritable(file: string, option: string): void {
  const dir = path.dirname(path.resolve(file));
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new UsageError(`${option} ${file}: cannot write it, directory ${dir} does not exist`);
  }
  if (!st.isDirectory()) throw new UsageError(`${option} ${file}: cannot write it, ${dir} is not a directory`);
  try {
    if (statSync(file).isDirectory()) throw new UsageError(`${option} ${file}: cannot write it, it is a directory`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // not there yet: it will be created in dir
  }
  try {
    accessSync(existsSync(file) ? file : dir, constants.W_OK);
  } catch {
    throw new UsageError(`${option} ${file}: cannot write it, permission denied`);
  }
}

/** writeFileSync with the failure said in one line naming the file and its cause (disk full, permissions…). */
export function writeUserFile(file: string, data: string | Buffer, option: string): void {
  try {
    writeFileSync(file, data);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const cause = { ENOENT: 'no such directory', EACCES: 'permission denied', EISDIR: 'it is a directory', ENOSPC: 'no space left on the device' }[err.code ?? ''];
    throw new UsageError(`${option} ${file}: cannot write it, ${cause ?? err.message}`);
  }
}
