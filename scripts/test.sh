#!/usr/bin/env bash
# The whole test suite: installs what it needs, starts a throwaway PostgreSQL on loopback,
# runs every test on SQLite and on PostgreSQL, stops what it started, exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PYTHON=${PYTHON:-python3}

if [ ! -x .venv/bin/python ]; then "$PYTHON" -m venv .venv; fi
if ! .venv/bin/python -m pip install -q -e ".[test]" >.venv/install.log 2>&1; then
  cat .venv/install.log; echo "installing the test requirements failed"; exit 1
fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo -n "$@"; fi; }

# --- Debian packages: headless Chromium and its driver for the browser tests, CJK fonts for
# readable screenshots, redis-server for the reminder infrastructure tests (each test starts
# its own on a free loopback port), PostgreSQL when the image lacks it ----------------------
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing ${need[*]} …"
  as_root apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# --- PostgreSQL 15 (on the machine image; installed from Debian when missing) -------------
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
PGTMP=$(mktemp -d /tmp/proposals-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then
  chown postgres "$PGTMP"
  AS_PG=(runuser -u postgres --)
else
  AS_PG=()
fi
PGPORT=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

cleanup() {
  "${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap cleanup EXIT

"${AS_PG[@]}" "$PGBIN/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${AS_PG[@]}" "$PGBIN/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/server.log" -w \
  -o "-p $PGPORT -k $PGTMP -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=100" start >/dev/null
"${AS_PG[@]}" "$PGBIN/createdb" -h 127.0.0.1 -p "$PGPORT" -U postgres proposals_test

# --- static checks: bandit over the package (0 unjustified medium/high findings) -------------
status=0
echo "== static checks =="
bash scripts/static_checks.sh bandit || status=$?
# The dependency audit fails the run on a known vulnerability (exit 4). When it cannot reach
# its advisory data (exit 3: this CI reaches only the package index) it prints its banner,
# "COULD NOT BE DONE - THIS IS NOT A PASS", and the run says so at its end: an audit that did
# not happen is reported, never counted as passed (README, Static checks).
audit=0
bash scripts/static_checks.sh deps || audit=$?
if [ "$audit" = 4 ] || { [ "$audit" != 0 ] && [ "$audit" != 3 ]; }; then status=$audit; fi

# --- the suite on both databases, side by side (two cores); PARALLEL=0 runs them one by one --
PGVERSION=$("$PGBIN/postgres" --version | awk '{print $3}')
PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/proposals_test"
LOGS=$(mktemp -d /tmp/proposals-test-logs.XXXXXX)
run_sqlite() { .venv/bin/python -m pytest -p no:cacheprovider "$@"; }
run_pg() { TEST_DATABASE_URL="$PG_URL" .venv/bin/python -m pytest -p no:cacheprovider "$@"; }
if [ "${PARALLEL:-1}" = 0 ]; then
  echo "== tests on SQLite =="
  run_sqlite "$@" || status=$?
  echo "== tests on PostgreSQL $PGVERSION =="
  run_pg "$@" || status=$?
else
  echo "== tests on SQLite and on PostgreSQL $PGVERSION, side by side (logs in $LOGS) =="
  (run_sqlite "$@" >"$LOGS/sqlite.log" 2>&1; echo $? >"$LOGS/sqlite.rc") &
  (run_pg "$@" >"$LOGS/postgresql.log" 2>&1; echo $? >"$LOGS/postgresql.rc") &
  wait
  for db in sqlite postgresql; do
    echo "== tests on $db =="
    cat "$LOGS/$db.log"
    rc=$(cat "$LOGS/$db.rc" 2>/dev/null || echo 1)
    [ "$rc" = 0 ] || status=$rc
  done
fi

if [ "$audit" = 3 ]; then
  echo "NOTE: the dependency audit could not be done here (no advisory data reachable); see above"
fi
if [ "$status" -ne 0 ]; then echo "TESTS FAILED (exit $status)"; fi
exit "$status"
