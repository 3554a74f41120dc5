/**
 * Repeated blocks must cost linear work in the statements of a unit: a batch job's transaction of 100,000
 * per-row INSERTs is one template run back to back, and scanning the rest of the unit at every start made it
 * quadratic. The work is counted (reads of a statement's template), not timed.
 */
import { describe, expect, it } from 'vitest';
import { UnitAnalysis } from '../../src/detect/analysis.js';
import { DEFAULT_DETECT_OPTIONS } from '../../src/detect/draft.js';
import type { Stmt, TemplateInfo, Unit } from '../../src/sessions/types.js';
import { caseLog, findingsOf } from '../support/kind-tester.js';

const template = (id: string, sql: string): TemplateInfo => ({ id, template: sql, verb: sql.split(' ')[0]!.toLowerCase(), tags: {} as TemplateInfo['tags'] });
const INSERT = template('ins', 'insert into events (account_id, amount) values ($1, $2)');
const ORDER = template('ord', 'select * from orders where id = $1');
const ITEMS = template('itm', 'select * from order_items where order_id = $1');

/** A transaction of the given templates; every read of a statement's template counts one step, and a budget stops a runaway scan early. */
function unitOf(templates: TemplateInfo[], budget: number): { unit: Unit; steps: () => number } {
  let steps = 0;
  const statements = templates.map((t, index): Stmt => {
    const s = { index, sql: t.template, values: [String(index)], valuesRows: 1, key: String(index), time: null, durationMs: null, rows: null, resultValues: null, callSite: null, tags: null, file: 'batch.log', line: index + 2 } as Omit<Stmt, 't'>;
    Object.defineProperty(s, 't', {
      get() {
        if (++steps > budget) throw new Error(`more than ${budget} steps for ${templates.length} statements`);
        return t;
      },
    });
    return s as Stmt;
  });
  const unit: Unit = { kind: 'transaction', session: 'batch', tx: '1', application: null, user: null, database: null, orm: null, file: 'batch.log', statements, timed: false, closedBy: 'commit' };
  return { unit, steps: () => steps };
}

describe('repeatedBlocks on long runs', () => {
  it('looks at each of 50,000 statements of one template a bounded number of times', () => {
    const n = 50_000;
    const { unit, steps } = unitOf(Array<TemplateInfo>(n).fill(INSERT), 100 * n);
    expect(new UnitAnalysis(unit, DEFAULT_DETECT_OPTIONS).repeatedBlocks()).toEqual([]);
    // the scan at each start stops at the first window: 8 lengths × a window of ≤ 8, plus the period checks
    expect(steps()).toBeLessThan(100 * n);
  });

  it('finds a two-statement block repeated 20,000 times once, in linear work', () => {
    const n = 20_000;
    const seq = Array.from({ length: 2 * n }, (_, i) => (i % 2 === 0 ? ORDER : ITEMS));
    const { unit, steps } = unitOf(seq, 100 * seq.length);
    const blocks = new UnitAnalysis(unit, DEFAULT_DETECT_OPTIONS).repeatedBlocks();
    expect(blocks.map((b) => ({ start: b.start, length: b.length, repeats: b.repeats }))).toEqual([{ start: 0, length: 2, repeats: n }]);
    expect(steps()).toBeLessThan(100 * seq.length);
  });

  it('finds a block after a long run of one template where it starts', () => {
    const seq = [...Array<TemplateInfo>(30_000).fill(INSERT), ...Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? ORDER : ITEMS))];
    const { unit } = unitOf(seq, 100 * seq.length);
    const blocks = new UnitAnalysis(unit, DEFAULT_DETECT_OPTIONS).repeatedBlocks();
    expect(blocks.map((b) => ({ start: b.start, length: b.length, repeats: b.repeats }))).toEqual([{ start: 30_000, length: 2, repeats: 5 }]);
  });

  it('reports a transaction of 5,000 per-row INSERTs as one per-row-insert through the whole pipeline', () => {
    const lines = ['12:00:00.000 [7] BEGIN'];
    for (let i = 0; i < 5_000; i++) lines.push(`12:00:00.${String(1 + (i % 998)).padStart(3, '0')} [7] INSERT INTO events (account_id, amount) VALUES (${i}, ${i * 3})`);
    lines.push('12:00:00.999 [7] COMMIT');
    expect(caseLog(lines.slice(0, 2).join('\n'))).toBe(
      '2026-01-15 12:00:00.000 UTC [7] app= LOG:  duration: 0.050 ms  statement: BEGIN\n2026-01-15 12:00:00.001 UTC [7] app= LOG:  duration: 0.050 ms  statement: INSERT INTO events (account_id, amount) VALUES (0, 0)\n',
    );
    const found = findingsOf(lines.join('\n'));
    expect(found.map((f) => ({ kind: f.kind, tables: f.tables, repeats: f.repeats, occurrences: f.occurrences }))).toEqual([{ kind: 'per-row-insert', tables: ['events'], repeats: 5_000, occurrences: 1 }]);
  });
});
