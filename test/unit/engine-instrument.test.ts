// The engine on small apps written for these tests (WAT compiled with wabt). Expected values come from
// what the app does: a loop of 10 iterations executes its br_if 10 times, and so on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { instrument, ScriptError } from '../../server/src/engine/instrument.js';
import { instrumentAndRun, validates, valueOf, wat } from '../support/engine-harness.js';

// $loop runs its body 10 times: i = 0..9, br_if back while i+1 < 10 (so br_if executes 10 times, taken 9).
const LOOP = `(module
  (global $sum (mut i32) (i32.const 0))
  (func $add (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func $loop (local $i i32)
    loop $l
      global.get $sum
      local.get $i
      call $add
      global.set $sum
      local.get $i
      i32.const 1
      i32.add
      local.tee $i
      i32.const 10
      i32.lt_s
      br_if $l
    end)
  (func (export "_start") call $loop)
  (func (export "sum") (result i32) global.get $sum))`;

test('a global counter on br_if counts the executions of a 10-iteration loop', async () => {
    const app = await wat(LOOP);
    const r = await instrumentAndRun(app, 'report var count: u32;\nwasm:opcode:br_if:before { count++; }');
    assert.ok(validates(r.result.bytes));
    assert.equal(valueOf(r.rows, 'count'), '10');
    assert.equal(r.exitCode, 0);
});

test('per-site report variables count each instruction of the loop body 10 times (merged segments stay exact)', async () => {
    const app = await wat(LOOP);
    const r = await instrumentAndRun(app, 'wasm:opcode:*:before / fname == "loop" / { report var count: u32; count++; }');
    const rows = r.rows.filter(x => x.fname === 'loop');
    // loop (1), 11 body instructions, end of loop, end of function: the body instructions ran 10 times.
    const byOp = (op: string) => rows.filter(x => x.probe === `wasm:opcode:${op}:before`).map(x => x.value);
    assert.deepEqual(byOp('loop'), ['1']);
    assert.deepEqual(byOp('call'), ['10']);
    assert.deepEqual(byOp('br_if'), ['10']);
    assert.deepEqual(byOp('i32.lt_s'), ['10']);
    assert.deepEqual(byOp('end'), ['1', '1']);
    assert.equal(rows.length, 14);
});

test('a whole-program instruction count equals the sum of the per-site counts', async () => {
    const app = await wat(LOOP);
    const total = await instrumentAndRun(app, 'report var n: u64;\nwasm:opcode:*:before { n++; }');
    const hot = await instrumentAndRun(app, 'wasm:opcode:*:before { report var c: u32; c++; }');
    const sum = hot.rows.reduce((a, x) => a + Number(x.value), 0);
    assert.equal(valueOf(total.rows, 'n'), String(sum));
    // _start: call + end (2); $loop: 1 + 11*10 + 2 = 113; $add: 4 instructions * 10 = 40.
    assert.equal(sum, 2 + 113 + 40);
});

test('static predicates: false injects nothing, a dynamic residue guards the body', async () => {
    const app = await wat(LOOP);
    const none = await instrument({ app, script: 'wasm:opcode:call:before / fname == "nope" / { report var c: u32; c++; }' });
    assert.equal(none.sites.length, 0);
    const r = await instrumentAndRun(app, 'wasm:opcode:br_if:before / fname == "loop" && arg0 != 0 / { report var taken: u32; taken++; }');
    assert.equal(valueOf(r.rows, 'taken'), '9');
});

test('argN are the operands from the top of the stack, restored so the app computes the same result', async () => {
    const app = await wat(LOOP);
    const r = await instrumentAndRun(app, `
        report var last_a: i32;
        report var last_b: i32;
        report var adds: u32;
        wasm:opcode:i32.add:before / fname == "add" / { last_a = arg1; last_b = arg0; adds++; }`);
    // The last call is add(sum of 0..8 = 36, 9); arg0 is the top of the stack (the second operand).
    assert.equal(valueOf(r.rows, 'last_a'), '36');
    assert.equal(valueOf(r.rows, 'last_b'), '9');
    assert.equal(valueOf(r.rows, 'adds'), '10');
    const inst = new WebAssembly.Instance(new WebAssembly.Module(r.result.bytes), {});
    (inst.exports._start as () => void)();
    assert.equal((inst.exports.sum as () => number)(), 45);
});

