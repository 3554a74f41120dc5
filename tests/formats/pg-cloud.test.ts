/** Managed PostgreSQL wrappers: CloudNativePG's JSON envelope, Google CloudSQL's textPayload export, the RDS stderr prefix. */
import { describe, expect, it } from 'vitest';
import { formats } from '../../src/formats/index.js';
import pgCloudsql from '../../src/formats/pg-cloudsql.js';
import pgCnpg from '../../src/formats/pg-cnpg.js';
import pgStderr from '../../src/formats/pg-stderr.js';
import { headLines, runFile } from './pg-harness.js';

const F = 'tests/fixtures/pg';
const ranking = (file: string) => formats.map((f) => [f.id, f.sniff(headLines(file))] as const).sort((a, b) => b[1] - a[1]);

describe('pg-cnpg (CloudNativePG envelope)', () => {
  const r = runFile(pgCnpg, `${F}/cnpg.jsonl`);

  it('reads the csvlog-named record; the instance manager lines are neither events nor errors', () => {
    expect(r.skipped).toEqual([]);
    expect(r.facts).toMatchObject({ cnpg: 5, otherObjects: 2, badLines: 0 });
    expect(r.statements).toHaveLength(1);
    expect(r.statements[0]).toMatchObject({
      sql: 'select * from pets where owner_id = $1', params: ['a-parameter'], durationMs: 0.047,
      session: '663364b2.78', tx: '3/52', user: 'app', database: 'app', application: 'api', client: '10.244.0.12',
      time: Date.UTC(2024, 4, 2, 10, 0, 2, 211), line: 5,
    });
  });

  it('connections and the ERROR with its query', () => {
    expect(r.events.map((e) => e.kind)).toEqual(['connect', 'statement', 'error']);
    expect(r.events[0]!.application).toBe('api');
    expect(r.events[2]).toMatchObject({ sql: 'insert into pets (id, name) values ($1, $2)', tx: '3/53' });
  });

  it('sniff picks pg-cnpg, the other PostgreSQL formats stay low', () => {
    const best = ranking(`${F}/cnpg.jsonl`);
    expect(best[0]).toEqual(['pg-cnpg', expect.any(Number)]);
    expect(best[0]![1]).toBeGreaterThan(0.8);
    expect(best[1]![1]).toBeLessThan(0.3);
  });
});

describe('pg-cloudsql (Cloud Logging export, stderr line in textPayload)', () => {
  const r = runFile(pgCloudsql, `${F}/cloudsql.jsonl`);

  it('detects the CloudSQL prefix in the payloads and reads the entries', () => {
    expect(r.skipped).toEqual([]);
    // inferred from the payloads' connection lines (CloudSQL's prefix is not in the common list): CloudSQL's own '%m [%p]: [%l-1] db=%d,user=%u '
    expect(r.facts.prefix).toBe('%m [%p]: [%l-1] db=%d,user=%u ');
    expect(r.statements.map((e) => e.sql)).toEqual([
      'SELECT id, total FROM orders WHERE customer_id = $1',
      "SELECT o.id,\n       o.total\n  FROM orders o\n WHERE o.status = 'open'",
      'SELECT 1',
    ]);
    expect(r.statements[0]).toMatchObject({
      params: ['17'], durationMs: 0.412, user: 'web', database: 'shop', application: 'storefront', session: '4242',
      time: Date.UTC(2024, 3, 10, 8, 15, 0, 230), line: 2,
    });
    expect(r.statements[2]).toMatchObject({ user: 'cloudsqladmin', session: '4243' });
  });

  it('sniff picks pg-cloudsql, the other PostgreSQL formats stay low', () => {
    const best = ranking(`${F}/cloudsql.jsonl`);
    expect(best[0]![0]).toBe('pg-cloudsql');
    expect(best[0]![1]).toBeGreaterThan(0.8);
    // pg-stderr finds its severity markers inside the payloads, so it scores in between; the JSON formats stay low
    for (const [id, score] of best.slice(1)) if (id !== 'pg-stderr') expect(score, id).toBeLessThan(0.3);
    expect(best.find(([id]) => id === 'pg-stderr')![1]).toBeLessThan(best[0]![1] - 0.3);
  });
});

describe('RDS (stderr with prefix %t:%r:%u@%d:[%p]:)', () => {
  const r = runFile(pgStderr, `${F}/rds.log`);

  it('detects the RDS prefix and parses entries, continuation lines, parameters and errors', () => {
    expect(r.skipped).toEqual([]);
    expect(r.facts.prefix).toBe('%t:%r:%u@%d:[%p]:');
    // (a session's last statement is emitted when the session moves on or the input ends, so sort by line)
    const byLine = [...r.statements].sort((a, b) => a.line - b.line);
    expect(byLine.map((e) => [e.line, e.sql, e.params])).toEqual([
      [4, 'SELECT id, status FROM orders WHERE customer_id = $1', ['42']],
      [6, 'SELECT * FROM order_lines WHERE order_id = $1', ['1001']],
      [8, 'SELECT customer_id,\n       sum(total) AS revenue\n  FROM orders\n GROUP BY customer_id', null],
      [12, 'SELECT * FROM order_lines WHERE order_id = $1', ['1002']],
    ]);
    expect(r.statements[0]).toMatchObject({
      user: 'app_user', database: 'appdb', client: '10.0.1.23', application: 'orders-api', durationMs: 0.412,
      time: Date.UTC(2024, 2, 5, 10, 0, 1),
    });
    const report = r.statements.find((e) => e.line === 8)!;
    expect(report).toMatchObject({ user: 'report', client: '10.0.1.24' });
    expect(r.statements[0]!.session).not.toBe(report.session);
    const err = r.events.find((e) => e.kind === 'error')!;
    expect(err.sql).toBe('INSERT INTO orders (id, customer_id) VALUES ($1, $2)');
  });

  it('sniff picks pg-stderr for the RDS log', () => {
    const best = ranking(`${F}/rds.log`);
    expect(best[0]![0]).toBe('pg-stderr');
    expect(best[1]![1]).toBeLessThan(0.3);
  });
});
