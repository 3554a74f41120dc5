/**
 * The accuracy ratchet shared by the recorded scenario sets: score sqloupe on a set (scripts/scenarios/score.mjs
 * on recorded logs only: no database, and the result does not depend on machine load) and fail when overall
 * recall falls below, or false findings rise above, the set's committed baseline.json.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

interface Numbers {
  expected: number;
  found: number;
  recall: number | null;
  falseFindings: number;
  negatives: number;
}
interface Result {
  overall: Numbers;
  misses: { app: string; output: string; expected: { kind: string; table: string } }[];
}

/** Score the set in `fixtures` (relative to the repository) and compare with its baseline; `timeoutMs` is generous, never a speed. */
export async function expectNoWorseThanBaseline(fixtures: string, timeoutMs: number): Promise<void> {
  const dir = path.join(root, fixtures);
  const baseline = JSON.parse(fs.readFileSync(path.join(dir, 'baseline.json'), 'utf8')) as { overall: Numbers };
  const { stdout } = await run(process.execPath, [path.join(root, 'scripts/scenarios/score.mjs'), '--fixtures', dir, '--json', '--no-write'], {
    cwd: root,
    maxBuffer: 64 * 1024 * 1024,
    timeout: timeoutMs,
  });
  const r = JSON.parse(stdout) as Result;
  expect(r.overall.expected).toBe(baseline.overall.expected);
  expect(r.overall.negatives).toBe(baseline.overall.negatives);
  const missed = r.misses.map((m) => `${m.app} ${m.output} ${m.expected.kind}[${m.expected.table}]`).join('; ');
  const msg = `recall ${r.overall.found}/${r.overall.expected}, false findings ${r.overall.falseFindings} (baseline ${baseline.overall.found}/${baseline.overall.expected}, ${baseline.overall.falseFindings}); misses: ${missed || 'none'}`;
  expect(r.overall.recall ?? 0, msg).toBeGreaterThanOrEqual(baseline.overall.recall ?? 0);
  expect(r.overall.falseFindings, msg).toBeLessThanOrEqual(baseline.overall.falseFindings);
}