test('resN in after probes; a type bound that does not fit the site is not a match', async () => {
    const app = await wat(LOOP);
    const r = await instrumentAndRun(app, `
        report var last: i32;
        wasm:opcode:call(res0: i32):after / fname == "loop" / { last = res0; }`);
    assert.equal(valueOf(r.rows, 'last'), '45');
    const none = await instrument({ app, script: 'wasm:opcode:call(arg0: f64):before { report var x: u32; x++; }' });
    assert.equal(none.sites.length, 0);
});

test('integers wrap at their declared width; casts and float formatting', async () => {
    const app = await wat(LOOP);
    const r = await instrumentAndRun(app, `
        report var b: u8;
        report var s: i8;
        report var big: u64;
        report var f: f64;
        report var g: f32;
        report var back: i32;
        wasm:opcode:call:before / fname == "loop" / {
            var k: u32;
            k = 0;
            b = b + 30;            // 10 x 30 = 300 -> 44 in a u8
            s = s - 13;            // -130 -> 126 in an i8
            big = big - 1;         // 0 - 10 -> 2^64 - 10
            f = f + 0.25;
            g = 1.5 as f32;
            back = (f * 4.0) as i32;
        }`);
    assert.equal(valueOf(r.rows, 'b'), '44');
    assert.equal(valueOf(r.rows, 's'), '126');
    assert.equal(valueOf(r.rows, 'big'), '18446744073709551606');
    assert.equal(valueOf(r.rows, 'f'), '+2.5e0');
    assert.equal(valueOf(r.rows, 'g'), '+1.5e0');
    assert.equal(valueOf(r.rows, 'back'), '10');
});

test('unshared variables keep one value per site; if/elif/else, ternary and script functions', async () => {
    const app = await wat(LOOP);
    const r = await instrumentAndRun(app, `
        fn twice(x: u32) -> u32 { return x + x; }
        report var small: u32;
        report var mid: u32;
        report var large: u32;
        wasm:opcode:local.get:before / fname == "loop" / {
            report unshared var seen: u32;
            seen = seen + 1;
            if (seen < 3) { small++; } elif (seen < 6) { mid++; } else { large = twice(seen > 8 ? 100 : 1); }
        }`);
    // Two local.get sites in $loop, each executed 10 times: seen = 1..10 at each.
    const seen = r.rows.filter(x => x.name === 'seen').map(x => x.value);
    assert.deepEqual(seen, ['10', '10']);
    assert.equal(valueOf(r.rows, 'small'), '4');
    assert.equal(valueOf(r.rows, 'mid'), '6');
    assert.equal(valueOf(r.rows, 'large'), '200');
});

test('func:entry and func:exit run once per call; localN reads the callee locals', async () => {
    const app = await wat(LOOP);
    const r = await instrumentAndRun(app, `
        report var entries: u32;
        report var exits: u32;
        report var lastParam: i32;
        wasm:func:entry / fname == "add" / { entries++; }
        wasm:func:exit / fname == "add" / { exits++; }
        wasm(local1: i32):func:entry / fname == "add" / { lastParam = local1; }`);
    assert.equal(valueOf(r.rows, 'entries'), '10');
    assert.equal(valueOf(r.rows, 'exits'), '10');
    assert.equal(valueOf(r.rows, 'lastParam'), '9');
});

test('func:exit also runs when a br_if leaves the function, and only when it is taken', async () => {
    const app = await wat(`(module
      (func $early (param i32)
        local.get 0
        br_if 0
        nop)
      (func (export "_start") i32.const 1 call $early i32.const 0 call $early i32.const 7 call $early))`);
    const r = await instrumentAndRun(app, `
        report var exits: u32;
        report var taken: u32;
        wasm:func:exit / fname == "early" / { exits++; }
        wasm:opcode:br_if:before / fname == "early" && arg0 != 0 / { taken++; }`);
    assert.ok(validates(r.result.bytes));
    // Three calls, three exits: two through the br_if (1 and 7), one through the final end.
    assert.equal(valueOf(r.rows, 'exits'), '3');
    assert.equal(valueOf(r.rows, 'taken'), '2');
});

test('alt replaces the instruction; `return` supplies its result; a run-time predicate keeps the original otherwise', async () => {
    const app = await wat(`(module
      (func $inc (param i32) (result i32) local.get 0 i32.const 1 i32.add)
      (func (export "run") (param i32) (result i32) local.get 0 call $inc)
      (func (export "_start")))`);
    const always = await instrument({ app, script: 'wasm:opcode:call:alt { return 100; }' });
    assert.ok(validates(always.bytes));
    const a = new WebAssembly.Instance(new WebAssembly.Module(always.bytes), {}).exports as Record<string, (x: number) => number>;
    assert.equal(a.run(5), 100);
    const some = await instrument({ app, script: 'wasm:opcode:call(arg0: i32):alt / arg0 > 10 / { return arg0 * 2; }' });
    assert.ok(validates(some.bytes));
    const b = new WebAssembly.Instance(new WebAssembly.Module(some.bytes), {}).exports as Record<string, (x: number) => number>;
    assert.equal(b.run(5), 6);    // predicate false: the original call of $inc
    assert.equal(b.run(50), 100); // predicate true: replaced
});

