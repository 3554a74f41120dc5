/**
 * Vitest global setup: the whole run gets one temp folder of its own (TMPDIR for the test workers and every
 * process they start), removed at the end. Test files still remove what they make (afterAll/afterEach); what
 * is left at the end is named on stderr, so a leak shows instead of piling up in the system temp folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const outer = os.tmpdir();
  const dir = fs.mkdtempSync(path.join(outer, 'sqloupe-test-run-'));
  // searchable like the system temp folder: throwaway PostgreSQL clusters in it run as the postgres user
  fs.chmodSync(dir, 0o755);
  const before = process.env.TMPDIR;
  process.env.TMPDIR = dir;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    const left = fs.readdirSync(dir);
    if (left.length > 0) process.stderr.write(`tests left ${left.length} temp entr${left.length === 1 ? 'y' : 'ies'} behind (removed now): ${left.join(', ')}\n`);
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
