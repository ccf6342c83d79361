#!/usr/bin/env bash
# Static checks for CI.
#
#   scripts/static_checks.sh bandit   bandit over proposals/ at medium severity and above
#   scripts/static_checks.sh deps     pip-audit over the installed project requirements
#   scripts/static_checks.sh          both
#
# Exit codes: 0 all clean; 1 bandit findings (or a bare `# nosec` without an id and reason);
# 2 a tool failed to run; 3 the dependency audit could NOT be done (advisory data unreachable:
# this is never a pass); 4 known vulnerabilities in dependencies.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3

banner() { printf '\n%s\n%s\n%s\n' "########################################################################" "$1" "########################################################################"; }

run_bandit() {
  echo "== bandit (medium severity and above) =="
  # every `# nosec` must name the test it silences and say why: `# nosec B704  # reason`
  local bare
  bare=$(grep -rnE '#[[:space:]]*nosec' proposals --include='*.py' \
         | grep -vE '#[[:space:]]*nosec[[:space:]]+B[0-9]{3}(,[[:space:]]*B[0-9]{3})*[[:space:]]+#[[:space:]]*[^[:space:]]' || true)
  if [ -n "$bare" ]; then
    echo "$bare"
    banner "BANDIT: a '# nosec' without a test id and a reason: '# nosec BXXX  # reason'"
    return 1
  fi
  # (bandit warns "nosec encountered … but no failed test" for every other check of a justified
  # line: noise, filtered out)
  "$PY" -m bandit -r proposals -c bandit.yaml -ll -q 2> >(grep -v 'but no failed test' >&2)
  local rc=$?
  if [ "$rc" -eq 0 ]; then
    echo "bandit: 0 findings of medium severity or above"
    return 0
  fi
  if [ "$rc" -eq 1 ]; then
    banner "BANDIT: findings of medium severity or above (fix them, or justify a false positive in place with '# nosec BXXX  # reason')"
    return 1
  fi
  banner "BANDIT DID NOT RUN (exit $rc)"
  return 2
}

run_deps() {
  echo "== dependency audit (pip-audit, strict) =="
  local out rc service
  out=$(mktemp)
  # the packages installed in the project's environment, the project itself (editable, not on
  # PyPI) left out; --strict: a package that could not be audited is an error, not a skip
  for service in pypi osv; do
    "$PY" -m pip_audit --local --skip-editable --strict --progress-spinner off \
      --vulnerability-service "$service" --timeout 30 >"$out" 2>&1
    rc=$?
    if [ "$rc" -eq 0 ]; then
      cat "$out"; rm -f "$out"
      echo "pip-audit ($service): no known vulnerabilities"
      return 0
    fi
    if grep -qiE 'Found [0-9]+ known vulnerabilit' "$out"; then
      cat "$out"; rm -f "$out"
      banner "DEPENDENCY AUDIT: KNOWN VULNERABILITIES in installed packages (see above)"
      return 4
    fi
    echo "--- pip-audit with the $service service failed (exit $rc):"
    tail -n 5 "$out"
  done
  rm -f "$out"
  banner "DEPENDENCY AUDIT COULD NOT BE DONE - THIS IS NOT A PASS
pip-audit could not reach its advisory data, so NO package was checked for known
vulnerabilities. On this machine only the package index is reachable: PyPI's JSON API
(pypi.org/pypi/NAME/VERSION/json) answers 404 ('Dependency not found on PyPI and could not
be audited') and api.osv.dev does not resolve. Run this check where pypi.org's JSON API or
api.osv.dev can be reached (or point pip-audit at a mirror of the advisory data)."
  return 3
}

case "${1:-all}" in
  bandit) run_bandit; exit $? ;;
  deps) run_deps; exit $? ;;
  all)
    run_bandit; b=$?
    run_deps; d=$?
    if [ "$b" -ne 0 ]; then exit "$b"; fi
    exit "$d" ;;
  *) echo "usage: $0 [bandit|deps]" >&2; exit 2 ;;
esac
