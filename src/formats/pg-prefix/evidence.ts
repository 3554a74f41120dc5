/**
 * What a log says about its own prefix fields: `connection received: host=…` and `connection authorized: user=…
 * database=… application_name=…` give the true %h, %u, %d and %a of a backend, whatever the prefix makes of them.
 * Prefix candidates are inferred from those lines by placing the known values, then the shapes (%m, %c, %v …).
 */

import { messageStart } from '../pg-message.js';

/** Known values from the connection lines of a sample. */
export interface Evidence {
  users: Set<string>;
  databases: Set<string>;
  /** application names ('' for a connection without one) */
  applications: Set<string>;
  hosts: Set<string>;
  /** per sample line index: the real `connection authorized` message there */
  authorized: Map<number, Authorized>;
  /** per sample line index: where the real `connection received` message starts (its severity word) */
  received: Map<number, number>;
}

export interface Authorized {
  /** index of the severity word of the real message */
  at: number;
  user: string;
  database: string | null;
  application: string | null;
}

/** Backend types %b can show (PostgreSQL 15 `GetBackendTypeDesc`). */
export const BACKEND_TYPES = new Set([
  'client backend', 'postmaster', 'checkpointer', 'background writer', 'walwriter', 'autovacuum launcher', 'autovacuum worker',
  'logical replication launcher', 'logical replication worker', 'parallel worker', 'startup', 'archiver', 'walsender',
  'walreceiver', 'background worker', 'standalone backend', 'logger', 'not initialized', 'stats collector',
]);

const AUTHORIZED = 'connection authorized: user=';
const RECEIVED = 'connection received: host=';
const LOG = 'LOG:  ';

/**
 * Index of `LOG:  ` before the first `phrase` from `from` that is a message of its own (`LOG:  phrase`, or
 * `LOG:  00000: phrase` with log_error_verbosity = verbose), and where the phrase starts; null when none is.
 */
function logMessage(line: string, phrase: string, from = 0): { at: number; phraseAt: number } | null {
  for (let k = line.indexOf(phrase, from); k >= 0; k = line.indexOf(phrase, k + 1)) {
    if (k >= 6 && line.startsWith(LOG, k - 6)) return { at: k - 6, phraseAt: k };
    if (k >= 13 && line.startsWith(LOG, k - 13) && messageStart(line, k - 7) === k) return { at: k - 13, phraseAt: k };
  }
  return null;
}

/** Parse `user=U database=D application_name=A[ SSL enabled (…)]` from `from`. */
export function parseAuthorized(line: string, from: number): Omit<Authorized, 'at'> | null {
  const rest = line.slice(from);
  const db = rest.indexOf(' database=');
  if (db < 0) return null;
  const user = rest.slice(0, db);
  const app = rest.indexOf(' application_name=', db);
  let database = app < 0 ? rest.slice(db + 10) : rest.slice(db + 10, app);
  let application = app < 0 ? null : rest.slice(app + 18);
  const tls = / (?:SSL enabled|GSS) \(.*\)$/;
  if (application !== null) application = application.replace(tls, '');
  else database = database.replace(tls, '');
  return { user, database, application };
}

/** The real `connection authorized` of a line: the one whose application name also shows earlier (in %a), else the first. */
function findAuthorized(line: string): Authorized | null {
  let m = logMessage(line, AUTHORIZED);
  let first: Authorized | null = null;
  let chosen: Authorized | null = null;
  for (let n = 0; m !== null && n < 4; n++) {
    const a = parseAuthorized(line, m.phraseAt + AUTHORIZED.length);
    if (a !== null) {
      const found = { ...a, at: m.at };
      first ??= found;
      if (a.application !== null && a.application !== '' && line.lastIndexOf(a.application, m.at) >= 0) chosen = found;
    }
    m = logMessage(line, AUTHORIZED, m.phraseAt + 1);
  }
  return chosen ?? first;
}

