/** The README's example output is what the command prints on the bundled sample (kept true by this test). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../support/cli.js';

describe('README', () => {
  it('shows the real output of its first example', async () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const block = /```\n\$ npx sqloupe (.+)\n([\s\S]*?)\n```/.exec(readme);
    expect(block).not.toBeNull();
    const r = await runCli(block![1]!.split(' '));
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd()).toBe(block![2]);
  });

  it('quotes the accuracy figures the suite ratchets on (tests/fixtures/accuracy/baseline.json)', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const baseline = JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/accuracy/baseline.json'), 'utf8')) as {
      overall: { found: number; expected: number; negatives: number; negativesWithFindings: number };
      perDimension: { output: Record<string, { found: number; expected: number; negatives: number; negativesWithFindings: number }> };
    };
    const rows: [string, { found: number; expected: number; negatives: number; negativesWithFindings: number }][] = [
      ['csvlog', baseline.perDimension.output['csvlog']!],
      ['jsonlog', baseline.perDimension.output['jsonlog']!],
      ['stderr', baseline.perDimension.output['stderr']!],
      ["the ORM's own log", baseline.perDimension.output['orm-log']!],
      ['**all**', baseline.overall],
    ];
    for (const [label, v] of rows) {
      const line = readme.split('\n').find((l) => l.startsWith(`| ${label} |`));
      expect(line, label).toBeDefined();
      const bold = label === '**all**' ? '**' : '';
      expect(line).toContain(`${bold}${v.found} of ${v.expected} (`);
      expect(line).toContain(`${bold}${v.negativesWithFindings} of ${v.negatives} negatives${bold}`);
    }
  });

  it('quotes the figures of the peer set (tests/fixtures/peers/baseline.json)', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
    const b = JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/peers/baseline.json'), 'utf8')) as {
      overall: { found: number; expected: number; negatives: number; negativesWithFindings: number };
    };
    expect(readme).toContain(`**${b.overall.found} of ${b.overall.expected} loops\nfound, ${b.overall.negativesWithFindings} of ${b.overall.negatives} negatives with a finding**`);
  });

  it('quotes the figures of the held-out set (tests/fixtures/heldout/baseline.json)', () => {
    const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8').replace(/\n/g, ' ');
    const b = JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/heldout/baseline.json'), 'utf8')) as {
      overall: { found: number; expected: number; negatives: number; negativesWithFindings: number };
    };
    expect(readme).toContain(`**${b.overall.found} of ${b.overall.expected} loops found, ${b.overall.negativesWithFindings} of ${b.overall.negatives} negatives with a finding**`);
  });
});
