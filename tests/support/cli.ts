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

const shared = new Map<string, string>();

/**
 * runJson for a read-only run (no --write-baseline, --save-state, --output) that several tests of a file assert
 * on: the CLI runs once per arguments, cwd and env in this file, and each caller parses its own copy of the report.
 */
export function runJsonShared(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  if (args.some((a) => /^--(write-baseline|save-state|output)$|^-o$/.test(a))) throw new Error(`runJsonShared is for read-only runs: ${args.join(' ')}`);
  const key = JSON.stringify([args, opts.cwd ?? null, opts.env ?? null]);
  let stdout = shared.get(key);
  if (stdout === undefined) {
    const r = runCli([...args, '--format', 'json'], opts);
    if (r.code !== 0 && r.code !== 1) throw new Error(`sqloupe exited ${r.code}: ${r.stderr}`);
    stdout = r.stdout;
    shared.set(key, stdout);
  }
  return JSON.parse(stdout);
}
