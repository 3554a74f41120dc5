// TypeORM 0.3 driver: the relation query builder (`relation(…).of(entity).loadOne/loadMany`) and
// repository calls in the loops; `relations`, `In(…)`, GROUP BY, orIgnore() for the controls.
// TypeORM's file logger (`[ISO time][QUERY]: … -- PARAMETERS: […]`) writes the scenario's ORM log.
//   node scripts/scenarios/drivers/typeorm.mjs <spec.json>
import { createRequire } from 'node:module';
import path from 'node:path';
import { memo, runSpec } from './common.mjs';

const require = createRequire(new URL('../../orm/node/package.json', import.meta.url));
require('reflect-metadata');
const { DataSource, EntitySchema, FileLogger, In, LessThanOrEqual } = require('typeorm');

const col = (type) => ({ type });
const id = { type: Number, primary: true, generated: true };
const E = {
  Author: new EntitySchema({
    name: 'Author', tableName: 'authors', columns: { id, name: col(String) },
    relations: {
      books: { type: 'one-to-many', target: 'Book', inverseSide: 'author' },
      profile: { type: 'one-to-one', target: 'Profile', inverseSide: 'author' },
    },
  }),
  Profile: new EntitySchema({
    name: 'Profile', tableName: 'profiles', columns: { id, author_id: col(Number), bio: col(String) },
    relations: { author: { type: 'one-to-one', target: 'Author', joinColumn: { name: 'author_id' }, inverseSide: 'profile' } },
  }),
  Book: new EntitySchema({
    name: 'Book', tableName: 'books', columns: { id, author_id: col(Number), title: col(String), price: col(Number), created_at: { type: 'timestamptz' } },
    relations: {
      author: { type: 'many-to-one', target: 'Author', joinColumn: { name: 'author_id' }, inverseSide: 'books' },
      tags: { type: 'many-to-many', target: 'Tag', joinTable: { name: 'taggings', joinColumn: { name: 'book_id' }, inverseJoinColumn: { name: 'tag_id' } } },
    },
  }),
  Tag: new EntitySchema({ name: 'Tag', tableName: 'tags', columns: { id, name: col(String) } }),
  Comment: new EntitySchema({ name: 'Comment', tableName: 'comments', columns: { id, commentable_type: col(String), commentable_id: col(Number), body: col(String) } }),
  Holder: new EntitySchema({ name: 'Holder', tableName: 'holders', columns: { id, name: col(String) } }),
  Series: new EntitySchema({ name: 'Series', tableName: 'series', columns: { id, name: col(String) } }),
  Debenture: new EntitySchema({
    name: 'Debenture', tableName: 'debentures', columns: { id, holder_id: col(Number), series_id: col(Number), batch: col(Number), price: col(Number) },
    relations: {
      holder: { type: 'many-to-one', target: 'Holder', joinColumn: { name: 'holder_id' } },
      series: { type: 'many-to-one', target: 'Series', joinColumn: { name: 'series_id' } },
    },
  }),
  Review: new EntitySchema({ name: 'Review', tableName: 'reviews', columns: { id, book_id: col(Number), stars: col(Number), body: col(String) } }),
  Label: new EntitySchema({ name: 'Label', tableName: 'labels', columns: { id, name: col(String) } }),
};

const upTo = (k, c = 'id') => ({ where: { [c]: LessThanOrEqual(k) }, order: { id: 'ASC' } });
const rel = (m, entity, name, of) => m.createQueryBuilder().relation(entity, name).of(of);

const POS = {
  async 'belongs-to'(m, c) {
    const books = await m.find('Book', upTo(c.k));
    await c.afterParent('books');
    await c.each(books, (b) => rel(m, 'Book', 'author', b).loadOne());
  },
  async 'identity-map-dedup'(m, c) {
    const books = await m.find('Book', upTo(c.k, 'author_id'));
    await c.afterParent('books');
    const mm = memo();
    await c.each(books, (b) => mm(b.author_id, () => rel(m, 'Book', 'author', b).loadOne()));
  },
  async 'has-many'(m, c) {
    const authors = await m.find('Author', upTo(c.k));
    await c.afterParent('authors');
    await c.each(authors, (a) => rel(m, 'Author', 'books', a).loadMany());
  },
  async 'has-one'(m, c) {
    const authors = await m.find('Author', upTo(c.k));
    await c.afterParent('authors');
    await c.each(authors, (a) => rel(m, 'Author', 'profile', a).loadOne());
  },
  async 'has-many-through'(m, c) {
    const books = await m.find('Book', upTo(c.k));
    await c.afterParent('books');
    await c.each(books, (b) => rel(m, 'Book', 'tags', b).loadMany());
  },
  async polymorphic(m, c) {
    const books = await m.find('Book', upTo(c.k));
    await c.afterParent('books');
    await c.each(books, (b) => m.findBy('Comment', { commentable_type: 'Book', commentable_id: b.id }));
  },
  async 'two-relations'(m, c) {
    const ds = await m.find('Debenture', { where: { batch: c.k }, order: { id: 'ASC' } });
    await c.afterParent('debentures');
    const h = memo();
    const s = memo();
    await c.each(ds, async (d) => {
      await h(d.holder_id, () => rel(m, 'Debenture', 'holder', d).loadOne());
      await s(d.series_id, () => rel(m, 'Debenture', 'series', d).loadOne());
    });
  },
  async 'per-row-insert'(m, c) {
    const books = await m.find('Book', upTo(c.k));
    await c.afterParent('books');
    await c.each(books, (b) => m.save('Review', { book_id: b.id, stars: 1 + (b.id % 5), body: c.tag }));
  },
  async 'per-row-update'(m, c) {
    const books = await m.find('Book', upTo(c.k));
    await c.afterParent('books');
    await c.each(books, (b) => m.update('Book', b.id, { price: b.price + 1 }));
  },
  async 'per-row-delete'(m, c) {
    await m.insert('Review', Array.from({ length: c.k }, (_, i) => ({ book_id: i + 1, stars: 1, body: c.tag })));
    const rows = await m.find('Review', { where: { body: c.tag }, order: { id: 'ASC' } });
    await c.afterParent('reviews');
    await c.each(rows, (r) => m.delete('Review', r.id));
  },
  async aggregate(m, c) {
    const authors = await m.find('Author', upTo(c.k));
    await c.afterParent('authors');
    await c.each(authors, (a) => m.count('Book', { where: { author_id: a.id } }));
  },
  async 'latest-per-parent'(m, c) {
    const authors = await m.find('Author', upTo(c.k));
    await c.afterParent('authors');
    await c.each(authors, (a) => m.findOne('Book', { where: { author_id: a.id }, order: { created_at: 'DESC' } }));
  },
  async 'get-or-create'(m, c) {
    const authors = await m.find('Author', upTo(c.k));
    await c.afterParent('authors');
    await c.each(authors, async (a) => {
      const name = `${c.tag}:${a.id}`;
      if (!(await m.findOneBy('Label', { name }))) await m.insert('Label', { name });
    });
  },
  async 'independent-requests'(m, c) {
    const a = await m.findOneBy('Author', { id: c.n + 1 });
    await m.findBy('Book', { author_id: a.id });
  },
};

