#!/usr/bin/env node
// Record the real PostgreSQL logs the tests read, once, into tests/fixtures/pg-recorded/<preset>/.
//
//   npm run record-pg-logs                  # every preset in tests/fixtures/pg-recorded/presets.json
//   npm run record-pg-logs -- default both  # only these
//   node scripts/record-pg-logs.mjs [preset ...] [--attempts N] [--no-check]
//   node scripts/record-pg-logs.mjs <preset> --from <dir>   # adopt a make-pg-logs.mjs output made elsewhere
//
// Each preset is one scripts/make-pg-logs.mjs run (a throwaway PostgreSQL 15 cluster and the workload
// of scripts/pg-workload.mjs) with the options in presets.json. The logs the preset lists under "files"
// are written gzipped (server.log.gz, server.csv.gz, server.json.gz; the CLI reads gzip, tests gunzip
// in memory), with truth.json and recording.json (how and with what it was made).
//
// The workload's timing is real, so a recording made on a busy machine can differ from what its truth
// says the client did (e.g. the 12 lookups of the Promise.all fan-out no longer start together). Unless
// --no-check, each recording is checked before it is kept: the built CLI (dist/, so build first) must find
// exactly the loops the truth planted, with the planted occurrences and repeats, and the stderr log must
// hold one statement per statement the client executed. A recording that fails is made again (up to
// --attempts, default 5); the fixture is only replaced by a recording that passes.
// Exit codes: 0 ok, 1 a preset could not be recorded, 2 usage, 3 PostgreSQL server binaries not found.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = path.join(root, 'tests', 'fixtures', 'pg-recorded');
const PRESETS = JSON.parse(fs.readFileSync(path.join(fixtures, 'presets.json'), 'utf8'));
const EXT = { log: 'log', csv: 'csv', json: 'json' };
const BIN = path.join(root, 'bin', 'sqloupe.js');
/** A fan-out over pooled connections shows only in sub-second times: a %t prefix cannot show it (as in the tests). */
const NEEDS_MILLISECONDS = new Set(['gateway']);

function fail(code, msg) {
  process.stderr.write(`record-pg-logs: ${msg}\n`);
  process.exit(code);
}

function parseArgs(argv) {
  const o = { presets: [], attempts: 5, check: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--attempts') o.attempts = Number(argv[++i]);
    else if (a === '--no-check') o.check = false;
    else if (a === '--from') o.from = argv[++i];
    else if (a.startsWith('--')) fail(2, `unknown option ${a}`);
    else if (!PRESETS[a]) fail(2, `unknown preset ${a}; known: ${Object.keys(PRESETS).join(', ')}`);
    else o.presets.push(a);
  }
  if (!Number.isInteger(o.attempts) || o.attempts < 1) fail(2, '--attempts needs a positive integer');
  if (o.from !== undefined && o.presets.length !== 1) fail(2, '--from DIR takes exactly one preset');
  if (o.presets.length === 0) o.presets = Object.keys(PRESETS);
  return o;
}

function generatorArgs(p) {
  const args = ['--mode', p.mode ?? 'duration'];
  if (p.scenarios) args.push('--scenarios', p.scenarios.join(','));
  for (const s of p.sets ?? []) args.push('--set', s);
  if (p.webRequests !== undefined) args.push('--web-requests', String(p.webRequests));
  if (p.seed !== undefined) args.push('--seed', String(p.seed));
  return args;
}

function serverVersion() {
  const dirs = process.env.PG_BINDIR
    ? [process.env.PG_BINDIR]
    : fs
        .readdirSync('/usr/lib/postgresql')
        .filter((v) => Number(v) >= 15)
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => `/usr/lib/postgresql/${v}/bin`);
  for (const d of dirs) {
    const r = spawnSync(path.join(d, 'postgres'), ['--version'], { encoding: 'utf8' });
    if (r.status === 0) return r.stdout.trim();
  }
  return 'unknown';
}

const key = (kind, table, app) => `${kind} ${table} ${app}`;

