// Block-extent probe modes (entry/exit/after/alt on block, loop, if, else) and at_target on branches.
// Expected values come from what the small apps do, worked out by hand in the comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { instrumentAndRun, validates, valueOf, wat } from '../support/engine-harness.js';

// $run: a loop of 10 iterations (br_if back taken 9 times), then an if/else on each of 0..3:
// the then arm runs for 1, 2, 3 (3 times), the else arm for 0 (once).
const APP = `(module
  (global $g (mut i32) (i32.const 0))
  (func $pick (param i32)
    local.get 0
    if
      global.get $g
      i32.const 1
      i32.add
      global.set $g
    else
      global.get $g
      i32.const 100
      i32.add
      global.set $g
    end)
  (func $run (local $i i32)
    loop $l
      local.get $i
      i32.const 1
      i32.add
      local.tee $i
      i32.const 10
      i32.lt_s
      br_if $l
    end
    block
      i32.const 0
      call $pick
    end
    i32.const 1
    call $pick
    i32.const 2
    call $pick
    i32.const 3
    call $pick)
  (func (export "_start") call $run)
  (func (export "g") (result i32) global.get $g))`;

async function count(script: string): Promise<string | undefined> {
    const r = await instrumentAndRun(await wat(APP), `report var n: u32;\n${script}`);
    assert.ok(validates(r.result.bytes));
    return valueOf(r.rows, 'n');
}

test('loop:entry runs once per iteration, loop:exit and loop:after once (on fall-through)', async () => {
    assert.equal(await count('wasm:opcode:loop:entry { n++; }'), '10');
    assert.equal(await count('wasm:opcode:loop:exit { n++; }'), '1');
    assert.equal(await count('wasm:opcode:loop:after { n++; }'), '1');
});

test('if:entry runs when the then arm is entered; else:entry when the else arm is; after runs for both', async () => {
    assert.equal(await count('wasm:opcode:if:entry { n++; }'), '3');
    assert.equal(await count('wasm:opcode:else:entry { n++; }'), '1');
    assert.equal(await count('wasm:opcode:if:exit { n++; }'), '3');
    assert.equal(await count('wasm:opcode:else:after { n++; }'), '4');
});

test('if:entry can read the condition (saved before the if), which is never 0 inside the then arm', async () => {
    assert.equal(await count('wasm:opcode:if:entry / arg0 == 0 / { n++; }'), '0');
    assert.equal(await count('wasm:opcode:if:entry { n = n + arg0 as u32; }'), '6');
});

test('block:alt replaces the whole block (the call inside never runs)', async () => {
    assert.equal(await count('wasm:opcode:block:alt { n++; }'), '1');
    // $pick(0), the only call taking the else arm, sat in the replaced block.
    assert.equal(await count('wasm:opcode:block:alt { }\nwasm:opcode:else:entry { n++; }'), '0');
    assert.equal(await count('wasm:opcode:block:alt { }\nwasm:opcode:if:entry { n++; }'), '3');
});

test('br_if:at_target runs at each execution (taken: at the label, not taken: at the fall-through)', async () => {
    assert.equal(await count('wasm:opcode:br_if:at_target { n++; }'), '10');
    assert.equal(await count('wasm:opcode:br_if:at_target { n = n + arg0 as u32; }'), '9');
});
