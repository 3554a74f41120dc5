#!/usr/bin/env node
// The "peers" scenario set: the association shapes that other N+1 tools' own test suites check
// (Bullet's detector specs, Prosopite's query tests, nplusone's SQLAlchemy and Django tests), written anew
// for our schema and run with real ORMs (ActiveRecord 6.1, SQLAlchemy 1.4, Django 3.2) against PostgreSQL 15, with data as
// small as a test suite's seed (2–4 parents). Every positive has its negative control (the eager-loaded
// or preloaded form); a few cases are negatives only (one parent object, preloading two associations of
// the same class, a counter cache), as in those suites. Recorded once into tests/fixtures/peers/ in the
// format of tests/fixtures/accuracy/ (truth.json, server logs, ORM logs), scored by
//   node scripts/scenarios/score.mjs --fixtures tests/fixtures/peers
//
//   node scripts/scenarios/peers.mjs [--out DIR] [--keep] [--prefix '<log_line_prefix>'] [--set name=value ...]
//
// Needs what generate.mjs needs (PostgreSQL 15 server binaries, python3-sqlalchemy, python3-django, python3-psycopg2,
// ruby-activerecord, ruby-pg, `npm ci` in scripts/orm/node for node-postgres).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { LOOP_KINDS } from './design.mjs';
import { collect, gzipTo, run, versions } from './record.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

export const PEER_PREFIX = { id: 'p1', prefix: '%m [%p] %q%u@%d/%a %c %v %x ' };
export const SEED_APP = 'peers-seed';

// The schema: Bullet-like blog (categories, posts, comments, users with STI writers, entries, deals
// habtm, students/teachers habtm, firms/clients through relationships, companies/addresses has_one,
// documents STI pages, roles polymorphic, countries/cities counter cache, people/pets with a counter
// column), Prosopite-like chairs/legs, nplusone-like users/addresses/hobbies/occupations (prefixed np_;
// one-to-one occupations for Django's OneToOneField, two of the three users have one).
export const SCHEMA = `
CREATE TABLE categories (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE users (id serial PRIMARY KEY, type text, name text NOT NULL);
CREATE TABLE posts (id serial PRIMARY KEY, category_id int NOT NULL REFERENCES categories(id), writer_id int NOT NULL REFERENCES users(id), name text NOT NULL);
CREATE INDEX ON posts (category_id);
CREATE TABLE comments (id serial PRIMARY KEY, post_id int NOT NULL REFERENCES posts(id), author_id int NOT NULL REFERENCES users(id), name text NOT NULL);
CREATE INDEX ON comments (post_id);
CREATE TABLE entries (id serial PRIMARY KEY, category_id int NOT NULL REFERENCES categories(id), name text NOT NULL);
CREATE TABLE deals (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE deals_posts (deal_id int NOT NULL REFERENCES deals(id), post_id int NOT NULL REFERENCES posts(id));
CREATE TABLE students (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE teachers (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE students_teachers (student_id int NOT NULL REFERENCES students(id), teacher_id int NOT NULL REFERENCES teachers(id));
CREATE TABLE groups (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE firms (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE clients (id serial PRIMARY KEY, group_id int NOT NULL REFERENCES groups(id), name text NOT NULL);
CREATE TABLE relationships (id serial PRIMARY KEY, firm_id int NOT NULL REFERENCES firms(id), client_id int NOT NULL REFERENCES clients(id));
CREATE TABLE companies (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE addresses (id serial PRIMARY KEY, company_id int NOT NULL REFERENCES companies(id), name text NOT NULL);
CREATE TABLE documents (id serial PRIMARY KEY, type text, author_id int NOT NULL REFERENCES users(id), name text NOT NULL);
CREATE TABLE roles (id serial PRIMARY KEY, resource_type text NOT NULL, resource_id int NOT NULL, name text NOT NULL);
CREATE TABLE countries (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE cities (id serial PRIMARY KEY, country_id int NOT NULL REFERENCES countries(id), name text NOT NULL);
CREATE TABLE people (id serial PRIMARY KEY, name text NOT NULL, pets_count int NOT NULL DEFAULT 0);
CREATE TABLE pets (id serial PRIMARY KEY, person_id int NOT NULL REFERENCES people(id), name text NOT NULL);
CREATE TABLE chairs (id serial PRIMARY KEY, type text, name text NOT NULL UNIQUE);
CREATE TABLE legs (id serial PRIMARY KEY, chair_id int NOT NULL REFERENCES chairs(id), name text NOT NULL);
CREATE INDEX ON legs (chair_id);
CREATE TABLE np_users (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE np_addresses (id serial PRIMARY KEY, user_id int NOT NULL REFERENCES np_users(id), city text NOT NULL);
CREATE TABLE np_hobbies (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE np_users_hobbies (user_id int NOT NULL REFERENCES np_users(id), hobby_id int NOT NULL REFERENCES np_hobbies(id));
CREATE TABLE np_occupations (id serial PRIMARY KEY, user_id int NOT NULL UNIQUE REFERENCES np_users(id), name text NOT NULL);
`;

