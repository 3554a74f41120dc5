/** Auto-detection across the registry: each Sequelize/TypeORM/Prisma/Hibernate/GORM fixture is claimed by its own format. */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formats } from '../../src/formats/index.js';
import { PG_SERVER_LINE, firstLines } from './orm-js-harness.js';

const mine = ['gorm', 'hibernate', 'prisma', 'sequelize', 'typeorm'];

describe('sniff picks the ORM format for its fixtures', () => {
  for (const id of mine) {
    const dir = `tests/fixtures/orm/${id}`;
    for (const file of readdirSync(dir).filter((f) => (f.endsWith('.log') || f.endsWith('.jsonl')) && !f.endsWith('.server.log'))) {
      it(`${id}/${file}`, () => {
        const lines = firstLines(`${dir}/${file}`);
        const scores = formats.map((f) => [f.id, f.sniff(lines)] as const).sort((a, b) => b[1] - a[1]);
        expect(scores[0]![0]).toBe(id);
        const second = scores[1];
        if (second !== undefined) expect(second[1]).toBeLessThan(scores[0]![1]);
      });
    }
  }

  for (const id of ['sequelize', 'typeorm']) {
    const dir = `tests/fixtures/orm/${id}`;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.server.log'))) {
      it(`${id}/${file} (PostgreSQL's log of the same run) is not taken for an ORM log`, () => {
        const lines = firstLines(`${dir}/${file}`);
        for (const f of formats.filter((x) => mine.includes(x.id))) expect(f.sniff(lines), f.id).toBeLessThan(0.5);
      });
    }
  }

  it('none of them claims a PostgreSQL server log line', () => {
    for (const f of formats.filter((x) => mine.includes(x.id))) expect(f.sniff([PG_SERVER_LINE]), f.id).toBeLessThan(0.5);
  });
});
