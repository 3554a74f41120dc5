// The schema and seed data every scenario reads, created set-based by the generator (application
// `acc-seed`, itself a negative: seeding must raise no loop finding).

export const SCHEMA = `
DROP TABLE IF EXISTS labels, reviews, debentures, series, holders, comments, taggings, tags, books, profiles, authors CASCADE;
CREATE TABLE authors (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE profiles (id serial PRIMARY KEY, author_id int NOT NULL UNIQUE REFERENCES authors(id), bio text);
CREATE TABLE books (id serial PRIMARY KEY, author_id int NOT NULL REFERENCES authors(id), title text NOT NULL,
  price int NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX ON books (author_id);
CREATE TABLE tags (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE taggings (id serial PRIMARY KEY, book_id int NOT NULL REFERENCES books(id), tag_id int NOT NULL REFERENCES tags(id));
CREATE INDEX ON taggings (book_id);
CREATE TABLE comments (id serial PRIMARY KEY, commentable_type text NOT NULL, commentable_id int NOT NULL, body text);
CREATE INDEX ON comments (commentable_type, commentable_id);
CREATE TABLE holders (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE series (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE debentures (id serial PRIMARY KEY, holder_id int NOT NULL REFERENCES holders(id),
  series_id int NOT NULL REFERENCES series(id), batch int NOT NULL, price int NOT NULL);
CREATE TABLE reviews (id serial PRIMARY KEY, book_id int NOT NULL REFERENCES books(id), stars int NOT NULL, body text);
CREATE TABLE labels (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
`;

const N = 1000;

/** Seeded PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffle(a, r) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * Debentures of one batch (2k rows): every holder 1..k and series 1..k occurs, in an irregular order,
 * so a loop that caches by key looks each one up once, interleaved.
 */
export function debentureRows(k, seed) {
  const r = rng(seed);
  const fill = () => shuffle([...Array.from({ length: k }, (_, i) => i + 1), ...Array.from({ length: k }, () => 1 + Math.floor(r() * k))], r);
  const h = fill();
  const s = fill();
  return h.map((holder, i) => [holder, s[i], k, 100 + i]);
}

/** Set-based seed statements: one INSERT … SELECT generate_series per table. */
export function seedStatements(sizes) {
  const stmts = [
    `INSERT INTO authors (name) SELECT 'author ' || g FROM generate_series(1, ${N}) g`,
    `INSERT INTO profiles (author_id, bio) SELECT g, 'bio ' || g FROM generate_series(1, ${N}) g`,
    `INSERT INTO books (author_id, title, price, created_at)
       SELECT ((g - 1) % ${N}) + 1, 'book ' || g, 100 + g % 50, timestamptz '2026-01-01' + g * interval '1 hour' FROM generate_series(1, ${3 * N}) g`,
    `INSERT INTO tags (name) SELECT 'tag ' || g FROM generate_series(1, 20) g`,
    `INSERT INTO taggings (book_id, tag_id) SELECT b, 1 + (b * 7 + t) % 20 FROM generate_series(1, ${N}) b, generate_series(1, 2) t`,
    `INSERT INTO comments (commentable_type, commentable_id, body)
       SELECT ty, b, 'comment ' || c FROM generate_series(1, ${N}) b, generate_series(1, 2) c, (VALUES ('Book'), ('Author')) v(ty)`,
    `INSERT INTO holders (name) SELECT 'holder ' || g FROM generate_series(1, ${N}) g`,
    `INSERT INTO series (name) SELECT 'series ' || g FROM generate_series(1, ${N}) g`,
  ];
  for (const k of sizes) {
    const rows = debentureRows(k, 7000 + k);
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      stmts.push(`INSERT INTO debentures (holder_id, series_id, batch, price) VALUES ${chunk.map((r) => `(${r.join(', ')})`).join(', ')}`);
    }
  }
  stmts.push('ANALYZE');
  return stmts;
}
