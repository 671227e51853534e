// Custom page sizes (1-byte pages) emulated for engines that lack them: memory.size/grow in declared
// pages, the declared maximum and the 2^32-1 byte limit, traps just past the logical end for every kind
// of access, data segments checked at instantiation, and the runner/instr split (instr keeps the page
// size, run lowers). Fixtures are WAT written here, assembled by wabt's CLI (its JS API lacks the flag).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import '../../server/src/polyfill.js';
import { decodeModule } from '../../server/src/wasm/decode.js';
import { lowerPageSizes, PageSizeLoweringError } from '../../server/src/wasm/lower-page-sizes.js';
import { compileForEngine } from '../../server/src/runner/engine-compile.js';
import { runModule } from '../../server/src/runner/run.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { runWast } from '../../server/src/wast/harness.js';
import { engineInstrument } from '../../server/src/wast/engine-instrument.js';
import { parseRows } from '../support/engine-harness.js';
import { SKIP_NO_SHARED, sharedPath } from '../support/shared.js';

const WAT2WASM = fileURLToPath(new URL('../../node_modules/wabt/bin/wat2wasm', import.meta.url));

function wat(text: string): Uint8Array {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cps-'));
    try {
        const src = path.join(dir, 'm.wat'), out = path.join(dir, 'm.wasm');
        fs.writeFileSync(src, text);
        const r = spawnSync(process.execPath, [WAT2WASM, '--enable-custom-page-sizes', '--enable-threads', '--debug-names', src, '-o', out], { encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`wat2wasm failed: ${r.stderr}`);
        return new Uint8Array(fs.readFileSync(out));
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Instantiates the lowered module (lowered even where the engine has custom page sizes). */
async function instantiate(bytes: Uint8Array): Promise<Record<string, any>> {
    const lowered = lowerPageSizes(bytes);
    assert.ok(lowered, 'the module declares a page size');
    return (await WebAssembly.instantiate(await WebAssembly.compile(lowered.bytes), {})).exports as Record<string, any>;
}

const OOB = (e: unknown) => e instanceof WebAssembly.RuntimeError && /out of bounds/.test(e.message);

// Every access kind on one small memory of 1-byte pages (min 5, max 10).
const SMALL = wat(`(module
  (memory $m (export "mem") 5 10 (pagesize 1))
  (data $p "xyz")
  (data (i32.const 1) "ab")
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load8_off2") (param i32) (result i32) (i32.load8_u offset=2 (local.get 0)))
  (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "store64") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i32 i32 i32) (memory.init $p (local.get 0) (local.get 1) (local.get 2)))
  (func (export "v128_lane0") (param i32) (result i32) (i32x4.extract_lane 0 (v128.load (local.get 0))))
  (func (export "sum") (result i32) (local $i i32) (local $s i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (memory.size)))
      (local.set $s (i32.add (local.get $s) (i32.load8_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $s)))`);

test('the decoder reads the fixture as 1-byte pages; the lowered module validates without them', () => {
    const m = decodeModule(SMALL);
    assert.equal(m.memories[0].limits.pageSizeLog2, 0);
    assert.equal(m.memories[0].limits.min, 5);
    assert.equal(m.memories[0].limits.max, 10);
    const lowered = lowerPageSizes(SMALL)!;
    assert.ok(WebAssembly.validate(lowered.bytes));
    assert.deepEqual(lowered.lowered, [{ index: 0, min: 5, max: 10, physicalMin: 1, physicalMax: 1 }]);
    assert.equal(decodeModule(lowered.bytes).memories[0].limits.pageSizeLog2, undefined);
});

test('memory.size and memory.grow count 1-byte pages and stop at the declared maximum', async () => {
    const x = await instantiate(SMALL);
    assert.equal(x.size(), 5);
    assert.equal(x.grow(2), 5);
    assert.equal(x.size(), 7);
    assert.equal(x.grow(4), -1, '7 + 4 > max 10');
    assert.equal(x.size(), 7, 'a failed grow changes nothing');
    assert.equal(x.grow(3), 7);
    assert.equal(x.size(), 10);
    assert.equal(x.grow(0), 10);
    assert.equal(x.grow(1), -1);
    assert.equal(x.grow(-1), -1, 'a delta of 2^32-1 pages');
    assert.ok(x.mem instanceof WebAssembly.Memory, 'the memory stays exported');
});

test('loads and stores trap just past the logical end, and reach it after a grow', async () => {
    const x = await instantiate(SMALL);
    assert.equal(x.load8(1), 'a'.charCodeAt(0), 'the active segment landed');
    assert.equal(x.sum(), 0x61 + 0x62, 'a loop bounded by memory.size reads every logical byte');
    assert.equal(x.load8(4), 0);
    assert.throws(() => x.load8(5), OOB);
    assert.throws(() => x.load8_off2(3), OOB, 'the memarg offset counts');
    assert.equal(x.load8_off2(2), 0);
    assert.equal(x.load32(1), 0x6261, 'bytes 1..4 are "ab\\0\\0"');
    assert.throws(() => x.load32(2), OOB, 'bytes 2..5 end one past the size');
    assert.throws(() => x.load32(-1), OOB);
    x.store8(4, 7);
    assert.throws(() => x.store8(5, 7), OOB);
    assert.throws(() => x.store64(0, 1n), OOB, '8 bytes do not fit in 5');
    assert.throws(() => x.v128_lane0(0), OOB, '16 bytes do not fit in 5');
    assert.equal(x.grow(3), 5);
    assert.equal(x.load8(4), 7, 'contents survive the grow');
    x.store64(0, 0x0102030405060708n);
    assert.equal(x.load8(0), 8);
    x.store8(7, 9);
    assert.throws(() => x.store8(8, 9), OOB);
});

test('memory.fill / copy / init check their ranges against the logical size', async () => {
    const x = await instantiate(SMALL);
    x.fill(3, 0x41, 2);
    assert.equal(x.load8(4), 0x41);
    x.fill(5, 0, 0); // an empty range at the end is in bounds
    assert.throws(() => x.fill(4, 0, 2), OOB);
    assert.throws(() => x.fill(6, 0, 0), OOB);
    x.copy(3, 0, 2);
    assert.throws(() => x.copy(4, 0, 2), OOB, 'destination past the end');
    assert.throws(() => x.copy(0, 4, 2), OOB, 'source past the end');
    x.init(2, 0, 3);
    assert.equal(x.load8(4), 'z'.charCodeAt(0));
    assert.throws(() => x.init(3, 0, 3), OOB);
});

test('growing across a 64 KiB boundary grows the backing memory; the 2^32-1 byte limit holds without a maximum', async () => {
    const x = await instantiate(wat(`(module
      (memory (export "mem") 65530 (pagesize 1))
      (func (export "size") (result i32) (memory.size))
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "store8") (param i32) (i32.store8 (local.get 0) (i32.const 1))))`));
    assert.equal((x.mem as WebAssembly.Memory).buffer.byteLength, 65536);
    x.store8(65529);
    assert.throws(() => x.store8(65530), OOB);
    assert.equal(x.grow(10), 65530);
    assert.equal(x.size(), 65540);
    assert.equal((x.mem as WebAssembly.Memory).buffer.byteLength, 131072);
    x.store8(65539);
    assert.throws(() => x.store8(65540), OOB, 'the backing memory is larger, the logical one is not');
    assert.equal(x.grow(0xffffffff - 65540 + 1), -1, 'one byte past 2^32-1');
    assert.equal(x.size(), 65540);
});

test('an active segment past the logical end fails instantiation; one within it does not', async () => {
    const bad = wat(`(module (memory 3 (pagesize 1)) (data (i32.const 2) "ab"))`);
    await assert.rejects(WebAssembly.instantiate(await WebAssembly.compile(lowerPageSizes(bad)!.bytes), {}), OOB);
    const viaGlobal = wat(`(module (import "env" "at" (global $at i32)) (memory 3 (pagesize 1)) (data (global.get $at) "ab")
      (func (export "f") (result i32) (i32.load8_u (i32.const 1))))`);
    const m2 = await WebAssembly.compile(lowerPageSizes(viaGlobal)!.bytes);
    await assert.rejects(WebAssembly.instantiate(m2, { env: { at: 2 } }), OOB);
    const ok = await WebAssembly.instantiate(m2, { env: { at: 1 } });
    assert.equal((ok.exports.f as () => number)(), 'a'.charCodeAt(0));
});

test('atomics on a shared memory of 1-byte pages are bounds-checked too', async () => {
    const x = await instantiate(wat(`(module
      (memory (export "mem") 8 16 shared (pagesize 1))
      (func (export "add") (param i32 i32) (result i32) (i32.atomic.rmw.add (local.get 0) (local.get 1)))
      (func (export "cx") (param i32 i32 i32) (result i32) (i32.atomic.rmw.cmpxchg (local.get 0) (local.get 1) (local.get 2))))`));
    assert.equal(x.add(4, 5), 0);
    assert.equal(x.cx(4, 5, 9), 5);
    assert.equal(x.add(4, 0), 9);
    assert.throws(() => x.add(8, 1), OOB);
    assert.throws(() => x.cx(8, 0, 1), OOB);
});

test('an explicit 64 KiB page size only loses its flag; modules without page sizes are left alone', async () => {
    // wabt drops an explicit default page size, so this one is hand-assembled:
    // (memory 1 2 (pagesize 65536)) (func (export "grow") (result i32) (memory.grow (i32.const 1)))
    const bytes = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
        1, 5, 1, 0x60, 0, 1, 0x7f, // type () -> i32
        3, 2, 1, 0, // one function
        5, 5, 1, 9, 1, 2, 16, // memory: flags max|pagesize, min 1, max 2, log2 16
        7, 8, 1, 4, 0x67, 0x72, 0x6f, 0x77, 0, 0, // export "grow"
        10, 8, 1, 6, 0, 0x41, 1, 0x40, 0, 0x0b); // memory.grow (i32.const 1)
    assert.equal(decodeModule(bytes).memories[0].limits.pageSizeLog2, 16);
    const x = await instantiate(bytes);
    assert.equal(x.grow(), 1);
    assert.equal(x.grow(), -1);
    assert.deepEqual(lowerPageSizes(bytes)!.lowered, []);
    assert.equal(lowerPageSizes(wat(`(module (memory 1))`)), null);
});

test('page sizes that cannot be emulated are refused with a clear message', () => {
    assert.throws(() => lowerPageSizes(wat(`(module (import "m" "mem" (memory 1 (pagesize 1))))`)),
        (e: unknown) => e instanceof PageSizeLoweringError && /imported with 1-byte pages/.test(e.message));
    // (memory 0 (pagesize 8)): page size 2^3, hand-assembled since wabt rejects it.
    const bytes = Uint8Array.of(0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 4, 1, 8, 0, 3);
    assert.throws(() => lowerPageSizes(bytes), (e: unknown) => e instanceof PageSizeLoweringError && /2\^3/.test(e.message));
});

test('compileForEngine leaves modules the engine accepts untouched', async () => {
    const plain = wat(`(module (memory 1))`);
    assert.equal((await compileForEngine(plain)).bytes, plain);
    const r = await compileForEngine(SMALL);
    assert.equal(r.bytes !== SMALL, !WebAssembly.validate(SMALL), 'lowered exactly when the engine rejects the original');
});

test('whamm run lowers with one note on stderr; whamm instr keeps the real page size', async () => {
    const app = wat(`(module
      (memory (export "memory") 10 (pagesize 1))
      (func (export "_start")
        (drop (memory.size))
        (drop (memory.grow (i32.const 5)))
        (drop (memory.size))
        (drop (memory.grow (i32.const 65536)))
        (drop (memory.size))))`);
    const script = `wasm:opcode:memory.size:before {
    report var pages: u32;
    pages = mem_size(APP_MEMID);
    report var psize: u32;
    psize = page_size(APP_MEMID);
}`;
    const { bytes } = await instrument({ app, script });
    assert.equal(decodeModule(bytes).memories[0].limits.pageSizeLog2, 0, 'the instrumented module keeps 1-byte pages');
    let stdout = '', stderr = '';
    const r = await runModule(bytes, { stdout: t => { stdout += t; }, stderr: t => { stderr += t; } });
    assert.equal(r.exitCode, 0, stderr);
    if (!WebAssembly.validate(app)) {
        assert.equal(stderr.trim().split('\n').length, 1);
        assert.match(stderr, /custom page sizes/);
    }
    assert.doesNotMatch(stdout, /custom page sizes/);
    const rows = parseRows(stdout);
    // Sites in order: 10 pages, then 10 + 5, then 15 + 65536 (no maximum: the grow succeeds).
    assert.deepEqual(rows.filter(x => x.name === 'pages').map(x => x.value), ['10', '15', '65551']);
    assert.deepEqual(rows.filter(x => x.name === 'psize').map(x => x.value), ['1', '1', '1']);
});

test('the corpus app with 1-byte pages reports memory.size as the reference does', { skip: SKIP_NO_SHARED }, async () => {
    const app = new Uint8Array(fs.readFileSync(sharedPath('conformance/apps/core_suite/handwritten/cust-page-size.wasm')));
    const script = `wasm:opcode:memory.size:before {
    report var m: u32;
    m = mem_size(APP_MEMID);
}`;
    const { bytes } = await instrument({ app, script });
    let stdout = '';
    await runModule(bytes, { stdout: t => { stdout += t; }, stderr: () => {} });
    // memsize-custom.exp: the assigned mem_size rows read 1, 2, 6 at pcs 1, 9, 17.
    assert.deepEqual(parseRows(stdout).map(x => [x.pc, x.value]), [['1', '1'], ['9', '2'], ['17', '6']]);
});

test('whamm wast instantiates modules with 1-byte pages (binary form) and notes it once', async () => {
    const target = wat(`(module
      (memory (export "mem") 2 8 (pagesize 1))
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "ld") (param i32) (result i32) (i32.load8_u (local.get 0))))`);
    const hex = Array.from(target, b => `\\${b.toString(16).padStart(2, '0')}`).join('');
    const source = `;; @instrument
(module binary "${hex}")

;; WHAMM --> var grows: i32; wasm:opcode:memory.grow:before { grows++; }
(assert_return (invoke "grow" (i32.const 3)) (i32.const 2))
(assert_return (invoke "grow" (i32.const 4)) (i32.const -1))
(assert_return (invoke "get_grows") (i32.const 2))
(assert_return (invoke "ld" (i32.const 4)) (i32.const 0))
(assert_trap (invoke "ld" (i32.const 5)) "out of bounds memory access")
`;
    const notes: string[] = [];
    const failures: string[] = [];
    const r = await runWast(source, 'pagesize.wast', { instrument: engineInstrument(), onNote: n => notes.push(n), onFailure: f => failures.push(f) });
    assert.deepEqual(failures, []);
    assert.equal(r.passed, 5);
    assert.equal(notes.length, WebAssembly.validate(target) ? 0 : 1);
});