export function collectEvidence(lines: string[]): Evidence {
  const ev: Evidence = {
    users: new Set(),
    databases: new Set(),
    applications: new Set(),
    hosts: new Set(),
    authorized: new Map(),
    received: new Map(),
  };
  lines.forEach((line, i) => {
    const r = logMessage(line, RECEIVED);
    if (r !== null) {
      const from = r.phraseAt + RECEIVED.length;
      const sp = line.indexOf(' ', from);
      ev.hosts.add(sp < 0 ? line.slice(from) : line.slice(from, sp));
      ev.received.set(i, r.at);
      return;
    }
    if (!line.includes(AUTHORIZED)) return;
    const a = findAuthorized(line);
    if (a === null) return;
    ev.authorized.set(i, a);
    ev.users.add(a.user);
    if (a.database !== null) ev.databases.add(a.database);
    ev.applications.add(a.application ?? '');
  });
  return ev;
}

type Token = { esc: string } | { lit: string };

const SHAPES: [RegExp, (m: string) => string[]][] = [
  // time: with milliseconds %m, else %t or %s (session start)
  [/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+(?: [A-Za-z][A-Za-z0-9]*| [+-]\d\d(?::?\d\d)?)?/, () => ['m']],
  [/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?: [A-Za-z][A-Za-z0-9]*| [+-]\d\d(?::?\d\d)?)?/, () => ['t', 's']],
  [/^\d{10}\.\d{3}/, () => ['n']],
  [/^[0-9a-f]{1,8}\.[0-9a-f]{1,8}(?![0-9a-zA-Z])/, () => ['c']],
  // `0/3/1`: an xid and a vxid side by side, in either order (rendered as one piece)
  [/^\d+\/\d+\/\d+(?![\d/])/, () => ['x/%v', 'v/%x']],
  [/^\d+\/\d+/, () => ['v']],
  // SQLSTATE: five digits or capitals, `00000` on a LOG line (a five-digit pid has no leading zero)
  [/^(?:0[0-9A-Z]{4}|(?=\d*[A-Z])[0-9A-Z]{5})(?![0-9A-Za-z])/, () => ['e']],
  [/^-\d+/, () => ['Q']],
  // on a `connection authorized` line %l is 2 (`connection received` was 1), %x and %Q are 0
  [/^\d+/, (m) => (m === '2' ? ['l', 'p'] : m === '0' ? ['x', 'Q'] : m === '1' ? ['', 'l'] : m.length > 10 ? ['Q'] : ['p', 'l'])],
];

/**
 * Candidate prefixes for one `connection authorized` line: its user, database, `[unknown]` (%a, not set yet on this
 * line), client host and backend type are placed where they show; the rest is read by shape. Ambiguous pieces (a
 * time that may be %t or %s, a number that may be %p or %l) give one candidate per reading; scoring picks one.
 */
