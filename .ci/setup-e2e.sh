#!/usr/bin/env bash
# Installs what the end-to-end tests need: Debian packages (Chromium, ripgrep, Kerberos headers for
# code-server's native module) and code-server in its own folder under the ignored .cache/, outside the
# project's lockfile. Idempotent: a second run only checks and returns.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.100.3}"
CS_DIR="$ROOT/.cache/code-server-$CODE_SERVER_VERSION"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"

log() { echo "[setup-e2e] $*"; }

# --- Debian packages -------------------------------------------------------------------------------
need_apt=()
for pkg in libkrb5-dev ripgrep chromium; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if ((${#need_apt[@]})); then
    SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
    log "apt-get install ${need_apt[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
else
    log "apt packages present"
fi

# --- ripgrep cache ---------------------------------------------------------------------------------
# @vscode/ripgrep's postinstall downloads a release from GitHub, which this network cannot reach. It
# first looks in $TMPDIR/vscode-ripgrep-cache-<pkg version>/<asset name>, so a tarball holding the
# system rg satisfies it. The asset name is derived from the package's own postinstall (see below).
prefill_ripgrep_cache() {
    local tmp="${TMPDIR:-/tmp}" rgver="${1:-1.15.11}" asset="${2:-ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz}"
    local dir="$tmp/vscode-ripgrep-cache-$rgver"
    if [ ! -s "$dir/$asset" ]; then
        mkdir -p "$dir"
        local stage; stage="$(mktemp -d)"
        cp /usr/bin/rg "$stage/rg"
        tar -czf "$dir/$asset" -C "$stage" rg
        rm -rf "$stage"
        log "ripgrep cache filled: $dir/$asset"
    fi
}

# --- code-server -----------------------------------------------------------------------------------
if [ -x "$CS_BIN" ] && [ -f "$CS_DIR/.installed" ]; then
    log "code-server $CODE_SERVER_VERSION present in $CS_DIR"
else
    prefill_ripgrep_cache
    mkdir -p "$CS_DIR"
    # A package.json of its own keeps the install out of the project's lockfile and node_modules.
    [ -f "$CS_DIR/package.json" ] || echo '{ "name": "whamm-e2e-code-server", "private": true }' > "$CS_DIR/package.json"
    log "npm install code-server@$CODE_SERVER_VERSION (a few minutes on a fresh machine)"
    ( cd "$CS_DIR" && npm_config_yes=true npm install --unsafe-perm --no-audit --no-fund --loglevel=error \
        "code-server@$CODE_SERVER_VERSION" )
    [ -x "$CS_BIN" ] || { echo "[setup-e2e] code-server binary missing after install: $CS_BIN" >&2; exit 1; }
    RG="$CS_DIR/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg"
    [ -x "$RG" ] || { echo "[setup-e2e] ripgrep missing in code-server ($RG): the cache prefill did not match" >&2; exit 1; }
    touch "$CS_DIR/.installed"
fi
echo "$CS_BIN"
