/**
 * Detectors against real PostgreSQL 15 logs of a workload with a written ground truth: every planted loop
 * found with its kind, table and application, nothing else, in every log format and logging mode.
 */
import { describe, expect, it } from 'vitest';
import { pgLogs, type PgTruth } from '../support/pg-logs.js';
import { runJsonShared } from '../support/cli.js';

interface JsonFinding {
  kind: string;
  tables: string[];
  applications: string[];
  repeats: number;
  occurrences: number;
  evidence: { confidence: string; basis: string[] };
}

const key = (kind: string, table: string, app: string) => `${kind} ${table} ${app}`;

function expected(truth: PgTruth): string[] {
  return truth.expectedFindings.map((e) => key(e.kind, e.table, e.application)).sort();
}

function found(report: { findings: JsonFinding[] }): string[] {
  return report.findings.map((f) => key(f.kind, f.tables[0] ?? '', f.applications.join(','))).sort();
}

describe('findings on the real workload', () => {
  for (const preset of ['default', 'statement', 'both', 'pgbadger-prefix', 'minimal-prefix', 'pooled-web'] as const) {
    it(`${preset}: exactly the planted loops (stderr)`, async () => {
      const logs = await pgLogs(preset);
      const report = await runJsonShared([logs.log]);
      expect(found(report)).toEqual(expected(logs.truth));
      const planted = logs.truth.expectedFindings;
      for (const f of report.findings as JsonFinding[]) {
        const truth = planted.find((e) => e.kind === f.kind && e.table === f.tables[0])!;
        expect(f.occurrences).toBe(truth.occurrences);
        // whole-second times cannot join a fan-out's connections: only the lookups on the parent's connection count
        if (preset === 'pgbadger-prefix' && f.applications.includes('gateway')) {
          expect(f.repeats).toBeGreaterThanOrEqual(2);
          expect(f.evidence.basis.join(' ')).toContain('whole seconds (%t)');
        } else expect(f.repeats).toBeGreaterThanOrEqual(truth.minRepeats);
        expect(f.repeats).toBeLessThanOrEqual(truth.maxRepeats);
      }
    });
  }

  it('stderr, csvlog and jsonlog of one run give the same statements and the same findings', async () => {
    const logs = await pgLogs('default');
    const [a, b, c] = await Promise.all([logs.log, logs.csv, logs.json].map((p) => runJsonShared([p])));
    expect(a.inputs[0].format).toBe('pg-stderr');
    expect(b.inputs[0].format).toBe('pg-csv');
    expect(c.inputs[0].format).toBe('pg-json');
    for (const r of [a, b, c]) {
      // failed statements (ERROR + STATEMENT) count too
      expect(r.summary.statements).toBe(logs.truth.totals.statements + logs.truth.totals.failed);
      expect(r.summary.sessions).toBe(logs.truth.totals.sessions);
      expect(found(r)).toEqual(expected(logs.truth));
    }
    expect(b.findings.map((f: { id: string }) => f.id)).toEqual(a.findings.map((f: { id: string }) => f.id));
    expect(c.findings.map((f: { id: string }) => f.id)).toEqual(a.findings.map((f: { id: string }) => f.id));
  });

  it('the pooled web N+1 rests on its parent and back-to-back timing, and no other web lookup is reported', async () => {
    const logs = await pgLogs('pooled-web');
    const report = await runJsonShared([logs.log]);
    const web = (report.findings as JsonFinding[]).filter((f) => f.applications.includes('web'));
    expect(web.map((f) => [f.kind, f.tables[0]])).toEqual([['n-plus-one', 'products']]);
    expect(web[0]!.evidence.basis.join(' ')).toMatch(/back to back in autocommit/);
    expect(web[0]!.evidence.basis).toContainEqual(expect.stringMatching(/^after its parent query, SELECT at \S+:\d+$/));
  });

  it('a Promise.all loop spread over four pooled connections is one n-plus-one with its parent', async () => {
    const logs = await pgLogs('default');
    const report = await runJsonShared([logs.log]);
    const gateway = (report.findings as (JsonFinding & { units: { kind: string }[] })[]).filter((f) => f.applications.includes('gateway'));
    expect(gateway.map((f) => [f.kind, f.tables[0], f.repeats, f.occurrences, f.units[0]!.kind])).toEqual([['n-plus-one', 'shipments', 12, 1, 'fan-out']]);
    expect(gateway[0]!.evidence.basis[0]).toMatch(/^fanned out over pooled connections \(.+ \+ .+\): 12 statements started within/);
    expect(gateway[0]!.evidence.basis[1]).toMatch(/after its parent query, SELECT at \S+:\d+$/);
  });

  it('the clean set-based jobs give no finding', async () => {
    const logs = await pgLogs('n-plus-one-and-clean');
    const report = await runJsonShared([logs.log, '--application', 'reports']);
    expect(report.findings).toEqual([]);
    expect(report.summary.statements).toBe(logs.truth.scenarios['clean']!.statements);
  });

  it('finding ids do not depend on the input or its order', async () => {
    const logs = await pgLogs('default');
    const one = (await runJsonShared([logs.log])).findings.map((f: { id: string }) => f.id).sort();
    const two = (await runJsonShared([logs.json, logs.log])).findings.map((f: { id: string }) => f.id).sort();
    expect(two).toEqual(one);
  });
});