export function inferFromAuthorized(line: string, a: Authorized, ev: Evidence): string[] {
  const text = line.slice(0, a.at);
  // known values, longest first, where they do not touch a letter or digit on either side
  const values: [string, string][] = [];
  if (a.user) values.push([a.user, 'u']);
  if (a.database) values.push([a.database, a.user === a.database ? 'u' : 'd']);
  values.push(['[unknown]', 'a']);
  for (const h of ev.hosts) values.push([h, 'h']);
  for (const b of BACKEND_TYPES) values.push([b, 'b']);
  values.push(['authentication', 'i']);
  // only those in the text (most backend types are not), longest first
  const present = values.filter(([v]) => v !== '' && text.includes(v)).sort((x, y) => y[0].length - x[0].length);
  // token alternatives per position
  const slots: Token[][] = [];
  let lit = '';
  const word = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c);
  let i = 0;
  let seenU = false;
  outer: while (i < text.length) {
    for (const [v, esc] of present) {
      if (!text.startsWith(v, i) || (word(v[0]) && word(text[i - 1])) || (word(v[v.length - 1]) && word(text[i + v.length]))) continue;
      // `app=` names the field that follows: a key, not a value; but in `=`-separated fields (`%p=%a=%u=%d`) a
      // value right after a `=` is followed by the next one's `=`, and the first of them may be either (scoring decides)
      const keyLike = text[i + v.length] === '=' && word(v[0]);
      if (lit) slots.push([{ lit }]);
      lit = '';
      if (keyLike && text[i - 1] !== '=') {
        slots.push([{ lit: v }, { esc: esc === 'u' && a.user === a.database ? (seenU ? 'd' : 'u') : esc }]);
        i += v.length;
        continue outer;
      }
      let e = esc;
      if (esc === 'u' && a.user === a.database) e = seenU ? 'd' : 'u';
      if (e === 'u') seenU = true;
      let end = i + v.length;
      if (esc === 'h') {
        const port = /^\(\d+\)/.exec(text.slice(end));
        if (port) {
          e = 'r';
          end += port[0].length;
        }
      }
      // padded (%-30a): the value is followed by more spaces than one separator
      let pad = 0;
      while (text[end + pad] === ' ') pad++;
      if (pad >= 2 && 'uda'.includes(e)) {
        slots.push([{ esc: `-${v.length + pad - 1}${e}` }]);
        end += pad - 1;
      } else slots.push([{ esc: e }]);
      i = end;
      continue outer;
    }
    // a shape starts a token: not right after a letter or digit (the `1` of `[%l-1]` after `-` is one)
    if (!word(text[i - 1])) {
      const rest = text.slice(i);
      for (const [re, escs] of SHAPES) {
        const m = re.exec(rest);
        if (!m) continue;
        // padded (%10p): a number after more than one space
        const spaces = /^\d/.test(m[0]) ? (/ {2,}$/.exec(lit)?.[0].length ?? 0) : 0;
        if (spaces) lit = lit.slice(0, -spaces);
        if (lit) slots.push([{ lit }]);
        lit = '';
        slots.push(escs(m[0]).map((e) => (e === '' ? { lit: ' '.repeat(spaces) + m[0] } : { esc: spaces ? `${spaces + m[0].length}${e}` : e })));
        i += m[0].length;
        continue outer;
      }
    }
    lit += text[i];
    i++;
  }
  if (lit) slots.push([{ lit }]);
  // the first reading of each piece, then readings that differ in one piece, then in two: a bounded number
  const ambiguous = slots.map((alts, k) => (alts.length > 1 ? k : -1)).filter((k) => k >= 0);
  const pick = (choice: Map<number, number>) => slots.map((alts, k) => alts[choice.get(k) ?? 0]!);
  const combos: Token[][] = [pick(new Map())];
  for (const k of ambiguous) for (let alt = 1; alt < slots[k]!.length; alt++) combos.push(pick(new Map([[k, alt]])));
  for (let x = 0; x < ambiguous.length && combos.length < 16; x++)
    for (let y = x + 1; y < ambiguous.length && combos.length < 16; y++) combos.push(pick(new Map([[ambiguous[x]!, 1], [ambiguous[y]!, 1]])));
  const out = combos.map((c) => c.map((t) => ('esc' in t ? `%${t.esc}` : t.lit.replace(/%/g, '%%'))).join(''));
  return out;
}

/**
 * The prefix with %q placed before each of its escapes but the first (and before the literal leading that escape):
 * where non-session processes (postmaster, checkpointer) stop their prefix cannot be seen on a client's line.
 */
export function withStop(prefix: string): string[] {
  if (prefix.includes('%q')) return [];
  const pieces = prefix.split(/(%-?\d*[a-zA-Z%])/).filter((p) => p !== '');
  const out: string[] = [];
  let escapes = 0;
  for (let k = 0; k < pieces.length; k++) {
    const p = pieces[k]!;
    if (!p.startsWith('%') || p === '%%') continue;
    if (escapes++ === 0) continue;
    out.push([...pieces.slice(0, k), '%q', ...pieces.slice(k)].join(''));
    const prev = pieces[k - 1];
    if (prev !== undefined && !prev.startsWith('%')) {
      // inside the literal: after each space and before each opening bracket (`] %q[user=%u` stops before `[`)
      for (let cut = 1; cut < prev.length; cut++) {
        if (prev[cut - 1] !== ' ' && !'[<({'.includes(prev[cut]!)) continue;
        out.push([...pieces.slice(0, k - 1), prev.slice(0, cut), '%q', prev.slice(cut), ...pieces.slice(k)].join(''));
      }
    }
  }
  // inside the literal after the last escape too (`%m [%p] %q `: server processes' lines lack the second space)
  const last = pieces[pieces.length - 1];
  if (last !== undefined && !last.startsWith('%')) {
    const before = pieces.slice(0, -1).join('');
    for (let cut = escapes === 0 ? 0 : 1; cut < last.length; cut++) {
      if (cut > 0 && last[cut - 1] !== ' ' && !'[<({'.includes(last[cut]!)) continue;
      out.push(`${before}${last.slice(0, cut)}%q${last.slice(cut)}`);
    }
  }
  return out;
}
