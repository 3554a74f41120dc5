#!/usr/bin/env node
/** Builds tests/fixtures/broken/: damaged copies of the real sample logs, with a manifest saying which part of each stayed intact. */
// Usage: node scripts/make-broken-logs.mjs            → small fixtures + manifest.json in tests/fixtures/broken/
//        node scripts/make-broken-logs.mjs --big DIR  → the 16 MB statements and the 70 MB line in DIR (too big to commit)
//
// Each manifest entry: files (relative to the manifest's folder), intact (the source and its 1-based inclusive
// line ranges that the damage left whole), and extra [lo, hi]: how many statements the damaged records may add
// on top of the intact part's count (a line cut mid-statement still reads as a shorter statement).
// The test runs the CLI on the intact lines alone and on the broken files and compares the counts.
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync, createGunzip } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'tests/fixtures/broken');

/** Seeded PRNG (mulberry32) so the fixtures are the same on every run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(0x5eed);
const garbage = (n) => {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(random() * 256);
  return b;
};

const read = (p) => readFileSync(path.join(root, p));
const linesOf = (buf) => {
  const s = buf.toString('utf8');
  const l = s.split('\n');
  if (l[l.length - 1] === '') l.pop();
  return l;
};
/** Byte offset where (1-based) line n starts. */
const offsetOfLine = (buf, n) => {
  let at = 0;
  for (let i = 1; i < n; i++) at = buf.indexOf(10, at) + 1;
  return at;
};

const billing = read('samples/billing.log');
const billingLines = linesOf(billing);
const csv = read('samples/loops.csv');
const csvLines = linesOf(csv);
const json = read('samples/pooled-web.json');
const jsonLines = linesOf(json);
const B = 'samples/billing.log';
const ALL_B = [[1, billingLines.length]];

/** First line at or after `from` matching re (1-based). */
const findLine = (lines, from, re) => {
  for (let i = from - 1; i < lines.length; i++) if (re.test(lines[i])) return i + 1;
  throw new Error(`no line matches ${re}`);
};
const stmtLine = (from) => findLine(billingLines, from, /LOG: {2}duration: [\d.]+ ms {2}(statement|execute)/);
/** A prefix line (the start of a record) at or after `from`. */
const recordStart = (from) => findLine(billingLines, from, /^\d{4}-\d\d-\d\d /);

const manifest = [];
const write = (name, data) => writeFileSync(path.join(out, name), data);