/** Why this recording does not show what its truth says the client did, or null when it does. */
function check(dir, truth, preset) {
  const r = spawnSync(process.execPath, [BIN, path.join(dir, 'server.log'), '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.status !== 0 && r.status !== 1) return `sqloupe exited ${r.status}: ${r.stderr.trim()}`;
  const report = JSON.parse(r.stdout);
  const wholeSeconds = /^log_line_prefix=%t/.test((PRESETS[preset].sets ?? []).join(' '));
  const want = truth.expectedFindings
    .filter((e) => !(wholeSeconds && NEEDS_MILLISECONDS.has(e.application)))
    .map((e) => key(e.kind, e.table, e.application))
    .sort();
  const got = report.findings.map((f) => key(f.kind, f.tables[0] ?? '', f.applications.join(','))).sort();
  if (JSON.stringify(got) !== JSON.stringify(want)) return `findings ${JSON.stringify(got)}, planted ${JSON.stringify(want)}`;
  for (const f of report.findings) {
    const t = truth.expectedFindings.find((e) => e.kind === f.kind && e.table === f.tables[0]);
    const what = `${f.kind} on ${f.tables[0]}`;
    if (f.occurrences !== t.occurrences || f.repeats < t.minRepeats || f.repeats > t.maxRepeats) {
      return `${what}: ${f.repeats} × ${f.occurrences}, planted ${t.minRepeats}–${t.maxRepeats} × ${t.occurrences}`;
    }
    // the timing the workload meant: a loop right after the query that supplies its keys, the web
    // lookups back to back, the Promise.all lookups started together on the pool's connections
    const basis = f.evidence.basis.join(' | ');
    if (t.parentTable && !/after its parent query, SELECT at /.test(basis)) return `${what}: no parent query in its evidence (${basis})`;
    if (t.application === 'web' && !/back to back in autocommit/.test(basis)) return `${what}: not back to back (${basis})`;
    if (t.application === 'gateway' && (f.units[0]?.kind !== 'fan-out' || !/^fanned out over pooled connections /.test(basis))) {
      return `${what}: not one fan-out (${basis})`;
    }
  }
  // with durations alone, every call is one statement: executed ones by their duration line, failed ones by their
  // error's STATEMENT line (the report counts both)
  if (truth.mode === 'duration' && report.summary.statements !== truth.totals.calls) {
    return `${report.summary.statements} statements, the client made ${truth.totals.calls} calls`;
  }
  return null;
}

/** Why a make-pg-logs output directory was not made with this preset's command, or null. */
function madeWith(truth, preset) {
  const p = PRESETS[preset];
  if (truth.mode !== (p.mode ?? 'duration')) return `mode ${truth.mode}, the preset's is ${p.mode}`;
  const ran = Object.keys(truth.scenarios).filter((s) => s !== 'setup').sort();
  if (p.scenarios && JSON.stringify(ran) !== JSON.stringify([...p.scenarios].sort())) return `scenarios ${ran.join(',')}`;
  for (const set of p.sets ?? []) {
    const [name, ...rest] = set.split('=');
    if (truth.settings[name] !== rest.join('=')) return `${name} = '${truth.settings[name]}', the preset sets '${rest.join('=')}'`;
  }
  if (!p.sets?.some((x) => x.startsWith('log_line_prefix=')) && truth.settings.log_line_prefix !== '%m [%p] %q%u@%d/%a [%c] %x ') return 'another log_line_prefix';
  const web = truth.scenarios['pooled-web'];
  if (web && web.requests !== (p.webRequests ?? 300)) return `${web.requests} web requests`;
  if (truth.seed !== (p.seed ?? 42)) return `seed ${truth.seed}`;
  return null;
}

/** Replace the preset's fixture with the make-pg-logs output in `dir`. */
function keep(preset, dir, info) {
  const p = PRESETS[preset];
  const truth = JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8'));
  const out = path.join(fixtures, preset);
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const written = [];
  for (const f of p.files) {
    const name = `server.${EXT[f]}`;
    // gzip's header carries no name and no time here, so the same log gives the same bytes
    fs.writeFileSync(path.join(out, `${name}.gz`), gzipSync(fs.readFileSync(path.join(dir, name)), { level: 9 }));
    written.push(`${name}.gz`);
  }
  fs.copyFileSync(path.join(dir, 'truth.json'), path.join(out, 'truth.json'));
  const args = generatorArgs(p);
  const recording = {
    preset,
    description: p.description,
    command: `node scripts/make-pg-logs.mjs <dir> ${args.map((a) => (/[\s%']/.test(a) ? `'${a}'` : a)).join(' ')}`,
    server: info.server,
    recordedAt: truth.scenarios.setup?.startedAt ?? null,
    checked: info.checked,
    ...(info.attempt ? { attempt: info.attempt } : {}),
    files: written,
  };
  fs.writeFileSync(path.join(out, 'recording.json'), JSON.stringify(recording, null, 2) + '\n');
  const bytes = written.reduce((a, f) => a + fs.statSync(path.join(out, f)).size, 0);
  process.stdout.write(`${preset}: ${truth.totals.statements} statements, ${written.join(' ')} (${(bytes / 1024).toFixed(0)} KiB gzipped)${info.attempt ? `, attempt ${info.attempt}` : ''}\n`);
}

/** Record a preset; false when no attempt matched its truth. */
/**
 * A preset with "locale" runs the server with lc_messages in that language: PostgreSQL only translates when the
 * C library has the locale, which a minimal Debian lacks; localedef builds it from the i18n sources.
 */
function ensureLocale(name) {
  const have = spawnSync('locale', ['-a'], { encoding: 'utf8' }).stdout ?? '';
  // glibc lists ru_RU.UTF-8 as ru_RU.utf8
  if (have.split('\n').some((l) => l.toLowerCase() === `${name.toLowerCase()}.utf8`)) return;
  const r = spawnSync('localedef', ['-i', name, '-f', 'UTF-8', `${name}.UTF-8`], { encoding: 'utf8' });
  if (r.status !== 0) fail(1, `the ${name}.UTF-8 locale is missing and localedef could not build it (${(r.stderr || r.error?.message || '').trim()}); it needs root and the locales data`);
}

function record(preset, o, version) {
  if (PRESETS[preset].locale) ensureLocale(PRESETS[preset].locale);
  const args = generatorArgs(PRESETS[preset]);
  for (let attempt = 1; attempt <= o.attempts; attempt++) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `sqloupe-record-${preset}-`));
    try {
      const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'make-pg-logs.mjs'), tmp, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
      if (r.status === 3) fail(3, 'PostgreSQL 15 server binaries are missing (node scripts/ensure-postgres.mjs installs them)');
      if (r.status !== 0) fail(1, `make-pg-logs.mjs ${args.join(' ')} failed (${r.status})`);
      const truth = JSON.parse(fs.readFileSync(path.join(tmp, 'truth.json'), 'utf8'));
      const why = o.check ? check(tmp, truth, preset) : null;
      if (why !== null) {
        process.stderr.write(`record-pg-logs: ${preset}: attempt ${attempt} of ${o.attempts} does not match its truth (${why})\n`);
        continue;
      }
      keep(preset, tmp, { server: version, checked: o.check, attempt });
      return true;
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  process.stderr.write(`record-pg-logs: ${preset}: no recording out of ${o.attempts} matched its truth; its fixture was left as it was\n`);
  return false;
}

