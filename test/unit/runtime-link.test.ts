// `whamm run` with the runtime: a hand-made "instrumented" module (WAT + the custom sections the engine
// writes) that imports map and string functions from whamm:rt and a user library that needs WASI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RuntimeBuilder, type RtImport } from '../../server/src/runtime/builder.js';
import { runModule } from '../../server/src/runner/run.js';
import { watToWasm } from '../../server/src/wasm/wat-assemble.js';
import { SKIP_NO_SHARED, sharedPath } from '../support/shared.js';

function customSection(name: string, data: Uint8Array): Uint8Array {
    const n = new TextEncoder().encode(name);
    const body = [...leb(n.length), ...n, ...data];
    return Uint8Array.from([0, ...leb(body.length), ...body]);
}
function leb(v: number): number[] {
    const out: number[] = [];
    do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; out.push(b); } while (v);
    return out;
}
function concat(...parts: Uint8Array[]): Uint8Array {
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) { out.set(p, at); at += p.length; }
    return out;
}
function importDecl(imp: RtImport, id: string): string {
    return `(import "${imp.module}" ${JSON.stringify(imp.name)} (func ${id} (param ${imp.params.join(' ')}) ${imp.results.length ? `(result ${imp.results.join(' ')})` : ''}))`;
}

test('run: maps, tuples and strings flush through the runtime', async () => {
    const b = new RuntimeBuilder();
    const T = 'map<(u32,bool),u32>';
    const hits = b.addMap(T);
    const greeting = b.literal('hi\\tthere');
    const wat = `(module
      ${importDecl(b.mapImport('inc', T), '$inc')}
      ${importDecl(b.stringImport('str.read'), '$read')}
      (memory (export "memory") 1)
      (data (i32.const 8) "abc")
      (global $s (mut i32) (i32.const 0))
      (func (export "_start")
        (drop (call $inc (i32.const ${hits}) (i32.const 8) (i32.const 0) (i32.const 1)))
        (drop (call $inc (i32.const ${hits}) (i32.const 8) (i32.const 0) (i32.const 1)))
        (drop (call $inc (i32.const ${hits}) (i32.const 12) (i32.const 1) (i32.const 1)))
        (global.set $s (call $read (i32.const 0) (i32.const 8) (i32.const 3))))
      ;; report reader: map id, tuple (7, -1, true), literal handle, dynamic string handle
      (func (export "whamm$r0") (result i64 i64 i64 i64 i64 i64)
        (i64.const ${hits}) (i64.const 7) (i64.const -1) (i64.const 1) (i64.const ${greeting}) (i64.extend_i32_u (global.get $s))))`;
    const layout = {
        version: 1, script: 's.mm', readers: [{ export: 'whamm$r0', count: 6 }],
        vars: [
            { name: 'hits', type: T, slot: 0 },
            { name: 't', type: '(u8,i32,bool)', slot: 1 },
            { name: 'g', type: 'str', slot: 4 },
            { name: 'd', type: 'str', slot: 5 },
        ],
    };
    const sections = await b.sections();
    const bytes = concat(await watToWasm(wat), customSection('whamm.report', new TextEncoder().encode(JSON.stringify(layout))),
        ...sections.map(s => customSection(s.name, s.data)));
    let out = '';
    const r = await runModule(bytes, { stdout: t => { out += t; }, stderr: t => { out += t; } });
    assert.equal(r.exitCode, 0, out);
    const rows = out.trim().split('\n').slice(2);
    const value = (name: string) => rows.find(l => l.split(', ')[2] === name)!.split(', ').slice(10).join(', ');
    assert.deepEqual(value('hits').split(';').sort(), ['(12,true)->1', '(8,false)->2']);
    assert.equal(value('t'), '(7; -1; true)');
    assert.equal(value('g'), 'hi\tthere');
    assert.equal(value('d'), 'abc');
});

test('run: a user library that imports WASI gets its own WASI and writes to stdout', { skip: SKIP_NO_SHARED }, async () => {
    // whamm_core's puts(ptr, len) prints bytes of its own memory; mem_alloc gives it space.
    const wat = `(module
      (import "whamm_core" "mem_alloc" (func $alloc (param i32) (result i32)))
      (import "whamm_core" "puts" (func $puts (param i32 i32)))
      (import "whamm_core" "memory" (memory 1))
      (func (export "_start") (local $p i32)
        (local.set $p (call $alloc (i32.const 4)))
        (i32.store (local.get $p) (i32.const 0x0a6b6f))   ;; "ok\\n\\0"
        (call $puts (local.get $p) (i32.const 3))))`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-link-'));
    const outFile = path.join(dir, 'out.txt');
    const fd = fs.openSync(outFile, 'w');
    try {
        const r = await runModule(await watToWasm(wat), {
            userLibs: new Map([['whamm_core', fs.readFileSync(sharedPath('conformance', 'libs', 'whamm_core.wasm'))]]),
            stdoutFd: fd, stdout: () => undefined,
        });
        assert.equal(r.exitCode, 0);
    } finally {
        fs.closeSync(fd);
    }
    // The library's own WASI shares the app's stdout; whamm_core only prints there with TO_CONSOLE=true.
    assert.equal(fs.readFileSync(outFile, 'utf8'), 'ok\n');
    fs.rmSync(dir, { recursive: true });
});
