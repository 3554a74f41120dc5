/** `--format json` of every sample and every ORM fixture validates against schema/sqloupe-report.schema.json. */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatById } from '../../src/formats/index.js';
import { repoRoot, runCli } from '../support/cli.js';
import { validatorFor } from './schema.js';

const validate = validatorFor('sqloupe-report.schema.json');

/** Sample → the format it needs; a format still being written (not in the registry) skips its sample instead of failing here. */
const SAMPLES: [string, string][] = [
  ['samples/billing.log', 'pg-stderr'],
  ['samples/loops.csv', 'pg-csv'],
  ['samples/pooled-web.json', 'pg-json'],
];

function ormFixtures(): string[] {
  const dir = path.join(repoRoot, 'tests/fixtures/orm');
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const orm of readdirSync(dir).sort()) {
    const sub = path.join(dir, orm);
    for (const f of readdirSync(sub).sort()) {
      // every capture has a ground truth next to it; READMEs and the truth files themselves are not logs
      if (f.endsWith('.truth.json') || f.endsWith('.md')) continue;
      if (existsSync(path.join(sub, f.replace(/\.[^.]+$/, '.truth.json')))) out.push(path.join('tests/fixtures/orm', orm, f));
    }
  }
  return out;
}

async function check(file: string) {
  const r = await runCli([file, '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as { schemaVersion: number; findings: unknown[]; summary: { statements: number } };
  expect(validate(doc)).toEqual([]);
  expect(doc.schemaVersion).toBe(1);
  return doc;
}

describe('JSON output matches the published schema', () => {
  for (const [file, format] of SAMPLES) {
    it.skipIf(formatById(format) === undefined)(`${file} (${format})`, async () => {
      const doc = await check(file);
      expect(doc.summary.statements).toBeGreaterThan(0);
      expect(doc.findings.length).toBeGreaterThan(0);
    });
  }
  const fixtures = ormFixtures();
  it('finds the ORM fixtures', () => expect(fixtures.length).toBeGreaterThan(5));
  for (const file of fixtures) it(file, async () => void await check(file));

  it('the schema rejects a document that breaks the contract', async () => {
    const r = await runCli(['samples/billing.log', '--format', 'json']);
    const doc = JSON.parse(r.stdout) as Record<string, unknown> & { findings: Record<string, unknown>[] };
    expect(validate({ ...doc, schemaVersion: 2 })).not.toEqual([]);
    expect(validate({ ...doc, surprise: true })).not.toEqual([]);
    const f = doc.findings[0]!;
    expect(validate({ ...doc, findings: [{ ...f, kind: 'n+1' }] })).not.toEqual([]);
    expect(validate({ ...doc, findings: [{ ...f, repeats: '12' }] })).not.toEqual([]);
  });
});
