#!/usr/bin/env bash
# Install cinder-transfer-ext into .venv and start the development server
# on http://127.0.0.1:8776/v3 with the embedded SQLite database and the
# noauth pipeline. Extra arguments go to cinder-transfer-api, for example
# --bind-port 9776 or --config-file my.conf.
set -euo pipefail

cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
stamp="$VENV/.cte-install"
wanted=$(cat setup.cfg requirements.txt | sha256sum)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q -e . python-cinderclient
    echo "$wanted" > "$stamp"
fi
exec "$VENV/bin/cinder-transfer-api" "$@"
