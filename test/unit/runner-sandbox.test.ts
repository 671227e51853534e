// The runner is a sandbox: an app that tries the environment, /etc/passwd, `..`, a symbolic link out of
// a granted directory and writing outside it is refused every time by default, and allowed only what
// the command line grants (--env, --dir, --dir-ro), through `whamm run` and `whamm coverage` alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { wat } from '../support/wat.js';
import { whamm } from '../support/cli.js';
import { PROJECT_ROOT } from '../support/shared.js';
import { makeSandboxTree } from '../support/sandbox-tree.js';
import { runModule } from '../../server/src/runner/run.js';

const E = { BADF: 8, NOENT: 44, PERM: 63, NOTCAPABLE: 76 };
const SECRET = { SECRET_TOKEN: 'hunter2' };

const { tmp, granted, outside } = makeSandboxTree('whamm-sandbox-');
const app = path.join(tmp, 'probe.wasm');

async function ready(): Promise<void> {
    if (!fs.existsSync(app)) fs.writeFileSync(app, await wat(fs.readFileSync(path.join(PROJECT_ROOT, 'test/fixtures/sandbox/probe.wat'), 'utf8')));
}

/** `whamm run probe.wasm GRANTS -- ARGS` from inside the granted directory, with a secret in whamm's environment. */
function run(grants: string[], args: string[]) {
    return whamm(['run', app, ...grants, '--', ...args], granted, SECRET);
}

test('by default the app sees no variable, no directory, and cannot open or create anything', async () => {
    await ready();
    const env = run([], ['e']);
    assert.equal(env.code, 0, 'no environment variable');
    assert.equal(env.out.includes('hunter2'), false);
    assert.equal(run([], ['p']).code, E.BADF, 'no preopened directory, not even the working directory');
    for (const p of ['inside.txt', '/etc/passwd', '../outside/secret.txt', 'etc/passwd']) {
        assert.equal(run([], ['r', p]).code, E.BADF, `read ${p}`);
    }
    assert.equal(run([], ['w', 'new.txt']).code, E.BADF);
    assert.equal(fs.existsSync(path.join(granted, 'new.txt')), false);
});

test('--env grants exactly the variables named', async () => {
    await ready();
    const given = run(['--env', 'A=1', '--env', 'B=two words'], ['e']);
    assert.equal(given.code, 2, given.err);
    assert.equal(given.out, 'A=1\0B=two words\0');
    const inherited = run(['--env', 'SECRET_TOKEN'], ['e']);
    assert.equal(inherited.code, 1);
    assert.equal(inherited.out, 'SECRET_TOKEN=hunter2\0');
    const bad = run(['--env', '=x'], ['e']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--env expects K=V/);
});

test('a granted directory: inside is reachable, .. and symbolic links never lead out', async () => {
    await ready();
    const dir = ['--dir', `${granted}::/data`];
    assert.equal(run(dir, ['p']).code, 0);
    const inside = run(dir, ['r', 'inside.txt']);
    assert.equal(inside.code, 0, inside.err);
    assert.equal(inside.out, 'inside\n');
    assert.equal(run(dir, ['r', 'sub/../inside.txt']).out, 'inside\n', '.. inside the grant is fine');
    for (const p of ['../outside/secret.txt', '../../../../../etc/passwd', '/etc/passwd', 'abs-link/secret.txt', 'rel-link/secret.txt', 'sneaky', 'sub/../../outside/secret.txt']) {
        const r = run(dir, ['r', p]);
        assert.equal(r.code, E.NOTCAPABLE, `read ${p}: ${r.err}`);
        assert.equal(r.out.includes('secret'), false);
    }
    for (const p of ['../written.txt', 'abs-link/new.txt', 'rel-link/new.txt', '/tmp/whamm-sandbox-escape.txt']) {
        assert.equal(run(dir, ['w', p]).code, E.NOTCAPABLE, `write ${p}`);
    }
    assert.deepEqual(fs.readdirSync(outside), ['secret.txt'], 'nothing written outside');
    assert.equal(fs.existsSync(path.join(tmp, 'written.txt')), false);
    // A link the app makes itself is no way out either; an absolute one is refused outright.
    assert.equal(run(dir, ['s', 'made-link', '../outside']).code, 0);
    assert.equal(run(dir, ['r', 'made-link/secret.txt']).code, E.NOTCAPABLE);
    assert.equal(run(dir, ['s', 'abs-made', '/etc']).code, E.NOTCAPABLE);
    // Writing inside a read-write grant works.
    assert.equal(run(dir, ['w', 'sub/new.txt']).code, 0);
    assert.equal(fs.readFileSync(path.join(granted, 'sub/new.txt'), 'utf8'), 'written\n');
});

