// Lowering of Whamm values to wasm: constants, normalisation of narrow integers, conversions and binary
// operators by type.
import { CodeWriter, OP } from './emit.js';
import { CompileError } from './compile-types.js';
import { stringHandle } from './string-handles.js';
import type { BinOp } from './fold.js';
import { type Const, type WType, is64, isFloat, isInt, isSigned, valTypeOf } from './types.js';

export const num = (v: Const): bigint => (typeof v === 'bigint' ? v : typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(Math.trunc(Number(v))));

export function cmpOp(op: BinOp): boolean {
    return op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=';
}

export function isScalar(t: WType): boolean {
    return isInt(t) || isFloat(t) || t === 'bool';
}

// ---------- wasm code for values ----------

export function emitConst(w: CodeWriter, t: WType, v: Const): void {
    if (t === 'str' && typeof v === 'string') v = BigInt(stringHandle(v)); // a str is its handle
    switch (valTypeOf(t)) {
        case 'i32': w.byte(OP.i32_const).s32(Number(BigInt.asIntN(32, num(v)))); break;
        case 'i64': w.byte(OP.i64_const).s64(num(v)); break;
        case 'f32': w.byte(OP.f32_const).f32(Number(v)); break;
        case 'f64': w.byte(OP.f64_const).f64(Number(v)); break;
        default: throw new CompileError(`no constant of type ${t}`);
    }
}

/** Brings an i32 holding a narrow integer into its normal form (zero- or sign-extended). */
export function normalize(w: CodeWriter, t: WType): void {
    switch (t) {
        case 'u8': w.byte(OP.i32_const).s32(0xff).byte(OP.i32_and); break;
        case 'u16': w.byte(OP.i32_const).s32(0xffff).byte(OP.i32_and); break;
        case 'i8': w.byte(OP.i32_extend8_s); break;
        case 'i16': w.byte(OP.i32_extend16_s); break;
        case 'bool': w.byte(OP.i32_eqz).byte(OP.i32_eqz); break;
    }
}

export function emitConvert(w: CodeWriter, from: WType, to: WType): void {
    if (from === to) return;
    const fv = valTypeOf(from), tv = valTypeOf(to);
    if (to === 'bool') {
        if (fv === 'i32') { w.byte(OP.i32_eqz).byte(OP.i32_eqz); return; }
        if (fv === 'i64') { w.byte(OP.i64_eqz).byte(OP.i32_eqz); return; }
        if (fv === 'f32') { w.byte(OP.f32_const).f32(0).byte(0x5c); return; }
        if (fv === 'f64') { w.byte(OP.f64_const).f64(0).byte(0x62); return; }
    }
    const fromSigned = isSigned(from);
    if (isInt(to) || to === 'bool') {
        if (fv === 'i32' && tv === 'i32') { normalize(w, to); return; }
        if (fv === 'i32' && tv === 'i64') { w.byte(fromSigned ? OP.i64_extend_i32_s : OP.i64_extend_i32_u); return; }
        if (fv === 'i64' && tv === 'i64') return;
        if (fv === 'i64' && tv === 'i32') { w.byte(OP.i32_wrap_i64); normalize(w, to); return; }
        if (fv === 'f32' || fv === 'f64') {
            const s = isSigned(to) ? 0 : 1;
            const sub = (tv === 'i64' ? 4 : 0) + (fv === 'f64' ? 2 : 0) + s;
            w.byte(0xfc).u32(sub);
            if (tv === 'i32') normalize(w, to);
            return;
        }
    }
    if (isFloat(to)) {
        if (fv === 'i32' || fv === 'i64') {
            const base = to === 'f32' ? 0xb2 : 0xb7;
            w.byte(base + (fv === 'i64' ? 2 : 0) + (fromSigned ? 0 : 1));
            return;
        }
        if (fv === 'f32' && tv === 'f64') { w.byte(OP.f64_promote_f32); return; }
        if (fv === 'f64' && tv === 'f32') { w.byte(OP.f32_demote_f64); return; }
        if (fv === tv) return;
    }
    throw new CompileError(`cannot convert ${from} to ${to}`);
}

const I32_OPS: Record<string, number | [number, number]> = {
    '+': 0x6a, '-': 0x6b, '*': 0x6c, '/': [0x6d, 0x6e], '%': [0x6f, 0x70], '&': 0x71, '|': 0x72, '^': 0x73,
    '<<': 0x74, '>>': [0x75, 0x76], '==': 0x46, '!=': 0x47, '<': [0x48, 0x49], '>': [0x4a, 0x4b], '<=': [0x4c, 0x4d], '>=': [0x4e, 0x4f],
};
const I64_OPS: Record<string, number | [number, number]> = {
    '+': 0x7c, '-': 0x7d, '*': 0x7e, '/': [0x7f, 0x80], '%': [0x81, 0x82], '&': 0x83, '|': 0x84, '^': 0x85,
    '<<': 0x86, '>>': [0x87, 0x88], '==': 0x51, '!=': 0x52, '<': [0x53, 0x54], '>': [0x55, 0x56], '<=': [0x57, 0x58], '>=': [0x59, 0x5a],
};
const F32_OPS: Record<string, number> = { '==': 0x5b, '!=': 0x5c, '<': 0x5d, '>': 0x5e, '<=': 0x5f, '>=': 0x60, '+': 0x92, '-': 0x93, '*': 0x94, '/': 0x95 };
const F64_OPS: Record<string, number> = { '==': 0x61, '!=': 0x62, '<': 0x63, '>': 0x64, '<=': 0x65, '>=': 0x66, '+': 0xa0, '-': 0xa1, '*': 0xa2, '/': 0xa3 };

export function emitBinary(w: CodeWriter, op: BinOp, t: WType): void {
    if (isFloat(t) && op === '%') {
        throw new CompileError('run-time float remainder needs scratch locals; use emitFloatRem');
    }
    if (isFloat(t)) {
        const code = (t === 'f32' ? F32_OPS : F64_OPS)[op];
        if (code === undefined) throw new CompileError(`operator ${op} is not defined on ${t}`);
        w.byte(code);
        return;
    }
    const table = is64(t) ? I64_OPS : I32_OPS;
    const code = table[op];
    if (code === undefined) throw new CompileError(`operator ${op} is not defined on ${t}`);
    w.byte(typeof code === 'number' ? code : code[isSigned(t) ? 0 : 1]);
    if (!cmpOp(op)) normalize(w, t);
}

