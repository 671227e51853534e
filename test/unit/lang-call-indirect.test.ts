// Indirect calls on WAT apps written here: call_indirect, return_call_indirect and call_ref events with
// table_entry_idx, resolved_fid, target_funcref/resolve_funcref, argN and resN. Expected values follow
// from the table's element segment and the calls the app makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import binaryen from 'binaryen';
import { instrument } from '../../server/src/engine/instrument.js';
import { validates } from '../support/engine-harness.js';
import { bySite, mapEntries, run, value } from '../fixtures/lang/harness.js';

// Table slots: 0 -> $double (fid 0), 1 -> $inc (fid 1), 2 and 3 empty.
// $via(x, slot) = call_indirect; $tail(x, slot) = return_call_indirect.
// _start: via(5, 0) = 10, via(5, 1) = 6, via(7, 0) = 14, tail(3, 1) = 4.
const APP = `(module
  (type $un (func (param i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $double $inc)
  (global $acc (mut i32) (i32.const 0))
  (func $double (type $un) (i32.mul (local.get 0) (i32.const 2)))
  (func $inc (type $un) (i32.add (local.get 0) (i32.const 1)))
  (func $via (param i32 i32) (result i32) (call_indirect (type $un) (local.get 0) (local.get 1)))
  (func $tail (param i32 i32) (result i32) (return_call_indirect (type $un) (local.get 0) (local.get 1)))
  (func (export "_start")
    (global.set $acc (call $via (i32.const 5) (i32.const 0)))
    (global.set $acc (i32.add (global.get $acc) (call $via (i32.const 5) (i32.const 1))))
    (global.set $acc (i32.add (global.get $acc) (call $via (i32.const 7) (i32.const 0))))
    (global.set $acc (i32.add (global.get $acc) (call $tail (i32.const 3) (i32.const 1))))))`;

test('call_indirect and return_call_indirect: table_entry_idx is the slot operand, arg1 the callee argument', async () => {
    const r = await run(APP, `
report var by_slot: map<i32, u32>;
report var args: i32;
wasm:opcode:call_indirect|return_call_indirect(arg1: i32):before {
    by_slot[table_entry_idx]++;
    args = args + arg1;
    report var n: u32;
    n++;
}`);
    assert.ok(validates(r.result.bytes));
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(mapEntries(r.rows, 'by_slot'), ['0->2', '1->2']);
    assert.equal(value(r.rows, 'args'), String(5 + 5 + 7 + 3));
    // One site in $via (fid 2, 3 executions), one in $tail (fid 3, 1 execution).
    assert.deepEqual(bySite(r.rows, 'n'), ['3', '1']);
    assert.deepEqual(r.rows.filter(x => x.name === 'n').map(x => x.probe).sort(),
        ['wasm:opcode:call_indirect:before', 'wasm:opcode:return_call_indirect:before']);
});

