/** Lexer tests: libpg-query's own scanner (scanSync) is the oracle for token boundaries and kinds. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { loadModule, scanSync } from 'libpg-query';
import { Tok, tokenize } from '../../src/sql/lexer.js';

await loadModule();

type Cls = string;

/** PostgreSQL's token → our comparison class. */
function pgClass(t: { tokenName: string; keywordKind: number; text: string }): Cls {
  switch (t.tokenName) {
    case 'C_COMMENT':
    case 'SQL_COMMENT':
      return 'comment';
    case 'PARAM':
      return 'param';
    case 'ICONST':
    case 'FCONST':
      return 'number';
    case 'SCONST':
    case 'USCONST':
    case 'BCONST':
    case 'XCONST':
      return 'string';
    case 'IDENT':
    case 'UIDENT':
      return 'ident';
    case 'TYPECAST':
      return 'typecast';
  }
  if (t.keywordKind > 0) return 'ident';
  // Some token names are not in the WASM build's name table (B'', X'', U&'', U&"" show as UNKNOWN).
  if (/^[A-Za-z_\u0080-\uffff]/.test(t.text)) return t.text.includes("'") ? 'string' : 'ident';
  return 'op:' + t.text;
}

function ourClass(kind: number, text: string): Cls {
  switch (kind) {
    case Tok.Word:
    case Tok.QIdent:
      return 'ident';
    case Tok.String:
    case Tok.EString:
    case Tok.UString:
    case Tok.Dollar:
    case Tok.BitString:
    case Tok.HexString:
      return 'string';
    case Tok.Number:
      return 'number';
    case Tok.Param:
      return 'param';
    case Tok.BlockComment:
    case Tok.LineComment:
      return 'comment';
    case Tok.Typecast:
      return 'typecast';
    default:
      return 'op:' + text;
  }
}

/** [start, end, class] triples, offsets in UTF-16 code units. */
function oracle(sql: string): [number, number, Cls][] | null {
  let res;
  try {
    res = scanSync(sql);
  } catch {
    return null; // the scanner rejects some inputs outright ("trailing junk after numeric literal")
  }
  // scanSync offsets are UTF-8 byte offsets; convert.
  const bytes = Buffer.from(sql, 'utf8');
  const toChar = (b: number) => bytes.subarray(0, b).toString('utf8').length;
  return res.tokens.map((t) => [toChar(t.start), toChar(t.end), pgClass(t)]);
}

function ours(sql: string): [number, number, Cls][] {
  return tokenize(sql, { placeholders: false }).map((t) => [t.start, t.end, ourClass(t.kind, t.text)]);
}

const CORPUS = [
  `SELECT a::int, E'x\\'y', U&'d\\0061t', B'0101', X'1F', $q$ho'"$q$, "Us""er", 1e-3, .5, 0x1F, 1_000, 1., $1`,
  `SELECT 1 /* c /* nested */ still */ + 2 -- trailing\n FROM t`,
  `SELECT * FROM t WHERE a <> 3 AND b >= 2 AND c != 4 AND d <= 5 AND e->>'x' = 'y' AND f #> '{a}' IS NOT NULL`,
  `SELECT x[1:2], y[lo:hi], 1..2, a.b, t.*, "s"."t"."c" FROM s.t`,
  `UPDATE "public"."User" SET "name" = 'O''Brien', "updatedAt" = '2024-01-01 10:00:00+00'::timestamptz WHERE "id" = $1 RETURNING *`,
  `INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y') ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b`,
  `SELECT $$dollar $not$ closed$$, $a$$a$, $_x1$ body $_x1$`,
  `SELECT 0o17, 0b101, 0X_FF, 1_000.000_1, 1.5e+10, 12E3, 3.14`,
  `select a@>b, a<@b, a||b, a&&b, a-b, -5, +5, a*-1, a+-b, 2^3, |/ 25, @ -5, ~ 5, a !~~ b, a ~* 'x'`,
  `SELECT jsonb ? 'k', j ?| array['a'], j ?& array['b'], j @? '$.a', x <-> y`,
  `SELECT e'\\\\', E'\\n\\t\\x41\\101', n'national', u&"x" UESCAPE '!'`,
  `SELECT count(*) FILTER (WHERE x > 0) OVER (PARTITION BY y ORDER BY z DESC NULLS LAST) FROM t`,
  `WITH RECURSIVE r AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 10) SELECT * FROM r;`,
  `SELECT a := 1, f(x => 2), CAST('1' AS int), interval '1 day', date '2024-01-01'`,
  `SELECT ünïcödé, "naïve", 'ça' FROM tàble`,
  `SELECT a$b, $1$2, x$ FROM t`,
  `SELECT 1--comment\n, 2/**/, 3`,
  `SELECT 'a'\n  'b', 'c' 'd', 'e'\n-- x\n'f', E'g'\n'h', X'AF'\n'1', B'1'\n'0', U&'x'\n'y', X'a''b'`,
  `SELECT +-1, *-, <=>, !=-1`,
];

