// Encoder and rewriter: LEB128, byte-identical round trips of the corpus, and rewritten modules that
// validate (binaryen and V8) and still behave the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import binaryen from 'binaryen';
import { wat } from '../support/wat.js';
import { SKIP_NO_SHARED, listFiles, sharedPath } from '../support/shared.js';
import {
    ByteWriter, CodeBuilder, ModuleRewriter, Reader, cursorOf, decodeBody, decodeModule, funcName,
    type WasmModule,
} from '../../server/src/wasm/index.js';

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

test('LEB128 encodings match the spec examples and decode back', () => {
    assert.equal(hex(new ByteWriter().u32(624485).finish()), 'e5 8e 26');
    assert.equal(hex(new ByteWriter().u32(0xffffffff).finish()), 'ff ff ff ff 0f');
    assert.equal(hex(new ByteWriter().s32(-123456).finish()), 'c0 bb 78');
    assert.equal(hex(new ByteWriter().s32(-1).finish()), '7f');
    assert.equal(hex(new ByteWriter().s32(63).finish()), '3f');
    assert.equal(hex(new ByteWriter().s32(64).finish()), 'c0 00');
    assert.equal(hex(new ByteWriter().s64(-(2n ** 63n)).finish()), '80 80 80 80 80 80 80 80 80 7f');
    assert.equal(hex(new ByteWriter().u64(2 ** 40).finish()), '80 80 80 80 80 20');
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647);
    for (let i = 0; i < 2000; i++) {
        const u = next() * 2 % 2 ** 32, s = (next() - 2 ** 30) | 0, b = BigInt(next()) * BigInt(next()) * BigInt(next()) * (i % 2 ? -1n : 1n);
        const w = new ByteWriter().u32(u).s32(s).s64(b).u64(u * 1000);
        const r = new Reader(w.finish());
        assert.deepEqual([r.u32(), r.s32(), r.s64(), r.u64()], [u, s, BigInt.asIntN(64, b), u * 1000]);
        assert.ok(r.atEnd);
    }
    // u32 edge cases: padded (non-minimal) encodings, the largest value, a fifth byte past 32 bits.
    const u32 = (...b: number[]) => new Reader(Uint8Array.from(b)).u32();
    assert.equal(u32(0x80, 0x80, 0x80, 0x80, 0x00), 0);
    assert.equal(u32(0xff, 0x80, 0x80, 0x80, 0x00), 127);
    assert.equal(u32(0xff, 0xff, 0xff, 0xff, 0x0f), 0xffffffff);
    assert.equal(u32(0x80, 0x80, 0x80, 0x80, 0x08), 2 ** 31);
    assert.equal(u32(0x80, 0x80, 0x80, 0x80, 0x01), 2 ** 28);
    assert.throws(() => u32(0xff, 0xff, 0xff, 0xff, 0x1f), /exceeds 32 bits/);
    assert.throws(() => u32(0x80, 0x80, 0x80, 0x80, 0x80, 0x00), /too long/);
});

const corpus = () => [...listFiles(sharedPath('bench', 'apps'), '.wasm'), ...listFiles(sharedPath('conformance', 'apps'), '.wasm')];

test('decode + emit with no change reproduces every bench and conformance module byte for byte', { skip: SKIP_NO_SHARED }, () => {
    const files = corpus();
    assert.ok(files.length > 30);
    for (const f of files) {
        const bytes = new Uint8Array(fs.readFileSync(f));
        const out = new ModuleRewriter(decodeModule(bytes)).emit();
        assert.ok(Buffer.from(out).equals(Buffer.from(bytes)), `${f} differs after the round trip`);
    }
});

/** Adds an import and, before every instruction, a nop and an increment of a new global. */
function instrumentEverything(m: WasmModule): Uint8Array {
    const rw = new ModuleRewriter(m);
    rw.addFuncImport('whamm', 'probe', rw.addFuncType(['i32'], []), 'whamm_probe');
    const g = rw.addZeroGlobal('i32');
    for (const b of m.bodies) {
        const c = cursorOf(m, b.func);
        const cb = new CodeBuilder();
        while (c.next()) {
            cb.emit('global.get', g).emit('i32.const', 1).emit('i32.add').emit('global.set', g).emit('nop');
            cb.copy(c.offset, c.end);
        }
        rw.editBody(b.func, { code: cb });
    }
    rw.addExport('whamm_count', 'global', g);
    return rw.emit();
}

function binaryenValid(bytes: Uint8Array): boolean {
    const mod = binaryen.readBinary(bytes);
    try {
        mod.setFeatures(binaryen.Features.All);
        return !!mod.validate();
    } finally {
        mod.dispose();
    }
}

test('modules rewritten with an added import and code before every instruction validate (binaryen and V8)', { skip: SKIP_NO_SHARED }, () => {
    const files = [
        ...listFiles(sharedPath('bench', 'apps', 'polybench'), '.wasm').slice(0, 6),
        ...['fib', 'mandelbrot', 'game-of-life', 'funky-kart'].map((n) => sharedPath('bench', 'apps', 'real', `${n}.wasm`)),
        ...listFiles(sharedPath('conformance', 'apps'), '.wasm'),
    ];
    for (const f of files) {
        const bytes = new Uint8Array(fs.readFileSync(f));
        const m = decodeModule(bytes);
        const out = instrumentEverything(m);
        // Node 20 rejects some corpus modules already (custom page sizes); those must still decode back.
        if (WebAssembly.validate(bytes)) assert.ok(WebAssembly.validate(out), `${f}: WebAssembly.validate`);
        // binaryen cannot read custom page sizes; funky-kart is left to V8 to keep the suite quick.
        const skipBinaryen = m.memories.some((x) => x.limits.pageSizeLog2 !== undefined) || bytes.length > 2_000_000;
        if (!skipBinaryen) assert.ok(binaryenValid(out), `${f}: binaryen validate`);
        const back = decodeModule(out);
        assert.equal(back.numImportedFuncs, m.numImportedFuncs + 1);
        assert.equal(back.bodies.length, m.bodies.length);
        // names follow their functions
        for (const [f0, name] of m.names.funcs) assert.equal(funcName(back, f0 < m.numImportedFuncs ? f0 : f0 + 1), name);
    }
});

