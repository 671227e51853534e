// Call sites: writing operands before a call, reading them after it, alt calls to another function, and
// call_indirect's slot variables. Apps are WAT written for these tests; expected values follow from the
// programs (arg0 is the topmost operand, i.e. the last argument).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instrumentAndRun, validates, valueOf, wat } from '../support/engine-harness.js';
import { instrument, ScriptError } from '../../server/src/engine/instrument.js';
import { BEGIN_EXPORT } from '../../server/src/engine/report-layout.js';

// combine(a, b, c) = a*100 + b*10 + c, called once with (1, 2, 3); main prints nothing, the report says it all.
const CALLS = `(module
  (global $last (mut i32) (i32.const 0))
  (func $combine (param i32 i32 i32) (result i32)
    local.get 0 i32.const 100 i32.mul
    local.get 1 i32.const 10 i32.mul i32.add
    local.get 2 i32.add)
  (func $sum3 (param i32 i32 i32) (result i32)
    local.get 0 local.get 1 i32.add local.get 2 i32.add)
  (func $wide (param i64) (result i32) local.get 0 i32.wrap_i64)
  (func $main (export "_start")
    i32.const 1 i32.const 2 i32.const 3 call $combine
    global.set $last)
  (func (export "get_last") (result i32) global.get $last))`;


/** Runs the app with the script, then reads $last through the instrumented module's export. */
async function runCalls(script: string): Promise<{ last: number; report: (name: string) => string | undefined }> {
    const app = await wat(CALLS);
    const out = await instrumentAndRun(app, script);
    assert.ok(validates(out.result.bytes), 'instrumented module validates');
    assert.equal(out.exitCode, 0, out.stderr);
    // Re-run to read the global: the runner's instance is gone, so instantiate the output directly.
    const { instance } = await WebAssembly.instantiate(out.result.bytes, await importsFor(out.result.bytes));
    const ex = instance.exports as Record<string, () => number>;
    if (typeof ex[BEGIN_EXPORT] === 'function') ex[BEGIN_EXPORT]();
    ex._start();
    return { last: ex.get_last(), report: name => valueOf(out.rows, name) };
}

/** The instrumented module may import the whamm runtime; these tests' scripts keep to globals, so none. */
async function importsFor(bytes: Uint8Array): Promise<WebAssembly.Imports> {
    const mod = await WebAssembly.compile(bytes);
    const imports = WebAssembly.Module.imports(mod);
    assert.deepEqual(imports, [], 'no imports expected for these scripts');
    return {};
}

test('writing an operand before a call changes the argument the callee gets', async () => {
    // arg0 is c (topmost): 1*100 + 2*10 + 7.
    assert.equal((await runCalls('wasm:opcode:call(arg0: i32):before / fid == 3 / { arg0 = 7; }')).last, 127);
    // arg2 is a (deepest): 9*100 + 2*10 + 3.
    assert.equal((await runCalls('wasm:opcode:call(arg2: i32):before { arg2 = 9; }')).last, 923);
});

test('argN in an after probe reads the operands the call was made with', async () => {
    const r = await runCalls('report var a: i32; report var c: i32; report var r: i32;\nwasm:opcode:call(arg2: i32, arg0: i32, res0: i32):after { a = arg2; c = arg0; r = res0; }');
    assert.equal(r.last, 123);
    assert.equal(r.report('a'), '1');
    assert.equal(r.report('c'), '3');
    assert.equal(r.report('r'), '123');
});

test('an operand written before the call is what an after probe reads', async () => {
    const r = await runCalls('report var seen: i32;\nwasm:opcode:call(arg1: i32):before { arg1 = 5; }\nwasm:opcode:call(arg1: i32):after { seen = arg1; }');
    assert.equal(r.last, 153);
    assert.equal(r.report('seen'), '5');
});

test('alt_call_by_id and alt_call_by_name call another function with the same operands', async () => {
    // sum3 is function 1: 1 + 2 + 3.
    assert.equal((await runCalls('wasm:opcode:call:alt { alt_call_by_id(1); }')).last, 6);
    assert.equal((await runCalls('wasm:opcode:call:alt { alt_call_by_name("sum3"); }')).last, 6);
    // A predicate decided at run time keeps the original call when false.
    assert.equal((await runCalls('wasm:opcode:call(arg0: i32):alt / arg0 == 4 / { alt_call_by_name("sum3"); }')).last, 123);
    assert.equal((await runCalls('wasm:opcode:call(arg0: i32):alt / arg0 == 3 / { alt_call_by_name("sum3"); }')).last, 6);
    // Without an alt call the replaced call yields the default (0), and `return` supplies a value.
    assert.equal((await runCalls('wasm:opcode:call:alt { drop_args(); }')).last, 0);
    assert.equal((await runCalls('wasm:opcode:call:alt { return 42; }')).last, 42);
});

test('alt calls to a missing or differently typed function are errors with the reason', async () => {
    const app = await wat(CALLS);
    await assert.rejects(instrument({ app, script: 'wasm:opcode:call:alt { alt_call_by_name("nope"); }' }),
        (e: unknown) => e instanceof Error && /no function named 'nope'/.test(String((e as ScriptError).message ?? e)));
    await assert.rejects(instrument({ app, script: 'wasm:opcode:call:alt { alt_call_by_id(2); }' }),
        (e: unknown) => e instanceof Error && /has type \(i64\) -> \(i32\) but the replaced call has \(i32, i32, i32\) -> \(i32\)/.test(String(e)));
});

