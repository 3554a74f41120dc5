#!/usr/bin/env node
// The JSON report of every log the repository holds, one file per input, to prove that a restructuring
// changed nothing a user sees:
//
//   node scripts/json-snapshot.mjs write <dir> [extra logs…]     (after `npm run build`)
//   node scripts/json-snapshot.mjs compare <dir> [extra logs…]   exit 1 and the differing inputs when any differ
//
// Inputs: samples/, tests/fixtures/** (every file that is not a README, a truth or a manifest), plus any
// extra paths given (e.g. generated PostgreSQL logs). Each is analysed alone with the built CLI.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [mode, dir, ...extra] = process.argv.slice(2);
if ((mode !== 'write' && mode !== 'compare') || !dir) {
  process.stderr.write('usage: json-snapshot.mjs write|compare <dir> [extra logs…]\n');
  process.exit(2);
}

const SKIP = /(^README\.md$|\.truth\.json$|^manifest\.json$|^baseline\.json$|\.md$)/;

function walk(d) {
  const out = [];
  for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (!SKIP.test(e.name)) out.push(p);
  }
  return out;
}

const inputs = [...walk(path.join(root, 'samples')), ...walk(path.join(root, 'tests', 'fixtures')), ...extra.map((p) => path.resolve(p))];
const cli = path.join(root, 'bin', 'sqloupe.js');
const outDir = path.resolve(dir);
fs.mkdirSync(outDir, { recursive: true });

let differing = 0;
for (const input of inputs) {
  const rel = path.relative(root, input);
  const name = rel.replace(/[\\/]/g, '__') + '.json';
  let out;
  try {
    out = execFileSync(process.execPath, [cli, '--format', 'json', rel], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  } catch (e) {
    // exit 1 means findings at the --fail-on level; the report is still on stdout
    out = `exit ${e.status}\n${e.stdout ?? ''}`;
  }
  const file = path.join(outDir, name);
  if (mode === 'write') {
    fs.writeFileSync(file, out);
  } else {
    const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
    if (before !== out) {
      differing++;
      process.stdout.write(`differs: ${rel}\n`);
    }
  }
}
process.stdout.write(`${inputs.length} inputs${mode === 'compare' ? `, ${differing} differ` : ' written'}\n`);
process.exit(differing ? 1 : 0);
