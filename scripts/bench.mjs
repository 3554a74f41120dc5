#!/usr/bin/env node
/** `npm run bench`: a real PostgreSQL log inflated to size, then cat, sqloupe, pgBadger and pt-query-digest timed side by side. */
//   node scripts/bench.mjs [--size 1GB] [--runs 3] [--only sqloupe,cat,...] [--pgbadger-size 200MB]
//        [--small-size 100MB] [--source server.log] [--records-size 200MB] [--records-pgbadger-size 20MB] [--no-write]
//
// Steps (everything large is cached under .bench/, which git ignores):
//   1. source: a real PostgreSQL 15 stderr log, `scripts/make-pg-logs.mjs` with every scenario and
//      --web-requests 3000 (about 10 MB), made once; --source uses a log you already have.
//   2. inflate: scripts/inflate-log.mjs to --size; the file name carries the size and a hash of the
//      inflate script and the source log, so changing either makes a new file.
//   3. time, each --runs times (median wall, min–max; peak RSS from /usr/bin/time -f %M, else the child's VmHWM):
//        cat FILE > /dev/null                  the disk/page-cache ceiling
//        sqloupe FILE (text) / --format json   the full analysis, one process, one core
//        sqloupe at --small-size               RSS must not grow with the log
//        pgbadger -j 1 -x text -o /dev/null    on a --pgbadger-size head slice (it runs ~3.6 MB/s;
//                                              1 GB would take minutes), time scaled to the full size
//        pt-query-digest --type rawlog         it cannot read PostgreSQL logs: it gets the statements
//                                              extracted one per line, so it skips log parsing
//        sqloupe --jobs 1 vs --jobs 2          on two files, when this sqloupe has --jobs
//        sqloupe and pgbadger -f csv / jsonlog  the csvlog and jsonlog of the same run, inflated to
//                                              --records-size (pgBadger on a head slice, scaled); skipped with --source
//   4. loops (the logs sqloupe exists for, where nearly every unit of work holds a loop): every scenario of
//      tests/fixtures/accuracy (real PostgreSQL 15 and ORM logs with ground truth) in every format: the
//      stderr run with pgBadger's prefix '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ' (p2), the csvlog and
//      jsonlog of all three runs, and each ORM's own log (all its scenarios, repeated with times shifted per copy). Each is inflated
//      to --loops-size and --loops-small-size and timed with --format json (the statement count comes from
//      that report); pgBadger -j 1 reads a --loops-pgbadger-size head slice of the PostgreSQL ones. A quick
//      run: --only loops --runs 1 --loops-size 20MB --loops-small-size 5MB --loops-pgbadger-size 2MB.
//   5. print one summary table per input kind (MB/s, statements/s, ratio to pgBadger, peak RSS at two
//      sizes), then every measurement, and write bench/results-<date>.md (--no-write to skip).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { inflate, parseSize, repeatShifted } from './inflate-log.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = path.join(root, '.bench');
// run as users do: the executable, whose shebang sets the heap flags
const BIN = path.join(root, 'bin', 'sqloupe.js');
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const ACCURACY = path.join(root, 'tests', 'fixtures', 'accuracy');
const PGBADGER_PREFIX = '%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ';

function parseArgs(argv) {
  const o = { size: '1GB', runs: 3, only: null, pgbadgerSize: '200MB', smallSize: '100MB', source: null, write: true, recordsSize: '200MB', recordsPgbadgerSize: '20MB', loopsSize: '200MB', loopsSmallSize: '25MB', loopsPgbadgerSize: '10MB', loopsKinds: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--size') o.size = val();
    else if (a === '--runs') o.runs = Number(val());
    else if (a === '--only') o.only = val().split(',').map((s) => s.trim());
    else if (a === '--pgbadger-size') o.pgbadgerSize = val();
    else if (a === '--small-size') o.smallSize = val();
    else if (a === '--source') o.source = val();
    else if (a === '--records-size') o.recordsSize = val();
    else if (a === '--records-pgbadger-size') o.recordsPgbadgerSize = val();
    else if (a === '--loops-size') o.loopsSize = val();
    else if (a === '--loops-small-size') o.loopsSmallSize = val();
    else if (a === '--loops-pgbadger-size') o.loopsPgbadgerSize = val();
    else if (a === '--loops-kinds') o.loopsKinds = val().split(',').map((x) => x.trim());
    else if (a === '--no-write') o.write = false;
    else if (a === '-h' || a === '--help') usage(null);
    else usage(`unknown argument ${a}`);
  }
  if (!(o.runs >= 1)) usage('--runs must be 1 or more');
  return o;
}

