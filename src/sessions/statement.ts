/** LogEvent → Stmt: normalizes the SQL once per statement and shares one TemplateInfo per distinct template. */
import { hash } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import type { LogEvent } from '../formats/types.js';
import { detach } from '../input/lines.js';
import { fingerprintId, normalize, unwrapOrmStatement, type Normalized } from '../sql/index.js';
import { dropLeastUsed } from './least-used.js';
import type { Stmt, TemplateInfo } from './types.js';

/** Distinct templates kept at once: past it, the least used are forgotten (a log of ever-new statement texts). */
export const MAX_TEMPLATES = 50_000;

interface CachedTemplate {
  t: TemplateInfo;
  /** Statements (interns) of this template, to keep the busiest. */
  uses: number;
}

/**
 * Distinct templates seen in this run, bounded by the number of statement shapes, not by log size, and by
 * `max`: past it, the tenth used least (the oldest of them first) is forgotten. A forgotten template that comes
 * again starts afresh; `forgotten` says how many were, for the report.
 */
export class TemplateCache {
  private readonly byTemplate = new Map<string, CachedTemplate>();
  /** Templates forgotten at the limit so far. */
  forgotten = 0;

  constructor(readonly max = MAX_TEMPLATES) {}

  get size(): number {
    return this.byTemplate.size;
  }

  *values(): IterableIterator<TemplateInfo> {
    for (const c of this.byTemplate.values()) yield c.t;
  }

  intern(template: string, tags: TemplateInfo['tags']): TemplateInfo {
    let c = this.byTemplate.get(template);
    if (c === undefined) {
      if (this.byTemplate.size >= this.max) this.shrink();
      c = { t: { id: fingerprintId(template), template, verb: firstWord(template), tags: null }, uses: 0 };
      this.byTemplate.set(template, c);
    }
    c.uses++;
    // tags vary per statement (request ids); the template keeps none of them
    void tags;
    return c.t;
  }

  /** Forget the tenth used least; among equals the oldest (insertion order), which no open unit is likely to hold. */
  private shrink(): void {
    this.forgotten += dropLeastUsed(this.byTemplate, this.max, (c) => c.uses);
  }
}

function firstWord(template: string): string {
  let i = 0;
  while (i < template.length && (template.charCodeAt(i) === 40 || template.charCodeAt(i) === 32)) i++;
  let e = i;
  while (e < template.length) {
    const c = template.charCodeAt(e) | 32;
    if (c >= 97 && c <= 122) e++;
    else break;
  }
  return template.slice(i, e).toLowerCase();
}

const SEP = '\u0001';

let unbound = 0;
/**
 * A statement whose placeholders were logged without their values (Prisma stdout, Hibernate without
 * binding lines): its arguments are unknown, so it must not count as identical to the next one.
 */
function unboundKey(): string {
  // unique across --jobs worker threads too, so merged counts of distinct values match one run's
  return `\u0003${threadId}.${++unbound}`;
}

/**
 * Normalized forms of recent statement texts. Extended-protocol statements repeat the same text with
 * the values in parameters, so most lookups hit; bounded so literal-heavy logs cannot grow it.
 */
interface NormalizedText {
  sql: string;
  n: Normalized;
  /** Rows of an INSERT's VALUES list (1 for other statements). */
  valuesRows: number;
  /** The literal constants (NULL literals left out): the values of every statement with this text; shared, never modified. */
  literals: (string | null)[];
  /** Items of its largest collapsed list (literals or placeholders); 1 without one. */
  listItems: number;
}

function listItemsOf(n: Normalized): number {
  let most = 1;
  if (n.lists !== null) for (const l of n.lists) most = Math.max(most, l.values.length);
  if (n.paramSources !== null) for (const p of n.paramSources) most = Math.max(most, p.length);
  return most;
}
const recent = new Map<string, NormalizedText>();
const RECENT_MAX = 4096;
/**
 * In front of the map: slots picked by length and two characters. A hit costs one string comparison, which
 * V8 does in bulk, where a map lookup first hashes the whole new string character by character.
 */
const SLOTS = 512;
const slots: (NormalizedText | undefined)[] = new Array(SLOTS);
const slotOf = (s: string) => (s.length * 31 + s.charCodeAt(s.length >> 1) * 7 + s.charCodeAt(s.length - 1)) & (SLOTS - 1);

/** The statement's own (detached) text and its normalized form; a repeated text shares both. */
function normalizeCached(raw: string): NormalizedText {
  const slot = raw.length > 0 ? slotOf(raw) : 0;
  const inSlot = slots[slot];
  if (inSlot !== undefined && inSlot.sql === raw) return inSlot;
  let hit = recent.get(raw);
  if (hit === undefined) {
    const sql = unwrapOrmStatement(detach(raw));
    const n = normalize(sql);
    hit = { sql, n, valuesRows: firstWord(n.template) === 'insert' ? countValuesRows(sql) : 1, literals: n.constants.filter((c) => c !== null), listItems: listItemsOf(n) };
    if (sql.length <= 4096) {
      if (recent.size >= RECENT_MAX) recent.clear();
      recent.set(sql, hit);
    }
  }
  if (hit.sql.length <= 4096) slots[slot] = hit;
  return hit;
}

