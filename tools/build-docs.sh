#!/usr/bin/env bash
# Build the API reference and the release notes with warnings as errors,
# and generate the sample configuration and policy files. Uses the .venv
# that tools/run-tests.sh creates, adding the documentation requirements.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q -e .
fi
"$VENV/bin/pip" install -q -r doc-requirements.txt
VENV=$(cd "$VENV" && pwd)

"$VENV/bin/sphinx-build" -q -W -b html api-ref/source api-ref/build/html
echo "api-ref built in api-ref/build/html"
"$VENV/bin/sphinx-build" -q -W -b html releasenotes/source \
    releasenotes/build/html
echo "release notes built in releasenotes/build/html"
"$VENV/bin/oslo-config-generator" --config-file \
    etc/cinder-transfer-ext/cinder-transfer-ext-config-generator.conf
"$VENV/bin/oslopolicy-sample-generator" --config-file \
    etc/cinder-transfer-ext/cinder-transfer-ext-policy-generator.conf
echo "samples generated in etc/cinder-transfer-ext/"
