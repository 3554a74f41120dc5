/** Set-based rewrites for findings ("Instead of / Use") and the ORM advice that goes with them. */
import type { Draft, FindingKind } from '../detect/types.js';
import type { Suggestion } from '../findings/types.js';
import { parseCheck } from '../sql/index.js';
import { adviceFor } from './advice.js';
import {
  aggregateLoop,
  duplicateQuery,
  mergeAggregates,
  latestPerParent,
  nPlusOne,
  perRowDelete,
  perRowInsert,
  perRowUpdate,
  selectThenInsert,
  unboundedFetch,
  type Built,
} from './build.js';
import { detectOrm } from './orm.js';
import { parseStmt } from './statement.js';

export { detectOrm } from './orm.js';
export { adviceFor } from './advice.js';
export type { Built, Binds } from './build.js';

const SUMMARIES: Record<FindingKind, string> = {
  'n-plus-one': 'Load all rows in one query with = ANY($1) over the keys (or a JOIN with the parent query)',
  'repeated-sequence': 'Batch each statement of the block over all keys at once',
  'aggregate-loop': 'Compute the aggregate for every key in one GROUP BY query',
  'latest-per-parent': 'Fetch the newest row of every parent in one DISTINCT ON query',
  'per-row-insert': 'Insert all rows in one multi-row VALUES statement (or INSERT … SELECT, or COPY)',
  'per-row-update': 'Update all rows in one UPDATE … FROM (VALUES …) statement',
  'per-row-delete': 'Delete all rows in one DELETE … WHERE id = ANY($1) statement',
  'select-then-insert': 'Let INSERT … ON CONFLICT do the lookup and the insert in one statement',
  'duplicate-query': 'Run the query once and reuse its result',
  'unbounded-fetch': 'Paginate, aggregate in SQL, or add a selective predicate',
};

let built = 0;
let dropped = 0;

/** Generated statements PostgreSQL's grammar rejected and that were therefore not shown (for the JSON summary). */
export function rewritesDropped(): number {
  return dropped;
}

/** Statements generated and checked so far, dropped ones included. */
export function rewritesBuilt(): number {
  return built;
}

/** Forget the counters (tests; a follow mode between reports). */
export function resetRewriteCounters(): void {
  built = 0;
  dropped = 0;
}

/** A generated statement passes only if PostgreSQL's grammar accepts it; the rest are counted and dropped. */
function checked(sql: string | null): string | null {
  if (sql === null) return null;
  built++;
  if (parseCheck(sql)) return sql;
  dropped++;
  return null;
}

const BUILDERS: Partial<Record<FindingKind, (d: Draft) => Built>> = {
  'n-plus-one': nPlusOne,
  'aggregate-loop': aggregateLoop,
  'latest-per-parent': latestPerParent,
  'per-row-insert': (d) => perRowInsert(d),
  'per-row-update': (d) => perRowUpdate(d),
  'per-row-delete': (d) => perRowDelete(d),
  'select-then-insert': selectThenInsert,
  'duplicate-query': duplicateQuery,
  'unbounded-fetch': unboundedFetch,
  'repeated-sequence': repeatedSequence,
};

/** The rewrite for one kind, without the grammar check (tests and tools that want the raw forms). */
export function build(draft: Draft): Built {
  const f = BUILDERS[draft.kind];
  try {
    return f ? f(draft) : { use: null, alternatives: [], params: [], notes: [] };
  } catch {
    // a printer or AST corner case must cost the suggestion, never the run
    return { use: null, alternatives: [], params: [], notes: [] };
  }
}

/** repeated-sequence: each member batched by the rule for its own kind, one statement after the other. */
function repeatedSequence(draft: Draft): Built {
  const out: Built = { use: null, alternatives: [], params: [], notes: [] };
  const uses: string[] = [];
  const members = draft.templates.map((t) => {
    const stmts = draft.statements.filter((s) => s.t === t);
    return { t, stmts, kind: memberKind(stmts[0] ? parseStmt(stmts[0]) : null) };
  });
  // aggregates over one table and key that differ only in a predicate: one GROUP BY with FILTER
  const aggs = members.filter((m) => m.kind === 'aggregate-loop');
  const merged = aggs.length >= 2 ? mergeAggregates(aggs.map((m) => m.stmts)) : null;
  if (merged && checked(merged.use) !== null) {
    uses.push(merged.use!);
    out.params.push(...merged.params.map((p) => `the aggregates: ${p}`));
    out.notes.push(...merged.notes);
  }
  members.forEach((m, i) => {
    if (m.kind === null || (merged?.use && m.kind === 'aggregate-loop')) return;
    const member: Draft = { ...draft, kind: m.kind, templates: [m.t], statements: m.stmts, parent: null, repeats: m.stmts.length, details: {} };
    const b = build(member);
    const use = checked(b.use);
    if (use === null) {
      out.notes.push(`statement ${i + 1} of the block has no batched form here`);
      return;
    }
    uses.push(use);
    out.params.push(...b.params.map((p) => `statement ${i + 1}: ${p}`));
  });
  if (uses.length) out.use = uses.join(';\n');
  return out;
}

function memberKind(p: ReturnType<typeof parseStmt>): FindingKind | null {
  if (!p) return null;
  const a = p.ast;
  switch (a.type) {
    case 'select': {
      const agg = (a.columns ?? []).some((c) => c.expr.type === 'call' && /^(count|sum|avg|min|max)$/i.test(c.expr.function.name)) && !a.groupBy?.length;
      if (agg) return 'aggregate-loop';
      if (a.limit?.limit && a.orderBy?.length) return 'latest-per-parent';
      return 'n-plus-one';
    }
    case 'insert':
      return 'per-row-insert';
    case 'update':
      return 'per-row-update';
    case 'delete':
      return 'per-row-delete';
    default:
      return null;
  }
}

/** Build the suggestion for a finding from its largest occurrence. */
export function suggest(draft: Draft, orm: string | null, applications: readonly string[] = []): Suggestion {
  return finish(draft, build(draft), orm, applications);
}

/** Grammar-check a built rewrite and word the suggestion (split from suggest so the drop path can be tested). */
export function finish(draft: Draft, b: Built, orm: string | null, applications: readonly string[] = []): Suggestion {
  const first = draft.statements[0];
  const use = draft.kind === 'repeated-sequence' ? b.use : checked(b.use);
  const alternatives = b.alternatives.map((a) => ({ ...a, sql: checked(a.sql) })).filter((a) => a.sql !== null);
  let summary = SUMMARIES[draft.kind];
  if (use !== null && b.params.length) summary += `, with ${b.params.join('; ')}`;
  summary += '.';
  if (use !== null && b.notes.length) summary += ' ' + b.notes.map(capital).join('. ') + '.';
  // the other forms passed the same grammar check; each says how to bind its own parameters
  for (const a of alternatives) summary += ` Or, ${a.label}: ${a.sql}${a.params?.length ? ` -- with ${a.params.join('; ')}` : ''}.`;
  if (use === null && b.use !== null) summary += ' (The generated rewrite did not pass PostgreSQL\'s grammar check and is not shown.)';
  const name = detectOrm(draft, orm, applications);
  const advice = adviceFor(name, draft);
  const out: Suggestion = {
    summary: name === null ? `${summary} ${advice}` : summary,
    insteadOf: first ? first.sql : draft.templates[0]!.template,
    use,
  };
  if (name !== null) out.orm = { name, advice };
  return out;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
