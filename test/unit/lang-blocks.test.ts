// Basic blocks (wasm:block:start/end, instr_count), entry/exit/after on `block`, semantic_after on
// branches and blocks, and at_target / run-time alt predicates on branches and blocks, on WAT apps
// written here. Counts are worked out by hand from what the apps execute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { validates } from '../support/engine-harness.js';
import { run, value } from '../fixtures/lang/harness.js';

// $early(x): a block left by `br_if 0` when x != 0 (to the block's own end), else by falling through.
// $loop10: a loop whose br_if jumps back 9 times and falls through once.
// $sel(x): br_table 2 0 1 on x: 0 -> label 2, 1 -> label 0, else the default, label 1.
// _start: early(1), early(0), early(5), loop10(), sel(0), sel(1), sel(5).
const APP = `(module
  (global $g (mut i32) (i32.const 0))
  (func $early (param i32)
    block
      local.get 0
      br_if 0
      global.get $g
      i32.const 1
      i32.add
      global.set $g
    end)
  (func $loop10 (local $i i32)
    loop $l
      local.get $i
      i32.const 1
      i32.add
      local.tee $i
      i32.const 10
      i32.lt_s
      br_if $l
    end)
  (func $sel (param i32)
    block
      block
        block
          local.get 0
          br_table 2 0 1
        end
        global.get $g
        i32.const 100
        i32.add
        global.set $g
      end
    end)
  (func (export "_start")
    i32.const 1 call $early
    i32.const 0 call $early
    i32.const 5 call $early
    call $loop10
    i32.const 0 call $sel
    i32.const 1 call $sel
    i32.const 5 call $sel))`;

async function count(script: string, name = 'n'): Promise<string | undefined> {
    const r = await run(APP, `report var n: u32;\n${script}`);
    assert.ok(validates(r.result.bytes), script);
    assert.equal(r.exitCode, 0, r.stderr);
    return value(r.rows, name);
}

test('block:end instr_count: executed block sizes add up to the executed instruction count', async () => {
    const r = await run(APP, `
report var via_blocks: u64;
report var direct: u64;
report var starts: u64;
report var ends: u64;
wasm:block:start { starts++; }
wasm:block:end { ends++; via_blocks = via_blocks + (instr_count as u64); }
wasm:opcode:*:before { direct++; }`);
    assert.equal(r.exitCode, 0, r.stderr);
    // Control enters a basic block only at its first instruction and leaves at its last, so every
    // executed block ran all instr_count instructions, once per start and end.
    assert.equal(value(r.rows, 'via_blocks'), value(r.rows, 'direct'));
    assert.equal(value(r.rows, 'starts'), value(r.rows, 'ends'));
    assert.ok(Number(value(r.rows, 'ends')) > 7, 'more blocks than calls');
});

test('block:end instr_count is static: it folds in predicates, and a bound no block reaches matches nothing', async () => {
    const r = await run(APP, `
report var n: u32;
wasm:block:end / instr_count > 1000 / { n++; }
wasm:opcode:call:before / fname == "nobody" / { }`);
    assert.equal(r.result.sites.length, 0);
    // $loop10's loop body: the br_if ending the block runs 10 times; the largest block count is 10.
    const per = await run(APP, `wasm:block:end / fname == "loop10" / { report var c: u32; c++; }`);
    assert.equal(Math.max(...per.rows.filter(x => x.name === 'c').map(x => Number(x.value))), 10);
});

test('block:entry runs on every entry; block:exit only when the block falls through its end; after for both', async () => {
    // early(0) falls through its block's end; early(1) and early(5) branch to it (after, not exit).
    assert.equal(await count('wasm:opcode:block:entry / fname == "early" / { n++; }'), '3');
    assert.equal(await count('wasm:opcode:block:exit / fname == "early" / { n++; }'), '1');
    assert.equal(await count('wasm:opcode:block:after / fname == "early" / { n++; }'), '3');
    assert.equal(await count('wasm:opcode:block:entry / fname == "sel" / { n++; }'), '9', '3 calls x 3 nested blocks');
    // sel(0) -> label 2 leaves all three blocks; sel(1) -> label 0 ends the inner block, then the middle
    // and outer fall through (2 exits); sel(5) -> label 1 ends the middle block, the outer falls through (1).
    assert.equal(await count('wasm:opcode:block:exit / fname == "sel" / { n++; }'), '3');
});

test('semantic_after on br_if runs after every execution, taken or not; after only on fall-through', async () => {
    assert.equal(await count('wasm:opcode:br_if:after / fname == "early" / { n++; }'), '1');
    assert.equal(await count('wasm:opcode:br_if:semantic_after / fname == "early" / { n++; }'), '3');
    assert.equal(await count('wasm:opcode:br_if:semantic_after / fname == "loop10" / { n++; }'), '10');
});

test('semantic_after on br_table runs once per execution, whichever target is taken', async () => {
    assert.equal(await count('wasm:opcode:br_table:semantic_after { n++; }'), '3');
});

test('semantic_after on a block runs once per execution of the block, however it is left', async () => {
    assert.equal(await count('wasm:opcode:block:semantic_after / fname == "early" / { n++; }'), '3');
});

test('br_table:at_target runs at the target of each execution and reads the selector', async () => {
    assert.equal(await count('wasm:opcode:br_table:at_target { n++; }'), '3');
    assert.equal(await count('wasm:opcode:br_table:at_target { n = n + arg0; }'), '6');
});

test('alt on br_if with a run-time predicate: replaced (not taken) only when the predicate holds', async () => {
    // early(5)'s br_if is replaced by dropping its condition: the block falls through, $g is bumped.
    assert.equal(await count(`
wasm:opcode:br_if:alt / fname == "early" && arg0 == 5 / { drop_args(); }
wasm:opcode:block:exit / fname == "early" / { n++; }`), '2');
});

test('alt on a block with a run-time predicate: the block is skipped only when the predicate holds', async () => {
    // early(5)'s block is replaced by an empty body: its br_if runs only for early(1) and early(0).
    assert.equal(await count(`
wasm(local0: i32):opcode:block:alt / fname == "early" && local0 == 5 / { }
wasm:opcode:br_if:before / fname == "early" / { n++; }`), '2');
});
