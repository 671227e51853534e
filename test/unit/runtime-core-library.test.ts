// whamm_core is bundled (SPEC: "Reference behaviours"): every function the reference's core library exports,
// with the same signature, implemented by us; print_map_as_csv in the SPEC's format on the script's maps
// (numbered from 0 in declaration order) and on maps the library creates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '../../server/src/polyfill.js';
import { CORE_LIBRARY_FUNCTIONS } from '../../server/src/catalog/core-library.js';
import { coreLibraryBytes } from '../../server/src/runtime/core-lib.js';
import { decodeModule, funcType } from '../../server/src/wasm/index.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';
import { SKIP_NO_SHARED, sharedPath } from '../support/shared.js';
import { wat } from '../support/wat.js';

/** Exported function name -> "params->results" of a module. */
function exportedSignatures(bytes: Uint8Array): Map<string, string> {
    const m = decodeModule(bytes);
    const out = new Map<string, string>();
    for (const e of m.exports) {
        if (e.kind !== 'func') continue;
        const t = funcType(m, e.index);
        out.set(e.name, `${t.params.join(',')}->${t.results.join(',')}`);
    }
    return out;
}

test('our whamm_core exports every function of the reference build, with the same signatures', { skip: SKIP_NO_SHARED }, () => {
    const theirs = exportedSignatures(fs.readFileSync(sharedPath('conformance', 'libs', 'whamm_core.wasm')));
    const ours = exportedSignatures(coreLibraryBytes());
    assert.ok(theirs.size >= 60, 'the reference build names its functions');
    assert.deepEqual([...ours.keys()].sort(), [...theirs.keys()].sort());
    for (const [name, sig] of theirs) assert.equal(ours.get(name), sig, name);
});

test('the core library module is valid, exports a memory and exactly the catalog table', () => {
    const bytes = coreLibraryBytes();
    assert.ok(WebAssembly.validate(bytes));
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(bytes));
    assert.ok(exports.some(e => e.name === 'memory' && e.kind === 'memory'));
    const ours = exportedSignatures(bytes);
    assert.deepEqual([...ours.keys()].sort(), Object.keys(CORE_LIBRARY_FUNCTIONS).sort());
    for (const [name, f] of Object.entries(CORE_LIBRARY_FUNCTIONS)) assert.equal(ours.get(name), `${f.params.join(',')}->${f.results.join(',')}`, name);
});

// _start calls $f with 3, 1, 3, 2 (and $g once), so call sites differ by arg0.
const APP = `(module
  (func $f (param i32))
  (func $g)
  (func (export "_start") (call $f (i32.const 3)) (call $f (i32.const 1)) (call $f (i32.const 3)) (call $f (i32.const 2)) (call $g)))`;

/** Instruments APP with `script`, runs it, returns what the library printed on the app's stdout. */
async function run(script: string): Promise<{ stdout: string; exitCode: number; trapped?: string }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-core-lib-'));
    const file = path.join(dir, 'out.txt');
    const fd = fs.openSync(file, 'w');
    let report = '';
    let r;
    try {
        const { bytes } = await instrument({ app: await wat(APP), script });
        r = await runModule(bytes, { stdout: t => { report += t; }, stderr: () => undefined, stdoutFd: fd });
    } finally {
        fs.closeSync(fd);
    }
    const stdout = fs.readFileSync(file, 'utf8');
    assert.match(report, /REPORT CSV FLUSH/);
    fs.rmSync(dir, { recursive: true });
    return { stdout, exitCode: r.exitCode, trapped: r.trapped };
}

test('print_map_as_csv prints a script map: header, key/val types, one line per entry in ascending key order', async () => {
    const { stdout, exitCode } = await run(`
use whamm_core;
var seen: map<(u32, bool), u32>;
wasm:opcode:call(arg0: i32):before {
    seen[(arg0 as u32, arg0 > 1)]++;
}
wasm:report {
    whamm_core.print_map_as_csv(0);
}`);
    assert.equal(exitCode, 0);
    assert.equal(stdout, [
        '== map0 CSV FLUSH ==',
        'key ((i32,bool)), val (i32)',
        '(1,false), 1',
        '(2,true), 1',
        '(3,true), 2',
        '',
    ].join('\n'));
});

test('maps are numbered from 0 in declaration order; an empty map prints the header and `empty map`', async () => {
    const { stdout } = await run(`
use whamm_core;
var zeta: map<u32, u32>;
var alpha: map<i32, i32>;
wasm:opcode:call(arg0: i32):before {
    zeta[arg0 as u32] = zeta[arg0 as u32] + 10;
}
wasm:report {
    whamm_core.print_map_as_csv(0);
    whamm_core.print_map_as_csv(1);
}`);
    assert.equal(stdout, [
        '== map0 CSV FLUSH ==', 'key (i32), val (i32)', '1, 10', '2, 10', '3, 20',
        '== map1 CSV FLUSH ==', 'empty map', '',
    ].join('\n'));
});

