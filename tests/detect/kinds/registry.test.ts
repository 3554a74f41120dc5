/**
 * What every kind must have beyond its two files: a valid/invalid test file, a docs page with the same
 * sections as every other, its name in the JSON schemas, docs/json-output.md and the README table.
 * The compiler checks the code side (rewrite/registry.ts); this checks the rest.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FINDING_KINDS, KINDS } from '../../../src/detect/registry.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');

const SECTIONS = ['## What it means', '## Why it is slow', '## How sqloupe detects it', '## The rewrite', '## Fix it in the ORM', '## How to suppress', '## Options'];

/** Every enum in a JSON schema that lists finding kinds. */
function kindEnums(schema: unknown): string[][] {
  const out: string[][] = [];
  const visit = (n: unknown) => {
    if (Array.isArray(n)) n.forEach(visit);
    else if (n && typeof n === 'object') {
      const e = (n as { enum?: unknown }).enum;
      if (Array.isArray(e) && e.includes('n-plus-one')) out.push(e as string[]);
      Object.values(n).forEach(visit);
    }
  };
  visit(schema);
  return out;
}

describe('the kind registry', () => {
  it('ids, SARIF names and run orders are unique', () => {
    expect(new Set(FINDING_KINDS).size).toBe(KINDS.length);
    expect(new Set(KINDS.map((k) => k.meta.sarif.name)).size).toBe(KINDS.length);
    expect(new Set(KINDS.map((k) => k.meta.runOrder)).size).toBe(KINDS.length);
    for (const k of KINDS) expect(k.meta.sarif.name).toMatch(/^[A-Z][A-Za-z]+$/);
  });

  it.each(FINDING_KINDS)('%s has a test file with valid and invalid cases', (kind) => {
    const file = `tests/detect/kinds/${kind}.test.ts`;
    expect(existsSync(path.join(root, file)), file).toBe(true);
    expect(read(file)).toContain(`testKind('${kind}'`);
  });

  it.each(FINDING_KINDS)('%s has a docs page with every section', (kind) => {
    const file = `docs/kinds/${kind}.md`;
    expect(existsSync(path.join(root, file)), file).toBe(true);
    const page = read(file);
    expect(page.startsWith(`# ${kind}\n`)).toBe(true);
    let at = 0;
    for (const s of SECTIONS) {
      const i = page.indexOf(`\n${s}\n`, at);
      expect(i, `${file}: "${s}" missing or out of order`).toBeGreaterThan(0);
      at = i;
    }
    expect(read('docs/kinds/README.md')).toContain(`(${kind}.md)`);
  });

  it('the JSON schemas list exactly the registered kinds', () => {
    const enums = [...kindEnums(JSON.parse(read('schema/sqloupe-report.schema.json'))), ...kindEnums(JSON.parse(read('schema/sqloupe.config.schema.json')))];
    expect(enums.length).toBeGreaterThan(0);
    for (const e of enums) expect([...e].sort()).toEqual([...FINDING_KINDS].sort());
  });

  it('docs/json-output.md and the README table name every kind, the README linking its page', () => {
    const contract = read('docs/json-output.md');
    const readme = read('README.md');
    for (const kind of FINDING_KINDS) {
      expect(contract).toContain(`\`${kind}\``);
      expect(readme).toContain(`[\`${kind}\`](docs/kinds/${kind}.md)`);
    }
  });
});
