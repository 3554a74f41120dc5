/** `--redact`: one pass over the finished analysis, before any reporter runs, that removes every literal and parameter value. */
import type { AnalysisResult, InputReport } from './findings/result.js';
import type { Finding, StatementSample } from './findings/types.js';
import type { Suggestion } from './rewrite/types.js';
import type { TopEntryState, TopQuery } from './findings/top-queries.js';
import type { GroupState, StmtState } from './findings/store.js';
import type { UnitRef } from './findings/types.js';
import { normalize } from './sql/index.js';
import { hash } from 'node:crypto';

// Why one pass here and not in each reporter: a reporter added later (or a field added to a finding) cannot
// forget to redact, because reporters only ever see this function's output. The rules are by field:
// - SQL (samples, insteadOf, use, top-query examples) is replaced by its normalized template: constants → $n,
//   comments dropped (they can carry values too);
// - prose that quotes SQL or values (suggestion summary, ORM advice, basis, skip reasons, warnings) has quoted
//   literals, array literals, dollar-quoted strings, long digit runs and e-mail addresses masked;
// - evidence keeps only the keys known to hold counts or schema names (columns, tables); anything else that is
//   not a number or boolean is dropped, so a detector adding `values` later stays safe by default.

const MASK = '…';

/** Template of a statement: the same SQL with every constant a `$n`. */
export function redactSql(sql: string): string {
  try {
    return normalize(sql).template;
  } catch {
    return '[statement redacted]';
  }
}

// a backslash escapes a quote in E'' strings; treating it so in plain strings only ever masks more
const QUOTED = /(^|[^A-Za-z0-9_])((?:[EeBbXxNn]|U&)?)'(?:[^'\\]|''|\\[\s\S])*(?:'|$)/g;
const DOLLAR = /\$([A-Za-z_][A-Za-z0-9_]*)?\$[\s\S]*?(?:\$\1\$|$)/g;
const BRACES = /\{[^{}]*\}/g;
const EMAIL = /[^\s'"(),;:<>{}[\]]+@[^\s'"(),;:<>{}[\]]+\.[A-Za-z]{2,}/g;
const LONG_NUMBER = /\d(?:[ -]?\d){5,}/g;
/** `key=value` as sqlcommenter tags and connection lines quote them (`request_id=…`). */
const KEY_VALUE = /\b([A-Za-z_][\w.-]*)=(?!…)[^\s,;()'"]+/g;

/** Mask values in free text that may quote SQL or values. Over-masks prose a little rather than leak. */
export function redactText(s: string): string {
  return s
    .replace(DOLLAR, (m) => (/^\$\d/.test(m) ? m : `$$${MASK}$$`))
    .replace(QUOTED, `$1$2'${MASK}'`)
    .replace(BRACES, `{${MASK}}`)
    .replace(EMAIL, MASK)
    .replace(KEY_VALUE, `$1=${MASK}`)
    .replace(LONG_NUMBER, MASK);
}

/**
 * A finding's basis: as redactText, except that a request tag's value (`same request (request_id=…)`, as detection
 * writes it) is the client's and is masked whole, whatever it holds: KEY_VALUE stops at a space, a comma or a
 * parenthesis, which a sqlcommenter value may carry.
 */
function redactBasis(b: string): string {
  const tag = /^same request \(([A-Za-z_][\w.-]*)=[\s\S]*\)$/.exec(b);
  return tag ? `same request (${tag[1]}=${MASK})` : redactText(b);
}

/** Evidence keys that hold schema names or counts, never values. */
const SAFE_EVIDENCE = new Set([
  'confidence', 'basis', 'distinctValues', 'valuesLookLikeKeys', 'parent', 'samples', 'keyColumns', 'columns', 'table',
  'tables', 'blockLength', 'memberKinds', 'rows', 'fromSelect', 'aggregates', 'orderBy',
]);

/** Input facts whose strings are configuration, not log content. */
const SAFE_FACTS = new Set(['advice', 'prefixSource', 'escapes', 'unsureZones', 'columns']);
/** Input facts that hold log_line_prefixes (as strings, or as `prefix` fields of objects). */
const PREFIX_FACTS = new Set(['prefix', 'prefixAlternatives', 'prefixChanges']);

/** Words a log_line_prefix's own text is made of (`user=%u,db=%d`); any other word in it may be a value. */
const PREFIX_WORDS = new Set(['user', 'usr', 'u', 'db', 'database', 'd', 'app', 'application', 'a', 'client', 'host', 'remote', 'h', 'r', 'pid', 'p', 'session', 'sess', 'sid', 'c', 'line', 'l', 'tx', 'txid', 'xid', 'vxid', 'x', 'v', 'time', 'ts', 't', 'm', 'level', 'e', 'q', 'UTC', 'GMT', 'postgres', 'postgresql', 'pg']);

/**
 * A detected log_line_prefix under --redact: its escapes and punctuation stay, and so do the words prefixes are
 * written with, but any other text goes. A prefix is detected from the lines, so when every line of a log has the
 * same user or database, their value can be read as literal text of the prefix (`%m [%p] alice@%d `).
 */
export function redactPrefix(p: string): string {
  return p.replace(/%[-0-9]*[A-Za-z%]|([^%]+)/g, (m, literal: string | undefined) =>
    literal === undefined ? m : literal.replace(/[^\s\[\]()<>{}:;,.=@/|#*+_'"!?-]+/gu, (w) => (PREFIX_WORDS.has(w) || /^\d{1,2}$/.test(w) ? w : MASK)),
  );
}

function redactPrefixFact(v: unknown): unknown {
  if (typeof v === 'string') return redactPrefix(v);
  if (Array.isArray(v)) return v.map(redactPrefixFact);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'prefix' ? redactPrefixFact(x) : plain(x) ? x : redactText(String(x))]));
  return v;
}

function scrub(v: unknown): unknown {
  if (typeof v === 'string') return redactText(v);
  if (Array.isArray(v)) return v.map(scrub);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x)]));
  return v;
}

