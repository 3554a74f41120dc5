/**
 * A finding kind declares itself in one object, as an ESLint rule carries `meta` beside `create()`: its id,
 * how reports name it, how severe it is, the options it reads, and its detector. The registry derives every
 * per-kind table (titles, SARIF rules, the JSON enums, detection order) from these objects; a kind's rewrite
 * lives in rewrite/kinds/<id>.ts, where the compiler asks for one per kind.
 */
import type { Unit } from '../sessions/types.js';
import type { UnitAnalysis } from './analysis.js';
import type { DetectOptions, Draft } from './draft.js';

/**
 * How a finding's severity follows from its evidence (findings/store.ts):
 * - `loop`: error at ≥ 50 repeats, ≥ 1 s wasted or ≥ 500 statements in all, else warning; one lower when the confidence is low;
 * - `repeats`: warning at ≥ 10 repeats in one unit, else info;
 * - `confidence`: info when the confidence is low, else warning.
 */
export type SeverityRule = 'loop' | 'repeats' | 'confidence';

export interface KindMeta {
  /** Title of a finding, before " on <tables>: N× in one unit of work". */
  title: string;
  /** One line for `--help`-style listings and the docs index. */
  summary: string;
  /** A loop over rows (the set-based rewrite replaces many statements by one): counted as a loop everywhere. */
  loop: boolean;
  severity: SeverityRule;
  /** Whether the title says how often the statement ran in one unit ("12× in one unit of work"). */
  repeatsInTitle: boolean;
  /** The SARIF rule: a PascalCase name, a short and a full description. */
  sarif: { name: string; short: string; full: string };
  /** Thresholds this kind reads (documented on its docs page). */
  options: readonly (keyof DetectOptions)[];
  /**
   * Where the detector runs among the others (lower first). Detectors claim the statements they report, so
   * the most specific kind must run before the general ones (a hand-made upsert before its N+1).
   */
  runOrder: number;
}

export interface KindDef<Id extends string = string, D = unknown> {
  id: Id;
  meta: KindMeta;
  /** Inspect one finished unit. `analysis` is shared by all detectors and records which statements a loop already claimed. */
  detect(unit: Unit, analysis: UnitAnalysis, options: DetectOptions): Draft<D>[];
}

/** Declare a kind; `D` is the evidence its drafts carry (typed for the rewrite that reads it). */
export function defineKind<D>() {
  return <const Id extends string>(def: KindDef<Id, D>): KindDef<Id, D> => def;
}
