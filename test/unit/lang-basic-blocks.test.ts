// Basic blocks and functions (SPEC: "Reference behaviours"): wasm:block:start/end around every basic block
// of every block kind (block, loop, if/else, try/catch/catch_all), including blocks left by br_table, by
// branches to the function's own label and by throw; `pc` is 0 at wasm:func:entry. Counted per function:
// every start has its end, and the instr_count of the blocks that ended adds up to the instructions executed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { validates } from '../support/engine-harness.js';
import { mapEntries, run } from '../fixtures/lang/harness.js';

// $sel: br_table to three nested blocks and (index 3, and the default) to the function's own label.
// $own: br_if / br to the function's own label. $loops: a loop taken back 3 times. $ifs: if/else both ways.
// $trys: a try whose body throws (caught by catch $e) or not; a catch_all after it.
const APP = `(module
  (tag $e (param i32))
  (global $g (mut i32) (i32.const 0))
  (func $sel (param i32)
    (block $a
      (block $b
        (block $c
          (br_table $a $b $c 3 (local.get 0)))
        (global.set $g (i32.const 30))
        (return))
      (global.set $g (i32.const 20)))
    (global.set $g (i32.const 10)))
  (func $own (param i32)
    (local.get 0)
    (br_if 0)
    (global.set $g (i32.add (global.get $g) (i32.const 1)))
    (br 0))
  (func $loops (local $i i32)
    (loop $l
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_s (local.get $i) (i32.const 4)))))
  (func $ifs (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (i32.const 1))
      (else (i32.const 2))))
  (func $trys (param i32) (result i32)
    (try (result i32)
      (do
        (if (local.get 0) (then (throw $e (i32.const 7))))
        (i32.const 0))
      (catch $e)
      (catch_all (i32.const 9))))
  (func (export "_start")
    (call $sel (i32.const 0))
    (call $sel (i32.const 1))
    (call $sel (i32.const 2))
    (call $sel (i32.const 3))
    (call $sel (i32.const 9))
    (call $own (i32.const 1))
    (call $own (i32.const 0))
    (call $loops)
    (drop (call $ifs (i32.const 0)))
    (drop (call $ifs (i32.const 1)))
    (drop (call $trys (i32.const 0)))
    (drop (call $trys (i32.const 1)))))
`;

/** fid -> value of a map<u32, u64> report variable. */
function perFunction(entries: string[]): Map<number, bigint> {
    return new Map(entries.map(e => { const [k, v] = e.split('->'); return [Number(k), BigInt(v)]; }));
}

test('block:start/end: per function, every start has its end and instr_count adds up to what executed', async () => {
    const r = await run(APP, `
report var vb: map<u32, u64>;
report var dr: map<u32, u64>;
report var st: map<u32, u64>;
report var en: map<u32, u64>;
wasm:block:start { st[fid]++; }
wasm:block:end { en[fid]++; vb[fid] = vb[fid] + (instr_count as u64); }
wasm:opcode:*:before { dr[fid]++; }`);
    assert.ok(validates(r.result.bytes));
    assert.equal(r.exitCode, 0, r.stderr);
    const [vb, dr, st, en] = ['vb', 'dr', 'st', 'en'].map(n => perFunction(mapEntries(r.rows, n)));
    const names = ['sel', 'own', 'loops', 'ifs', 'trys', '_start'];
    // Legacy exception handling (try, catch, catch_all) has no opcode events (events.tsv), so
    // `wasm:opcode:*` does not count them while blocks do: each $trys call runs `try` and one handler
    // keyword in line (catch after the body, or catch_all after the empty catch $e handler).
    const uncounted = [0n, 0n, 0n, 0n, 4n, 0n];
    for (let fid = 0; fid < names.length; fid++) {
        assert.equal(st.get(fid), en.get(fid), `${names[fid]}: every block that starts ends`);
        assert.equal(vb.get(fid), dr.get(fid)! + uncounted[fid], `${names[fid]}: block sizes add up to the instructions executed`);
    }
    // $trys: [try] [local.get, if] in both calls; not thrown: [const 0] [catch], which leaves past the
    // try's `end`, [end]; thrown: [const 7, throw], then in the handler [catch_all] (leaves too), [end].
    assert.equal(st.get(4), 10n);
    // $own: [local.get, br_if] twice, then [global.get .. br 0] once; its final `end` never runs.
    assert.equal(st.get(1), 3n);
    assert.equal(dr.get(1), 9n);
    // $loops: [loop], the body 4 times, the loop's `end`, the function's `end`.
    assert.equal(st.get(2), 7n);
    // $sel: 5 calls, each through [block], [block], [block], [local.get, br_table]. A branch lands after
    // its label's `end` (that `end` does not execute), so per index: 0 -> [const, set][end],
    // 1 -> [const, set][end a][const, set][end], 2 -> [const, set, return], 3 and 9 -> leave at once.
    assert.equal(st.get(0), 5n * 4n + 2n + 4n + 1n);
});

test('pc reads 0 at wasm:func:entry (before the first instruction); the site is the first instruction', async () => {
    const r = await run(APP, `
wasm:func:entry / fname == "own" / {
    report var seen_pc: u32;
    seen_pc = pc;
}
wasm:func:entry / fname == "own" && pc == 0 / {
    report var folded: u32;
    folded++;
}
wasm:opcode:local.get:before / fname == "own" / {
    report var first_pc: u32;
    first_pc = pc;
}`);
    assert.equal(r.exitCode, 0, r.stderr);
    const entry = r.rows.find(x => x.name === 'seen_pc')!;
    assert.equal(entry.value, '0', 'the bound variable');
    // The report row's location is the site's, the first instruction (the conformance corpus prints 1).
    assert.equal(entry.pc, '1');
    assert.equal(r.rows.find(x => x.name === 'folded')?.value, '2', 'a predicate on pc == 0 folds to true');
    const first = r.rows.find(x => x.name === 'first_pc')!;
    assert.equal(first.value, '1', 'the first instruction of a body without locals is at pc 1');
});
