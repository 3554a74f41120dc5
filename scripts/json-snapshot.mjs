#!/usr/bin/env node
/**
 * Behaviour snapshot of the built CLI: runs `bin/sqloupe.js --format json` on every log under
 * tests/fixtures/orm, tests/fixtures/pg, tests/fixtures/broken and samples/, one JSON file per input.
 * Used to prove a refactor changes nothing (or only what it means to change).
 *
 *   node scripts/json-snapshot.mjs write <dir>      write <dir>/<input path with / as __>.json
 *   node scripts/json-snapshot.mjs compare <dir>    run again and list inputs whose output differs
 *   a third argument keeps only the inputs whose path contains it (e.g. `orm/rails`)
 *
 * Needs `npm run build` first. Exit code of compare: 0 when all equal, 1 when any differ.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROOTS = ['tests/fixtures/orm', 'tests/fixtures/pg', 'tests/fixtures/broken', 'samples'];
const SKIP = (name) => name === 'README.md' || name.endsWith('.truth.json') || name === 'manifest.json';

function walk(dir, out) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (!SKIP(name)) out.push(relative(root, p));
  }
  return out;
}

function run(input) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin/sqloupe.js'), '--format', 'json', input], { cwd: root });
    const chunks = [];
    const errs = [];
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => errs.push(c));
    child.on('close', (code) => resolve({ code, out: Buffer.concat(chunks).toString('utf8'), err: Buffer.concat(errs).toString('utf8') }));
  });
}

/** The output with the parts that change from run to run (wall-clock timings, if any) left out. */
function stable(r) {
  return `exit ${r.code}\n${r.out}\n--- stderr\n${r.err.replace(/\d+(\.\d+)? ?(ms|s) elapsed/g, '<elapsed>')}`;
}

async function all(inputs, jobs) {
  const results = new Map();
  let next = 0;
  await Promise.all(
    Array.from({ length: jobs }, async () => {
      while (next < inputs.length) {
        const input = inputs[next++];
        results.set(input, stable(await run(input)));
      }
    }),
  );
  return results;
}

const [mode, dir, only] = process.argv.slice(2);
if ((mode !== 'write' && mode !== 'compare') || !dir) {
  process.stderr.write('usage: node scripts/json-snapshot.mjs write|compare <dir>\n');
  process.exit(2);
}
const inputs = ROOTS.flatMap((r) => walk(join(root, r), [])).filter((p) => only === undefined || p.includes(only));
const results = await all(inputs, 2);
const file = (input) => join(dir, input.replaceAll('/', '__') + '.json');
if (mode === 'write') {
  mkdirSync(dir, { recursive: true });
  for (const [input, text] of results) writeFileSync(file(input), text);
  process.stdout.write(`${results.size} snapshots written to ${dir}\n`);
} else {
  let differ = 0;
  for (const [input, text] of results) {
    const f = file(input);
    if (!existsSync(f)) {
      process.stdout.write(`new      ${input}\n`);
      differ++;
    } else if (readFileSync(f, 'utf8') !== text) {
      process.stdout.write(`changed  ${input}\n`);
      differ++;
    }
  }
  process.stdout.write(`${results.size} inputs, ${differ} differ\n`);
  process.exit(differ === 0 ? 0 : 1);
}
