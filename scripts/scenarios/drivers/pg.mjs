// No-ORM baseline: node-postgres with hand-written SQL (the extended protocol: parse/bind/execute).
//   node scripts/scenarios/drivers/pg.mjs <spec.json>
import { createRequire } from 'node:module';
import { memo, runSpec } from './common.mjs';

const require = createRequire(new URL('../../orm/node/package.json', import.meta.url));
const pg = require('pg');

const ids = (rows, col = 'id') => rows.map((r) => r[col]);

const POS = {
  async 'belongs-to'(q, c) {
    const books = (await q('SELECT id, author_id, title FROM books WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await c.afterParent();
    await c.each(books, (b) => q('SELECT id, name FROM authors WHERE id = $1', [b.author_id]));
  },
  async 'identity-map-dedup'(q, c) {
    const books = (await q('SELECT id, author_id, title FROM books WHERE author_id <= $1 ORDER BY id', [c.k])).rows;
    await c.afterParent();
    const m = memo();
    await c.each(books, (b) => m(b.author_id, () => q('SELECT id, name FROM authors WHERE id = $1', [b.author_id])));
  },
  async 'has-many'(q, c) {
    const authors = (await q('SELECT id, name FROM authors WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await c.afterParent();
    await c.each(authors, (a) => q('SELECT id, title, price FROM books WHERE author_id = $1 ORDER BY id', [a.id]));
  },
  async 'has-one'(q, c) {
    const authors = (await q('SELECT id, name FROM authors WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await c.afterParent();
    await c.each(authors, (a) => q('SELECT id, bio FROM profiles WHERE author_id = $1 LIMIT 1', [a.id]));
  },
  async 'has-many-through'(q, c) {
    const books = (await q('SELECT id, title FROM books WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await c.afterParent();
    await c.each(books, (b) => q('SELECT tags.id, tags.name FROM tags JOIN taggings ON taggings.tag_id = tags.id WHERE taggings.book_id = $1', [b.id]));
  },
  async polymorphic(q, c) {
    const books = (await q('SELECT id, title FROM books WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await c.afterParent();
    await c.each(books, (b) => q('SELECT id, body FROM comments WHERE commentable_type = $1 AND commentable_id = $2', ['Book', b.id]));
  },
  async 'two-relations'(q, c) {
    const ds = (await q('SELECT id, holder_id, series_id, price FROM debentures WHERE batch = $1 ORDER BY id', [c.k])).rows;
    await c.afterParent();
    const h = memo();
    const s = memo();
    await c.each(ds, async (d) => {
      await h(d.holder_id, () => q('SELECT id, name FROM holders WHERE id = $1', [d.holder_id]));
      await s(d.series_id, () => q('SELECT id, name FROM series WHERE id = $1', [d.series_id]));
    });
  },
  async 'per-row-insert'(q, c) {
    const books = (await q('SELECT id, title FROM books WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await c.afterParent();
    await c.each(books, (b) => q('INSERT INTO reviews (book_id, stars, body) VALUES ($1, $2, $3)', [b.id, 1 + (b.id % 5), c.tag]));
  },
  async 'per-row-update'(q, c) {
    const books = (await q('SELECT id, price FROM books WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await c.afterParent();
    await c.each(books, (b) => q('UPDATE books SET price = $1 WHERE id = $2', [b.price + 1, b.id]));
  },
  async 'per-row-delete'(q, c) {
    await q('INSERT INTO reviews (book_id, stars, body) SELECT g, 1, $2 FROM generate_series(1, $1::int) g', [c.k, c.tag]);
    const rows = (await q('SELECT id FROM reviews WHERE body = $1 ORDER BY id', [c.tag])).rows;
    await c.afterParent();
    await c.each(rows, (r) => q('DELETE FROM reviews WHERE id = $1', [r.id]));
  },
  async aggregate(q, c) {
    const authors = (await q('SELECT id, name FROM authors WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await c.afterParent();
    await c.each(authors, (a) => q('SELECT count(*) AS n, sum(price) AS total FROM books WHERE author_id = $1', [a.id]));
  },
  async 'latest-per-parent'(q, c) {
    const authors = (await q('SELECT id, name FROM authors WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await c.afterParent();
    await c.each(authors, (a) => q('SELECT id, title FROM books WHERE author_id = $1 ORDER BY created_at DESC LIMIT 1', [a.id]));
  },
  async 'get-or-create'(q, c) {
    const authors = (await q('SELECT id, name FROM authors WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await c.afterParent();
    await c.each(authors, async (a) => {
      const name = `${c.tag}:${a.id}`;
      const found = await q('SELECT id, name FROM labels WHERE name = $1', [name]);
      if (found.rows.length === 0) await q('INSERT INTO labels (name) VALUES ($1) RETURNING id', [name]);
    });
  },
  async 'independent-requests'(q, c) {
    const a = (await q('SELECT id, name FROM authors WHERE id = $1', [c.n + 1])).rows[0];
    await q('SELECT id, title FROM books WHERE author_id = $1 ORDER BY id', [a.id]);
  },
};

const NEG = {
  async 'belongs-to'(q, c) {
    await q('SELECT b.id, b.title, a.id AS author_id, a.name FROM books b JOIN authors a ON a.id = b.author_id WHERE b.id <= $1 ORDER BY b.id', [c.k]);
  },
  async 'identity-map-dedup'(q, c) {
    const books = (await q('SELECT id, author_id, title FROM books WHERE author_id <= $1 ORDER BY id', [c.k])).rows;
    await q('SELECT id, name FROM authors WHERE id = ANY($1)', [[...new Set(ids(books, 'author_id'))]]);
  },
  async 'has-many'(q, c) {
    const authors = (await q('SELECT id, name FROM authors WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await q('SELECT id, author_id, title, price FROM books WHERE author_id = ANY($1) ORDER BY id', [ids(authors)]);
  },
  async 'has-one'(q, c) {
    const authors = (await q('SELECT id, name FROM authors WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await q('SELECT id, author_id, bio FROM profiles WHERE author_id = ANY($1)', [ids(authors)]);
  },
  async 'has-many-through'(q, c) {
    const books = (await q('SELECT id, title FROM books WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await q('SELECT taggings.book_id, tags.id, tags.name FROM tags JOIN taggings ON taggings.tag_id = tags.id WHERE taggings.book_id = ANY($1)', [ids(books)]);
  },
  async polymorphic(q, c) {
    const books = (await q('SELECT id, title FROM books WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await q('SELECT id, commentable_id, body FROM comments WHERE commentable_type = $1 AND commentable_id = ANY($2)', ['Book', ids(books)]);
  },
  async 'two-relations'(q, c) {
    const ds = (await q('SELECT id, holder_id, series_id, price FROM debentures WHERE batch = $1 ORDER BY id', [c.k])).rows;
    await q('SELECT id, name FROM holders WHERE id = ANY($1)', [[...new Set(ids(ds, 'holder_id'))]]);
    await q('SELECT id, name FROM series WHERE id = ANY($1)', [[...new Set(ids(ds, 'series_id'))]]);
  },
  async 'per-row-insert'(q, c) {
    const books = (await q('SELECT id, title FROM books WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await q('INSERT INTO reviews (book_id, stars, body) SELECT b, 1 + b % 5, $2 FROM unnest($1::int[]) b', [ids(books), c.tag]);
  },
  async 'per-row-update'(q, c) {
    const books = (await q('SELECT id, price FROM books WHERE id <= $1 ORDER BY id', [c.k])).rows;
    await q('UPDATE books SET price = price + 1 WHERE id = ANY($1)', [ids(books)]);
  },
  async 'per-row-delete'(q, c) {
    await q('INSERT INTO reviews (book_id, stars, body) SELECT g, 1, $2 FROM generate_series(1, $1::int) g', [c.k, c.tag]);
    const rows = (await q('SELECT id FROM reviews WHERE body = $1 ORDER BY id', [c.tag])).rows;
    await q('DELETE FROM reviews WHERE id = ANY($1)', [ids(rows)]);
  },
  async aggregate(q, c) {
    await q('SELECT author_id, count(*) AS n, sum(price) AS total FROM books WHERE author_id <= $1 GROUP BY author_id', [c.k]);
  },
  async 'latest-per-parent'(q, c) {
    await q('SELECT DISTINCT ON (author_id) author_id, id, title FROM books WHERE author_id <= $1 ORDER BY author_id, created_at DESC', [c.k]);
  },
  async 'get-or-create'(q, c) {
    const authors = (await q('SELECT id, name FROM authors WHERE id <= $1 ORDER BY id', [c.k])).rows;
    const names = authors.map((a) => `${c.tag}:${a.id}`);
    await q('INSERT INTO labels (name) SELECT unnest($1::text[]) ON CONFLICT (name) DO NOTHING', [names]);
    await q('SELECT id, name FROM labels WHERE name = ANY($1)', [names]);
  },
  'independent-requests': POS['independent-requests'],
};

await runSpec(process.argv[2], {
  async open(info, sc) {
    const cfg = { host: info.host, port: info.port, user: info.user, database: info.database, application_name: sc.app };
    const pooled = sc.connection === 'pool' || sc.connection === 'fanout';
    const db = pooled ? new pg.Pool({ ...cfg, max: sc.poolSize ?? 3 }) : new pg.Client(cfg);
    if (!pooled) await db.connect();
    const q = (sql, params) => db.query(sql, params);
    return {
      async run(shape, role, ctx) {
        let introspected = false;
        ctx.afterParent = async () => {
          // What a script's first touch of a table does in an ORM: look at the catalog.
          if (sc.connection !== 'dedicated' || introspected) return;
          introspected = true;
          await q('SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2', ['public', 'books']);
          await q('SHOW search_path');
        };
        const fn = (role === 'neg' ? NEG : POS)[shape];
        if (sc.connection === 'transaction') {
          await q('BEGIN');
          await fn(q, ctx);
          await q('COMMIT');
        } else await fn(q, ctx);
      },
      close: () => db.end(),
    };
  },
});
