/** Rails format: real ActiveRecord 6.1 captures (scripts/orm/make-orm-logs.sh) and the messy forms users paste. */
import { describe, expect, it } from 'vitest';
import rails, { parseRubyBinds } from '../../src/formats/rails.js';
import { best, fixtures, PG_LINE, run } from './fixture-harness.js';

const { read, truth } = fixtures('tests/fixtures/orm/rails');

describe('rails fixtures (real ActiveRecord 6.1 + pg output)', () => {
  for (const v of ['dev', 'production', 'logfile']) {
    it(`${v}: statements and transactions equal the sql.active_record count`, () => {
      const r = run(rails, read(`${v}.log`));
      const t = truth(v);
      expect(r.skipped).toEqual([]);
      expect(r.statements.length).toBe(t.statements);
      expect(r.count('begin')).toBe(t.begin);
      expect(r.count('commit')).toBe(t.commit);
      expect(r.count('rollback')).toBe(t.rollback);
      expect(r.describe.cacheHits).toBe(t.cached);
      // one 'other' event with no SQL per request: the unit-of-work boundary
      const others = r.events.filter((e) => e.kind === 'other');
      expect(others.length).toBe(t.requests);
      expect(others.every((e) => e.sql === null && e.time !== null)).toBe(true);
      expect(r.statements.every((e) => e.durationMs !== null)).toBe(true);
      const lines = read(`${v}.log`).split('\n').slice(0, 50);
      expect(rails.sniff(lines)).toBeGreaterThan(0.8);
      expect(best(lines)).toBe('rails');
    });
  }

  it('dev: ANSI stripped, binds as positional params, ↳ call sites attached', () => {
    const text = read('dev.log');
    const r = run(rails, text);
    const loads = r.statements.filter((e) => e.sql === 'SELECT "books".* FROM "books" WHERE "books"."author_id" = $1 ORDER BY "books"."id" ASC');
    expect(loads.map((e) => e.params)).toEqual([['1'], ['2'], ['3'], ['4'], ['5']]);
    const site = /↳ (scripts\/orm\/rails\/ar_app\.rb:\d+):in `block \(2 levels\) in <main>'/.exec(text)![1];
    expect(loads.every((e) => e.callSite === site)).toBe(true);
    expect(r.statements.every((e) => e.callSite !== null && /^scripts\/orm\/rails\/ar_app\.rb:\d+$/.test(e.callSite))).toBe(true);
    const create = r.statements.find((e) => e.sql!.startsWith('INSERT INTO "reviews" ("book_id", "stars", "body") VALUES ($1, $2, $3)'))!;
    expect(create.params).toEqual(['1', '2', 'review of book 1.1']);
    expect(r.statements.some((e) => e.sql!.includes('\x1b'))).toBe(false);
    // the CACHE line is not a statement: the find(1) ran once
    expect(r.statements.filter((e) => e.sql === 'SELECT "authors".* FROM "authors" WHERE "authors"."id" = $1 LIMIT $2').length).toBe(1);
    // multi-line DDL kept whole
    expect(r.statements.find((e) => e.sql!.startsWith('CREATE TABLE "books"'))!.sql!.endsWith('\nFOREIGN KEY ("author_id")\n  REFERENCES "authors" ("id")\n)')).toBe(true);
  });

  it('production: Logger::Formatter time and pid, the request id tag as session', () => {
    const r = run(rails, read('production.log'));
    expect(r.events.every((e) => e.time !== null)).toBe(true);
    expect(r.statements[0]!.session).toMatch(/^pid:\d+$/);
    const inRequest = r.statements.filter((e) => e.sql!.startsWith('SELECT COUNT(*) FROM "books"'));
    expect(inRequest.length).toBe(5);
    expect(new Set(inRequest.map((e) => e.session)).size).toBe(1);
    expect(inRequest[0]!.session).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("logfile: Logger's '# Logfile created on …' header is skipped quietly, at the top and where a rotated file starts", () => {
    const text = read('logfile.log');
    expect(text.startsWith('# Logfile created on ')).toBe(true);
    const lines = text.split('\n');
    // two rotated files read as one stream (cat production.log.1 production.log)
    const joined = [...lines.slice(0, 40), lines[0]!, ...lines.slice(40)].join('\n');
    const r = run(rails, joined);
    expect(r.skipped).toEqual([]);
    expect(r.statements.length).toBe(43);
    expect(r.statements.length).toBe(run(rails, read('production.log')).statements.length);
  });

  it('does not claim a PostgreSQL server log line', () => {
    expect(rails.sniff([PG_LINE])).toBeLessThan(0.5);
  });
});

describe('rails snippets as users paste them (written from the log subscriber format strings)', () => {
  it('rails PR #31688: irb call sites', () => {
    const r = run(
      rails,
      `Topic Load (0.1ms)  SELECT "topics".* FROM "topics" ORDER BY "topics"."id" ASC LIMIT $1  [["LIMIT", 1]]
↳ (irb):9
Message Load (0.3ms)  SELECT "messages".* FROM "messages" WHERE "messages"."topic_id" = $1 LIMIT $2  [["topic_id", 1], ["LIMIT", 11]]
`,
    );
    expect(r.skipped).toEqual([]);
    expect(r.statements.map((e) => e.callSite)).toEqual(['(irb):9', null]);
    expect(r.statements[1]!.params).toEqual(['1', '11']);
    expect(r.statements[0]!.durationMs).toBe(0.1);
  });

  it('one space before the binds (a paste that squeezed spaces), SQLite ? placeholders', () => {
    const r = run(
      rails,
      `Article Load (0.2ms) SELECT "articles".* FROM "articles"
↳ app/views/articles/index.html.erb:4
User Load (0.4ms) SELECT "users".* FROM "users" WHERE "users"."id" IN (?, ?) [["id", 2], ["id", 1]]
`,
    );
    expect(r.statements.map((e) => e.sql)).toEqual(['SELECT "articles".* FROM "articles"', 'SELECT "users".* FROM "users" WHERE "users"."id" IN (?, ?)']);
    expect(r.statements[1]!.params).toEqual(['2', '1']);
    expect(r.statements[0]!.callSite).toBe('app/views/articles/index.html.erb:4');
  });

  it('colors with the ESC byte lost, and ←[ from a Windows console', () => {
    const r = run(
      rails,
      `  [1m[36mUser Load (0.4ms)[0m  [1m[34mSELECT "users".* FROM "users" WHERE "users"."id" = $1 LIMIT $2[0m  [["id", 7], ["LIMIT", 1]]
  ↳ app/controllers/users_controller.rb:12:in 'show'
  ←[1m←[35mTRANSACTION (0.2ms)←[0m  ←[1m←[35mBEGIN←[0m
  ←[1m←[36mUser Update (0.5ms)←[0m  ←[1m←[33mUPDATE "users" SET "name" = $1 WHERE "users"."id" = $2←[0m  [["name", "[FILTERED]"], ["id", 7]]
  ←[1m←[35mTRANSACTION (1.1ms)←[0m  ←[1m←[35mCOMMIT←[0m
`,
    );
    expect(r.skipped).toEqual([]);
    expect(r.events.map((e) => e.kind)).toEqual(['statement', 'begin', 'statement', 'commit']);
    expect(r.statements[0]!.callSite).toBe('app/controllers/users_controller.rb:12');
    expect(r.statements[0]!.params).toEqual(['7', '1']);
    expect(r.statements[1]!.params).toEqual(['[FILTERED]', '7']);
    expect(r.events[3]!.durationMs).toBe(1.1);
  });

  it('CRLF, tagged request id, a request boundary, CACHE and ASYNC lines', () => {
    const r = run(
      rails,
      '[abc-123-request-id] Started GET "/posts" for 127.0.0.1 at 2024-01-01 10:00:00 +0100\r\n' +
        '[abc-123-request-id] Processing by PostsController#index as HTML\r\n' +
        '[abc-123-request-id]   Post Load (0.3ms)  SELECT "posts".* FROM "posts"\r\n' +
        '[abc-123-request-id]   CACHE Post Load (0.0ms)  SELECT "posts".* FROM "posts"\r\n' +
        '[abc-123-request-id]   ↳ app/views/posts/index.html.erb:5\r\n' +
        '[abc-123-request-id]   ASYNC Post Count (0.0ms) (db time 0.4ms)  SELECT COUNT(*) FROM "posts"\r\n' +
        '[abc-123-request-id]   Rendered posts/index.html.erb within layouts/application (Duration: 2.3ms | Allocations: 1000)\r\n' +
        '[abc-123-request-id] Completed 200 OK in 12ms (Views: 5.0ms | ActiveRecord: 0.7ms | Allocations: 5000)\r\n',
    );
    expect(r.skipped).toEqual([]);
    expect(r.events.map((e) => e.kind)).toEqual(['other', 'statement', 'statement']);
    expect(r.events[0]!.time).toBe(Date.UTC(2024, 0, 1, 9, 0, 0));
    expect(r.events.every((e) => e.session === 'abc-123-request-id')).toBe(true);
    expect(r.statements[0]!.callSite).toBeNull(); // the ↳ belonged to the CACHE line
    expect(r.statements[1]!.durationMs).toBe(0.4);
    expect(r.describe.cacheHits).toBe(1);
  });

  it('a doubled logger (Rails 7.1 console broadcast) and old Rails unnamed BEGIN/COMMIT', () => {
    const r = run(
      rails,
      `   (0.2ms)  BEGIN
   (0.2ms)  BEGIN
  SQL (0.4ms)  INSERT INTO "users" ("name") VALUES ($1) RETURNING "id"  [["name", "a"]]
  SQL (0.4ms)  INSERT INTO "users" ("name") VALUES ($1) RETURNING "id"  [["name", "a"]]
   (0.3ms)  COMMIT
   (0.3ms)  COMMIT
`,
    );
    expect(r.events.map((e) => e.kind)).toEqual(['begin', 'statement', 'commit']);
    expect(r.statements[0]!.sql).toBe('INSERT INTO "users" ("name") VALUES ($1) RETURNING "id"');
  });

  it('Ruby inspect of binds: nil, escapes, numbers', () => {
    expect(parseRubyBinds('[["a", nil], [nil, "x\\"y\\n"], ["n", 1.5], ["b", true]]')).toEqual([null, 'x"y\n', '1.5', 'true']);
    expect(parseRubyBinds('[1, 2]')).toBeNull();
  });
});

describe('rails sniff on short pastes', () => {
  it('picks rails for the verbose-query-log gist with single spaces', () => {
    const lines = ['Article Load (0.2ms) SELECT "articles".* FROM "articles"', '↳ app/views/articles/index.html.erb:4'];
    expect(rails.sniff(lines)).toBeGreaterThan(0.8);
    expect(best(lines)).toBe('rails');
  });
});
