/** Counts agree with their noun, and sentences end with one full stop, in every report of a real log. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze, DEFAULT_ANALYZE_OPTIONS } from '../../src/analyze.js';
import { reporters } from '../../src/report/index.js';
import { renderText } from '../../src/report/text.js';
import { count, sentence } from '../../src/text/plural.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'sqloupe-wording-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('wording', () => {
  it('count() and sentence()', () => {
    expect([count(0, 'line'), count(1, 'line'), count(2, 'line'), count(1234, 'line')]).toEqual(['0 lines', '1 line', '2 lines', '1,234 lines']);
    expect(count(1, 'unit of work', 'units of work')).toBe('1 unit of work');
    expect([sentence('SQL advice only.'), sentence('SQL advice only'), sentence('done. ')]).toEqual(['SQL advice only.', 'SQL advice only.', 'done.']);
  });

  it('one unreadable line in a real log is "skipped 1 line"', async () => {
    // the billing sample with one line no PostgreSQL server writes, after its last record
    const file = path.join(tmp, 'billing-plus-one.log');
    writeFileSync(file, readFileSync('samples/billing.log', 'utf8') + 'this line is not a log record\n');
    const result = await analyze([{ path: file, size: null }], DEFAULT_ANALYZE_OPTIONS);
    expect(result.inputs[0]!.unparsedLines).toBe(1);
    const text = renderText(result, { color: false, quiet: false, width: 100 });
    expect(text.split('\n').filter((l) => l.startsWith('skipped'))).toEqual([
      `skipped 1 line in ${file} (first at line 517: line does not start with log_line_prefix '%m [%p] %q%u@%d/%a [%c] %x ' (give the right one with --prefix; try \`sqloupe doctor\`))`,
    ]);
  });

  it('no report of the billing sample has a doubled full stop (the unknown-ORM advice ends with one)', async () => {
    const result = await analyze([{ path: 'samples/billing.log', size: null }], DEFAULT_ANALYZE_OPTIONS);
    expect(result.findings[0]!.suggestion!.summary).toMatch(/SQL advice only\.$/);
    for (const r of reporters) {
      const out = r.render(result, { color: false, quiet: false, width: 100 });
      expect(out.match(/[^.]\.\.(?!\.)/g), r.id).toBeNull();
    }
  });
});
