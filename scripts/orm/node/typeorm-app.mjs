// TypeORM 0.3 fixture app: authors/books/reviews with planted database loops and set-based controls.
//
//   node typeorm-app.mjs <mode> <truth.json> [file-log-path]     mode: console | file
//
// console: `logging: true` (the default advanced-console logger) prints `query: … -- PARAMETERS: […]` to stdout.
// file:    `logger: 'file'` writes `[ISO time][QUERY]: …` lines with CRLF ends to [file-log-path].
// Both set maxQueryExecutionTime so one deliberately slow statement logs "query is slow", and one
// statement fails on purpose ("query failed" + "error"). Ground truth (statements counted by TypeORM's
// own beforeQuery subscriber hook, transactions, planted loops) goes to <truth.json>.
// Connection: PGHOST, PGPORT, PGUSER, PGDATABASE.
import fs from 'node:fs';
import path from 'node:path';
import 'reflect-metadata';
import pg from 'pg';
import { DataSource, EntitySchema, EventSubscriber, FileLogger, In } from 'typeorm';

const [mode = 'console', truthPath = 'truth.json', fileLog = 'typeorm-file.log'] = process.argv.slice(2);

const Author = new EntitySchema({
  name: 'Author',
  tableName: 'author',
  columns: { id: { type: Number, primary: true, generated: true }, name: { type: String } },
  relations: { books: { type: 'one-to-many', target: 'Book', inverseSide: 'author' } },
});
const Book = new EntitySchema({
  name: 'Book',
  tableName: 'book',
  columns: { id: { type: Number, primary: true, generated: true }, title: { type: String }, year: { type: Number } },
  relations: {
    author: { type: 'many-to-one', target: 'Author', joinColumn: { name: 'authorId' }, inverseSide: 'books' },
    reviews: { type: 'one-to-many', target: 'Review', inverseSide: 'book' },
  },
});
const Review = new EntitySchema({
  name: 'Review',
  tableName: 'review',
  columns: { id: { type: Number, primary: true, generated: true }, stars: { type: Number }, body: { type: String } },
  relations: { book: { type: 'many-to-one', target: 'Book', joinColumn: { name: 'bookId' }, inverseSide: 'reviews' } },
});

// The driver's own count: TypeORM loads this same pg module, so wrapping Client#query sees every statement,
// including the two TypeORM runs while connecting (SELECT version(), current_schema()) before subscribers exist.
let driverQueries = 0;
const origQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(...args) {
  driverQueries++;
  return origQuery.apply(this, args);
};

let hookStatements = 0;
let begins = 0;
let commits = 0;
let rollbacks = 0;
class CountQueries {
  beforeQuery(event) {
    hookStatements++;
    const q = event.query.trim().toUpperCase();
    if (q === 'START TRANSACTION' || q.startsWith('BEGIN')) begins++;
    else if (q === 'COMMIT') commits++;
    else if (q === 'ROLLBACK') rollbacks++;
  }
}
// What the @EventSubscriber() decorator does; TypeORM only calls registered subscriber classes.
EventSubscriber()(CountQueries);

const ds = new DataSource({
  type: 'postgres',
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  username: process.env.PGUSER ?? 'postgres',
  database: process.env.PGDATABASE ?? 'app',
  entities: [Author, Book, Review],
  subscribers: [CountQueries],
  synchronize: false,
  dropSchema: false,
  logging: true,
  logger: mode === 'file' ? 'file' : 'advanced-console',
  maxQueryExecutionTime: 40,
  extra: { max: 2 },
});
if (mode === 'file') {
  // The file logger resolves logPath under the app root (this folder); point it at the requested file.
  ds.logger = new FileLogger(true, { logPath: path.relative(process.cwd(), path.resolve(fileLog)) });
}

await ds.initialize();
// Schema with explicit DDL so the log shows what a migration would run.
await ds.query('DROP TABLE IF EXISTS review, book, author');
await ds.query('CREATE TABLE author (id serial PRIMARY KEY, name text NOT NULL)');
await ds.query('CREATE TABLE book (id serial PRIMARY KEY, title text NOT NULL, year int NOT NULL, "authorId" int REFERENCES author(id))');
await ds.query('CREATE TABLE review (id serial PRIMARY KEY, stars int NOT NULL, body text NOT NULL, "bookId" int REFERENCES book(id))');

const authors = ds.getRepository('Author');
const books = ds.getRepository('Book');
const reviews = ds.getRepository('Review');
const planted = [];
const controls = [];

