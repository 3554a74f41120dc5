/** Short log excerpts users published in issue threads, run through the ORM formats as pasted (source in each case's name). */
import { describe, expect, it } from 'vitest';
import gorm from '../../src/formats/gorm.js';
import hibernate from '../../src/formats/hibernate.js';
import prisma from '../../src/formats/prisma.js';
import sequelize from '../../src/formats/sequelize.js';
import typeorm from '../../src/formats/typeorm.js';
import { runFormat } from './orm-js-harness.js';

describe('published Sequelize logs', () => {
  it('sequelize/sequelize#4342: two transactions interleaved; the one without work goes on the file stream at its COMMIT, the open one on its own session', () => {
    const text = [
      'Executing (630caa2b-0b52-4bdd-80dd-27d9c707a256): START TRANSACTION;',
      'Executing (e928bd92-4407-4623-b851-2003d1222719): START TRANSACTION;',
      'Executing (630caa2b-0b52-4bdd-80dd-27d9c707a256): SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ;',
      'Executing (e928bd92-4407-4623-b851-2003d1222719): SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ;',
      "Executing (630caa2b-0b52-4bdd-80dd-27d9c707a256): SELECT `id` FROM `AccountTokens` AS `AccountTokens` WHERE `AccountTokens`.`twitterId` = '24596994' LIMIT 1;",
      'Executing (630caa2b-0b52-4bdd-80dd-27d9c707a256): SAVEPOINT `630caa2b-0b52-4bdd-80dd-27d9c707a256-savepoint-1`;',
      'Executing (e928bd92-4407-4623-b851-2003d1222719): COMMIT;',
    ].join('\n');
    const r = runFormat(sequelize, text);
    expect(r.events.map((e) => [e.kind, e.session.slice(0, 4), e.tx?.slice(0, 4)])).toEqual([
      ['begin', 'test', 'e928'],
      ['statement', 'test', 'e928'],
      ['commit', 'test', 'e928'],
      // never committed in the excerpt: its statements as they were, on the transaction's own session
      ['begin', '630c', '630c'],
      ['statement', '630c', '630c'],
      ['statement', '630c', '630c'],
      ['statement', '630c', '630c'],
    ]);
  });

  it('sequelize/sequelize#1405: a (default) query between transaction statements', () => {
    const text = [
      'Executing (d5316d08-d28a-4b12-94a4-026b80821f12): START TRANSACTION;',
      `Executing (default): SELECT * FROM "Users" WHERE "Users"."primaryEmailAddress"='test@mailhop.co.uk' LIMIT 1;`,
      'Executing (d5316d08-d28a-4b12-94a4-026b80821f12): COMMIT;',
    ].join('\n');
    const r = runFormat(sequelize, text);
    // the (default) query runs outside the transaction: it is passed on first, the transaction whole at its COMMIT
    expect(r.events.map((e) => [e.kind, e.tx])).toEqual([
      ['statement', null],
      ['begin', 'd5316d08-d28a-4b12-94a4-026b80821f12'],
      ['commit', 'd5316d08-d28a-4b12-94a4-026b80821f12'],
    ]);
  });

  it("sequelize/sequelize#5146: an upsert function whose dollar-quoted body holds ';'", () => {
    const sql =
      'CREATE OR REPLACE FUNCTION pg_temp.testfunc(OUT response "Sessions", OUT sequelize_caught_exception text) RETURNS RECORD AS $func_eed27a27$ BEGIN INSERT INTO "Sessions" ("sid") VALUES ($1) RETURNING * INTO response; END $func_eed27a27$ LANGUAGE plpgsql;';
    const r = runFormat(sequelize, `Executing (default): ${sql} "jmm3E8ZX"`);
    expect(r.statements[0]!.sql).toBe(sql);
    expect(r.statements[0]!.params).toEqual(['jmm3E8ZX']);
  });
});

describe('published TypeORM logs', () => {
  it('doug-martin/nestjs-query#356: an N+1 with parameters', () => {
    const text = [
      'query: SELECT "TodoItemEntity"."id" AS "TodoItemEntity_id", "TodoItemEntity"."userId" AS "TodoItemEntity_userId" FROM "todo_item_entity" "TodoItemEntity" LIMIT 11',
      'query: SELECT "user"."id" AS "user_id", "user"."name" AS "user_name" FROM "user_entity" "user" INNER JOIN "todo_item_entity" "TodoItemEntity" ON "TodoItemEntity"."userId" = "user"."id" WHERE ("TodoItemEntity"."id" = $1) LIMIT 1 -- PARAMETERS: [1]',
      'query: SELECT "user"."id" AS "user_id", "user"."name" AS "user_name" FROM "user_entity" "user" INNER JOIN "todo_item_entity" "TodoItemEntity" ON "TodoItemEntity"."userId" = "user"."id" WHERE ("TodoItemEntity"."id" = $1) LIMIT 1 -- PARAMETERS: [3]',
    ].join('\n');
    const r = runFormat(typeorm, text);
    expect(r.statements.map((e) => e.params)).toEqual([null, ['1'], ['3']]);
    expect(r.statements[1]!.sql).toBe(r.statements[2]!.sql);
  });
});

