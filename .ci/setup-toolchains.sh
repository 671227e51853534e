#!/usr/bin/env bash
# Installs the toolchains that build the sample apps of the coverage / source-mapping tests from source:
# Debian clang + lld + wasi-libc (C -> wasm32-wasi with DWARF), llvm (llvm-dwarfdump, used to cross-check
# our .debug_line reader), lcov (genhtml, used to check that our lcov output is readable) and Debian's rustc
# with its wasm32-wasi standard library (a Rust std test app of the runner's sandbox tests).
# Idempotent: when clang, wasm-ld and the wasi sysroot are already there it only checks and returns.
# The AssemblyScript compiler comes from npm (devDependency), nothing to do for it here.
set -euo pipefail

log() { echo "[setup-toolchains] $*"; }

SYSROOT_LIBC=/usr/lib/wasm32-wasi/libc.a
BUILTINS_GLOB='/usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a'
RUST_WASI_GLOB='/usr/lib/rustlib/wasm32-wasi*/lib/libstd-*.rlib'

have_all() {
    command -v clang >/dev/null 2>&1 && command -v wasm-ld >/dev/null 2>&1 && [ -f "$SYSROOT_LIBC" ] \
        && compgen -G "$BUILTINS_GLOB" >/dev/null \
        && command -v llvm-dwarfdump >/dev/null 2>&1 && command -v genhtml >/dev/null 2>&1 \
        && [ -x /usr/bin/rustc ] && compgen -G "$RUST_WASI_GLOB" >/dev/null
}

if have_all; then
    log "clang, wasm-ld, wasi sysroot, llvm-dwarfdump, genhtml and rustc (wasm32-wasi) present"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    log "apt-get not available: the C sample tests will skip (install clang, lld, wasi-libc yourself)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo"; else
        log "not root and no password-less sudo: the C sample tests will skip"
        exit 0
    fi
fi

# Debian 12 names; libclang-rt-dev-wasm32 brings libclang_rt.builtins-wasm32.a that wasm-ld needs.
pkgs=(clang lld wasi-libc libclang-rt-dev-wasm32 llvm lcov rustc libstd-rust-dev-wasm32)
need=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
    log "apt-get install ${need[*]}"
    # A failed install must not stop the test run: the tests that need these tools skip and say why.
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null; } \
        || log "apt-get failed (exit $?); continuing without ${need[*]}"
fi

if have_all; then log "toolchains ready"; else log "some toolchain is still missing; dependent tests will skip"; fi