const plain = (v: unknown) => v === null || typeof v === 'number' || typeof v === 'boolean';

function redactSample(s: StatementSample): StatementSample {
  return { ...s, sql: redactSql(s.sql) };
}

function redactSuggestion(s: Suggestion | null): Suggestion | null {
  if (s === null) return null;
  const out: Suggestion = {
    summary: redactText(s.summary),
    insteadOf: redactSql(s.insteadOf),
    use: s.use === null ? null : redactSql(s.use),
  };
  if (s.orm) out.orm = { name: s.orm.name, advice: redactText(s.orm.advice) };
  return out;
}

/** A copy of one finding with no literal or parameter value left in it (follow mode prints findings one by one). */
export function redactFinding(f: Finding): Finding {
  const evidence: Finding['evidence'] = {
    confidence: f.evidence.confidence,
    basis: f.evidence.basis.map(redactBasis),
    distinctValues: f.evidence.distinctValues,
    valuesLookLikeKeys: f.evidence.valuesLookLikeKeys,
    parent: f.evidence.parent,
    samples: f.evidence.samples.map(redactSample),
  };
  for (const [k, v] of Object.entries(f.evidence)) {
    if (k in evidence) continue;
    if (SAFE_EVIDENCE.has(k)) evidence[k] = scrub(v);
    else if (plain(v)) evidence[k] = v;
  }
  return { ...f, title: redactText(f.title), evidence, suggestion: redactSuggestion(f.suggestion) };
}

function redactInput(i: InputReport): InputReport {
  const facts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(i.facts)) {
    if (plain(v)) facts[k] = v;
    else if (PREFIX_FACTS.has(k)) facts[k] = redactPrefixFact(v);
    else if (SAFE_FACTS.has(k)) facts[k] = scrub(v);
    else facts[k] = null;
  }
  return {
    ...i,
    prefix: i.prefix === null ? null : redactPrefix(i.prefix),
    unparsedSamples: i.unparsedSamples.map((s) => ({ line: s.line, reason: redactText(s.reason) })),
    warnings: i.warnings.map(redactText),
    facts,
  };
}

function redactTop(q: TopQuery): TopQuery {
  return { ...q, example: { sql: redactSql(q.example.sql), source: q.example.source } };
}

/** A copy of the result with no literal or parameter value left in it. */
export function redactResult(r: AnalysisResult): AnalysisResult {
  return {
    ...r,
    inputs: r.inputs.map(redactInput),
    findings: r.findings.map(redactFinding),
    topQueries: r.topQueries.map(redactTop),
  };
}

