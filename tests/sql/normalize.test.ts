/** normalize(): templates, constants, tags, placeholder sources and collapsed lists, checked exactly. */
import { describe, expect, it } from 'vitest';
import { fingerprint, fingerprintId, normalize, rewritePlaceholders, FINGERPRINT_ALGORITHM } from '../../src/sql/index.js';

describe('normalize', () => {
  it('replaces constants in order and unescapes them', () => {
    const r = normalize("SELECT * FROM users WHERE name = 'O''Brien' AND age > 30 AND note = E'a\\'b\\n' AND d = $x$ y $x$");
    expect(r.template).toBe('select * from users where name = $1 and age > $2 and note = $3 and d = $4');
    expect(r.constants).toEqual(["O'Brien", '30', "a'b\n", ' y ']);
    expect(r.tags).toBeNull();
    expect(r.paramSources).toBeNull();
    expect(r.lists).toBeNull();
  });

  it('joins continued string literals', () => {
    expect(normalize("select 'a'\n  'b'").constants).toEqual(['ab']);
    expect(normalize("select E'x\\n'\n'y'").constants).toEqual(['x\ny']);
  });

  it('decodes U& strings and keeps B/X bodies', () => {
    expect(normalize("select U&'d\\0061t\\+000061', B'0101', X'1F'").constants).toEqual(['data', '0101', '1F']);
  });

  it('keeps sqlcommenter and Rails tags, drops other comments', () => {
    const r = normalize(
      "SELECT 1 /*controller='posts',action='index',route='%2Fposts%2F%3Aid'*/ -- trailing\n/* plain prose */",
    );
    expect(r.template).toBe('select $1');
    expect(r.tags).toEqual({ controller: 'posts', action: 'index', route: '/posts/:id' });
    expect(normalize('SELECT 1 /*application:Blog,controller:posts,action:show*/').tags).toEqual({
      application: 'Blog',
      controller: 'posts',
      action: 'show',
    });
    expect(normalize('SELECT 1 /* fetch the users */').tags).toBeNull();
  });

  it('collapses IN lists to = any($n) with an array literal constant and every item in lists', () => {
    const r = normalize("select * from t where id in (1, 2, 3) and s not in ('a', 'b c')");
    expect(r.template).toBe('select * from t where id = any($1) and s <> all($2)');
    expect(r.constants).toEqual(['{1,2,3}', '{a,"b c"}']);
    expect(r.lists).toEqual([
      { param: 1, values: ['1', '2', '3'] },
      { param: 2, values: ['a', 'b c'] },
    ]);
  });

  it('maps placeholders back to their sources', () => {
    const r = normalize('select * from t where a = $2 and b = $1 and c = $2 and d in ($3, $4)');
    expect(r.template).toBe('select * from t where a = $1 and b = $2 and c = $1 and d = any($3)');
    expect(r.constants).toEqual([null, null, null]);
    expect(r.paramSources).toEqual([[2], [1], [3, 4]]);
    const o = normalize('select * from t where a = %(id)s and b = :name and c = ? and d = %s and e = %(id)s');
    expect(o.template).toBe('select * from t where a = $1 and b = $2 and c = $3 and d = $4 and e = $1');
    expect(o.paramSources).toEqual([['id'], ['name'], [1], [2]]);
  });

  it('collapses multi-row VALUES, one parameter per column', () => {
    const r = normalize("INSERT INTO t (a, b, c) VALUES (1, 'x', DEFAULT), (2, NULL, DEFAULT);");
    expect(r.template).toBe('insert into t (a, b, c) values ($1, $2, default)');
    expect(r.constants).toEqual(['{1,2}', '{x,NULL}']);
    expect(r.lists).toEqual([
      { param: 1, values: ['1', '2'] },
      { param: 2, values: ['x', null] },
    ]);
  });

  it('is never thrown off by unterminated input', () => {
    expect(normalize("select 'abc").template).toBe('select $1');
    expect(normalize('select 1 /* open').template).toBe('select $1');
    expect(normalize('select "Open').template).toBe('select "Open');
  });

  it('keeps non-ASCII identifiers intact', () => {
    expect(normalize("SELECT Ünï, \"naïve\" FROM tàble WHERE x = 'ça'").template).toBe('select Ünï, "naïve" from tàble where x = $1');
  });
});

describe('rewritePlaceholders', () => {
  it('rewrites every ORM style and leaves strings, identifiers, comments and casts alone', () => {
    expect(rewritePlaceholders("select * from t where a = ? and b = '?' and \"c?\" = %s and d = %(x)s and e::int = :e and f = %(x)s /* :no */ and g LIKE 'a%%'")).toBe(
      "select * from t where a = $1 and b = '?' and \"c?\" = $2 and d = $3 and e::int = $4 and f = $3 /* :no */ and g LIKE 'a%%'",
    );
    expect(rewritePlaceholders('select a %% b, c from t where x = %s')).toBe('select a % b, c from t where x = $1');
    expect(rewritePlaceholders('select $1, ?')).toBe('select $1, $2');
    expect(rewritePlaceholders('select 1')).toBe('select 1');
  });
});

describe('fingerprint', () => {
  it('is a 16-hex-digit hash of the template with a versioned algorithm', () => {
    const f = fingerprint('SELECT * FROM users WHERE id = 42');
    expect(f).toEqual({ template: 'select * from users where id = $1', fingerprint: fingerprintId('select * from users where id = $1') });
    expect(f.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(FINGERPRINT_ALGORITHM).toBe('sqloupe-fp/1');
  });
});