/** Take a make-pg-logs output directory made elsewhere (a quieter machine) as the preset's recording, after the same check. */
function adopt(preset, dir, o, version) {
  for (const f of ['truth.json', ...PRESETS[preset].files.map((k) => `server.${EXT[k]}`)]) {
    if (!fs.existsSync(path.join(dir, f))) fail(1, `${dir} has no ${f}: give the output directory of scripts/make-pg-logs.mjs`);
  }
  const truth = JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8'));
  const other = madeWith(truth, preset);
  if (other !== null) fail(1, `${dir} was not made with the command of preset ${preset}: ${other}`);
  const why = o.check ? check(dir, truth, preset) : null;
  if (why !== null) {
    process.stderr.write(`record-pg-logs: ${preset}: ${dir} does not match its truth (${why})\n`);
    return false;
  }
  const server = Number(version.match(/\) (\d+)/)?.[1]) === truth.serverVersion ? version : `PostgreSQL ${truth.serverVersion}`;
  keep(preset, dir, { server, checked: o.check });
  return true;
}

const o = parseArgs(process.argv.slice(2));
if (o.check && !fs.existsSync(path.join(root, 'dist'))) fail(2, 'the check runs the built CLI: npm run build first (or pass --no-check)');
// The workload's client, the cluster and its backends inherit this priority: on a machine busy with other
// work a recording then keeps the workload's timing (a fan-out's 12 lookups within a few ms of their parent
// query) instead of being stretched by the scheduler. Only root may raise it; others record as they are.
try {
  os.setPriority(0, -20);
} catch {
  process.stderr.write('record-pg-logs: recording at normal priority (raising it needs root); on a busy machine more attempts may fail the check\n');
}
const version = serverVersion();
let ok = true;
if (o.from !== undefined) ok = adopt(o.presets[0], path.resolve(o.from), o, version);
// one preset at a time: concurrent clusters on a small machine are what splits the workload's timing
else for (const preset of o.presets) ok = record(preset, o, version) && ok;
process.exit(ok ? 0 : 1);
