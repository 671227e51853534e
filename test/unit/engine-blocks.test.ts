// Block and branch events in the engine: semantic_after / at_target on branches and blocks, func:exit at a
// br_table that leaves the function, alt with a run-time predicate on branches and on whole blocks (the
// original code then runs one construct deeper: its escaping labels must be re-encoded), alt on a typed
// else, on blocks with a type-index signature and on instructions with several results, tuples in alt
// probes. Apps are WAT written here; expected values are worked out by hand in the comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { instrumentAndRun, validates, valueOf, wat } from '../support/engine-harness.js';

/** Instruments with --testing and returns the instance's exports (the apps here import nothing). */
async function instance(app: string, script: string): Promise<{ e: Record<string, CallableFunction>; warnings: string[] }> {
    const r = await instrument({ app: await wat(app), script, testing: true });
    assert.ok(validates(r.bytes), `invalid module for: ${script}`);
    const { instance: inst } = await WebAssembly.instantiate(r.bytes, {});
    return { e: inst.exports as unknown as Record<string, CallableFunction>, warnings: r.warnings };
}

function noUnsupported(warnings: string[]): void {
    assert.deepEqual(warnings.filter(w => /not supported|not injected/.test(w)), []);
}

// $t(x): br_table over [0 -> the function's label (returns 7), 1 -> $a (falls to 20), default -> the
// function's label]. $b(x): br_if to the function's label when x is 2 (returns 5), else 1.
// $w(x): a loop run x+1 times: its br_if to the loop label is taken x times.
const EXITS = `(module
  (func $t (export "t") (param i32) (result i32)
    block $a (result i32)
      i32.const 7
      local.get 0
      br_table 1 $a 1
    end
    drop
    i32.const 20)
  (func $b (export "b") (param i32) (result i32)
    i32.const 5
    local.get 0
    i32.const 2
    i32.eq
    br_if 0
    drop
    i32.const 1)
  (func $w (export "w") (param i32) (result i32) (local i32)
    loop $l
      local.get 1
      i32.const 1
      i32.add
      local.tee 1
      local.get 0
      i32.le_u
      br_if $l
    end
    local.get 1)
  (func (export "_start")))`;

test('func:exit runs when a br_table selects the function label, and at the final end otherwise', async () => {
    const { e, warnings } = await instance(EXITS, 'var n: u32; wasm:func:exit / fid == 0 / { n++; }');
    noUnsupported(warnings);
    // t(0) and t(9) leave through the br_table, t(1) through the final end: 3 exits, results unchanged.
    assert.deepEqual([0, 1, 9].map(x => e.t(x)), [7, 20, 7]);
    assert.equal(e.get_n(), 3);
});

test('func:exit at a br_table only counts the indices that leave', async () => {
    // Only t(0) and t(5) (default) leave via the br_table; the final-end exit is excluded by the predicate.
    const { e } = await instance(EXITS, 'var n: u32; wasm:func:exit / fid == 0 && !at_func_end / { n++; }');
    [0, 1, 1, 5].forEach(x => e.t(x));
    assert.equal(e.get_n(), 2);
});

test('func:exit at a br_if to the function label runs only when taken', async () => {
    const { e } = await instance(EXITS, 'var n: u32; wasm:func:exit / fid == 1 / { n++; }');
    // b(2) leaves by the br_if, b(0) and b(3) by the final end: 3 exits, never twice for one call.
    assert.deepEqual([0, 2, 3].map(x => e.b(x)), [1, 5, 1]);
    assert.equal(e.get_n(), 3);
});

test('semantic_after / at_target on branches: once per execution, taken or not, even when it leaves the function', async () => {
    for (const mode of ['semantic_after', 'at_target']) {
        const { e, warnings } = await instance(EXITS, `var n: u32; var sum: u32;
wasm:opcode:br_table:${mode} { n++; sum = sum + arg0; }
wasm:opcode:br_if:${mode} / fid == 2 / { n = n + 100; }`);
        noUnsupported(warnings);
        [0, 1, 9].forEach(x => e.t(x));
        assert.equal(e.get_n(), 3, mode);
        assert.equal(e.get_sum(), 10, mode);
        // w(4): the loop body and its br_if run 5 times (taken 4 times to the loop label, once not).
        assert.equal(e.w(4), 5);
        assert.equal(e.get_n(), 503, mode);
    }
});

