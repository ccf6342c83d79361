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
# PDF downloads of the official documents need LibreOffice and open Chinese fonts (the Word
# files work without): installed when this machine lets us (root or passwordless sudo, apt-get)
pdf_need=()
command -v soffice >/dev/null 2>&1 || pdf_need+=(libreoffice-writer-nogui)
[ -d /usr/share/fonts/opentype/noto ] || pdf_need+=(fonts-noto-cjk)
[ -d /usr/share/fonts/truetype/arphic ] || pdf_need+=(fonts-arphic-ukai)
[ -d /usr/share/texlive/texmf-dist/fonts/opentype/public/fandol ] || pdf_need+=(texlive-lang-chinese)
if [ "${#pdf_need[@]}" -gt 0 ]; then
  as_root=()
  [ "$(id -u)" = 0 ] || as_root=(sudo -n)
  if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; } \
    && "${as_root[@]}" apt-get update -qq >/dev/null 2>&1 \
    && "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends "${pdf_need[@]}" >/dev/null 2>&1; then
    echo "Installed ${pdf_need[*]} for the PDF downloads."
  else
    echo "Note: PDF downloads need LibreOffice and Chinese fonts (${pdf_need[*]}); the .docx downloads work without them."
  fi
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
