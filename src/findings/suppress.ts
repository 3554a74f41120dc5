/** Suppressions from the config: accepted findings are removed before reporting and before --fail-on, each with its reason. */
import type { Suppression } from '../config.js';
import type { Finding } from './types.js';

export interface SuppressOutcome {
  kept: Finding[];
  suppressed: { finding: Finding; reason: string }[];
  /** Suppressions that matched nothing in this run: a note, never an error (a log window may simply miss the pattern). */
  unused: Suppression[];
}

/** A suppression matches when every matcher it names matches (id AND table AND …), so entries can be narrow. */
export function matches(s: Suppression, f: Finding): boolean {
  if (s.id !== undefined && s.id !== f.id) return false;
  if (s.fingerprint !== undefined && !f.fingerprints.includes(s.fingerprint) && f.fingerprint !== s.fingerprint) return false;
  if (s.table !== undefined && !f.tables.includes(s.table)) return false;
  if (s.application !== undefined && !f.applications.includes(s.application)) return false;
  if (s.kind !== undefined && s.kind !== f.kind) return false;
  return true;
}

export function applySuppressions(findings: Finding[], suppressions: readonly Suppression[], today: string = new Date().toISOString().slice(0, 10)): SuppressOutcome {
  const active = suppressions.filter((s) => s.expires === undefined || s.expires >= today);
  const used = new Set<Suppression>();
  const kept: Finding[] = [];
  const suppressed: SuppressOutcome['suppressed'] = [];
  for (const f of findings) {
    const s = active.find((x) => matches(x, f));
    if (s === undefined) kept.push(f);
    else {
      used.add(s);
      suppressed.push({ finding: f, reason: s.reason });
    }
  }
  return { kept, suppressed, unused: active.filter((s) => !used.has(s)) };
}
