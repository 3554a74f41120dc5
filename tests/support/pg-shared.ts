/**
 * Vitest global setup for the one PostgreSQL cluster the rewrite tests share (tests/rewrite/support.ts starts it
 * on first use): names its folder in the run's temp folder, and stops the cluster at the end of the run.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ENV = 'SQLOUPE_SHARED_PG';

/** The shared cluster's folder; only set inside a vitest run of this project's config. */
export function sharedPgDir(): string {
  const dir = process.env[ENV];
  if (!dir) throw new Error(`${ENV} is not set: run the tests with vitest and this repository's vitest.config.ts`);
  return dir;
}

export default function setup(): () => void {
  const dir = path.join(os.tmpdir(), 'sqloupe-shared-pg');
  process.env[ENV] = dir;
  return () => {
    if (fs.existsSync(path.join(dir, 'cluster.json'))) {
      const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
      try {
        execFileSync(process.execPath, [path.join(root, 'scripts', 'pg-cluster.mjs'), 'stop', dir], { stdio: 'inherit', timeout: 120_000 });
      } catch {
        /* reported by pg-cluster on stderr */
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(`${dir}.lock`, { recursive: true, force: true });
    delete process.env[ENV];
  };
}