test('call_indirect:after sees the callee result; the app computes what it did before', async () => {
    const r = await run(APP, `
report var results: i32;
report var last_arg: i32;
wasm:opcode:call_indirect(arg1: i32, res0: i32):after { results = results + res0; last_arg = arg1; }
wasm:opcode:global.set(arg0: i32):before / fname == "" / { report var acc: i32; acc = arg0; }`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(value(r.rows, 'results'), String(10 + 6 + 14));
    // The four global.set sites of _start see 10, 16, 30, 34.
    assert.deepEqual(bySite(r.rows, 'acc'), ['10', '16', '30', '34']);
});

test('resolved_fid is the function in the slot; resolve_funcref(target_funcref, table_entry_idx) agrees', async () => {
    const r = await run(APP, `
report var by_fid: map<i32, u32>;
report var agree: u32;
wasm:opcode:call_indirect|return_call_indirect:before {
    by_fid[resolved_fid]++;
    if (resolve_funcref(target_funcref, table_entry_idx) == resolved_fid) { agree++; }
}`);
    assert.equal(r.exitCode, 0, r.stderr);
    // Slot 0 ($double, fid 0) twice, slot 1 ($inc, fid 1) twice.
    assert.deepEqual(mapEntries(r.rows, 'by_fid'), ['0->2', '1->2']);
    assert.equal(value(r.rows, 'agree'), '4');
});

test('resolved_fid of an empty slot is negative; the before probe runs before the call traps', async () => {
    const app = `(module
  (type $v (func))
  (table 2 funcref)
  (elem (i32.const 0) $f)
  (func $f)
  (func (export "_start") (call_indirect (type $v) (i32.const 0)) (call_indirect (type $v) (i32.const 1))))`;
    const r = await run(app, `
report var unknown: u32;
report var known: u32;
wasm:opcode:call_indirect:before {
    if (resolved_fid < 0) { unknown++; } else { known++; }
}`);
    assert.notEqual(r.exitCode, 0, 'slot 1 is empty: the call traps');
    assert.match(r.stderr, /trap/);
    assert.equal(value(r.rows, 'known'), '1');
    assert.equal(value(r.rows, 'unknown'), '1');
});

// Node 20's V8 has no typed function references, so call_ref apps cannot run here: the module is made by
// binaryen (wabt cannot write typed call_ref), instrumented, and checked with binaryen's validator.
function callRefApp(): Uint8Array {
    const m = binaryen.parseText(`(module
  (type $un (func (param i32) (result i32)))
  (elem declare func $double)
  (func $double (type $un) (i32.mul (local.get 0) (i32.const 2)))
  (func $main (export "_start")
    (drop (call_ref $un (i32.const 4) (ref.func $double)))
    (drop (call_ref $un (i32.const 21) (ref.func $double)))))`);
    try {
        m.setFeatures(binaryen.Features.All);
        assert.ok(m.validate());
        return m.emitBinary();
    } finally {
        m.dispose();
    }
}

function binaryenValidates(bytes: Uint8Array): boolean {
    let out: binaryen.Module | undefined;
    try {
        out = binaryen.readBinary(bytes);
        out.setFeatures(binaryen.Features.All);
        return out.validate() !== 0;
    } catch {
        return false; // binaryen refuses to read it: not valid either
    } finally {
        out?.dispose();
    }
}

test('call_ref: each call_ref is a site of before/after probes; the instrumented module validates', async () => {
    const r = await instrument({ app: callRefApp(), script: `
report var calls: u32;
report var res_sum: i32;
wasm:opcode:call_ref:before { calls++; }
wasm:opcode:call_ref(res0: i32):after { res_sum = res_sum + res0; }` });
    // Two call_ref instructions, two probes each.
    assert.equal(r.sites.length, 4);
    assert.deepEqual([...new Set([...r.sites].map(s => s.rule))].sort(), ['wasm:opcode:call_ref:after', 'wasm:opcode:call_ref:before']);
    assert.ok(binaryenValidates(r.bytes));
});

// Reading argN at call_ref holds the typed reference (ref $un) in a local of its nullable form and gives it
// its type back (ref.as_non_null) when pushing it for the call.
test('call_ref: argN below the function reference can be read', async () => {
    const r = await instrument({ app: callRefApp(), script: `
report var arg_sum: i32;
wasm:opcode:call_ref(arg1: i32):before { arg_sum = arg_sum + arg1; }` });
    assert.equal(r.sites.length, 2);
    assert.deepEqual(r.warnings, []);
    assert.ok(binaryenValidates(r.bytes), 'the instrumented module validates');
});

test('call_ref: resolved_fid is static, the function a ref.func right before names', async () => {
    // Both call_refs take the reference from `ref.func $double`, function 0: a static predicate on it folds.
    const hit = await instrument({ app: callRefApp(), script: 'report var n: u32;\nwasm:opcode:call_ref:before / resolved_fid == 0 / { n++; }' });
    assert.equal(hit.sites.length, 2);
    const miss = await instrument({ app: callRefApp(), script: 'report var n: u32;\nwasm:opcode:call_ref:before / resolved_fid == 1 / { n++; }' });
    assert.equal(miss.sites.length, 0);
});
