// Batched map increments (server/src/engine/map-batch.ts): `m[(effective_addr, is_write)]++` keeps a
// strided run per site and flushes it through map.run; the map must end up exactly as with one runtime
// call per access, for every access pattern, after a trap too, and only maps nobody reads early are batched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';
import { wat } from '../support/engine-harness.js';

const MEM_ACCESS = `report var accesses: map<(u32, bool), u32>;
wasm:opcode:*load*|*store*:before {
    accesses[(effective_addr, is_write)]++;
}
`;
// The same counts, one runtime call per access: a read before the end makes the map unbatchable.
const PER_ACCESS = MEM_ACCESS + 'wasm:begin { var x: u32 = accesses[(0, false)]; }\n';

// Walks: a strided run (a[i] = a[i] + 1), one address again and again, a stride that changes, a walk
// backwards, unaligned byte stores, then a trap when $trap is set (a load past the memory).
const APP = `(module
  (memory (export "memory") 1)
  (global $trap (mut i32) (i32.const 0))
  (func $walk (param $from i32) (param $n i32) (param $step i32) (local $i i32) (local $p i32)
    (local.set $p (local.get $from))
    (block $out (loop $l
      (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store (local.get $p) (i32.add (i32.load (local.get $p)) (i32.const 1)))
      (local.set $p (i32.add (local.get $p) (local.get $step)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
  (func $bytes (local $i i32)
    (loop $l
      (i32.store8 offset=3 (i32.mul (local.get $i) (i32.const 7)) (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 100)))))
  (func (export "_start") (local $k i32)
    (call $walk (i32.const 1024) (i32.const 300) (i32.const 8))
    (call $walk (i32.const 64) (i32.const 50) (i32.const 0))
    (loop $l
      (call $walk (i32.const 8192) (i32.const 7) (i32.add (i32.const 4) (i32.shl (local.get $k) (i32.const 2))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $k) (i32.const 9))))
    (call $walk (i32.const 40000) (i32.const 200) (i32.const -12))
    (call $bytes)
    (call $walk (i32.const 1024) (i32.const 20) (i32.const 8))
    (if (global.get $trap) (then (drop (i32.load (i32.const 70000)))))))`;

async function mapRows(app: Uint8Array, script: string): Promise<{ rows: string[]; imports: string[]; trapped?: string }> {
    const { bytes } = await instrument({ app, script });
    let out = '';
    const r = await runModule(bytes, { stdout: t => { out += t; }, stderr: () => undefined });
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map(i => i.name);
    // The report's map value: `(addr, flag)->n` entries, in table order; compared as a set.
    const line = out.split('\n').find(l => l.includes('accesses')) ?? '';
    const rows = (/->/.test(line) ? line.slice(line.indexOf('(')).split(';') : []).map(s => s.trim()).sort();
    return { rows, imports, trapped: r.trapped };
}

test('batched increments count exactly what one call per access counts, and use map.run', async () => {
    const app = await wat(APP);
    const batched = await mapRows(app, MEM_ACCESS);
    const each = await mapRows(app, PER_ACCESS);
    assert.ok(batched.imports.some(n => n.startsWith('map.run<')), 'the accesses are batched');
    assert.ok(!each.imports.some(n => n.startsWith('map.run<')), 'a map read before the end is not batched');
    assert.ok(each.rows.length > 1000, `the walks touch many addresses (${each.rows.length})`);
    assert.deepEqual(batched.rows, each.rows);
    assert.ok(batched.rows.includes('(64, false)->50') || batched.rows.includes('(64,false)->50'), 'one address 50 times');
});

test('after a trap the pending runs are flushed into the report', async () => {
    const app = await wat(APP.replace('(global $trap (mut i32) (i32.const 0))', '(global $trap (mut i32) (i32.const 1))'));
    const batched = await mapRows(app, MEM_ACCESS);
    const each = await mapRows(app, PER_ACCESS);
    assert.ok(batched.trapped && each.trapped, 'the app traps');
    assert.deepEqual(batched.rows, each.rows);
    assert.ok(batched.rows.some(r => r.startsWith('(70000')), 'the trapping load was counted');
});

