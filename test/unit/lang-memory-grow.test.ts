// memory.grow's `failed` and `res0` on a WAT app whose memory has a maximum of 3 pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { validates } from '../support/engine-harness.js';
import { bySite, run, value } from '../fixtures/lang/harness.js';

// 1 page, max 3: grow(1) -> 1, grow(1) -> 2, grow(5) -> -1 (over the maximum), grow(0) -> 3; then size = 3.
const APP = `(module
  (memory 1 3)
  (func (export "_start")
    (drop (memory.grow (i32.const 1)))
    (drop (memory.grow (i32.const 1)))
    (drop (memory.grow (i32.const 5)))
    (drop (memory.grow (i32.const 0)))
    (drop (memory.size))))`;

test('memory.grow: arg0 is the page delta, res0 the old size or -1; the app grows as before', async () => {
    const r = await run(APP, `
report var asked: u32;
wasm:opcode:memory.grow:after {
    report var old: i32;
    old = res0;
}
wasm:opcode:memory.grow:before { asked = asked + arg0; }
wasm:opcode:memory.size:after { report var pages: i32; pages = res0; }`);
    assert.ok(validates(r.result.bytes));
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(value(r.rows, 'asked'), '7');
    assert.deepEqual(bySite(r.rows, 'old'), ['1', '2', '-1', '3']);
    assert.deepEqual(bySite(r.rows, 'pages'), ['3'], 'the app grew its memory as before');
});


test('memory.grow:after: failed is true only when the grow did not happen', async () => {
    const r = await run(APP, `
report var fails: u32;
report var oks: u32;
wasm:opcode:memory.grow:after { if (failed) { fails++; } else { oks++; } }`);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(value(r.rows, 'fails'), '1');
    assert.equal(value(r.rows, 'oks'), '3');
});

test('failed in a predicate guards the body at run time', async () => {
    const r = await run(APP, `
report var failed_at: u32;
wasm:opcode:memory.grow:after / failed / { failed_at = pc; }`);
    assert.equal(r.exitCode, 0, r.stderr);
    // _start has no locals: the body starts at pc 1 with i32.const 1 (2 bytes), memory.grow (2 bytes), drop;
    // each grow statement is 5 bytes, so the third memory.grow is at 1 + 10 + 2 = 13.
    assert.equal(value(r.rows, 'failed_at'), '13');
});