describe('lexer vs libpg-query scanSync', () => {
  it.each(CORPUS)('%s', (sql) => {
    const expected = oracle(sql);
    expect(expected).not.toBeNull();
    expect(ours(sql)).toEqual(expected);
  });

  it('agrees on generated statements', () => {
    const piece = fc.constantFrom(
      'select', 'FROM', 'where', 'Foo', '"Bar"', '"a""b"', "'s'", "'it''s'", "E'\\\\n'", "E'\\''", 'U&\'d\'', "B'01'", "X'AF'",
      '$$d$$', '$t$x$t$', '1', '1.5', '.5', '1e3', '1e-3', '0x1F', '1_000', '$1', '$23', '::', ':', '(', ')', '[', ']',
      ',', ';', '.', '=', '<>', '!=', '<=', '>=', '+', '-', '*', '/', '%', '->>', '@>', '||', '/* c */', '/* a /* b */ c */',
      '-- line\n', '\n', 'int', 'text',
    );
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 20 }), fc.constantFrom(' ', '', '\n', '\t'), (parts, sep) => {
        const sql = parts.join(sep);
        const expected = oracle(sql);
        if (expected === null) return; // input the scanner itself rejects
        expect(ours(sql)).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('lexer details beyond the oracle', () => {
  const kinds = (sql: string) => tokenize(sql).map((t) => [t.text, t.kind]);
  it('ORM placeholders', () => {
    expect(kinds('a=? AND b = %s AND c = %(name)s AND d = :id AND e::int AND f[lo:hi] AND j ? k')).toEqual([
      ['a', Tok.Word], ['=', Tok.Op], ['?', Tok.Placeholder], ['AND', Tok.Word], ['b', Tok.Word], ['=', Tok.Op],
      ['%s', Tok.Placeholder], ['AND', Tok.Word], ['c', Tok.Word], ['=', Tok.Op], ['%(name)s', Tok.Placeholder],
      ['AND', Tok.Word], ['d', Tok.Word], ['=', Tok.Op], [':id', Tok.Placeholder], ['AND', Tok.Word], ['e', Tok.Word],
      ['::', Tok.Typecast], ['int', Tok.Word], ['AND', Tok.Word], ['f', Tok.Word], ['[', Tok.LBracket], ['lo', Tok.Word],
      [':', Tok.Colon], ['hi', Tok.Word], [']', Tok.RBracket], ['AND', Tok.Word], ['j', Tok.Word], ['?', Tok.Op],
      ['k', Tok.Word],
    ]);
  });
  it('placeholders after keywords and in lists', () => {
    expect(kinds('select ? from t limit ? offset ?').filter(([, k]) => k === Tok.Placeholder)).toHaveLength(3);
    expect(kinds('in (?, ?, ?)').filter(([, k]) => k === Tok.Placeholder)).toHaveLength(3);
    expect(kinds('fetch first ? rows only').map(([t]) => t)).toEqual(['fetch', 'first', '?', 'rows', 'only']);
  });
  it('unterminated constructs consume to the end and never throw', () => {
    expect(kinds("select 'abc")).toEqual([['select', Tok.Word], ["'abc", Tok.String]]);
    expect(kinds('select /* a /* b */')).toEqual([['select', Tok.Word], ['/* a /* b */', Tok.BlockComment]]);
    expect(kinds('select $x$ abc')).toEqual([['select', Tok.Word], ['$x$ abc', Tok.Dollar]]);
    expect(kinds("select E'a\\")).toEqual([['select', Tok.Word], ["E'a\\", Tok.EString]]);
    expect(kinds('select "ab')).toEqual([['select', Tok.Word], ['"ab', Tok.QIdent]]);
  });
  it('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
      const toks = tokenize(s);
      // tokens are ordered, non-overlapping and within the input
      let last = 0;
      for (const t of toks) {
        expect(t.start).toBeGreaterThanOrEqual(last);
        expect(t.end).toBeGreaterThan(t.start);
        last = t.end;
      }
      expect(last).toBeLessThanOrEqual(s.length);
    }), { numRuns: 2000 });
  });
});

describe('keyword sets', () => {
  it('match what libpg-query classifies as non-unreserved keywords', async () => {
    const { RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS, COL_NAME_KEYWORDS } = await import('../../src/sql/keywords.js');
    const kindName = (w: string) => scanSync(w).tokens[0]!.keywordName;
    for (const w of RESERVED_KEYWORDS) expect([w, kindName(w)]).toEqual([w, 'RESERVED_KEYWORD']);
    for (const w of TYPE_FUNC_NAME_KEYWORDS) expect([w, kindName(w)]).toEqual([w, 'TYPE_FUNC_NAME_KEYWORD']);
    for (const w of COL_NAME_KEYWORDS) expect([w, kindName(w)]).toEqual([w, 'COL_NAME_KEYWORD']);
    expect(RESERVED_KEYWORDS.size + TYPE_FUNC_NAME_KEYWORDS.size + COL_NAME_KEYWORDS.size).toBe(78 + 23 + 63);
    for (const w of ['users', 'name', 'type', 'key', 'value', 'data']) expect(kindName(w)).not.toMatch(/^(RESERVED|TYPE_FUNC_NAME|COL_NAME)/);
  });
});
