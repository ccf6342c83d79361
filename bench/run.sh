#!/usr/bin/env bash
# The benchmark in one command (docs/performance.md):
#   bash bench/run.sh [--size county|national|stress|N] [--db sqlite|postgresql|both] [--quick]
#                     [--only stats,load,sweep,celery,xlsx,burst] [--keep DIR]
# --size: a county (3,000 proposals over ten years), the national committee (60,000, the
# default) or ten times its decade (stress, 600,000); or a number of proposals.
# --keep DIR keeps the generated databases (SQLite file, PostgreSQL cluster) in DIR and reuses
# them on the next run with the same DIR and size, e.g. to rerun only the load figures:
#   bash bench/run.sh --size national --keep /tmp/bench-national --only load
# Installs wrk (Debian) when missing, starts a throwaway PostgreSQL 15 on loopback in a
# temporary folder (as scripts/test.sh does) when PostgreSQL is wanted, generates the data in
# bulk, measures, prints a table and, as the last line, one JSON object with every figure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=.venv/bin/python
[ -x "$PY" ] || { python3 -m venv .venv && .venv/bin/python -m pip install -q -e ".[test]"; }

SIZE=national; DB=both; QUICK=(); EXTRA=(); KEEP=""
while [ $# -gt 0 ]; do
  case "$1" in
    --size) SIZE=$2; shift 2;;
    --db) DB=$2; shift 2;;
    --quick) QUICK=(--quick); shift;;
    --only) EXTRA+=(--only "$2"); shift 2;;
    --keep) KEEP=$(mkdir -p "$2" && cd "$2" && pwd); EXTRA+=(--workdir "$KEEP" --reuse); shift 2;;
    *) echo "usage: bash bench/run.sh [--size county|national|stress|N]" \
            "[--db sqlite|postgresql|both] [--quick]" \
            "[--only PARTS] [--keep DIR]"; exit 2;;
  esac
done

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
if [ "$DB" != sqlite ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then need+=(postgresql); fi
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing ${need[*]} …" >&2
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

PGTMP=""
cleanup() {
  if [ -n "$PGTMP" ]; then
    if [ -n "$KEEP" ]; then  # kept for the next run: a clean shutdown
      "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -m fast stop >/dev/null 2>&1 || true
    else
      "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
      rm -rf "$PGTMP"
    fi
  fi
}
trap cleanup EXIT
if [ "$DB" != sqlite ]; then
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  if [ -n "$KEEP" ]; then PGTMP="$KEEP/pg"; mkdir -p "$PGTMP"; else
    PGTMP=$(mktemp -d /tmp/proposals-bench-pg.XXXXXX); fi
  if [ "$(id -u)" = 0 ]; then chown postgres "$PGTMP"; AS_PG=(runuser -u postgres --); else AS_PG=(); fi
  PGPORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  [ -f "$PGTMP/data/PG_VERSION" ] || \
    "${AS_PG[@]}" "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
  # a benchmark server: durability off (throwaway), memory as a small production box
  "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w -o "-p $PGPORT -k $PGTMP \
    -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off \
    -c shared_buffers=512MB -c work_mem=32MB -c maintenance_work_mem=512MB -c max_wal_size=4GB \
    -c max_connections=100" start >/dev/null
  export BENCH_PG_URL="postgresql://postgres@127.0.0.1:$PGPORT/postgres"
fi
"$PY" bench/run.py --size "$SIZE" --db "$DB" "${QUICK[@]}" "${EXTRA[@]}"
