// The id column of script-global report rows: the global's index in the instrumented module, numbered
// as the reference Whamm v1.0 numbers them (server/src/engine/global-numbering.ts). The rule, read from
// the reference's emitter and confirmed by the corpus (branches.wasm has 2 globals and `count` prints 3;
// `report var h: str = ...` prints (4; 5)):
//   - the app's globals keep 0..N-1 (imported ones included);
//   - N is the reference's memory allocation tracker;
//   - N+1 is its instr_init flag, present only when the script has probe-state initialisation: a
//     `report`/`unshared` declaration with an initialiser (script scope or any probe body), or a map in
//     the global scope (a script map, or a report/unshared map at the top of a probe body);
//   - then the script's globals sorted by name in byte order (upper case first), a scalar taking one
//     global, a str two (address, length), a tuple one per flattened wasm value; maps take none.
// A row with one global prints `i, global_id`; several print `(i; j), (global_id; global_id)`.
// Expected indices below are worked out from that rule by hand, not taken from the engine's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';
import { decodeModule } from '../../server/src/wasm/decode.js';
import { wat } from '../support/wat.js';

// Three globals of its own (0, 1, 2); $f is called twice.
const APP3 = `(module
  (global $a (mut i32) (i32.const 0))
  (global $b (mut i64) (i64.const 0))
  (global $c f32 (f32.const 1))
  (func $f (param i32) (result i32) local.get 0 global.get $a i32.add)
  (func (export "_start") (drop (call $f (i32.const 1))) (drop (call $f (i32.const 2)))))`;

// No globals; $f is called twice.
const APP0 = `(module
  (func $f (param i32))
  (func (export "_start") (call $f (i32.const 7)) (call $f (i32.const 3))))`;

/** Instruments and runs; returns the report rows by name (id column, id_type column, the rest) and the module. */
async function run(app: string, script: string) {
    const { bytes } = await instrument({ app: await wat(app), script });
    let out = '';
    const r = await runModule(bytes, { stdout: t => { out += t; }, stderr: t => { out += t; } });
    assert.equal(r.exitCode, 0, out);
    const lines = out.split('\n');
    const start = lines.findIndex(l => l.includes('REPORT CSV FLUSH'));
    assert.ok(start >= 0, out);
    const rows = new Map<string, { id: string; idType: string; wasmType: string; value: string }>();
    for (const l of lines.slice(start + 2)) {
        const f = l.split(', ');
        if (f.length < 11) continue;
        rows.set(f[2], { id: f[0], idType: f[1], wasmType: f[4], value: f.slice(10).join(', ') });
    }
    return { rows, globals: decodeModule(bytes).globals };
}

test('scalar report globals: after the app globals and the tracker, in byte order of their names', async () => {
    const { rows, globals } = await run(APP3, `
report var zeta: u32;
report var alpha: i64;
var mid: f32;
report var Zed: i32;
wasm:opcode:call:before { zeta++; alpha = alpha + 2; Zed = Zed - 1; }`);
    // No probe-state initialisation: 3 = tracker; then Zed (4), alpha (5), mid (6), zeta (7).
    assert.deepEqual(rows.get('Zed'), { id: '4', idType: 'global_id', wasmType: 'i32', value: '-2' });
    assert.deepEqual(rows.get('alpha'), { id: '5', idType: 'global_id', wasmType: 'i64', value: '4' });
    assert.deepEqual(rows.get('zeta'), { id: '7', idType: 'global_id', wasmType: 'i32', value: '2' });
    // The printed indices are the real ones: each names a mutable global of the variable's wasm type.
    assert.deepEqual(globals[4], { type: 'i32', mutable: true });
    assert.deepEqual(globals[5], { type: 'i64', mutable: true });
    assert.deepEqual(globals[6], { type: 'f32', mutable: true });
    assert.deepEqual(globals[7], { type: 'i32', mutable: true });
});

