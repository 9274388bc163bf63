#!/usr/bin/env bash
# Start the API (and the scheduler, once the project has one) for local use; Ctrl-C stops both.
set -euo pipefail
BIN=${BIN:-.venv/bin}
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
if [ -f backend/scheduler/__main__.py ]; then
  "$BIN/python" -m backend.scheduler &
  pids+=($!)
fi
echo "Onward API on http://${HOST:-127.0.0.1}:${PORT:-5000}/api/v1/docs/  (Ctrl-C to stop)"
"$BIN/flask" run --host "${HOST:-127.0.0.1}" --port "${PORT:-5000}" &
pids+=($!)
wait -n "${pids[@]}"
