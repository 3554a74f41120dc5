/** Registry of detectors, in the order they run: most specific first, so a loop is claimed by the kind that fits it best. */
import aggregateLoop from './aggregate-loop.js';
import { UnitAnalysis } from './analysis.js';
import duplicateQuery from './duplicate-query.js';
import latestPerParent from './latest-per-parent.js';
import nPlusOne from './n-plus-one.js';
import perRowDelete from './per-row-delete.js';
import perRowInsert from './per-row-insert.js';
import perRowUpdate from './per-row-update.js';
import repeatedSequence from './repeated-sequence.js';
import selectThenInsert from './select-then-insert.js';
import unboundedFetch from './unbounded-fetch.js';
import type { DetectOptions, Detector, Draft } from './types.js';
import type { Unit } from '../sessions/types.js';

export const detectors: Detector[] = [
  selectThenInsert,
  repeatedSequence,
  aggregateLoop,
  latestPerParent,
  perRowInsert,
  perRowUpdate,
  perRowDelete,
  nPlusOne,
  duplicateQuery,
  unboundedFetch,
];

/** Run every detector on one finished unit. */
export function detectUnit(unit: Unit, options: DetectOptions): Draft[] {
  const analysis = new UnitAnalysis(unit, options);
  const out: Draft[] = [];
  for (const d of detectors) out.push(...d.detect(unit, analysis, options));
  return out;
}