function usage(msg) {
  if (msg) process.stderr.write(`bench: ${msg}\n`);
  process.stderr.write('usage: node scripts/bench.mjs [--size 1GB] [--runs 3] [--only sqloupe,cat,pgbadger,pt-query-digest,jobs,records,loops] [--pgbadger-size 200MB] [--small-size 100MB] [--source log] [--records-size 200MB] [--records-pgbadger-size 20MB] [--loops-size 200MB] [--loops-small-size 25MB] [--loops-pgbadger-size 10MB] [--loops-kinds stderr,csvlog,…] [--no-write]\n');
  process.exit(msg ? 2 : 0);
}

const log = (m) => process.stderr.write(`bench: ${m}\n`);

/** Print a bench report and, when asked to, keep it as bench/results-<date><suffix>.md. */
function publish(report, suffix, write) {
  process.stdout.write(report);
  if (!write) return;
  fs.mkdirSync(path.join(root, 'bench'), { recursive: true });
  const out = path.join(root, 'bench', `results-${new Date().toISOString().slice(0, 10)}${suffix}.md`);
  fs.writeFileSync(out, report);
  log(`wrote ${path.relative(root, out)}`);
}
const sha = (data) => createHash('sha1').update(data).digest('hex');
const fileSha = (p) => {
  const h = createHash('sha1');
  const fd = fs.openSync(p, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let n;
  while ((n = fs.readSync(fd, buf, 0, buf.length, null)) > 0) h.update(buf.subarray(0, n));
  fs.closeSync(fd);
  return h.digest('hex');
};
const which = (cmd) => {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
};
const mb = (bytes) => bytes / 1e6;
const fmtSize = (bytes) => (bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(0)} MB`);

/** The real log everything is made from: generated once by the cluster scripts (needs PostgreSQL's server binaries). */
function sourceLog(opt) {
  if (opt.source) return opt.source;
  const dir = path.join(cacheDir, 'source');
  const p = path.join(dir, 'server.log');
  if (fs.existsSync(p)) return p;
  log('making the source log: scripts/make-pg-logs.mjs, every scenario, --web-requests 3000 (about 30 s)');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'make-pg-logs.mjs'), dir, '--web-requests', '3000'], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status === 3) {
    log('PostgreSQL server binaries not found (see scripts/ensure-postgres.mjs); give --source <a stderr log> instead');
    process.exit(2);
  }
  if (r.status !== 0) process.exit(1);
  return p;
}

/** The inflated log for one size, cached by size + inflate script + source content. */
function inflated(source, bytes, how = inflate) {
  const key = sha(fs.readFileSync(path.join(root, 'scripts', 'inflate-log.mjs')) + fileSha(source)).slice(0, 10);
  const out = path.join(cacheDir, `${how === inflate ? 'pg' : 'orm'}-${bytes}-${key}${path.extname(source) || '.log'}`);
  if (!fs.existsSync(out)) {
    log(`inflating ${source} to ${fmtSize(bytes)} → ${path.relative(root, out)}`);
    how(source, out, bytes, () => {});
  }
  return out;
}

/** The first `bytes` of a log, cut before a line that starts a new record (so no statement is split). */
function headSlice(file, bytes) {
  const out = file.replace(/(\.\w+)$/, `.head-${bytes}$1`);
  // a record starts with its timestamp ("2…"), or with "{" in a jsonlog
  const recordStart = file.endsWith('.json') ? 0x7b : 0x32;
  if (fs.existsSync(out)) return out;
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(bytes + (1 << 20));
  const n = fs.readSync(fd, buf, 0, buf.length, 0);
  fs.closeSync(fd);
  let cut = Math.min(bytes, n);
  // back up to "\n2" (a line that starts with a timestamp): continuation lines start with a tab or space
  while (cut > 0 && !(buf[cut - 1] === 10 && buf[cut] === recordStart)) cut--;
  fs.writeFileSync(out, buf.subarray(0, cut));
  return out;
}

/** Run once: wall time by hrtime, peak RSS by GNU time (or the child's own maxRSS when there is none). */
function runOnce(cmd, args, stdoutFile) {
  return new Promise((resolve, reject) => {
    const rssFile = path.join(cacheDir, `rss-${process.pid}.txt`);
    const out = stdoutFile ? fs.openSync(stdoutFile, 'w') : 'ignore';
    const [c, a] = TIME ? [TIME, ['-f', '%M', '-o', rssFile, cmd, ...args]] : [cmd, args];
    const t0 = process.hrtime.bigint();
    const child = spawn(c, a, { stdio: ['ignore', out, 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      if (stderr.length < 100_000) stderr += d;
    });
    // without GNU time: poll the child's VmHWM (its peak RSS so far) in /proc; Node cannot read a child's rusage
    let hwm = 0;
    const poll = TIME
      ? null
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m && +m[1] > hwm) hwm = +m[1];
          } catch {
            /* not Linux, or the child is gone */
          }
        }, 50);
    child.on('error', reject);
    child.on('exit', (code) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      if (poll) clearInterval(poll);
      if (typeof out === 'number') fs.closeSync(out);
      let rssKb = hwm || null;
      if (TIME) {
        const txt = fs.readFileSync(rssFile, 'utf8').trim().split('\n');
        rssKb = Number(txt[txt.length - 1]);
      }
      resolve({ wall, rssKb, code, stderr });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Time a command `runs` times; fails loudly when the command does (a fast crash is not a result). */
async function measure(label, cmd, args, { runs, bytes, statements, stdoutFile = null, note = '', okCodes = [0, 1] }) {
  const walls = [];
  let rss = 0;
  for (let i = 0; i < runs; i++) {
    const r = await runOnce(cmd, args, stdoutFile);
    if (!okCodes.includes(r.code)) throw new Error(`${label}: exited ${r.code}\n${r.stderr.slice(-2000)}`);
    walls.push(r.wall);
    if (r.rssKb !== null && r.rssKb > rss) rss = r.rssKb;
    log(`${label}: run ${i + 1}/${runs} ${r.wall.toFixed(2)} s, ${(r.rssKb / 1024).toFixed(0)} MB RSS`);
  }
  const wall = median(walls);
  return {
    label,
    command: [cmd, ...args].map((x) => (/[\s'%]/.test(x) ? `'${x}'` : x)).join(' ').replaceAll(root + '/', ''),
    runs,
    bytes,
    wall,
    min: Math.min(...walls),
    max: Math.max(...walls),
    mbps: mb(bytes) / wall,
    mbpsRange: [mb(bytes) / Math.max(...walls), mb(bytes) / Math.min(...walls)],
    sps: statements === null ? null : statements / wall,
    rssMb: rss ? rss / 1024 : null,
    note,
  };
}

/** Scale a result measured on a slice to the full file (pgBadger's throughput is linear in size, performance.md). */
function scaled(r, fullBytes, fullStatements) {
  const f = fullBytes / r.bytes;
  return { ...r, label: `${r.label} (scaled)`, bytes: fullBytes, wall: r.wall * f, min: r.min * f, max: r.max * f, sps: fullStatements === null ? null : fullStatements / (r.wall * f), note: `${r.note}measured on ${fmtSize(r.bytes)}, time × ${f.toFixed(2)}` };
}

/** Statements one per line, for pt-query-digest's rawlog input (it has no PostgreSQL log parser). */
function extractRawlog(file, out) {
  if (fs.existsSync(out)) return out;
  const text = fs.readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const stmts = [];
  let cur = null;
  const MARK = /(?:duration: [\d.]+ ms {2}(?:statement|execute [^:]*): )|(?:LOG: {2}(?:statement|execute [^:]*): )/;
  for (const line of lines) {
    if (line.startsWith('\t') || line.startsWith(' ')) {
      if (cur !== null) cur += ' ' + line.trim();
      continue;
    }
    if (cur !== null) stmts.push(cur.endsWith(';') ? cur : cur + ';');
    cur = null;
    const m = MARK.exec(line);
    if (m) cur = line.slice(m.index + m[0].length);
  }
  if (cur !== null) stmts.push(cur);
  fs.writeFileSync(out, stmts.join('\n') + '\n');
  return out;
}

function sqloupeJson(file, outFile) {
  const r = spawnSync(BIN, ['--format', 'json', '--no-progress', file], { maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`sqloupe --format json ${file} exited ${r.status}: ${r.stderr}`);
  if (outFile) fs.writeFileSync(outFile, r.stdout);
  return JSON.parse(r.stdout);
}

const fmt = (x, d = 1) => (x === null || x === undefined ? '–' : x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const fmtK = (x) => (x === null ? '–' : x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(1)}k`);

