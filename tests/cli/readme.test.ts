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
});
