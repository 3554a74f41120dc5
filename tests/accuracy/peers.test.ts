// The peers ratchet: score sqloupe on the recorded peers scenarios (tests/fixtures/peers: the N+1 shapes
// of Bullet's, Prosopite's and nplusone's test suites, re-run with ActiveRecord and SQLAlchemy on
// PostgreSQL 15 at a test suite's data size, see its README) and fail when overall recall falls below,
// or false findings rise above, the committed baseline. Recorded logs only: no database.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

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

describe('accuracy on the peers scenarios', () => {
  it('recall and false findings are no worse than tests/fixtures/peers/baseline.json', async () => {
    const baseline = JSON.parse(fs.readFileSync(path.join(root, 'tests/fixtures/peers/baseline.json'), 'utf8')) as { overall: Numbers };
    const { stdout } = await run(process.execPath, [path.join(root, 'scripts/scenarios/score.mjs'), '--fixtures', path.join(root, 'tests/fixtures/peers'), '--json', '--no-write'], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 170_000, // about 15 s of CPU; generous so a loaded machine slows it but cannot fail it
    });
    const r = JSON.parse(stdout) as Result;
    expect(r.overall.expected).toBe(baseline.overall.expected);
    expect(r.overall.negatives).toBe(baseline.overall.negatives);
    const missed = r.misses.map((m) => `${m.app} ${m.output} ${m.expected.kind}[${m.expected.table}]`).join('; ');
    const msg = `recall ${r.overall.found}/${r.overall.expected}, false findings ${r.overall.falseFindings} (baseline ${baseline.overall.found}/${baseline.overall.expected}, ${baseline.overall.falseFindings}); misses: ${missed}`;
    expect(r.overall.recall ?? 0, msg).toBeGreaterThanOrEqual(baseline.overall.recall ?? 0);
    expect(r.overall.falseFindings, msg).toBeLessThanOrEqual(baseline.overall.falseFindings);
  }, 180_000);
});
