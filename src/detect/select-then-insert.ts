/** select-then-insert: look a row up by key, insert it when missing, once per row — an upsert done by hand. */
import { shapeFor } from './analysis.js';
import { blockDraft, blockStatements, blockTrusted } from './sequence-draft.js';
import { defineKind } from './kind.js';
import type { BlockDetails, Draft } from './draft.js';

export interface SelectThenInsertDetails extends BlockDetails {
  /** The table looked up and then inserted into. */
  table: string;
  /** The lookup's key columns (the ON CONFLICT target when all are inserted). */
  keyColumns: string[];
}

export default defineKind<SelectThenInsertDetails>()({
  id: 'select-then-insert',
  meta: {
    title: 'SELECT then INSERT per row (hand-made upsert)',
    summary: 'SELECT by key then INSERT into the same table, repeated: INSERT … ON CONFLICT does both',
    loop: true,
    severity: 'loop',
    repeatsInTitle: true,
    sarif: {
      name: 'SelectThenInsert',
      short: 'SELECT then INSERT per row (hand-made upsert)',
      full: 'A lookup by key followed by an INSERT into the same table, repeated. INSERT … ON CONFLICT does both in one statement.',
    },
    options: ['minSequenceRepeats', 'minRepeats', 'burstGapMs'],
    runOrder: 10,
  },
  detect(unit, a) {
    const out: Draft<SelectThenInsertDetails>[] = [];
    for (const b of a.repeatedBlocks()) {
      const { st, members, varying } = blockStatements(b);
      if (!varying || st.some((s) => a.isClaimed(s)) || !blockTrusted(a, b)) continue;
      const pair = findPair(members.map(shapeFor));
      if (pair === null) continue;
      out.push(blockDraft(a, b, { table: pair.table, keyColumns: pair.keyColumns }));
    }
    return out;
  },
});

function findPair(shapes: ReturnType<typeof shapeFor>[]): { table: string; keyColumns: string[] } | null {
  for (let i = 0; i < shapes.length; i++) {
    const sel = shapes[i]!;
    if (sel.kind !== 'select' || sel.mainTable === null || sel.keyPredicates.length === 0) continue;
    for (let j = i + 1; j < shapes.length; j++) {
      const ins = shapes[j]!;
      if (ins.kind === 'insert' && ins.mainTable === sel.mainTable) {
        return { table: sel.mainTable, keyColumns: sel.keyPredicates.map((k) => k.column.column) };
      }
    }
  }
  return null;
}