test('str and tuple report globals print one index per wasm value', async () => {
    const { rows, globals } = await run(APP0, `
report var t: (i8, str, f64);
report var s: str = "hi";
report var b: bool;
wasm:opcode:call(arg0: i32):before { t = (-3, "x", 1.5); b = arg0 > 5; }`);
    // `report var s: str = "hi"` is state initialisation: 0 = tracker, 1 = instr_init flag; then
    // b (2), s (3, 4: address, length), t (5, 6, 7, 8: the str element takes two).
    assert.deepEqual(rows.get('b'), { id: '2', idType: 'global_id', wasmType: 'i32', value: 'false' });
    assert.deepEqual(rows.get('s'), { id: '(3; 4)', idType: '(global_id; global_id)', wasmType: '(i32; i32)', value: 'hi' });
    assert.deepEqual(rows.get('t'), {
        id: '(5; 6; 7; 8)', idType: '(global_id; global_id; global_id; global_id)', wasmType: '(i32; i32; i32; f64)', value: '(-3; x; +1.5e0)',
    });
    assert.deepEqual(globals[2], { type: 'i32', mutable: true });
    // The f64 element lives in the tuple's range.
    assert.deepEqual(globals[3], { type: 'i32', mutable: true });
    assert.ok(globals.slice(5, 9).some(g => g.type === 'f64' && g.mutable));
});

test('the instr_init flag global appears for initialised report/unshared variables and global-scope maps only', async () => {
    const count = (script: string) => run(APP0, script).then(r => r.rows.get('c')?.id);
    // Nothing initialised: 0 = tracker, c = 1.
    assert.equal(await count(`report var c: u32;\nwasm:opcode:call:before { report var n: u32; n++; c++; }`), '1');
    // A plain `var` with an initialiser is a declaration plus an assignment: still no flag.
    assert.equal(await count(`report var c: u32;\nvar z: u32 = 4;\nwasm:opcode:call:before { c++; }`), '1');
    // A per-site report variable with an initialiser, even nested in an if: 0 = tracker, 1 = flag, c = 2.
    assert.equal(await count(`report var c: u32;\nwasm:opcode:call(arg0: i32):before { if (arg0 > 0) { report var n: u32 = 1; n++; } c++; }`), '2');
    // A script-global map (it takes no global itself): c = 2; the map row prints its map id.
    const withMap = await run(APP0, `report var m: map<u32, u32>;\nreport var c: u32;\nwasm:opcode:call(arg0: i32):before { m[arg0 as u32] = 1; c++; }`);
    assert.equal(withMap.rows.get('c')?.id, '2');
    assert.deepEqual([withMap.rows.get('m')?.id, withMap.rows.get('m')?.idType], ['0', 'map_id']);
    // A report map at the top of a probe body also lives in the global scope for the reference: c = 2.
    assert.equal(await count(`report var c: u32;\nwasm:opcode:call(arg0: i32):before { report var pm: map<u32, u32>; pm[arg0 as u32] = 1; c++; }`), '2');
});

test('the layout section keeps the ids; the flush prints them', async () => {
    const { encodeLayout, decodeLayout } = await import('../../server/src/engine/report-layout.js');
    const { formatReport } = await import('../../server/src/runner/report-format.js');
    const layout = {
        version: 1 as const, script: 's.mm', readers: [],
        vars: [
            { name: 'n', type: 'u32', slot: 0, ids: [3] },
            { name: 'hits', type: 'i32', fname: 'main', fid: 2, pc: 4, probe: '0_wasm:opcode:call:before', slot: 1 },
            { name: 'p', type: '(u8,(i64,f32))', slot: 2, ids: [4, 5, 6] },
        ],
    };
    const back = decodeLayout(encodeLayout(layout));
    assert.deepEqual(back, layout);
    const lines = formatReport(back, [7n, 1n, 2n, 3n, 0n], (v, slots) => (v.name === 'p' ? `(${slots[2]}; (${slots[3]}; x))` : undefined)).trimEnd().split('\n');
    assert.equal(lines[2], '3, global_id, n, u32, i32, script0, , , , , 7');
    assert.equal(lines[3], '1, memaddr, hits, i32, i32, script0, main, 2, 4, 0_wasm:opcode:call:before, 1');
    assert.equal(lines[4], '(4; 5; 6), (global_id; global_id; global_id), p, (u8,(i64,f32)), (i32; i64; f32), script0, , , , , (2; (3; x))');
});
