// The CLI as a user meets it: help, version, exit codes, clear errors, instr + run end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wat } from '../support/engine-harness.js';
import { whamm } from '../support/cli.js';


const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-cli-'));
const APP_WAT = `(module (func $f (param i32) (result i32) local.get 0 i32.const 1 i32.add)
  (func (export "_start") (local i32)
    loop $l local.get 0 call $f local.tee 0 i32.const 5 i32.lt_u br_if $l end))`;

test('--help, --version and the help of each command exit 0 and describe the usage', () => {
    const h = whamm(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.out, /whamm instr --app/);
    assert.match(whamm(['--version']).out, /^whamm \d+\.\d+\.\d+/);
    for (const c of ['instr', 'run', 'info', 'wast']) {
        const r = whamm([c, '--help']);
        assert.equal(r.code, 0, c);
        assert.match(r.out, new RegExp(`Usage: whamm ${c}`));
    }
});

test('usage errors exit 2 with a message', () => {
    const unknown = whamm(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command 'frobnicate'/);
    const missing = whamm(['instr', '--app', 'x.wasm']);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /missing --script/);
    const badOpt = whamm(['run', 'x.wasm', '--bogus']);
    assert.equal(badOpt.code, 2);
    assert.match(badOpt.err, /unknown option --bogus/);
});

test('missing or invalid input files are reported clearly (exit 2)', async () => {
    const script = path.join(dir, 'ok.mm');
    fs.writeFileSync(script, 'wasm:opcode:call:before { }');
    const nofile = whamm(['instr', '--app', path.join(dir, 'nope.wasm'), '--script', script]);
    assert.equal(nofile.code, 2);
    assert.match(nofile.err, /app not found: .*nope\.wasm/);
    const junk = path.join(dir, 'junk.wasm');
    fs.writeFileSync(junk, 'not wasm at all');
    const bad = whamm(['instr', '--app', junk, '--script', script, '-o', path.join(dir, 'o.wasm')]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /junk\.wasm is not a valid WebAssembly module: .*magic/);
    const run = whamm(['run', junk]);
    assert.equal(run.code, 2);
    assert.match(run.err, /not a valid WebAssembly module/);
});

test('a script with errors prints file:line:col diagnostics and exits 2 without writing output', async () => {
    const app = path.join(dir, 'app.wasm');
    fs.writeFileSync(app, await wat(APP_WAT));
    const script = path.join(dir, 'bad.mm');
    fs.writeFileSync(script, 'wasm:opcode:call:before {\n    count = ;\n}\n');
    const out = path.join(dir, 'never.wasm');
    const r = whamm(['instr', '--app', app, '--script', script, '-o', out]);
    assert.equal(r.code, 2);
    assert.match(r.err, /bad\.mm:2:\d+: error: /);
    assert.equal(fs.existsSync(out), false);
});

test('instr then run: the report flush, the site table beside the output, the app left untouched', async () => {
    const app = path.join(dir, 'loop.wasm');
    const original = await wat(APP_WAT);
    fs.writeFileSync(app, original);
    const script = path.join(dir, 'calls.mm');
    fs.writeFileSync(script, 'report var calls: u32;\nwasm:opcode:call:before { calls++; }\n');
    const out = path.join(dir, 'loop.instr.wasm');
    const i = whamm(['instr', '--app', app, '--script', script, '-o', out]);
    assert.equal(i.code, 0, i.err);
    assert.deepEqual(fs.readFileSync(app), Buffer.from(original));
    const sites = JSON.parse(fs.readFileSync(path.join(dir, 'loop.instr.sites.json'), 'utf8'));
    assert.deepEqual(sites.columns, ['fid', 'pc', 'opidx', 'offset', 'probe', 'rule']);
    assert.equal(sites.sites.length, 1);
    assert.equal(sites.rules[sites.sites[0][5]], 'wasm:opcode:call:before');
    const r = whamm(['run', out]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out.trim().split('\n');
    assert.match(lines[0], /REPORT CSV FLUSH/);
    // The loop calls $f until local 0 reaches 5: five calls. The id is the global's index: the app has no
    // globals and the reference's memory tracker comes first (engine/global-numbering.ts).
    assert.equal(lines[2], '1, global_id, calls, u32, i32, script0, , , , , 5');
});

test('info lists the events a rule selects, with bound variables on -v', () => {
    const r = whamm(['info', '--rule', 'wasm:opcode:i32.load:before', '-v']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /wasm:opcode:i32\.load/);
    assert.match(r.out, /effective_addr: u32/);
    const none = whamm(['info', '--rule', 'wasm:opcode:nosuchop:before']);
    assert.equal(none.code, 2);
});

test('the default output never replaces a file whamm did not write', async () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'default-out-'));
    fs.writeFileSync(path.join(cwd, 'app.wasm'), await wat(APP_WAT));
    fs.writeFileSync(path.join(cwd, 'count.mm'), 'var n: u32;\nwasm:opcode:call:before { n++; }\n');
    fs.writeFileSync(path.join(cwd, 'output.wasm'), 'the user\'s own file');
    const refused = whamm(['instr', '--app', 'app.wasm', '--script', 'count.mm'], cwd);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /output\.wasm exists and was not written by whamm/);
    assert.equal(fs.readFileSync(path.join(cwd, 'output.wasm'), 'utf8'), 'the user\'s own file');
    // Once the file is gone, the default is used; re-instrumenting over our own output is fine.
    fs.rmSync(path.join(cwd, 'output.wasm'));
    assert.equal(whamm(['instr', '--app', 'app.wasm', '--script', 'count.mm'], cwd).code, 0);
    assert.equal(whamm(['instr', '--app', 'app.wasm', '--script', 'count.mm'], cwd).code, 0);
    assert.ok(WebAssembly.validate(fs.readFileSync(path.join(cwd, 'output.wasm'))));
});
