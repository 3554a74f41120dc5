/**
 * Every finding kind, in the order reports list them. Adding a kind is one file in this folder and one line
 * here; every per-kind table elsewhere (titles, SARIF rules, JSON enums, rewrites, advice) is derived from
 * this list or typed by it, so the compiler names what a new kind still lacks.
 */
import aggregateLoop from './aggregate-loop.js';
import { UnitAnalysis } from './analysis.js';
import duplicateQuery from './duplicate-query.js';
import type { DetectOptions, Draft } from './draft.js';
import type { KindDef, KindMeta } from './kind.js';
import latestPerParent from './latest-per-parent.js';
import nPlusOne from './n-plus-one.js';
import perRowDelete from './per-row-delete.js';
import perRowInsert from './per-row-insert.js';
import perRowUpdate from './per-row-update.js';
import repeatedSequence from './repeated-sequence.js';
import selectThenInsert from './select-then-insert.js';
import unboundedFetch from './unbounded-fetch.js';
import type { Unit } from '../sessions/types.js';

export const KINDS = [
  nPlusOne,
  repeatedSequence,
  aggregateLoop,
  latestPerParent,
  perRowInsert,
  perRowUpdate,
  perRowDelete,
  selectThenInsert,
  duplicateQuery,
  unboundedFetch,
] as const;

type Kinds = (typeof KINDS)[number];
export type FindingKind = Kinds['id'];

/** The evidence a kind's drafts carry, as its file declares it. */
export type DetailsOf<K extends FindingKind> = Extract<Kinds, { id: K }> extends KindDef<K, infer D> ? D : never;

/** A draft of kind K, as the findings and rewrite stages receive it. */
export type KindDraft<K extends FindingKind> = { kind: K } & Draft<DetailsOf<K>>;

/** A draft of any kind: a union on `kind`, so checking the kind types the details. */
export type AnyDraft = { [K in FindingKind]: KindDraft<K> }[FindingKind];

export const FINDING_KINDS = KINDS.map((k) => k.id) as [FindingKind, ...FindingKind[]];

const byId = new Map<string, KindDef>(KINDS.map((k) => [k.id, k]));

export function kindMeta(kind: FindingKind): KindMeta {
  return byId.get(kind)!.meta;
}

export function isFindingKind(s: string): s is FindingKind {
  return byId.has(s);
}

/** Detectors in the order they claim statements: most specific first, so a loop is reported by the kind that fits it best. */
const detectionOrder: readonly KindDef[] = [...KINDS].sort((a, b) => a.meta.runOrder - b.meta.runOrder);

/** Run every detector on one finished unit. */
export function detectUnit(unit: Unit, options: DetectOptions): AnyDraft[] {
  const analysis = new UnitAnalysis(unit, options);
  const out: AnyDraft[] = [];
  for (const k of detectionOrder) for (const d of k.detect(unit, analysis, options)) out.push({ kind: k.id, ...d } as AnyDraft);
  return out;
}
