// Maps through the whole pipeline (script -> engine -> runner -> report flush) on a WAT app written here:
// scalar, string and tuple keys, tuple values, missing-key defaults, m[k]++, and the `key->value;...` flush.
// Expected values are worked out by hand from the calls the app makes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { validates } from '../support/engine-harness.js';
import { mapEntries as entries, run, value as valueOf } from '../fixtures/lang/harness.js';

// $hit(a, b) is called five times with (a, b) = (1, 10), (2, 20), (1, 10), (1, 30), (-1, 10); $other twice.
// At a call the topmost operand is the last parameter: arg0 = b, arg1 = a.
const APP = `(module
  (func $hit (param i32 i32))
  (func $other)
  (func (export "_start")
    (call $hit (i32.const 1) (i32.const 10))
    (call $hit (i32.const 2) (i32.const 20))
    (call $other)
    (call $hit (i32.const 1) (i32.const 10))
    (call $hit (i32.const 1) (i32.const 30))
    (call $other)
    (call $hit (i32.const -1) (i32.const 10))))`;


test('scalar and tuple keys count with m[k]++; each map flushes as key->value entries', async () => {
    const r = await run(APP, `
report var by_a: map<i32, u32>;
report var by_pair: map<(i32, u32), u64>;
wasm:opcode:call(arg0: i32, arg1: i32):before / target_fn_name == "hit" / {
    by_a[arg1]++;
    by_pair[(arg1, arg0 as u32)]++;
}`);
    assert.ok(validates(r.result.bytes));
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(entries(r.rows, 'by_a'), ['-1->1', '1->3', '2->1']);
    assert.deepEqual(entries(r.rows, 'by_pair'), ['(-1,10)->1', '(1,10)->2', '(1,30)->1', '(2,20)->1']);
    // Script-global report maps are globals: no site columns; the type column gives the declared map type.
    const row = r.rows.find(x => x.name === 'by_pair')!;
    assert.equal(row.fid, '');
    assert.equal(row.type, 'map<(i32,u32),u64>');
});

// Regression: keys were once taken as the literal elements of the index expression (nested keys and
// tuple variables as keys were rejected).
test('nested tuple keys and tuple variables as keys', async () => {
    const r = await run(APP, `
report var nested: map<((i32, u32), bool), u32>;
report var by_var: map<(i32, u32), u32>;
wasm:opcode:call(arg0: i32, arg1: i32):before / target_fn_name == "hit" / {
    var k: (i32, u32) = (arg1, arg0 as u32);
    nested[(k, arg1 > 1)]++;
    by_var[k]++;
}`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(entries(r.rows, 'nested'), ['((-1,10),false)->1', '((1,10),false)->2', '((1,30),false)->1', '((2,20),true)->1']);
    assert.deepEqual(entries(r.rows, 'by_var'), ['(-1,10)->1', '(1,10)->2', '(1,30)->1', '(2,20)->1']);
});

test('string keys: one entry per callee name', async () => {
    const r = await run(APP, `
report var callees: map<str, u32>;
wasm:opcode:call:before { callees[target_fn_name]++; }`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(entries(r.rows, 'callees'), ['hit->5', 'other->2']);
});

test('missing keys read as the default value', async () => {
    const r = await run(APP, `
report var counts: map<u32, u32>;
report var missing: u32;
report var firsts: u32;
report var label: str;
var seen: map<u32, bool>;
var names: map<u32, str>;
wasm:opcode:call(arg0: i32, arg1: i32):before / target_fn_name == "hit" / {
    var k: u32 = arg0 as u32;
    counts[k]++;
    missing = missing + counts[7] + counts[k + 1];
    if (!seen[k]) { firsts++; seen[k] = true; }
    label = names[k];
}`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(entries(r.rows, 'counts'), ['10->3', '20->1', '30->1']);
    assert.equal(valueOf(r.rows, 'missing'), '0', 'keys 7, 11, 21, 31 are never written');
    assert.equal(valueOf(r.rows, 'firsts'), '3', 'three distinct b values');
    assert.equal(valueOf(r.rows, 'label'), '', 'a missing str value reads as ""');
});

// Regression: tuple-valued maps once failed to compile (`m[k] = (1, 2)`, `m[k].0`, `t = m[k]`).
test('tuple values: read-modify-write of a whole tuple; a missing key reads as the default', async () => {
    const r = await run(APP, `
report var sums: map<u32, (u32, i64)>;
report var missing: u32;
report var missing_t: (u32, i64);
report var firsts: u32;
var seen: map<u32, bool>;
wasm:opcode:call(arg0: i32, arg1: i32):before / target_fn_name == "hit" / {
    var k: u32 = arg0 as u32;
    var cur: (u32, i64) = sums[k];
    sums[k] = (cur.0 + 1, cur.1 + (arg1 as i64));
    // Keys never written read as 0 / (0; 0) / false.
    missing = missing + sums[7].0 + (sums[8].1 as u32);
    missing_t = sums[12345];
    if (!seen[k]) { firsts++; seen[k] = true; }
}`);
    assert.equal(r.exitCode, 0, r.stderr);
    // b = 10 for a = 1, 1, -1; b = 20 for a = 2; b = 30 for a = 1.
    assert.deepEqual(entries(r.rows, 'sums'), ['10->(3; 1)', '20->(1; 2)', '30->(1; 1)']);
    assert.equal(valueOf(r.rows, 'missing'), '0');
    assert.equal(valueOf(r.rows, 'missing_t'), '(0; 0)');
    assert.equal(valueOf(r.rows, 'firsts'), '3', 'three distinct b values');
});

test('map values wrap at their declared width; a map read in a run-time predicate', async () => {
    const r = await run(APP, `
report var wrap: map<bool, u8>;
report var repeats: u32;
var count: map<(i32, i32), u32>;
wasm:opcode:call(arg0: i32, arg1: i32):before / target_fn_name == "hit" / {
    wrap[arg1 > 0] = wrap[arg1 > 0] + 100;
    count[(arg1, arg0)]++;
}
wasm:opcode:call(arg0: i32, arg1: i32):before / target_fn_name == "hit" && count[(arg1, arg0)] > 1 / {
    repeats++;
}`);
    assert.equal(r.exitCode, 0, r.stderr);
    // a > 0 four times: 400 mod 256 = 144; a = -1 once: 100.
    assert.deepEqual(entries(r.rows, 'wrap'), ['false->100', 'true->144']);
    // The second probe runs after the first at the same site: only the second (1, 10) sees a count of 2.
    assert.equal(valueOf(r.rows, 'repeats'), '1');
});

test('an empty map flushes as an empty value', async () => {
    const r = await run(APP, `
report var never: map<u32, u32>;
wasm:opcode:call:before / target_fn_name == "nobody" / { never[1]++; }
wasm:opcode:call:before / target_fn_name == "other" / { }`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(entries(r.rows, 'never'), []);
});
