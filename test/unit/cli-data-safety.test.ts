// Nothing the user had is lost: every way the CLI used to overwrite or drop a file, each refused or
// made safe (outputs that are inputs, two outputs on one file, files of another format, concurrent
// merges, interrupted writes, unwritable targets), and invalid modules rejected before anything is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { wat } from '../support/wat.js';
import { whamm } from '../support/cli.js';
import { PROJECT_ROOT } from '../support/shared.js';
import { buildAsSample } from '../support/samples.js';
import { internalError } from '../../server/src/cli/main.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-safety-'));
const APP_WAT = `(module (memory (export "memory") 1)
  (func $f (param i32) (result i32) local.get 0 i32.const 1 i32.add)
  (func (export "_start") (local i32)
    loop $l local.get 0 call $f local.tee 0 i32.const 50 i32.lt_u br_if $l end))`;
const app = path.join(dir, 'app.wasm');
const script = path.join(dir, 'calls.mm');
const SCRIPT = 'report var calls: u32;\nwasm:opcode:call:before { calls++; }\n';

async function setup(): Promise<void> {
    if (!fs.existsSync(app)) fs.writeFileSync(app, await wat(APP_WAT));
    fs.writeFileSync(script, SCRIPT);
}
const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');
const snapshot = (files: string[]) => files.map(f => fs.existsSync(f) ? sha(f) : 'absent');

test('-o naming the script or the app (under any name) is an error; nothing is touched', async () => {
    await setup();
    const before = snapshot([app, script]);
    for (const o of [script, app]) {
        const r = whamm(['instr', '--app', app, '--script', script, '-o', o], dir);
        assert.equal(r.code, 2, r.err);
        assert.match(r.err, /is the (script|app); choose another file/);
    }
    const viaLink = path.join(dir, 'link-to-script.mm');
    fs.symlinkSync(script, viaLink);
    assert.equal(whamm(['instr', '--app', app, '--script', viaLink, '-o', script], dir).code, 2, 'the same file under another name');
    assert.deepEqual(snapshot([app, script]), before);
});

test('an existing -o that is not a module, or a site table that is not ours, is never replaced', async () => {
    await setup();
    const notes = path.join(dir, 'notes.txt');
    fs.writeFileSync(notes, 'my notes\n');
    const r = whamm(['instr', '--app', app, '--script', script, '-o', notes], dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /not a WebAssembly module; not replacing it/);
    assert.equal(fs.readFileSync(notes, 'utf8'), 'my notes\n');
    const out = path.join(dir, 'mine.wasm');
    fs.writeFileSync(path.join(dir, 'mine.sites.json'), '["something else"]');
    const s = whamm(['instr', '--app', app, '--script', script, '-o', out], dir);
    assert.equal(s.code, 2);
    assert.match(s.err, /not a whamm site table/);
    assert.equal(fs.existsSync(out), false, 'neither file written');
});

test('coverage: --lcov/--json naming the app, the script or each other are errors; other formats are never replaced', async () => {
    await setup();
    const before = snapshot([app, script]);
    const onApp = whamm(['coverage', '--app', app, '--lcov', app], dir);
    assert.equal(onApp.code, 2);
    assert.match(onApp.err, /lcov output .* is the app/);
    assert.equal(whamm(['coverage', '--app', app, '--script', script, '--json', script], dir).code, 2);
    const same = path.join(dir, 'both.out');
    const both = whamm(['coverage', '--app', app, '--lcov', same, '--json', same], dir);
    assert.equal(both.code, 2);
    assert.match(both.err, /lcov output and the JSON output are the same file/);
    assert.equal(fs.existsSync(same), false);
    const other = path.join(dir, 'other.wasm');
    fs.copyFileSync(app, other);
    for (const flags of [['--lcov', other], ['--lcov', other, '--no-merge'], ['--json', other]]) {
        const r = whamm(['coverage', '--app', app, ...flags], dir);
        assert.equal(r.code, 2, flags.join(' '));
        assert.match(r.err, /not replacing it/);
    }
    const pkg = path.join(dir, 'package.json');
    fs.writeFileSync(pkg, '{"name": "x", "files": ["a"]}\n');
    assert.equal(whamm(['coverage', '--app', app, '--json', pkg, '--no-merge'], dir).code, 2, 'JSON of another kind');
    assert.equal(fs.readFileSync(pkg, 'utf8'), '{"name": "x", "files": ["a"]}\n');
    assert.deepEqual(snapshot([app, script, other]), [...before, before[0]]);
});

