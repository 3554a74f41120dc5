/** The ORM fixture logs' rewrites prepared against each fixture app's bookshop schema, in its own naming. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { draftsOf, repoRoot, startDb, type Db } from './support.js';

let db: Db;
beforeAll(async () => {
  db = await startDb();
}, 180_000);
afterAll(async () => {
  await db?.stop();
});

/** authors / books / reviews as each ORM names them (tables, foreign keys, timestamps), from the fixture apps' statements. */
const SNAKE = (extra: string) => `
  CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL${extra});
  CREATE TABLE books (id serial PRIMARY KEY, author_id integer REFERENCES authors(id), title text, year integer${extra});
  CREATE TABLE reviews (id serial PRIMARY KEY, book_id integer REFERENCES books(id), stars integer, body text${extra});`;
const CAMEL = (a: string, b: string, r: string, extra: string) => `
  CREATE TABLE "${a}" (id serial PRIMARY KEY, name text NOT NULL${extra});
  CREATE TABLE "${b}" (id serial PRIMARY KEY, "authorId" integer REFERENCES "${a}"(id), title text, year integer${extra});
  CREATE TABLE "${r}" (id serial PRIMARY KEY, "bookId" integer REFERENCES "${b}"(id), stars integer, body text${extra});`;
const SCHEMAS: Record<string, string> = {
  django: SNAKE(''),
  sqlalchemy: SNAKE(''),
  rails: SNAKE(', created_at timestamp(6), updated_at timestamp(6)'),
  gorm: SNAKE(', created_at timestamptz, updated_at timestamptz, deleted_at timestamptz'),
  hibernate: `
    CREATE TABLE author (id bigint PRIMARY KEY, name text);
    CREATE TABLE book (id bigint PRIMARY KEY, author_id bigint REFERENCES author(id), title text, year integer);
    CREATE TABLE review (id bigint PRIMARY KEY, book_id bigint REFERENCES book(id), stars integer, body text);`,
  typeorm: CAMEL('author', 'book', 'review', ''),
  sequelize: CAMEL('Authors', 'Books', 'Reviews', ', "createdAt" timestamptz, "updatedAt" timestamptz'),
  prisma: CAMEL('Author', 'Book', 'Review', ''),
};

describe('ORM fixture rewrites prepare against the app schema', () => {
  const root = path.join(repoRoot, 'tests/fixtures/orm');
  for (const orm of readdirSync(root)) {
    it(orm, async () => {
      // Prisma names public."Book" itself; the others find their tables through search_path
      const schema = orm === 'prisma' ? 'public' : `orm_${orm}`;
      if (schema !== 'public') await db.client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await db.client.query(`SET search_path TO ${schema}`);
      await db.client.query(SCHEMAS[orm]!);
      let checked = 0;
      try {
        for (const f of readdirSync(path.join(root, orm)).filter((x) => /\.(log|jsonl)$/.test(x))) {
          const { result } = await draftsOf(path.join(root, orm, f));
          for (const finding of result.findings) {
            const use = finding.suggestion?.use;
            // setup noise (version and catalog queries) is not the app's loop
            if (finding.tables.every((t) => t.startsWith('pg_') || t.startsWith('information_schema'))) continue;
            expect(use, `${f} ${finding.kind} ${finding.template}`).toBeTruthy();
            for (const m of use!.split(';\n')) {
              await db.client.query(`PREPARE rw AS ${m}`);
              await db.client.query('DEALLOCATE rw');
              checked++;
            }
          }
        }
      } finally {
        await db.client.query('SET search_path TO public');
      }
      expect(checked).toBeGreaterThan(0);
    }, 60_000);
  }
});