// Seed data of a test suite's size, set-based (the seed session is itself a negative).
export const SEED = [
  `INSERT INTO categories (name) VALUES ('first'), ('second')`,
  `INSERT INTO users (type, name) VALUES ('Writer', 'first'), ('Writer', 'second'), (NULL, 'third'), (NULL, 'fourth')`,
  `INSERT INTO posts (category_id, writer_id, name) VALUES (1, 1, 'first'), (1, 2, 'like first'), (2, 2, 'second'), (2, 2, 'third')`,
  `INSERT INTO comments (post_id, author_id, name) VALUES (1, 1, 'first'), (1, 1, 'first2'), (1, 1, 'first3'), (1, 2, 'second'),
     (2, 1, 'like first 1'), (2, 2, 'like first 2'), (3, 3, 'third'), (3, 4, 'fourth'), (4, 1, 'fifth')`,
  `INSERT INTO entries (category_id, name) VALUES (1, 'first'), (1, 'second'), (2, 'third')`,
  `INSERT INTO deals (name) VALUES ('Deal 1'), ('Deal 2')`,
  `INSERT INTO deals_posts (deal_id, post_id) VALUES (1, 1), (2, 1), (2, 2), (1, 3), (2, 4)`,
  `INSERT INTO students (name) VALUES ('first'), ('second')`,
  `INSERT INTO teachers (name) VALUES ('first'), ('second')`,
  `INSERT INTO students_teachers (student_id, teacher_id) VALUES (1, 1), (1, 2), (2, 2)`,
  `INSERT INTO groups (name) VALUES ('first'), ('second')`,
  `INSERT INTO firms (name) VALUES ('first'), ('second')`,
  `INSERT INTO clients (group_id, name) VALUES (1, 'first'), (2, 'second'), (2, 'third')`,
  `INSERT INTO relationships (firm_id, client_id) VALUES (1, 1), (1, 2), (2, 2), (2, 3)`,
  `INSERT INTO companies (name) VALUES ('first'), ('second')`,
  `INSERT INTO addresses (company_id, name) VALUES (1, 'first'), (2, 'second')`,
  `INSERT INTO documents (type, author_id, name) VALUES ('Page', 1, 'page1'), ('Page', 2, 'page2'), ('Page', 3, 'page3'), ('Folder', 1, 'folder1')`,
  `INSERT INTO roles (resource_type, resource_id, name) VALUES ('Post', 1, 'owner'), ('Post', 1, 'editor'), ('Post', 3, 'owner')`,
  `INSERT INTO countries (name) VALUES ('first'), ('second')`,
  `INSERT INTO cities (country_id, name) VALUES (1, 'first'), (1, 'second'), (2, 'third')`,
  `INSERT INTO people (name, pets_count) VALUES ('first', 2), ('second', 1)`,
  `INSERT INTO pets (person_id, name) VALUES (1, 'first'), (1, 'second'), (2, 'third')`,
  `INSERT INTO chairs (type, name) SELECT NULL, 'chair ' || g FROM generate_series(1, 20) g`,
  `INSERT INTO legs (chair_id, name) SELECT c, 'leg ' || c || '.' || l FROM generate_series(1, 20) c, generate_series(1, 4) l`,
  `INSERT INTO np_users (name) VALUES ('first'), ('second'), ('third')`,
  `INSERT INTO np_addresses (user_id, city) VALUES (1, 'a'), (2, 'b'), (3, 'c'), (1, 'd')`,
  `INSERT INTO np_hobbies (name) VALUES ('chess'), ('go')`,
  `INSERT INTO np_users_hobbies (user_id, hobby_id) VALUES (1, 1), (2, 1), (2, 2), (3, 2)`,
  `INSERT INTO np_occupations (user_id, name) VALUES (1, 'first'), (2, 'second')`,
  'ANALYZE',
];