// Loop nests of the kernels the runs are tuned for, each run several times by $main: a triangular nest
// (the inner trip count shrinks with the row), a 3-point stencil (three loads and a store per point,
// interleaved), a column walk (a stride of a row) and pseudo-random addresses; $main stops early through
// proc_exit in the middle of the random walk when $exitAt is set, or traps there when $trapAt is set.
const KERNELS = `(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 2)
  (global $exitAt (mut i32) (i32.const -1))
  (global $trapAt (mut i32) (i32.const -1))
  (func $triangle (local $i i32) (local $j i32)
    (loop $rows
      (local.set $j (local.get $i))
      (loop $cols
        (f64.store (i32.add (i32.const 4096) (i32.shl (i32.add (i32.mul (local.get $i) (i32.const 40)) (local.get $j)) (i32.const 3)))
          (f64.add (f64.load (i32.add (i32.const 4096) (i32.shl (i32.add (i32.mul (local.get $j) (i32.const 40)) (local.get $i)) (i32.const 3)))) (f64.const 1)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $cols (i32.lt_u (local.get $j) (i32.const 40))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $i) (i32.const 40)))))
  (func $stencil (local $i i32)
    (local.set $i (i32.const 1))
    (loop $l
      (f32.store offset=40000 (i32.shl (local.get $i) (i32.const 2))
        (f32.add (f32.add (f32.load offset=36000 (i32.shl (local.get $i) (i32.const 2))) (f32.load offset=35996 (i32.shl (local.get $i) (i32.const 2))))
          (f32.load offset=36004 (i32.shl (local.get $i) (i32.const 2)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 999)))))
  (func $random (param $n i32) (local $x i32) (local $i i32)
    (local.set $x (i32.const 12345))
    (loop $l
      (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
      (if (i32.eq (local.get $i) (global.get $exitAt)) (then (call $exit (i32.const 3))))
      (if (i32.eq (local.get $i) (global.get $trapAt)) (then (drop (i32.load (i32.const 200000)))))
      (i32.store (i32.and (i32.shr_u (local.get $x) (i32.const 8)) (i32.const 0x1fffc))
        (i32.add (i32.load8_u (i32.and (i32.shr_u (local.get $x) (i32.const 5)) (i32.const 0x1ffff))) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
  (func (export "_start") (local $k i32)
    (loop $again
      (call $triangle)
      (call $stencil)
      (call $random (i32.const 3000))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $k) (i32.const 3))))))`;

test('triangular, stencil, column and random walks count exactly; also after proc_exit or a trap mid-loop', async () => {
    for (const [what, exitAt, trapAt] of [['to the end', -1, -1], ['proc_exit mid-loop', 1700, -1], ['a trap mid-loop', -1, 2200]] as const) {
        const app = await wat(KERNELS.replace('(global $exitAt (mut i32) (i32.const -1))', `(global $exitAt (mut i32) (i32.const ${exitAt}))`)
            .replace('(global $trapAt (mut i32) (i32.const -1))', `(global $trapAt (mut i32) (i32.const ${trapAt}))`));
        const batched = await mapRows(app, MEM_ACCESS);
        const each = await mapRows(app, PER_ACCESS);
        assert.ok(batched.imports.some(n => n.startsWith('map.run<')), `${what}: the accesses are batched`);
        assert.ok(each.rows.length > 3000, `${what}: many addresses (${each.rows.length})`);
        assert.equal(Boolean(batched.trapped), trapAt >= 0, `${what}: trapped as expected`);
        assert.deepEqual(batched.rows, each.rows, what);
        // The stencil's three loads of one address (as a[i+1], a[i], a[i-1]): 3 reads per pass.
        if (exitAt < 0 && trapAt < 0) assert.ok(batched.rows.includes(`(${36000 + 4 * 500}, false)->9`) || batched.rows.includes(`(${36000 + 4 * 500},false)->9`), what);
    }
});

test('a map printed or read by a probe before the end is not batched', async () => {
    const app = await wat(APP);
    for (const extra of [
        'wasm:opcode:i32.store8:before { whamm_core.print_map_as_csv(0); }\n',
        'wasm:opcode:i32.store8:before { var n: u32 = accesses[(0, true)]; }\n',
    ]) {
        const script = 'use whamm_core;\n' + MEM_ACCESS + extra;
        const { bytes } = await instrument({ app, script });
        const imports = WebAssembly.Module.imports(new WebAssembly.Module(bytes)).map(i => i.name);
        assert.ok(!imports.some(n => n.startsWith('map.run<')), extra);
    }
});
