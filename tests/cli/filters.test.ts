/** --since/--until/--database/--user/--application filter records, checked against the samples' ground truth. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

interface Doc {
  summary: { statements: number };
  findings: { kind: string; applications: string[]; tables: string[] }[];
  inputs: { statements: number }[];
}
const run = async (args: string[]) => {
  const r = await runCli([...args, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Doc;
};
const truth = (name: string) => JSON.parse(readFileSync(`samples/${name}.truth.json`, 'utf8'));

describe('filters', async () => {
  const all = await run(['samples/billing.log']);

  it('--application keeps only that application_name', async () => {
    const billing = await run(['samples/billing.log', '--application', 'billing']);
    expect(billing.findings.map((f) => [f.kind, f.applications])).toEqual([['n-plus-one', ['billing']]]);
    expect(billing.summary.statements).toBe(truth('billing').scenarios['n-plus-one'].statements);
    // the set-based job has no loops of its own
    expect((await run(['samples/billing.log', '--application', 'reports'])).findings).toEqual([]);
    expect((await run(['samples/billing.log', '--application', 'reports,billing'])).findings).toHaveLength(1);
  });

  it('--application on the csvlog sample selects one loop kind per application', async () => {
    const t = truth('loops');
    for (const [app, scenario] of [['dashboard', 'aggregate-loop'], ['importer', 'per-row-insert']] as const) {
      const doc = await run(['samples/loops.csv', '--application', app]);
      expect(t.applications[app]).toBe(scenario);
      expect(doc.findings.map((f) => f.kind)).toEqual([scenario]);
      expect(doc.findings[0]!.applications).toEqual([app]);
    }
  });

  it('--user and --database', async () => {
    expect((await run(['samples/billing.log', '--user', 'postgres'])).summary.statements).toBe(all.summary.statements);
    expect((await run(['samples/billing.log', '--database', 'app'])).summary.statements).toBe(all.summary.statements);
    const nobody = await runCli(['samples/billing.log', '--user', 'nobody', '--format', 'json']);
    expect(nobody.code).toBe(0);
    expect(JSON.parse(nobody.stdout).summary.statements).toBe(0);
    expect(JSON.parse((await runCli(['samples/billing.log', '--database', 'other', '--format', 'json'])).stdout).findings).toEqual([]);
  });

  it('--since/--until split the log at the end of the setup scenario', async () => {
    const t = truth('billing');
    // setup ends where the other scenarios start (ms resolution): split 1 ms apart so no statement falls in between
    const end = new Date(Date.parse(t.scenarios.setup.endedAt) - 1).toISOString();
    const start = new Date(Date.parse(t.scenarios.setup.endedAt)).toISOString();
    const before = await run(['samples/billing.log', '--until', end]);
    const after = await run(['samples/billing.log', '--since', start]);
    expect(before.findings).toEqual([]);
    expect(after.findings.map((f) => f.kind)).toEqual(['n-plus-one']);
    expect(before.summary.statements).toBeGreaterThan(0);
    expect(before.summary.statements + after.summary.statements).toBe(all.summary.statements);
    // a window after the log ends keeps nothing, relative windows compare with the record's time
    expect((await runCli(['samples/billing.log', '--since', '2099-01-01', '--format', 'json'])).code).toBe(0);
  });
});
