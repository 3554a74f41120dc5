/** repeated-sequence: each member of the block batched by the rule for its own kind, one statement after the other. */
import type { FindingKind } from '../../detect/registry.js';
import { parseStmt } from '../statement.js';
import { defineRewrite, type BuildContext, type BuildInput, type Built } from '../types.js';
import { mergeAggregates } from './aggregate-loop.js';

function repeatedSequence(draft: BuildInput, context: BuildContext): Built {
  const out: Built = { use: null, alternatives: [], params: [], notes: [] };
  const uses: string[] = [];
  // every member's complete form, or none: a block is only replayed whole
  let runnable: Built['runnable'] = [];
  const members = draft.templates.map((t) => {
    const stmts = draft.statements.filter((s) => s.t === t);
    return { t, stmts, kind: memberKind(stmts[0] ? parseStmt(stmts[0]) : null) };
  });
  // aggregates over one table and key that differ only in a predicate: one GROUP BY with FILTER
  const aggs = members.filter((m) => m.kind === 'aggregate-loop');
  const merged = aggs.length >= 2 ? mergeAggregates(aggs.map((m) => m.stmts)) : null;
  if (merged && context.checked(merged.use) !== null) {
    uses.push(merged.use!);
    if (merged.runnable) runnable.push(...merged.runnable);
    else {
      runnable = undefined;
      out.notRunnable = merged.notRunnable;
    }
    out.params.push(...merged.params.map((p) => `the aggregates: ${p}`));
    out.notes.push(...merged.notes);
  }
  members.forEach((m, i) => {
    if (m.kind === null || (merged?.use && m.kind === 'aggregate-loop')) return;
    const member: BuildInput = { templates: [m.t], tables: draft.tables, statements: m.stmts, parent: null, keyColumns: [] };
    const b = context.buildAs(m.kind, member);
    const use = context.checked(b.use);
    if (use === null) {
      out.notes.push(`statement ${i + 1} of the block has no batched form here`);
      return;
    }
    uses.push(use);
    if (b.runnable && runnable) runnable.push(...b.runnable);
    else runnable = undefined;
    out.params.push(...b.params.map((p) => `statement ${i + 1}: ${p}`));
  });
  if (uses.length) out.use = uses.join(';\n');
  if (uses.length && runnable && !out.notes.some((n) => n.includes('has no batched form'))) out.runnable = runnable;
  return out;
}

/** The kind a member would be on its own, from its AST. */
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

export default defineRewrite('repeated-sequence', {
  summary: 'Batch each statement of the block over all keys at once',
  build: repeatedSequence,
  advice: {
    sqlalchemy: 'Eager-load every relationship the loop touches with selectinload(), and batch the writes with session.execute(insert(T), rows) / session.execute(update(T), rows).',
    django: 'prefetch_related() / select_related() for the reads, bulk_create() / bulk_update() for the writes.',
    rails: 'includes() for the reads; insert_all / upsert_all / update_all for the writes.',
    hibernate: 'JOIN FETCH / @EntityGraph for the reads; hibernate.jdbc.batch_size (with order_inserts/order_updates) for the writes.',
    prisma: 'include / relationLoadStrategy: "join" for the reads; createMany / updateMany, or one $transaction([...]) for the writes.',
    sequelize: 'include for the reads; bulkCreate (with updateOnDuplicate) for the writes.',
    typeorm: 'relations / leftJoinAndSelect for the reads; insert().values([...]) / upsert for the writes.',
    gorm: 'Preload / Joins for the reads; CreateInBatches and clause.OnConflict for the writes.',
  },
});
