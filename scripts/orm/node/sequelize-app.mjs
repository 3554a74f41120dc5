// Sequelize 6 fixture app: authors/books/reviews with planted database loops and set-based controls.
//
//   node sequelize-app.mjs <mode> <truth.json>      mode: plain | benchmark
//
// The Sequelize log goes to stdout exactly as `logging: console.log` prints it (plain), or with
// `benchmark: true, logQueryParameters: true` (benchmark). The ground truth goes to <truth.json>:
// statements counted by Sequelize's own beforeQuery hook (= what the log shows), the queries the pg
// driver really received (Sequelize also sends unlogged session setup), transactions, and the loops.
// Connection: PGHOST, PGPORT, PGUSER, PGDATABASE.
import fs from 'node:fs';
import pg from 'pg';
import { DataTypes, Sequelize } from 'sequelize';

const [mode = 'plain', truthPath = 'truth.json'] = process.argv.slice(2);
const benchmark = mode === 'benchmark';

// The driver's own count: wrap pg's Client#query before Sequelize opens a connection.
let driverQueries = 0;
const origQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(...args) {
  driverQueries++;
  return origQuery.apply(this, args);
};

const sequelize = new Sequelize(process.env.PGDATABASE ?? 'app', process.env.PGUSER ?? 'postgres', '', {
  host: process.env.PGHOST ?? '127.0.0.1',
  port: Number(process.env.PGPORT ?? 5432),
  dialect: 'postgres',
  dialectModule: pg,
  logging: console.log,
  benchmark,
  logQueryParameters: benchmark,
  pool: { max: 2 },
});

let statements = 0;
const statementTexts = [];
sequelize.addHook('beforeQuery', (options, query) => {
  statements++;
  statementTexts.push(query.sql);
});

const Author = sequelize.define('Author', { name: DataTypes.STRING });
const Book = sequelize.define('Book', { title: DataTypes.STRING, year: DataTypes.INTEGER });
const Review = sequelize.define('Review', { stars: DataTypes.INTEGER, body: DataTypes.TEXT });
Author.hasMany(Book, { foreignKey: 'authorId' });
Book.belongsTo(Author, { foreignKey: 'authorId' });
Book.hasMany(Review, { foreignKey: 'bookId' });
Review.belongsTo(Book, { foreignKey: 'bookId' });

const planted = [];
const controls = [];
const transactions = { committed: 0, rolledBack: 0 };

await sequelize.sync({ force: true });

// Seed set-based: one multi-row INSERT per table.
const authors = await Author.bulkCreate(['Le Guin', 'Pratchett', 'Jemisin', 'Banks', 'Butler'].map((name) => ({ name })));
const bookRows = [];
authors.forEach((a, i) => {
  for (let k = 1; k <= 3; k++) bookRows.push({ title: `${a.name} ${k}`, year: 1980 + i * 3 + k, authorId: a.id });
});
const books = await Book.bulkCreate(bookRows);
const reviewRows = [];
books.forEach((b) => {
  for (let k = 1; k <= 2; k++) reviewRows.push({ stars: 1 + ((b.id + k) % 5), body: `review ${k} of ${b.title}`, bookId: b.id });
});
await Review.bulkCreate(reviewRows);
controls.push({ kind: 'per-row-insert', table: 'Authors', note: 'bulkCreate: one INSERT' });

// Planted N+1: lazy-load each author's books in a loop.
const list = await Author.findAll();
for (const a of list) await a.getBooks();
planted.push({ kind: 'n-plus-one', table: 'Books', parentTable: 'Authors', repeats: list.length });
// Control: eager loading, one JOIN.
await Author.findAll({ include: Book });
controls.push({ kind: 'n-plus-one', table: 'Books', note: 'include: one LEFT OUTER JOIN' });

// Planted aggregate loop: count reviews per book.
const allBooks = await Book.findAll();
for (const b of allBooks) await Review.count({ where: { bookId: b.id } });
planted.push({ kind: 'aggregate-loop', table: 'Reviews', parentTable: 'Books', repeats: allBooks.length });
// Control: one GROUP BY.
await Review.findAll({ attributes: ['bookId', [sequelize.fn('COUNT', sequelize.col('id')), 'n']], group: ['bookId'], raw: true });
controls.push({ kind: 'aggregate-loop', table: 'Reviews', note: 'GROUP BY bookId' });

// Planted per-row inserts.
for (let i = 0; i < 10; i++) await Review.create({ stars: 5, body: `loop review ${i}`, bookId: allBooks[i % allBooks.length].id });
planted.push({ kind: 'per-row-insert', table: 'Reviews', repeats: 10 });
// Control: bulkCreate.
await Review.bulkCreate(Array.from({ length: 10 }, (_, i) => ({ stars: 4, body: `bulk review ${i}`, bookId: allBooks[i % allBooks.length].id })));
controls.push({ kind: 'per-row-insert', table: 'Reviews', note: 'bulkCreate: one INSERT' });

// Planted per-row updates, inside one managed transaction (the log shows its connection uuid).
await sequelize.transaction(async (t) => {
  for (const b of allBooks) await b.update({ year: b.year + 1 }, { transaction: t });
});
transactions.committed++;
planted.push({ kind: 'per-row-update', table: 'Books', repeats: allBooks.length, inTransaction: true });
// Control: one UPDATE … WHERE id IN (…).
await Book.update({ year: 2001 }, { where: { id: allBooks.map((b) => b.id) } });
controls.push({ kind: 'per-row-update', table: 'Books', note: 'one UPDATE … WHERE id IN (…)' });

// A transaction that fails and rolls back.
try {
  await sequelize.transaction(async (t) => {
    await Author.create({ name: 'Nobody' }, { transaction: t });
    throw new Error('planned rollback');
  });
} catch {
  transactions.rolledBack++;
}

await sequelize.close();
const truth = {
  orm: 'sequelize',
  version: JSON.parse(fs.readFileSync(new URL('./node_modules/sequelize/package.json', import.meta.url), 'utf8')).version,
  mode,
  options: { logging: 'console.log', benchmark, logQueryParameters: benchmark },
  statements,
  statementsNote: 'counted by the beforeQuery hook, so equal to the Executing/Executed lines (START TRANSACTION/COMMIT/ROLLBACK included)',
  driverQueries,
  driverQueriesNote: 'pg Client#query calls, including per-connection session setup that Sequelize does not log',
  transactions,
  planted,
  controls,
};
fs.writeFileSync(truthPath, JSON.stringify(truth, null, 2) + '\n');