const n1 = (table, repeats, alsoAccept) => ({ kind: 'n-plus-one', table, repeats, ...(alsoAccept ? { alsoAccept } : {}) });

/**
 * The cases. suite: whose spec the shape comes from; shape: the association; size: loop iterations
 * (parent rows); expected: [] for a negative-only case. The drivers implement each id.
 * alsoAccept: other loop kinds that name the same loop fairly (a per-parent COUNT is an aggregate-loop,
 * `legs.first` per chair is a first-per-parent lookup).
 */
export const CASES = [
  // Bullet: has_many
  { id: 'b01', orm: 'activerecord', suite: 'bullet', shape: 'has-many', size: 4, expected: [n1('comments', 4)], pos: 'Post.all.each { |p| p.comments.map(&:name) }', neg: 'Post.includes(:comments)' },
  { id: 'b02', orm: 'activerecord', suite: 'bullet', shape: 'has-many-count', size: 4, expected: [{ kind: 'aggregate-loop', table: 'comments', repeats: 4, alsoAccept: ['n-plus-one'] }], pos: 'Post.all.each { |p| p.comments.count }', neg: 'Comment.group(:post_id).count' },
  { id: 'b03', orm: 'activerecord', suite: 'bullet', shape: 'has-many-empty', size: 4, expected: [n1('comments', 4)], pos: 'Post.all.each { |p| p.comments.empty? }', neg: 'Post.includes(:comments).each { |p| p.comments.empty? }' },
  { id: 'b04', orm: 'activerecord', suite: 'bullet', shape: 'nested-has-many', size: 2, expected: [n1('posts', 2), n1('comments', 4)], pos: 'Category.all.each { |c| c.posts.each { |p| p.comments.map(&:name) } }', neg: 'Category.includes(posts: :comments)' },
  { id: 'b05', orm: 'activerecord', suite: 'bullet', shape: 'nested-partly-preloaded', size: 4, expected: [n1('comments', 4)], pos: 'Category.includes(:posts).each { |c| c.posts.each { |p| p.comments.map(&:name) } }', neg: 'Category.includes(posts: :comments)' },
  { id: 'b06', orm: 'activerecord', suite: 'bullet', shape: 'two-has-many', size: 2, expected: [n1('posts', 2), n1('entries', 2)], pos: 'Category.all.each { |c| c.posts.map(&:name); c.entries.map(&:name) }', neg: 'Category.includes(:posts, :entries)' },
  { id: 'b07', orm: 'activerecord', suite: 'bullet', shape: 'belongs-to', size: 9, expected: [n1('posts', 9)], pos: 'Comment.all.each { |c| c.post.name }', neg: 'Comment.includes(:post)' },
  { id: 'b08', orm: 'activerecord', suite: 'bullet', shape: 'nested-belongs-to', size: 9, expected: [n1('posts', 9), n1('categories', 9)], pos: 'Comment.all.each { |c| c.post.category.name }', neg: 'Comment.includes(post: :category)' },
  { id: 'b09', orm: 'activerecord', suite: 'bullet', shape: 'two-belongs-to', size: 4, expected: [n1('users', 4), n1('categories', 4)], pos: 'Post.all.each { |p| p.writer.name; p.category.name }', neg: 'Post.includes(:writer, :category)' },
  { id: 'b10', orm: 'activerecord', suite: 'bullet', shape: 'habtm', size: 4, expected: [n1('deals', 4)], pos: 'Post.all.each { |p| p.deals.map(&:name) }', neg: 'Post.includes(:deals)' },
  { id: 'b11', orm: 'activerecord', suite: 'bullet', shape: 'habtm', size: 2, expected: [n1('teachers', 2)], pos: 'Student.all.each { |s| s.teachers.map(&:name) }', neg: 'Student.includes(:teachers)' },
  { id: 'b12', orm: 'activerecord', suite: 'bullet', shape: 'has-many-through', size: 2, expected: [n1('clients', 2)], pos: 'Firm.all.each { |f| f.clients.map(&:name) }', neg: 'Firm.includes(:clients)' },
  { id: 'b13', orm: 'activerecord', suite: 'bullet', shape: 'nested-through-belongs-to', size: 2, expected: [n1('clients', 2), n1('groups', 4)], pos: 'Firm.all.each { |f| f.clients.each { |c| c.group.name } }', neg: 'Firm.includes(clients: :group)' },
  { id: 'b14', orm: 'activerecord', suite: 'bullet', shape: 'has-one', size: 2, expected: [n1('addresses', 2)], pos: 'Company.all.each { |c| c.address.name }', neg: 'Company.includes(:address)' },
  { id: 'b15', orm: 'activerecord', suite: 'bullet', shape: 'sti-belongs-to', size: 3, expected: [n1('users', 3)], pos: 'Page.all.each { |p| p.author.name }', neg: 'Page.includes(:author)' },
  { id: 'b16', orm: 'activerecord', suite: 'bullet', shape: 'polymorphic-belongs-to', size: 3, expected: [n1('posts', 3)], pos: 'Role.all.each { |r| r.resource } (two roles share one post: the same lookup twice with one key)', neg: 'Role.preload(:resource)' },
  { id: 'b17', orm: 'activerecord', suite: 'bullet', shape: 'counter-cache', size: 2, expected: [{ kind: 'aggregate-loop', table: 'cities', repeats: 2, alsoAccept: ['n-plus-one'] }], pos: 'Country.all.each { |c| c.cities.size }', neg: 'Person.all.each { |p| p.pets.size } (counter cache column: no query)' },
  { id: 'b18', orm: 'activerecord', suite: 'bullet', shape: 'one-object', size: 1, expected: [], neg: 'Comment.first.post.name; Country.first.cities.size (one object: no loop)' },
  // Prosopite
  { id: 'r01', orm: 'activerecord', suite: 'prosopite', shape: 'has-many-first', size: 20, expected: [n1('legs', 20, ['latest-per-parent'])], pos: 'Chair.last(20).each { |c| c.legs.first }', neg: 'Chair.includes(:legs).last(20).each { |c| c.legs.first }' },
  { id: 'r02', orm: 'activerecord', suite: 'prosopite', shape: 'has-many-last', size: 3, expected: [n1('legs', 3, ['latest-per-parent'])], pos: 'Chair.last(3).each { |c| c.legs.last }', neg: 'Chair.includes(:legs).last(3).each { |c| c.legs.last }' },
  { id: 'r03', orm: 'activerecord', suite: 'prosopite', shape: 'has-many-pluck', size: 3, expected: [n1('legs', 3)], pos: 'Chair.last(3).each { |c| c.legs.pluck(:id) }', neg: 'Leg.where(chair_id: Chair.last(3).map(&:id)).pluck(:chair_id, :id)' },
  { id: 'r04', orm: 'activerecord', suite: 'prosopite', shape: 'sti-becomes', size: 2, expected: [n1('legs', 2)], pos: 'Chair.last(2).map { |c| c.becomes(ArmChair) }.each { |ac| ac.legs.map(&:id) }', neg: 'ArmChair.includes(:legs).last(2).each { |ac| ac.legs.map(&:id) }' },
  { id: 'r05', orm: 'activerecord', suite: 'prosopite', shape: 'belongs-to', size: 4, expected: [n1('chairs', 4)], pos: 'Leg.where(name: …).each { |l| l.chair } (legs of 4 chairs)', neg: 'Leg.includes(:chair).where(name: …)' },
  { id: 'r06', orm: 'activerecord', suite: 'prosopite', shape: 'preloader-loop', size: 3, expected: [n1('legs', 3)], pos: 'Chair.last(3).each { |c| Preloader.new.preload([c], :legs) }', neg: 'Preloader.new.preload(Chair.last(3), :legs)' },
  { id: 'r07', orm: 'activerecord', suite: 'prosopite', shape: 'two-assocs-same-class', size: 3, expected: [], neg: 'Chair.includes(:legs, :feet).last(3) (two IN queries on legs: no loop)' },
  { id: 'r08', orm: 'activerecord', suite: 'prosopite', shape: 'same-query-outside-loop', size: 1, expected: [], neg: 'Chair.last.legs.pluck(:id); Chair.last.legs.pluck (one lookup each, no loop)' },
  // nplusone (SQLAlchemy)
  { id: 'n01', orm: 'sqlalchemy', suite: 'nplusone', shape: 'one-to-many', size: 3, expected: [n1('np_addresses', 3)], pos: 'for u in users: u.addresses', neg: 'subqueryload(User.addresses)' },
  { id: 'n02', orm: 'sqlalchemy', suite: 'nplusone', shape: 'one-to-many', size: 3, expected: [n1('np_addresses', 3)], pos: 'for u in users: u.addresses', neg: 'joinedload(User.addresses)' },
  { id: 'n03', orm: 'sqlalchemy', suite: 'nplusone', shape: 'many-to-one', size: 3, expected: [n1('np_users', 3)], pos: 'for a in addresses: a.user (4 addresses, 3 users: the identity map dedups one)', neg: 'joinedload(Address.user)' },
  { id: 'n04', orm: 'sqlalchemy', suite: 'nplusone', shape: 'many-to-one', size: 3, expected: [n1('np_users', 3)], pos: 'for a in addresses: a.user', neg: 'selectinload(Address.user)' },
  { id: 'n05', orm: 'sqlalchemy', suite: 'nplusone', shape: 'many-to-many', size: 3, expected: [n1('np_hobbies', 3)], pos: 'for u in users: u.hobbies', neg: 'subqueryload(User.hobbies)' },
  { id: 'n06', orm: 'sqlalchemy', suite: 'nplusone', shape: 'many-to-many-reverse', size: 2, expected: [n1('np_users', 2)], pos: 'for h in hobbies: h.users', neg: 'selectinload(Hobby.users)' },
  { id: 'n07', orm: 'sqlalchemy', suite: 'nplusone', shape: 'nested', size: 2, expected: [n1('np_users', 2), n1('np_addresses', 3)], pos: 'for h in hobbies: for u in h.users: u.addresses', neg: 'selectinload(Hobby.users).selectinload(User.addresses)' },
  { id: 'n08', orm: 'sqlalchemy', suite: 'nplusone', shape: 'one-object', size: 1, expected: [], neg: 'session.query(User).first().addresses (one lazy load: no loop)' },
  // nplusone (Django: no identity map, so 4 addresses of 3 users give 4 lookups, one key twice)
  { id: 'd01', orm: 'django', suite: 'nplusone', shape: 'one-to-many', size: 3, expected: [n1('np_addresses', 3)], pos: 'for u in User.objects.all(): u.addresses.all()', neg: "prefetch_related('addresses')" },
  { id: 'd02', orm: 'django', suite: 'nplusone', shape: 'many-to-one', size: 4, expected: [n1('np_users', 4)], pos: 'for a in Address.objects.all(): a.user', neg: "select_related('user')" },
  { id: 'd03', orm: 'django', suite: 'nplusone', shape: 'many-to-one', size: 4, expected: [n1('np_users', 4)], pos: 'for a in Address.objects.all(): a.user', neg: "prefetch_related('user')" },
  { id: 'd04', orm: 'django', suite: 'nplusone', shape: 'one-to-one', size: 2, expected: [n1('np_users', 2)], pos: 'for o in Occupation.objects.all(): o.user', neg: "select_related('user')" },
  { id: 'd05', orm: 'django', suite: 'nplusone', shape: 'one-to-one', size: 2, expected: [n1('np_users', 2)], pos: 'for o in Occupation.objects.all(): o.user', neg: "prefetch_related('user')" },
  { id: 'd06', orm: 'django', suite: 'nplusone', shape: 'one-to-one-reverse', size: 3, expected: [n1('np_occupations', 3)], pos: 'for u in User.objects.all(): u.occupation (one user has none: DoesNotExist after its query)', neg: "select_related('occupation')" },
  { id: 'd07', orm: 'django', suite: 'nplusone', shape: 'many-to-many', size: 3, expected: [n1('np_hobbies', 3)], pos: 'for u in User.objects.all(): u.hobbies.all()', neg: "prefetch_related('hobbies')" },
  { id: 'd08', orm: 'django', suite: 'nplusone', shape: 'many-to-many-reverse', size: 2, expected: [n1('np_users', 2)], pos: 'for h in Hobby.objects.all(): h.users.all()', neg: "prefetch_related('users')" },
  { id: 'd09', orm: 'django', suite: 'nplusone', shape: 'nested', size: 4, expected: [n1('np_users', 4), n1('np_occupations', 4)], pos: 'for a in Address.objects.all(): a.user.occupation', neg: "select_related('user__occupation')" },
  { id: 'd10', orm: 'django', suite: 'nplusone', shape: 'nested', size: 4, expected: [n1('np_users', 4), n1('np_occupations', 4)], pos: 'for a in Address.objects.all(): a.user.occupation', neg: "prefetch_related('user__occupation')" },
  { id: 'd11', orm: 'django', suite: 'nplusone', shape: 'one-object', size: 1, expected: [], neg: 'Occupation.objects.first().user; User.objects.get(pk=1).hobbies.all(); first user\'s hobbies after listing all users (one lazy load each: no loop)' },
];

