/** SARIF 2.1.0: the structure code scanning needs (rules up front, located and fingerprinted results), checked field by field. */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as Sarif from 'sarif';
import { analyze, DEFAULT_ANALYZE_OPTIONS } from '../../src/analyze.js';
import { FINDING_KINDS } from '../../src/detect/registry.js';
import { artifactUri, FINGERPRINT_KEY, parseFileLine, toSarif } from '../../src/report/sarif.js';
import { runCli } from '../support/cli.js';

const LEVELS = ['none', 'note', 'warning', 'error'];

async function sarifOf(file: string): Promise<{ log: Sarif.Log; findings: { id: string; callSite: string | null; units: { source: string }[] }[] }> {
  const s = await runCli([file, '--format', 'sarif']);
  expect(s.code, s.stderr).toBe(0);
  const j = await runCli([file, '--format', 'json']);
  return { log: JSON.parse(s.stdout) as Sarif.Log, findings: JSON.parse(j.stdout).findings };
}

/** The parts of the SARIF 2.1.0 schema a consumer relies on (sarif-schema-2.1.0.json: required and enum constraints). */
function checkStructure(log: Sarif.Log) {
  expect(log.version).toBe('2.1.0');
  expect(log.$schema).toMatch(/sarif-2\.1\.0/);
  expect(log.runs).toHaveLength(1);
  const run = log.runs[0]!;
  const driver = run.tool.driver;
  expect(driver.name).toBe('sqloupe');
  expect(driver.version).toMatch(/^\d+\.\d+\.\d+/);
  const rules = driver.rules!;
  // one rule per finding kind, declared up front, in a fixed order so ruleIndex is stable
  expect(rules.map((r) => r.id)).toEqual([...FINDING_KINDS]);
  for (const r of rules) {
    expect(r.shortDescription?.text).toBeTruthy();
    expect(r.fullDescription?.text).toBeTruthy();
    expect(r.name).toMatch(/^[A-Z][A-Za-z]+$/);
  }
  for (const res of run.results!) {
    expect(res.message.text).toBeTruthy();
    expect(rules[res.ruleIndex!]!.id).toBe(res.ruleId);
    expect(LEVELS).toContain(res.level);
    expect(res.locations).toHaveLength(1);
    const phys = res.locations![0]!.physicalLocation!;
    const uri = phys.artifactLocation!.uri!;
    expect(uri).not.toMatch(/^\.\.?\//);
    expect(uri.startsWith('/')).toBe(false);
    // relative reference, or file:// for a call site outside the working tree
    expect(/^[a-z]+:/.test(uri) ? uri.startsWith('file://') : true).toBe(true);
    expect(phys.region!.startLine).toBeGreaterThanOrEqual(1);
    expect(Object.keys(res.partialFingerprints!)).toEqual([FINGERPRINT_KEY]);
  }
}

describe('--format sarif', () => {
  it('billing: one result per finding, located at the log line, fingerprinted with the finding id', async () => {
    const { log, findings } = await sarifOf('samples/billing.log');
    checkStructure(log);
    const results = log.runs[0]!.results!;
    expect(results.map((r) => r.partialFingerprints![FINGERPRINT_KEY])).toEqual(findings.map((f) => f.id));
    const first = results[0]!;
    expect(first.ruleId).toBe('n-plus-one');
    const at = parseFileLine(findings[0]!.units[0]!.source)!;
    expect(first.locations![0]!.physicalLocation).toEqual({ artifactLocation: { uri: 'samples/billing.log' }, region: { startLine: at.line } });
  });

  it('Rails: the ↳ call site is the location, the log line a related location', async () => {
    const { log, findings } = await sarifOf('tests/fixtures/orm/rails/dev.log');
    checkStructure(log);
    const results = log.runs[0]!.results!;
    expect(results).toHaveLength(findings.length);
    const located = results.filter((r) => r.locations![0]!.physicalLocation!.artifactLocation!.uri!.endsWith('.rb'));
    expect(located.length).toBeGreaterThan(0);
    for (const r of located) {
      const f = findings.find((x) => x.id === r.partialFingerprints![FINGERPRINT_KEY])!;
      const site = parseFileLine(f.callSite!)!;
      expect(r.locations![0]!.physicalLocation).toEqual({ artifactLocation: { uri: site.file }, region: { startLine: site.line } });
      expect(r.relatedLocations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('tests/fixtures/orm/rails/dev.log');
    }
  });

  it('GORM: file:line call sites become locations (absolute paths outside the tree as file:// URIs)', async () => {
    const { log } = await sarifOf('tests/fixtures/orm/gorm/debug.log');
    checkStructure(log);
    const uris = log.runs[0]!.results!.map((r) => r.locations![0]!.physicalLocation!.artifactLocation!.uri!);
    expect(uris.length).toBeGreaterThan(0);
    for (const u of uris) expect(u).toMatch(/\.go$/);
  });

  it('every sample and a few fixtures give structurally valid SARIF', async () => {
    for (const f of ['samples/loops.csv', 'samples/pooled-web.json', 'tests/fixtures/orm/prisma/prisma7-comments.jsonl', 'tests/fixtures/orm/sqlalchemy/echo.log']) {
      const { log, findings } = await sarifOf(f);
      checkStructure(log);
      expect(log.runs[0]!.results!.length, f).toBe(findings.length);
    }
  });

  it('stdin findings have no file to point at: kept with a logical location, and the run says why', async () => {
    const r = await runCli(['-', '--format', 'sarif', '--fail-on', 'warning'], { input: readFileSync('samples/billing.log') });
    expect(r.code).toBe(1);
    const run = (JSON.parse(r.stdout) as Sarif.Log).runs[0]!;
    expect(run.results!.map((x) => x.locations)).toEqual([[{ logicalLocations: [{ fullyQualifiedName: '<stdin>:184', kind: 'module' }] }]]);
    expect(run.invocations![0]!.toolExecutionNotifications).toEqual([
      {
        level: 'warning',
        descriptor: { id: 'logical-locations' },
        message: {
          text: '1 result points into standard input, which no artifact URI can name: each has a logical location (log:line) instead of a file. Code scanning uploads need files: save the log to a file with a plain name and analyze that.',
        },
      },
    ]);
    expect(run.properties!['logicalOnlyResults']).toBe(1);
    expect(run.properties!['unlocatedFindings']).toBe(0);
  });

  it('a log path with a newline in it is a logical location too, escaped', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sqloupe-sarif-'));
    try {
      const odd = path.join(dir, 'bill\ning.log');
      copyFileSync('samples/billing.log', odd);
      const result = await analyze([{ path: odd, size: null }], DEFAULT_ANALYZE_OPTIONS);
      const run = toSarif(result).runs[0]!;
      expect(run.results!.map((x) => x.locations![0]!.logicalLocations![0]!.fullyQualifiedName)).toEqual([`${dir}/bill\\ning.log:184`]);
      expect(run.invocations![0]!.toolExecutionNotifications![0]!.message.text).toMatch(/^1 result points into a log whose path has control characters, which no artifact URI can name/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('helpers', () => {
  it('parseFileLine reads the call-site forms', () => {
    expect(parseFileLine('app/models/user.rb:12')).toEqual({ file: 'app/models/user.rb', line: 12 });
    expect(parseFileLine("app/models/user.rb:12:in `block in load'")).toEqual({ file: 'app/models/user.rb', line: 12 });
    expect(parseFileLine('/home/dev/x/books.go:35')).toEqual({ file: '/home/dev/x/books.go', line: 35 });
    expect(parseFileLine('Book.updateOne')).toBeNull();
  });
  it('artifactUri keeps relative paths and relativises absolute ones under cwd', () => {
    expect(artifactUri('./a/b.rb', '/repo')).toBe('a/b.rb');
    expect(artifactUri('/repo/a/b.rb', '/repo')).toBe('a/b.rb');
    expect(artifactUri('/elsewhere/b.go', '/repo')).toBe('file:///elsewhere/b.go');
  });
});
