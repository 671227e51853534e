// Decoder: section contents, instruction positions (pc/opidx/offset), every corpus module, and the
// guarantee that malformed input only ever raises WasmDecodeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { wat } from '../support/wat.js';
import { SKIP_NO_SHARED, listFiles, sharedPath } from '../support/shared.js';
import {
    WasmDecodeError, bodyLocals, cursorOf, decodeBody, decodeModule, funcImport, funcName, funcType, typeBody,
    type MemArg, type WasmModule,
} from '../../server/src/wasm/index.js';

test('pc counts the local declarations: first instruction at pc 1 without locals', async () => {
    const m = decodeModule(await wat(`(module
      (func $a (result i32) i32.const 1)
      (func $b (param i32) (result i32) (local i64 i64 f32) local.get 0))`));
    const a = decodeBody(m, 0);
    // body content: 00 | 41 01 | 0b
    assert.deepEqual(a.instrs.map((i) => [i.op.name, i.pc, i.opidx]), [['i32.const', 1, 0], ['end', 3, 1]]);
    const b = decodeBody(m, 1);
    // locals: 02 (02 7e) (01 7d) = 5 bytes, then 20 00 | 0b
    assert.deepEqual(b.instrs.map((i) => [i.op.name, i.pc, i.opidx]), [['local.get', 5, 0], ['end', 7, 1]]);
    assert.deepEqual(b.locals, ['i32', 'i64', 'i64', 'f32']);
    for (const body of [a, b]) {
        for (const ins of body.instrs) {
            assert.equal(ins.offset, body.body.contentStart + ins.pc);
            assert.equal(m.bytes[ins.offset], ins.op.code);
        }
    }
    assert.equal(funcName(m, 0), 'a');
    assert.equal(funcName(m, 1), 'b');
});

test('sections: imports, exports, globals, tables, elements, data, start, names', async () => {
    const m = decodeModule(await wat(`(module
      (import "env" "log" (func $log (param i32)))
      (import "env" "mem" (memory 1))
      (import "env" "g" (global $gi i32))
      (table 4 funcref)
      (global $g (mut i64) (i64.const 7))
      (elem (i32.const 1) $main $log)
      (data (i32.const 16) "hello")
      (export "main" (func $main))
      (export "g" (global $g))
      (start $init)
      (func $init)
      (func $main (param i32) (result i32) (call $log (local.get 0)) (local.get 0)))`));
    assert.equal(m.numImportedFuncs, 1);
    assert.deepEqual(funcImport(m, 0) && [funcImport(m, 0)!.module, funcImport(m, 0)!.name], ['env', 'log']);
    assert.equal(funcImport(m, 1), undefined);
    assert.deepEqual(m.memories.length, 1);
    assert.deepEqual(m.globals, [{ type: 'i32', mutable: false }, { type: 'i64', mutable: true }]);
    assert.deepEqual(m.exports.map((e) => [e.name, e.kind, e.index]), [['main', 'func', 2], ['g', 'global', 1]]);
    assert.equal(m.start, 1);
    assert.deepEqual(m.elements[0].funcs, [2, 0]);
    assert.equal(m.data.length, 1);
    assert.equal(new TextDecoder().decode(m.bytes.subarray(m.data[0].data.start, m.data[0].data.end)), 'hello');
    assert.deepEqual(funcType(m, 2), { kind: 'func', params: ['i32'], results: ['i32'] });
    assert.equal(funcName(m, 2), 'main');
    assert.equal(m.bodies.length, 2);
    assert.equal(m.bodies[1].func, 2);
    const ids = m.sections.map((s) => s.id);
    assert.deepEqual(ids.filter((i) => i !== 0), [1, 2, 3, 4, 6, 7, 8, 9, 10, 11]);
});

