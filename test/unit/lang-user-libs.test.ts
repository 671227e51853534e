// User libraries: a WAT library written here, called from scripts (`use lib;`, `lib.fn(...)`), checked
// against its export signatures, `@static lib.fn()` at instrumentation time, `@init lib.fn()` at start-up,
// linked by `whamm run --user-libs`, and the reference core library given as a user library.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { validates } from '../support/engine-harness.js';
import { SKIP_NO_SHARED, sharedPath } from '../support/shared.js';
import { bySite, run, value, wat } from '../fixtures/lang/harness.js';
import { whamm } from '../support/cli.js';

// `bump` counts its calls in the library's own state, `count` reads that state: the two tell apart a call
// made at instrumentation time (another instance) from one made while the app runs.
const LIB = `(module
  (global $n (mut i32) (i32.const 0))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "widen") (param i32) (result i64) (i64.mul (i64.extend_i32_s (local.get 0)) (i64.const 1000000000000)))
  (func (export "half") (param f64) (result f64) (f64.mul (local.get 0) (f64.const 0.5)))
  (func (export "bump") (result i32) (global.set $n (i32.add (global.get $n) (i32.const 1))) (global.get $n))
  (func (export "count") (result i32) (global.get $n))
  (func (export "wanted") (param i32) (result i32) (i32.eq (local.get 0) (i32.const 2)))
  (func (export "seven") (result i32) (i32.const 7)))`;

// fid 0 $a, fid 1 $b (calls $a), fid 2 $c (calls $b), fid 3 _start. Executed calls with an i32 argument:
// b(5), a(5), b(9), a(9).
const APP = `(module
  (func $a (param i32) (result i32) (local.get 0))
  (func $b (param i32) (result i32) (call $a (local.get 0)))
  (func $c (result i32) (call $b (i32.const 5)))
  (func (export "_start") (drop (call $c)) (drop (call $b (i32.const 9)))))`;

let libBytes: Uint8Array | undefined;
async function libs(): Promise<Map<string, Uint8Array>> {
    libBytes ??= await wat(LIB);
    return new Map([['lib', libBytes]]);
}

test('lib.fn(...) calls the library at run time with i32, i64 and f64 values; the module imports what it calls', async () => {
    const r = await run(APP, `
use lib;
report var total: i32;
report var big: i64;
report var h: f64;
wasm:opcode:call(arg0: i32):before {
    total = lib.add(total, arg0);
    big = lib.widen(-3);
    h = lib.half(arg0 as f64);
}`, await libs());
    assert.ok(validates(r.result.bytes));
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(value(r.rows, 'total'), '28');
    assert.equal(value(r.rows, 'big'), '-3000000000000');
    assert.equal(value(r.rows, 'h'), '+4.5e0', 'the last call is a(9)');
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(r.result.bytes));
    const fromLib = imports.filter(i => i.module === 'lib').map(i => `${i.name}:${i.kind}`).sort();
    assert.deepEqual(fromLib, ['add:function', 'half:function', 'widen:function']);
});

async function rejects(script: string, message: RegExp): Promise<void> {
    await assert.rejects(instrument({ app: await wat(APP), script, userLibs: await libs() }),
        (e: unknown) => e instanceof Error && message.test(e.message), script);
}

test('unknown libraries and unknown library functions are errors that name them', async () => {
    await rejects('use lib;\nwasm:opcode:call:before { var x: i32 = lib.nothere(); }', /nothere/);
    await rejects('use lib;\nwasm:opcode:call:before { var x: i32 = other.seven(); }', /other/);
    await rejects('use missing;\nwasm:opcode:call:before { var x: i32 = missing.seven(); }', /missing/);
});

// Regression: wrong arities once gave an invalid module and a str argument an internal error.
test('calls are checked against the library signatures (arity, argument types)', async () => {
    const probe = (body: string) => `use lib;\nwasm:opcode:call:before { ${body} }`;
    await rejects(probe('var x: i32 = lib.add(1);'), /script\.mm:2:\d+: error: .*add/);
    await rejects(probe('var x: i32 = lib.add(1, 2, 3);'), /script\.mm:2:\d+: error: .*add/);
    await rejects(probe('var x: i32 = lib.add("one", 2);'), /script\.mm:2:\d+: error: /);
    await rejects(probe('lib.add(true, 2);'), /script\.mm:2:\d+: error: /);
    // The same call with the right arguments compiles: the failures above are the signature checks.
    await instrument({ app: await wat(APP), script: probe('var x: i32 = lib.add(1, 2);'), userLibs: await libs() });
});

