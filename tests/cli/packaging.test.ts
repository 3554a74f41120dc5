/** What a user installs: an executable every POSIX env can start, the heap flags applied anyway, no build on install, a LICENSE. */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, repoRoot } from '../support/cli.js';

const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

/** The pids of a process's children (Linux /proc). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('bin/sqloupe.js', () => {
  it('starts with `#!/usr/bin/env node`: no `env -S`, no interpreter arguments (BusyBox env takes none)', () => {
    expect(readFileSync(BIN, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('runs the analysis in a node started with the heap flags, passes SIGINT on once, and keeps the exit code', async () => {
    const child = spawn(process.execPath, [BIN, '--follow', 'samples/billing.log'], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // follow prints the finding once the file is read; by then the re-started node is running
    while (!stdout.includes('id 35ba7cc0be22')) await new Promise((r) => setTimeout(r, 50));
    const [inner] = childrenOf(child.pid!);
    expect(inner).toBeDefined();
    const argv = readFileSync(`/proc/${inner}/cmdline`, 'utf8').split('\0');
    expect(argv.slice(1, 3)).toEqual(['--max-semi-space-size=8', '--max-old-space-size=1024']);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    // one summary: the forwarded signal ended follow mode the way Ctrl-C does, not twice
    expect(stdout.split('sqloupe follow summary').length - 1).toBe(1);
  });

  it('the restarted node\'s exit code and stderr are what a start with the flags given (NODE_OPTIONS) gives', () => {
    // started as a user starts it (no heap flags of its own): bin/sqloupe.js starts node again, or not
    const start = (env: Record<string, string>) => {
      const r = spawnSync(process.execPath, [BIN, 'no-such.log'], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', ...env }, encoding: 'utf8' });
      return { code: r.status, stderr: r.stderr };
    };
    const direct = start({ NODE_OPTIONS: '--max-old-space-size=512' });
    expect(direct.code).toBe(2);
    expect(direct.stderr).toBe('sqloupe: cannot read no-such.log: no such file or directory\n');
    const restarted = start({});
    expect(restarted.code).toBe(2);
    expect(restarted.stderr).toBe(direct.stderr);
  });
});

describe('package.json', () => {
  it('builds dist/ before packing, never on install (no prepare script to warn about on npm install -g)', () => {
    expect(pkg.scripts.prepare).toBeUndefined();
    expect(pkg.scripts.prepack).toBe('tsc -p tsconfig.build.json && node scripts/bundle-html.mjs');
    expect(pkg.files).toEqual(expect.arrayContaining(['bin', 'dist', 'schema']));
  });

  it('declares MIT and ships a LICENSE that says so', () => {
    expect(pkg.license).toBe('MIT');
    const license = readFileSync(path.join(repoRoot, 'LICENSE'), 'utf8');
    expect(license.split('\n')[0]).toBe('MIT License');
    expect(license).toContain('Copyright (c) 2026 sqloupe contributors');
  });
});
