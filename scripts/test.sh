#!/usr/bin/env bash
# Run every test from a fresh clone: install, lint, chromium, a throwaway PostgreSQL, then pytest.
# Ends with pytest's summary line. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install.sh test

# lint first: ruff's rules, ruff's formatting (Python files and the Python blocks of Markdown
# files), import-linter's layer contracts, mypy's type check of the package (configured in
# pyproject.toml; about a minute without its cache, so it runs while chromium is installed
# and PostgreSQL starts); any failure fails the run before a test runs
mypy_out=$(mktemp)
.venv/bin/mypy >"$mypy_out" 2>&1 &
mypy_pid=$!
lint_failed=0
.venv/bin/ruff check --quiet . || lint_failed=1
.venv/bin/ruff format --check --quiet . || lint_failed=1
.venv/bin/lint-imports || lint_failed=1

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Debian's chromium for the browser tests..."
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "chromium is missing and we are not root: browser tests will skip (outside CI)"
  fi
fi

pg_env=$(scripts/pg-cluster.sh start)
eval "$pg_env"
if [ -n "${SURVEYLAB_PG_DIR:-}" ]; then
  trap 'scripts/pg-cluster.sh stop "$SURVEYLAB_PG_DIR"' EXIT
fi

wait "$mypy_pid" || lint_failed=1
cat "$mypy_out"
rm -f "$mypy_out"
if [ "$lint_failed" != 0 ]; then
  echo "lint failed (ruff check, ruff format --check, lint-imports or mypy): see above" >&2
  exit 1
fi

# the tests make their own databases; never touch the developer's data/ folder
unset SURVEYLAB_DATABASE_URL SURVEYLAB_TOKEN SURVEYLAB_TOKEN_FILE SURVEYLAB_SECRET_KEY
export SURVEYLAB_DATA_DIR="${TMPDIR:-/tmp}/surveylab-test-data-$$"
mkdir -p "$SURVEYLAB_DATA_DIR"

set +e
if [ "$#" -gt 0 ]; then
  # arguments given: one pytest run with them, one test at a time
  .venv/bin/python -m pytest --durations=15 "$@"
  status=$?
else
  # everything: the tests that do not drive a browser two at a time (pytest-xdist, each
  # test file whole on one worker: tests/conftest.py groups them), then the browser tests
  # one at a time (each waits on pages and kernels that a second test would slow down).
  # The dashboards' server under abuse (tests/browser/test_kernel_limits.py) spends its
  # minutes waiting for kernels to time out, so it runs beside the first part, in a
  # pytest of its own with its own temporary folder; its report is printed after the
  # first part's. Each part ends with its own summary line.
  limits=tests/browser/test_kernel_limits.py
  limits_out=$(mktemp)
  limits_tmp=$(mktemp -d)
  .venv/bin/python -m pytest -p no:cacheprovider --basetemp="$limits_tmp/base" \
    --durations=5 "$limits" >"$limits_out" 2>&1 &
  limits_pid=$!
  .venv/bin/python -m pytest -n 2 --dist loadgroup --durations=15 --ignore=tests/browser
  first=$?
  wait "$limits_pid"
  limits_status=$?
  cat "$limits_out"
  rm -rf "$limits_out" "$limits_tmp"
  .venv/bin/python -m pytest --durations=10 --ignore="$limits" tests/browser
  second=$?
  status=0
  for s in "$first" "$limits_status" "$second"; do
    if [ "$status" = 0 ] && [ "$s" != 0 ]; then status=$s; fi
  done
fi
set -e
rm -rf "$SURVEYLAB_DATA_DIR"
exit $status
