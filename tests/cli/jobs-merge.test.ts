/** --jobs N and merged --save-state files give exactly the report of one single-threaded run. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { pgLogs } from '../support/pg-logs.js';

async function report(args: string[]): Promise<string> {
  const r = await runCli([...args, '--format', 'json']);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.code).toBe(0);
  return r.stdout;
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const stateDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'sqloupe-state-'));
  dirs.push(d);
  return d;
};

describe('parallel and merged analysis', () => {
  it('--jobs 1, --jobs 2 and merged per-input states report the same findings, counts and top queries', async () => {
    const logs = await pgLogs('default');
    const inputs = [logs.log, 'samples/loops.csv', 'samples/pooled-web.json', 'tests/fixtures/orm/sequelize/plain.log'];
    const one = await report(['--jobs', '1', ...inputs]);
    const two = await report(['--jobs', '2', ...inputs]);
    expect(two).toBe(one);

    const dir = stateDir();
    const states = await Promise.all(
      inputs.map(async (p, i) => {
        const file = path.join(dir, `${i}.state.json`);
        await report(['--jobs', '1', '--save-state', file, p]);
        return file;
      }),
    );
    const merged = await report(['merge', ...states]);
    expect(merged).toBe(one);

    const parsed = JSON.parse(one);
    expect(parsed.inputs.map((i: { format: string }) => i.format)).toEqual(['pg-stderr', 'pg-csv', 'pg-json', 'sequelize']);
    expect(parsed.summary.statements).toBe(logs.truth.totals.statements + logs.truth.totals.failed + 192 + 120 + 77);
    expect(parsed.findings.length).toBeGreaterThan(10);
  });

  it('a merged state can itself be merged, and a file that is not a state is a usage error', async () => {
    const dir = stateDir();
    const a = path.join(dir, 'a.json');
    const ab = path.join(dir, 'ab.json');
    await report(['--save-state', a, 'samples/billing.log']);
    await report(['--save-state', ab, 'samples/billing.log', 'samples/loops.csv']);
    const b = path.join(dir, 'b.json');
    await report(['--save-state', b, 'samples/loops.csv']);
    const ab2 = path.join(dir, 'ab2.json');
    await report(['merge', a, b, '--save-state', ab2]);
    expect(await report(['merge', ab2])).toBe(await report(['merge', ab]));
    const bad = await runCli(['merge', 'samples/billing.log']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^sqloupe: cannot read state file samples\/billing\.log: .*--save-state/);
  });
});