// Table: slot 0 empty, slots 1..3 = $ten, $twenty, $thirty (functions 0, 1, 2). main calls slots 3, 1, 2.
const INDIRECT = `(module
  (type $t (func (result i32)))
  (table 5 funcref)
  (elem (i32.const 1) $ten $twenty $thirty)
  (func $ten (result i32) i32.const 10)
  (func $twenty (result i32) i32.const 20)
  (func $thirty (result i32) i32.const 30)
  (func $main (export "_start")
    (drop (call_indirect (type $t) (i32.const 3)))
    (drop (call_indirect (type $t) (i32.const 1)))
    (drop (call_indirect (type $t) (i32.const 2)))))`;

test('call_indirect: resolved_fid and table_entry_idx at each call', async () => {
    const app = await wat(INDIRECT);
    const out = await instrumentAndRun(app, 'wasm:opcode:call_indirect:before { report var slot: i32; report var f: i32; report var same: i32; slot = table_entry_idx; f = resolved_fid; same = resolve_funcref(target_funcref, table_entry_idx); }');
    assert.ok(validates(out.result.bytes));
    const slots = out.rows.filter(r => r.name === 'slot').map(r => r.value);
    const fids = out.rows.filter(r => r.name === 'f').map(r => r.value);
    const same = out.rows.filter(r => r.name === 'same').map(r => r.value);
    assert.deepEqual(slots, ['3', '1', '2']);
    assert.deepEqual(fids, ['2', '0', '1']);
    assert.deepEqual(same, fids);
    assert.deepEqual(out.result.warnings.filter(w => /resolved_fid/.test(w)), []);
});

test('call_indirect after probes read the slot the call went through', async () => {
    const app = await wat(INDIRECT);
    const out = await instrumentAndRun(app, 'wasm:opcode:call_indirect(res0: i32):after { report var f: i32; report var r: i32; f = resolved_fid; r = res0; }');
    assert.deepEqual(out.rows.filter(r => r.name === 'f').map(r => r.value), ['2', '0', '1']);
    assert.deepEqual(out.rows.filter(r => r.name === 'r').map(r => r.value), ['30', '10', '20']);
});

test('resolved_fid warns when the app may change its table', async () => {
    const app = await wat(INDIRECT.replace('(func $main', '(func (export "poke") (table.set (i32.const 0) (ref.func $ten)))\n  (func $main'));
    const r = await instrument({ app, script: 'wasm:opcode:call_indirect:before { var f: i32 = resolved_fid; }' });
    assert.ok(r.warnings.some(w => /resolved_fid/.test(w) && /changes a table/.test(w)), r.warnings.join('\n'));
});

test('the run-time initialiser of a per-site variable runs once, at start-up', async () => {
    // memory.size is 1 page at start-up; the app grows it by 2 before the probed nop runs.
    const app = await wat(`(module (memory 1)
      (func (export "_start") (drop (memory.grow (i32.const 2))) nop nop))`);
    const out = await instrumentAndRun(app, 'wasm:opcode:nop:before { report var at_start: u32 = mem_size(APP_MEMID); report var now: u32; now = mem_size(APP_MEMID); }');
    assert.deepEqual(out.rows.filter(r => r.name === 'at_start').map(r => r.value), ['1', '1']);
    assert.deepEqual(out.rows.filter(r => r.name === 'now').map(r => r.value), ['3', '3']);
    await assert.rejects(instrument({ app: await wat(CALLS), script: 'wasm:opcode:call(arg0: i32):before { report var first: i32 = arg0; }' }),
        /`first` is created once per match site, before the probe runs, when `arg0` has no value yet/);
});

test('table.get and ref.func name the function they produce', async () => {
    // Slot 2 holds $b (function 1); ref.func $a is function 0.
    const app = await wat(`(module (table 3 funcref) (elem (i32.const 1) $a $b) (elem declare func $a)
      (func $a) (func $b)
      (func (export "_start") (drop (table.get 0 (i32.const 2))) (drop (ref.func $a))))`);
    const out = await instrumentAndRun(app, `
wasm:opcode:table.get:before { report var from_table: i32; from_table = resolved_fid; }
wasm:opcode:ref.func:before { report var from_ref: i32; from_ref = resolved_fid; }`);
    assert.equal(valueOf(out.rows, 'from_table'), '1');
    assert.equal(valueOf(out.rows, 'from_ref'), '0');
});

test('resolved_fid differs per site: two ref.func and two tables', async () => {
    const app = await wat(`(module
      (type $t (func))
      (table $one 2 funcref) (table $two 2 funcref)
      (elem (table $one) (i32.const 0) func $a $b) (elem (table $two) (i32.const 0) func $b $a)
      (elem declare func $a $b)
      (func $a) (func $b)
      (func (export "_start")
        (drop (ref.func $a)) (drop (ref.func $b))
        (call_indirect $one (type $t) (i32.const 1))
        (call_indirect $two (type $t) (i32.const 1))))`);
    const out = await instrumentAndRun(app, `
wasm:opcode:ref.func:before { report var r: i32; r = resolved_fid; }
wasm:opcode:call_indirect:before { report var c: i32; c = resolved_fid; }`);
    // ref.func $a, $b; slot 1 of $one is $b (1), slot 1 of $two is $a (0).
    assert.deepEqual(out.rows.filter(r => r.name === 'r').map(r => r.value), ['0', '1']);
    assert.deepEqual(out.rows.filter(r => r.name === 'c').map(r => r.value), ['1', '0']);
});
