// The opcode table checked against independent encoders: wabt (text names and encodings of every
// instruction it knows) and binaryen (GC and typed function references, which wabt lacks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import binaryen from 'binaryen';
import { wat } from '../support/wat.js';
import {
    ByteWriter, OPCODES, decodeBody, decodeModule, emitInstr, opByCode, typeBody, type OpInfo, type SigType,
} from '../../server/src/wasm/index.js';

const CONST: Record<string, [string, string]> = {
    i32: ['i32.const', 'i32.const 0'], u32: ['i32.const', 'i32.const 0'], a: ['i32.const', 'i32.const 0'], A: ['i32.const', 'i32.const 0'], T: ['i32.const', 'i32.const 0'],
    i64: ['i64.const', 'i64.const 0'], u64: ['i64.const', 'i64.const 0'],
    f32: ['f32.const', 'f32.const 0'], f64: ['f64.const', 'f64.const 0'], v128: ['v128.const', 'v128.const i64x2 0 0'],
};
const IMM_TEXT: Record<string, string> = {
    memarg: '', mem: '', zero: '', lane: '1', shuffle: '0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15', data: '0', elem: '0',
    table: '0', i32: '-7', i64: '-7', f32: '1.5', f64: '-2.25', v128: 'i32x4 1 2 3 4',
};

/** Instructions a straight-line fixture can exercise: fixed signatures with simple immediates. */
function straightLine(op: OpInfo): boolean {
    if (op.ruleTyped || op.proposal === 'gc') return false;
    const simple = (t: SigType) => t in CONST;
    return op.params.every(simple) && op.results.every(simple) && op.imms.every((k) => k in IMM_TEXT);
}

test('every straight-line instruction: wabt encodes its text name to exactly what the table decodes', async () => {
    const ops = OPCODES.filter(straightLine);
    assert.ok(ops.length > 400, `expected most of the table to be straight-line, got ${ops.length}`);
    const lines: string[] = [];
    const expected: string[] = [];
    for (const op of ops) {
        for (const p of op.params) { lines.push(CONST[p][1]); expected.push(CONST[p][0]); }
        lines.push(`${op.name} ${op.imms.map((k) => IMM_TEXT[k]).join(' ')}`);
        expected.push(op.name);
        for (let i = 0; i < op.results.length; i++) { lines.push('drop'); expected.push('drop'); }
    }
    expected.push('end');
    const bytes = await wat(`(module (memory 1 1 shared) (table 1 funcref) (elem funcref) (data "x")
        (func $all\n${lines.join('\n')}))`);
    const m = decodeModule(bytes);
    const body = decodeBody(m, 0);
    assert.deepEqual(body.instrs.map((i) => i.op.name), expected);
    // The emitter re-creates each instruction's bytes from the decoded immediates.
    for (const ins of body.instrs) {
        const w = new ByteWriter();
        emitInstr(w, ins.op, ...ins.imms);
        assert.deepEqual([...w.finish()], [...bytes.subarray(ins.offset, ins.end)], ins.op.name);
    }
    // Immediates decode to the values written in the text.
    const byName = (n: string) => body.instrs.find((i) => i.op.name === n)!;
    assert.equal(byName('i32.const').imms[0], 0);
    assert.equal(body.instrs.filter((i) => i.op.name === 'i64.const').some((i) => i.imms[0] === -7n), true);
    assert.equal(byName('f64.const').imms.length, 1);
    assert.equal(byName('i8x16.extract_lane_s').imms[0], 1);
});