const NEG = {
  'belongs-to': (m, c) => m.find('Book', { ...upTo(c.k), relations: { author: true } }),
  'identity-map-dedup': (m, c) => m.find('Book', { ...upTo(c.k, 'author_id'), relations: { author: true } }),
  'has-many': (m, c) => m.find('Author', { ...upTo(c.k), relations: { books: true } }),
  'has-one': (m, c) => m.find('Author', { ...upTo(c.k), relations: { profile: true } }),
  'has-many-through': (m, c) => m.find('Book', { ...upTo(c.k), relations: { tags: true } }),
  async polymorphic(m, c) {
    const books = await m.find('Book', upTo(c.k));
    await m.findBy('Comment', { commentable_type: 'Book', commentable_id: In(books.map((b) => b.id)) });
  },
  'two-relations': (m, c) => m.find('Debenture', { where: { batch: c.k }, order: { id: 'ASC' }, relations: { holder: true, series: true } }),
  async 'per-row-insert'(m, c) {
    const books = await m.find('Book', upTo(c.k));
    await m.insert('Review', books.map((b) => ({ book_id: b.id, stars: 1 + (b.id % 5), body: c.tag })));
  },
  async 'per-row-update'(m, c) {
    const books = await m.find('Book', upTo(c.k));
    await m.update('Book', { id: In(books.map((b) => b.id)) }, { price: () => 'price + 1' });
  },
  async 'per-row-delete'(m, c) {
    await m.insert('Review', Array.from({ length: c.k }, (_, i) => ({ book_id: i + 1, stars: 1, body: c.tag })));
    const rows = await m.find('Review', { where: { body: c.tag } });
    await m.delete('Review', { id: In(rows.map((r) => r.id)) });
  },
  aggregate: (m, c) =>
    m.createQueryBuilder('Book', 'b').select('b.author_id', 'author_id').addSelect('COUNT(*)', 'n').where('b.author_id <= :k', { k: c.k }).groupBy('b.author_id').getRawMany(),
  'latest-per-parent': (m, c) =>
    m.query('SELECT DISTINCT ON (author_id) author_id, id, title FROM books WHERE author_id <= $1 ORDER BY author_id, created_at DESC', [c.k]),
  async 'get-or-create'(m, c) {
    const names = Array.from({ length: c.k }, (_, i) => `${c.tag}:${i + 1}`);
    await m.createQueryBuilder().insert().into('Label').values(names.map((name) => ({ name }))).orIgnore().execute();
    await m.findBy('Label', { name: In(names) });
  },
  'independent-requests': POS['independent-requests'],
};

await runSpec(process.argv[2], {
  async open(info, sc) {
    const pooled = sc.connection === 'pool' || sc.connection === 'fanout';
    const ds = new DataSource({
      type: 'postgres', host: info.host, port: info.port, username: info.user, database: info.database,
      applicationName: sc.app, entities: Object.values(E), synchronize: false, logging: true,
      extra: { max: pooled ? sc.poolSize ?? 3 : 1 },
    });
    // The file logger resolves its path under the working directory.
    ds.logger = new FileLogger(true, { logPath: path.relative(process.cwd(), sc.ormLog) });
    await ds.initialize();
    return {
      async run(shape, role, ctx) {
        let introspected = false;
        ctx.afterParent = async (table) => {
          if (sc.connection !== 'dedicated' || introspected) return;
          introspected = true;
          const qr = ds.createQueryRunner();
          await qr.getTable(table);
          await qr.release();
        };
        const f = (role === 'neg' ? NEG : POS)[shape];
        if (sc.connection === 'transaction') await ds.transaction((m) => f(m, ctx));
        else await f(ds.manager, ctx);
      },
      close: async () => {
        await ds.destroy();
        await new Promise((r) => setTimeout(r, 200)); // the file logger appends asynchronously
      },
    };
  },
});
