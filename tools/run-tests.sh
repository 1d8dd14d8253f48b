#!/usr/bin/env bash
# Run the test suite: unit and functional tests on each database backend,
# then the integration tests once.
#
#   tools/run-tests.sh             # sqlite, mysql (MariaDB), postgresql
#   CTE_TEST_BACKENDS=sqlite tools/run-tests.sh
#
# It creates .venv on first use (or when the requirements change). A
# backend whose server is not reachable is skipped with a message, unless
# CTE_REQUIRE_BACKENDS=1, which makes that a failure (CI sets it).
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
BACKENDS=${CTE_TEST_BACKENDS:-sqlite mysql postgresql}

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
stamp="$VENV/.cte-requirements"
wanted=$(cat setup.cfg requirements.txt test-requirements.txt | sha256sum)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q -e . -r test-requirements.txt
    echo "$wanted" > "$stamp"
fi
VENV=$(cd "$VENV" && pwd)
export PATH="$VENV/bin:$PATH"

total_passed=0
total_failed=0
total_skipped=0
status=0

run_stestr() {
    local label=$1
    shift
    echo "=== $label ==="
    if ! stestr run "$@"; then
        status=1
    fi
    local counts
    counts=$(stestr last --subunit | subunit2csv 2>/dev/null |
        awk -F, 'NR > 1 {print $2}' | sort | uniq -c)
    local passed failed skipped
    passed=$(echo "$counts" | awk '$2 == "success" {print $1}')
    failed=$(echo "$counts" | awk '$2 == "fail" {print $1}')
    skipped=$(echo "$counts" | awk '$2 == "skip" {print $1}')
    echo "$label: ${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
    total_passed=$((total_passed + ${passed:-0}))
    total_failed=$((total_failed + ${failed:-0}))
    total_skipped=$((total_skipped + ${skipped:-0}))
}

for backend in $BACKENDS; do
    CTE_TEST_BACKEND=$backend run_stestr "unit and functional on $backend" \
        'cinder_transfer_ext\.tests\.(unit|functional)'
done
run_stestr "integration" 'cinder_transfer_ext\.tests\.integration'

echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
if [ "$total_failed" -ne 0 ]; then
    status=1
fi
exit $status
