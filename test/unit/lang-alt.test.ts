// alt mode on WAT apps written here: `return` supplies the replaced instruction's result, drop_args()
// discards its operands, alt_call_by_id/_by_name call another app function with the same operands, and a
// run-time predicate keeps the original instruction when false. Results are read from the app's exports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { validates } from '../support/engine-harness.js';
import { wat } from '../fixtures/lang/harness.js';

// fid 0 $add3(a, b, c) = a + b + c; fid 1 $mul3 = a * b * c; fid 2 $log(x) adds x to $g.
// run(x) = add3(x, 2, 3); logit(x) = log(x); g() reads $g.
const APP = `(module
  (global $g (mut i32) (i32.const 0))
  (func $add3 (param i32 i32 i32) (result i32) (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2)))
  (func $mul3 (param i32 i32 i32) (result i32) (i32.mul (i32.mul (local.get 0) (local.get 1)) (local.get 2)))
  (func $log (param i32) (global.set $g (i32.add (global.get $g) (local.get 0))))
  (func (export "run") (param i32) (result i32) (call $add3 (local.get 0) (i32.const 2) (i32.const 3)))
  (func (export "logit") (param i32) (call $log (local.get 0)))
  (func (export "g") (result i32) (global.get $g)))`;

interface App { run(x: number): number; logit(x: number): void; g(): number }

async function instrumented(script: string): Promise<App> {
    const r = await instrument({ app: await wat(APP), script });
    assert.ok(validates(r.bytes), `the instrumented module validates: ${script}`);
    return new WebAssembly.Instance(new WebAssembly.Module(r.bytes), {}).exports as unknown as App;
}

test('the original app: run(4) = 9, logit adds to g', async () => {
    const a = await instrumented('wasm:opcode:call:before / target_fn_name == "nothing" / { }');
    assert.equal(a.run(4), 9);
    a.logit(5);
    assert.equal(a.g(), 5);
});

test('alt with `return` supplies the result; the operands are consumed when the body reads them', async () => {
    const a = await instrumented('wasm:opcode:call(arg0: i32, arg2: i32):alt / target_fn_name == "add3" / { return arg2 * 100 + arg0; }');
    // arg2 is the first parameter (x = 4), arg0 the last (3).
    assert.equal(a.run(4), 403);
});

test('drop_args() discards the operands: with `return` for a call with a result, alone for one without', async () => {
    const a = await instrumented(`
wasm:opcode:call:alt / target_fn_name == "add3" / { drop_args(); return 77; }
wasm:opcode:call:alt / target_fn_name == "log" / { drop_args(); }`);
    assert.equal(a.run(4), 77);
    a.logit(5);
    assert.equal(a.g(), 0, '$log never ran');
});

test('drop_args() on an instruction that is not a call', async () => {
    // Both i32.add of $add3 become `0`: add3 returns 0.
    const a = await instrumented('wasm:opcode:i32.add:alt / fname == "add3" / { drop_args(); return 0; }');
    assert.equal(a.run(4), 0);
});

test('alt_call_by_id(fid) calls another function with the same operands', async () => {
    const a = await instrumented('wasm:opcode:call:alt / target_fn_name == "add3" / { alt_call_by_id(1); }');
    assert.equal(a.run(4), 24, 'mul3(4, 2, 3)');
});

test('alt_call_by_name("f") calls the function of that name', async () => {
    const a = await instrumented('wasm:opcode:call:alt / target_fn_name == "add3" / { alt_call_by_name("mul3"); }');
    assert.equal(a.run(4), 24);
});

test('a run-time predicate chooses between the alt call and the original call', async () => {
    const a = await instrumented('wasm:opcode:call(arg2: i32):alt / target_fn_name == "add3" && arg2 > 10 / { alt_call_by_name("mul3"); }');
    assert.equal(a.run(4), 9, 'predicate false: add3(4, 2, 3)');
    assert.equal(a.run(20), 120, 'predicate true: mul3(20, 2, 3)');
    assert.equal(a.run(5), 10);
});

test('alt_call_by_name with a name no function has is an error', async () => {
    await assert.rejects(instrument({ app: await wat(APP), script: 'wasm:opcode:call:alt / target_fn_name == "add3" / { alt_call_by_name("nosuch"); }' }),
        (e: unknown) => e instanceof Error && /nosuch/.test(e.message));
});
