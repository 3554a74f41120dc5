/** Hostile input: every damaged log in tests/fixtures/broken (and the big ones made at test time) runs clean through the CLI. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli, type CliRun } from '../support/cli.js';

interface Entry {
  name: string;
  files: string[];
  intact: { source: string; ranges: [number, number][] } | null;
  /** Statements the damaged records may add on top of the intact part: [lo, hi]. */
  extra: [number, number];
  /** At least this many lines reported as skipped. */
  unparsed?: number;
  /** A warning (stderr) that must mention this. */
  warning?: string;
}

const BROKEN = path.join(repoRoot, 'tests/fixtures/broken');
const STACK = /\n\s+at /;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-broken-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Run extends CliRun {
  json: { inputs: { path: string; statements: number; unparsedLines: number; unparsedSamples: { line: number; reason: string }[]; warnings: string[] }[] } | null;
}

async function run(args: string[]): Promise<Run> {
  const r = await runCli([...args, '--format', 'json']);
  let json = null;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = null;
  }
  return { ...r, json };
}

const statements = (r: Run) => (r.json ? r.json.inputs.reduce((n, i) => n + i.statements, 0) : 0);
const sourceLines = new Map<string, string[]>();

/** The intact lines alone, as a file of the same kind; null when nothing of the entry is intact. */
function intactFile(e: Entry): string | null {
  if (e.intact === null) return null;
  let lines = sourceLines.get(e.intact.source);
  if (!lines) {
    lines = readFileSync(path.join(repoRoot, e.intact.source), 'utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    sourceLines.set(e.intact.source, lines);
  }
  const kept = e.intact.ranges.flatMap(([a, b]) => lines!.slice(a - 1, b));
  if (kept.length === 0) return null;
  const file = path.join(tmp, `intact-${e.name.replace(/\W+/g, '-')}${path.extname(e.intact.source)}`);
  writeFileSync(file, kept.join('\n') + '\n');
  return file;
}

/** Statements of each entry's intact file, counted in one CLI run over all of them (each input is counted on its own). */
const intactCounts = new Map<string, number>();
async function countIntact(entries: Entry[]): Promise<void> {
  const files = entries.flatMap((e) => {
    const f = intactFile(e);
    return f === null ? [] : [[e.name, f] as const];
  });
  if (files.length === 0) return;
  const r = await run(files.map(([, f]) => f));
  expect(r.code, r.stderr).toBeLessThan(2);
  const byPath = new Map(r.json!.inputs.map((i) => [i.path, i.statements]));
  for (const [name, f] of files) {
    const n = byPath.get(f);
    expect(n, `intact part of ${name}`).toBeTypeOf('number');
    intactCounts.set(name, n!);
  }
}

/** What the broken file must still count: the statements of its intact lines alone. */
async function intactCount(e: Entry): Promise<number> {
  const counted = intactCounts.get(e.name);
  if (counted !== undefined) return counted;
  const file = intactFile(e);
  if (file === null) return 0;
  const r = await run([file]);
  expect(r.code, r.stderr).toBeLessThan(2);
  return statements(r);
}

async function check(e: Entry, dir: string): Promise<void> {
  const r = await run(e.files.map((f) => path.join(dir, f)));
  // no stack trace, ever; exit 2 only when nothing at all was understood (never for these)
  expect(r.stderr).not.toMatch(STACK);
  expect([0, 1], `exit ${r.code}: ${r.stderr}`).toContain(r.code);
  expect(r.json).not.toBeNull();
  const want = await intactCount(e);
  const got = statements(r);
  expect(got, `statements of ${e.name}`).toBeGreaterThanOrEqual(want + e.extra[0]);
  expect(got, `statements of ${e.name}`).toBeLessThanOrEqual(want + e.extra[1]);
  if (e.unparsed) {
    const skipped = r.json!.inputs.reduce((n, i) => n + i.unparsedLines, 0);
    expect(skipped).toBeGreaterThanOrEqual(e.unparsed);
    // every skipped line is reported with where and why: in the JSON and on stderr as file:line
    const withSkips = r.json!.inputs.filter((i) => i.unparsedLines > 0);
    for (const i of withSkips) {
      expect(i.unparsedSamples.length).toBeGreaterThan(0);
      for (const s of i.unparsedSamples) {
        expect(s.line).toBeGreaterThan(0);
        expect(s.reason.length).toBeGreaterThan(5);
      }
      expect(r.stderr).toContain(`${i.path}:${i.unparsedSamples[0]!.line}`);
    }
  }
  if (e.warning) expect(r.stderr).toContain(e.warning);
}

const manifest = JSON.parse(readFileSync(path.join(BROKEN, 'manifest.json'), 'utf8')) as Entry[];

describe('broken logs (tests/fixtures/broken)', () => {
  beforeAll(async () => await countIntact(manifest), 120_000);

  it('the fixtures are what scripts/make-broken-logs.mjs makes', () => {
    expect(manifest.length).toBeGreaterThanOrEqual(20);
  });
  for (const e of manifest) {
    it(e.name, async () => await check(e, BROKEN), 60_000);
  }

  it('the text report names the skipped lines too', async () => {
    const r = await runCli([path.join(BROKEN, 'binary-garbage.log')]);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.stdout).toMatch(/skipped \d+ lines in .*binary-garbage\.log \(first at line \d+: /);
  });

  it('a log in another language reads as the English one: same findings', async () => {
    const en = await runCli(['samples/billing.log', '--format', 'json']);
    const de = await runCli([path.join(BROKEN, 'locale-de.log'), '--format', 'json']);
    const kinds = (s: string) => (JSON.parse(s).findings as { kind: string; template: string }[]).map((f) => `${f.kind} ${f.template}`).sort();
    expect(kinds(de.stdout)).toEqual(kinds(en.stdout));
  });

  it('the prefix change is found and reported in inputs[].facts', async () => {
    const r = await run([path.join(BROKEN, 'prefix-change.log')]);
    const facts = (r.json as unknown as { inputs: { facts: { prefixChanges: { line: number; prefix: string }[] } }[] }).inputs[0]!.facts;
    expect(facts.prefixChanges.length).toBe(1);
    expect(facts.prefixChanges[0]!.prefix).toMatch(/user=%u/);
  });
});

describe('big records (made at test time)', () => {
  const dir = path.join(tmp, 'big');
  let big: Entry[] = [];
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts/make-broken-logs.mjs'), '--big', dir]);
    big = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Entry[];
  }, 120_000);

  // linear time is checked by completing inside the timeout; the numbers measured are in docs/limits.md
  for (const name of ['16 MB statement on one line', '16 MB statement over 400k lines', '70 MB line']) {
    it(name, async () => await check(big.find((e) => e.name === name)!, dir), 120_000);
  }
});

describe('no stack trace reaches a user', () => {
  it('a module that fails to load prints one line and exits 2', () => {
    const bin = path.join(tmp, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    // a copy of the launcher next to no dist/: the import fails the way a broken install does
    writeFileSync(path.join(bin, 'sqloupe.js'), readFileSync(path.join(repoRoot, 'bin/sqloupe.js')));
    let out: { status: number | null; stderr: string } = { status: null, stderr: '' };
    try {
      execFileSync(process.execPath, [path.join(bin, 'sqloupe.js'), 'samples/billing.log'], { cwd: repoRoot, stdio: 'pipe' });
    } catch (e) {
      const err = e as { status: number | null; stderr: Buffer };
      out = { status: err.status, stderr: err.stderr.toString() };
    }
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/^sqloupe: cannot start: /);
    expect(out.stderr).not.toMatch(STACK);
    expect(out.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
  });

  it('a file of nothing but binary exits 2 with one-line reasons, no stack', async () => {
    const r = await runCli([path.join(BROKEN, 'dir-with-binary/core.bin')]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(STACK);
  });
});
