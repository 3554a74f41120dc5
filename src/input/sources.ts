/** Turns the command line's paths (files, directories, globs, `-`) into a sorted list of inputs to read. */
import { readdirSync, statSync } from 'node:fs';
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
export function resolveSources(paths: string[], stdinIsTTY: boolean): InputSource[] {
  if (paths.length === 0) {
    if (stdinIsTTY) throw new InputError('no input: give log files, a directory, a glob, or pipe a log into `sqloupe -`');
    return [{ path: '-', size: null }];
  }
  const out: InputSource[] = [];
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
      throw new InputError(`cannot read ${p}: no such file or directory`);
    }
    if (st.isDirectory()) {
      const files = walk(p);
      if (files.length === 0) throw new InputError(`directory ${p} holds no log files`);
      out.push(...files);
    } else {
      out.push({ path: p, size: st.size });
    }
  }
  return out;
}

/** Files under a directory, sorted by name so runs are repeatable; hidden files skipped. */
function walk(dir: string): InputSource[] {
  const out: InputSource[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(full));
    else if (e.isFile()) out.push({ path: full, size: statSync(full).size });
  }
  return out;
}
