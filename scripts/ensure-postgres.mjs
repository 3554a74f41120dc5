#!/usr/bin/env node
// Makes sure PostgreSQL server binaries (15+) exist before the tests start a throwaway cluster.
// Installs Debian's postgresql-15 when they are missing and we are root; otherwise says what to run.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

function haveServer() {
  if (process.env.PG_BINDIR && existsSync(`${process.env.PG_BINDIR}/postgres`)) return true;
  try {
    return readdirSync('/usr/lib/postgresql').some((v) => Number(v) >= 15 && existsSync(`/usr/lib/postgresql/${v}/bin/postgres`));
  } catch {
    return false;
  }
}

if (!haveServer()) {
  if (process.getuid?.() !== 0) {
    console.error('PostgreSQL 15 server binaries are missing: run `sudo apt-get install -y postgresql-15` (or set PG_BINDIR), then npm test again.');
    process.exit(1);
  }
  console.error('installing postgresql-15 for the tests (apt-get)…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 2, 2], env });
  execFileSync('apt-get', ['install', '-y', '-qq', 'postgresql-15'], { stdio: ['ignore', 2, 2], env });
}
