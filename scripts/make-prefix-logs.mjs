#!/usr/bin/env node
// Record the same small workload under many log_line_prefix values, as stderr AND csvlog of each run,
// so prefix detection can be checked field by field against what the server itself wrote in csvlog.
//
//   node scripts/make-prefix-logs.mjs [<outdir>] [--only N,M] [--keep]
//
// <outdir> defaults to tests/fixtures/prefixes. Writes NN.log.gz (stderr), NN.csv.gz (csvlog) per prefix
// and manifest.json ([{ id, prefix, stderr, csvlog }]). One cluster is initialised once and restarted
// per prefix (pg-cluster.mjs reuses its data directory), so every line of a file, the server's own
// start/stop lines included, carries that file's prefix.
// Exit codes: 0 ok, 1 failure, 2 usage, 3 PostgreSQL server binaries not found.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import pg from 'pg';

const here = path.dirname(fileURLToPath(import.meta.url));
const clusterScript = path.join(here, 'pg-cluster.mjs');

const ESCAPES = ['a', 'u', 'd', 'r', 'h', 'b', 'p', 'P', 't', 'm', 'n', 'i', 'e', 'c', 'l', 's', 'v', 'x', 'q', 'Q', '%'];

/** The prefixes recorded, in a fixed order (the fixture ids are their positions). */
export const PREFIXES = [
  // every escape alone
  ...ESCAPES.map((e) => `%${e} `),
  // every escape after the PostgreSQL default
  ...ESCAPES.filter((e) => e !== 'm' && e !== 'p').map((e) => `%m [%p] %${e} `),
  // prefixes seen in the wild
  '%m [%p] ',
  '%m [%p] %q%u@%d ',
  '%m [%p] %q%u@%d/%a [%c] %x ',
  '%m [%p] %q%u@%d/%a [%c] %v ',
  '%m [%p] %q%u@%d/%a %c %v %x ',
  '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ',
  '%t:%r:%u@%d:[%p]:',
  '%m:%r:%u@%d:[%p]:',
  '%t [%p]: user=%u,db=%d,app=%a,client=%h ',
  '%m [%p-%l] %q%u@%d ',
  '< %m > ',
  '%n [%p] ',
  // separators people use, with free-text fields side by side
  '%m %p %u %d %a ',
  '%m:%p:%u:%d:%a:',
  '%m,%p,%u,%d,%a,',
  '%m|%p|%a|%u|%d| ',
  '%m [%p] %a@%u/%d ',
  '%m [%p] app=%a user=%u db=%d ',
  '%m [%p] %u@%d %a ',
  '%a %u %d %m [%p] ',
  '%m [%p] %q[%b] %u@%d %a: ',
  '%m [%c:%l] %q%u@%d %a %v %x ',
  '%m %c %v %x %a ',
  '%m [%p] %x/%v %a %u@%d ',
  '%s %m [%p] ',
  '%m [%p] %e %i %b ',
  '%m [%p] %r %u %d ',
  '%m [%P/%p] %Q ',
  '%t:%h:%u@%d:[%p]:',
  '%m [%10p] %-30a %u@%d ',
  '%m [%p] %l %% %a ',
  // `=` as the only separator: a value stands between two `=`, as a key's value does after one
  '%m=%p=%a=%u=%d ',
  '%t=%c=%u=%d=%a=%v ',
  '%m [%p] %u=%d=%a ',
  '%m;%p;%a;%u;%d; ',
  // %q before a bracket that opens the session fields: server processes' lines end at `] `, not inside `[user=`
  '%m [%p] %q(user=%u db=%d app=%a) ',
  '%t %p %q<%u/%d/%a> ',
];

function fail(code, msg) {
  process.stderr.write(`make-prefix-logs: ${msg}\n`);
  process.exit(code);
}