// $f(x) (if/else): then arm for x != 0 (result 1), else arm (result 2), one if per call.
// $l(): a loop run 3 times, left by falling through its end.
const ARMS = `(module
  (global $g (mut i32) (i32.const 0))
  (func $f (export "f") (param i32) (result i32)
    local.get 0
    if (result i32)
      i32.const 1
    else
      i32.const 2
    end)
  (func $l (export "l") (local i32)
    loop $top
      local.get 0
      i32.const 1
      i32.add
      local.tee 0
      i32.const 3
      i32.lt_u
      br_if $top
    end)
  (func (export "_start")))`;

test('semantic_after on if / else / loop: once where control leaves the construct', async () => {
    const { e, warnings } = await instance(ARMS, `var ifs: u32; var elses: u32; var loops: u32;
wasm:opcode:if:semantic_after { ifs++; }
wasm:opcode:else:semantic_after { elses++; }
wasm:opcode:loop:semantic_after { loops++; }`);
    noUnsupported(warnings);
    assert.deepEqual([0, 1, 1].map(x => e.f(x)), [2, 1, 1]);
    e.l();
    // Both arms meet at the if's end: 3 if completions, and else's after is the same point.
    assert.equal(e.get_ifs(), 3);
    assert.equal(e.get_elses(), 3);
    // The loop completes once (its back-branches stay inside it).
    assert.equal(e.get_loops(), 1);
});

// $nest(x): an outer block (result i32) around an inner block $b (result i32, the alt target, opidx 1).
// Inside $b: a br_if to the outer block (x == 2 -> 5) and, in an if, a br to it (x == 3 -> 9); else $b
// gives 1 and the outer adds 100 (101).
const NEST = `(module
  (func $nest (export "nest") (param i32) (result i32)
    block $out (result i32)
      block $b (result i32)
        i32.const 5
        local.get 0
        i32.const 2
        i32.eq
        br_if $out
        drop
        local.get 0
        i32.const 3
        i32.eq
        if
          i32.const 9
          br $out
        end
        i32.const 1
      end
      i32.const 100
      i32.add
    end)
  (func (export "_start")))`;

test('block alt with a run-time predicate: the original block, with its escaping branches, runs otherwise', async () => {
    const { e, warnings } = await instance(NEST, 'var n: u32; wasm(local0: i32):opcode:block:alt / opidx == 1 && local0 == 1 / { n++; return 40; }');
    noUnsupported(warnings);
    // nest(1): $b replaced, gives 40 -> 140. The others keep their branches to the outer block.
    assert.deepEqual([0, 1, 2, 3].map(x => e.nest(x)), [101, 140, 5, 9]);
    assert.equal(e.get_n(), 1);
});

test('nested guarded block alts: a branch leaving both is re-encoded two labels deeper', async () => {
    const { e, warnings } = await instance(NEST, `var n: u32;
wasm(local0: i32):opcode:block:alt / opidx == 0 && local0 == 7 / { n = n + 10; return 70; }
wasm(local0: i32):opcode:block:alt / opidx == 1 && local0 == 1 / { n++; return 40; }`);
    noUnsupported(warnings);
    assert.deepEqual([0, 1, 2, 3, 7].map(x => e.nest(x)), [101, 140, 5, 9, 70]);
    assert.equal(e.get_n(), 11);
});

// $s(x): br_table over [0 -> $x, 1 -> $y, default -> $x]; only via $y is local 1 set to 10: s(x) is
// 11 for x == 1, else 1.
const TABLE = `(module
  (func $s (export "s") (param i32) (result i32) (local i32)
    block $x
      block $y
        local.get 0
        br_table $x $y $x
      end
      i32.const 10
      local.set 1
    end
    local.get 1
    i32.const 1
    i32.add)
  (func (export "_start")))`;