test('print_map prints key->value pairs in ascending key order', async () => {
    const { stdout } = await run(`
use whamm_core;
var m: map<u32, u32>;
wasm:opcode:call(arg0: i32):before { m[arg0 as u32]++; }
wasm:report { whamm_core.print_map(0); whamm_core.putc(10); }`);
    assert.equal(stdout, '1->1;2->1;3->2\n');
});

test('the put functions print each type as the reference does', async () => {
    const { stdout } = await run(`
use whamm_core;
wasm:begin {
    whamm_core.puti32(-7); whamm_core.putc(32);
    whamm_core.putu32(-1 as i32); whamm_core.putc(32);
    whamm_core.puti8(255); whamm_core.putc(32);
    whamm_core.putu8(511); whamm_core.putc(32);
    whamm_core.puti16(65535); whamm_core.putc(32);
    whamm_core.putu16(65535); whamm_core.putc(32);
    whamm_core.puti64(-5 as i64); whamm_core.putc(32);
    whamm_core.putu64(-1 as i64); whamm_core.putc(32);
    whamm_core.putf32(1.5 as f32); whamm_core.putc(32);
    whamm_core.putf64(0.1); whamm_core.putc(32);
    whamm_core.putf64(-1234.5); whamm_core.putc(32);
    whamm_core.putbool(2); whamm_core.putc(32);
    whamm_core.putbool(0);
    whamm_core.putc(10);
}`);
    assert.equal(stdout, '-7 4294967295 -1 255 -1 65535 -5 18446744073709551615 +1.5e0 +1e-1 -1.2345e3 true false\n');
});

test('maps the library creates get ids after the script maps; insert, get and print them', async () => {
    const { stdout: out2 } = await run(`
use whamm_core;
var mine: map<u32, u32>;
var id: i32;
wasm:begin {
    id = whamm_core.create_i32_i32();
    whamm_core.insert_i32_i32(id, 7, 70);
    whamm_core.insert_i32_i32(id, -2, 20);
    whamm_core.puti32(id); whamm_core.putc(32);
    whamm_core.puti32(whamm_core.get_i32_i32(id, 7)); whamm_core.putc(32);
    whamm_core.puti32(whamm_core.get_i32_i32(id, 8)); whamm_core.putc(10);
    whamm_core.create_tuple_i32_with_id(9);
    whamm_core.insert_i32i32tuple_i32(9, 1, 2, 3);
    whamm_core.insert_i32i32tuple_i32(9, 0, 5, 4);
}
wasm:report {
    whamm_core.print_map_as_csv(id);
    whamm_core.print_map_as_csv(9);
}`);
    assert.equal(out2, [
        '1 70 0',
        '== map1 CSV FLUSH ==', 'key (i32), val (i32)', '-2, 20', '7, 70',
        '== map9 CSV FLUSH ==', 'key ((i32,i32)), val (i32)', '(0,5), 4', '(1,2), 3', '',
    ].join('\n'));
});

test('putc of a non-ASCII byte traps, as the reference library does', async () => {
    const r = await run(`
use whamm_core;
wasm:begin { whamm_core.putc(200); }`);
    assert.notEqual(r.exitCode, 0);
    assert.ok(r.trapped);
});

test('the bench monitors that call print_map_as_csv print the reference format (call-graph, mem-access)', { skip: SKIP_NO_SHARED }, async () => {
    const app = new Uint8Array(fs.readFileSync(sharedPath('bench', 'apps', 'polybench', 'atax.wasm')));
    for (const [monitor, types] of [['call-graph', 'key ((i32,i32)), val (i32)'], ['mem-access', 'key ((i32,bool)), val (i32)']] as const) {
        const script = fs.readFileSync(sharedPath('bench', 'monitors', `${monitor}.mm`), 'utf8');
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-core-bench-'));
        const file = path.join(dir, 'out.txt');
        const fd = fs.openSync(file, 'w');
        try {
            const { bytes } = await instrument({ app, script });
            const r = await runModule(bytes, { stdout: () => undefined, stderr: () => undefined, stdoutFd: fd });
            assert.equal(r.exitCode, 0);
        } finally {
            fs.closeSync(fd);
        }
        const lines = fs.readFileSync(file, 'utf8').split('\n');
        fs.rmSync(dir, { recursive: true });
        const at = lines.indexOf('== map0 CSV FLUSH ==');
        assert.ok(at >= 0, `${monitor}: the header`);
        assert.equal(lines[at + 1], types, monitor);
        const rows = lines.slice(at + 2).filter(l => l.startsWith('('));
        assert.ok(rows.length > 3, `${monitor}: entries`);
        for (const row of rows) assert.match(row, /^\(-?\d+,(-?\d+|true|false)\), \d+$/, monitor);
        const keys = rows.map(r => r.slice(1, r.indexOf(')')).split(',').map(x => (x === 'true' ? 1 : x === 'false' ? 0 : Number(x))));
        for (let i = 1; i < keys.length; i++) {
            const [a, b] = [keys[i - 1], keys[i]];
            assert.ok(a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]), `${monitor}: ascending key order at ${rows[i]}`);
        }
    }
});
