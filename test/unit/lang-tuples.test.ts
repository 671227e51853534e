// Tuples as values in probe bodies: construction, `t.0` and nested `r.1.0` reads, swapping through a
// whole-tuple assignment, element assignment, and report tuples printed as `(a; (b; c))`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { instrumentAndRun, validates, wat } from '../support/engine-harness.js';

const APP = `(module
  (func $f (param i32))
  (func (export "_start")
    (call $f (i32.const 7))
    (call $f (i32.const 3))))`;

const SCRIPT = `
wasm:opcode:call(arg0: i32):before {
    var t: (i32, i32) = (arg0, 10);
    t = (t.1, t.0);
    t.0 = t.0 + 1;
    report var r: (i32, (u8, str));
    r = (t.0 * 2, (t.1 as u8, "hi"));
    report var p: i32;
    p = (r.1.0 as i32) + t.1;
    report var f: (bool, f64);
    f = (arg0 > 5, 2.5);
}`;

test('tuple locals and per-site report tuples', async () => {
    const out = await instrumentAndRun(await wat(APP), SCRIPT);
    assert.ok(validates(out.result.bytes));
    assert.equal(out.exitCode, 0, out.stderr);
    const values = (name: string) => out.rows.filter(r => r.name === name).sort((a, b) => Number(a.pc) - Number(b.pc)).map(r => r.value);
    // arg0 = 7, then 3: t = (7, 10) -> swapped (10, 7) -> t.0 + 1 = (11, 7).
    assert.deepEqual(values('r'), ['(22; (7; hi))', '(22; (3; hi))']);
    assert.deepEqual(values('p'), ['14', '6']);
    assert.deepEqual(values('f'), ['(true; +2.5e0)', '(false; +2.5e0)']);
    assert.deepEqual(out.rows.filter(r => r.name === 'r').map(r => r.type), ['(i32,(u8,str))', '(i32,(u8,str))']);
});

test('assigning a tuple of the wrong size is a compile error', async () => {
    const script = `wasm:opcode:call:before { var t: (i32, i32); t = (1, 2, 3); }`;
    await assert.rejects(instrumentAndRun(await wat(APP), script));
});

test('script-global tuples: start-up initialiser, element updates in probes, report flush', async () => {
    const script = `
report var g: (u32, i64) = (5, -1);
var h: (i32, i32);
g.0 = g.0 + 1;
wasm:opcode:call(arg0: i32):before {
    h = (h.0 + arg0, h.1 + 1);
    g = (g.0 + (h.0 as u32), g.1 * 2);
}`;
    const out = await instrumentAndRun(await wat(APP), script);
    assert.equal(out.exitCode, 0, out.stderr);
    // g = (6, -1); call 7: h = (7, 1), g = (13, -2); call 3: h = (10, 2), g = (23, -4).
    assert.deepEqual(out.rows.filter(r => r.name === 'g').map(r => r.value), ['(23; -4)']);
});
