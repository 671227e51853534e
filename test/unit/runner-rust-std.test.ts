// A Rust std app (built here with Debian's rustc for wasm32-wasi) counts the same instructions whatever
// the environment and working directory of whamm itself: the app sees only what is granted, as under
// wasmtime's defaults.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../support/shared.js';

const RUSTC = ['/usr/bin/rustc', 'rustc'].find(r => spawnSync(r, ['--print', 'sysroot'], { encoding: 'utf8' }).status === 0);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-rust-'));
const app = path.join(tmp, 'app.wasm');
let buildError: string | undefined;
if (!RUSTC) buildError = 'no rustc (install with .ci/setup-toolchains.sh)';
else {
    const b = spawnSync(RUSTC, ['--target', 'wasm32-wasi', '-O', '-C', 'strip=debuginfo', '-o', app, path.join(PROJECT_ROOT, 'test/fixtures/rust-std/main.rs')], { encoding: 'utf8' });
    if (b.status !== 0) buildError = `rustc has no wasm32-wasi standard library (apt libstd-rust-dev-wasm32): ${b.stderr.split('\n')[0]}`;
}
const SKIP = buildError ? `${buildError}; skipping the Rust std app test` : false;

const MAIN = path.join(PROJECT_ROOT, 'server', 'src', 'cli', 'main.ts');
const TSX = pathToFileURL(path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

function whamm(args: string[], cwd: string, env: Record<string, string>) {
    const r = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], { cwd, encoding: 'utf8', env: { ...env, WHAMM_CLI_MAIN: '1' }, timeout: 120_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

function count(out: string): string {
    const row = out.split('\n').find(l => l.includes(', count, '));
    assert.ok(row, out);
    return row.slice(row.lastIndexOf(', ') + 2);
}

test('a Rust std app: counts do not depend on whamm\'s environment or working directory', { skip: SKIP }, () => {
    const script = path.join(tmp, 'count.mm');
    fs.writeFileSync(script, 'report var count: u64;\nwasm:opcode:*:before { count++; }\n');
    const out = path.join(tmp, 'out.wasm');
    const minimal = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    const crowded: Record<string, string> = { ...process.env as Record<string, string> };
    for (let i = 0; i < 50; i++) crowded[`WHAMM_TEST_VAR_${i}`] = 'x'.repeat(i * 10);
    const i = whamm(['instr', '--app', app, '--script', script, '-o', out], tmp, minimal);
    assert.equal(i.code, 0, i.err);
    const runs = [
        whamm(['run', out, '--', 'a', 'b'], tmp, minimal),
        whamm(['run', out, '--', 'a', 'b'], '/', crowded),
        whamm(['run', out, '--', 'a', 'b'], PROJECT_ROOT, crowded),
    ];
    for (const r of runs) {
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /^args 3 vars 0 cwd \/ dir Err\(/, 'no variable, no directory');
    }
    assert.equal(new Set(runs.map(r => count(r.out))).size, 1, runs.map(r => count(r.out)).join(' vs '));
    // Granted, the app sees exactly what was granted.
    const granted = whamm(['run', out, '--env', 'A=1', '--dir', `${tmp}::.`, '--', 'a', 'b'], '/', crowded);
    assert.equal(granted.code, 0, granted.err);
    assert.match(granted.out, /^args 3 vars 1 cwd \/ dir Ok\(\d+\)/);
});
