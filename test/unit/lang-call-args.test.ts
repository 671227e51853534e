// Call operands in probes on WAT apps written here: writing argN in a before probe changes what the
// callee receives (call and call_indirect), and argN stays readable in after probes beside resN.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { validates } from '../support/engine-harness.js';
import { bySite, run, wat } from '../fixtures/lang/harness.js';

// $add3(a, b, c) = a + b + c (fid 0); table slot 0 -> $double (fid 1), slot 1 -> $inc (fid 2).
// run(x) = add3(x, 2, 3); via(x, slot) = call_indirect slot with x.
const APP = `(module
  (type $un (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $double $inc)
  (func $add3 (param i32 i32 i32) (result i32) (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2)))
  (func $double (type $un) (i32.mul (local.get 0) (i32.const 2)))
  (func $inc (type $un) (i32.add (local.get 0) (i32.const 1)))
  (func (export "run") (param i32) (result i32) (call $add3 (local.get 0) (i32.const 2) (i32.const 3)))
  (func (export "via") (param i32 i32) (result i32) (call_indirect (type $un) (local.get 0) (local.get 1)))
  (func (export "_start") (drop (call $add3 (i32.const 4) (i32.const 2) (i32.const 3)))))`;

interface App { run(x: number): number; via(x: number, slot: number): number }

async function instrumented(script: string): Promise<App> {
    const r = await instrument({ app: await wat(APP), script });
    assert.ok(validates(r.bytes), script);
    return new WebAssembly.Instance(new WebAssembly.Module(r.bytes), {}).exports as unknown as App;
}

test('writing argN before a call changes the callee argument (first, last, computed from itself)', async () => {
    assert.equal((await instrumented('wasm:opcode:call(arg2: i32):before / target_fn_name == "add3" / { arg2 = 10; }')).run(4), 15);
    assert.equal((await instrumented('wasm:opcode:call(arg0: i32):before / target_fn_name == "add3" / { arg0 = arg0 * 2; }')).run(4), 12);
    // A run-time predicate on the operand: only x > 5 is rewritten.
    const a = await instrumented('wasm:opcode:call(arg2: i32):before / target_fn_name == "add3" && arg2 > 5 / { arg2 = 0; }');
    assert.equal(a.run(4), 9);
    assert.equal(a.run(50), 5);
});

test('writing argN before call_indirect: the callee argument and the table slot', async () => {
    assert.equal((await instrumented('wasm:opcode:call_indirect(arg1: i32):before { arg1 = 100; }')).via(5, 0), 200);
    // arg0 is the slot: 0 ($double) becomes 1 ($inc).
    assert.equal((await instrumented('wasm:opcode:call_indirect(arg0: i32):before { arg0 = 1; }')).via(5, 0), 6);
});

test('argN in after probes: the operands the call consumed, beside its result', async () => {
    const r = await run(APP, `
wasm:opcode:call(arg0: i32, arg2: i32, res0: i32):after / target_fn_name == "add3" / {
    report var seen: i32;
    seen = arg2 * 1000 + arg0 * 100 + res0;
}`);
    assert.equal(r.exitCode, 0, r.stderr);
    // Sites in code order: the call in run() (fid 3) never executes; _start's add3(4, 2, 3) = 9.
    assert.deepEqual(bySite(r.rows, 'seen'), ['0', '4309']);
});
