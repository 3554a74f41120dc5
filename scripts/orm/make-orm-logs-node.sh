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
logdir="$(node -e 'console.log(JSON.parse(process.argv[1]).logDir)' "$info")"
mkdir -p "$out/sequelize" "$out/typeorm"
cd "$app"
# The server's own stderr log of each run is kept next to the ORM log (<name>.server.log), so tests can
# check that both give the same findings. The logging collector writes asynchronously: wait before cutting.
serverlog() { ls "$logdir"/postgresql-*.log | head -n 1; }
size() { sleep 0.5; stat -c %s "$(serverlog)"; }
cut_server_log() { # from-byte to-byte dest
  tail -c +"$(($1 + 1))" "$(serverlog)" | head -c "$(($2 - $1))" > "$3"
}
run() { # orm name command...
  local orm="$1" name="$2"; shift 2
  local from; from="$(size)"
  "$@"
  cut_server_log "$from" "$(size)" "$out/$orm/$name.server.log"
}
# Sequelize: logging: console.log, once plain and once with benchmark + logQueryParameters.
run sequelize plain sh -c 'node sequelize-app.mjs plain "$1" > "$2"' _ "$out/sequelize/plain.truth.json" "$out/sequelize/plain.log"
run sequelize benchmark sh -c 'node sequelize-app.mjs benchmark "$1" > "$2"' _ "$out/sequelize/benchmark.truth.json" "$out/sequelize/benchmark.log"
# TypeORM: logging: true on the console (stdout and stderr, as a terminal shows them), and the file logger.
run typeorm console sh -c 'node typeorm-app.mjs console "$1" > "$2" 2>&1' _ "$out/typeorm/console.truth.json" "$out/typeorm/console.log"
rm -f "$out/typeorm/file.log"
run typeorm file sh -c 'node typeorm-app.mjs file "$1" "$2" > /dev/null' _ "$out/typeorm/file.truth.json" "$out/typeorm/file.log"
echo "wrote $out/sequelize and $out/typeorm"
