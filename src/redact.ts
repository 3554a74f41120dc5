/** `--redact`: one pass over the finished analysis, before any reporter runs, that removes every literal and parameter value. */
import type { AnalysisResult, InputReport } from './findings/result.js';
import type { Finding, StatementSample } from './findings/types.js';
import type { Suggestion } from './rewrite/types.js';
import type { TopQuery } from './findings/top-queries.js';
import { normalize } from './sql/index.js';

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

/** Mask values in free text that may quote SQL or values. Over-masks prose a little rather than leak. */
export function redactText(s: string): string {
  return s
    .replace(DOLLAR, (m) => (/^\$\d/.test(m) ? m : `$$${MASK}$$`))
    .replace(QUOTED, `$1$2'${MASK}'`)
    .replace(BRACES, `{${MASK}}`)
    .replace(EMAIL, MASK)
    .replace(LONG_NUMBER, MASK);
}

/** Evidence keys that hold schema names or counts, never values. */
const SAFE_EVIDENCE = new Set([
  'confidence', 'basis', 'distinctValues', 'valuesLookLikeKeys', 'parent', 'samples', 'keyColumns', 'columns', 'table',
  'tables', 'blockLength', 'memberKinds', 'rows', 'fromSelect', 'aggregates', 'orderBy',
]);

/** Input facts whose strings are configuration, not log content. */
const SAFE_FACTS = new Set(['prefix', 'prefixSource', 'prefixAlternatives', 'escapes', 'unsureZones', 'prefixChanges', 'columns']);

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
    basis: f.evidence.basis.map(redactText),
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
    else if (SAFE_FACTS.has(k)) facts[k] = scrub(v);
    else facts[k] = null;
  }
  return {
    ...i,
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
