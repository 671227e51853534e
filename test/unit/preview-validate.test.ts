// The output check of `whamm instr`: a valid result passes; a result whose injected code does not validate
// is reported with the probe and the instruction it was placed at (the fragment V8's failing offset lies
// in). `whamm instr` runs the check before writing anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { wat } from '../support/wat.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { checkOutput, PlacedLog } from '../../server/src/preview/validate.js';
import { bodyLocals, bodyOf, decodeModule } from '../../server/src/wasm/index.js';

const APP = `(module
  (func $a (result i32) i32.const 1)
  (func $b (result i32) call $a i32.const 2 i32.add))`;
const SCRIPT = 'var n: i32;\nwasm:opcode:i32.const:before { n = n + 1; }\nwasm:opcode:call:before { n = n + 7; }';

test('a valid instrumentation passes the check', async () => {
    const app = await wat(APP);
    const placed = new PlacedLog();
    const r = await instrument({ app, script: SCRIPT, plan: placed });
    assert.ok(placed.length >= 3);
    assert.equal(await checkOutput(r.bytes, app, placed, () => ''), null);
});

test('injected code that does not validate is reported with its probe and site', async () => {
    const app = await wat(APP);
    const placed = new PlacedLog();
    const r = await instrument({ app, script: SCRIPT, plan: placed });
    const out = r.bytes.slice();
    // Break probe 1's code in $b: its `i32.const 7` becomes `i64.const 7`, so the add after it fails.
    const m = decodeModule(out);
    const body = bodyOf(m, 1)!;
    const codeStart = bodyLocals(m, body).codeStart;
    const frag = placed.find(1, 0)!;
    assert.equal(frag.probe, 1);
    let k = codeStart;
    while (!(out[k] === 0x41 && out[k + 1] === 0x07)) k++;
    out[k] = 0x42;
    const bad = await checkOutput(out, app, placed, p => (p === 1 ? 'wasm:opcode:call:before' : '?'));
    assert.ok(bad, 'reported');
    assert.equal(bad.probe, 1);
    assert.equal(bad.fid, 1);
    assert.equal(bad.opidx, 0);
    assert.match(bad.message, /^the code of probe 1 \(wasm:opcode:call:before\) before instruction 0 of function 1 makes the module invalid: /);
});

test('without a log of every fragment, the rejected function is instrumented again to name the probe', async () => {
    const app = await wat(APP);
    const additions = new PlacedLog(-1);
    const r = await instrument({ app, script: SCRIPT, plan: additions });
    assert.equal(additions.length, 0, 'no fragment kept');
    const out = r.bytes.slice();
    const m = decodeModule(out);
    let k = bodyLocals(m, bodyOf(m, 1)!).codeStart;
    while (!(out[k] === 0x41 && out[k + 1] === 0x07)) k++;
    out[k] = 0x42;
    const replayed: number[] = [];
    const bad = await checkOutput(out, app, additions, p => (p === 1 ? 'wasm:opcode:call:before' : '?'), async fid => {
        replayed.push(fid);
        const log = new PlacedLog(fid);
        await instrument({ app, script: SCRIPT, plan: log, dryRun: true });
        assert.ok(log.length >= 1 && log.find(0, 0) === undefined, 'only the function asked for');
        return log;
    });
    assert.deepEqual(replayed, [1]);
    assert.ok(bad, 'reported');
    assert.equal(bad.probe, 1);
    assert.equal(bad.opidx, 0);
    assert.match(bad.message, /^the code of probe 1 \(wasm:opcode:call:before\) before instruction 0 of function 1 makes the module invalid: /);
});
