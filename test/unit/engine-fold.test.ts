import { test } from 'node:test';
import assert from 'node:assert/strict';
import { foldBinary, foldUnary } from '../../server/src/engine/fold.js';
import { convert } from '../../server/src/engine/types.js';

test('integer arithmetic wraps at the declared width', () => {
    assert.equal(foldBinary('+', 255n, 1n, 'u8'), 0n);
    assert.equal(foldBinary('+', 127n, 1n, 'i8'), -128n);
    assert.equal(foldBinary('-', 0n, 1n, 'u32'), 0xffffffffn);
    assert.equal(foldBinary('*', 0x10000n, 0x10000n, 'u32'), 0n);
    assert.equal(foldBinary('+', 0xffffffffffffffffn, 1n, 'u64'), 0n);
});

test('shifts: logical on unsigned, arithmetic on signed, count masked to the wasm width', () => {
    assert.equal(foldBinary('<<', 255n, 2n, 'u8'), 252n);   // (-1 as u8) << 2
    assert.equal(foldBinary('>>', 255n, 2n, 'u8'), 63n);
    assert.equal(foldBinary('>>', -1n, 2n, 'i8'), -1n);
    assert.equal(foldBinary('<<', 1n, 33n, 'u32'), 2n);
    assert.equal(foldBinary('>>', -16n, 2n, 'i64'), -4n);
});

test('division truncates toward zero and is left to run time when dividing by zero', () => {
    assert.equal(foldBinary('/', -7n, 2n, 'i32'), -3n);
    assert.equal(foldBinary('%', -7n, 2n, 'i32'), -1n);
    assert.equal(foldBinary('/', 1n, 0n, 'u32'), undefined);
    assert.equal(foldBinary('/', -128n, -1n, 'i8'), -128n);
});

test('bitwise not and negation', () => {
    assert.equal(foldUnary('~', 1n, 'u8'), 254n);
    assert.equal(foldUnary('~', -1n, 'i16'), 0n);
    assert.equal(foldUnary('-', 1n, 'u16'), 65535n);
    assert.equal(foldUnary('!', false, 'bool'), true);
});

test('f32 arithmetic rounds to single precision', () => {
    assert.equal(foldBinary('+', Math.fround(0.1), Math.fround(0.2), 'f32'), Math.fround(Math.fround(0.1) + Math.fround(0.2)));
    assert.equal(foldBinary('<', 1, 2, 'f64'), true);
});

test('casts: wrap between integers, saturate float to int, bool from non-zero', () => {
    assert.equal(convert(-1n, 'i32', 'u8'), 255n);
    assert.equal(convert(300n, 'u32', 'i8'), 44n);
    assert.equal(convert(3.9, 'f64', 'i32'), 3n);
    assert.equal(convert(-1e20, 'f64', 'i32'), -2147483648n);
    assert.equal(convert(NaN, 'f32', 'u32'), 0n);
    assert.equal(convert(2n, 'u32', 'bool'), true);
    assert.equal(convert(0.0, 'f64', 'bool'), false);
    assert.equal(convert(255n, 'u8', 'f32'), 255);
});
