// Memory built-ins through the pipeline: dup_at on each bulk-memory instruction, memcpy across
// instances, active_data_start/len; a user library written here gives the second memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';
import { watToWasm } from '../../server/src/wasm/wat-assemble.js';

const LIB = `(module (memory (export "memory") 1)
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0))))`;

// Memory is not exported; one active segment "AB" at 100, one passive "xyz".
const APP = `(module
  (memory 1)
  (data (i32.const 100) "AB")
  (data $p "xyz")
  (func (export "_start")
    (memory.copy (i32.const 200) (i32.const 100) (i32.const 2))
    (memory.fill (i32.const 300) (i32.const 42) (i32.const 3))
    (memory.init $p (i32.const 400) (i32.const 1) (i32.const 2))))`;

const SCRIPT = `
use box;
report var st: u32 = active_data_start(APP_MEMID);
report var ln: u32 = active_data_len(APP_MEMID);
memcpy(APP_MEMID, 101, memid(box), 50, 1);
report var m: i32;

wasm:opcode:memory.copy|memory.fill|memory.init:before {
    m = box.peek(50);
    dup_at(memid(box), 0);
    report var b0: i32;
    b0 = box.peek(0);
    report var b1: i32;
    b1 = box.peek(1);
}`;

test('dup_at replays memory.copy/fill/init into another memory; memcpy; active data span', async () => {
    const userLibs = new Map([['box', await watToWasm(LIB)]]);
    const { bytes } = await instrument({ app: await watToWasm(APP), script: SCRIPT, userLibs });
    let out = '';
    const r = await runModule(bytes, { userLibs, stdout: t => { out += t; }, stderr: t => { out += t; } });
    assert.equal(r.exitCode, 0, out);
    const rows = out.split('\n').filter(l => /^\d/.test(l)).map(l => l.split(', '));
    const global = (name: string) => rows.find(f => f[2] === name && f[7] === '')?.[10];
    const bySite = (name: string) => rows.filter(f => f[2] === name).sort((a, b) => Number(a[8]) - Number(b[8])).map(f => f[10]);
    assert.equal(global('st'), '100');
    assert.equal(global('ln'), '2');
    assert.equal(global('m'), String('B'.charCodeAt(0)));
    // Sites in code order: memory.copy ("AB"), memory.fill (42 42), memory.init ("yz" from offset 1).
    assert.deepEqual(bySite('b0'), ['65', '42', String('y'.charCodeAt(0))]);
    assert.deepEqual(bySite('b1'), ['66', '42', String('z'.charCodeAt(0))]);
});