const APP = `(module
  (type $ii (func (param i32) (result i32)))
  (import "env" "log" (func $log (param i32)))
  (table 3 funcref)
  (elem (i32.const 0) $double $inc)
  (elem declare func $triple)
  (global $fr (mut funcref) (ref.func $triple))
  (global $acc (mut i32) (i32.const 0))
  (func $double (type $ii) (i32.mul (local.get 0) (i32.const 2)))
  (func $inc (type $ii) (i32.add (local.get 0) (i32.const 1)))
  (func $triple (type $ii) (i32.mul (local.get 0) (i32.const 3)))
  (func $init (global.set $acc (i32.const 100)))
  (func $tail (param i32) (result i32) (return_call $double (local.get 0)))
  (func $run (export "run") (param i32) (result i32)
    (call $log (local.get 0))
    (call $double (local.get 0))
    (call_indirect (type $ii) (i32.const 1))
    (call $tail)
    (table.set 0 (i32.const 2) (global.get $fr))
    (call_indirect (type $ii) (i32.const 2))
    (global.get $acc)
    (i32.add))
  (start $init))`;

test('adding an import remaps calls, return_call, elements, ref.func in globals, exports and start; behaviour is unchanged', async () => {
    const bytes = await wat(APP);
    const m = decodeModule(bytes);
    const logs: number[] = [];
    const orig = await WebAssembly.instantiate(bytes, { env: { log: (x: number) => logs.push(x) } });
    const want = (orig.instance.exports.run as (x: number) => number)(5);
    assert.equal(want, ((5 * 2 + 1) * 2) * 3 + 100);

    // Probe before every call-like instruction: record its opidx through the new import.
    const rw = new ModuleRewriter(m);
    const probe = rw.addFuncImport('whamm', 'probe', rw.addFuncType(['i32'], []));
    for (const b of m.bodies) {
        const c = cursorOf(m, b.func);
        const cb = new CodeBuilder();
        while (c.next()) {
            if (c.op.category === 'call') cb.emit('i32.const', c.opidx).emit('call', probe);
            cb.copy(c.offset, c.end);
        }
        rw.editBody(b.func, { code: cb });
    }
    const out = rw.emit();
    assert.ok(binaryenValid(out));
    const seen: number[] = [];
    const logs2: number[] = [];
    const inst = await WebAssembly.instantiate(out, { env: { log: (x: number) => logs2.push(x) }, whamm: { probe: (i: number) => seen.push(i) } });
    assert.equal((inst.instance.exports.run as (x: number) => number)(5), want);
    assert.deepEqual(logs2, logs);
    // run: call log (opidx 1), call double (3), call_indirect (5), call tail (6) -> return_call (1 in $tail), call_indirect (11)
    assert.deepEqual(seen, [1, 3, 5, 6, 1, 11]);
    const back = decodeModule(out);
    assert.deepEqual(back.elements[0].funcs, [2, 3]);
    assert.equal(back.start, 5);
    assert.equal(back.exports[0].index, 7);
    assert.equal(funcName(back, 7), 'run');
    assert.equal(funcName(back, 0), 'log');
});

test('additions to a module that lacks the sections create them in the right order', async () => {
    const bytes = await wat('(module (func $f (result i32) (i32.const 41)))', false);
    const m = decodeModule(bytes);
    assert.equal(m.sections.some((s) => s.id === 2 || s.id === 6 || s.id === 7), false);
    const rw = new ModuleRewriter(m);
    const imp = rw.addFuncImport('env', 'one', rw.addFuncType([], ['i32']));
    const g = rw.addZeroGlobal('i64');
    const body = decodeBody(m, 0);
    // replace `i32.const 41` by `i32.const 41; call one; i32.add`, keep the end
    const cb = new CodeBuilder().copy(body.instrs[0].offset, body.instrs[0].end).emit('call', imp).emit('i32.add')
        .copy(body.instrs[1].offset, body.instrs[1].end);
    rw.editBody(0, { code: cb, extraLocals: ['i64'] });
    const helper = rw.addFunction(rw.addFuncType([], ['i32']), [], new CodeBuilder().emit('call', rw.funcIndex(0)).emit('end'), 'helper');
    rw.addExport('f', 'func', rw.funcIndex(0));
    rw.addExport('helper', 'func', helper);
    rw.addExport('g', 'global', g);
    rw.addCustomSection('whamm.sites', new TextEncoder().encode('[]'));
    const out = rw.emit();
    assert.ok(WebAssembly.validate(out));
    const { instance } = await WebAssembly.instantiate(out, { env: { one: () => 1 } });
    assert.equal((instance.exports.f as () => number)(), 42);
    assert.equal((instance.exports.helper as () => number)(), 42);
    const back = decodeModule(out);
    assert.deepEqual(back.sections.map((s) => s.id), [1, 2, 3, 6, 7, 10, 0]);
    assert.equal(back.sections[6].name, 'whamm.sites');
    assert.equal(decodeBody(back, 1).locals.length, 1, 'the extra local was declared');
});
