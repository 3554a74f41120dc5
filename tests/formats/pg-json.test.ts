/** jsonlog (PG 15+): keys per jsonlog.c, omitted empty keys, broken lines skipped without losing the rest. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formats } from '../../src/formats/index.js';
import pgJson from '../../src/formats/pg-json.js';
import { headLines, runFile, runText } from './pg-harness.js';

const SAMPLE = 'samples/pooled-web.json';

describe('pg-json', () => {
  it('the real sample: one statement per execute, and every statement of the truth', () => {
    const r = runFile(pgJson, SAMPLE);
    const truth = JSON.parse(readFileSync('samples/pooled-web.truth.json', 'utf8'));
    expect(r.skipped).toEqual([]);
    expect(r.statements).toHaveLength(truth.totals.statements);
    const web = r.statements.find((e) => e.application === 'web' && e.params !== null)!;
    expect(web.session).toMatch(/^[0-9a-f]+\.[0-9a-f]+$/);
    expect(web.tx).toMatch(/^\d+\/[1-9]\d*$/);
    expect(web).toMatchObject({ user: 'postgres', database: 'app', client: '127.0.0.1' });
  });

  const line = (o: Record<string, unknown>) =>
    JSON.stringify({ timestamp: '2024-06-01 12:00:00.250 UTC', user: 'u', dbname: 'd', pid: 77, remote_host: '10.0.0.9', remote_port: 5000, session_id: '665b0c00.4d', line_num: 3, ps: 'SELECT', session_start: '2024-06-01 12:00:00 UTC', vxid: '4/9', txid: 0, error_severity: 'LOG', application_name: 'api', backend_type: 'client backend', query_id: 0, ...o });

  it('fields, parameters with quotes and arrays, a multi-line statement', () => {
    const text = [
      line({ message: 'duration: 0.040 ms  execute <unnamed>: SELECT *\nFROM t\nWHERE a = ANY($1) AND b = $2', detail: "parameters: $1 = '{1,2,3}', $2 = 'it''s \"x\", y'" }),
      line({ message: 'duration: 0.010 ms  statement: SELECT 1', vxid: undefined, txid: 812 }),
    ].join('\n');
    const r = runText(pgJson, text);
    expect(r.skipped).toEqual([]);
    expect(r.statements).toHaveLength(2);
    expect(r.statements[0]).toMatchObject({
      sql: 'SELECT *\nFROM t\nWHERE a = ANY($1) AND b = $2', params: ['{1,2,3}', 'it\'s "x", y'], durationMs: 0.04,
      time: Date.UTC(2024, 5, 1, 12, 0, 0, 250), session: '665b0c00.4d', tx: '4/9', user: 'u', database: 'd',
      application: 'api', client: '10.0.0.9', line: 1,
    });
    // no vxid key: the real xid is the transaction key
    expect(r.statements[1]!.tx).toBe('812');
  });

  it('a broken line in the middle is skipped and counted; the lines around it are kept', () => {
    const text = [
      line({ message: 'duration: 0.010 ms  statement: SELECT 1' }),
      line({ message: 'duration: 0.010 ms  statement: SELECT 2' }).slice(0, 80),
      'garbage \u0000 from a crash',
      line({ message: 'duration: 0.010 ms  statement: SELECT 3' }),
    ].join('\n');
    const r = runText(pgJson, text);
    expect(r.statements.map((e) => e.sql)).toEqual(['SELECT 1', 'SELECT 3']);
    expect(r.skipped).toEqual([
      { line: 2, reason: 'broken JSON line (cut short or corrupt)' },
      { line: 3, reason: 'not a JSON object line' },
    ]);
    expect(r.facts).toMatchObject({ jsonlog: 2, badLines: 2 });
  });

  it('ERROR with the failing statement; a non-parameter DETAIL does not become parameters', () => {
    const r = runText(pgJson, line({ error_severity: 'ERROR', state_code: '23505', message: 'duplicate key value violates unique constraint "k"', detail: 'Key (id)=(1) already exists.', statement: 'INSERT INTO t VALUES ($1)' }));
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({ kind: 'error', sql: 'INSERT INTO t VALUES ($1)', params: null });
  });

  it('sniff: claims jsonlog, low for csv, stderr, envelopes of other tools and ORM JSON lines', () => {
    const sample = headLines(SAMPLE);
    expect(pgJson.sniff(sample)).toBeGreaterThan(0.9);
    const best = formats.map((f) => [f.id, f.sniff(sample)] as const).sort((a, b) => b[1] - a[1]);
    expect(best[0]![0]).toBe('pg-json');
    expect(best[1]![1]).toBeLessThan(0.3);
    for (const f of ['samples/loops.csv', 'samples/billing.log', 'tests/fixtures/pg/cnpg.jsonl', 'tests/fixtures/pg/cloudsql.jsonl', 'tests/fixtures/pg/syslog-iso.log']) {
      expect(pgJson.sniff(headLines(f)), f).toBeLessThan(0.3);
    }
    expect(pgJson.sniff(['{"timestamp":"2024-01-01T00:00:00Z","query":"SELECT 1","params":"[]","duration":1,"target":"quaint::connector"}'])).toBeLessThan(0.3);
  });
});