function small() {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  // 1. logrotate copytruncate cut the file inside a statement line: two files, the cut line split between them
  {
    const k = stmtLine(240);
    const cut = offsetOfLine(billing, k) + billingLines[k - 1].indexOf('statement: ') + 30;
    write('rotated-mid-line.1.log', billing.subarray(0, cut));
    write('rotated-mid-line.2.log', billing.subarray(cut));
    manifest.push({ name: 'rotated mid-line, first part', files: ['rotated-mid-line.1.log'], intact: { source: B, ranges: [[1, k - 1]] }, extra: [0, 1] });
    manifest.push({ name: 'rotated mid-line, second part', files: ['rotated-mid-line.2.log'], intact: { source: B, ranges: [[k + 1, billingLines.length]] }, extra: [0, 0], unparsed: 1 });
    manifest.push({ name: 'rotated mid-line, both parts', files: ['rotated-mid-line.1.log', 'rotated-mid-line.2.log'], intact: { source: B, ranges: [[1, k - 1], [k + 1, billingLines.length]] }, extra: [0, 1], unparsed: 1 });
  }
  // 1b. csvlog cut inside a quoted multi-line field: the second part starts with an odd quote
  {
    const k = findLine(csvLines, 100, /^\s/); // a continuation line of a multi-line quoted field
    let start = k;
    while (!/^\d{4}-/.test(csvLines[start - 1])) start--;
    let next = k;
    while (!/^\d{4}-/.test(csvLines[next])) next++;
    const cut = offsetOfLine(csv, k) + 3;
    write('rotated-mid-record.2.csv', csv.subarray(cut));
    manifest.push({ name: 'csvlog rotated inside a quoted field', files: ['rotated-mid-record.2.csv'], intact: { source: 'samples/loops.csv', ranges: [[next + 1, csvLines.length]] }, extra: [0, 0], unparsed: 1 });
  }
  // 2. gzip: truncated, concatenated members, corrupt bytes
  {
    const gz = gzipSync(billing);
    const truncated = gz.subarray(0, Math.floor(gz.length * 0.6));
    write('truncated.log.gz', truncated);
    manifest.push({ name: 'truncated gzip', files: ['truncated.log.gz'], intact: { source: B, decoded: 'truncated.log.gz' }, extra: [0, 1], warning: 'gzip' });

    const half = offsetOfLine(csv, findLine(csvLines, Math.floor(csvLines.length / 2), /^\d{4}-/));
    write('concatenated.csv.gz', Buffer.concat([gzipSync(csv.subarray(0, half)), gzipSync(csv.subarray(half))]));
    manifest.push({ name: 'concatenated gzip members', files: ['concatenated.csv.gz'], intact: { source: 'samples/loops.csv', ranges: [[1, csvLines.length]] }, extra: [0, 0] });

    const corrupt = Buffer.from(gz);
    const at = Math.floor(corrupt.length * 0.5);
    for (let i = 0; i < 64; i++) corrupt[at + i] ^= 0xa5;
    write('corrupt.log.gz', corrupt);
    manifest.push({ name: 'corrupt gzip', files: ['corrupt.log.gz'], intact: { source: B, decoded: 'corrupt.log.gz' }, extra: [0, 1], warning: 'gzip' });
  }
  // 3. other locales: the messages as PostgreSQL 15's catalogs translate them (de, fr, es)
  {
    const locales = {
      de: [[/ ERROR: {2}/, ' FEHLER:  '], [/ STATEMENT: {2}/, ' ANWEISUNG:  '], [/LOG: {2}duration: ([\d.]+) ms {2}statement: /, 'LOG:  Dauer: $1 ms  Anweisung: '], [/LOG: {2}duration: ([\d.]+) ms {2}execute /, 'LOG:  Dauer: $1 ms  Ausführen '], [/DETAIL: {2}parameters: /, 'DETAIL:  Parameter: '], [/LOG: {2}connection authorized: user=/, 'LOG:  Verbindung autorisiert: Benutzer=']],
      fr: [[/ ERROR: {2}/, ' ERREUR:  '], [/LOG: {2}duration: ([\d.]+) ms {2}statement: /, 'LOG:  durée : $1 ms, instruction : '], [/LOG: {2}duration: ([\d.]+) ms {2}execute /, 'LOG:  durée : $1 ms  exécute '], [/DETAIL: {2}parameters: /, 'DÉTAIL:  paramètres : ']],
      es: [[/ STATEMENT: {2}/, ' SENTENCIA:  '], [/LOG: {2}duration: ([\d.]+) ms {2}statement: /, 'LOG:  duración: $1 ms  sentencia: '], [/LOG: {2}duration: ([\d.]+) ms {2}execute /, 'LOG:  duración: $1 ms  ejecutar '], [/DETAIL: {2}parameters: /, 'DETALLE:  parámetros: ']],
    };
    for (const [lang, rules] of Object.entries(locales)) {
      const text = billingLines.map((l) => rules.reduce((s, [re, to]) => s.replace(re, to), l)).join('\n') + '\n';
      write(`locale-${lang}.log`, text);
      manifest.push({ name: `lc_messages=${lang}`, files: [`locale-${lang}.log`], intact: { source: B, ranges: ALL_B }, extra: [0, 0] });
    }
  }
  // 4. binary garbage from a crashed process between two records, and NUL padding (a crash with preallocated blocks)
  {
    const k = recordStart(300);
    const at = offsetOfLine(billing, k);
    write('binary-garbage.log', Buffer.concat([billing.subarray(0, at), garbage(4096), Buffer.from('\n'), billing.subarray(at)]));
    manifest.push({ name: 'binary garbage mid-file', files: ['binary-garbage.log'], intact: { source: B, ranges: ALL_B }, extra: [0, 0], unparsed: 1 });

    const k1 = recordStart(150);
    const k2 = recordStart(350);
    const s = stmtLine(200);
    const a1 = offsetOfLine(billing, k1);
    const a2 = offsetOfLine(billing, k2);
    const sLine = offsetOfLine(billing, s) + billingLines[s - 1].length - 2;
    write(
      'nul-bytes.log',
      Buffer.concat([
        billing.subarray(0, a1),
        Buffer.alloc(3000), // a NUL run with its own newline
        Buffer.from('\n'),
        billing.subarray(a1, sLine),
        Buffer.alloc(3), // NULs inside a statement's text
        billing.subarray(sLine, a2),
        Buffer.alloc(8192), // a NUL run glued to the next record (the server restarted and appended)
        billing.subarray(a2),
      ]),
    );
    manifest.push({ name: 'NUL bytes', files: ['nul-bytes.log'], intact: { source: B, ranges: ALL_B }, extra: [0, 0] });
  }
  // 5. CRLF line endings (a log copied through Windows), stderr and csvlog
  {
    write('crlf.log', billing.toString('utf8').replace(/\n/g, '\r\n'));
    manifest.push({ name: 'CRLF stderr', files: ['crlf.log'], intact: { source: B, ranges: ALL_B }, extra: [0, 0] });
    write('crlf.csv', csv.toString('utf8').replace(/\n/g, '\r\n'));
    manifest.push({ name: 'CRLF csvlog', files: ['crlf.csv'], intact: { source: 'samples/loops.csv', ranges: [[1, csvLines.length]] }, extra: [0, 0] });
  }
  // 6. invalid UTF-8 inside literals (a Latin-1 client, a cut multi-byte character)
  {
    const s1 = stmtLine(180);
    const s2 = findLine(billingLines, 400, /LOG: {2}duration: [\d.]+ ms {2}statement: /);
    const p1 = offsetOfLine(billing, s1) + billingLines[s1 - 1].length - 1;
    const p2 = offsetOfLine(billing, s2) + billingLines[s2 - 1].indexOf('statement: ') + 11;
    write(
      'invalid-utf8.log',
      Buffer.concat([billing.subarray(0, p1), Buffer.from([0xff, 0xfe, 0xe9, 0xc3]), billing.subarray(p1, p2), Buffer.from([0xe2, 0x82]), billing.subarray(p2)]),
    );
    manifest.push({ name: 'invalid UTF-8', files: ['invalid-utf8.log'], intact: { source: B, ranges: ALL_B }, extra: [0, 0] });
  }
  // 7. unterminated quotes: in SQL (stderr) and in a csvlog field
  {
    const lines = billingLines.slice();
    const s = stmtLine(100);
    lines[s - 1] += " AND note = 'it''s never closed";
    const d = findLine(lines, 250, /LOG: {2}duration: [\d.]+ ms {2}statement: /);
    lines[d - 1] = lines[d - 1].replace(/statement: /, () => 'statement: SELECT $$unterminated dollar quote, ');
    write('unterminated-quote.log', lines.join('\n') + '\n');
    manifest.push({ name: 'unterminated quote in SQL', files: ['unterminated-quote.log'], intact: { source: B, ranges: ALL_B }, extra: [0, 0] });

    const c = csvLines.slice();
    const r = findLine(c, 200, /^\d{4}-.*,LOG,00000,"duration: .*"/);
    let rEnd = r;
    while (rEnd < c.length && !/^\d{4}-/.test(c[rEnd])) rEnd++;
    // the message field loses its closing quote: the record would swallow the rest of the file
    c[r - 1] = c[r - 1].replace(/("duration: [^"]*)"/, (_m, msg) => msg);
    write('unterminated-quote.csv', c.join('\n') + '\n');
    manifest.push({ name: 'unterminated quote in a csvlog field', files: ['unterminated-quote.csv'], intact: { source: 'samples/loops.csv', ranges: [[1, r - 1], [rEnd + 1, c.length]] }, extra: [0, 0], unparsed: 1 });
  }
  // 8. log_line_prefix changed halfway (server restarted with a pgBadger-style prefix)
  {
    const half = recordStart(Math.floor(billingLines.length / 2));
    const re = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\.\d+ (\S+) \[(\d+)\] (?:(\S*)@(\S*)\/(.*?) \[\S+\] \d+ )?([A-Z]+): {2}/;
    const changed = billingLines.map((l, i) => {
      if (i + 1 < half) return l;
      return l.replace(re, (_m, t, z, pid, u, d, a, sev) => `${t} ${z} [${pid}]: user=${u ?? ''},db=${d ?? ''},app=${a ?? ''} ${sev}:  `);
    });
    write('prefix-change.log', changed.join('\n') + '\n');
    manifest.push({ name: 'log_line_prefix changed halfway', files: ['prefix-change.log'], intact: { source: B, ranges: ALL_B }, extra: [0, 0] });
  }
  // 9. empty, blank, a directory holding a binary file next to a log
  {
    write('empty.log', '');
    manifest.push({ name: 'empty file', files: ['empty.log'], intact: null, extra: [0, 0] });
    write('blank.log', '\n\n   \n\t\n\r\n\n');
    manifest.push({ name: 'only blank lines', files: ['blank.log'], intact: null, extra: [0, 0] });
    mkdirSync(path.join(out, 'dir-with-binary'));
    write('dir-with-binary/postgresql.log', billing);
    write('dir-with-binary/core.bin', Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), garbage(16384)]));
    manifest.push({ name: 'directory with a binary file', files: ['dir-with-binary'], intact: { source: B, ranges: ALL_B }, extra: [0, 0] });
  }
  // 10. a jsonlog with broken lines: one cut short, one corrupt in the middle
  {
    const j = jsonLines.slice();
    const a = findLine(j, 50, /"message":"duration: /);
    const b = findLine(j, 200, /"message":"duration: /);
    j[a - 1] = j[a - 1].slice(0, Math.floor(j[a - 1].length / 2));
    j[b - 1] = j[b - 1].slice(0, 40) + '\u0000\u0001garbage}{' + j[b - 1].slice(60);
    write('broken-line.json', j.join('\n') + '\n');
    manifest.push({ name: 'jsonlog with broken lines', files: ['broken-line.json'], intact: { source: 'samples/pooled-web.json', ranges: [[1, a - 1], [a + 1, b - 1], [b + 1, j.length]] }, extra: [0, 0], unparsed: 2 });
  }
}

/** What a stream gunzip yields from a damaged file before it gives up: the lines it can vouch for. */
async function decodedLines(file, sourceLines) {
  const chunks = [];
  // the same slices as src/input/lines.ts: what zlib decodes before the damage is kept per 2 KiB write
  const SLICE = 2 << 10;
  const g = createGunzip({ chunkSize: 16 << 10 });
  g.on('data', (c) => chunks.push(c));
  const done = new Promise((resolve) => {
    g.on('error', resolve);
    g.on('end', resolve);
  });
  const data = readFileSync(file);
  let failed = false;
  g.on('error', () => (failed = true));
  for (let at = 0; at < data.length && !failed; at += SLICE) {
    if (!g.write(data.subarray(at, at + SLICE))) await new Promise((r) => g.once('drain', r));
  }
  g.end();
  await done;
  const text = Buffer.concat(chunks).toString('utf8');
  const decoded = text.split('\n');
  decoded.pop(); // the last piece is partial (or empty)
  let same = 0;
  while (same < decoded.length && decoded[same] === sourceLines[same]) same++;
  return { same, decodedExtra: decoded.length - same };
}

/** The 16 MB statements (one line, and one spread over lines) and a 70 MB line with no newline. */
function big(dir) {
  mkdirSync(dir, { recursive: true });
  const k = recordStart(300);
  const at = offsetOfLine(billing, k);
  const head = billing.subarray(0, at);
  const tail = billing.subarray(at);
  const prefix = billingLines[k - 1].slice(0, billingLines[k - 1].indexOf('LOG:  ') >= 0 ? billingLines[k - 1].indexOf('LOG:  ') : 0);
  const p = prefix || '2026-11-25 14:30:06.300 UTC [10028] postgres@app/reports [6b06f0ee.272c] 0 ';
  const MB16 = 16 << 20;
  const value = 'v'.repeat(MB16);
  const oneLine = `${p}LOG:  duration: 12.000 ms  statement: INSERT INTO audit_blobs (payload) VALUES ('${value}')\n`;
  writeFileSync(path.join(dir, 'big-statement.log'), Buffer.concat([head, Buffer.from(oneLine), tail]));
  const rows = [];
  let size = 0;
  for (let i = 0; size < MB16; i++) {
    const r = `\t(${i}, 'row ${i} of a very long multi-row insert', ${i * 7}),`;
    rows.push(r);
    size += r.length;
  }
  const multi = `${p}LOG:  duration: 40.000 ms  statement: INSERT INTO audit_rows (id, note, n) VALUES\n${rows.join('\n')}\n\t(-1, 'last', 0)\n`;
  writeFileSync(path.join(dir, 'big-multiline-statement.log'), Buffer.concat([head, Buffer.from(multi), tail]));
  const long = Buffer.alloc(70 << 20, 0x78);
  writeFileSync(path.join(dir, 'long-line.log'), Buffer.concat([head, long, Buffer.from('\n'), tail]));
  return [
    { name: '16 MB statement on one line', files: ['big-statement.log'], intact: { source: B, ranges: ALL_B }, extra: [1, 1] },
    { name: '16 MB statement over 400k lines', files: ['big-multiline-statement.log'], intact: { source: B, ranges: ALL_B }, extra: [1, 1] },
    { name: '70 MB line', files: ['long-line.log'], intact: { source: B, ranges: ALL_B }, extra: [0, 0], unparsed: 1, warning: 'longer than 64 MiB' },
  ];
}

const bigAt = process.argv.indexOf('--big');
if (bigAt > 0) {
  const dir = path.resolve(process.argv[bigAt + 1] ?? '.');
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(big(dir), null, 2) + '\n');
} else {
  small();
  for (const m of manifest) {
    if (m.intact?.decoded) {
      const { same, decodedExtra } = await decodedLines(path.join(out, m.intact.decoded), billingLines);
      m.intact = { source: m.intact.source, ranges: same > 0 ? [[1, same]] : [] };
      m.extra = [0, m.extra[1] + decodedExtra];
    }
  }
  write('manifest.json', JSON.stringify(manifest, null, 2) + '\n');
  write(
    'README.md',
    '# Broken logs\n\nGenerated by `node scripts/make-broken-logs.mjs` from `samples/`; do not edit by hand.\n' +
      '`manifest.json` says for each file which lines of its source stayed intact and how many statements the damaged\n' +
      'records may add; `tests/robustness/broken-logs.test.ts` checks the CLI against it. The 16 MB statements and the\n' +
      '70 MB line are made at test time with `--big <dir>` (too big to commit).\n',
  );
}
