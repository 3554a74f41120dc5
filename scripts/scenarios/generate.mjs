#!/usr/bin/env node
// Record the accuracy scenarios once: real PostgreSQL 15 server logs (stderr, csvlog, jsonlog from the
// same run) and each ORM's own statement log, with the ground truth, into tests/fixtures/accuracy/.
//
//   node scripts/scenarios/generate.mjs [--out DIR] [--orms a,b] [--only s01,s02] [--keep]
//   node scripts/scenarios/generate.mjs --variant heldout --out tests/fixtures/heldout
//
// --variant heldout records the held-out design (design.mjs HELDOUT: other loop sizes, seeds, pool and
// log_line_prefixes, other pairings of the dimensions); it needs --out, so the default set is never overwritten.
// One throwaway cluster per log_line_prefix (scripts/pg-cluster.mjs); the scenarios of that prefix run
// one ORM at a time (drivers/*), each scenario as a positive (the loop) and a negative control (the
// set-based or eager form), each with its own application_name. Everything written is gzipped.
// Needs: PostgreSQL 15 server binaries, /usr/bin/python3 with python3-sqlalchemy, python3-django and
// python3-psycopg2, ruby with ruby-activerecord and ruby-pg, and `npm ci` in scripts/orm/node.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { LOOP_KINDS, SHAPES, appName, buildScenarios, designOf } from './design.mjs';
import { collect, gzipTo, run, versions } from './record.mjs';
import { SCHEMA, seedStatements } from './schema.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const require = createRequire(path.join(root, 'scripts/orm/node/package.json'));
const pg = require('pg');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const out = path.resolve(opt('--out', path.join(root, 'tests/fixtures/accuracy')));
const onlyOrms = opt('--orms', null)?.split(',');
const onlyIds = opt('--only', null)?.split(',');
const keep = args.includes('--keep');
const variant = opt('--variant', 'default');
if ((onlyOrms || onlyIds) && !args.includes('--out')) {
  process.stderr.write('generate: --orms/--only record a subset: give it its own --out DIR (the committed truth.json covers every scenario)\n');
  process.exit(2);
}
if (variant !== 'default' && !args.includes('--out')) {
  process.stderr.write(`generate: --variant ${variant} needs its own --out DIR (tests/fixtures/accuracy holds the default design)\n`);
  process.exit(2);
}
const { sizes: SIZES, prefixes: PREFIXES, pool: POOL } = designOf(variant);

const DRIVERS = {
  pg: [process.execPath, [path.join(here, 'drivers/pg.mjs')]],
  sequelize: [process.execPath, [path.join(here, 'drivers/sequelize.mjs')]],
  typeorm: [process.execPath, [path.join(here, 'drivers/typeorm.mjs')]],
  sqlalchemy: ['/usr/bin/python3', [path.join(here, 'drivers/sqlalchemy_driver.py')]],
  django: ['/usr/bin/python3', [path.join(here, 'drivers/django_driver.py')]],
  activerecord: ['ruby', [path.join(here, 'drivers/activerecord_driver.rb')]],
};

async function seed(info) {
  const c = new pg.Client({ host: info.host, port: info.port, user: info.user, database: info.database, application_name: 'acc-seed' });
  await c.connect();
  await c.query(SCHEMA);
  for (const s of seedStatements(SIZES)) await c.query(s);
  const dist = {};
  for (const k of SIZES) {
    const r = await c.query('SELECT count(DISTINCT holder_id) AS h, count(DISTINCT series_id) AS s FROM debentures WHERE batch = $1', [k]);
    dist[k] = { holders: Number(r.rows[0].h), series: Number(r.rows[0].s) };
  }
  await c.end();
  return dist;
}

/** The findings a positive scenario must raise. */
function expected(sc, dist) {
  return SHAPES[sc.shape].expect.map(([kind, table]) => {
    let repeats = sc.size;
    if (sc.shape === 'two-relations') repeats = dist[sc.size][table === 'holders' ? 'holders' : 'series'];
    return { kind, table, repeats };
  });
}

