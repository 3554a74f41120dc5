/** Set-based rewrites for findings ("Instead of / Use") and the ORM advice that goes with them. */
import type { AnyDraft, FindingKind } from '../detect/registry.js';
import { nestsDeeperThan, parseCheck } from '../sql/index.js';
import { adviceFor } from './advice.js';
import { detectOrm } from './orm.js';
import { buildInput, REWRITES } from './registry.js';
import type { BuildContext, BuildInput, Built, Suggestion } from './types.js';

export { detectOrm } from './orm.js';
export { adviceFor } from './advice.js';
export type { Built, Binds, Runnable, Suggestion } from './types.js';

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
  skipped = 0;
}

/** A generated statement passes only if PostgreSQL's grammar accepts it; the rest are counted and dropped. */
function checked(sql: string | null): string | null {
  if (sql === null) return null;
  built++;
  if (parseCheck(sql)) return sql;
  dropped++;
  return null;
}

const context: BuildContext = { buildAs: buildFrom, checked };

/** The rewrite `kind`'s builder makes of `input`, without the grammar check. */
function buildFrom(kind: FindingKind, input: BuildInput): Built {
  try {
    return REWRITES[kind].build(input, context);
  } catch {
    // a printer or AST corner case must cost the suggestion, never the run
    return { use: null, alternatives: [], params: [], notes: [] };
  }
}

/** The rewrite for one kind, without the grammar check (tests and tools that want the raw forms). */
export function build(draft: AnyDraft): Built {
  return buildFrom(draft.kind, buildInput(draft));
}

/**
 * What the rewrite step parses. pgsql-ast-parser is an Earley parser: its time and memory grow much faster
 * than a statement's size and nesting (six 100,000-deep statements took minutes and gigabytes), so a loop
 * whose statements pass either limit gets its SQL advice without a generated rewrite, and says why.
 */
export interface RewriteLimits {
  /** Longest statement (UTF-16 code units) parsed to build a rewrite. */
  maxBytes: number;
  /** Deepest parenthesis nesting parsed. */
  maxDepth: number;
}

export const DEFAULT_REWRITE_LIMITS: RewriteLimits = { maxBytes: 8192, maxDepth: 32 };
let limits: RewriteLimits = DEFAULT_REWRITE_LIMITS;
let skipped = 0;

/** Set the parse limits for rewrites (tests, callers with other needs); returns the previous ones. */
export function setRewriteLimits(next: Partial<RewriteLimits>): RewriteLimits {
  const before = limits;
  limits = { ...limits, ...next };
  return before;
}

/** Findings whose rewrite was not built because a statement passed a limit. */
export function rewritesSkipped(): number {
  return skipped;
}

/** Why this draft's statements are not parsed for a rewrite, or null when they are within the limits. */
function overLimit(draft: AnyDraft): string | null {
  const stmts = draft.parent ? [...draft.statements, draft.parent] : draft.statements;
  for (const s of stmts) {
    const length = s.length ?? s.sql.length;
    if (length > limits.maxBytes || s.length !== undefined) return `a statement of ${length.toLocaleString('en-US')} characters is over the ${limits.maxBytes.toLocaleString('en-US')}-character limit for rewrites`;
    if (nestsDeeperThan(s.sql, limits.maxDepth)) return `a statement nests parentheses deeper than the limit of ${limits.maxDepth} for rewrites`;
  }
  return null;
}

/** Build the suggestion for a finding from its largest occurrence. */
export function suggest(draft: AnyDraft, orm: string | null, applications: readonly string[] = []): Suggestion {
  const over = overLimit(draft);
  if (over !== null) {
    skipped++;
    const out = finish(draft, { use: null, alternatives: [], params: [], notes: [] }, orm, applications);
    return { ...out, summary: `${out.summary} (No rewrite generated: ${over}.)` };
  }
  return finish(draft, build(draft), orm, applications);
}

/** Grammar-check a built rewrite and word the suggestion (split from suggest so the drop path can be tested). */
export function finish(draft: AnyDraft, b: Built, orm: string | null, applications: readonly string[] = []): Suggestion {
  const first = draft.statements[0];
  const use = draft.kind === 'repeated-sequence' ? b.use : checked(b.use);
  const alternatives = b.alternatives.map((a) => ({ ...a, sql: checked(a.sql) })).filter((a) => a.sql !== null);
  let summary = (use !== null ? b.summary : undefined) ?? REWRITES[draft.kind].summary;
  if (use !== null && b.params.length) summary += `, with ${b.params.join('; ')}`;
  summary += '.';
  if (use !== null && b.notes.length) summary += ' ' + b.notes.map(capital).join('. ') + '.';
  // the other forms passed the same grammar check; each says how to bind its own parameters
  for (const a of alternatives) summary += ` Or, ${a.label}: ${a.sql}${a.params?.length ? ` -- with ${a.params.join('; ')}` : ''}.`;
  if (use === null && b.use !== null) summary += ' (The generated rewrite did not pass PostgreSQL\'s grammar check and is not shown.)';
  const name = detectOrm(draft, orm, applications);
  const advice = adviceFor(name, draft, b.names);
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
