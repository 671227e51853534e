// The runner is a sandbox: an app that tries the environment, /etc/passwd, `..`, a symbolic link out of
// a granted directory and writing outside it is refused every time by default, and allowed only what
// the command line grants (--env, --dir, --dir-ro), through `whamm run` and `whamm coverage` alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wat } from '../support/wat.js';
import { whamm } from '../support/cli.js';
import { PROJECT_ROOT } from '../support/shared.js';
import { runModule } from '../../server/src/runner/run.js';

const E = { BADF: 8, NOENT: 44, PERM: 63, NOTCAPABLE: 76 };
const SECRET = { SECRET_TOKEN: 'hunter2' };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-sandbox-'));
const granted = path.join(tmp, 'granted');
const outside = path.join(tmp, 'outside');
fs.mkdirSync(path.join(granted, 'sub'), { recursive: true });
fs.mkdirSync(outside);
fs.writeFileSync(path.join(granted, 'inside.txt'), 'inside\n');
fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret\n');
fs.symlinkSync(outside, path.join(granted, 'abs-link'));
fs.symlinkSync('../outside', path.join(granted, 'rel-link'));
fs.symlinkSync('sub/../../outside/secret.txt', path.join(granted, 'sneaky'));
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
