/** Markdown (ticket/wiki) and NDJSON (one finding per line, then a summary line) carry the same findings as the JSON report. */
import { describe, expect, it } from 'vitest';
import type { AnalysisResult } from '../../src/findings/result.js';
import { OUTPUT_FORMATS } from '../../src/config.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { reporters } from '../../src/report/index.js';
import { runCli } from '../support/cli.js';
import { validatorFor } from './schema.js';

const json = async (file: string) => JSON.parse((await runCli([file, '--format', 'json'])).stdout) as AnalysisResult & { schemaVersion: number };

describe('--format markdown', () => {
  it('has a findings table, a section per finding with the fix in fenced SQL, and top queries', async () => {
    const doc = await json('samples/loops.csv');
    const r = await runCli(['samples/loops.csv', '--format', 'markdown']);
    expect(r.code).toBe(0);
    const md = r.stdout;
    expect(md).toMatch(/^# sqloupe report: \d+ findings\n/);
    expect(md).toContain('| # | severity | kind | tables | repeats × units | wasted | id |');
    for (const f of doc.findings) {
      expect(md).toContain(`\`${f.id}\``);
      expect(md).toContain(`## `);
      expect(md).toContain(f.kind);
    }
    expect(md).toContain('```sql\n');
    expect(md).toContain('## Top queries');
    // every table row has the same number of cells as its header
    for (const block of md.split('\n\n').filter((b) => b.startsWith('| '))) {
      const rows = block.split('\n').filter(Boolean).map((l) => l.replace(/\\\|/g, '').split('|').length);
      expect(new Set(rows).size, block).toBe(1);
    }
  });

  it('--quiet keeps the findings only', async () => {
    const md = (await runCli(['samples/billing.log', '--format', 'markdown', '--quiet'])).stdout;
    expect(md).not.toContain('Top queries');
    expect(md).not.toContain('**Inputs:**');
    expect(md).toContain('n-plus-one');
  });

  it('escapes pipes in cells and survives backticks in SQL', async () => {
    const doc = await json('samples/billing.log');
    const f = doc.findings[0]!;
    const weird = { ...doc, findings: [{ ...f, tables: ['a|b'], evidence: { ...f.evidence, samples: [{ ...f.evidence.samples[0]!, sql: 'select `x` from t' }] } }] };
    const md = renderMarkdown(weird, { color: false, quiet: false, width: 80 });
    expect(md).toContain('a\\|b');
    expect(md).toContain('`` select `x` from t ``');
  });
});

describe('--format ndjson', () => {
  it('one finding per line, then a summary line that holds the rest of the JSON report', async () => {
    const doc = await json('samples/loops.csv');
    const r = await runCli(['samples/loops.csv', '--format', 'ndjson']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(doc.findings.length + 1);
    const findings = lines.slice(0, -1);
    expect(findings.every((l) => l['type'] === 'finding')).toBe(true);
    expect(findings.map(({ type: _t, ...f }) => f)).toEqual(doc.findings);
    const { type, ...summary } = lines[lines.length - 1]!;
    expect(type).toBe('summary');
    // finding lines + summary line = the JSON document, so the JSON schema covers NDJSON too
    const rebuilt = { ...summary, findings: doc.findings };
    expect(validatorFor('sqloupe-report.schema.json')(rebuilt)).toEqual([]);
  });
});

describe('registry', () => {
  it('lists every --format the config accepts', () => {
    expect(reporters.map((r) => r.id).sort()).toEqual([...OUTPUT_FORMATS].sort());
  });
});