test('--dir-ro: reading works, writing does not', async () => {
    await ready();
    const dir = ['--dir-ro', granted];
    assert.equal(run(dir, ['r', 'inside.txt']).out, 'inside\n');
    assert.equal(run(dir, ['w', 'ro.txt']).code, E.PERM);
    assert.equal(run(dir, ['w', 'inside.txt']).code, E.PERM);
    assert.equal(fs.readFileSync(path.join(granted, 'inside.txt'), 'utf8'), 'inside\n');
    assert.equal(fs.existsSync(path.join(granted, 'ro.txt')), false);
    assert.equal(run(dir, ['s', 'ro-link', 'inside.txt']).code, E.PERM);
    const missing = run(['--dir', path.join(tmp, 'nope')], ['p']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /--dir: directory not found/);
});

test('whamm coverage runs the app in the same sandbox', async () => {
    await ready();
    const none = whamm(['coverage', '--app', app, '--hot', '0', '--', 'e'], granted, SECRET);
    assert.equal(none.code, 0, none.err);
    assert.equal(none.out.includes('hunter2'), false);
    assert.equal(whamm(['coverage', '--app', app, '--hot', '0', '--', 'r', 'inside.txt'], granted, SECRET).code, E.BADF);
    const granting = whamm(['coverage', '--app', app, '--hot', '0', '--dir-ro', `${granted}::.`, '--env', 'X=y', '--', 'r', 'rel-link/secret.txt'], granted, SECRET);
    assert.equal(granting.code, E.NOTCAPABLE, granting.err);
    assert.equal(whamm(['coverage', '--app', app, '--hot', '0', '--env', 'X=y', '--', 'e'], granted, SECRET).code, 1);
});

test('proc_exit from a module without an exported memory ends the run with its code', async () => {
    const bytes = await wat(`(module (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (func (export "_start") (call $exit (i32.const 3))))`);
    let err = '';
    const r = await runModule(bytes, { stdout: () => undefined, stderr: t => { err += t; } });
    assert.equal(r.exitCode, 3);
    assert.equal(r.trapped, undefined);
    assert.equal(err, '');
});

test('WASI answers as wasmtime\'s defaults: stdio fdstat, clock resolution, CPU-time clocks, no preopen, no variable', async () => {
    // Exits with the number of the first check that fails (0: all hold).
    const bytes = await wat(`(module
      (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "clock_res_get" (func $res (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "clock_time_get" (func $time (param i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "environ_sizes_get" (func $envsizes (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "args_sizes_get" (func $argsizes (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func $fail (param $n i32) (param $ok i32) (if (i32.eqz (local.get $ok)) (then (call $exit (local.get $n)))))
      (func (export "_start")
        (call $fail (i32.const 1) (i32.eqz (call $fdstat (i32.const 1) (i32.const 100))))
        (call $fail (i32.const 2) (i32.eqz (i32.load8_u (i32.const 100))))
        (call $fail (i32.const 3) (i32.eqz (i32.load16_u (i32.const 102))))
        (call $fail (i32.const 4) (i64.eq (i64.load (i32.const 108)) (i64.const 64)))
        (call $fail (i32.const 5) (i64.eq (i64.load (i32.const 116)) (i64.const 64)))
        (call $fail (i32.const 6) (i32.eqz (call $fdstat (i32.const 0) (i32.const 100))))
        (call $fail (i32.const 7) (i64.eq (i64.load (i32.const 108)) (i64.const 2)))
        (call $fail (i32.const 8) (i32.eqz (call $res (i32.const 0) (i32.const 200))))
        (call $fail (i32.const 9) (i64.eq (i64.load (i32.const 200)) (i64.const 1)))
        (call $fail (i32.const 10) (i32.eqz (call $res (i32.const 1) (i32.const 200))))
        (call $fail (i32.const 11) (i64.eq (i64.load (i32.const 200)) (i64.const 1)))
        (call $fail (i32.const 12) (i32.eq (call $time (i32.const 2) (i64.const 0) (i32.const 200)) (i32.const 8)))
        (call $fail (i32.const 13) (i32.eq (call $res (i32.const 3) (i32.const 200)) (i32.const 8)))
        (call $fail (i32.const 14) (i32.eq (call $prestat (i32.const 3) (i32.const 200)) (i32.const 8)))
        (call $fail (i32.const 15) (i32.eqz (call $envsizes (i32.const 200) (i32.const 204))))
        (call $fail (i32.const 16) (i32.eqz (i32.load (i32.const 200))))
        (call $fail (i32.const 17) (i32.eqz (call $argsizes (i32.const 200) (i32.const 204))))
        (call $fail (i32.const 18) (i32.eq (i32.load (i32.const 200)) (i32.const 1)))
        (call $fail (i32.const 19) (i32.eq (i32.load (i32.const 204)) (i32.const 9)))))`);
    // stdout a regular file, not a terminal: "unknown", as wasmtime says for anything but a tty.
    const file = path.join(tmp, 'stdout.txt');
    const fd = fs.openSync(file, 'w');
    try {
        const r = await runModule(bytes, { argv0: 'app.wasm', stdoutFd: fd, stdout: () => undefined, stderr: () => undefined });
        assert.equal(r.exitCode, 0, `check ${r.exitCode} failed`);
    } finally {
        fs.closeSync(fd);
    }
});
