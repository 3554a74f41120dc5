/** Turns the command line's paths (files, directories, globs, `-`) into a sorted list of inputs to read. */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { globSync } from 'tinyglobby';

export interface InputSource {
  /** Path as the user wrote it (or as found under a directory); '-' for stdin. */
  path: string;
  size: number | null;
}

export class InputError extends Error {}

const GLOB_CHARS = /[*?[\]{}]/;

/** Expand paths; a path that matches nothing is an input error (exit 2) rather than an empty report. */
export function resolveSources(paths: string[], stdinIsTTY: boolean, opts: ResolveOptions = {}): InputSource[] {
  return resolveInputs(paths, stdinIsTTY, opts).sources;
}

export interface ResolveOptions {
  /** --follow: a plain path that does not exist yet is kept (size null), to be read once it appears. */
  waitForMissing?: boolean;
}

export interface ResolvedInputs {
  sources: InputSource[];
  /** Files found under a directory that are plainly not logs (README.md, a pretty-printed .json…), left unread. */
  notLogs: string[];
}

/** resolveSources, also saying which files under a directory were left out as not logs. */
export function resolveInputs(paths: string[], stdinIsTTY: boolean, opts: ResolveOptions = {}): ResolvedInputs {
  if (paths.length === 0) {
    if (stdinIsTTY) throw new InputError('no input: give log files, a directory, a glob, or pipe a log into `sqloupe -`');
    return { sources: [{ path: '-', size: null }], notLogs: [] };
  }
  const out: InputSource[] = [];
  const notLogs: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push({ path: '-', size: null });
      continue;
    }
    let st;
    try {
      st = statSync(p);
    } catch {
      if (GLOB_CHARS.test(p)) {
        const matches = globSync(p, { onlyFiles: true, dot: false, expandDirectories: false }).sort();
        if (matches.length === 0) throw new InputError(`no file matches ${p}`);
        for (const m of matches) out.push({ path: m, size: statSync(m).size });
        continue;
      }
      if (opts.waitForMissing) {
        out.push({ path: p, size: null });
        continue;
      }
      throw new InputError(`cannot read ${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      const files = walk(p, notLogs);
      if (files.length === 0) {
        throw new InputError(`directory ${p} holds no log files${notLogs.length ? ` (${notLogs.length === 1 ? 'one file' : `${notLogs.length} files`} that ${notLogs.length === 1 ? 'is' : 'are'} not a log: ${notLogs.join(', ')})` : ''}`);
      }
      out.push(...files);
    } else {
      // a file named on the command line is read whatever its name: the user asked for it
      out.push({ path: p, size: st.size });
    }
  }
  return { sources: out, notLogs };
}

/** Names that are documentation, pictures or data beside the logs, never a log (a .log, .csv, .gz or no extension may be). */
const NOT_LOG_NAME = /^(readme|license|licence|changelog|notice|authors|copying)(\..*)?$/i;
const NOT_LOG_EXT = /\.(md|markdown|rst|adoc|html?|pdf|png|jpe?g|gif|svg|webp|ico|bmp|tiff?|ya?ml|toml|ini|conf|sh|py|js|mjs|ts|sql|state|zip|tar|7z|rar|xz|bz2|zst)$/i;
/** Keys of the JSON log formats (jsonlog, CloudNativePG's envelope, Cloud SQL, ORM JSON lines): one of them on line 1. */
const LOG_JSON_KEYS = ['timestamp', 'error_severity', 'textPayload', 'record', 'message', 'msg', 'time', 'ts', 'level'];

/** Plainly not a log: by name, or a .json file that is not one JSON object per line with log keys (a config, a report). */
export function plainlyNotLog(file: string, name: string): boolean {
  if (NOT_LOG_NAME.test(name) || NOT_LOG_EXT.test(name)) return true;
  if (!/\.json$/i.test(name)) return false;
  const first = firstLine(file);
  if (first === null) return false;
  try {
    const v: unknown = JSON.parse(first);
    return !(v !== null && typeof v === 'object' && !Array.isArray(v) && LOG_JSON_KEYS.some((k) => k in v));
  } catch {
    // a pretty-printed document starts with a lone "{" or "[": not a JSON log
    return true;
  }
}

/** The first non-blank line of a file, read from its first 64 KiB; null when there is none or it cannot be read. */
function firstLine(file: string): string | null {
  let fd: number | null = null;
  try {
    fd = openSync(file, 'r');
    const buf = Buffer.alloc(64 * 1024);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const lines = buf.toString('utf8', 0, n).split('\n');
    const i = lines.findIndex((l) => l.trim().length > 0);
    // a first line longer than what was read cannot be judged: keep the file
    if (i === -1 || (i === lines.length - 1 && n === buf.length)) return null;
    return lines[i]!.trim();
  } catch {
    return null;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** Files under a directory, sorted by name so runs are repeatable; hidden files skipped, plainly-not-logs noted in `notLogs`. */
function walk(dir: string, notLogs: string[]): InputSource[] {
  const out: InputSource[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(full, notLogs));
    else if (e.isFile()) {
      if (plainlyNotLog(full, e.name)) notLogs.push(full);
      else out.push({ path: full, size: statSync(full).size });
    }
  }
  return out;
}
