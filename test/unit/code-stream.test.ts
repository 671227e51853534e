// The code section is encoded function by function as the instrumentation goes (ModuleRewriter.encodeBody,
// engine ModuleAssembler) and gathered in chunks, in memory or in a scratch file (a CodeSpill): the module
// assembled from those chunks must be, byte for byte, the one built from the edits all at once, whatever
// the chunk size and however the chunks are read back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import '../../server/src/polyfill.js';
import { wat } from '../support/wat.js';
import { sharedPath } from '../support/shared.js';
import { ByteWriter, CodeBuilder, ModuleRewriter, cursorOf, decodeModule, type WasmModule } from '../../server/src/wasm/index.js';
import { joinParts, type BodyEdit } from '../../server/src/wasm/rewrite.js';
import { instrument } from '../../server/src/engine/instrument.js';
import type { CodeSpill } from '../../server/src/engine/app-codec.js';

/** Edits every other function (a probe before each instruction); the others keep their code. */
function edits(m: WasmModule, g: number, probe: number | undefined): Map<number, BodyEdit> {
    const out = new Map<number, BodyEdit>();
    m.bodies.forEach((b, i) => {
        if (i % 2) return;
        const c = cursorOf(m, b.func);
        const cb = new CodeBuilder();
        while (c.next()) {
            cb.emit('global.get', g).emit('i32.const', 1).emit('i32.add').emit('global.set', g);
            if (probe !== undefined && c.opidx === 0) cb.emit('i32.const', i).emit('call', probe);
            cb.copy(c.offset, c.end);
        }
        out.set(b.func, { extraLocals: ['i64'], code: cb });
    });
    return out;
}

/** The same additions on a fresh rewriter. */
function rewriter(m: WasmModule, withImport: boolean): { rw: ModuleRewriter; g: number; probe?: number } {
    const rw = new ModuleRewriter(m);
    const probe = withImport ? rw.addFuncImport('whamm', 'probe', rw.addFuncType(['i32'], [])) : undefined;
    const g = rw.addZeroGlobal('i32');
    return { rw, g, probe };
}

function finish(rw: ModuleRewriter, g: number, addFunction: boolean): void {
    if (addFunction) rw.addFunction(rw.addFuncType([], ['i32']), [], new Uint8Array([0x23, ...leb(g), 0x0b]));
    rw.addExport('whamm_count', 'global', g);
    rw.addCustomSection('pieces', [new Uint8Array([1, 2]), new Uint8Array(0), new Uint8Array([3])]);
}

function leb(v: number): number[] { return [...new ByteWriter(5).u32(v).finish()]; }

/** Entries encoded one by one into chunks of `chunk` bytes, read back in pieces of `piece` bytes. */
function streamed(m: WasmModule, withImport: boolean, addFunction: boolean, chunk: number, piece: number, edit = true): Uint8Array {
    const { rw, g, probe } = rewriter(m, withImport);
    const e = edit ? edits(m, g, probe) : new Map<number, BodyEdit>();
    const chunks: Uint8Array[] = [];
    const w = new ByteWriter(16), scratch = new ByteWriter(16);
    let size = 0;
    for (const b of m.bodies) {
        rw.encodeBody(b.func, e.get(b.func), w, scratch);
        if (w.len >= chunk) { chunks.push(w.finish().slice()); size += w.len; w.reset(); }
    }
    chunks.push(w.finish().slice());
    size += w.len;
    finish(rw, g, addFunction);
    const all = Buffer.concat(chunks);
    return joinParts(rw.emitParts({
        count: m.bodies.length, size, edited: e.size > 0,
        *pieces() { for (let at = 0; at < all.length; at += piece) yield all.subarray(at, at + piece); },
    }));
}

function whole(m: WasmModule, withImport: boolean, addFunction: boolean, edit = true): Uint8Array {
    const { rw, g, probe } = rewriter(m, withImport);
    if (edit) for (const [f, e] of edits(m, g, probe)) rw.editBody(f, e);
    finish(rw, g, addFunction);
    return rw.emit();
}

