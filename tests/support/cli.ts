/**
 * Runs the built CLI in this process and captures exit code, stdout and stderr: the compiled dist/cli/main.js that
 * bin/sqloupe.js starts, with captured streams, so a run costs no Node start-up. What only a process shows (signals,
 * heap flags, the executable itself, EPIPE) is tested by spawning bin/sqloupe.js (packaging, follow, broken-logs).
 */
import { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = path.join(repoRoot, 'bin', 'sqloupe.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  input?: string | Buffer;
  /** Added to this process's environment for the run (NO_COLOR=1 unless given). */
  env?: Record<string, string>;
  cwd?: string;
}

type Main = typeof import('../../src/cli/main.js');
let loaded: Promise<Main> | null = null;
/** One run at a time: a run changes this process's environment and working directory while it lasts. */
let queue: Promise<unknown> = Promise.resolve();

class Capture extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    done();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

/**
 * The CLI in this process: stdin is the input (a pipe, never a terminal), stdout and stderr are captured (not
 * terminals: 80 columns, no progress), env and cwd are set for the run and restored after it.
 */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliRun> {
  const run = queue.then(async () => {
    // the compiled CLI, as bin/sqloupe.js runs it (tests/support/build.ts builds it before any test)
    loaded ??= import(pathToFileURL(path.join(repoRoot, 'dist', 'cli', 'main.js')).href) as Promise<Main>;
    const { main } = await loaded;
    const stdout = new Capture();
    const stderr = new Capture();
    const input = opts.input ?? '';
    const stdin = Readable.from(input.length ? [typeof input === 'string' ? Buffer.from(input) : input] : []);
    const env = { NO_COLOR: '1', ...opts.env };
    const before = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
    const cwd = process.cwd();
    try {
      for (const [k, v] of Object.entries(env)) process.env[k] = v;
      process.chdir(opts.cwd ?? repoRoot);
      const code = await main({ argv: args, stdout, stderr, stdin });
      return { code, stdout: stdout.text(), stderr: stderr.text() };
    } finally {
      process.chdir(cwd);
      for (const [k, v] of before) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
  queue = run.catch(() => undefined);
  return run;
}

export async function runJson(args: string[], opts: CliOptions = {}) {
  const r = await runCli([...args, '--format', 'json'], opts);
  if (r.code !== 0 && r.code !== 1) throw new Error(`sqloupe exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const shared = new Map<string, string>();

/**
 * runJson for a read-only run (no --write-baseline, --save-state, --output) that several tests of a file assert
 * on: the CLI runs once per arguments, cwd and env in this file, and each caller parses its own copy of the report.
 */
export async function runJsonShared(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  if (args.some((a) => /^--(write-baseline|save-state|output)$|^-o$/.test(a))) throw new Error(`runJsonShared is for read-only runs: ${args.join(' ')}`);
  const key = JSON.stringify([args, opts.cwd ?? null, opts.env ?? null]);
  let stdout = shared.get(key);
  if (stdout === undefined) {
    const r = await runCli([...args, '--format', 'json'], opts);
    if (r.code !== 0 && r.code !== 1) throw new Error(`sqloupe exited ${r.code}: ${r.stderr}`);
    stdout = r.stdout;
    shared.set(key, stdout);
  }
  return JSON.parse(stdout);
}
