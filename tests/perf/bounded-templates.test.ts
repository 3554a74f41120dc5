/**
 * What is kept per template and per statement is bounded: past MAX_TEMPLATES templates the least used are
 * forgotten (the busiest kept, said in the report), and a statement longer than MAX_STATEMENT_CHARS is
 * fingerprinted by its start and not kept whole (said in the report, no rewrite). libpg-query is not given
 * templates nesting deeper than it can be walked. Deterministic: counts, templates and warnings, no timings.
 */
import { describe, expect, it } from 'vitest';
import { createAnalysis, DEFAULT_ANALYZE_OPTIONS, type AnalyzeOptions } from '../../src/analyze.js';
import type { AnalysisResult } from '../../src/findings/result.js';
import { TopQueries } from '../../src/findings/top-queries.js';
import { buildStmt, MAX_STATEMENT_CHARS, statementHead, TemplateCache } from '../../src/sessions/statement.js';
import { blankEvent } from '../../src/formats/types.js';
import { MAX_SHAPE_DEPTH, normalize, shapeOf } from '../../src/sql/index.js';

const PREFIX = '%m [%p] ';
const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
const stamp = (ms: number) => new Date(T0 + ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
const stmt = (ms: number, pid: number, sql: string) => `${stamp(ms)} [${pid}] LOG:  duration: 0.050 ms  statement: ${sql}`;

function run(lines: string[], maxTemplates?: number): AnalysisResult {
  const options: AnalyzeOptions = { ...DEFAULT_ANALYZE_OPTIONS, inputFormat: 'pg-stderr', prefix: PREFIX, maxTemplates };
  const analysis = createAnalysis(options);
  const feed = analysis.openInput({ path: 'bounded.log', size: null });
  lines.forEach((l, i) => feed.line(l, i + 1));
  feed.end(lines.length);
  return analysis.finish();
}

const event = (sql: string) => {
  const ev = blankEvent('statement', 'x.log', 1);
  ev.sql = sql;
  return ev;
};

describe('bounded templates', () => {
  it('keeps the busiest templates past the limit and forgets the least used, oldest first', () => {
    const cache = new TemplateCache(100);
    for (let r = 0; r < 3; r++) cache.intern('select busy', null);
    for (let i = 0; i < 250; i++) cache.intern(`select c${i} from t${i}`, null);
    expect(cache.size).toBeLessThanOrEqual(100);
    expect(cache.size + cache.forgotten).toBe(251);
    const kept = [...cache.values()].map((t) => t.template);
    expect(kept).toContain('select busy');
    // the newest are kept among equals
    expect(kept).toContain('select c249 from t249');
    expect(kept).not.toContain('select c0 from t0');
  });

  it('keeps the top-queries rows of the busiest templates, one row per template text', () => {
    const cache = new TemplateCache(50);
    const top = new TopQueries(50);
    const add = (sql: string) => top.add(buildStmt(event(sql), cache));
    for (let r = 0; r < 5; r++) add('SELECT * FROM hot WHERE id = 1');
    for (let i = 0; i < 200; i++) add(`SELECT c${i} FROM t${i}`);
    expect(top.size).toBeLessThanOrEqual(50);
    expect(top.top(1)[0]).toMatchObject({ template: 'select * from hot where id = $1', calls: 5 });
    expect(new Set(top.top(50).map((q) => q.template)).size).toBe(top.top(50).length);
  });

  it('says in the report when templates were forgotten', () => {
    // 2,500 distinct templates, on connections silent between their statements, with a limit of 1,000
    const lines: string[] = [];
    for (let r = 0; r < 3; r++) lines.push(stmt(r * 5000, 1, 'SELECT * FROM hot WHERE id = 7'));
    for (let i = 0; i < 2500; i++) lines.push(stmt(20_000 + i * 20, 100 + (i % 100), `SELECT c${i} FROM t${i} WHERE k = ${i}`));
    const r = run(lines, 1000);
    expect(r.summary.statements).toBe(2503);
    expect(r.summary.templates).toBeLessThanOrEqual(1000);
    const warnings = r.inputs[0]!.warnings;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^bounded\.log: more than 1,000 distinct statement templates: kept the [\d,]+ busiest of about 2,501 \(/);
    expect(r.topQueries[0]).toMatchObject({ template: 'select * from hot where id = $1', calls: 3 });
  });

  it('says nothing of templates on a log within the limit', () => {
    const lines = Array.from({ length: 200 }, (_, i) => stmt(i * 20, 100 + (i % 10), `SELECT c${i} FROM t${i}`));
    expect(run(lines).inputs[0]!.warnings).toEqual([]);
  });
});

describe('long statements', () => {
  const inList = (n: number, from = 0) => `SELECT * FROM comments WHERE post_id IN (${Array.from({ length: n }, (_, i) => 100_000 + from + i).join(', ')})`;

  it('cuts a long statement between list items and closes its parentheses', () => {
    const head = statementHead(inList(30_000));
    expect(head.length).toBeLessThanOrEqual(10_001);
    expect(head).toMatch(/^SELECT \* FROM comments WHERE post_id IN \(100000, 100001, [\d, ]+\d\)$/);
    expect(normalize(head).template).toBe('select * from comments where post_id = any($1)');
  });

  it('fingerprints it as a short statement of the same form, keeps only its start, and keeps it apart from another with the same start', () => {
    const long = inList(30_000);
    expect(long.length).toBeGreaterThan(MAX_STATEMENT_CHARS);
    const cache = new TemplateCache();
    const a = buildStmt(event(long), cache);
    const b = buildStmt(event(inList(29_999) + ', 1'), cache);
    const short = buildStmt(event(inList(3)), cache);
    expect(a.t).toBe(short.t);
    expect(a.length).toBe(long.length);
    expect(a.sql.length).toBeLessThanOrEqual(10_100);
    expect(a.sql).toMatch(/\) \/\* cut by sqloupe: [\d,]+ characters in all \*\/$/);
    expect(short.length).toBeUndefined();
    expect(a.key).not.toBe(b.key);
  });

  it('finds the loop of long statements, says so in the report and builds no rewrite from them', () => {
    const lines = [stmt(0, 7, 'SELECT id FROM posts WHERE published')];
    for (let k = 1; k <= 5; k++) lines.push(stmt(k, 7, inList(20_000, k * 20_000)));
    const r = run(lines);
    expect(r.findings.map((f) => [f.kind, f.repeats])).toEqual([['n-plus-one', 5]]);
    expect(r.findings[0]!.suggestion!.use).toBeNull();
    expect(r.findings[0]!.suggestion!.summary).toMatch(/No rewrite generated: a statement of [\d,]+ characters is over the 8,192-character limit for rewrites/);
    expect(r.inputs[0]!.warnings).toEqual([
      'bounded.log: 5 statements longer than 100,000 characters: counted and fingerprinted by their start, which is all that is kept of them (their loops are found; no rewrite is generated from them)',
    ]);
  });

  it('gives libpg-query no template nesting deeper than it can be walked', () => {
    const nested = (d: number) => `select * from t where a = ${'('.repeat(d)}$1${')'.repeat(d)}`;
    expect(shapeOf(nested(10)).parsed).toBe(true);
    // 2,000 deep parsed, then overflowed the stack of the AST walk and ended the run
    expect(shapeOf(nested(2000)).parsed).toBe(false);
    expect(shapeOf(nested(MAX_SHAPE_DEPTH + 1)).parsed).toBe(false);
    expect(shapeOf(nested(2000)).tables).toEqual(['t']);
  });
});