export const appName = (c, role) => `peer-${c.id}-${role}`;

const DRIVERS = {
  activerecord: ['ruby', [path.join(here, 'drivers/peers_activerecord.rb')]],
  sqlalchemy: ['/usr/bin/python3', [path.join(here, 'drivers/peers_sqlalchemy.py')]],
  django: ['/usr/bin/python3', [path.join(here, 'drivers/peers_django.py')]],
};

async function main() {
  const args = process.argv.slice(2);
  const out = path.resolve(args.includes('--out') ? args[args.indexOf('--out') + 1] : path.join(root, 'tests/fixtures/peers'));
  const keep = args.includes('--keep');
  const require = createRequire(path.join(root, 'scripts/orm/node/package.json'));
  const pg = require('pg');
  // --prefix records the same cases under another log_line_prefix (to try the reading on them; the committed set is p1)
  const p = args.includes('--prefix') ? { id: 'p1', prefix: args[args.indexOf('--prefix') + 1] } : PEER_PREFIX;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sqloupe-peers-'));
  fs.chmodSync(work, 0o755);
  const ormDir = path.join(work, 'orm');
  fs.mkdirSync(ormDir, { recursive: true });
  fs.chmodSync(ormDir, 0o777);
  // --set passes other server settings on (log_statement=all, log_connections=off …), to try the reading under them
  const sets = args.flatMap((a, i) => (a === '--set' ? ['--set', args[i + 1]] : []));
  const info = JSON.parse(run(process.execPath, [path.join(root, 'scripts/pg-cluster.mjs'), 'start', path.join(work, 'pg'), '--set', `log_line_prefix=${p.prefix}`, ...sets]).trim().split('\n').pop());
  process.stderr.write(`peers: '${p.prefix}' PostgreSQL ${info.version} on ${info.port}, ${CASES.length} cases\n`);
  const truth = {
    description: 'Ground truth of the peers scenarios (scripts/scenarios/peers.mjs): N+1 shapes from the test suites of Bullet, Prosopite and nplusone, re-run with real ORMs on PostgreSQL 15 and test-suite-sized data. Per scenario the findings the positive application must raise (alsoAccept: other kinds that name the same loop), and the negative application that must raise no loop finding.',
    generated: new Date().toISOString().slice(0, 10),
    loopKinds: [...LOOP_KINDS],
    seedApp: SEED_APP,
    versions: versions(),
    batches: {},
    negatives: [SEED_APP],
    scenarios: [],
  };
  try {
    const c = new pg.Client({ host: info.host, port: info.port, user: info.user, database: info.database, application_name: SEED_APP });
    await c.connect();
    await c.query(SCHEMA);
    for (const s of SEED) await c.query(s);
    await c.end();
    for (const orm of Object.keys(DRIVERS)) {
      const mine = CASES.filter((x) => x.orm === orm);
      const runs = [];
      for (const x of mine) {
        for (const role of x.expected.length ? ['pos', 'neg'] : ['neg']) {
          const app = appName(x, role);
          runs.push({ id: x.id, shape: x.shape, size: x.size, role, app, connection: x.connection ?? connectionOf(x), ormLog: path.join(ormDir, `${app}.log`) });
        }
      }
      const specPath = path.join(work, `${orm}.spec.json`);
      const results = path.join(work, `${orm}.results.json`);
      fs.writeFileSync(specPath, JSON.stringify({ pg: info, results, scenarios: runs }, null, 2));
      const [cmd, pre] = DRIVERS[orm];
      run(cmd, [...pre, specPath]);
      const res = JSON.parse(fs.readFileSync(results, 'utf8'));
      for (const x of mine) {
        const entry = { id: x.id, orm: x.orm, suite: x.suite, shape: x.shape, connection: connectionOf(x), rhythm: 'fast', size: x.size, prefix: p.id, apps: {}, ormLogs: {}, iterations: {}, loop: x.pos ?? null, control: x.neg };
        for (const role of x.expected.length ? ['pos', 'neg'] : ['neg']) {
          const app = appName(x, role);
          entry.apps[role] = app;
          entry.iterations[role] = res[app]?.iterations ?? null;
          const src = path.join(ormDir, `${app}.log`);
          if (fs.existsSync(src)) {
            const rel = `${p.id}/orm/${app}.log.gz`;
            gzipTo(src, path.join(out, rel));
            entry.ormLogs[role] = rel;
          }
          if (role === 'neg') truth.negatives.push(app);
        }
        entry.expected = x.expected;
        truth.scenarios.push(entry);
      }
    }
    await new Promise((r) => setTimeout(r, 1000)); // the logging collector writes asynchronously
  } finally {
    run(process.execPath, [path.join(root, 'scripts/pg-cluster.mjs'), 'stop', path.join(work, 'pg')]);
  }
  const files = { stderr: `${p.id}/server.log.gz`, csvlog: `${p.id}/server.csv.gz`, jsonlog: `${p.id}/server.json.gz` };
  collect(info.logDir, '.log', path.join(out, files.stderr), [work, '/tmp/sqloupe-peers']);
  collect(info.logDir, '.csv', path.join(out, files.csvlog), [work, '/tmp/sqloupe-peers']);
  collect(info.logDir, '.json', path.join(out, files.jsonlog), [work, '/tmp/sqloupe-peers']);
  truth.batches[p.id] = { prefix: p.prefix, serverVersion: info.version, files };
  truth.scenarios.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  fs.writeFileSync(path.join(out, 'truth.json'), JSON.stringify(truth, null, 2) + '\n');
  if (keep) process.stderr.write(`peers: kept ${work}\n`);
  else fs.rmSync(work, { recursive: true, force: true });
  process.stderr.write(`peers: wrote ${path.relative(root, out)}/truth.json, ${truth.scenarios.length} scenarios\n`);
}

/** A test suite wraps each example in a transaction (transactional tests); every other case runs autocommit, as a script does. */
function connectionOf(x) {
  return Number(x.id.slice(1)) % 2 === 0 ? 'dedicated' : 'transaction';
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  main().catch((e) => {
    process.stderr.write(`peers: ${e.stack ?? e}\n`);
    process.exit(1);
  });
}