function table(rows) {
  const head = ['tool', 'input', 'runs', 'median s (min–max)', 'MB/s', 'statements/s', 'peak RSS MB', 'note'];
  const body = rows.map((r) => [
    r.label,
    fmtSize(r.bytes),
    String(r.runs),
    `${fmt(r.wall, 2)} (${fmt(r.min, 2)}–${fmt(r.max, 2)})`,
    `${fmt(r.mbps)} (${fmt(r.mbpsRange[0])}–${fmt(r.mbpsRange[1])})`,
    fmtK(r.sps),
    r.rssMb === null ? '–' : fmt(r.rssMb, 0),
    r.note,
  ]);
  return [head, head.map(() => '---'), ...body].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function machine() {
  const cpus = os.cpus();
  const pgb = which('pgbadger') ? spawnSync('pgbadger', ['--version'], { encoding: 'utf8' }).stdout.trim() : 'pgBadger not installed';
  const ptq = which('pt-query-digest') ? spawnSync('pt-query-digest', ['--version'], { encoding: 'utf8' }).stdout.trim() : 'pt-query-digest not installed';
  const head = spawnSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  // other work on the machine skews every figure; the load average says how much there was
  const load = os.loadavg().map((x) => x.toFixed(1)).join(' / ');
  return `${cpus.length} × ${cpus[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}; Node ${process.version}; ${pgb}; ${ptq}; sqloupe at ${head}; load average at the end (1/5/15 min) ${load}`;
}

async function main() {
  const opt = parseArgs(process.argv.slice(2));
  const want = (k) => opt.only === null || opt.only.includes(k);
  fs.mkdirSync(cacheDir, { recursive: true });
  if (opt.only !== null && opt.only.every((k) => k === 'loops' || k === 'pgbadger')) return loopsOnly(opt, want);
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
    log('building dist/ (npm run build)');
    if (spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
  }
  const size = parseSize(opt.size);
  const source = sourceLog(opt);
  const file = inflated(source, size);
  const bytes = fs.statSync(file).size;
  log(`analysing ${path.relative(root, file)} once for its statement count and prefix`);
  const ref = sqloupeJson(file, null);
  const statements = ref.summary.statements;
  const prefix = ref.inputs[0]?.prefix ?? '%m [%p] %q%u@%d/%a [%c] %x ';
  const rows = [];
  const notes = [];
  const runs = opt.runs;

  if (want('cat')) rows.push(await measure('cat > /dev/null', 'cat', [file], { runs, bytes, statements: null }));
  if (want('sqloupe')) {
    rows.push(await measure('sqloupe (text)', BIN, ['--no-progress', file], { runs, bytes, statements }));
    rows.push(await measure('sqloupe --format json', BIN, ['--no-progress', '--format', 'json', file], { runs, bytes, statements }));
    const smallBytes = parseSize(opt.smallSize);
    if (smallBytes < bytes) {
      const small = inflated(source, smallBytes);
      const smallStatements = sqloupeJson(small, null).summary.statements;
      rows.push(await measure('sqloupe (text)', BIN, ['--no-progress', small], { runs, bytes: fs.statSync(small).size, statements: smallStatements, note: 'RSS vs log size' }));
    }
  }

  const sliceBytes = Math.min(parseSize(opt.pgbadgerSize), bytes);
  const slice = sliceBytes < bytes ? headSlice(file, sliceBytes) : file;
  const sliceSize = fs.statSync(slice).size;
  let sliceStatements = null;
  const sliceRef = () => (sliceStatements ??= slice === file ? statements : sqloupeJson(slice, null).summary.statements);

  let pgb = null;
  if (want('pgbadger')) {
    if (which('pgbadger')) {
      // one run on the slice is enough: pgBadger's variance is small next to a 25× ratio, and it is slow
      const pgbRuns = Math.min(runs, 2);
      const r = await measure('pgbadger -j 1', 'pgbadger', ['-j', '1', '-x', 'text', '-o', pgbadgerOut(), '--prefix', prefix, slice], { runs: pgbRuns, bytes: sliceSize, statements: sliceRef(), okCodes: [0] });
      rows.push(r);
      if (slice !== file) {
        rows.push(await measure('sqloupe (text)', BIN, ['--no-progress', slice], { runs, bytes: sliceSize, statements: sliceRef(), note: 'same slice as pgBadger' }));
        pgb = scaled(r, bytes, statements);
        rows.push(pgb);
      } else pgb = r;
    } else notes.push('pgBadger: not installed (apt-get install pgbadger)');
  }
  if (want('pt-query-digest')) {
    if (which('pt-query-digest')) {
      const raw = extractRawlog(slice, slice.replace(/\.log$/, '.raw'));
      const rawBytes = fs.statSync(raw).size;
      const r = await measure('pt-query-digest rawlog', 'pt-query-digest', ['--type', 'rawlog', '--output', 'report', raw], { runs: 1, bytes: rawBytes, statements: sliceRef(), note: `statements pre-extracted from the ${fmtSize(sliceSize)} slice (${fmtSize(rawBytes)} of SQL); MB/s is of SQL text; `, okCodes: [0] });
      r.note += `log MB/s equivalent ${fmt(mb(sliceSize) / r.wall)}`;
      rows.push(r);
    } else notes.push('pt-query-digest: not installed (apt-get install percona-toolkit)');
  }

  let jobs = null;
  if (want('jobs')) {
    const help = spawnSync(BIN, ['analyze', '--help'], { encoding: 'utf8' }).stdout;
    if (/--jobs/.test(help)) {
      const half = inflated(source, Math.round(size / 2));
      const twin = half.replace(/\.log$/, '.b.log');
      if (!fs.existsSync(twin)) fs.copyFileSync(half, twin);
      const twoBytes = 2 * fs.statSync(half).size;
      const twoStatements = 2 * sqloupeJson(half, null).summary.statements;
      const j1 = await measure('sqloupe --jobs 1, 2 files', BIN, ['--no-progress', '--jobs', '1', half, twin], { runs, bytes: twoBytes, statements: twoStatements });
      const j2 = await measure('sqloupe --jobs 2, 2 files', BIN, ['--no-progress', '--jobs', '2', half, twin], { runs, bytes: twoBytes, statements: twoStatements });
      rows.push(j1, j2);
      jobs = j1.wall / j2.wall;
    } else notes.push('--jobs: this sqloupe has no --jobs yet; comparison skipped');
  }

  // csvlog and jsonlog of the same workload run (written beside the stderr log), inflated the same way
  const formatRatios = [];
  if (want('records') && !opt.source) {
    for (const [kind, ext, pgbFormat] of [['csvlog', '.csv', 'csv'], ['jsonlog', '.json', 'jsonlog']]) {
      const src = path.join(path.dirname(source), `server${ext}`);
      if (!fs.existsSync(src)) {
        notes.push(`${kind}: ${path.relative(root, src)} not found (made with the source log by scripts/make-pg-logs.mjs)`);
        continue;
      }
      const recFile = inflated(src, parseSize(opt.recordsSize));
      const recBytes = fs.statSync(recFile).size;
      const recStatements = sqloupeJson(recFile, null).summary.statements;
      const mine = await measure(`sqloupe ${kind}`, BIN, ['--no-progress', recFile], { runs, bytes: recBytes, statements: recStatements });
      rows.push(mine);
      if (want('pgbadger') && which('pgbadger')) {
        const recSlice = headSlice(recFile, Math.min(parseSize(opt.recordsPgbadgerSize), recBytes));
        const sliceBytes = fs.statSync(recSlice).size;
        const sliceStatements = sqloupeJson(recSlice, null).summary.statements;
        const r = await measure(`pgbadger -j 1 -f ${pgbFormat}`, 'pgbadger', ['-j', '1', '-f', pgbFormat, '-x', 'text', '-o', pgbadgerOut(), recSlice], { runs: Math.min(runs, 2), bytes: sliceBytes, statements: sliceStatements, okCodes: [0] });
        rows.push(r);
        const s = scaled(r, recBytes, recStatements);
        rows.push(s);
        formatRatios.push(`${kind}: sqloupe / pgBadger -j 1 throughput: **${(mine.mbps / s.mbps).toFixed(1)}×** (${fmt(mine.mbps)} vs ${fmt(s.mbps)} MB/s)`);
      }
    }
  }

  // the loop-heavy workload beside the pooled one, one summary row per input kind
  const summary = [];
  if (want('loops')) summary.push(...(await loopHeavy(opt, rows, notes)));

  const byLabel = (l) => rows.find((r) => r.label === l && r.bytes === bytes);
  const text = byLabel('sqloupe (text)');
  const json = byLabel('sqloupe --format json');
  const cat = byLabel('cat > /dev/null');
  const ratios = [];
  if (text && pgb) ratios.push(`sqloupe (text) / pgBadger -j 1 throughput: **${(text.mbps / pgb.mbps).toFixed(1)}×** (target 25×)`);
  if (json && pgb) ratios.push(`sqloupe --format json / pgBadger -j 1: **${(json.mbps / pgb.mbps).toFixed(1)}×**`);
  const sameSlice = rows.find((r) => r.note === 'same slice as pgBadger');
  const pgbSlice = rows.find((r) => r.label === 'pgbadger -j 1');
  if (sameSlice && pgbSlice) ratios.push(`on the same ${fmtSize(sameSlice.bytes)} slice, unscaled: **${(sameSlice.mbps / pgbSlice.mbps).toFixed(1)}×**`);
  if (text && cat) ratios.push(`sqloupe (text) / cat: ${(text.mbps / cat.mbps).toFixed(3)} (${(cat.mbps / text.mbps).toFixed(0)}× slower than reading the file)`);
  const small = rows.find((r) => r.note === 'RSS vs log size');
  if (text && small) ratios.push(`peak RSS: ${fmt(small.rssMb, 0)} MB at ${fmtSize(small.bytes)}, ${fmt(text.rssMb, 0)} MB at ${fmtSize(text.bytes)} (target < 200 MB, flat)`);
  if (text) summary.unshift({ kind: 'pooled stderr', source: path.relative(root, source) || source, big: text, small: small ?? null, pgb, prefix });
  if (jobs !== null) ratios.push(`--jobs 2 / --jobs 1 on two files: ${jobs.toFixed(2)}× faster`);
  ratios.push(...formatRatios);

  const report = [
    `# sqloupe bench, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${machine()}.`,
    `Input: ${path.relative(root, file)}, ${fmtSize(bytes)}, ${statements.toLocaleString('en-US')} statements: ${path.relative(root, source) || source} (a real PostgreSQL 15 log from scripts/make-pg-logs.mjs, every scenario, --web-requests 3000) inflated by scripts/inflate-log.mjs; prefix \`${prefix}\`. Warm page cache; MB = 10^6 bytes; peak RSS from ${TIME ? '/usr/bin/time -f %M' : 'VmHWM in /proc (no /usr/bin/time)'}.`,
    `Command: \`node scripts/bench.mjs ${process.argv.slice(2).join(' ')}\``,
    '',
    ...(summary.length ? ['Per input kind (sqloupe --format json, one process; pgBadger -j 1 on a head slice of the same file):', '', summaryTable(summary), ''] : []),
    'Every measurement:',
    '',
    table(rows),
    '',
    ...ratios.map((r) => `- ${r}`),
    ...notes.map((n) => `- ${n}`),
    '',
    'Commands:',
    '',
    ...rows.map((r) => `- ${r.label}: \`${r.command}\``),
    '',
  ].join('\n');
  publish(report, '', opt.write);
  try {
    fs.unlinkSync(path.join(cacheDir, `rss-${process.pid}.txt`));
  } catch {
    /* no GNU time */
  }
}

main().catch((e) => {
  process.stderr.write(`bench: ${e.stack ?? e}\n`);
  process.exit(1);
});

/**
 * pgBadger's report file. Never /dev/null: pgBadger writes a temporary file and renames it onto the
 * output path, which as root replaces the /dev/null device with a regular file.
 */
function pgbadgerOut() {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sqloupe-pgbadger-')), 'report.txt');
}


/** The loop-heavy sources: every accuracy scenario, per input kind, made into one plain file each under .bench/loops/. */
function loopSources() {
  const truth = JSON.parse(fs.readFileSync(path.join(ACCURACY, 'truth.json'), 'utf8'));
  const runs = ['p1', 'p2', 'p3'];
  const kinds = [
    // pgBadger's prefix is p2's; the stderr logs of p1 and p3 carry other prefixes, read in their csvlog/jsonlog
    { kind: 'stderr', files: ['p2/server.log.gz'], ext: '.log', how: inflate, pgbadger: ['--prefix', PGBADGER_PREFIX], prefix: PGBADGER_PREFIX },
    { kind: 'csvlog', files: runs.map((r) => `${r}/server.csv.gz`), ext: '.csv', how: inflate, pgbadger: ['-f', 'csv'] },
    { kind: 'jsonlog', files: runs.map((r) => `${r}/server.json.gz`), ext: '.json', how: inflate, pgbadger: ['-f', 'jsonlog'] },
  ];
  const byOrm = new Map();
  for (const sc of truth.scenarios) for (const f of Object.values(sc.ormLogs ?? {})) (byOrm.get(sc.orm) ?? byOrm.set(sc.orm, []).get(sc.orm)).push(f);
  for (const [orm, files] of [...byOrm].sort()) kinds.push({ kind: orm, files: [...new Set(files)].sort(), ext: '.log', how: repeatShifted, pgbadger: null });
  const dir = path.join(cacheDir, 'loops');
  fs.mkdirSync(dir, { recursive: true });
  for (const k of kinds) {
    k.source = path.join(dir, `${k.kind}${k.ext}`);
    if (!fs.existsSync(k.source)) {
      // whole files one after the other: the runs p1 → p3 were recorded in that order, so time only increases
      const parts = k.files.map((f) => {
        const b = gunzipSync(fs.readFileSync(path.join(ACCURACY, f)));
        return b.length && b[b.length - 1] !== 10 ? Buffer.concat([b, Buffer.from('\n')]) : b;
      });
      fs.writeFileSync(k.source, Buffer.concat(parts));
    }
  }
  return kinds;
}

/** One input kind of the loop-heavy workload at two sizes, plus pgBadger on a head slice; returns its summary row. */
async function loopKind(k, opt, rows) {
  const runs = opt.runs;
  const timed = async (size, note) => {
    const file = inflated(k.source, parseSize(size), k.how);
    const bytes = fs.statSync(file).size;
    const out = path.join(cacheDir, `loops-${process.pid}.json`);
    const r = await measure(`sqloupe ${k.kind} (loops)`, BIN, ['--no-progress', '--format', 'json', file], { runs, bytes, statements: null, stdoutFile: out, note });
    // the statement count comes from the report of the timed run itself
    const statements = JSON.parse(fs.readFileSync(out, 'utf8')).summary.statements;
    fs.unlinkSync(out);
    r.sps = statements / r.wall;
    r.statements = statements;
    rows.push(r);
    return { r, file };
  };
  const big = await timed(opt.loopsSize, '');
  const small = parseSize(opt.loopsSmallSize) < big.r.bytes ? (await timed(opt.loopsSmallSize, 'RSS vs log size')).r : null;
  let pgb = null;
  if (k.pgbadger && (opt.only === null || opt.only.includes('pgbadger') || opt.only.includes('loops')) && which('pgbadger')) {
    const slice = headSlice(big.file, Math.min(parseSize(opt.loopsPgbadgerSize), big.r.bytes));
    const sliceBytes = fs.statSync(slice).size;
    pgb = await measure(`pgbadger -j 1 ${k.kind} (loops)`, 'pgbadger', ['-j', '1', ...k.pgbadger, '-x', 'text', '-o', pgbadgerOut(), slice], { runs: Math.min(runs, 2), bytes: sliceBytes, statements: null, okCodes: [0], note: `head slice of the ${fmtSize(big.r.bytes)} file` });
    rows.push(pgb);
  }
  const source = k.how === repeatShifted ? `its ${k.files.length} scenario logs, repeated with times shifted per copy` : k.files.map((f) => f.replace('.gz', '')).join(' + ');
  return { kind: `loops ${k.kind}`, source, big: big.r, small, pgb, prefix: k.prefix ?? null };
}

async function loopHeavy(opt, rows, notes) {
  const out = [];
  if (!which('pgbadger')) notes.push('pgBadger: not installed (apt-get install pgbadger): no ratios for the loop-heavy logs');
  for (const k of loopSources()) {
    if (opt.loopsKinds !== null && !opt.loopsKinds.includes(k.kind)) continue;
    out.push(await loopKind(k, opt, rows));
  }
  return out;
}

/** MB/s, statements/s, ratio to pgBadger and peak RSS at two sizes, one row per input kind. */
function summaryTable(summary) {
  const head = ['input kind', 'sizes', 'MB/s (min–max)', 'statements/s', 'pgBadger -j 1 MB/s', '× pgBadger', 'peak RSS MB (small → large)', 'RSS growth', 'source'];
  const body = summary.map((s) => {
    const rss = s.small ? `${fmt(s.small.rssMb, 0)} → ${fmt(s.big.rssMb, 0)}` : `– → ${fmt(s.big.rssMb, 0)}`;
    return [
      s.kind,
      s.small ? `${fmtSize(s.small.bytes)}, ${fmtSize(s.big.bytes)}` : fmtSize(s.big.bytes),
      `${fmt(s.big.mbps)} (${fmt(s.big.mbpsRange[0])}–${fmt(s.big.mbpsRange[1])})`,
      fmtK(s.big.sps),
      s.pgb ? fmt(s.pgb.mbps) : '–',
      s.pgb ? `${(s.big.mbps / s.pgb.mbps).toFixed(1)}×` : '–',
      rss,
      s.small && s.small.rssMb && s.big.rssMb ? `${(s.big.rssMb / s.small.rssMb).toFixed(2)}×` : '–',
      s.source,
    ];
  });
  return [head, head.map(() => '---'), ...body].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** --only loops: the loop-heavy workload alone (no generated source log, no PostgreSQL needed). */
async function loopsOnly(opt) {
  fs.mkdirSync(cacheDir, { recursive: true });
  if (!fs.existsSync(path.join(root, 'dist', 'cli', 'main.js'))) {
    log('building dist/ (npm run build)');
    if (spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' }).status !== 0) process.exit(1);
  }
  const rows = [];
  const notes = [];
  const summary = await loopHeavy(opt, rows, notes);
  const report = [
    `# sqloupe bench (loop-heavy logs), ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    '',
    `Machine: ${machine()}.`,
    `Inputs: every scenario of tests/fixtures/accuracy, inflated by scripts/inflate-log.mjs (PostgreSQL logs: copies shifted in time and pid; ORM logs: repeated, times shifted per copy). Warm page cache; MB = 10^6 bytes; peak RSS from ${TIME ? '/usr/bin/time -f %M' : 'VmHWM in /proc (no /usr/bin/time)'}.`,
    `Command: \`node scripts/bench.mjs ${process.argv.slice(2).join(' ')}\``,
    '',
    summaryTable(summary),
    '',
    ...notes.map((n) => `- ${n}`),
    '',
    'Every measurement:',
    '',
    table(rows),
    '',
    'Commands:',
    '',
    ...rows.map((r) => `- ${r.label}: \`${r.command}\``),
    '',
  ].join('\n');
  publish(report, '-loops', opt.write);
}
