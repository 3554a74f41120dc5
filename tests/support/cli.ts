/** Runs the built CLI the way a user does and captures exit code, stdout and stderr. */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(repoRoot, 'bin', 'sqloupe.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; cwd?: string } = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? repoRoot,
    input: opts.input ?? '',
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    maxBuffer: 256 << 20,
  });
  return { code: r.status ?? -1, stdout: r.stdout.toString('utf8'), stderr: r.stderr.toString('utf8') };
}

export function runJson(args: string[], opts: Parameters<typeof runCli>[1] = {}) {
  const r = runCli([...args, '--format', 'json'], opts);
  if (r.code !== 0 && r.code !== 1) throw new Error(`sqloupe exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