// Seed set-based: one multi-row INSERT per table.
const a = await authors.insert(['Le Guin', 'Pratchett', 'Jemisin', 'Banks', 'Butler'].map((name) => ({ name })));
const authorIds = a.identifiers.map((x) => x.id);
const bookRows = [];
authorIds.forEach((id, i) => {
  for (let k = 1; k <= 3; k++) bookRows.push({ title: `Book ${id}.${k}`, year: 1980 + i * 3 + k, author: { id } });
});
const b = await books.insert(bookRows);
const bookIds = b.identifiers.map((x) => x.id);
await reviews.insert(bookIds.flatMap((id) => [1, 2].map((k) => ({ stars: 1 + ((id + k) % 5), body: `review ${k}`, book: { id } }))));
controls.push({ kind: 'per-row-insert', table: 'author', note: 'repository.insert([…]): one INSERT' });

// Planted N+1: load each author's books in a loop.
const list = await authors.find();
for (const au of list) await books.find({ where: { author: { id: au.id } } });
planted.push({ kind: 'n-plus-one', table: 'book', parentTable: 'author', repeats: list.length });
// Controls: relations and leftJoinAndSelect, one JOIN each.
await authors.find({ relations: { books: true } });
await authors.createQueryBuilder('a').leftJoinAndSelect('a.books', 'b').getMany();
controls.push({ kind: 'n-plus-one', table: 'book', note: 'relations / leftJoinAndSelect' });

// Planted aggregate loop: count reviews per book.
const allBooks = await books.find();
for (const bk of allBooks) await reviews.count({ where: { book: { id: bk.id } } });
planted.push({ kind: 'aggregate-loop', table: 'review', parentTable: 'book', repeats: allBooks.length });
await reviews.createQueryBuilder('r').select('r."bookId"', 'bookId').addSelect('COUNT(*)', 'n').groupBy('r."bookId"').getRawMany();
controls.push({ kind: 'aggregate-loop', table: 'review', note: 'GROUP BY bookId' });

// Planted per-row inserts: repository.save() per row (TypeORM wraps each save in its own transaction).
for (let i = 0; i < 10; i++) await reviews.save({ stars: 5, body: `loop review ${i}`, book: { id: allBooks[i % allBooks.length].id } });
planted.push({ kind: 'per-row-insert', table: 'review', repeats: 10, note: 'each save() is START TRANSACTION / INSERT / COMMIT' });
await reviews.insert(Array.from({ length: 10 }, (_, i) => ({ stars: 4, body: `bulk review ${i}`, book: { id: allBooks[i % allBooks.length].id } })));
controls.push({ kind: 'per-row-insert', table: 'review', note: 'insert([…]): one INSERT' });

// Planted per-row updates.
for (const bk of allBooks) await books.update(bk.id, { year: bk.year + 1 });
planted.push({ kind: 'per-row-update', table: 'book', repeats: allBooks.length });
await books.update({ id: In(allBooks.map((x) => x.id)) }, { year: 2001 });
controls.push({ kind: 'per-row-update', table: 'book', note: 'one UPDATE … WHERE id IN (…)' });

// One slow statement (logged as "query is slow") and one failing statement ("query failed").
await ds.query('SELECT pg_sleep(0.06)');
try {
  await ds.query('SELECT * FROM missing_table WHERE id = $1', [1]);
} catch {
  /* expected */
}
// A transaction that rolls back.
try {
  await ds.transaction(async (m) => {
    await m.getRepository('Author').insert({ name: 'Nobody' });
    throw new Error('planned rollback');
  });
} catch {
  /* expected */
}

await ds.destroy();
const truth = {
  orm: 'typeorm',
  version: JSON.parse(fs.readFileSync(new URL('./node_modules/typeorm/package.json', import.meta.url), 'utf8')).version,
  mode,
  options: { logging: true, logger: mode === 'file' ? 'file' : 'advanced-console', maxQueryExecutionTime: 40 },
  statements: driverQueries,
  statementsNote: 'pg Client#query calls: every `query:` line (the failed one included, it was sent)',
  hookStatements,
  hookStatementsNote: 'the beforeQuery subscriber misses the queries TypeORM runs while connecting, before subscribers are built',
  transactions: { begins, commits, rollbacks },
  slowStatements: 1,
  failedStatements: 1,
  planted,
  controls,
};
fs.writeFileSync(truthPath, JSON.stringify(truth, null, 2) + '\n');