describe('published Prisma logs', () => {
  it('harblaith7/GraphQL-Course-Udemy#5: stdout lines behind a `concurrently` [0] prefix', () => {
    const r = runFormat(prisma, '[0] prisma:query SELECT "public"."Post"."id", "public"."Post"."authorId" FROM "public"."Post" WHERE 1=1 OFFSET $1');
    expect(r.statements.map((e) => e.sql)).toEqual(['SELECT "public"."Post"."id", "public"."Post"."authorId" FROM "public"."Post" WHERE 1=1 OFFSET $1']);
  });

  it('prisma/prisma#2108: blank lines between queries and the result printed after them', () => {
    const text = [
      'prisma:query SELECT `dev`.`Post`.`id`, `dev`.`Post`.`authorId` FROM `dev`.`Post` WHERE 1=1 LIMIT ? OFFSET ?',
      '',
      'prisma:query SELECT `dev`.`User`.`id`, `dev`.`User`.`email` FROM `dev`.`User` WHERE `dev`.`User`.`id` IN (?) LIMIT ? OFFSET ?',
      '',
      '[',
      '  {',
      '    id: 1,',
    ].join('\n');
    const r = runFormat(prisma, text);
    expect(r.statements.length).toBe(2);
    expect(r.skipped.length).toBe(3);
  });
});

describe('published Hibernate logs', () => {
  it('woowacourse-teams/2023-diggin-room#417: show_sql + format_sql, Spring Boot 2 BasicBinder line', () => {
    const text = [
      'Hibernate: ',
      '    select',
      '        ordertable0_.id as id1_5_0_,',
      '        tablegroup1_.created_date as created_2_7_1_ ',
      '    from',
      '        order_table ordertable0_ ',
      '    left outer join',
      '        table_group tablegroup1_ ',
      '            on ordertable0_.table_group_id=tablegroup1_.id ',
      '    where',
      '        ordertable0_.id=?',
      '2023-10-24 14:18:22.765 TRACE 66299 --- [    Test worker] o.h.type.descriptor.sql.BasicBinder      : binding parameter [1] as [BIGINT] - [9]',
    ].join('\n');
    const r = runFormat(hibernate, text);
    expect(r.statements.length).toBe(1);
    expect(r.statements[0]!.params).toEqual(['9']);
    expect(r.statements[0]!.session).toBe('Test worker');
    expect(r.statements[0]!.sql!.endsWith('ordertable0_.id=?')).toBe(true);
  });

  it('quarkusio/quarkus#16885: a blank line before the Quarkus bind line', () => {
    const text = [
      'Hibernate: ',
      '    select',
      '        fruit0_.id as id1_0_0_,',
      '        fruit0_.name as name2_0_0_ ',
      '    from',
      '        known_fruits fruit0_ ',
      '    where',
      '        fruit0_.id=?',
      '',
      '2022-05-29 19:13:41,584 TRACE [org.hib.typ.des.sql.BasicBinder] (executor-thread-0) binding parameter [1] as [INTEGER] - [1]',
    ].join('\n');
    const r = runFormat(hibernate, text);
    expect(r.statements.map((e) => [e.session, e.params])).toEqual([['executor-thread-0', ['1']]]);
  });
});

describe('published GORM logs', () => {
  it('prior-art B8 (cloud.tencent.com article): SLOW SQL header with two trace lines', () => {
    const text = [
      '2021/05/14 11:36:28 /home/ballqiu/go/gorm/mydb.go:98 SLOW SQL >= 1ms',
      "[2.996ms] [rows:1] INSERT INTO `User` (`name`,`age`,`is_admin`,`is_valid`,`login_time`) VALUES ('ball',0,true,false,'2021-05-14 11:36:28.436')",
      '[0.773ms] [rows:1] SELECT * FROM `User` WHERE ID = 52 ORDER BY `User`.`id` LIMIT 1',
    ].join('\n');
    const r = runFormat(gorm, text);
    expect(r.statements.map((e) => [e.durationMs, e.rows])).toEqual([
      [2.996, 1],
      [0.773, 1],
    ]);
  });
});
