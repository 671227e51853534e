// Whamm scalar types as the engine compiles them: their wasm representation and the normal form of a
// constant of each type (integers as bigint wrapped to the declared width, floats as numbers).
import { stringHandle } from './string-handles.js';

export type IntType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64';
export type FloatType = 'f32' | 'f64';
export type ScalarType = IntType | FloatType | 'bool';
export type WType = ScalarType | 'str' | 'unit' | 'map' | 'tuple' | 'funcref';
export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref' | 'ref';

export const INT_TYPES: readonly IntType[] = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'u64', 'i64'];

export function isInt(t: WType): t is IntType { return (INT_TYPES as readonly string[]).includes(t); }
export function isFloat(t: WType): t is FloatType { return t === 'f32' || t === 'f64'; }
export function isNumeric(t: WType): boolean { return isInt(t) || isFloat(t); }
export function isSigned(t: WType): boolean { return t === 'i8' || t === 'i16' || t === 'i32' || t === 'i64'; }
export function bitsOf(t: IntType): number { return Number(t.slice(1)); }
export function is64(t: WType): boolean { return t === 'u64' || t === 'i64'; }

/** The wasm value type that holds a Whamm scalar. */
export function valTypeOf(t: WType): ValType {
    switch (t) {
        case 'u64': case 'i64': return 'i64';
        case 'f32': return 'f32';
        case 'f64': return 'f64';
        case 'funcref': return 'funcref';
        default: return 'i32';
    }
}

/** The Whamm type a wasm operand of the given value type is seen as (signed, as the reference does). */
export function whammTypeOfVal(v: ValType): WType {
    switch (v) {
        case 'i32': return 'i32';
        case 'i64': return 'i64';
        case 'f32': return 'f32';
        case 'f64': return 'f64';
        case 'funcref': return 'funcref';
        default: return 'unit';
    }
}

export type Const = bigint | number | boolean | string;

/** Wraps an integer to the width and signedness of `t`. */
export function wrapInt(v: bigint, t: IntType): bigint {
    const bits = bitsOf(t);
    return isSigned(t) ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v);
}

/** Converts a constant of type `from` to type `to` with the engine's cast semantics. */
export function convert(v: Const, from: WType, to: WType): Const {
    if (from === to) return v;
    if (to === 'bool') {
        if (typeof v === 'bigint') return v !== 0n;
        if (typeof v === 'number') return v !== 0;
        return Boolean(v);
    }
    if (isInt(to)) {
        if (typeof v === 'boolean') return v ? 1n : 0n;
        if (typeof v === 'bigint') return wrapInt(v, to);
        if (typeof v === 'number') return truncSat(v, to);
    }
    if (isFloat(to)) {
        let n: number;
        if (typeof v === 'boolean') n = v ? 1 : 0;
        else if (typeof v === 'bigint') n = Number(v);
        else n = Number(v);
        return to === 'f32' ? Math.fround(n) : n;
    }
    return v;
}

/** Float -> int conversion, saturating and NaN -> 0 (the non-trapping wasm conversion). */
function truncSat(n: number, t: IntType): bigint {
    if (Number.isNaN(n)) return 0n;
    const bits = bitsOf(t) > 32 ? 64 : 32;
    const signed = isSigned(t);
    const min = signed ? -(1n << BigInt(bits - 1)) : 0n;
    const max = signed ? (1n << BigInt(bits - 1)) - 1n : (1n << BigInt(bits)) - 1n;
    let r: bigint;
    if (n === Infinity) r = max;
    else if (n === -Infinity) r = min;
    else {
        r = BigInt(Math.trunc(n));
        if (r < min) r = min;
        if (r > max) r = max;
    }
    return wrapInt(r, t);
}

export function defaultOf(t: WType): Const {
    if (isInt(t)) return 0n;
    if (isFloat(t)) return 0;
    if (t === 'bool') return false;
    if (t === 'str') return '';
    return 0n;
}

/** A constant's i64 bit pattern, as the report readers return it. */
export function constBits(v: Const, t: WType): bigint {
    if (t === 'str' && typeof v === 'string') return BigInt(stringHandle(v)); // a str is its handle
    if (typeof v === 'boolean') return v ? 1n : 0n;
    if (typeof v === 'bigint') return BigInt.asIntN(64, v);
    if (typeof v === 'number') {
        const f = new Float64Array([t === 'f32' ? Math.fround(v) : v]);
        return new BigInt64Array(f.buffer)[0];
    }
    return 0n;
}
