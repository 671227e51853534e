#!/usr/bin/env bash
# Installs a Node 22 binary (npm package `node@22`) in its own folder under the ignored .cache/, outside the
# project's lockfile. `whamm run`/`wast`/`coverage` run modules that need final-spec GC, typed function
# references or multi-memory in it when the current Node (20) cannot. Idempotent: a second run only checks.
# Prints the binary's path.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

NODE22_VERSION="${NODE22_VERSION:-22}"
DIR="$ROOT/.cache/node-22"
BIN="$DIR/node_modules/.bin/node"

log() { echo "[setup-node22] $*" >&2; }

if [ -x "$BIN" ] && [ -f "$DIR/.installed" ] && "$BIN" -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)'; then
    log "node $("$BIN" --version) present in $DIR"
else
    mkdir -p "$DIR"
    [ -f "$DIR/package.json" ] || echo '{ "name": "whamm-node22", "private": true }' > "$DIR/package.json"
    log "npm install node@$NODE22_VERSION"
    ( cd "$DIR" && npm_config_yes=true npm install --no-audit --no-fund --loglevel=error "node@$NODE22_VERSION" )
    [ -x "$BIN" ] || { echo "[setup-node22] node binary missing after install: $BIN" >&2; exit 1; }
    "$BIN" -e 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)' \
        || { echo "[setup-node22] $BIN is not Node 22+" >&2; exit 1; }
    touch "$DIR/.installed"
fi
echo "$BIN"
