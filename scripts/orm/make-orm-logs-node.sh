#!/usr/bin/env bash
# Produce the real Sequelize and TypeORM fixture logs: install the fixture apps' own deps (not the
# root package's), start a throwaway PostgreSQL, run each app, and write logs + ground truth to
#   <outdir>/sequelize/  and  <outdir>/typeorm/      (default outdir: tests/fixtures/orm)
# Usage: scripts/orm/make-orm-logs-node.sh [outdir]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/tests/fixtures/orm}"
out="$(mkdir -p "$out" && cd "$out" && pwd)"
app="$root/scripts/orm/node"
if [ ! -d "$app/node_modules/sequelize" ] || [ ! -d "$app/node_modules/typeorm" ]; then
  (cd "$app" && npm install --no-audit --no-fund)
fi
pgdir="$(mktemp -d /tmp/sqloupe-orm-pg.XXXXXX)"
trap 'node "$root/scripts/pg-cluster.mjs" stop "$pgdir" >/dev/null 2>&1 || true; rm -rf "$pgdir"' EXIT
info="$(node "$root/scripts/pg-cluster.mjs" start "$pgdir")"
export PGHOST="$(node -e 'console.log(JSON.parse(process.argv[1]).host)' "$info")"
export PGPORT="$(node -e 'console.log(JSON.parse(process.argv[1]).port)' "$info")"
export PGUSER="$(node -e 'console.log(JSON.parse(process.argv[1]).user)' "$info")"
export PGDATABASE="$(node -e 'console.log(JSON.parse(process.argv[1]).database)' "$info")"
mkdir -p "$out/sequelize" "$out/typeorm"
cd "$app"
# Sequelize: logging: console.log, once plain and once with benchmark + logQueryParameters.
node sequelize-app.mjs plain "$out/sequelize/plain.truth.json" > "$out/sequelize/plain.log"
node sequelize-app.mjs benchmark "$out/sequelize/benchmark.truth.json" > "$out/sequelize/benchmark.log"
# TypeORM: logging: true on the console (stdout and stderr, as a terminal shows them), and the file logger.
node typeorm-app.mjs console "$out/typeorm/console.truth.json" > "$out/typeorm/console.log" 2>&1
rm -f "$out/typeorm/file.log"
node typeorm-app.mjs file "$out/typeorm/file.truth.json" "$out/typeorm/file.log" > /dev/null
echo "wrote $out/sequelize and $out/typeorm"