async function main() {
  let scenarios = buildScenarios({ variant });
  if (onlyOrms) scenarios = scenarios.filter((s) => onlyOrms.includes(s.orm));
  if (onlyIds) scenarios = scenarios.filter((s) => onlyIds.includes(s.id));
  fs.mkdirSync(out, { recursive: true });
  const truth = {
    description: `Ground truth of the ${variant === 'heldout' ? 'held-out ' : ''}accuracy scenarios (scripts/scenarios/design.mjs${variant === 'heldout' ? ", buildScenarios({ variant: 'heldout' })" : ''}): per scenario the findings the positive application must raise, and the negative application that must raise no loop finding.`,
    generated: new Date().toISOString().slice(0, 10),
    loopKinds: [...LOOP_KINDS],
    pool: POOL,
    ...(variant === 'default' ? {} : { variant }),
    versions: versions(path.join(root, 'scripts/orm/node/node_modules')),
    batches: {},
    negatives: ['acc-seed'],
    scenarios: [],
  };
  for (const p of PREFIXES) {
    const batch = scenarios.filter((s) => s.prefix === p.id);
    if (batch.length === 0) continue;
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sqloupe-acc-'));
    fs.chmodSync(work, 0o755);
    const ormDir = path.join(work, 'orm');
    fs.mkdirSync(ormDir, { recursive: true });
    fs.chmodSync(ormDir, 0o777);
    const info = JSON.parse(run(process.execPath, [path.join(root, 'scripts/pg-cluster.mjs'), 'start', path.join(work, 'pg'), '--set', `log_line_prefix=${p.prefix}`]).trim().split('\n').pop());
    process.stderr.write(`generate: ${p.id} '${p.prefix}' PostgreSQL ${info.version} on ${info.port}, ${batch.length} scenarios\n`);
    let dist;
    try {
      dist = await seed(info);
      for (const orm of Object.keys(DRIVERS)) {
        const mine = batch.filter((s) => s.orm === orm);
        if (mine.length === 0) continue;
        const runs = [];
        for (const s of mine) {
          for (const role of s.negativeOnly ? ['neg'] : ['pos', 'neg']) {
            const app = appName(s, role);
            runs.push({ ...s, role, app, poolSize: POOL.connections, ormLog: orm === 'pg' ? null : path.join(ormDir, `${app}.log`) });
          }
        }
        const specPath = path.join(work, `${orm}.spec.json`);
        const results = path.join(work, `${orm}.results.json`);
        fs.writeFileSync(specPath, JSON.stringify({ pg: info, pool: POOL, results, scenarios: runs }, null, 2));
        const [cmd, pre] = DRIVERS[orm];
        const t0 = Date.now();
        run(cmd, [...pre, specPath], { cwd: path.join(root, 'scripts/orm/node') });
        process.stderr.write(`generate: ${p.id} ${orm} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
        const res = JSON.parse(fs.readFileSync(results, 'utf8'));
        for (const s of mine) {
          const entry = { id: s.id, orm: s.orm, shape: s.shape, connection: s.connection, rhythm: s.rhythm, size: s.size, prefix: s.prefix, apps: {}, ormLogs: {}, iterations: {} };
          for (const role of s.negativeOnly ? ['neg'] : ['pos', 'neg']) {
            const app = appName(s, role);
            entry.apps[role] = app;
            entry.iterations[role] = res[app]?.iterations ?? null;
            const src = path.join(ormDir, `${app}.log`);
            if (orm !== 'pg' && fs.existsSync(src)) {
              const rel = `${p.id}/orm/${app}.log.gz`;
              gzipTo(src, path.join(out, rel));
              entry.ormLogs[role] = rel;
            }
            if (role === 'neg') truth.negatives.push(app);
          }
          entry.expected = s.negativeOnly ? [] : expected(s, dist);
          entry.control = s.negativeOnly ? 'pooled traffic: independent requests, each one parent and one lookup' : SHAPES[s.shape].control;
          truth.scenarios.push(entry);
        }
      }
      await new Promise((r) => setTimeout(r, 1000)); // the logging collector writes asynchronously
    } finally {
      run(process.execPath, [path.join(root, 'scripts/pg-cluster.mjs'), 'stop', path.join(work, 'pg')]);
    }
    const files = { stderr: `${p.id}/server.log.gz`, csvlog: `${p.id}/server.csv.gz`, jsonlog: `${p.id}/server.json.gz` };
    // the throwaway directory's name (the socket line shows it) is replaced by a fixed one
    const scrub = [work, '/tmp/sqloupe-acc'];
    collect(info.logDir, '.log', path.join(out, files.stderr), scrub);
    collect(info.logDir, '.csv', path.join(out, files.csvlog), scrub);
    collect(info.logDir, '.json', path.join(out, files.jsonlog), scrub);
    truth.batches[p.id] = { prefix: p.prefix, serverVersion: info.version, files };
    if (keep) process.stderr.write(`generate: kept ${work}\n`);
    else fs.rmSync(work, { recursive: true, force: true });
  }
  truth.scenarios.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
  fs.writeFileSync(path.join(out, 'truth.json'), JSON.stringify(truth, null, 2) + '\n');
  process.stderr.write(`generate: wrote ${out}/truth.json, ${truth.scenarios.length} scenarios\n`);
}

main().catch((e) => {
  process.stderr.write(`generate: ${e.stack ?? e}\n`);
  process.exit(1);
});
