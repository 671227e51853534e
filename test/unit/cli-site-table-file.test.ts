// The site table beside `whamm instr`'s output, for an app with more sites than the table keeps in memory:
// rows handed to a scratch file while the engine runs come back in order, equal to the table the engine
// builds in memory, and no scratch file is left behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wat } from '../support/engine-harness.js';
import { whamm } from '../support/cli.js';
import { instrument } from '../../server/src/engine/instrument.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-sites-'));

test('a table of 150,000 sites is written whole and in order, with nothing left beside it', async () => {
    // Three functions of 25,000 `i32.const; drop` pairs: 150,000 instructions, each a site of `*`.
    const body = '(drop (i32.const 7))'.repeat(25_000);
    const appBytes = await wat(`(module (func $a ${body}) (func $b ${body}) (func (export "_start") ${body} (call $a) (call $b)))`);
    const app = path.join(dir, 'many.wasm');
    fs.writeFileSync(app, appBytes);
    const scriptText = 'report var n: u64;\nwasm:opcode:*:before { n++; }\n';
    const script = path.join(dir, 'all.mm');
    fs.writeFileSync(script, scriptText);
    const out = path.join(dir, 'many.instr.wasm');
    const r = whamm(['instr', '--app', app, '--script', script, '-o', out]);
    assert.equal(r.code, 0, r.err);
    const table = JSON.parse(fs.readFileSync(path.join(dir, 'many.instr.sites.json'), 'utf8'));
    const expected = (await instrument({ app: appBytes, script: scriptText })).sites;
    assert.ok(expected.length > 150_000, `${expected.length} sites`);
    assert.equal(table.sites.length, expected.length);
    const cols = [expected.fid, expected.pc, expected.opidx, expected.offset, expected.probe, expected.ruleId];
    for (let i = 0; i < expected.length; i++) {
        const row = table.sites[i];
        for (let k = 0; k < 6; k++) if (row[k] !== cols[k][i]) assert.fail(`row ${i} column ${table.columns[k]}: ${row[k]} != ${cols[k][i]}`);
    }
    assert.deepEqual(table.rules, expected.rules);
    assert.equal(table.module.bytes, fs.statSync(out).size);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['all.mm', 'many.instr.sites.json', 'many.instr.wasm', 'many.wasm']);
    const run = whamm(['run', out]);
    assert.equal(run.code, 0, run.err);
});
