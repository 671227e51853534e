// Predicates that read only function-level facts (fid, fname) decide for a whole function at once: the
// sites a probe gets must be exactly those of the same probe without the predicate, filtered by what the
// predicate says (including `||`, `!`, contradictions and conjuncts that depend on the site).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { wat } from '../support/wat.js';
import { instrument } from '../../server/src/engine/instrument.js';

// fid 0: the import; 1 $helper (one call); 2 $main (two calls); 3 $leaf (no call).
const APP = `(module
  (import "env" "log" (func $log (param i32)))
  (func $helper (param i32) (result i32)
    i32.const 7
    call $log
    local.get 0)
  (func $main (export "main")
    i32.const 1
    call $helper
    drop
    i32.const 0
    call $helper
    drop)
  (func $leaf (result i32) i32.const 3))`;

type Site = [fid: number, pc: number];
let app: Uint8Array | undefined;
async function sites(rule: string, pred?: string): Promise<Site[]> {
    app ??= await wat(APP);
    const r = await instrument({ app, script: `var n: u32;\n${rule}${pred ? ` / ${pred} /` : ''} { n = n + 1; }` });
    assert.ok(WebAssembly.validate(r.bytes));
    return [...r.sites].map(s => [s.fid, s.pc]);
}

test('fid/fname predicates keep exactly the sites of the functions they select', async () => {
    const all = await sites('wasm:opcode:call:before');
    assert.deepEqual(all.map(s => s[0]), [1, 2, 2]);
    const only = (keep: (s: Site) => boolean) => all.filter(keep);
    assert.deepEqual(await sites('wasm:opcode:call:before', 'fid == 2'), only(s => s[0] === 2));
    assert.deepEqual(await sites('wasm:opcode:call:before', 'fname == "helper"'), only(s => s[0] === 1));
    assert.deepEqual(await sites('wasm:opcode:call:before', '!(fid == 1)'), only(s => s[0] !== 1));
    assert.deepEqual(await sites('wasm:opcode:call:before', 'fid == 2 || fid == 1'), all);
    assert.deepEqual(await sites('wasm:opcode:call:before', 'fid == 1 && fid == 2'), []);
    assert.deepEqual(await sites('wasm:opcode:call:before', 'fid == 3'), []);
});

test('a function-level conjunct beside a site-dependent one: both decide', async () => {
    const all = await sites('wasm:opcode:call:before');
    const lastOfMain = Math.max(...all.filter(s => s[0] === 2).map(s => s[1]));
    assert.deepEqual(await sites('wasm:opcode:call:before', `fid == 2 && pc == ${lastOfMain}`), [[2, lastOfMain]]);
    assert.deepEqual(await sites('wasm:opcode:call:before', `pc == ${lastOfMain} && fid != 2`), []);
    assert.deepEqual(await sites('wasm:opcode:call:before', `(fid == 2 && pc == ${lastOfMain}) || fid == 1`), all.filter(s => s[0] === 1 || s[1] === lastOfMain && s[0] === 2));
});

test('function events and the site-independent path follow the same predicate', async () => {
    assert.deepEqual((await sites('wasm:func:entry', 'fid == 3')).map(s => s[0]), [3]);
    assert.deepEqual((await sites('wasm:func:entry', 'fname != "main"')).map(s => s[0]), [1, 3]);
    assert.deepEqual((await sites('wasm:opcode:drop:before', 'fid != 2')), []);
});
