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
        case 'i32': w.op(OP.i32_const).s32(Number(BigInt.asIntN(32, num(v)))); break;
        case 'i64': w.op(OP.i64_const).s64(num(v)); break;
        case 'f32': w.op(OP.f32_const).f32(Number(v)); break;
        case 'f64': w.op(OP.f64_const).f64(Number(v)); break;
        default: throw new CompileError(`no constant of type ${t}`);
    }
}

/** Brings an i32 holding a narrow integer into its normal form (zero- or sign-extended). */
export function normalize(w: CodeWriter, t: WType): void {
    switch (t) {
        case 'u8': w.op(OP.i32_const).s32(0xff).op(OP.i32_and); break;
        case 'u16': w.op(OP.i32_const).s32(0xffff).op(OP.i32_and); break;
        case 'i8': w.op(OP.i32_extend8_s); break;
        case 'i16': w.op(OP.i32_extend16_s); break;
        case 'bool': w.op(OP.i32_eqz).op(OP.i32_eqz); break;
    }
}

export function emitConvert(w: CodeWriter, from: WType, to: WType): void {
    if (from === to) return;
    const fv = valTypeOf(from), tv = valTypeOf(to);
    if (to === 'bool') {
        if (fv === 'i32') { w.op(OP.i32_eqz).op(OP.i32_eqz); return; }
        if (fv === 'i64') { w.op(OP.i64_eqz).op(OP.i32_eqz); return; }
        if (fv === 'f32') { w.op(OP.f32_const).f32(0).op(OP.f32_ne); return; }
        if (fv === 'f64') { w.op(OP.f64_const).f64(0).op(OP.f64_ne); return; }
    }
    const fromSigned = isSigned(from);
    if (isInt(to) || to === 'bool') {
        if (fv === 'i32' && tv === 'i32') { normalize(w, to); return; }
        if (fv === 'i32' && tv === 'i64') { w.op(fromSigned ? OP.i64_extend_i32_s : OP.i64_extend_i32_u); return; }
        if (fv === 'i64' && tv === 'i64') return;
        if (fv === 'i64' && tv === 'i32') { w.op(OP.i32_wrap_i64); normalize(w, to); return; }
        if (fv === 'f32' || fv === 'f64') {
            w.op(TRUNC_SAT[tv === 'i64' ? 'i64' : 'i32'][fv][isSigned(to) ? 0 : 1]);
            if (tv === 'i32') normalize(w, to);
            return;
        }
    }
    if (isFloat(to)) {
        if (fv === 'i32' || fv === 'i64') {
            w.op(CONVERT[to][fv][fromSigned ? 0 : 1]);
            return;
        }
        if (fv === 'f32' && tv === 'f64') { w.op(OP.f64_promote_f32); return; }
        if (fv === 'f64' && tv === 'f32') { w.op(OP.f32_demote_f64); return; }
        if (fv === tv) return;
    }
    throw new CompileError(`cannot convert ${from} to ${to}`);
}

/** Float -> integer conversions that saturate instead of trapping: [signed, unsigned] per target and source. */
const TRUNC_SAT: Record<'i32' | 'i64', Record<'f32' | 'f64', [number, number]>> = {
    i32: { f32: [OP.i32_trunc_sat_f32_s, OP.i32_trunc_sat_f32_u], f64: [OP.i32_trunc_sat_f64_s, OP.i32_trunc_sat_f64_u] },
    i64: { f32: [OP.i64_trunc_sat_f32_s, OP.i64_trunc_sat_f32_u], f64: [OP.i64_trunc_sat_f64_s, OP.i64_trunc_sat_f64_u] },
};
/** Integer -> float conversions: [from signed, from unsigned] per target and source. */
const CONVERT: Record<'f32' | 'f64', Record<'i32' | 'i64', [number, number]>> = {
    f32: { i32: [OP.f32_convert_i32_s, OP.f32_convert_i32_u], i64: [OP.f32_convert_i64_s, OP.f32_convert_i64_u] },
    f64: { i32: [OP.f64_convert_i32_s, OP.f64_convert_i32_u], i64: [OP.f64_convert_i64_s, OP.f64_convert_i64_u] },
};

/** Binary operators on integers: one instruction, or [signed, unsigned]. */
const I32_OPS: Record<string, number | [number, number]> = {
    '+': OP.i32_add, '-': OP.i32_sub, '*': OP.i32_mul, '/': [OP.i32_div_s, OP.i32_div_u], '%': [OP.i32_rem_s, OP.i32_rem_u],
    '&': OP.i32_and, '|': OP.i32_or, '^': OP.i32_xor, '<<': OP.i32_shl, '>>': [OP.i32_shr_s, OP.i32_shr_u],
    '==': OP.i32_eq, '!=': OP.i32_ne, '<': [OP.i32_lt_s, OP.i32_lt_u], '>': [OP.i32_gt_s, OP.i32_gt_u],
    '<=': [OP.i32_le_s, OP.i32_le_u], '>=': [OP.i32_ge_s, OP.i32_ge_u],
};
const I64_OPS: Record<string, number | [number, number]> = {
    '+': OP.i64_add, '-': OP.i64_sub, '*': OP.i64_mul, '/': [OP.i64_div_s, OP.i64_div_u], '%': [OP.i64_rem_s, OP.i64_rem_u],
    '&': OP.i64_and, '|': OP.i64_or, '^': OP.i64_xor, '<<': OP.i64_shl, '>>': [OP.i64_shr_s, OP.i64_shr_u],
    '==': OP.i64_eq, '!=': OP.i64_ne, '<': [OP.i64_lt_s, OP.i64_lt_u], '>': [OP.i64_gt_s, OP.i64_gt_u],
    '<=': [OP.i64_le_s, OP.i64_le_u], '>=': [OP.i64_ge_s, OP.i64_ge_u],
};
const F32_OPS: Record<string, number> = {
    '==': OP.f32_eq, '!=': OP.f32_ne, '<': OP.f32_lt, '>': OP.f32_gt, '<=': OP.f32_le, '>=': OP.f32_ge,
    '+': OP.f32_add, '-': OP.f32_sub, '*': OP.f32_mul, '/': OP.f32_div,
};
const F64_OPS: Record<string, number> = {
    '==': OP.f64_eq, '!=': OP.f64_ne, '<': OP.f64_lt, '>': OP.f64_gt, '<=': OP.f64_le, '>=': OP.f64_ge,
    '+': OP.f64_add, '-': OP.f64_sub, '*': OP.f64_mul, '/': OP.f64_div,
};

export function emitBinary(w: CodeWriter, op: BinOp, t: WType): void {
    if (isFloat(t) && op === '%') {
        throw new CompileError('run-time float remainder needs scratch locals; use emitFloatRem');
    }
    if (isFloat(t)) {
        const code = (t === 'f32' ? F32_OPS : F64_OPS)[op];
        if (code === undefined) throw new CompileError(`operator ${op} is not defined on ${t}`);
        w.op(code);
        return;
    }
    const table = is64(t) ? I64_OPS : I32_OPS;
    const code = table[op];
    if (code === undefined) throw new CompileError(`operator ${op} is not defined on ${t}`);
    w.op(typeof code === 'number' ? code : code[isSigned(t) ? 0 : 1]);
    if (!cmpOp(op)) normalize(w, t);
}