// --- the data itself: what --save-state writes and every report is built from -----------------------------

/**
 * Application and user names are chosen by clients (a `SET application_name` carries anything), and a database's
 * name can say whose data it holds: under --redact they become a pseudonym that keeps different ones apart without saying what they were.
 */
function pseudonym(kind: 'app' | 'user' | 'db', name: string | null): string | null {
  if (name === null || new RegExp(`^${kind}#[0-9a-f]{8}$`).test(name)) return name;
  return `${kind}#${hash('sha256', name).slice(0, 8)}`;
}

/**
 * A value kept only as a digest keyed by the run's salt: equal values stay equal (distinct counts, and the loop
 * key the rewrite looks for), but a short value cannot be found again by hashing guesses. States of other runs
 * have other salts, so a merge may count a value seen on two hosts twice.
 */
const digest = (v: string | null, salt: string) => (v === null || /^#[0-9a-f]{16}$/.test(v) ? v : `#${hash('sha256', salt + '\0' + v).slice(0, 16)}`);

function redactStmt(s: StmtState, salt: string): StmtState {
  return {
    ...s,
    sql: redactSql(s.sql),
    // the rewrite is then built from the template and digests: the shape of the loop survives, no value does
    values: s.values.map((v) => digest(v, salt)),
    key: digest(s.key, salt)!,
    resultValues: null,
    tags: null,
  };
}

function redactRef(u: UnitRef): UnitRef {
  return { ...u, application: pseudonym('app', u.application), user: pseudonym('user', u.user), database: pseudonym('db', u.database) };
}

/** Details of a draft: schema names and counts stay, anything else that is text goes. */
function redactDetails(d: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    if (SAFE_EVIDENCE.has(k)) out[k] = scrub(v);
    else if (plain(v)) out[k] = v;
    else if (Array.isArray(v)) out[k] = v.map((x) => (plain(x) ? x : null));
    else out[k] = null;
  }
  return out;
}

function redactGroup(g: GroupState, salt: string): GroupState {
  const d = g.draft;
  return {
    ...g,
    draft: {
      ...d,
      statements: d.statements.map((x) => redactStmt(x, salt)),
      parent: d.parent ? redactStmt(d.parent, salt) : null,
      basis: d.basis.map(redactBasis),
      details: redactDetails(d.details as unknown as Record<string, unknown>) as unknown as typeof d.details,
    },
    units: g.units.map(redactRef),
    largest: g.largest ? redactRef(g.largest) : null,
    applications: [...new Set(g.applications.map((a) => pseudonym('app', a)!))],
    distinctValues: [...new Set(g.distinctValues.map((v) => digest(v, salt)!))],
  };
}

function redactTopState(q: TopEntryState): TopEntryState {
  return { ...q, sql: redactSql(q.sql) };
}

/** The shape of AnalysisState this module needs (analyze.ts owns the type; importing it here would loop). */
interface StateLike {
  inputs: InputReport[];
  templates: string[];
  findings: GroupState[];
  topQueries: TopEntryState[];
}

/**
 * A copy of a run's state with no literal, parameter, tag value or client-chosen name left in it. Applied where
 * the state is made (and to states read for merge), so the state file and every report built from it hold none.
 * Idempotent: a redacted state redacts to itself.
 */
export function redactState<S extends StateLike>(state: S, salt: string): S {
  return {
    ...state,
    inputs: state.inputs.map(redactInput),
    templates: state.templates.map(redactSql),
    findings: state.findings.map((g) => redactGroup(g, salt)),
    topQueries: state.topQueries.map(redactTopState),
    ...redactTimeline(state),
  };
}

/** The HTML report's timeline names its series by application: those names become pseudonyms too. */
function redactTimeline(state: object): { timeline?: unknown } {
  const timeline = (state as { timeline?: { series: [string, unknown][] } }).timeline;
  if (timeline === undefined) return {};
  const series = timeline.series.map(([name, buckets]) => [name.startsWith('(') ? name : (pseudonym('app', name) ?? name), buckets]);
  return { timeline: { ...timeline, series } };
}