test('@static lib.fn() runs at instrumentation time: in a global initialiser and in a predicate with static arguments', async () => {
    const r = await run(APP, `
use lib;
report var v: i32;
report var b: i32;
report var at_run: i32;
v = @static lib.seven();
b = @static lib.bump();
wasm:opcode:call:before / @static lib.wanted(fid) as bool / {
    report var hits: u32;
    hits++;
    at_run = lib.count();
}`, await libs());
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(value(r.rows, 'v'), '7');
    assert.equal(value(r.rows, 'b'), '1');
    // bump() ran in the instrumentation-time instance only: the run-time instance has not counted anything.
    assert.equal(value(r.rows, 'at_run'), '0');
    // Only fid 2 ($c) is wanted: its one call site, executed once.
    assert.equal(r.result.sites.length, 1);
    assert.equal(r.result.sites.get(0).fid, 2);
    assert.deepEqual(bySite(r.rows, 'hits'), ['1']);
});

test('@init lib.fn() runs once at start-up, before any probe', async () => {
    const r = await run(APP, `
use lib;
@init lib.bump();
@init lib.bump();
report var first: i32;
report var last: i32;
report var calls: u32;
wasm:opcode:call:before {
    if (calls == 0) { first = lib.count(); }
    calls++;
    last = lib.count();
}`, await libs());
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(value(r.rows, 'calls'), '5', 'c(), b(5), a(5), b(9), a(9)');
    assert.equal(value(r.rows, 'first'), '2');
    assert.equal(value(r.rows, 'last'), '2', 'not once per probe execution');
});

// ---------- the CLI: instr and run with --user-libs ----------

test('whamm instr/run --user-libs links the library; a run without it fails and names it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-libs-'));
    try {
        fs.writeFileSync(path.join(dir, 'app.wasm'), await wat(APP));
        fs.writeFileSync(path.join(dir, 'mylib.wasm'), await wat(LIB));
        fs.writeFileSync(path.join(dir, 'sum.mm'), 'use lib;\nreport var total: i32;\nwasm:opcode:call(arg0: i32):before { total = lib.add(total, arg0); }\n');
        const i = whamm(['instr', '--app', 'app.wasm', '--script', 'sum.mm', '-o', 'out.wasm', '--user-libs', 'lib=mylib.wasm'], dir);
        assert.equal(i.code, 0, i.err);
        const ok = whamm(['run', 'out.wasm', '--user-libs', 'lib=mylib.wasm'], dir);
        assert.equal(ok.code, 0, ok.err);
        assert.match(ok.out, /^\d+, \w+, total, i32, i32, script0, , , , , 28$/m);
        const missing = whamm(['run', 'out.wasm'], dir);
        assert.notEqual(missing.code, 0);
        assert.match(missing.err, /\blib\b/, 'the error names the library the module imports');
        const noLib = whamm(['instr', '--app', 'app.wasm', '--script', 'sum.mm', '-o', 'out2.wasm'], dir);
        assert.equal(noLib.code, 2);
        assert.match(noLib.err, /\blib\b/);
        assert.ok(!fs.existsSync(path.join(dir, 'out2.wasm')), 'nothing is written when the script cannot be compiled');
    } finally {
        fs.rmSync(dir, { recursive: true });
    }
});

test('use whamm_core with the core library given as a user library: its functions print to stdout', { skip: SKIP_NO_SHARED }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-core-'));
    try {
        fs.writeFileSync(path.join(dir, 'app.wasm'), await wat(APP));
        fs.writeFileSync(path.join(dir, 'hello.mm'), `use whamm_core;
wasm:opcode:call(arg0: i32):before / arg0 == 9 / {
    var s: str = "nine\\n";
    var p: i32 = whamm_core.mem_alloc(s.len() as i32);
    write_str(memid(whamm_core), p as u32, s);
    whamm_core.puts(p, s.len() as i32);
    whamm_core.mem_free(p);
}
`);
        const core = sharedPath('conformance', 'libs', 'whamm_core.wasm');
        const i = whamm(['instr', '--app', 'app.wasm', '--script', 'hello.mm', '-o', 'out.wasm', '--user-libs', `whamm_core=${core}`], dir);
        assert.equal(i.code, 0, i.err);
        const r = whamm(['run', 'out.wasm', '--user-libs', `whamm_core=${core}`], dir);
        assert.equal(r.code, 0, r.err);
        // b(9) and a(9): two calls with arg0 == 9.
        assert.equal(r.out.split('\n').filter(l => l === 'nine').length, 2, r.out);
    } finally {
        fs.rmSync(dir, { recursive: true });
    }
});
