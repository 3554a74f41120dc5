#!/usr/bin/env bash
# Real ORM statement-log fixtures for sqloupe: SQLAlchemy and Django (Debian python3 packages) and
# ActiveRecord (Debian ruby-activerecord + ruby-pg), each run against a throwaway PostgreSQL 15 from
# scripts/pg-cluster.mjs. Writes <outdir>/{sqlalchemy,django,rails}/<variant>.log + <variant>.truth.json
# and a README.md per folder saying how they were made.
#
#   scripts/orm/make-orm-logs.sh [outdir]        (default: tests/fixtures/orm)
#
# Missing packages are installed with apt-get when running as root; otherwise the ORM is skipped with
# the reason printed. Debian's /usr/bin/python3 is used on purpose (not a pyenv python3 on PATH).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
OUT="${1:-$ROOT/tests/fixtures/orm}"
PY=/usr/bin/python3
mkdir -p "$OUT"

have_python() { "$PY" -c 'import sqlalchemy, django, psycopg2' 2>/dev/null; }
have_ruby() { command -v ruby >/dev/null && ruby -e 'require "active_record"; require "pg"' 2>/dev/null; }

if ! have_python || ! have_ruby; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    apt-get install -y -qq python3-sqlalchemy python3-psycopg2 python3-django ruby-activerecord ruby-pg >/dev/null
  else
    echo "make-orm-logs: not root, cannot apt-get install the missing ORM packages" >&2
  fi
fi

WORK="$(mktemp -d)"
chmod 755 "$WORK" # the server runs as the postgres user and must reach its data directory
cleanup() { node "$ROOT/scripts/pg-cluster.mjs" stop "$WORK/pg" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT
INFO="$(node "$ROOT/scripts/pg-cluster.mjs" start "$WORK/pg")"
PORT="$(printf '%s' "$INFO" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).port))')"
PGVER="$(printf '%s' "$INFO" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).version))')"
echo "make-orm-logs: PostgreSQL $PGVER on 127.0.0.1:$PORT" >&2

readme() { # dir, orm, version, command
  cat > "$1/README.md" <<MD
# $2 statement-log fixtures (real captures)

Produced by \`scripts/orm/make-orm-logs.sh\` on $(date -u +%Y-%m-%d): $2 $3 against PostgreSQL $PGVER
(\`scripts/pg-cluster.mjs\`), with

    $4

Each \`<variant>.log\` is the app's stdout, unedited; \`<variant>.truth.json\` is the ground truth the
app counted itself (see \`counted_with\` inside) and the database loops it planted.
MD
}

if have_python; then
  D="$OUT/sqlalchemy"; mkdir -p "$D"
  for v in echo debug basic bare doubled; do
    "$PY" "$ROOT/scripts/orm/python/sqlalchemy_app.py" --url "postgresql+psycopg2://postgres@127.0.0.1:$PORT/app" \
      --log "$v" --truth "$D/$v.truth.json" > "$D/$v.log"
  done
  readme "$D" SQLAlchemy "$("$PY" -c 'import sqlalchemy; print(sqlalchemy.__version__)')" \
    "/usr/bin/python3 scripts/orm/python/sqlalchemy_app.py --url postgresql+psycopg2://postgres@127.0.0.1:PORT/app --log echo|debug|basic|bare|doubled --truth <variant>.truth.json > <variant>.log"
  # several threads, one log, the thread name in the format (how many records interleave varies per run)
  "$PY" "$ROOT/scripts/orm/python/sqlalchemy_threads.py" --url "postgresql+psycopg2://postgres@127.0.0.1:$PORT/app" \
    --threads 8 --truth "$D/threads.truth.json" > "$D/threads.log"
  cat >> "$D/README.md" <<'MD'

`threads.log` comes from `/usr/bin/python3 scripts/orm/python/sqlalchemy_threads.py --url … --threads 8 --truth threads.truth.json > threads.log`:
eight worker threads, each with its own Session and connection, logging through one handler with
`%(asctime)s %(threadName)s %(levelname)s %(name)s %(message)s`, so records of different threads interleave.
MD
  D="$OUT/django"; mkdir -p "$D"
  for v in plain verbose sqlparse; do
    "$PY" "$ROOT/scripts/orm/python/django_app.py" --port "$PORT" --log "$v" --truth "$D/$v.truth.json" > "$D/$v.log"
  done
  readme "$D" Django "$("$PY" -c 'import django; print(django.get_version())')" \
    "/usr/bin/python3 scripts/orm/python/django_app.py --port PORT --log plain|verbose|sqlparse --truth <variant>.truth.json > <variant>.log"
else
  echo "make-orm-logs: skipping SQLAlchemy and Django: python3-sqlalchemy/python3-django/python3-psycopg2 not importable by $PY" >&2
fi

if have_ruby; then
  D="$OUT/rails"; mkdir -p "$D"
  for v in dev production; do
    ruby "$ROOT/scripts/orm/rails/ar_app.rb" --port "$PORT" --log "$v" --truth "$D/$v.truth.json" > "$D/$v.log"
  done
  # production written by Logger into a file it creates (as log/production.log is): starts with Logger's header
  rm -f "$D/logfile.log"
  ruby "$ROOT/scripts/orm/rails/ar_app.rb" --port "$PORT" --log production --logfile "$D/logfile.log" --truth "$D/logfile.truth.json" > /dev/null
  readme "$D" ActiveRecord "$(ruby -e 'require "active_record"; puts ActiveRecord.version')" \
    "ruby scripts/orm/rails/ar_app.rb --port PORT --log dev|production --truth <variant>.truth.json > <variant>.log"
  cat >> "$D/README.md" <<'MD'

The `Started …`/`Completed …` request lines are written by the app through the same logger (Railties and
ActionPack are not loaded), using Rails' own format strings; every SQL, TRANSACTION, CACHE and `↳` line
comes from ActiveRecord's log subscriber.
MD
else
  echo "make-orm-logs: skipping ActiveRecord: ruby-activerecord/ruby-pg not loadable by ruby" >&2
fi
ls -la "$OUT"/*/ >&2
