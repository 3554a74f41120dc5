/** Detection of the log_line_prefix from sample lines: common prefixes and ones inferred from the lines, checked against them. */
import { messageStart, type PgFields } from '../pg-message.js';
import { compilePrefix, PrefixError, type PrefixMatcher } from './matcher.js';
import { BACKEND_TYPES, collectEvidence, inferFromAuthorized, withStop, type Evidence } from './evidence.js';
import { findSeverity, severityEnd } from './severity.js';
import { englishConnectionMessage, englishSeverity, isUnknownValue } from '../pg-locale.js';

/** Prefixes seen in the wild, most specific first: PG default, Debian, RDS, pgBadger's advice, Heroku/Azure-style. */
export const COMMON_PREFIXES = [
  '%m [%p] %q%u@%d/%a [%c] %v ',
  '%m [%p] %q%u@%d/%a %c %v %x ',
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
  p = p.replace(/(^|[\s\[:(=,-])\d+(?=[\s\]:)=,-]|$)/g, '$1%l');
  return p.includes('%') ? p : null;
}

export interface PrefixDetection {
  prefix: string | null;
  /** Lines (of those sampled that carry a severity marker) the prefix matched. */
  matched: number;
  sampled: number;
  /**
   * Other prefixes that fit the sample exactly as well but read some fields differently: the log alone cannot tell
   * them apart (give --prefix). Empty when the choice is clear.
   */
  alternatives?: string[];
  /** Checks of the chosen prefix against the log's own evidence (connection lines, field shapes): passed / failed. */
  agreed?: number;
  disagreed?: number;
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

/** Connection lines used to infer candidates (each gives a few). */
const INFER_FROM_CONNECTIONS = 3;
/** Candidates scored against the evidence: the ones matching most lines (scoring costs more than matching). */
const SCORED = 16;

interface Scored {
  prefix: string;
  matcher: PrefixMatcher;
  order: number;
  matched: number;
  full: number;
  agreed?: number;
  disagreed?: number;
  score: number;
}

/**
 * Pick the prefix that reads the sample best. Candidates: the common prefixes, ones inferred from the first lines by
 * shape, and ones inferred from `connection authorized` lines, whose user, database and host are known. Each is
 * scored by the lines it matches and by checks against the log's own evidence: the user/database/application of a
 * backend (from its connection lines) stay the same on all its lines, %l counts up from 1 per backend, %c holds the
 * pid, values have the shape of their escape. A reading that cuts a client-controlled field short (an application
 * name holding `LOG:  `) disagrees with the connection lines and loses.
 */
export function detectPrefix(lines: string[], logTimezone: string | null): PrefixDetection {
  const sample = sampleOf(lines);
  if (sample.length === 0) return { prefix: null, matched: 0, sampled: 0, alternatives: [], agreed: 0, disagreed: 0 };
  const ev = collectEvidence(sample);
  const f: PgFields = { line: 0, time: null, session: '', tx: null, user: null, database: null, application: null, client: null };
  // a first, cheap pass: only candidates that match nearly as many lines as the best one are scored
  const { compiled, most } = firstPass(sample, ev, logTimezone);
  const scored: Scored[] = [];
  let order = 0;
  const leaders = new Set(
    compiled
      .filter((c) => c.hits > 0 && c.hits >= most * 0.8)
      .sort((a, b) => b.hits - a.hits)
      .slice(0, SCORED),
  );
  for (const c of compiled) {
    if (leaders.has(c)) scored.push({ prefix: c.prefix, matcher: c.matcher, order, ...score(c.matcher, sample, ev, f) });
    order++;
  }
  if (scored.length === 0) return { prefix: null, matched: 0, sampled: sample.length, alternatives: [], agreed: 0, disagreed: 0 };
  // %q does not count as a field: a prefix with it is preferred only when it reads more lines
  const fields = (m: PrefixMatcher) => m.escapes.size - (m.escapes.has('q') ? 1 : 0);
  const better = (a: Scored, b: Scored) =>
    b.score - a.score || b.matched - a.matched || b.full - a.full || fields(b.matcher) - fields(a.matcher) || a.order - b.order;
  scored.sort(better);
  // the leaders again with %q at each place: lines of the postmaster and other server processes then match too
  const tried = new Set(scored.map((s) => s.prefix));
  for (const lead of scored.slice(0, 3)) {
    for (const prefix of withStop(lead.prefix)) {
      if (tried.has(prefix)) continue;
      tried.add(prefix);
      let m: PrefixMatcher;
      try {
        m = compilePrefix(prefix, logTimezone);
      } catch {
        continue;
      }
      scored.push({ prefix, matcher: m, order: order++, ...score(m, sample, ev, f) });
    }
  }
  scored.sort(better);
  const best = scored[0]!;
  if (best.matched === 0) return { prefix: null, matched: 0, sampled: sample.length, alternatives: [], agreed: 0, disagreed: 0 };
  // as good as the best, yet reading the lines otherwise: the log cannot decide between them
  const alternatives: string[] = [];
  const ties = scored.filter((s) => s !== best && s.score === best.score && s.matched === best.matched && s.full === best.full);
  if (ties.length > 0) {
    const mine = readings(best.matcher, sample, f);
    // not worth a warning: %s (session start) for %t, the same until a session outlives a second (and %s alone
    // in a prefix is rare), and another place for %q, which only changes what server processes' lines show
    const asLogTime = (p: string) => p.replace(/%s/g, '%t').replace(/%q/g, '');
    const named = new Set([asLogTime(best.prefix)]);
    for (const t of ties) {
      if (alternatives.length >= 3) break;
      if (named.has(asLogTime(t.prefix))) continue;
      named.add(asLogTime(t.prefix));
      if (readings(t.matcher, sample, f) !== mine) alternatives.push(t.prefix);
    }
  }
  return { prefix: best.prefix, matched: best.matched, sampled: sample.length, alternatives, agreed: best.agreed, disagreed: best.disagreed };
}

/** The lines with a severity marker that detection reads. */
function sampleOf(lines: string[]): string[] {
  const sample: string[] = [];
  for (const l of lines) {
    const at = findSeverity(l);
    if (at <= 0) continue;
    sample.push(inEnglish(l, at));
    if (sample.length === 200) break;
  }
  return sample;
}

/**
 * A sample line as an English server would write it when it is a translated connection line (lc_messages other than
 * English): the connection lines are the evidence the prefix is checked against, and `[unknown]` is translated too
 * (ru `[н/д]`, whose `/` would read as a separator). Other lines are kept as they are.
 */
function inEnglish(l: string, at: number): string {
  const end = severityEnd(l, at);
  if (end < 0) return l;
  const severity = l.slice(at, end);
  if (severity === 'LOG' || englishSeverity(severity) !== 'LOG') return l;
  const msg = messageStart(l, end + 3);
  const english = englishConnectionMessage(l.slice(msg));
  if (english === null) return l;
  return `${l.slice(0, at).replace(/\[[^\]\s]+\]/g, (v) => (isUnknownValue(v) ? '[unknown]' : v))}LOG:  ${english}`;
}

/** Every candidate compiled, with the sample lines it matches (where it has a time, only lines whose time reads). */
function firstPass(sample: string[], ev: Evidence, logTimezone: string | null): { compiled: { prefix: string; matcher: PrefixMatcher; hits: number }[]; most: number } {
  const candidates = new Set(COMMON_PREFIXES);
  for (const l of sample.slice(0, 5)) {
    const inferred = inferPrefix(l);
    if (inferred) candidates.add(inferred);
  }
  let used = 0;
  const seen = new Set<string>();
  for (const [i, a] of ev.authorized) {
    const key = `${a.user}\u0000${a.database}`;
    if (seen.has(key) && used > 0) continue;
    seen.add(key);
    for (const c of inferFromAuthorized(sample[i]!, a, ev)) candidates.add(c);
    if (++used >= INFER_FROM_CONNECTIONS) break;
  }
  const compiled: { prefix: string; matcher: PrefixMatcher; hits: number }[] = [];
  let most = 0;
  for (const prefix of candidates) {
    let m: PrefixMatcher;
    try {
      m = compilePrefix(prefix, logTimezone);
    } catch {
      continue;
    }
    let hits = 0;
    for (const l of sample) if (m.matchOnly(l) >= 0) hits++;
    if (hits > most) most = hits;
    compiled.push({ prefix, matcher: m, hits });
  }
  return { compiled, most };
}

/**
 * For format sniffing: how many sample lines the best-matching candidate reads (lines with a time must have one
 * that parses), without scoring the candidates against the log's evidence — a fraction of detectPrefix's cost.
 */
export function prefixShare(lines: string[]): { matched: number; sampled: number } {
  const sample = sampleOf(lines);
  if (sample.length === 0) return { matched: 0, sampled: 0 };
  const { compiled, most } = firstPass(sample, collectEvidence(sample), null);
  const f: PgFields = { line: 0, time: null, session: '', tx: null, user: null, database: null, application: null, client: null };
  let best = 0;
  for (const c of compiled) {
    if (c.hits === 0 || c.hits < best || c.hits < most * 0.8) continue;
    if (!hasTimeEscape(c.matcher)) {
      best = Math.max(best, c.hits);
      continue;
    }
    let timed = 0;
    for (const l of sample) {
      if (c.matcher.matchOnly(l) < 0) continue;
      c.matcher.fill(l, f, (p) => p, true);
      if (f.time !== null) timed++;
    }
    best = Math.max(best, timed);
  }
  return { matched: best, sampled: sample.length };
}

/** What a prefix reads from the sample, as one string, to tell prefixes that read alike from ones that do not. */
function readings(m: PrefixMatcher, sample: string[], f: PgFields): string {
  const out: string[] = [];
  for (const l of sample) {
    const at = m.matchOnly(l);
    if (at < 0) {
      out.push('-');
      continue;
    }
    f.session = '';
    m.fill(l, f, (p) => p, true);
    out.push(`${at}|${f.time}|${f.user}|${f.database}|${f.application}|${f.client}|${f.tx}|${f.session}`);
  }
  return out.join('\n');
}

interface SessionFacts {
  user?: string;
  database?: string;
  application?: string;
  line?: number;
  start?: string;
  pid?: string;
  session?: string;
}

const COMMAND_TAG = /^(?:[A-Z]+(?: [A-Z]+)*|idle(?: in transaction(?: \(aborted\))?)?|authentication|startup|)$/;

/** Lines matched (and fully, past %q), and evidence checks passed and failed, combined into one score. */
function score(m: PrefixMatcher, sample: string[], ev: Evidence, f: PgFields): Omit<Scored, 'prefix' | 'matcher' | 'order'> {
  let matched = 0;
  let full = 0;
  let agreed = 0;
  let disagreed = 0;
  const check = (ok: boolean) => (ok ? agreed++ : disagreed++);
  const fail = (bad: boolean) => {
    if (bad) disagreed++;
  };
  const sessions = new Map<string, SessionFacts>();
  const receivedPids = new Set<string>();
  const timed = hasTimeEscape(m);
  for (let i = 0; i < sample.length; i++) {
    const l = sample[i]!;
    const at = m.matchOnly(l);
    if (at < 0) continue;
    if (timed) {
      m.fill(l, f, (p) => p, true);
      if (f.time === null) continue;
    }
    matched++;
    if (!m.partial()) full++;
    const msg = messageStart(l, at + m.severity.length + 3);
    const received = l.startsWith('connection received: ', msg);
    const authorized = l.startsWith('connection authorized: user=', msg);
    // the message starts where the connection lines say it does
    const realReceived = ev.received.get(i);
    if (realReceived !== undefined) check(realReceived === at);
    const realAuthorized = ev.authorized.get(i);
    if (realAuthorized !== undefined) check(realAuthorized.at === at);
    const v: Record<string, string> = {};
    for (const [esc, s, e] of m.spans()) {
      const val = l.slice(s, e);
      // an escape twice in a prefix shows the same value twice (the `1` of `[%l-1]` is no second %l)
      if (esc in v) fail(v[esc] !== val);
      else v[esc] = val;
    }
    const key = v['c'] || v['p'] || '';
    let sess = key ? sessions.get(key) : undefined;
    if (key && (received || sess === undefined)) {
      sess = {};
      sessions.set(key, sess);
    }
    if (authorized && sess && realAuthorized) {
      sess.user = realAuthorized.user;
      if (realAuthorized.database !== null) sess.database = realAuthorized.database;
      sess.application = realAuthorized.application ?? '';
    }
    for (const esc in v) {
      const val = v[esc]!;
      const t = val.trim();
      switch (esc) {
        // shape checks only count against a reading: they pass for any right one, and passing proves little
        case 'm':
          fail(!val.includes('.'));
          break;
        case 't':
        case 's':
          fail(val.includes('.'));
          // the log time in seconds is the one with milliseconds, cut (a session start is earlier, for a long session)
          if (esc === 't' && v['m'] !== undefined) fail(v['m'].slice(0, 19) !== val.slice(0, 19));
          if (esc === 's' && sess) {
            if (sess.start === undefined) sess.start = val;
            else fail(sess.start !== val);
          }
          break;
        case 'e':
          fail(!(/^[0-9A-Z]{5}$/.test(val) && (val.startsWith('0') || /[A-Z]/.test(val))));
          break;
        case 'v':
          // backend id / local xid, empty for processes without one
          fail(val !== '' && !val.includes('/'));
          break;
        case 'x':
          fail(!/^(?:0|[1-9]\d{0,9})$/.test(val));
          break;
        case 'Q':
          fail(!(val === '0' || val.startsWith('-') || val.length > 8));
          break;
        case 'l':
          if (received) check(val === '1');
          else if (sess?.line !== undefined) check(Number(val) === sess.line + 1);
          if (sess) sess.line = Number(val);
          break;
        case 'p':
          fail(val === '0');
          if (received) {
            check(!receivedPids.has(val));
            receivedPids.add(val);
          }
          if (v['c'] && sess) {
            if (sess.pid === undefined) sess.pid = val;
            else check(sess.pid === val);
          }
          break;
        case 'c': {
          const dot = val.indexOf('.');
          if (v['p']) check(String(parseInt(val.slice(dot + 1), 16)) === v['p']);
          break;
        }
        case 'u':
        case 'd':
        case 'a': {
          if (t === '' || isUnknownValue(t)) break;
          const known = esc === 'u' ? ev.users : esc === 'd' ? ev.databases : ev.applications;
          if (known.size > 0) check(known.has(t));
          const field = esc === 'u' ? 'user' : esc === 'd' ? 'database' : 'application';
          if (sess && !authorized) {
            const want = sess[field];
            if (want === undefined) sess[field] = t;
            else check(want === t);
          }
          break;
        }
        case 'h':
          if (t !== '' && ev.hosts.size > 0) check(ev.hosts.has(t));
          break;
        case 'r': {
          if (t === '' || ev.hosts.size === 0) break;
          const paren = t.indexOf('(');
          check(t === '[local]' ? ev.hosts.has(t) : paren > 0 && t.endsWith(')') && ev.hosts.has(t.slice(0, paren)));
          break;
        }
        case 'b':
          if (t !== '') check(BACKEND_TYPES.has(t));
          break;
        case 'i':
          check(COMMAND_TAG.test(t));
          break;
        default:
      }
    }
    if (key && l.startsWith('disconnection: ', msg)) sessions.delete(key);
  }
  return { matched, full, agreed, disagreed, score: 3 * matched + full + agreed - 3 * disagreed };
}

function hasTimeEscape(m: PrefixMatcher): boolean {
  return m.escapes.has('m') || m.escapes.has('t') || m.escapes.has('n');
}
