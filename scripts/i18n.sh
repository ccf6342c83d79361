#!/usr/bin/env bash
# The English catalog: extract every msgid (the Chinese text) from the Python sources and the
# templates into proposals/translations/messages.pot, merge it into
# proposals/translations/en/LC_MESSAGES/messages.po (created on first run) and compile
# messages.mo. Both the .po and the .mo are committed, so installing needs no compile step.
# Then translate every new (empty) msgstr in the .po and run this script again;
# tests/web/test_i18n.py lists the msgids still missing an English translation.
set -euo pipefail
cd "$(dirname "$0")/.."

PYBABEL=${PYBABEL:-}
if [ -z "$PYBABEL" ]; then
  if [ -x .venv/bin/pybabel ]; then PYBABEL=.venv/bin/pybabel; else PYBABEL=pybabel; fi
fi
DIR=proposals/translations
POT=$DIR/messages.pot
mkdir -p "$DIR"
PO=$DIR/en/LC_MESSAGES/messages.po

# the keywords are in babel.cfg too; repeated here for Babel versions that ignore them there
"$PYBABEL" -q extract -F babel.cfg -k _l -k N_ -k lazy_gettext -k ngettext:1,2 \
  --sort-by-file --add-location=file --no-wrap \
  --project="proposals" --version="$(sed -n 's/^version *= *//p' setup.cfg)" \
  --copyright-holder="" --msgid-bugs-address="" \
  -o "$POT" .

if [ ! -f "$PO" ]; then
  "$PYBABEL" -q init -i "$POT" -d "$DIR" -l en --no-wrap
  # a new catalog's header is marked fuzzy, which would keep it out of the .mo
  sed -i '1,/^msgid ""$/{/^#, fuzzy$/d}' "$PO"
fi
# -N: no fuzzy guesses from similar msgids (a wrong guess would look translated)
"$PYBABEL" -q update -i "$POT" -d "$DIR" -l en -N --ignore-obsolete --no-wrap \
  --ignore-pot-creation-date
"$PYBABEL" -q compile -d "$DIR" -l en --statistics

# the msgids without an English translation yet (none when the catalog is complete)
"${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}" - "$PO" <<'PY'
import sys
from babel.messages.pofile import read_po
with open(sys.argv[1], "rb") as fh:
    catalog = read_po(fh)
missing = [m.id for m in catalog if m.id and (m.fuzzy or not (
    all(m.string) if isinstance(m.string, tuple) else m.string))]
for msgid in missing:
    print("untranslated:", msgid if isinstance(msgid, str) else msgid[0])
print(f"{len([m for m in catalog if m.id])} msgids, {len(missing)} untranslated")
PY
