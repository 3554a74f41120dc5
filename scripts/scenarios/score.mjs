#!/usr/bin/env node
// Score sqloupe against the recorded accuracy scenarios (tests/fixtures/accuracy, made by generate.mjs).
//
//   node scripts/scenarios/score.mjs [--json] [--write-baseline] [--fixtures DIR]
//
// Runs `node bin/sqloupe.js --format json` on every recorded log: each server log (stderr, csvlog,
// jsonlog) on its own, and the ORM logs in a few runs that never hold two logs of the same ORM and role
// sharing a shape or a looked-up table (so a finding's units name the one file it came from; each run
// on its own with --isolated, slower). Builds first
// when dist/ is missing or older than src/. Then matches findings to the ground truth:
//   found       a finding of the expected kind on the expected table for the scenario's application
//   wrong kind  no such finding, but one of another loop kind on that table (e.g. aggregate-loop for n-plus-one)
//   missed      neither
//   false       a loop finding on a negative control's application, or on a positive's application but
//               on none of the tables its loop touches
// and prints recall and false findings per dimension value and overall, and the misses.
// --json prints the result as JSON instead; --no-write never touches the baseline; --min-repeats N passes
// sqloupe's threshold on (and never writes); --write-baseline writes tests/fixtures/accuracy/baseline.json
// (without it the baseline is written only when no number got worse than the committed one).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const args = process.argv.slice(2);
const fixtures = path.resolve(args.includes('--fixtures') ? args[args.indexOf('--fixtures') + 1] : path.join(root, 'tests/fixtures/accuracy'));
const asJson = args.includes('--json');
const writeBaseline = args.includes('--write-baseline');
const noWrite = args.includes('--no-write');
const isolated = args.includes('--isolated');
// --min-repeats N: pass sqloupe's threshold on (to see how much of a miss is the threshold); never writes the baseline
const minRepeats = args.includes('--min-repeats') ? args[args.indexOf('--min-repeats') + 1] : null;
const JOBS = 2;
// output×prefix: a reading failure (a prefix the stderr reader gets wrong) shows up there
const BASE_DIMENSIONS = ['output', 'orm', 'shape', 'connection', 'rhythm', 'size', 'prefix', 'output×prefix'];

function newestMtime(dir) {
  let t = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return t;
}

