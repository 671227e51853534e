// The checker's rules and forms of SPEC.md's "Reference behaviours" section: what it accepts (empty rule parts,
// localN bounds, `unshared report`), what it rejects (each with a message saying what to write instead), and
// literal ranges and the no-probe rule. The rejections also have fixtures in test/fixtures/broken.
import '../../server/src/polyfill.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScript } from '../../server/src/language/parse.js';
import { checkParsed } from '../../server/src/frontend/index.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { instrumentAndRun, valueOf, wat } from '../support/engine-harness.js';

async function errorsOf(text: string): Promise<{ code: string; message: string }[]> {
    const r = checkParsed(await parseScript(text));
    return r.lspDiagnostics.filter(d => d.severity === 1).map(d => ({ code: String(d.code ?? ''), message: String(d.message) }));
}

const APP = `(module (func $f (param i32) (result i32) local.get 0)
  (func (export "_start") (local f32) i32.const 7 call $f drop i32.const 1 call $f drop))`;

test('empty rule parts are wildcards, the provider too', async () => {
    for (const rule of [':::before', ':opcode:call:', '::call:before', 'wasm::call:before', 'wasm:opcode:call:']) {
        assert.deepEqual(await errorsOf(`report var n: u32; ${rule} { n++; }`), [], rule);
    }
    const app = await wat(APP);
    const run = await instrumentAndRun(app, 'report var n: u32; ::call:before { n++; }');
    assert.equal(valueOf(run.rows, 'n'), '2', '`::call:before` matches both calls');
    const all = await instrumentAndRun(app, 'report var n: u32; :::before { n++; }');
    assert.ok(Number(valueOf(all.rows, 'n')) > 2, '`:::before` matches every opcode');
});

test('type bounds bind locals on any part', async () => {
    assert.deepEqual(await errorsOf('report var x: f32; wasm:opcode:call(arg0: i32, local0: f32):before { x = local0; }'), []);
    const errs = await errorsOf('wasm:opcode:call(x0: i32):before { }');
    assert.match(errs[0].message, /expected `argN`, `resN` or `localN`/);
});

test('`unshared report var` is a per-site report variable', async () => {
    assert.deepEqual(await errorsOf('wasm:opcode:call:before { unshared report var c: u32; c++; }'), []);
    const run = await instrumentAndRun(await wat(APP), 'wasm:opcode:call:before { unshared report var c: u32; c++; }');
    assert.deepEqual(run.rows.filter(r => r.name === 'c').map(r => r.value), ['1', '1'], 'one row per call site');
});

