#!/usr/bin/env node
// Throwaway PostgreSQL (15+) cluster for producing real server logs.
//
//   node scripts/pg-cluster.mjs start <dir> [--set name=value ...]
//     initdb into <dir>/data (unless it already exists), create database `app`,
//     write the logging settings, start on a free 127.0.0.1 port, print one JSON line:
//     {"port","host","user","database","dataDir","logDir","socketDir","bindir","version"}
//   node scripts/pg-cluster.mjs stop <dir>
//     pg_ctl stop -m fast; the logs in <dir>/log are kept.
//
// Exit codes: 0 ok, 1 failure, 2 usage, 3 PostgreSQL server binaries not found.
//
// The server refuses to run as root, so when we are root it runs as the `postgres`
// system user (created with `useradd -r` if missing) via `runuser -u postgres --`.
// Clients connect over TCP as the `postgres` superuser with trust authentication.
// The database `app` is created in single-user mode before the server starts, so the
// cluster bootstrap leaves no client statements in the logs: everything in <dir>/log
// comes from the workload.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import process from 'node:process';

const SUPERUSER = 'postgres';
const DATABASE = 'app';
const MIN_MAJOR = 15;

/** Settings applied unless overridden with --set. Values are written quoted. */
function defaultSettings(logDir) {
  return {
    logging_collector: 'on',
    log_destination: 'stderr,csvlog,jsonlog',
    log_directory: logDir,
    log_filename: 'postgresql-%Y-%m-%d_%H%M%S.log',
    log_file_mode: '0644',
    log_rotation_age: '0',
    log_rotation_size: '0',
    log_min_duration_statement: '0',
    log_line_prefix: '%m [%p] %q%u@%d/%a [%c] %x ',
    lc_messages: 'C',
    log_connections: 'on',
    log_disconnections: 'on',
    log_timezone: 'UTC',
    timezone: 'UTC',
    // keep the server quiet and small
    log_checkpoints: 'off',
    log_autovacuum_min_duration: '-1',
    autovacuum: 'off',
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    shared_buffers: '32MB',
    max_connections: '50',
  };
}

function die(code, msg) {
  process.stderr.write(`pg-cluster: ${msg}\n`);
  process.exit(code);
}

function usage() {
  die(2, 'usage: node scripts/pg-cluster.mjs start <dir> [--set name=value ...] | stop <dir>');
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error) return { status: 127, stdout: '', stderr: String(r.error.message) };
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Run a server binary, as the postgres system user when we are root. */
function runAsServerUser(bin, args, opts = {}) {
  if (isRoot) return run('runuser', ['-u', SUPERUSER, '--', bin, ...args], opts);
  return run(bin, args, opts);
}

function majorOf(bindir) {
  const r = run(path.join(bindir, 'postgres'), ['--version']);
  if (r.status !== 0) return 0;
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(r.stdout) ?? /(\d+)(?:\.(\d+))?/.exec(r.stdout);
  return m ? Number(m[1]) : 0;
}

function hasServer(dir) {
  return (
    !!dir &&
    fs.existsSync(path.join(dir, 'postgres')) &&
    fs.existsSync(path.join(dir, 'initdb')) &&
    fs.existsSync(path.join(dir, 'pg_ctl'))
  );
}

/** pg_config --bindir if it holds a 15+ server, else the newest /usr/lib/postgresql/<v>/bin. */
function findBindir() {
  const candidates = [];
  if (process.env.PG_BINDIR) candidates.push(process.env.PG_BINDIR);
  const pc = run('pg_config', ['--bindir']);
  if (pc.status === 0) candidates.push(pc.stdout.trim());
  const base = '/usr/lib/postgresql';
  if (fs.existsSync(base)) {
    const versions = fs
      .readdirSync(base)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(path.join(base, v, 'bin'));
  }
  for (const dir of candidates) {
    if (!hasServer(dir)) continue;
    const major = majorOf(dir);
    if (major >= MIN_MAJOR) return { bindir: dir, major };
  }
  die(
    3,
    `no PostgreSQL ${MIN_MAJOR}+ server binaries found (pg_config --bindir, /usr/lib/postgresql/*/bin); ` +
      'install them: apt-get update && apt-get install -y postgresql-15',
  );
}

function ensureServerUser() {
  if (!isRoot) return;
  if (run('id', ['-u', SUPERUSER]).status === 0) return;
  const r = run('useradd', ['-r', '-M', '-s', '/usr/sbin/nologin', SUPERUSER]);
  if (r.status !== 0) die(1, `could not create system user ${SUPERUSER}: ${r.stderr.trim()}`);
}

function chownToServerUser(p) {
  if (!isRoot) return;
  const r = run('chown', ['-R', `${SUPERUSER}:`, p]);
  if (r.status !== 0) die(1, `chown ${p}: ${r.stderr.trim()}`);
}