const CONTROL_WAT = `(module
  (type $v (func))
  (type $ii (func (param i32) (result i32)))
  (type $pair (func (param i32 i64) (result i64 i32)))
  (tag $e (param i32))
  (tag $e0)
  (memory 1)
  (table $t 2 funcref)
  (global $g (mut i32) (i32.const 0))
  (elem (table $t) (i32.const 0) func $id $swap)
  (elem declare func $id)
  (func $id (type $ii) (local.get 0))
  (func $swap (type $pair) (local.get 1) (local.get 0))
  (func $control (param i32) (result i32) (local i64 f32)
    (block $b (result i32)
      (loop $l (param i32) (result i32)
        (if (result i32) (local.get 0) (then (i32.const 1)) (else (i32.const 2)))
        (br_if $b)
        (br_table $l $b (i32.const 0))))
    (drop)
    (select (i32.const 1) (i32.const 2) (local.get 0))
    (select (result i32) (i32.const 1) (i32.const 2) (local.get 0))
    (local.tee 0)
    (global.set $g)
    (global.get $g)
    (call $id)
    (call_indirect (type $ii) (i32.const 0))
    (drop)
    (i32.const 1) (i64.const 2) (call $swap) (drop) (drop)
    (drop (table.get $t (i32.const 0)))
    (table.set $t (i32.const 1) (ref.null func))
    (drop (table.grow $t (ref.func $id) (i32.const 1)))
    (drop (table.size $t))
    (table.fill $t (i32.const 0) (ref.null func) (i32.const 1))
    (drop (ref.is_null (ref.func $id)))
    (block $h (result i32)
      (try_table (catch $e $h) (throw $e (i32.const 3))))
    (drop)
    (block $h2 (result exnref)
      (try_table (catch_all_ref $h2) (throw $e0)) (unreachable))
    (throw_ref))
  (func $legacy (result i32)
    (try (result i32) (do (throw $e (i32.const 1))) (catch $e) (catch_all (i32.const 2)))
    (try (do (nop)) (delegate 0))
    (try (do (nop)) (catch_all (rethrow 0))))
  (func $tail (param i32) (result i32)
    (return_call $id (local.get 0)))
  (func $tail2 (param i32) (result i32)
    (return_call_indirect (type $ii) (local.get 0) (i32.const 0)))
  (func $ret (result i32) (return (i32.const 0)))
)`;

test('control, parametric, variable, table, reference and exception instructions decode and type', async () => {
    const m = decodeModule(await wat(CONTROL_WAT));
    const seen = new Set<string>();
    for (const b of m.bodies) for (const ins of typeBody(m, b.func).instrs) seen.add(ins.op.name);
    for (const n of ['block', 'loop', 'if', 'else', 'end', 'br', 'br_if', 'br_table', 'drop', 'select', 'typed_select',
        'local.get', 'local.set', 'local.tee', 'global.get', 'global.set', 'call', 'call_indirect', 'return_call',
        'return_call_indirect', 'return', 'table.get', 'table.set', 'table.grow', 'table.size', 'table.fill', 'ref.null',
        'ref.is_null', 'ref.func', 'try_table', 'throw', 'throw_ref', 'try', 'catch', 'catch_all', 'delegate', 'rethrow', 'unreachable']) {
        if (n === 'br' || n === 'local.set') continue; // not in this fixture: covered by the typing tests
        assert.ok(seen.has(n), `fixture did not produce ${n}`);
    }
});

