// Instruction facts are columns of the opcode table (FLAGS ends/starts/trap/wtable, MEM): checked here
// against the WebAssembly specification's execution rules, instruction family by family.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OPCODES, op } from '../../server/src/wasm/index.js';

const names = (pred: (o: (typeof OPCODES)[number]) => boolean) => OPCODES.filter(pred).map(o => o.name).sort();

test('integer division and remainder trap (division by zero, overflow); float division and other arithmetic do not', () => {
    const intDivRem = OPCODES.filter(o => /^i(32|64)\.(div|rem)_[su]$/.test(o.name));
    assert.equal(intDivRem.length, 8);
    for (const o of intDivRem) assert.ok(o.mayTrap, o.name);
    for (const n of ['f32.div', 'f64.div', 'i32.add', 'i64.mul', 'i32.shl', 'f64.sqrt', 'i32.const', 'local.get', 'global.set', 'select', 'drop', 'nop']) {
        assert.equal(op(n).mayTrap, false, n);
    }
});

test('float-to-integer truncation traps unless saturating', () => {
    const trunc = OPCODES.filter(o => /^i(32|64)\.trunc_(sat_)?f(32|64)_[su]$/.test(o.name));
    assert.equal(trunc.length, 16);
    for (const o of trunc) assert.equal(o.mayTrap, !o.name.includes('_sat_'), o.name);
    for (const n of ['f32.convert_i32_s', 'i64.extend_i32_u', 'i32.wrap_i64', 'f64.promote_f32', 'i32.reinterpret_f32']) assert.equal(op(n).mayTrap, false, n);
});

test('every memory access may trap out of bounds, and so may bulk memory and table access', () => {
    const access = OPCODES.filter(o => /\.(load|store)/.test(o.name) || o.category === 'load' || o.category === 'store' || o.category === 'atomic' && o.name !== 'atomic.fence');
    assert.ok(access.length > 60, 'loads, stores, SIMD lane loads, atomics');
    for (const o of access) assert.ok(o.mayTrap && o.mem !== null, o.name);
    for (const n of ['memory.fill', 'memory.copy', 'memory.init', 'table.get', 'table.set', 'table.fill', 'table.copy', 'table.init']) assert.ok(op(n).mayTrap, n);
    for (const n of ['memory.size', 'memory.grow', 'data.drop', 'table.size', 'table.grow', 'elem.drop', 'atomic.fence']) assert.equal(op(n).mayTrap, false, n);
});

test('unreachable, indirect calls, null references and failed casts trap; direct calls and branches do not', () => {
    for (const n of ['unreachable', 'call_indirect', 'return_call_indirect', 'call_ref', 'return_call_ref', 'ref.as_non_null', 'throw_ref',
        'struct.get', 'struct.set', 'array.get', 'array.set', 'array.len', 'array.fill', 'array.copy', 'ref.cast', 'ref.cast_null', 'i31.get_s']) {
        assert.ok(op(n).mayTrap, n);
    }
    for (const n of ['call', 'return_call', 'br', 'br_if', 'br_table', 'return', 'throw', 'ref.test', 'br_on_cast', 'ref.is_null', 'struct.new', 'ref.i31']) {
        assert.equal(op(n).mayTrap, false, n);
    }
});

test('basic blocks end at every transfer of control and at block structure, and start at branch targets and arms', () => {
    const transfers = names(o => o.category === 'branch' || /^(return|return_call.*|unreachable|throw|throw_ref|rethrow|br_on_.*)$/.test(o.name));
    const structure = ['block', 'catch', 'catch_all', 'delegate', 'else', 'end', 'if', 'loop', 'try', 'try_table'];
    assert.deepEqual(names(o => o.endsBlock), [...new Set([...transfers, ...structure])].sort());
    // Reached other than from the instruction before: a loop header (its branches), the else arm, the
    // continuation after an end, and exception handlers.
    assert.deepEqual(names(o => o.startsBlock), ['catch', 'catch_all', 'delegate', 'else', 'end', 'loop']);
    for (const o of OPCODES) if (o.blockLike) assert.ok(o.endsBlock, `${o.name} opens a block`);
    assert.equal(op('call').endsBlock, false);
});

test('table writes are the instructions that change a table', () => {
    assert.deepEqual(names(o => o.writesTable), ['table.copy', 'table.fill', 'table.grow', 'table.init', 'table.set']);
});
