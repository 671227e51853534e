// `whamm/sites` (the "N sites" CodeLens): match sites per probe without running, with source locations
// from the app's debug info. Expected counts come from the fixtures' text and from llvm-objdump.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import '../../server/src/polyfill.js';
import { computeSites } from '../../server/src/language/lsp/sites.js';
import { buildCSample, C_SRC_DIR, LLVM_OBJDUMP, SKIP_NO_CLANG, SKIP_NO_OBJDUMP } from '../support/samples.js';
import { PROJECT_ROOT } from '../support/shared.js';
import { wat } from '../support/wat.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-sites-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const FIXTURES = path.join(PROJECT_ROOT, 'test', 'e2e', 'fixtures', 'workspace');

test('each probe gets its site count and position; the fixture app has one br_if and no br_table', async () => {
    const app = path.join(tmp, 'app.wasm');
    fs.writeFileSync(app, await wat(fs.readFileSync(path.join(FIXTURES, 'app.wat'), 'utf8')));
    const script = 'report var a: u32;\nreport var b: u32;\n\nwasm:opcode:br_if:before {\n    a++;\n}\n\nwasm:opcode:br_table:before {\n    b++;\n}\n';
    const r = await computeSites({ app, script });
    assert.equal(r.error, undefined);
    assert.deepEqual(r.probes.map(p => [p.rule, p.line, p.count]), [['wasm:opcode:br_if:before', 3, 1], ['wasm:opcode:br_table:before', 7, 0]]);
    assert.equal(r.mapping, 'none');
    assert.equal(r.probes[0].sites[0].file, undefined, 'no debug info, no source location');
});

test('script errors and missing apps come back as an error, not a crash', async () => {
    const app = path.join(tmp, 'app2.wasm');
    fs.writeFileSync(app, await wat('(module (func (export "_start")))'));
    const bad = await computeSites({ app, script: 'wasm:opcode:br_iff:before { x++; }\n' });
    assert.ok(bad.error);
    assert.deepEqual(bad.probes, []);
    const missing = await computeSites({ app: path.join(tmp, 'nope.wasm'), script: 'wasm:opcode:br_if:before { }\n' });
    assert.match(missing.error ?? '', /cannot read the app/);
});

test('C sample: br_table sites match llvm-objdump, and the switch of name_of maps to main.c:26', { skip: SKIP_NO_CLANG || SKIP_NO_OBJDUMP }, async () => {
    const app = buildCSample(4);
    const dis = execFileSync(LLVM_OBJDUMP!, ['-d', app], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const expected = dis.split('\n').filter(l => /^\s+[0-9a-f]+:.*\sbr_table\b/.test(l)).length;
    assert.ok(expected > 0, 'objdump lists br_table instructions');
    const r = await computeSites({ app, script: 'wasm:opcode:br_table:before { }\n', limit: 100000 });
    assert.equal(r.error, undefined);
    assert.equal(r.mapping, 'dwarf');
    assert.equal(r.probes[0].count, expected);
    const main = path.join(C_SRC_DIR, 'main.c');
    const inMain = r.probes[0].sites.filter(s => s.file === main);
    assert.deepEqual(inMain.map(s => [s.fname, s.line]), [['name_of', 26]]);
});
