/**
 * A loop's statements with literal keys share one parse: the next text of a template gets a copy of the first
 * one's AST with its own literals. Each copy must print exactly as that text parsed on its own does, and a text
 * whose literals cannot be placed one to one must be parsed on its own.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'pgsql-ast-parser';
import { parseStmt } from '../../src/rewrite/statement.js';
import { statement } from '../../src/rewrite/printer.js';
import { stmtsOf } from './support.js';
import { normalize } from '../../src/sql/index.js';

const alone = (sql: string) => statement(parse(sql)[0]!);

describe('ASTs copied within a template', () => {
  const loops: string[][] = [
    [1, 2, 30, 400].map((k) => `SELECT product_id, quantity FROM order_items WHERE order_id = ${k} AND status = 'open'`),
    ['a', "O'Brien", 'x y', ''].map((v) => `SELECT id FROM labels WHERE name = '${v.replace(/'/g, "''")}' LIMIT 1`),
    [5, -7, 12].map((k) => `SELECT * FROM t WHERE a = ${k} AND b BETWEEN 1 AND 9`),
    ['2026-01-01', '2026-02-03'].map((d) => `SELECT count(*) FROM orders WHERE placed_on = '${d}'::date AND total > 10.50`),
    [[1, 2], [3, 4]].map(([a, b]) => `UPDATE orders SET status = 'shipped', total = ${a} WHERE id = ${b}`),
    [1, 2].map((k) => `SELECT * FROM t WHERE a = ${k} AND b = ${k}`),
    [1, 2, 3].map((k) => `INSERT INTO audit_log (order_id, note, at) VALUES (${k}, 'note ${k}', now())`),
    // NULLs move between statements of one template: as many literals, in other places
    ["label = NULL, amount = '0.00'", "label = 'x', amount = NULL", "label = 'y', amount = '-3.10'"].map((set, i) => `UPDATE items SET ${set} WHERE id = '${i + 1}'`),
    ['9007199254740993', '9007199254740995'].map((k) => `SELECT * FROM big WHERE id = ${k}`),
  ];
  for (const texts of loops) {
    it(texts[0]!, () => {
      const families = new Set<unknown>();
      for (const s of stmtsOf(texts)) {
        const p = parseStmt(s);
        expect(p, s.sql).not.toBeNull();
        // the same statement as parsed alone, with the literals exactly as logged (a number's text, not its float)
        const printed = normalize(statement(p!.ast));
        expect(printed.template, s.sql).toBe(normalize(alone(s.sql)).template);
        expect(printed.constants, s.sql).toEqual(normalize(s.sql).constants);
        families.add(p!.family);
      }
      // one parse for the loop, except where one value fills two places (which literal goes where is unknown)
      // or the NULLs move
      expect(families.size).toBe(texts[0]!.includes('AND b = 1') || texts[0]!.includes('label = NULL') ? texts.length : 1);
    });
  }

  it('takes the next text as the template when the first one repeats a literal (the first key is 1 of LIMIT 1)', () => {
    const texts = [1, 2, 3, 4, 5].map((k) => `SELECT id, bio FROM profiles WHERE author_id = ${k} LIMIT 1`);
    const families = new Set<unknown>();
    for (const s of stmtsOf(texts)) {
      const p = parseStmt(s)!;
      expect(statement(p.ast)).toBe(alone(s.sql));
      families.add(p.family);
    }
    // `= 1 LIMIT 1` is parsed alone; `= 2 LIMIT 1` stands for the rest (before: 200 Earley parses for 200 texts)
    expect(families.size).toBe(2);
  });

  it('keeps each statement its own values and the first its own AST', () => {
    const [a, b] = stmtsOf(['SELECT * FROM customers WHERE id = 11', 'SELECT * FROM customers WHERE id = 12']);
    const pa = parseStmt(a!)!;
    const pb = parseStmt(b!)!;
    expect(statement(pa.ast)).toBe('SELECT * FROM customers WHERE id = 11');
    expect(statement(pb.ast)).toBe('SELECT * FROM customers WHERE id = 12');
    expect(pb.family).toBe(pa.family);
  });

  it('prints a large id as logged, not rounded to a float', () => {
    const [, b] = stmtsOf(['SELECT * FROM big WHERE id = 9007199254740993', 'SELECT * FROM big WHERE id = 9007199254740995']);
    expect(statement(parseStmt(b!)!.ast)).toBe('SELECT * FROM big WHERE id = 9007199254740995');
  });
});