function ensureBuilt() {
  const main = path.join(root, 'dist/cli/main.js');
  if (fs.existsSync(main) && fs.statSync(main).mtimeMs >= newestMtime(path.join(root, 'src'))) return;
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: asJson ? 'ignore' : 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

function sqloupe(files) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [path.join(root, 'bin/sqloupe.js'), '--format', 'json', '--jobs', '1', '--top', '0', '--no-progress', ...(minRepeats ? ['--min-repeats', minRepeats] : []), ...files], { cwd: fixtures });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`sqloupe ${files.join(' ')} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      }
    });
  });
}

async function pool(tasks, n) {
  const results = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  }));
  return results;
}

const ratio = (a, b) => (b === 0 ? null : Math.round((a / b) * 1000) / 1000);

export async function score(dir = fixtures) {
  const truth = JSON.parse(fs.readFileSync(path.join(dir, 'truth.json'), 'utf8'));
  const loopKinds = new Set(truth.loopKinds);
  // a set whose scenarios name the test suite they come from (the peers set) is also scored per suite
  const DIMENSIONS = truth.scenarios.some((s) => s.suite) ? [...BASE_DIMENSIONS, 'suite'] : BASE_DIMENSIONS;
  const seedApp = truth.seedApp ?? 'acc-seed';
  // one case per (scenario, role, output): the findings sqloupe attributes to it
  const cases = [];
  // Server logs: one run per file, as a user runs it (a file's findings can change with the other files
  // of the same run, so batches are never mixed).
  const serverRuns = [];
  for (const [batch, b] of Object.entries(truth.batches)) {
    for (const [output, file] of Object.entries(b.files)) serverRuns.push({ batch, output, files: [file] });
  }
  // ORM logs: a few runs, none holding two logs of the same ORM and role that share a shape or a
  // looked-up table (their SQL would be the same, and one finding samples at most 5 units to name files).
  const ormGroups = [];
  for (const s of truth.scenarios) {
    for (const [role, file] of Object.entries(s.ormLogs)) {
      const keys = [s.shape, ...s.expected.map((e) => e.table)].map((k) => `${s.orm}:${role}:${k}`);
      let g = isolated ? undefined : ormGroups.find((x) => !keys.some((k) => x.keys.has(k)));
      if (!g) ormGroups.push((g = { keys: new Set(), files: [] }));
      for (const k of keys) g.keys.add(k);
      g.files.push(file);
    }
  }
  const tasks = [
    ...serverRuns.map((r) => () => sqloupe(r.files).then((j) => ({ kind: 'server', run: r, json: j }))),
    ...ormGroups.map((g) => () => sqloupe(g.files).then((j) => ({ kind: 'orm', files: g.files, json: j }))),
  ];
  const started = Date.now();
  const outs = await pool(tasks, JOBS);
  const inputs = {};
  const byServer = new Map(); // `${batch}:${output}` → findings
  let truncated = 0; // ORM findings whose sampled units may not name every file they came from
  const byOrmFile = new Map(); // file → findings
  for (const o of outs) {
    for (const inp of o.json.inputs) inputs[inp.path] = { format: inp.format, orm: inp.orm ?? null, prefix: inp.prefix ?? null, statements: inp.statements, unparsedLines: inp.unparsedLines };
    if (o.kind === 'server') byServer.set(`${o.run.batch}:${o.run.output}`, o.json.findings);
    else {
      for (const f of o.json.findings) {
        if (o.files.length > 1 && f.occurrences > f.units.length) truncated++;
        const srcs = new Set([...f.units.map((u) => u.source), ...(f.evidence?.samples ?? []).map((x) => x.source)].filter(Boolean).map((s) => s.replace(/:\d+$/, '')));
        for (const file of srcs) {
          if (!byOrmFile.has(file)) byOrmFile.set(file, []);
          byOrmFile.get(file).push(f);
        }
      }
    }
  }
  const scenarioOf = new Map(truth.scenarios.map((s) => [s.id, s]));
  const push = (s, role, output, findings, app) => {
    cases.push({ scenario: s.id, role, output, app, dims: { output, orm: s.orm, shape: s.shape, connection: s.connection, rhythm: s.rhythm, size: String(s.size), prefix: s.prefix, 'output×prefix': `${output} ${s.prefix}`, ...(s.suite ? { suite: s.suite } : {}) }, findings: findings.filter((f) => loopKinds.has(f.kind)) });
  };
  for (const s of truth.scenarios) {
    for (const [role, app] of Object.entries(s.apps)) {
      for (const output of Object.keys(truth.batches[s.prefix].files)) {
        push(s, role, output, (byServer.get(`${s.prefix}:${output}`) ?? []).filter((f) => f.applications.includes(app)), app);
      }
      const file = s.ormLogs[role];
      if (file) push(s, role, 'orm-log', byOrmFile.get(file) ?? [], app);
    }
  }
  // the seed session: a negative in every server log
  const seedCases = [];
  for (const [key, findings] of byServer) {
    const [batch, output] = key.split(':');
    seedCases.push({ batch, output, findings: findings.filter((f) => loopKinds.has(f.kind) && f.applications.includes(seedApp)) });
  }

  const misses = [];
  const falses = [];
  const stat = () => ({ expected: 0, found: 0, wrongKind: 0, missed: 0, falseFindings: 0, negatives: 0, negativesWithFindings: 0 });
  const overall = stat();
  const per = Object.fromEntries(DIMENSIONS.map((d) => [d, {}]));
  const add = (c, k, n = 1) => {
    overall[k] += n;
    for (const d of DIMENSIONS) {
      per[d][c.dims[d]] ??= stat();
      per[d][c.dims[d]][k] += n;
    }
  };
  for (const c of cases) {
    const s = scenarioOf.get(c.scenario);
    const brief = (f) => ({ kind: f.kind, tables: f.tables, repeats: f.repeats, id: f.id });
    if (c.role === 'neg') {
      add(c, 'negatives');
      if (c.findings.length) {
        add(c, 'negativesWithFindings');
        add(c, 'falseFindings', c.findings.length);
        falses.push({ scenario: s.id, app: c.app, role: 'neg', ...c.dims, control: s.control, findings: c.findings.map(brief) });
      }
      continue;
    }
    const tables = new Set(s.expected.map((e) => e.table));
    for (const e of s.expected) {
      add(c, 'expected');
      // alsoAccept: other loop kinds that name the same loop fairly (peers set: a per-parent COUNT for a has-many .count)
      const exact = c.findings.find((f) => (f.kind === e.kind || e.alsoAccept?.includes(f.kind)) && f.tables.includes(e.table));
      if (exact) {
        add(c, 'found');
        continue;
      }
      const related = c.findings.filter((f) => f.tables.includes(e.table));
      if (related.length) add(c, 'wrongKind');
      else add(c, 'missed');
      misses.push({
        scenario: s.id, app: c.app, ...c.dims, expected: e, verdict: related.length ? 'wrong kind' : 'missed',
        got: c.findings.map(brief),
      });
    }
    const stray = c.findings.filter((f) => !f.tables.some((t) => tables.has(t)));
    if (stray.length) {
      add(c, 'falseFindings', stray.length);
      falses.push({ scenario: s.id, app: c.app, role: 'pos', ...c.dims, findings: stray.map(brief) });
    }
  }
  for (const sc of seedCases) {
    overall.negatives++;
    if (sc.findings.length) {
      overall.negativesWithFindings++;
      overall.falseFindings += sc.findings.length;
      falses.push({ scenario: 'seed', app: seedApp, role: 'neg', output: sc.output, prefix: sc.batch, findings: sc.findings.map((f) => ({ kind: f.kind, tables: f.tables, repeats: f.repeats })) });
    }
  }
  const finish = (x) => ({ ...x, recall: ratio(x.found, x.expected) });
  return {
    overall: finish(overall),
    perDimension: Object.fromEntries(Object.entries(per).map(([d, vals]) => [d, Object.fromEntries(Object.entries(vals).map(([v, x]) => [v, finish(x)]))])),
    misses,
    falseFindings: falses,
    inputs,
    invocations: tasks.length,
    truncatedAttributions: truncated,
    seconds: (Date.now() - started) / 1000,
  };
}

function pct(x) {
  return x === null ? '—' : `${(x * 100).toFixed(1)}%`;
}

function printReport(r) {
  const rows = [['dimension', 'value', 'expected', 'found', 'wrong kind', 'missed', 'recall', 'false', 'neg. with false']];
  const line = (d, v, x) => rows.push([d, v, x.expected, x.found, x.wrongKind, x.missed, pct(x.recall), x.falseFindings, `${x.negativesWithFindings}/${x.negatives}`].map(String));
  for (const [d, vals] of Object.entries(r.perDimension)) {
    const order = Object.keys(vals).sort((a, b) => (d === 'size' ? Number(a) - Number(b) : a.localeCompare(b)));
    for (const v of order) line(d, v, vals[v]);
  }
  line('overall', '', r.overall);
  const w = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const fmt = (row) => row.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  console.log(fmt(rows[0]));
  let last = '';
  for (const row of rows.slice(1)) {
    if (row[0] !== last && last) console.log('');
    last = row[0];
    console.log(fmt(row));
  }
  console.log(`\n${r.misses.length} misses (scenario app · output · orm shape connection rhythm size prefix → expected; got):`);
  for (const m of r.misses) {
    const got = m.got.length ? m.got.map((g) => `${g.kind}[${g.tables.join(',')}]×${g.repeats}`).join(' ') : 'nothing';
    console.log(`  ${m.verdict === 'wrong kind' ? 'WRONG KIND' : 'MISSED    '} ${m.app} · ${m.output} · ${m.orm} ${m.shape} ${m.connection} ${m.rhythm} ${m.size} ${m.prefix} → ${m.expected.kind}[${m.expected.table}]×${m.expected.repeats}; got ${got}`);
  }
  console.log(`\n${r.falseFindings.length} cases with false findings:`);
  for (const f of r.falseFindings) {
    console.log(`  ${f.app} (${f.role}) · ${f.output} · ${f.orm ?? ''} ${f.shape ?? ''} ${f.connection ?? ''} ${f.size ?? ''} ${f.prefix ?? ''}: ${f.findings.map((g) => `${g.kind}[${g.tables.join(',')}]×${g.repeats}`).join(' ')}`);
  }
  console.log(`\n${r.invocations} sqloupe runs in ${r.seconds.toFixed(1)} s`);
  if (r.truncatedAttributions) console.log(`warning: ${r.truncatedAttributions} ORM-log findings sample fewer units than they occurred in; a file may have lost its attribution`);
}

export function baselineOf(r, dir = fixtures) {
  const rel = path.relative(root, dir);
  // the default set is tests/accuracy/accuracy.test.ts; another set (peers, heldout) has a test of its own name
  const name = path.basename(dir);
  const other = name === 'peers' || name === 'heldout';
  const test = other ? `tests/accuracy/${name}.test.ts` : 'tests/accuracy/accuracy.test.ts';
  const cmd = other ? `npm run accuracy:${name}` : 'npm run accuracy';
  const pick = (x) => ({ expected: x.expected, found: x.found, wrongKind: x.wrongKind, missed: x.missed, recall: x.recall, falseFindings: x.falseFindings, negatives: x.negatives, negativesWithFindings: x.negativesWithFindings });
  return {
    description: `Accuracy of sqloupe on ${rel} (${cmd}). ${test} fails when overall recall falls below, or false findings rise above, these numbers; raise them in a commit when detection improves.`,
    overall: pick(r.overall),
    perDimension: Object.fromEntries(Object.entries(r.perDimension).map(([d, vals]) => [d, Object.fromEntries(Object.entries(vals).map(([v, x]) => [v, pick(x)]))])),
  };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  ensureBuilt();
  const r = await score();
  if (asJson) process.stdout.write(JSON.stringify(r, null, 2) + '\n');
  else printReport(r);
  const file = path.join(fixtures, 'baseline.json');
  const old = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')).overall : null;
  const worse = old && ((r.overall.recall ?? 0) < (old.recall ?? 0) || r.overall.falseFindings > old.falseFindings);
  if (noWrite || minRepeats) {
    // checking only (the test)
  } else if (writeBaseline || !worse) {
    fs.writeFileSync(file, JSON.stringify(baselineOf(r), null, 2) + '\n');
    if (!asJson) console.log(`wrote ${path.relative(root, file)}`);
  } else if (!asJson) {
    console.log(`worse than ${path.relative(root, file)} (recall ${pct(old.recall)}, false ${old.falseFindings}): not written; --write-baseline to accept`);
  }
  if (worse && !writeBaseline && !noWrite && !minRepeats) process.exitCode = 1;
}