const APP = `(module
  (import "env" "log" (func $log (param i32)))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $a $b)
  (func $a (param i32) (result i32) (local i64) (call $log (local.get 0)) (i32.add (local.get 0) (i32.const 1)))
  (func $b (param i32) (result i32) (if (result i32) (local.get 0) (then (call $a (local.get 0))) (else (i32.load (i32.const 8)))))
  (func $c (result i32) (call_indirect (param i32) (result i32) (i32.const 3) (i32.const 1)))
  (func (export "_start") (drop (call $c)) (drop (call $b (i32.const 0)))))`;

test('a code section encoded entry by entry, in chunks of any size, is the one built from the edits at once', async () => {
    const modules = [decodeModule(await wat(APP))];
    const real = sharedPath('bench', 'apps', 'real', 'mandelbrot.wasm');
    if (fs.existsSync(real)) modules.push(decodeModule(new Uint8Array(fs.readFileSync(real))));
    for (const m of modules) {
        for (const [withImport, addFunction] of [[false, false], [false, true], [true, false], [true, true]]) {
            const want = whole(m, withImport, addFunction);
            assert.ok(WebAssembly.validate(want));
            assert.ok(!Buffer.from(want).equals(Buffer.from(whole(m, withImport, addFunction, false))), 'the edits change the module');
            for (const [chunk, piece] of [[1, 1], [7, 3], [100, 1 << 20], [1 << 30, 5]]) {
                assert.ok(Buffer.from(streamed(m, withImport, addFunction, chunk, piece)).equals(Buffer.from(want)), `chunks of ${chunk}, pieces of ${piece}, import: ${withImport}, function: ${addFunction}`);
            }
        }
        // Nothing edited, no function index shifted: the section is copied as it was.
        assert.ok(Buffer.from(streamed(m, false, false, 5, 5, false)).equals(Buffer.from(whole(m, false, false, false))));
    }
});

/** A spill as instr's scratch file behaves: bytes copied out as they come, read back in other pieces. */
function memorySpill(): CodeSpill & { writes: number } {
    const parts: Uint8Array[] = [];
    return {
        writes: 0,
        write(b) { this.writes++; parts.push(b.slice()); },
        *pieces() { const all = Buffer.concat(parts); for (let at = 0; at < all.length; at += 13) yield all.subarray(at, at + 13); },
    };
}

const SCRIPT = `report var count: u32;
var m: map<u32, u32>;
wasm:opcode:*:before { count++; }
wasm:opcode:call:before { m[fid] = m[fid] + 1; }
wasm:opcode:i32.add:after { count = count + 2; }`;

test('the engine writes the same module whether its code section waits in memory or in a spill, in chunks of any size', async () => {
    const apps = [await wat(APP)];
    const real = sharedPath('bench', 'apps', 'real', 'pathfinding.wasm');
    if (fs.existsSync(real)) apps.push(new Uint8Array(fs.readFileSync(real)));
    for (const app of apps) {
        const want = (await instrument({ app, script: SCRIPT })).bytes;
        assert.ok(WebAssembly.validate(want));
        assert.ok(want.length > app.length);
        const kept = (await instrument({ app, script: SCRIPT, codeChunkBytes: 1 })).bytes;
        assert.ok(Buffer.from(kept).equals(Buffer.from(want)), 'one chunk per function, in memory');
        for (const chunk of [1, 64]) {
            const spill = memorySpill();
            const out = (await instrument({ app, script: SCRIPT, codeSpill: spill, codeChunkBytes: chunk })).bytes;
            assert.ok(spill.writes > 1, 'the code went through the spill');
            assert.ok(Buffer.from(out).equals(Buffer.from(want)), `spilled in chunks of ${chunk}`);
        }
    }
});