test('alt with a run-time predicate on br_table keeps its targets when not replaced', async () => {
    const { e, warnings } = await instance(TABLE, 'var n: u32; wasm:opcode:br_table(arg0: i32):alt / arg0 == 5 / { n++; }');
    noUnsupported(warnings);
    // s(5): the br_table is replaced by nothing: control falls through to $y's end and sets 10 -> 11.
    assert.deepEqual([0, 1, 5, 7].map(x => e.s(x)), [1, 11, 11, 1]);
    assert.equal(e.get_n(), 1);
});

test('alt with a run-time predicate on a br_if to the function label', async () => {
    const { e, warnings } = await instance(EXITS, 'var n: u32; wasm:opcode:br_if(arg0: i32):alt / arg0 == 1 / { n = n + 10; return 100; }');
    noUnsupported(warnings);
    // b(2): the condition (x == 2) is 1: the br_if is replaced, its value operand becomes 100 -> drop -> 1.
    assert.deepEqual([0, 2, 3].map(x => e.b(x)), [1, 1, 1]);
    assert.equal(e.get_n(), 10);
});

test('a guarded alt on a branch inside a guarded block alt: its copy of the branch gets the outer shift too', async () => {
    const { e, warnings } = await instance(NEST, `var n: u32;
wasm(local0: i32):opcode:block:alt / opidx == 1 && local0 == 1 / { n++; return 40; }
wasm:opcode:br_if(arg0: i32):alt / arg0 == 1 / { n = n + 10; }`);
    noUnsupported(warnings);
    // nest(1): the block is replaced (140). nest(2): the br_if's condition is 1, so it is replaced (its value
    // becomes the default, dropped) and $b gives 1 (101). nest(0) and nest(3) run the original code.
    assert.deepEqual([0, 1, 2, 3].map(x => e.nest(x)), [101, 140, 101, 9]);
    assert.equal(e.get_n(), 11);
    // Not replaced, the br_if copy must still reach the outer block from inside both `if`s: x == 2 is
    // taken only when the br_if alt's predicate is false, so give it one that never holds at run time.
    const kept = await instance(NEST, `var n: u32;
wasm(local0: i32):opcode:block:alt / opidx == 1 && local0 == 1 / { n++; return 40; }
wasm:opcode:br_if(arg0: i32):alt / arg0 == 7 / { n = n + 10; }`);
    assert.deepEqual([0, 1, 2, 3].map(x => kept.e.nest(x)), [101, 140, 5, 9]);
});

test('alt on a typed else: the else arm is never entered (it gives the default), the body ends the then arm', async () => {
    const { e, warnings } = await instance(ARMS, 'var n: u32; wasm:opcode:else:alt { n++; }');
    noUnsupported(warnings);
    assert.deepEqual([0, 1, 5].map(x => e.f(x)), [0, 1, 1]);
    assert.equal(e.get_n(), 2);
});

test('alt on else with a run-time predicate warns (nothing to fall back to at the else)', async () => {
    const { e, warnings } = await instance(ARMS, 'var n: u32; wasm(local0: i32):opcode:else:alt / local0 == 0 / { n++; }');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /alt on else needs a predicate known at instrumentation time; not injected/);
    assert.deepEqual([0, 1].map(x => e.f(x)), [2, 1]);
});

// $p(x): x, then a block of type [i32] -> [i32 i32] pushing 3; the two results are added: x + 3.
// $two(x) returns (x, 10); $c(x) adds them: x + 10.
const MULTI = `(module
  (type $pair (func (param i32) (result i32 i32)))
  (func $p (export "p") (param i32) (result i32)
    local.get 0
    block (type $pair)
      i32.const 3
    end
    i32.add)
  (func $two (param i32) (result i32 i32) local.get 0 i32.const 10)
  (func $c (export "c") (param i32) (result i32)
    local.get 0
    call $two
    i32.add)
  (func (export "_start")))`;