function cluster(args) {
  const r = spawnSync(process.execPath, [clusterScript, ...args], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    process.exit(r.status === 3 ? 3 : 1);
  }
  return r.stdout;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** 61 characters (PostgreSQL keeps 63): a fake duration line inside, to forge a statement in the log. */
export const FORGED_APP = 'x LOG:  duration: 99999 ms  statement: DROP TABLE t-- '.padEnd(61, 'z');
export const APPS = {
  setup: 'setup',
  billing: 'billing',
  odd: 'web worker/1 @eu [blue]',
  forged: FORGED_APP,
  reports: 'reports',
};

async function client(conn, application, over = {}) {
  const c = new pg.Client({ ...conn, ...over, ...(application === null ? {} : { application_name: application }) });
  await c.connect();
  return c;
}

/** A few sessions: setup, an N+1 loop in a transaction, autocommit work, a forged name, a long session. */
async function workload(info, first) {
  const conn = { host: info.host, port: info.port, user: info.user, database: info.database };
  const setup = await client(conn, APPS.setup);
  if (first) {
    await setup.query('CREATE ROLE alice LOGIN');
    await setup.query('CREATE DATABASE shop OWNER alice');
  }
  await setup.query('DROP TABLE IF EXISTS customers, orders');
  await setup.query('CREATE TABLE customers (id int PRIMARY KEY, name text)');
  await setup.query('CREATE TABLE orders (id int PRIMARY KEY, customer_id int, total int)');
  await setup.query("INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 5) g");
  await setup.query('INSERT INTO orders SELECT g, g, g * 10 FROM generate_series(1, 5) g');
  await setup.end();

  const billing = async () => {
    const c = await client(conn, APPS.billing);
    await c.query('BEGIN');
    const orders = await c.query('SELECT id, customer_id FROM orders ORDER BY id');
    for (const o of orders.rows) await c.query('SELECT name FROM customers WHERE id = $1', [o.customer_id]);
    await c.query('COMMIT');
    await c.end();
  };
  const odd = async () => {
    const c = await client({ ...conn, user: 'alice', database: 'shop' }, APPS.odd);
    await c.query('CREATE TABLE IF NOT EXISTS notes (id serial PRIMARY KEY, body text)');
    for (let i = 0; i < 3; i++) {
      await c.query('SELECT count(*) FROM notes');
      await sleep(5);
    }
    await c.query("INSERT INTO notes (body) VALUES ('hello')");
    await c.query('SELECT 1/0').catch(() => {});
    await c.end();
  };
  const forged = async () => {
    // over the unix socket: the client host is [local]
    const c = await client(conn, APPS.forged, { host: info.socketDir });
    await c.query('BEGIN');
    await c.query('SELECT total FROM orders WHERE id = 1');
    await c.query('UPDATE orders SET total = total + 1 WHERE id = 1');
    await c.query('COMMIT');
    await c.query('SELECT 42');
    await c.end();
  };
  const anonymous = async () => {
    const c = await client(conn, null);
    await c.query('SELECT now()');
    await c.end();
  };
  const reports = async () => {
    // longer than a second: %s (session start) and %t (log time) differ
    const c = await client({ ...conn, user: 'alice' }, APPS.reports);
    await c.query('SELECT pg_sleep(1.1)');
    await c.query('SELECT count(*) FROM pg_class');
    await c.end();
  };
  await Promise.all([billing(), odd(), forged(), anonymous(), reports()]);
  // let the backends write their disconnection lines before the server stops
  await sleep(200);
}

function gzipTo(src, dest) {
  fs.writeFileSync(dest, zlib.gzipSync(fs.readFileSync(src), { level: 9 }));
}

async function main() {
  const argv = process.argv.slice(2);
  let outdir = path.join(here, '..', 'tests', 'fixtures', 'prefixes');
  let only = null;
  let keep = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') only = new Set(argv[++i].split(',').map(Number));
    else if (a === '--keep') keep = true;
    else if (a.startsWith('--')) fail(2, `unknown option ${a}`);
    else outdir = path.resolve(a);
  }
  fs.mkdirSync(outdir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sqloupe-prefixes-'));
  const manifestPath = path.join(outdir, 'manifest.json');
  const manifest = fs.existsSync(manifestPath) ? JSON.parse(fs.readFileSync(manifestPath, 'utf8')) : [];
  let first = true;
  try {
    for (let id = 0; id < PREFIXES.length; id++) {
      if (only !== null && !only.has(id)) continue;
      const prefix = PREFIXES[id];
      const name = String(id).padStart(2, '0');
      const sets = [
        `log_line_prefix=${prefix}`,
        `log_filename=run-${name}.log`,
        'log_destination=stderr,csvlog',
        'compute_query_id=on',
      ].flatMap((s) => ['--set', s]);
      const info = JSON.parse(cluster(['start', work, ...sets]).trim().split('\n').pop());
      try {
        await workload(info, first);
        first = false;
      } finally {
        cluster(['stop', work]);
      }
      gzipTo(path.join(info.logDir, `run-${name}.log`), path.join(outdir, `${name}.log.gz`));
      gzipTo(path.join(info.logDir, `run-${name}.csv`), path.join(outdir, `${name}.csv.gz`));
      const entry = { id: name, prefix, stderr: `${name}.log.gz`, csvlog: `${name}.csv.gz` };
      const at = manifest.findIndex((m) => m.id === name);
      if (at >= 0) manifest[at] = entry;
      else manifest.push(entry);
      process.stderr.write(`${name} ${JSON.stringify(prefix)}\n`);
    }
  } finally {
    if (!keep) fs.rmSync(work, { recursive: true, force: true });
    else process.stderr.write(`make-prefix-logs: cluster kept in ${work}\n`);
  }
  manifest.sort((a, b) => a.id.localeCompare(b.id));
  fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
}

// importable for PREFIXES and APPS without recording anything
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main().catch((e) => fail(1, e.stack ?? String(e)));
