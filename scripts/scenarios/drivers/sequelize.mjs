// Sequelize 6 driver: lazy getters for the loops, include/bulkCreate/GROUP BY for the controls.
// The Sequelize log (logging + benchmark: `Executed (default|<tx uuid>): … Elapsed time: N ms`) goes to
// the scenario's ORM log file.
//   node scripts/scenarios/drivers/sequelize.mjs <spec.json>
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { memo, runSpec } from './common.mjs';

const require = createRequire(new URL('../../orm/node/package.json', import.meta.url));
const pg = require('pg');
const { DataTypes, Op, Sequelize, fn, col, literal } = require('sequelize');

function models(sq) {
  const opts = (tableName) => ({ tableName, timestamps: false });
  const Author = sq.define('Author', { name: DataTypes.TEXT }, opts('authors'));
  const Profile = sq.define('Profile', { author_id: DataTypes.INTEGER, bio: DataTypes.TEXT }, opts('profiles'));
  const Book = sq.define('Book', { author_id: DataTypes.INTEGER, title: DataTypes.TEXT, price: DataTypes.INTEGER, created_at: DataTypes.DATE }, opts('books'));
  const Tag = sq.define('Tag', { name: DataTypes.TEXT }, opts('tags'));
  const Tagging = sq.define('Tagging', { book_id: DataTypes.INTEGER, tag_id: DataTypes.INTEGER }, opts('taggings'));
  const Comment = sq.define('Comment', { commentable_type: DataTypes.TEXT, commentable_id: DataTypes.INTEGER, body: DataTypes.TEXT }, opts('comments'));
  const Holder = sq.define('Holder', { name: DataTypes.TEXT }, opts('holders'));
  const Series = sq.define('Series', { name: DataTypes.TEXT }, opts('series'));
  const Debenture = sq.define('Debenture', { holder_id: DataTypes.INTEGER, series_id: DataTypes.INTEGER, batch: DataTypes.INTEGER, price: DataTypes.INTEGER }, opts('debentures'));
  const Review = sq.define('Review', { book_id: DataTypes.INTEGER, stars: DataTypes.INTEGER, body: DataTypes.TEXT }, opts('reviews'));
  const Label = sq.define('Label', { name: { type: DataTypes.TEXT, unique: true } }, opts('labels'));
  Book.belongsTo(Author, { foreignKey: 'author_id', as: 'author' });
  Author.hasMany(Book, { foreignKey: 'author_id', as: 'books' });
  Author.hasOne(Profile, { foreignKey: 'author_id', as: 'profile' });
  Book.belongsToMany(Tag, { through: Tagging, foreignKey: 'book_id', otherKey: 'tag_id', as: 'tags' });
  Book.hasMany(Comment, { foreignKey: 'commentable_id', constraints: false, scope: { commentable_type: 'Book' }, as: 'comments' });
  Debenture.belongsTo(Holder, { foreignKey: 'holder_id', as: 'holder' });
  Debenture.belongsTo(Series, { foreignKey: 'series_id', as: 'series' });
  return { Author, Profile, Book, Tag, Comment, Holder, Series, Debenture, Review, Label };
}

const upTo = (k, col = 'id') => ({ where: { [col]: { [Op.lte]: k } }, order: [['id', 'ASC']] });

const POS = {
  async 'belongs-to'(M, o, c) {
    const books = await M.Book.findAll({ ...upTo(c.k), ...o });
    await c.afterParent('books');
    await c.each(books, (b) => b.getAuthor(o));
  },
  async 'identity-map-dedup'(M, o, c) {
    const books = await M.Book.findAll({ ...upTo(c.k, 'author_id'), ...o });
    await c.afterParent('books');
    const m = memo();
    await c.each(books, (b) => m(b.author_id, () => b.getAuthor(o)));
  },
  async 'has-many'(M, o, c) {
    const authors = await M.Author.findAll({ ...upTo(c.k), ...o });
    await c.afterParent('authors');
    await c.each(authors, (a) => a.getBooks(o));
  },
  async 'has-one'(M, o, c) {
    const authors = await M.Author.findAll({ ...upTo(c.k), ...o });
    await c.afterParent('authors');
    await c.each(authors, (a) => a.getProfile(o));
  },
  async 'has-many-through'(M, o, c) {
    const books = await M.Book.findAll({ ...upTo(c.k), ...o });
    await c.afterParent('books');
    await c.each(books, (b) => b.getTags(o));
  },
  async polymorphic(M, o, c) {
    const books = await M.Book.findAll({ ...upTo(c.k), ...o });
    await c.afterParent('books');
    await c.each(books, (b) => b.getComments(o));
  },
  async 'two-relations'(M, o, c) {
    const ds = await M.Debenture.findAll({ where: { batch: c.k }, order: [['id', 'ASC']], ...o });
    await c.afterParent('debentures');
    const h = memo();
    const s = memo();
    await c.each(ds, async (d) => {
      await h(d.holder_id, () => d.getHolder(o));
      await s(d.series_id, () => d.getSeries(o));
    });
  },
  async 'per-row-insert'(M, o, c) {
    const books = await M.Book.findAll({ ...upTo(c.k), ...o });
    await c.afterParent('books');
    await c.each(books, (b) => M.Review.create({ book_id: b.id, stars: 1 + (b.id % 5), body: c.tag }, o));
  },
  async 'per-row-update'(M, o, c) {
    const books = await M.Book.findAll({ ...upTo(c.k), ...o });
    await c.afterParent('books');
    await c.each(books, (b) => b.update({ price: b.price + 1 }, o));
  },
  async 'per-row-delete'(M, o, c) {
    await M.Review.bulkCreate(Array.from({ length: c.k }, (_, i) => ({ book_id: i + 1, stars: 1, body: c.tag })), o);
    const rows = await M.Review.findAll({ where: { body: c.tag }, order: [['id', 'ASC']], ...o });
    await c.afterParent('reviews');
    await c.each(rows, (r) => r.destroy(o));
  },
  async aggregate(M, o, c) {
    const authors = await M.Author.findAll({ ...upTo(c.k), ...o });
    await c.afterParent('authors');
    await c.each(authors, (a) => M.Book.count({ where: { author_id: a.id }, ...o }));
  },
  async 'latest-per-parent'(M, o, c) {
    const authors = await M.Author.findAll({ ...upTo(c.k), ...o });
    await c.afterParent('authors');
    await c.each(authors, (a) => M.Book.findOne({ where: { author_id: a.id }, order: [['created_at', 'DESC']], ...o }));
  },
  async 'get-or-create'(M, o, c) {
    const authors = await M.Author.findAll({ ...upTo(c.k), ...o });
    await c.afterParent('authors');
    await c.each(authors, (a) => M.Label.findOrCreate({ where: { name: `${c.tag}:${a.id}` }, ...o }));
  },
  async 'independent-requests'(M, o, c) {
    const a = await M.Author.findByPk(c.n + 1, o);
    await a.getBooks(o);
  },
};

