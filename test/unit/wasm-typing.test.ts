// Operand typing: for each instruction, the types it consumes (arg0 = top of stack first) and produces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { wat } from '../support/wat.js';
import { SKIP_NO_SHARED, sharedPath } from '../support/shared.js';
import { decodeModule, typeBody } from '../../server/src/wasm/index.js';

/** [name, operands (arg0 first), results] per instruction of function `f`. */
async function typed(source: string, f: number) {
    const m = decodeModule(await wat(source));
    const t = typeBody(m, f);
    return t.instrs.map((ins, i) => [ins.op.name, t.operands[i], t.results[i], t.unreachable[i]] as const);
}

test('locals, globals, calls, select, drop and memory64 addresses', async () => {
    const rows = await typed(`(module
      (type $t2 (func (param i32 f64) (result i64)))
      (import "env" "f" (func $f (type $t2)))
      (global $g (mut f32) (f32.const 0))
      (memory $m0 1) (memory $m1 i64 1)
      (func $main (param $p i32) (param $q f64) (result i64) (local $l i64)
        local.get $p
        local.get $q
        call $f
        local.tee $l
        drop
        global.get $g
        global.set $g
        i64.const 2
        i64.const 3
        local.get $p
        select
        drop
        local.get $p
        i64.const 0
        i32.load $m1
        i32.store8 $m0 offset=4
        local.get $l))`, 1);
    assert.deepEqual(rows, [
        ['local.get', [], ['i32'], false],
        ['local.get', [], ['f64'], false],
        ['call', ['f64', 'i32'], ['i64'], false],
        ['local.tee', ['i64'], ['i64'], false],
        ['drop', ['i64'], [], false],
        ['global.get', [], ['f32'], false],
        ['global.set', ['f32'], [], false],
        ['i64.const', [], ['i64'], false],
        ['i64.const', [], ['i64'], false],
        ['local.get', [], ['i32'], false],
        ['select', ['i32', 'i64', 'i64'], ['i64'], false],
        ['drop', ['i64'], [], false],
        ['local.get', [], ['i32'], false],
        ['i64.const', [], ['i64'], false],
        ['i32.load', ['i64'], ['i32'], false], // memory 1 is 64-bit: its addresses are i64
        ['i32.store8', ['i32', 'i32'], [], false], // arg0 = stored value, arg1 = address in memory 0
        ['local.get', [], ['i64'], false],
        ['end', ['i64'], ['i64'], false],
    ]);
});

test('blocks with parameters, branches, and unreachable code', async () => {
    const rows = await typed(`(module
      (func (param i32) (result i32)
        local.get 0
        block (param i32) (result i32)
          i32.const 7
          br_if 0
        end
        block $b
          br $b
          i32.add
          drop
          drop
        end))`, 0);
    assert.deepEqual(rows, [
        ['local.get', [], ['i32'], false],
        ['block', ['i32'], [], false],
        ['i32.const', [], ['i32'], false],
        ['br_if', ['i32', 'i32'], ['i32'], false],
        ['end', ['i32'], ['i32'], false],
        ['block', [], [], false],
        ['br', [], [], false],
        // after br: polymorphic stack; fixed signatures still type their operands
        ['i32.add', ['i32', 'i32'], ['i32'], true],
        ['drop', ['i32'], [], true],
        ['drop', ['unknown'], [], true],
        ['end', [], [], true],
        ['end', ['i32'], ['i32'], false],
    ]);
});

test('if/else, call_indirect, return and typed select', async () => {
    const rows = await typed(`(module
      (type $ii (func (param i32) (result i32)))
      (table 1 funcref)
      (func (param i32) (result f64)
        local.get 0
        if (result f64)
          f64.const 1
        else
          local.get 0
          i32.const 0
          call_indirect (type $ii)
          f64.convert_i32_s
        end
        f64.const 2
        local.get 0
        select (result f64)
        return))`, 0);
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[2]]), [
        ['local.get', [], ['i32']],
        ['if', ['i32'], []],
        ['f64.const', [], ['f64']],
        ['else', ['f64'], []],
        ['local.get', [], ['i32']],
        ['i32.const', [], ['i32']],
        ['call_indirect', ['i32', 'i32'], ['i32']],
        ['f64.convert_i32_s', ['i32'], ['f64']],
        ['end', ['f64'], ['f64']],
        ['f64.const', [], ['f64']],
        ['local.get', [], ['i32']],
        ['typed_select', ['i32', 'f64', 'f64'], ['f64']],
        ['return', ['f64'], []],
        // unreachable, but the function frame still declares what its end consumes and yields
        ['end', ['f64'], ['f64']],
    ]);
    assert.equal(rows[13][3], true, 'the final end follows a return');
});

test('typing a whole real module: every instruction typed, nothing left unknown in reachable code', { skip: SKIP_NO_SHARED }, () => {
    const m = decodeModule(fs.readFileSync(sharedPath('bench', 'apps', 'real', 'mandelbrot.wasm')));
    let n = 0;
    for (const b of m.bodies) {
        const t = typeBody(m, b.func);
        t.instrs.forEach((ins, i) => {
            n++;
            if (!t.unreachable[i]) {
                assert.ok(!t.operands[i].includes('unknown'), `${ins.op.name} at ${ins.offset}: ${t.operands[i]}`);
                assert.equal(t.operands[i].length, ins.op.fixed ? ins.op.params.length : t.operands[i].length);
            }
        });
    }
    assert.ok(n > 1000);
});