/** The server user must be able to reach <dir>: every parent needs o+x. */
function checkTraversable(dir) {
  if (!isRoot) return;
  let p = path.dirname(dir);
  while (true) {
    const st = fs.statSync(p);
    if ((st.mode & 0o001) === 0) {
      die(1, `${p} is not searchable by the ${SUPERUSER} user (chmod o+x it, or use a directory under /tmp)`);
    }
    const parent = path.dirname(p);
    if (parent === p) break;
    p = parent;
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function quoteConf(value) {
  let v = String(value);
  if (v.length >= 2 && v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1).replace(/''/g, "'");
  return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function parseSets(args) {
  const sets = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    let spec;
    if (a === '--set') spec = args[++i];
    else if (a.startsWith('--set=')) spec = a.slice(6);
    else usage();
    if (!spec || !spec.includes('=')) die(2, `--set expects name=value, got ${spec ?? '(nothing)'}`);
    const eq = spec.indexOf('=');
    const name = spec.slice(0, eq).trim();
    if (!/^[a-z_][a-z0-9_.]*$/i.test(name)) die(2, `bad setting name: ${name}`);
    sets[name] = spec.slice(eq + 1);
  }
  return sets;
}

function layout(dirArg) {
  const dir = path.resolve(dirArg);
  return {
    dir,
    dataDir: path.join(dir, 'data'),
    logDir: path.join(dir, 'log'),
    socketDir: dir,
    startupLog: path.join(dir, 'startup.log'),
    infoFile: path.join(dir, 'cluster.json'),
  };
}

async function start(dirArg, rest) {
  const sets = parseSets(rest);
  const { bindir, major } = findBindir();
  const L = layout(dirArg);
  ensureServerUser();
  fs.mkdirSync(L.dir, { recursive: true });
  checkTraversable(L.dir);
  fs.mkdirSync(L.logDir, { recursive: true });
  chownToServerUser(L.dir);

  if (fs.existsSync(path.join(L.dataDir, 'postmaster.pid'))) {
    die(1, `a server seems to be running in ${L.dataDir}; run: node scripts/pg-cluster.mjs stop ${dirArg}`);
  }

  if (!fs.existsSync(path.join(L.dataDir, 'PG_VERSION'))) {
    const init = runAsServerUser(path.join(bindir, 'initdb'), [
      '-D', L.dataDir, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync',
    ]);
    if (init.status !== 0) die(1, `initdb failed:\n${init.stderr || init.stdout}`);
    // Create the database in single-user mode: no client session, nothing in the logs.
    const single = runAsServerUser(
      path.join(bindir, 'postgres'),
      ['--single', '-D', L.dataDir, '-c', 'log_min_duration_statement=-1', '-c', 'logging_collector=off', 'postgres'],
      { input: `CREATE DATABASE ${DATABASE};\n` },
    );
    if (single.status !== 0 || /ERROR/.test(single.stderr + single.stdout)) {
      die(1, `creating database ${DATABASE} failed:\n${single.stderr || single.stdout}`);
    }
  }

  const settings = { ...defaultSettings(L.logDir), ...sets };
  const confLines = ['# written by scripts/pg-cluster.mjs on every start'];

  let lastErr = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort();
    const all = {
      listen_addresses: '127.0.0.1',
      port: String(port),
      unix_socket_directories: L.socketDir,
      ...settings,
    };
    const text = [...confLines, ...Object.entries(all).map(([k, v]) => `${k} = ${quoteConf(v)}`)].join('\n') + '\n';
    fs.writeFileSync(path.join(L.dataDir, 'sqloupe.conf'), text);
    const mainConf = path.join(L.dataDir, 'postgresql.conf');
    const main = fs.readFileSync(mainConf, 'utf8');
    if (!main.includes("include 'sqloupe.conf'")) fs.appendFileSync(mainConf, "\ninclude 'sqloupe.conf'\n");
    chownToServerUser(L.dir);

    const r = runAsServerUser(path.join(bindir, 'pg_ctl'), [
      '-D', L.dataDir, '-l', L.startupLog, '-w', '-t', '60', 'start',
    ]);
    if (r.status === 0) {
      const info = {
        port,
        host: '127.0.0.1',
        user: SUPERUSER,
        database: DATABASE,
        dataDir: L.dataDir,
        logDir: L.logDir,
        socketDir: L.socketDir,
        bindir,
        version: major,
      };
      fs.writeFileSync(L.infoFile, JSON.stringify(info) + '\n');
      process.stdout.write(JSON.stringify(info) + '\n');
      return;
    }
    lastErr = (fs.existsSync(L.startupLog) ? fs.readFileSync(L.startupLog, 'utf8') : '') + r.stderr;
    if (!/could not bind|Address already in use|could not create any TCP/i.test(lastErr)) break;
  }
  die(1, `pg_ctl start failed:\n${lastErr.trim().split('\n').slice(-15).join('\n')}`);
}

function stop(dirArg) {
  const L = layout(dirArg);
  if (!fs.existsSync(path.join(L.dataDir, 'postmaster.pid'))) {
    process.stderr.write(`pg-cluster: no server running in ${L.dataDir}\n`);
    return;
  }
  const { bindir } = findBindir();
  const r = runAsServerUser(path.join(bindir, 'pg_ctl'), ['-D', L.dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']);
  if (r.status !== 0) die(1, `pg_ctl stop failed: ${(r.stderr || r.stdout).trim()}`);
}

const [cmd, dir, ...rest] = process.argv.slice(2);
if (!cmd || !dir) usage();
if (cmd === 'start') await start(dir, rest);
else if (cmd === 'stop') stop(dir);
else usage();