const NEG = {
  'belongs-to': (M, o, c) => M.Book.findAll({ ...upTo(c.k), include: [{ model: M.Author, as: 'author' }], ...o }),
  'identity-map-dedup': (M, o, c) => M.Book.findAll({ ...upTo(c.k, 'author_id'), include: [{ model: M.Author, as: 'author' }], ...o }),
  'has-many': (M, o, c) => M.Author.findAll({ ...upTo(c.k), include: [{ model: M.Book, as: 'books', separate: true }], ...o }),
  'has-one': (M, o, c) => M.Author.findAll({ ...upTo(c.k), include: [{ model: M.Profile, as: 'profile' }], ...o }),
  'has-many-through': (M, o, c) => M.Book.findAll({ where: { id: { [Op.lte]: c.k } }, include: [{ model: M.Tag, as: 'tags' }], ...o }),
  polymorphic: (M, o, c) => M.Book.findAll({ ...upTo(c.k), include: [{ model: M.Comment, as: 'comments', separate: true }], ...o }),
  'two-relations': (M, o, c) =>
    M.Debenture.findAll({ where: { batch: c.k }, order: [['id', 'ASC']], include: [{ model: M.Holder, as: 'holder' }, { model: M.Series, as: 'series' }], ...o }),
  async 'per-row-insert'(M, o, c) {
    const books = await M.Book.findAll({ ...upTo(c.k), ...o });
    await M.Review.bulkCreate(books.map((b) => ({ book_id: b.id, stars: 1 + (b.id % 5), body: c.tag })), o);
  },
  async 'per-row-update'(M, o, c) {
    const books = await M.Book.findAll({ ...upTo(c.k), ...o });
    await M.Book.update({ price: literal('price + 1') }, { where: { id: books.map((b) => b.id) }, ...o });
  },
  async 'per-row-delete'(M, o, c) {
    await M.Review.bulkCreate(Array.from({ length: c.k }, (_, i) => ({ book_id: i + 1, stars: 1, body: c.tag })), o);
    const rows = await M.Review.findAll({ where: { body: c.tag }, ...o });
    await M.Review.destroy({ where: { id: rows.map((r) => r.id) }, ...o });
  },
  aggregate: (M, o, c) =>
    M.Book.findAll({ attributes: ['author_id', [fn('COUNT', col('id')), 'n']], where: { author_id: { [Op.lte]: c.k } }, group: ['author_id'], raw: true, ...o }),
  'latest-per-parent': (M, o, c, sq) =>
    sq.query('SELECT DISTINCT ON (author_id) author_id, id, title FROM books WHERE author_id <= $1 ORDER BY author_id, created_at DESC', { bind: [c.k], ...o }),
  async 'get-or-create'(M, o, c) {
    const names = Array.from({ length: c.k }, (_, i) => `${c.tag}:${i + 1}`);
    await M.Label.bulkCreate(names.map((name) => ({ name })), { ignoreDuplicates: true, ...o });
    await M.Label.findAll({ where: { name: names }, ...o });
  },
  'independent-requests': POS['independent-requests'],
};

await runSpec(process.argv[2], {
  async open(info, sc) {
    const log = fs.createWriteStream(sc.ormLog);
    const pooled = sc.connection === 'pool' || sc.connection === 'fanout';
    const sq = new Sequelize(info.database, info.user, '', {
      host: info.host,
      port: info.port,
      dialect: 'postgres',
      dialectModule: pg,
      dialectOptions: { application_name: sc.app },
      // what logging: console.log with benchmark: true prints
      logging: (msg, ms) => log.write(typeof ms === 'number' ? `${msg} Elapsed time: ${ms}ms\n` : msg + '\n'),
      benchmark: true,
      pool: { max: pooled ? sc.poolSize ?? 3 : 1 },
    });
    const M = models(sq);
    return {
      async run(shape, role, ctx) {
        let introspected = false;
        ctx.afterParent = async (table) => {
          if (sc.connection !== 'dedicated' || introspected) return;
          introspected = true;
          await sq.getQueryInterface().describeTable(table);
        };
        const f = (role === 'neg' ? NEG : POS)[shape];
        if (sc.connection === 'transaction') await sq.transaction((t) => f(M, { transaction: t }, ctx, sq));
        else await f(M, {}, ctx, sq);
      },
      async close() {
        await sq.close();
        await new Promise((r) => log.end(r));
      },
    };
  },
});