test('alt on a block with a type-index signature and several results: operands popped, results default', async () => {
    const fixed = await instance(MULTI, 'var n: u32; wasm:opcode:block:alt { n++; }');
    noUnsupported(fixed.warnings);
    assert.deepEqual([0, 4].map(x => fixed.e.p(x)), [0, 0]);
    const guarded = await instance(MULTI, 'var n: u32; wasm:opcode:block(arg0: i32):alt / arg0 == 4 / { n++; }');
    noUnsupported(guarded.warnings);
    assert.deepEqual([0, 4, 5].map(x => guarded.e.p(x)), [3, 0, 8]);
    assert.equal(guarded.e.get_n(), 1);
});

test('alt on a call with several results, fixed and guarded', async () => {
    const fixed = await instance(MULTI, 'var n: u32; wasm:opcode:call:alt { n++; }');
    noUnsupported(fixed.warnings);
    assert.deepEqual([1, 2].map(x => fixed.e.c(x)), [0, 0]);
    assert.equal(fixed.e.get_n(), 2);
    const guarded = await instance(MULTI, 'var n: u32; wasm:opcode:call(arg0: i32):alt / arg0 == 5 / { n++; }');
    noUnsupported(guarded.warnings);
    assert.deepEqual([0, 1, 5].map(x => guarded.e.c(x)), [10, 11, 0]);
    assert.equal(guarded.e.get_n(), 1);
});

test('tuples in alt probes: per-site tuple variables and tuple locals', async () => {
    const app = `(module
  (func $b (param i32) (result i32)
    i32.const 5
    local.get 0
    br_if 0
    drop
    i32.const 1)
  (func (export "_start")
    i32.const 1 call $b drop
    i32.const 0 call $b drop
    i32.const 1 call $b drop))`;
    const r = await instrumentAndRun(await wat(app), `report var n: u32;
wasm:opcode:br_if:alt / arg0 == 1 / {
    report unshared var t: (u32, i32);
    var loc: (i32, i32) = (4, 6);
    t = (t.0 + 1, loc.1);
    n = n + (loc.0 as u32);
}`);
    assert.ok(validates(r.result.bytes));
    noUnsupported(r.result.warnings);
    assert.equal(r.exitCode, 0, r.stderr);
    // Two executions with a true condition: t.0 counts them, n adds 4 each time.
    assert.equal(valueOf(r.rows, 't'), '(2; 6)');
    assert.equal(valueOf(r.rows, 'n'), '8');
});

test("br_table's target is the label each execution takes (the default past the table)", async () => {
    // s(0) -> $x (label 1), s(1) -> $y (label 0), s(9) -> default $x (label 1).
    const { e, warnings } = await instance(TABLE, 'var n: u32; var last: u32; wasm:opcode:br_table:at_target { n = n + target; last = target; }');
    noUnsupported(warnings);
    [0, 1, 9].forEach(x => e.s(x));
    assert.equal(e.get_n(), 2);
    e.s(1);
    assert.equal(e.get_last(), 0);
});

test("memory.grow's failed: true only when the memory could not grow", async () => {
    // 1 page, at most 2: grow(1) succeeds, grow(1) fails (3 > 2), grow(0) succeeds.
    const app = `(module
  (memory 1 2)
  (func (export "_start")
    (drop (memory.grow (i32.const 1)))
    (drop (memory.grow (i32.const 1)))
    (drop (memory.grow (i32.const 0)))))`;
    const { e, warnings } = await instance(app, 'var fails: u32; var oks: u32; wasm:opcode:memory.grow:after { if (failed) { fails++; } else { oks++; } }');
    noUnsupported(warnings);
    e._start();
    assert.equal(e.get_fails(), 1);
    assert.equal(e.get_oks(), 2);
});

test('semantic_after on a branch cannot assign argN (the branch already used it): warned, not injected', async () => {
    const { e, warnings } = await instance(EXITS, 'wasm:opcode:br_if:semantic_after { arg0 = 1; }');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /argN cannot be assigned there; not injected/);
    assert.deepEqual([0, 2].map(x => e.b(x)), [1, 5]);
});
