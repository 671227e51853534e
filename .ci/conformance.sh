#!/usr/bin/env bash
# Runs the reference's conformance corpus through our CLI when it is present beside the project
# (../shared, or $WHAMM_SHARED); skips with a message otherwise. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
SHARED="${WHAMM_SHARED:-../shared}"
CHECK="$SHARED/conformance/check.mjs"
if [ ! -f "$CHECK" ]; then
    echo "conformance: skipped ($CHECK not found; set WHAMM_SHARED to the folder that holds conformance/)"
    exit 0
fi
[ -f out/cli.cjs ] || node .ci/build.mjs || exit 1
node "$CHECK"
