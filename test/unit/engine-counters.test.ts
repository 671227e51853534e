// Merged counters stay exact when the app traps in the middle of a merged segment: the increment at the
// segment's start counts sites past a load that traps, and the runner takes those counts back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { instrumentAndRun, validates, wat } from '../support/engine-harness.js';

// Executed before the trap: i32.const, i32.load, drop, i32.const, i32.load (it traps; its before-probe ran).
// Never executed: drop, nop, nop, and the final end.
const TRAPS = `(module (memory 1)
  (func (export "_start")
    (drop (i32.load (i32.const 0)))
    (drop (i32.load (i32.const 70000)))
    nop nop))`;

test('icount: a trap after merged sites leaves exactly the executed count', async () => {
    const out = await instrumentAndRun(await wat(TRAPS), 'report var count: u32;\nwasm:opcode:*:before { count++; }');
    assert.ok(validates(out.result.bytes));
    assert.equal(out.exitCode, 1);
    assert.match(out.stderr, /trap: memory access out of bounds/);
    assert.equal(out.rows.find(r => r.name === 'count')?.value, '5');
});

test('hotness: per-site counts past the trapping load read 0', async () => {
    const out = await instrumentAndRun(await wat(TRAPS), 'wasm:opcode:*:before { report var hits: u32; hits++; }');
    const byOp = out.rows.filter(r => r.name === 'hits').map(r => `${r.probe.replace(/^wasm:opcode:|:before$/g, '')}=${r.value}`);
    assert.deepEqual(byOp, ['i32.const=1', 'i32.load=1', 'drop=1', 'i32.const=1', 'i32.load=1', 'drop=0', 'nop=0', 'nop=0', 'end=0']);
});

test('without a trap the merged counts are the plain counts', async () => {
    const ok = TRAPS.replace('70000', '4');
    const out = await instrumentAndRun(await wat(ok), 'report var count: u32;\nwasm:opcode:*:before { count++; }');
    assert.equal(out.exitCode, 0);
    assert.equal(out.rows.find(r => r.name === 'count')?.value, '9');
});

test('a trap in a later segment does not touch earlier segments', async () => {
    // The call ends the first segment; the trap is in the second, after one load.
    const app = `(module (memory 1) (func $f)
      (func (export "_start")
        call $f
        (drop (i32.load (i32.const 0)))
        (drop (i32.div_u (i32.const 1) (i32.const 0)))
        nop))`;
    const out = await instrumentAndRun(await wat(app), 'report var count: u32;\nwasm:opcode:*:before { count++; }');
    // call, [$f: end], i32.const, i32.load, drop, i32.const, i32.const, i32.div_u (traps) = 8.
    assert.match(out.stderr, /trap: divide by zero/);
    assert.equal(out.rows.find(r => r.name === 'count')?.value, '8');
});