test('memory events: effective_addr = addr + offset, static offset, is_write', async () => {
    const app = await wat(`(module (memory (export "memory") 1)
      (func (export "_start")
        i32.const 8  i32.const 7 i32.store offset=4
        i32.const 8  i32.load offset=4 drop))`);
    const r = await instrumentAndRun(app, `
        wasm:opcode:i32.store|i32.load:before {
            report var ea: u32; report var off: u64; report var w: bool; report var v: i32;
            ea = effective_addr; off = offset; w = is_write;
        }`);
    const store = r.rows.filter(x => x.probe === 'wasm:opcode:i32.store:before');
    const load = r.rows.filter(x => x.probe === 'wasm:opcode:i32.load:before');
    const get = (rows: typeof store, n: string) => rows.find(x => x.name === n)?.value;
    assert.equal(get(store, 'ea'), '12');
    assert.equal(get(store, 'off'), '4');
    assert.equal(get(store, 'w'), 'true');
    assert.equal(get(load, 'ea'), '12');
    assert.equal(get(load, 'w'), 'false');
});

test('br_table: num_targets, default_target and targets[arg0]', async () => {
    const app = await wat(`(module
      (func $sel (param i32)
        block block block
          local.get 0
          br_table 2 0 1
        end end end)
      (func (export "_start") i32.const 0 call $sel i32.const 1 call $sel i32.const 5 call $sel))`);
    const r = await instrumentAndRun(app, `
        report var n: u32; report var d: u32; report var sum: u32;
        wasm:opcode:br_table:before {
            n = num_targets; d = default_target;
            sum = sum + (arg0 < num_targets ? targets[arg0] : default_target);
        }`);
    assert.equal(valueOf(r.rows, 'n'), '2');
    assert.equal(valueOf(r.rows, 'd'), '1');
    // arg0 = 0 -> 2, 1 -> 0, 5 -> default 1
    assert.equal(valueOf(r.rows, 'sum'), '3');
});

test('maps count per key and print as key->value', async () => {
    const app = await wat(LOOP);
    const r = await instrumentAndRun(app, `
        report var parity: map<u32, u32>;
        wasm:opcode:call(arg0: i32):before / fname == "loop" / { parity[(arg0 as u32) % 2]++; }`);
    const v = valueOf(r.rows, 'parity')!;
    assert.deepEqual(v.split(';').sort(), ['0->5', '1->5']);
});

test('a trap still flushes the report and is reported; the exit code is non-zero', async () => {
    const app = await wat(`(module (func (export "_start") (local i32)
        i32.const 1 local.set 0 unreachable))`);
    const r = await instrumentAndRun(app, 'report var n: u32; wasm:opcode:*:before { n++; }');
    assert.match(r.stderr, /^trap: /);
    assert.notEqual(r.exitCode, 0);
    // i32.const, local.set and unreachable ran (before probes run before the trapping instruction).
    assert.equal(valueOf(r.rows, 'n'), '3');
});

test('proc_exit keeps the exit code and still flushes the report', async () => {
    const app = await wat(`(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") i32.const 3 call $exit unreachable))`);
    const r = await instrumentAndRun(app, 'report var calls: u32; wasm:opcode:call:before { calls++; }');
    assert.equal(r.exitCode, 3);
    assert.equal(valueOf(r.rows, 'calls'), '1');
});

test('a script that matches nothing leaves the module byte for byte', async () => {
    const app = await wat(LOOP);
    const r = await instrument({ app, script: 'wasm:opcode:memory.grow:before { }' });
    assert.deepEqual(Buffer.from(r.bytes), Buffer.from(app));
});

test('script errors are reported with line and column, nothing is produced', async () => {
    const app = await wat(LOOP);
    await assert.rejects(instrument({ app, script: 'wasm:opcode:call:before {\n  x = ;\n}', scriptPath: 'bad.mm' }),
        (e: unknown) => e instanceof ScriptError && /bad\.mm:2:\d+: error/.test(e.message));
});