test('20 coverage runs merging into one lcov and one JSON file at the same time lose no run, also after a run that died holding the locks', { timeout: 600_000 }, async () => {
    // An app with a source map, so the lcov file has line, function and branch counts to add up.
    const mapped = buildAsSample();
    const once = path.join(dir, 'once.lcov');
    assert.equal(whamm(['coverage', '--app', mapped, '--lcov', once, '--hot', '0'], dir).code, 0);
    const json = path.join(dir, 'merged.json');
    const lcov = path.join(dir, 'merged.lcov');
    const TSX = pathToFileURL(path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const main = path.join(PROJECT_ROOT, 'server', 'src', 'cli', 'main.ts');
    // Locks left by a run that died: taken over by exactly one of the new runs at a time.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    for (const f of [json, lcov]) fs.writeFileSync(`${f}.lock`, `${dead}\n`);
    const N = 20;
    const codes = await Promise.all(Array.from({ length: N }, () => new Promise<number | null>(resolve => {
        const c = spawn(process.execPath, ['--import', TSX, main, 'coverage', '--app', mapped, '--json', json, '--lcov', lcov, '--hot', '0'],
            { cwd: dir, env: { ...process.env, WHAMM_CLI_MAIN: '1' }, stdio: 'ignore' });
        c.on('close', resolve);
    })));
    assert.deepEqual(codes, Array(N).fill(0));
    assert.equal(JSON.parse(fs.readFileSync(json, 'utf8')).runs, N, 'every run counted in the JSON file');
    // Every count of the merged lcov file is N times the count of one run.
    const counts = (file: string): Map<string, number> => {
        const m = new Map<string, number>();
        for (const l of fs.readFileSync(file, 'utf8').split('\n')) {
            let r;
            if ((r = /^DA:(\d+),(\d+)/.exec(l))) m.set(`DA:${r[1]}`, Number(r[2]));
            else if ((r = /^FNDA:(\d+),(.*)$/.exec(l))) m.set(`FNDA:${r[2]}`, Number(r[1]));
            else if ((r = /^BRDA:(\d+,\d+,\d+),(\d+)$/.exec(l))) m.set(`BRDA:${r[1]}`, Number(r[2]));
        }
        return m;
    };
    const single = counts(once);
    const merged = counts(lcov);
    assert.ok(single.size > 20 && [...single.values()].some(n => n > 0), `${single.size} counts in one run`);
    assert.deepEqual(merged, new Map([...single].map(([k, n]) => [k, n * N])));
    assert.deepEqual(fs.readdirSync(dir).filter(f => /\.(lock|tmp|takeover)$/.test(f)), [], 'no lock or temporary file left');
});

test('module and site table are replaced together; an interrupted instr leaves a matching pair', async () => {
    await setup();
    // A module big enough that an interrupt can land anywhere: many functions with calls.
    const funcs = Array.from({ length: 1500 }, (_, i) => `(func $f${i} (param i32) (result i32) local.get 0 ${i ? `call $f${i - 1}` : ''} i32.const 1 i32.add)`).join('\n');
    const big = path.join(dir, 'big.wasm');
    fs.writeFileSync(big, await wat(`(module ${funcs} (func (export "_start") i32.const 0 call $f1499 drop))`));
    const out = path.join(dir, 'pair.wasm');
    const sites = path.join(dir, 'pair.sites.json');
    const other = path.join(dir, 'other.mm');
    fs.writeFileSync(other, 'wasm:opcode:i32.add:before { }\n');
    assert.equal(whamm(['instr', '--app', big, '--script', other, '-o', out], dir).code, 0);
    const consistent = () => {
        const table = JSON.parse(fs.readFileSync(sites, 'utf8'));
        assert.equal(table.module.sha256, sha(out), 'the site table names this module');
        assert.equal(table.script, table.scriptSha256 === sha(script) ? script : other);
        assert.equal(table.scriptSha256, sha(table.script));
        assert.equal(table.appSha256, sha(big));
    };
    consistent();
    const TSX = pathToFileURL(path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const main = path.join(PROJECT_ROOT, 'server', 'src', 'cli', 'main.ts');
    const started = Date.now();
    assert.equal(whamm(['instr', '--app', big, '--script', script, '-o', out], dir).code, 0);
    const full = Date.now() - started;
    consistent();
    for (let k = 1; k <= 8; k++) {
        // Alternate the script so each completed run changes the pair; interrupt at spread-out moments.
        const s = k % 2 ? other : script;
        await new Promise<void>(resolve => {
            const c = spawn(process.execPath, ['--import', TSX, main, 'instr', '--app', big, '--script', s, '-o', out],
                { cwd: dir, env: { ...process.env, WHAMM_CLI_MAIN: '1' }, stdio: 'ignore' });
            setTimeout(() => c.kill(k % 3 ? 'SIGTERM' : 'SIGINT'), (full * k) / 8);
            c.on('close', () => resolve());
        });
        consistent();
    }
    assert.deepEqual(fs.readdirSync(dir).filter(f => f.endsWith('.tmp')), [], 'no temporary file left');
});

test('unwritable outputs are one-line messages (exit 2), not stack traces', async () => {
    await setup();
    const sub = path.join(dir, 'a-directory.wasm');
    fs.mkdirSync(sub, { recursive: true });
    const targets = [sub, ...(fs.existsSync('/dev/full') ? ['/dev/full'] : [])];
    for (const t of targets) {
        const r = whamm(['instr', '--app', app, '--script', script, '-o', t], dir);
        assert.equal(r.code, 2, r.err);
        assert.match(r.err, /^whamm instr: cannot write the output .*: (it is a directory|not a regular file)\n$/);
        const c = whamm(['coverage', '--app', app, '--lcov', t], dir);
        assert.equal(c.code, 2, c.err);
        assert.match(c.err, /^whamm coverage: cannot write the lcov output/);
    }
});

test('invalid modules are rejected with the validator\'s message before anything is written', async () => {
    await setup();
    // A dangling global reference: instrumentation adds globals, so it would silently become one of ours.
    const dangling = path.join(dir, 'dangling.wasm');
    fs.writeFileSync(dangling, Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0,
        7, 10, 1, 6, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0, 0, 10, 7, 1, 5, 0, 0x23, 3, 0x1a, 0x0b]));
    const out = path.join(dir, 'never.wasm');
    const r = whamm(['instr', '--app', dangling, '--script', script, '-o', out], dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /dangling\.wasm is not a valid WebAssembly module: .*[Ii]nvalid global index: 3/);
    assert.equal(fs.existsSync(out), false);
    const cov = whamm(['coverage', '--app', dangling, '--json', path.join(dir, 'never.json')], dir);
    assert.equal(cov.code, 2);
    assert.match(cov.err, /not a valid WebAssembly module/);
    // The same with a GC type Node 20's V8 does not take: a Node 22's V8 rejects it, and without one (WHAMM_NODE=none)
    // our own index check does.
    const gc = path.join(dir, 'dangling-gc.wasm');
    fs.writeFileSync(gc, Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 8, 2, 0x5f, 1, 0x7f, 0, 0x60, 0, 0, 3, 2, 1, 1,
        7, 10, 1, 6, 0x5f, 0x73, 0x74, 0x61, 0x72, 0x74, 0, 0, 10, 7, 1, 5, 0, 0x23, 3, 0x1a, 0x0b]));
    for (const env of [{}, { WHAMM_NODE: 'none' }] as Record<string, string>[]) {
        const g = whamm(['instr', '--app', gc, '--script', script, '-o', out], dir, env);
        assert.equal(g.code, 2, g.err);
        assert.match(g.err, /not a valid WebAssembly module: .*global (index: )?3/i);
        assert.equal(fs.existsSync(out), false);
    }
});

test('an internal error is one line unless WHAMM_DEBUG asks for the stack', () => {
    const e = new TypeError('boom\nsecond line');
    const saved = process.env.WHAMM_DEBUG;
    delete process.env.WHAMM_DEBUG;
    try {
        const line = internalError('instr', e);
        assert.equal(line, 'whamm instr: internal error: TypeError: boom (WHAMM_DEBUG=1 shows where)\n');
        process.env.WHAMM_DEBUG = '1';
        assert.match(internalError('instr', e), /internal error: TypeError: boom\n.*at /s);
    } finally {
        if (saved === undefined) delete process.env.WHAMM_DEBUG; else process.env.WHAMM_DEBUG = saved;
    }
});
