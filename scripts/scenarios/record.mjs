// What the scenario recorders (generate.mjs, peers.mjs) share: running a driver, gzipping what it wrote,
// concatenating the server's log files of one format, and the versions of the ORMs that ran.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/** Run a command; its stdout, or an error that names the command, its exit code and what it printed. */
export function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...opts });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${argv.map((a) => path.basename(a)).join(' ')} exited ${r.status}: ${r.stdout ?? ''}`);
  return r.stdout;
}

export function gzipTo(src, dest) {
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, zlib.gzipSync(fs.readFileSync(src), { level: 9 }));
}

/**
 * Concatenate the server's log files of one format (by name: the collector's rotation order) into dest,
 * gzipped; `scrub` = [text, replacement]: the throwaway directory's name, which the socket line shows.
 */
export function collect(logDir, ext, dest, scrub = null) {
  const files = fs.readdirSync(logDir).filter((f) => f.endsWith(ext)).sort();
  let buf = Buffer.concat(files.map((f) => fs.readFileSync(path.join(logDir, f))));
  if (scrub !== null) buf = Buffer.from(buf.toString('utf8').replaceAll(scrub[0], scrub[1]));
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.writeFileSync(dest, zlib.gzipSync(buf, { level: 9 }));
}

/** Versions of the Python and Ruby ORMs (and, with nodeModules, of the npm ones installed there). */
export function versions(nodeModules = null) {
  const v = {};
  const py = spawnSync('/usr/bin/python3', ['-c', 'import sqlalchemy, django, psycopg2; print(sqlalchemy.__version__, django.get_version(), psycopg2.__version__.split()[0])'], { encoding: 'utf8' });
  if (py.status === 0) [v.sqlalchemy, v.django, v.psycopg2] = py.stdout.trim().split(' ');
  const rb = spawnSync('ruby', ['-e', 'require "active_record"; require "pg"; puts ActiveRecord.version, PG::VERSION'], { encoding: 'utf8' });
  if (rb.status === 0) [v.activerecord, v['ruby-pg']] = rb.stdout.trim().split('\n');
  if (nodeModules !== null) {
    for (const m of ['sequelize', 'typeorm', 'pg']) v[m === 'pg' ? 'node-postgres' : m] = JSON.parse(fs.readFileSync(path.join(nodeModules, m, 'package.json'), 'utf8')).version;
  }
  return v;
}