test('rejections name what to write instead', async () => {
    const cases: [string, string, RegExp][] = [
        ['if (1 == 1) { } wasm:opcode:call:before { }', 'top-level-statement', /move it into a probe/],
        ['var n: u32; n++; wasm:opcode:call:before { }', 'top-level-statement', /move it into a probe/],
        ['fn strcmp() { } wasm:opcode:call:before { }', 'builtin-name', /another name, e\.g\. `my_strcmp`/],
        ['var APP_MEMID: u32; wasm:opcode:call:before { }', 'builtin-name', /another name/],
        ['fn f() -> i32 { return 1; } var g: i32 = f(); wasm:opcode:call:before { }', 'global-init-calls-fn', /wasm:begin/],
        ['wasm:opcode:call:before { var l: i32 = 3; report var r: i32 = l; }', 'site-init-reads-probe', /without an initial value/],
        ['wasm:opcode:call:before { unshared var a: i32; report var r: i32 = a; }', 'site-init-reads-probe', /without an initial value/],
        ['wasm:opcode:call(arg0: i32):before { report var r: i32 = arg0; }', 'site-init-reads-probe', /no value yet/],
        ['var t: (u32, map<u32, u32>); wasm:opcode:call:before { }', 'map-in-tuple', /variable of its own/],
        ['var m: map<map<u32, u32>, u32>; wasm:opcode:call:before { }', 'map-in-map', /tuple key/],
        ['var x: u32 = 4294967296; wasm:opcode:call:before { }', 'int-range', /at most 4294967295/],
        ['var x: i8 = 256; wasm:opcode:call:before { }', 'int-range', /at most 255/],
        ['wasm:opcode:call:before { var x: u64 = 18446744073709551616; x++; }', 'int-range', /does not fit/],
        // What the engine cannot compile is the checker's error too.
        ['wasm:opcode:call:before { var f: funcref; }', 'funcref-var', /cannot hold a `funcref`/],
        ['wasm:begin { report var b: u32; b++; }', 'site-var-without-site', /declare `b` at the top level/],
        ['wasm:opcode:call:before { var m: map<u32, u32>; m[1] = 1; }', 'local-map', /`report var` or `unshared var`/],
        ['fn f(t: (u32, u32)) -> u32 { return t.0; } wasm:opcode:call:before { }', 'fn-signature', /separate parameters/],
        ['fn f() -> (u32, u32) { return (1, 2); } wasm:opcode:call:before { }', 'fn-signature', /store the results in script variables/],
        ['report var b: bool; wasm:opcode:call:before { var t: (u32, u32) = (1, 2); b = t == t; }', 'operand-type', /cannot compare \(u32, u32\)/],
        ['fn f() -> u32 { return 1; } wasm:opcode:call:before { var a: u32 = (f(), 2).1; a++; }', 'tuple-select-effects', /assign the tuple to a variable first/],
        ['wasm:opcode:call:alt { var n: str = "f"; alt_call_by_name(n); }', 'static-args', /string literal/],
        ['wasm:opcode:call:alt { var i: i32 = 0; alt_call_by_id(i); }', 'static-args', /known at instrumentation time/],
        ['wasm:opcode:call:before { var m: u32 = 0; var s: u32 = active_data_len(m); s++; }', 'static-args', /active_data_len\(0\)/],
        ['use whamm_core; wasm:opcode:call:before { var x: i32 = 1; var y: i32 = @static whamm_core.mem_alloc(x); y++; }', 'static-args', /evaluated at instrumentation time/],
        ['', 'no-probe', /at least one probe/],
        ['var x: u32;', 'no-probe', /at least one probe/],
    ];
    for (const [text, code, message] of cases) {
        const errs = await errorsOf(text);
        const hit = errs.find(e => e.code === code);
        assert.ok(hit, `${JSON.stringify(text)}: expected ${code}, got ${JSON.stringify(errs)}`);
        assert.match(hit.message, message, text);
    }
});

test('what the rules allow stays allowed', async () => {
    for (const text of [
        // Per-site initialisers may read constants, globals, static bound variables, built-ins and per-site
        // variables initialised before them.
        'var g: u32 = 3; wasm:opcode:call:before { report var a: u32 = g + fid; report var s: str = "x"; report var l: u32 = s.len(); }',
        // Top-level calls and assignments of static calls.
        'use whamm_core; var p: i32; p = 1; whamm_core.puti32(p); wasm:opcode:call:before { }',
        'var x: u8 = 255; var y: i8 = 128; wasm:opcode:call:before { }',
        // Static arguments, a tuple without effects selected in place, funcref values read where they are.
        'use whamm_core; report var r: i32; wasm:opcode:call:before { r = @static whamm_core.mem_alloc(fid as i32 + 8); }',
        'report var r: u32; wasm:opcode:call:before { r = (fid, pc * 2).1 + active_data_start(APP_MEMID); }',
        'wasm:opcode:call:alt { alt_call_by_id(fid as i32); }',
        'report var r: i32; wasm:opcode:call_indirect:before { r = resolve_funcref(target_funcref, table_entry_idx); }',
    ]) assert.deepEqual(await errorsOf(text), [], text);
});

test('the engine reports the checker\'s errors, at the same place', async () => {
    const app = await wat(APP);
    for (const text of ['var x: u32 = 4294967296; wasm:opcode:call:before { }', '', 'if (true) { } wasm:opcode:call:before { }']) {
        const errs = checkParsed(await parseScript(text)).lspDiagnostics.filter(d => d.severity === 1)
            .map(d => `script.mm:${d.range.start.line + 1}:${d.range.start.character + 1}: error: ${d.message}`);
        await assert.rejects(instrument({ app, script: text }), (e: Error) => {
            assert.equal(e.message, errs.join('\n'));
            return true;
        });
    }
});
