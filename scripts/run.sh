#!/usr/bin/env bash
# Install, migrate, load the demo when the database is empty, and serve the app on the embedded
# default (SQLite in instance/, no Redis) with the deadline sweep running beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
PORT=${PORT:-5000}
HOST=${HOST:-127.0.0.1}

if [ ! -x .venv/bin/python ]; then "$PYTHON" -m venv .venv; fi
if ! .venv/bin/python -m pip install -q -e . >.venv/install.log 2>&1; then
  cat .venv/install.log; echo "installation failed"; exit 1
fi
export FLASK_APP=wsgi
.venv/bin/flask db upgrade >/dev/null 2>&1 || .venv/bin/flask db upgrade

if [ "$(.venv/bin/flask demo-status)" = "empty" ]; then
  echo "The database is empty: loading the demo committee year (about 300 proposals)…"
  .venv/bin/flask demo >/dev/null
fi

.venv/bin/flask reminders loop >instance/sweep.log 2>&1 &  # every SWEEP_INTERVAL_SECONDS
SWEEP_PID=$!
trap 'kill "$SWEEP_PID" 2>/dev/null || true' EXIT INT TERM

echo
echo "提案办理系统 is running at http://$HOST:$PORT/  (JSON API: http://$HOST:$PORT/api/v1)"
.venv/bin/flask demo-logins
echo "Stop with Ctrl-C."
.venv/bin/gunicorn --workers 2 --bind "$HOST:$PORT" --access-logfile - wsgi:app
