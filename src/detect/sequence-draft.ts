/** Drafts for repeated blocks of statements (shared by repeated-sequence and select-then-insert). */
import { commonCallSite, shapeFor, type Block, type UnitAnalysis } from './analysis.js';
import type { BlockDetails, Draft } from './draft.js';

/** The statements of a block, and whether the repetitions vary their keys (a loop) or not (a retry). */
export function blockStatements(b: Block) {
  const st = b.burst.statements.slice(b.start, b.start + b.length * b.repeats);
  const members = st.slice(0, b.length).map((s) => s.t);
  let varying = false;
  for (let m = 0; m < b.length && !varying; m++) {
    const keys = new Set<string>();
    for (let r = 0; r < b.repeats; r++) keys.add(st[r * b.length + m]!.key);
    varying = keys.size > 1;
  }
  return { st, members, varying };
}

/** In timed autocommit traffic a block counts only when its repetitions run back to back (see UnitAnalysis.blockTrusted). */
export function blockTrusted(a: UnitAnalysis, b: Block): boolean {
  return a.blockTrusted(b, new Set(blockStatements(b).members));
}

export function blockDraft<D extends object>(a: UnitAnalysis, b: Block, details: D): Draft<BlockDetails & D> {
  const { st, members } = blockStatements(b);
  a.claim(st);
  const parent = a.parentOf(st[0]!, b.burst, new Set(members));
  const ev = a.evidence(st, b.burst, parent);
  const tables = [...new Set(members.flatMap((t) => shapeFor(t).tables))];
  return {
    templates: members,
    tables,
    callSite: commonCallSite(st),
    statements: st,
    repeats: b.repeats,
    parent,
    confidence: ev.confidence,
    basis: [`a block of ${b.length} statements repeated ${b.repeats} times`, ...ev.basis],
    details: { blockLength: b.length, memberKinds: members.map((t) => shapeFor(t).kind), ...details },
  };
}