test('multi-memory and memory64 memargs', async () => {
    const m = decodeModule(await wat(`(module
      (memory $m0 1) (memory $m1 i64 1)
      (func (result i32)
        (i32.load $m1 offset=0x100000000 align=2 (i64.const 0))
        (i32.load8_u offset=3 (i32.const 0)) drop))`));
    assert.equal(m.memories[1].limits.is64, true);
    const [, load, , load8] = decodeBody(m, 0).instrs;
    assert.equal(load.op.name, 'i32.load');
    assert.deepEqual(load.imms[0] as MemArg, { align: 1, memory: 1, offset: 2 ** 32 });
    assert.deepEqual(load8.imms[0] as MemArg, { align: 0, memory: 0, offset: 3 });
});

function walkAll(m: WasmModule): number {
    let n = 0;
    for (const b of m.bodies) {
        const c = cursorOf(m, b.func);
        while (c.next()) n++;
        assert.ok(c.finished && c.end === b.end, `body of ${b.func} closes at its end`);
    }
    return n;
}

const corpus = () => [...listFiles(sharedPath('bench', 'apps'), '.wasm'), ...listFiles(sharedPath('conformance'), '.wasm')];

test('every bench and conformance module decodes, every body walks to its end', { skip: SKIP_NO_SHARED }, () => {
    const files = corpus();
    assert.ok(files.length > 30);
    let instrs = 0;
    for (const f of files) {
        const m = decodeModule(fs.readFileSync(f));
        instrs += walkAll(m);
    }
    assert.ok(instrs > 1_000_000, `decoded ${instrs} instructions`);
});

/** Decode and fully walk + type a module; returns 'ok' or rethrows anything but WasmDecodeError. */
function tryAll(bytes: Uint8Array): 'ok' | 'error' {
    try {
        const m = decodeModule(bytes);
        for (const b of m.bodies) { bodyLocals(m, b); typeBody(m, b.func); }
        return 'ok';
    } catch (e) {
        if (e instanceof WasmDecodeError) {
            assert.match(e.message, /offset \d+/);
            return 'error';
        }
        throw e;
    }
}

function rng(seed: number) {
    return () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
}

test('truncated and corrupted real modules raise WasmDecodeError, never a crash', { skip: SKIP_NO_SHARED }, () => {
    const picks = ['bench/apps/real/fib.wasm', 'bench/apps/polybench/gemm.wasm', 'bench/apps/real/mandelbrot.wasm'];
    const rand = rng(42);
    let errors = 0;
    for (const p of picks) {
        const bytes = new Uint8Array(fs.readFileSync(sharedPath(...p.split('/'))));
        const m = decodeModule(bytes);
        const boundaries = new Set(m.sections.map((s) => s.end));
        boundaries.add(8);
        for (let k = 0; k < 150; k++) {
            const cut = Math.floor(rand() * bytes.length);
            const r = tryAll(bytes.subarray(0, cut));
            // Cutting exactly between sections leaves a well-formed (shorter) module.
            if (r === 'ok') assert.ok(boundaries.has(cut), `truncation at ${cut} of ${p} decoded without error`);
            else errors++;
        }
        for (let k = 0; k < 150; k++) {
            const copy = bytes.slice();
            const n = 1 + Math.floor(rand() * 4);
            for (let j = 0; j < n; j++) copy[Math.floor(rand() * copy.length)] = Math.floor(rand() * 256);
            if (tryAll(copy) === 'error') errors++;
        }
    }
    assert.ok(errors > 300, `most variants are malformed (${errors})`);
});

test('bad headers and section framing name the offset', () => {
    assert.throws(() => decodeModule(new Uint8Array([0, 0x61, 0x73])), (e: unknown) => e instanceof WasmDecodeError && e.offset === 0);
    assert.throws(() => decodeModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])), /version 1/);
    // a type section claiming 10 bytes with 2 present
    assert.throws(() => decodeModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 10, 0, 0])),
        (e: unknown) => e instanceof WasmDecodeError && e.offset === 8);
    // unknown opcode 0xff inside a body: type () -> (), one function, body: 0 locals, ff, 0b
    const bad = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 3, 2, 1, 0, 10, 5, 1, 3, 0, 0xff, 0x0b]);
    const m = decodeModule(bad);
    assert.throws(() => decodeBody(m, 0), (e: unknown) => e instanceof WasmDecodeError && e.offset === 23 && /unknown opcode 0xff/.test(e.message));
});
