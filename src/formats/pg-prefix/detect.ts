/** Detection of the log_line_prefix from sample lines: common prefixes and ones inferred from the lines, checked against them. */
import type { PgFields } from '../pg-message.js';
import { compilePrefix, PrefixError, type PrefixMatcher } from './matcher.js';
import { findSeverity } from './severity.js';

/** Prefixes seen in the wild, most specific first: PG default, Debian, RDS, pgBadger's advice, Heroku/Azure-style. */
export const COMMON_PREFIXES = [
  '%m [%p] %q%u@%d/%a [%c] %x ',
  '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ',
  '%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ',
  '%t [%p]: [%l-1] db=%d,user=%u,app=%a,client=%h ',
  '%t [%p]: user=%u,db=%d,app=%a,client=%h ',
  '%m [%p]: user=%u,db=%d,app=%a,client=%h ',
  '%t [%p]: [%l-1] ',
  '%m [%p] %q%u@%d ',
  '%m [%p] %q[%u@%d] ',
  '%m [%p] %u@%d ',
  '%t [%p] %q%u@%d ',
  '%m [%p] %q%u@%d %a ',
  '%t:%r:%u@%d:[%p]:',
  '%m:%r:%u@%d:[%p]:',
  '%m [%p-%l] %q%u@%d ',
  '%t [%p-%l] %q%u@%d ',
  '%m [%p] ',
  '%t [%p] ',
  '%m %p ',
  '%m [%c] ',
  '%n [%p] ',
  '< %m > ',
  '%m ',
  '%t ',
];

/** Guess a prefix from the text before the severity of one line, for prefixes not in the common list. */
export function inferPrefix(line: string): string | null {
  const sev = findSeverity(line);
  if (sev <= 0) return null;
  let p = line.slice(0, sev).replace(/%/g, '%%');
  const rules: [RegExp, string | ((...m: string[]) => string)][] = [
    [/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+(?: [A-Za-z][A-Za-z0-9]*| [+-][\d:]+)?/, '%m'],
    [/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [A-Za-z][A-Za-z0-9]*| [+-][\d:]+)?/, '%t'],
    [/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [A-Za-z][A-Za-z0-9]*| [+-][\d:]+)?/, '%s'],
    [/\b\d{10}\.\d{3}\b/, '%n'],
    [/\b[0-9a-f]{4,16}\.[0-9a-f]{1,8}\b/, '%c'],
    [/\b(user|usr|u|role)=[^ ,;\]]*/i, (_m, k) => `${k}=%u`],
    [/\b(db|database|dbname|d)=[^ ,;\]]*/i, (_m, k) => `${k}=%d`],
    [/\b(app|application|application_name|appname|a)=[^,;\]]*?(?=[,;\]]| [a-z]+=| $|$)/i, (_m, k) => `${k}=%a`],
    [/\b(client|host|remote|h|r)=[^ ,;\]]*\(\d+\)/i, (_m, k) => `${k}=%r`],
    [/\b(client|host|remote|h)=[^ ,;\]]*/i, (_m, k) => `${k}=%h`],
    [/\b(xid|tx|txid|x)=\d+/i, (_m, k) => `${k}=%x`],
    [/\b(vxid|v)=[\d/]*/i, (_m, k) => `${k}=%v`],
    [/\b(pid|p)=\d+/i, (_m, k) => `${k}=%p`],
    [/\[\d+\]/, '[%p]'],
    [/\[\d+-1\]/, '[%l-1]'],
    [/\b\d+\/\d+\b/, '%v'],
    [/(^|[ \[])([A-Za-z0-9_.\-]+|\[unknown\])@([A-Za-z0-9_.\-]+|\[unknown\])(?=[ \]:/,]|$)/, (_m, pre) => `${pre}%u@%d`],
  ];
  for (const [re, to] of rules) p = p.replace(re, to as string);
  // remaining bare numbers are per-line counters or ids: match them as digits
  p = p.replace(/(^|[\s\[:(-])\d+(?=[\s\]:)-]|$)/g, '$1%l');
  return p.includes('%') ? p : null;
}

export interface PrefixDetection {
  prefix: string | null;
  /** Lines (of those sampled that carry a severity marker) the prefix matched. */
  matched: number;
  sampled: number;
}

/** The matcher for a detected prefix, or null when no prefix fits the lines. */
export function detectedMatcher(d: PrefixDetection, logTimezone: string | null): PrefixMatcher | null {
  if (d.prefix === null || d.matched === 0) return null;
  try {
    return compilePrefix(d.prefix, logTimezone);
  } catch (e) {
    if (e instanceof PrefixError) return null;
    throw e;
  }
}

/** Pick the prefix that matches most sample lines: the common ones and the ones inferred from the first lines. */
export function detectPrefix(lines: string[], logTimezone: string | null): PrefixDetection {
  const sample = lines.filter((l) => findSeverity(l) > 0).slice(0, 200);
  if (sample.length === 0) return { prefix: null, matched: 0, sampled: 0 };
  const candidates = new Set(COMMON_PREFIXES);
  for (const l of sample.slice(0, 5)) {
    const inferred = inferPrefix(l);
    if (inferred) candidates.add(inferred);
  }
  const f: PgFields = { line: 0, time: null, session: '', tx: null, user: null, database: null, application: null, client: null };
  let best: PrefixDetection = { prefix: null, matched: 0, sampled: sample.length };
  let bestEscapes = -1;
  let bestFull = -1;
  for (const prefix of candidates) {
    let m: PrefixMatcher;
    try {
      m = compilePrefix(prefix, logTimezone);
    } catch {
      continue;
    }
    let matched = 0;
    // lines read only up to %q do not show the fields after it: a prefix is only credited with those
    // fields when lines carry them (else '%m [%p] %q%u@%d' would win over the '%m [%p] ' it was written with)
    let full = 0;
    for (const l of sample) {
      if (m.match(l, f, (p) => p) >= 0 && (f.time !== null || !hasTimeEscape(m))) {
        matched++;
        if (!m.partial()) full++;
      }
    }
    const escapes = m.escapes.size;
    if (
      matched > best.matched ||
      (matched === best.matched && matched > 0 && (full > bestFull || (full === bestFull && escapes > bestEscapes)))
    ) {
      best = { prefix, matched, sampled: sample.length };
      bestEscapes = escapes;
      bestFull = full;
    }
  }
  return best;
}

function hasTimeEscape(m: PrefixMatcher): boolean {
  return m.escapes.has('m') || m.escapes.has('t') || m.escapes.has('n');
}