/**
 * Statements longer than this (an IN list of a million ids, a huge VALUES batch) are not normalized or kept
 * whole: normalizing costs ~20 times a statement's size. Their template is that of their first HEAD_CHARS,
 * cut between list items with the open parentheses closed (so `IN (1, 2, …)` of any length is one template).
 */
export const MAX_STATEMENT_CHARS = 100_000;
const HEAD_CHARS = 10_000;

/** The start of a long statement, cut after a list item (else a space) outside quotes, its open parentheses closed. */
export function statementHead(sql: string): string {
  const end = Math.min(sql.length, HEAD_CHARS);
  let depth = 0;
  let quote = 0;
  let comma = -1;
  let commaDepth = 0;
  let space = -1;
  let spaceDepth = 0;
  for (let i = 0; i < end; i++) {
    const c = sql.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
    } else if (c === 39 || c === 34) quote = c;
    else if (c === 40) depth++;
    else if (c === 41) {
      if (depth > 0) depth--;
    } else if (c === 44) {
      comma = i;
      commaDepth = depth;
    } else if (c === 32 || c === 10 || c === 9) {
      space = i;
      spaceDepth = depth;
    }
  }
  // a comma near the end cuts a list between items; else the last space (a statement without lists)
  const [cut, open] = comma > end - 1000 ? [comma, commaDepth] : space > 0 ? [space, spaceDepth] : [end, depth];
  return sql.slice(0, cut) + ')'.repeat(open);
}

/** A long statement's head, normalized; its rows counted over the whole text. Not cached: such texts rarely repeat. */
function normalizeLong(raw: string): NormalizedText {
  const head = detach(statementHead(raw));
  const n = normalize(head);
  // shown in samples and top queries: say that it is only the start (a comment, so it still reads as SQL)
  const sql = `${head} /* cut by sqloupe: ${raw.length.toLocaleString('en-US')} characters in all */`;
  return { sql, n, valuesRows: firstWord(n.template) === 'insert' ? countValuesRows(raw) : 1, literals: n.constants.filter((c) => c !== null), listItems: listItemsOf(n) };
}

export function buildStmt(ev: LogEvent, cache: TemplateCache): Stmt {
  const raw = ev.sql ?? '';
  const long = raw.length > MAX_STATEMENT_CHARS;
  const { sql, n, valuesRows, literals, listItems } = long ? normalizeLong(raw) : normalizeCached(raw);
  const t = cache.intern(n.template, n.tags);
  const p = ev.params;
  let values: (string | null)[];
  if (p === null) {
    values = literals;
  } else if (Array.isArray(p) && literals.length === 0) {
    // the event is done with once its statement is built: its parameter list becomes the values, no copy
    for (let i = 0; i < p.length; i++) {
      const v = p[i];
      p[i] = v == null ? null : detach(v);
    }
    values = p;
  } else {
    values = literals.slice();
    if (Array.isArray(p)) for (const v of p) values.push(v == null ? null : detach(v));
    else for (const k of Object.keys(p).sort()) values.push(p[k] == null ? null : detach(p[k]!));
  }
  let key = p === null && n.paramSources !== null ? unboundKey() : values.length === 1 ? String(values[0]) : values.join(SEP);
  // the values are the head's: statements differing further on must not look like the same call
  if (long) key += SEP + hash('sha1', raw);
  const stmt: Stmt = {
    index: 0,
    t,
    sql,
    values,
    valuesRows,
    key,
    time: ev.time,
    durationMs: ev.durationMs,
    rows: ev.rows,
    resultValues: ev.resultValues,
    callSite: ev.callSite ?? n.tags?.['file'] ?? null,
    tags: n.tags,
    file: ev.file,
    line: ev.line,
  };
  if (long) stmt.length = raw.length;
  if (listItems > 1) stmt.listItems = listItems;
  return stmt;
}

/** Transaction control recognised from the template's first words. */
export function transactionVerb(t: TemplateInfo): 'begin' | 'commit' | 'rollback' | null {
  switch (t.verb) {
    case 'begin':
    case 'start':
      return t.verb === 'start' && !t.template.toLowerCase().startsWith('start transaction') ? null : 'begin';
    case 'commit':
    case 'end':
      return 'commit';
    case 'abort':
      return 'rollback';
    case 'rollback':
      // ROLLBACK TO SAVEPOINT stays inside the transaction
      return /^rollback\s+(?:to\b|work\s+to\b|transaction\s+to\b)/i.test(t.template) ? null : 'rollback';
    default:
      return null;
  }
}

/** Rows in an INSERT's VALUES list: `), (` separators outside quotes, counted without a full parse. */
function countValuesRows(sql: string): number {
  const at = sql.search(/\bvalues\s*\(/i);
  if (at < 0) return 1;
  let rows = 1;
  let depth = 0;
  let quote = 0;
  for (let i = at; i < sql.length; i++) {
    const c = sql.charCodeAt(i);
    if (quote !== 0) {
      if (c === quote) quote = 0;
      continue;
    }
    if (c === 39 || c === 34) quote = c;
    else if (c === 40) depth++;
    else if (c === 41) {
      depth--;
      if (depth === 0) {
        let j = i + 1;
        while (j < sql.length && (sql.charCodeAt(j) === 32 || sql.charCodeAt(j) === 10 || sql.charCodeAt(j) === 9)) j++;
        if (sql.charCodeAt(j) !== 44) break;
        rows++;
      }
    }
  }
  return rows;
}