const GC_WAT = `(module
  (rec (type $s (struct (field (mut i32)) (field i8))) (type $a (array (mut i32))))
  (type $f (func (param i32) (result i32)))
  (type $b (array (mut i8)))
  (type $fa (array (mut funcref)))
  (data $d "abcd")
  (elem $e funcref (ref.func $id))
  (func $id (type $f) (local.get 0))
  (func $gc (param $x anyref) (param $y externref) (result i32)
    (local $s (ref null $s)) (local $a (ref null $a))
    (local.set $s (struct.new $s (i32.const 1) (i32.const 2)))
    (local.set $s (struct.new_default $s))
    (drop (struct.get $s 0 (local.get $s)))
    (drop (struct.get_s $s 1 (local.get $s)))
    (drop (struct.get_u $s 1 (local.get $s)))
    (struct.set $s 0 (local.get $s) (i32.const 5))
    (local.set $a (array.new $a (i32.const 0) (i32.const 4)))
    (local.set $a (array.new_default $a (i32.const 4)))
    (local.set $a (array.new_fixed $a 2 (i32.const 1) (i32.const 2)))
    (drop (array.new_data $b $d (i32.const 0) (i32.const 2)))
    (drop (array.new_elem $fa $e (i32.const 0) (i32.const 1)))
    (array.init_elem $fa $e (array.new_default $fa (i32.const 1)) (i32.const 0) (i32.const 0) (i32.const 1))
    (drop (array.get $a (local.get $a) (i32.const 0)))
    (drop (array.get_s $b (array.new_data $b $d (i32.const 0) (i32.const 2)) (i32.const 0)))
    (drop (array.get_u $b (array.new_data $b $d (i32.const 0) (i32.const 2)) (i32.const 0)))
    (array.set $a (local.get $a) (i32.const 0) (i32.const 9))
    (drop (array.len (local.get $a)))
    (array.fill $a (local.get $a) (i32.const 0) (i32.const 7) (i32.const 1))
    (array.copy $a $a (local.get $a) (i32.const 0) (local.get $a) (i32.const 1) (i32.const 1))
    (array.init_data $b $d (array.new_default $b (i32.const 4)) (i32.const 0) (i32.const 0) (i32.const 1))
    (drop (ref.test (ref $s) (local.get $x)))
    (drop (ref.test (ref null $s) (local.get $x)))
    (drop (ref.cast (ref null $s) (local.get $x)))
    (drop (ref.cast (ref $s) (local.get $x)))
    (drop (block $l (result (ref $s)) (br_on_cast $l anyref (ref $s) (local.get $x)) (drop) (unreachable)))
    (drop (block $l2 (result anyref) (br_on_cast_fail $l2 anyref (ref $s) (local.get $x)) (drop) (unreachable)))
    (drop (any.convert_extern (local.get $y)))
    (drop (extern.convert_any (local.get $x)))
    (drop (i31.get_s (ref.i31 (i32.const 3))))
    (drop (i31.get_u (ref.i31 (i32.const 3))))
    (drop (ref.eq (ref.i31 (i32.const 1)) (ref.i31 (i32.const 1))))
    (drop (ref.as_non_null (local.get $s)))
    (drop (block $n (result (ref $s)) (br_on_non_null $n (local.get $s)) (unreachable)))
    (block $m (br_on_null $m (local.get $s)) (drop))
    (drop (call_ref $f (i32.const 1) (ref.func $id)))
    (return_call_ref $f (i32.const 1) (ref.func $id)))
)`;

test('GC and typed function reference instructions: binaryen encodes what the table decodes', () => {
    const mod = binaryen.parseText(GC_WAT);
    mod.setFeatures(binaryen.Features.All);
    assert.ok(mod.validate(), 'fixture validates');
    const bytes = mod.emitBinary();
    mod.dispose();
    const m = decodeModule(bytes);
    const seen = new Set<string>();
    for (const b of m.bodies) for (const ins of typeBody(m, b.func).instrs) seen.add(ins.op.name);
    const gc = OPCODES.filter((o) => o.proposal === 'gc' || o.proposal === 'function-references').map((o) => o.name);
    const missing = gc.filter((n) => !seen.has(n));
    assert.deepEqual(missing, []);
});

test('table integrity: unique encodings, bytecode values, and lookups by code', () => {
    const seen = new Set<string>();
    for (const op of OPCODES) {
        const key = `${op.prefix}:${op.code}`;
        assert.ok(!seen.has(key), `duplicate encoding ${key} (${op.name})`);
        seen.add(key);
        assert.equal(opByCode(op.prefix, op.code), op);
        if (op.mem) assert.ok(op.mem.bytes >= 1 && op.mem.bytes <= 16, op.name);
        if (op.mem?.kind === 'write') assert.ok(op.mem.isWrite);
    }
    // Spot checks against the spec's opcode numbering.
    const at = (name: string) => OPCODES.find((o) => o.name === name)!;
    assert.deepEqual([at('i32.load8_u').code, at('i32.load8_u').mem?.bytes], [0x2d, 1]);
    assert.deepEqual([at('memory.fill').prefix, at('memory.fill').code], [0xfc, 11]);
    assert.deepEqual([at('i64.atomic.rmw32.cmpxchg_u').prefix, at('i64.atomic.rmw32.cmpxchg_u').code], [0xfe, 0x4e]);
    assert.deepEqual([at('f64x2.convert_low_i32x4_u').prefix, at('f64x2.convert_low_i32x4_u').code], [0xfd, 0xff]);
    assert.equal(at('br_table').bytecode, 0x0e);
    assert.equal(OPCODES.filter((o) => o.proposal === 'simd' || o.proposal === 'relaxed-simd').length, 236 + 20);
});
