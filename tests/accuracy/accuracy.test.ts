// The accuracy ratchet: score sqloupe on the recorded scenarios (tests/fixtures/accuracy, real
// PostgreSQL 15 and ORM logs with ground truth, see its README) and fail when overall recall falls below,
// or false findings rise above, the committed baseline. Reads recorded logs only: no database, and the
// result does not depend on machine load. Improve detection, then `npm run accuracy` raises the baseline.
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
}
interface Result {
  overall: Numbers;
  misses: { app: string; output: string; expected: { kind: string; table: string } }[];
}

describe('accuracy on the recorded scenarios', () => {
  it('recall and false findings are no worse than tests/fixtures/accuracy/baseline.json', async () => {
    const baseline = JSON.parse(fs.readFileSync(path.join(root, 'tests/fixtures/accuracy/baseline.json'), 'utf8')) as { overall: Numbers };
    const { stdout } = await run(process.execPath, [path.join(root, 'scripts/scenarios/score.mjs'), '--json', '--no-write'], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 290_000, // about 35 s of CPU; generous so a loaded machine slows it but cannot fail it
    });
    const r = JSON.parse(stdout) as Result;
    expect(r.overall.expected).toBe(baseline.overall.expected);
    const msg = `recall ${r.overall.found}/${r.overall.expected}, false findings ${r.overall.falseFindings} (baseline ${baseline.overall.found}/${baseline.overall.expected}, ${baseline.overall.falseFindings}); run npm run accuracy for the misses`;
    expect(r.overall.recall ?? 0, msg).toBeGreaterThanOrEqual(baseline.overall.recall ?? 0);
    expect(r.overall.falseFindings, msg).toBeLessThanOrEqual(baseline.overall.falseFindings);
  }, 300_000);
});
