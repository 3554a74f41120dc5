#!/usr/bin/env node
// Produce real PostgreSQL 15 server logs (stderr, csvlog, jsonlog from the same events) and a
// ground truth, from a throwaway cluster and the workload in scripts/pg-workload.mjs.
//
//   node scripts/make-pg-logs.mjs <outdir> [--scenarios a,b,...] [--mode duration|statement|both]
//        [--web-requests N] [--seed N] [--set name=value ...] [--keep]
//
// Writes <outdir>/server.log, server.csv, server.json, truth.json.
//   --mode duration   log_min_duration_statement=0 (default): one `duration: … statement:|execute`
//                     line per statement (plus parse/bind duration lines for the extended protocol)
//   --mode statement  log_statement=all + log_duration=on, log_min_duration_statement=-1:
//                     `statement:`/`execute` lines, and separate `duration: X ms` lines
//   --mode both       log_statement=all + log_min_duration_statement=0 (duration lines then carry
//                     no statement text, since log_statement already logged it)
//   --set             extra server settings, passed to pg-cluster.mjs (e.g. a different log_line_prefix)
//   --keep            keep the cluster directory (printed) instead of deleting it
// Exit codes: 0 ok, 1 failure, 2 usage, 3 PostgreSQL server binaries not found.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { ALL_SCENARIOS, runWorkload } from './pg-workload.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const clusterScript = path.join(here, 'pg-cluster.mjs');

const MODES = {
  duration: ['log_min_duration_statement=0', 'log_statement=none', 'log_duration=off'],
  statement: ['log_min_duration_statement=-1', 'log_statement=all', 'log_duration=on'],
  both: ['log_min_duration_statement=0', 'log_statement=all', 'log_duration=off'],
};

function fail(code, msg) {
  process.stderr.write(`make-pg-logs: ${msg}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const o = { scenarios: ALL_SCENARIOS, mode: 'duration', sets: [], keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) fail(2, `${a} needs a value`);
      return v;
    };
    if (a === '--scenarios') o.scenarios = val().split(',').map((s) => s.trim()).filter(Boolean);
    else if (a === '--mode') o.mode = val();
    else if (a === '--web-requests') o.webRequests = Number(val());
    else if (a === '--seed') o.seed = Number(val());
    else if (a === '--set') o.sets.push(val());
    else if (a === '--keep') o.keep = true;
    else if (a.startsWith('--')) fail(2, `unknown option ${a}`);
    else if (!o.outdir) o.outdir = a;
    else fail(2, `unexpected argument ${a}`);
  }
  if (!o.outdir) {
    fail(2, 'usage: node scripts/make-pg-logs.mjs <outdir> [--scenarios a,b] [--mode duration|statement|both]');
  }
  if (!MODES[o.mode]) fail(2, `--mode must be one of ${Object.keys(MODES).join(', ')}`);
  for (const s of o.scenarios) if (!ALL_SCENARIOS.includes(s)) fail(2, `unknown scenario ${s}; known: ${ALL_SCENARIOS.join(', ')}`);
  return o;
}

function cluster(args, work) {
  const r = spawnSync(process.execPath, [clusterScript, ...args], { encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    if (args[0] === 'start') fs.rmSync(work, { recursive: true, force: true });
    process.exit(r.status === 3 ? 3 : 1);
  }
  return r.stdout;
}

/** Concatenate every log file with this extension (in name order; normally just one). */
function collect(logDir, ext, dest) {
  const files = fs
    .readdirSync(logDir)
    .filter((f) => f.endsWith(ext))
    .sort();
  if (files.length === 0) fail(1, `no *${ext} file in ${logDir}`);
  fs.writeFileSync(dest, '');
  for (const f of files) fs.appendFileSync(dest, fs.readFileSync(path.join(logDir, f)));
  return files.length;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const outdir = path.resolve(o.outdir);
  fs.mkdirSync(outdir, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sqloupe-pg-'));
  const sets = [...MODES[o.mode], ...o.sets];
  const setArgs = sets.flatMap((s) => ['--set', s]);
  const info = JSON.parse(cluster(['start', work, ...setArgs], work).trim().split('\n').pop());
  let truth;
  try {
    const options = { scenarios: o.scenarios };
    if (o.webRequests) options.webRequests = o.webRequests;
    if (o.seed !== undefined) options.seed = o.seed;
    truth = await runWorkload({ host: info.host, port: info.port, user: info.user, database: info.database }, options);
  } finally {
    cluster(['stop', work], work);
  }
  collect(info.logDir, '.log', path.join(outdir, 'server.log'));
  collect(info.logDir, '.csv', path.join(outdir, 'server.csv'));
  collect(info.logDir, '.json', path.join(outdir, 'server.json'));
  const settingsText = fs.readFileSync(path.join(info.dataDir, 'sqloupe.conf'), 'utf8');
  const settings = {};
  for (const line of settingsText.split('\n')) {
    const m = /^(\w+) = '(.*)'$/.exec(line);
    if (m && !['port', 'unix_socket_directories', 'log_directory', 'listen_addresses'].includes(m[1])) {
      settings[m[1]] = m[2].replace(/''/g, "'");
    }
  }
  const full = {
    ...truth,
    mode: o.mode,
    serverVersion: info.version,
    settings,
    files: { stderr: 'server.log', csvlog: 'server.csv', jsonlog: 'server.json' },
    // what a correct parser should count in each mode (see samples/README.md)
    expectedCounts: {
      statements: truth.totals.statements,
      // log_statement=all logs a statement before running it, so failed ones are logged too
      loggedStatements: o.mode === 'duration' ? truth.totals.statements : truth.totals.calls,
      errors: truth.totals.failed,
      sessions: truth.totals.sessions,
    },
  };
  fs.writeFileSync(path.join(outdir, 'truth.json'), JSON.stringify(full, null, 2) + '\n');
  if (o.keep) process.stderr.write(`make-pg-logs: cluster kept in ${work}\n`);
  else fs.rmSync(work, { recursive: true, force: true });
  process.stdout.write(
    JSON.stringify({ outdir, mode: o.mode, statements: truth.totals.statements, seconds: (Date.now() - started) / 1000 }) + '\n',
  );
}

main().catch((e) => fail(1, e.stack ?? String(e)));
