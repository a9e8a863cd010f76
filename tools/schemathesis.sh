#!/bin/bash
# schemathesis against a live `accord serve` (issue 11): every API operation with generated
# requests, schema-valid and schema-invalid (--mode all), every check but "schema-valid
# request accepted" (a scenario can have the documented shape and still be invalid: 422 by
# design, see tests/test_schemathesis.py), each answer within 5 s (--max-response-time).
# Figures in docs/schemathesis.md.
#
# Usage: tools/schemathesis.sh [EXAMPLES_PER_OPERATION (default 500)] [PORT (default 8799)]
set -euo pipefail
N=${1:-500}
PORT=${2:-8799}
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/accord serve --port "$PORT" --job-seconds 20 --cost-seconds 5 --calibration shipped &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -s -o /dev/null "http://127.0.0.1:$PORT/api/examples" && break
  sleep 0.2
done
$BIN/st run "http://127.0.0.1:$PORT/api/openapi.json" \
  --max-examples "$N" --mode all --checks all \
  --exclude-checks positive_data_acceptance \
  --max-response-time 5 --request-timeout 30 --no-color
