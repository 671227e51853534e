// Applications given as WebAssembly text (.wat), as the reference accepts them: `instr --app app.wat`,
// `run app.wat`, `coverage --app app.wat`, assembled with the instruction sequence exactly as written and
// errors reported at file:line:col.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { appModuleFromFile, isWatApp } from '../../server/src/wasm/wat-assemble.js';
import { decodeModule, decodeBody } from '../../server/src/wasm/index.js';
import { whamm } from '../support/cli.js';
import { PROJECT_ROOT } from '../support/shared.js';

// Flat and folded instructions mixed; the folded call's operands come first in the binary.
const APP = `;; an app in text form
(module
  (func $add (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "_start")
    i32.const 1
    i32.const 2
    call $add
    (drop (call $add (i32.const 3) (i32.const 4)))
    drop
    nop))
`;

const SCRIPT = `report var calls: u32;
report var adds: u32;
wasm:opcode:call:before { calls++; }
wasm:opcode:i32.add:before { adds = adds + (arg0 + arg1) as u32; }
`;

function tmp(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-wat-app-'));
}

test('a .wat app is assembled with its instructions exactly as written, folded forms operands first', async () => {
    const bytes = await appModuleFromFile('app.wat', new TextEncoder().encode(APP));
    const m = decodeModule(bytes);
    const names = (f: number) => decodeBody(m, f).instrs.map(i => i.op.name);
    assert.deepEqual(names(0), ['local.get', 'local.get', 'i32.add', 'end']);
    assert.deepEqual(names(1), ['i32.const', 'i32.const', 'call', 'i32.const', 'i32.const', 'call', 'drop', 'drop', 'nop', 'end']);
    assert.equal(m.names?.funcs?.get(0), 'add', 'names are kept for fname');
});

test('binaries are taken as they are; text is recognised by extension or content', async () => {
    const bin = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    assert.equal(isWatApp('x.wat', bin), false);
    assert.equal(await appModuleFromFile('x.wasm', bin), bin);
    assert.equal(isWatApp('x.txt', new TextEncoder().encode('  (module)')), true);
    assert.equal(isWatApp('x.wat', new TextEncoder().encode('')), true);
});

test('whamm instr --app app.wat instruments it; run and coverage take .wat apps too', () => {
    const dir = tmp();
    try {
        fs.writeFileSync(path.join(dir, 'app.wat'), APP);
        fs.writeFileSync(path.join(dir, 'calls.mm'), SCRIPT);
        const i = whamm(['instr', '--app', 'app.wat', '--script', 'calls.mm', '-o', 'out.wasm'], dir);
        assert.equal(i.code, 0, i.err);
        const r = whamm(['run', 'out.wasm'], dir);
        assert.equal(r.code, 0, r.err);
        assert.match(r.out, /, calls, u32, i32, script0, , , , , 2$/m);
        assert.match(r.out, /, adds, u32, i32, script0, , , , , 10$/m, '1+2 and 3+4');
        const plain = whamm(['run', 'app.wat'], dir);
        assert.equal(plain.code, 0, plain.err);
        const cov = whamm(['coverage', '--app', 'app.wat', '--json', 'cov.json'], dir);
        assert.equal(cov.code, 0, cov.err);
        const json = JSON.parse(fs.readFileSync(path.join(dir, 'cov.json'), 'utf8'));
        assert.ok(JSON.stringify(json).includes('add'), 'functions are named from the text');
    } finally {
        fs.rmSync(dir, { recursive: true });
    }
});

test('errors in a .wat app are reported at file:line:col and nothing is written', () => {
    const dir = tmp();
    try {
        fs.writeFileSync(path.join(dir, 'bad.wat'), '(module\n  (func\n    i32.bogus))\n');
        fs.writeFileSync(path.join(dir, 'type.wat'), '(module\n  (func (export "_start")\n    i32.const 1))\n');
        fs.writeFileSync(path.join(dir, 'calls.mm'), SCRIPT);
        const bad = whamm(['instr', '--app', 'bad.wat', '--script', 'calls.mm', '-o', 'out.wasm'], dir);
        assert.equal(bad.code, 2);
        assert.match(bad.err, /^bad\.wat:3:5: error: unexpected token i32\.bogus/m);
        assert.ok(!fs.existsSync(path.join(dir, 'out.wasm')));
        const invalid = whamm(['run', 'type.wat'], dir);
        assert.equal(invalid.code, 2);
        assert.match(invalid.err, /^type\.wat:3:5: error: type mismatch/m);
    } finally {
        fs.rmSync(dir, { recursive: true });
    }
});

const BUNDLE = path.join(PROJECT_ROOT, 'out', 'cli.cjs');
test('the bundled CLI assembles .wat apps (wabt is part of the bundle)', { skip: fs.existsSync(BUNDLE) ? false : 'out/cli.cjs not built (node .ci/build.mjs)' }, () => {
    const dir = tmp();
    try {
        fs.writeFileSync(path.join(dir, 'app.wat'), APP);
        fs.writeFileSync(path.join(dir, 'calls.mm'), SCRIPT);
        const r = spawnSync(process.execPath, [BUNDLE, 'instr', '--app', 'app.wat', '--script', 'calls.mm', '-o', 'out.wasm'], { cwd: dir, encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        assert.ok(fs.existsSync(path.join(dir, 'out.wasm')));
    } finally {
        fs.rmSync(dir, { recursive: true });
    }
});
