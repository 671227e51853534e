// Compile-time evaluation of operators on constants, with exactly the semantics the generated wasm code
// has at run time (wrap-around at the declared width, truncating division, shift counts masked to the
// wasm width). Returns undefined where the run time would trap (division by zero), so such expressions
// are left to run time.
import { type Const, type WType, isFloat, isInt, isSigned, wrapInt, type IntType } from './types.js';

export type BinOp = '+' | '-' | '*' | '/' | '%' | '<<' | '>>' | '&' | '|' | '^'
    | '==' | '!=' | '<' | '<=' | '>' | '>=';

export function foldBinary(op: BinOp, a: Const, b: Const, t: WType): Const | undefined {
    if (isInt(t)) return foldInt(op, a as bigint, b as bigint, t);
    if (isFloat(t)) return foldFloat(op, a as number, b as number, t);
    if (t === 'bool') {
        const x = a as boolean, y = b as boolean;
        switch (op) {
            case '==': return x === y;
            case '!=': return x !== y;
            case '&': return x && y;
            case '|': return x || y;
            case '^': return x !== y;
            default: return foldInt(op, x ? 1n : 0n, y ? 1n : 0n, 'u32');
        }
    }
    if (t === 'str') {
        if (op === '==') return a === b;
        if (op === '!=') return a !== b;
    }
    return undefined;
}

function foldInt(op: BinOp, a: bigint, b: bigint, t: IntType): Const | undefined {
    const width = t === 'u64' || t === 'i64' ? 64n : 32n;
    switch (op) {
        case '+': return wrapInt(a + b, t);
        case '-': return wrapInt(a - b, t);
        case '*': return wrapInt(a * b, t);
        case '/': return b === 0n ? undefined : wrapInt(a / b, t);
        case '%': return b === 0n ? undefined : wrapInt(a % b, t);
        case '<<': return wrapInt(a << (BigInt.asUintN(64, b) & (width - 1n)), t);
        case '>>': {
            const n = BigInt.asUintN(64, b) & (width - 1n);
            // Narrow values live sign- or zero-extended in an i32, so the shift sees that form.
            return wrapInt(isSigned(t) ? a >> n : BigInt.asUintN(Number(width), a) >> n, t);
        }
        case '&': return wrapInt(a & b, t);
        case '|': return wrapInt(a | b, t);
        case '^': return wrapInt(a ^ b, t);
        case '==': return a === b;
        case '!=': return a !== b;
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        case '>=': return a >= b;
    }
}

function foldFloat(op: BinOp, a: number, b: number, t: 'f32' | 'f64'): Const | undefined {
    const r = (x: number) => (t === 'f32' ? Math.fround(x) : x);
    switch (op) {
        case '+': return r(a + b);
        case '-': return r(a - b);
        case '*': return r(a * b);
        case '/': return r(a / b);
        case '%': return r(a % b);
        case '==': return a === b;
        case '!=': return a !== b;
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        case '>=': return a >= b;
        default: return undefined;
    }
}

export function foldUnary(op: '!' | '~' | '-', a: Const, t: WType): Const | undefined {
    if (op === '!') return typeof a === 'boolean' ? !a : a === 0n || a === 0;
    if (isInt(t)) return op === '~' ? wrapInt(~(a as bigint), t) : wrapInt(-(a as bigint), t);
    if (isFloat(t) && op === '-') return t === 'f32' ? Math.fround(-(a as number)) : -(a as number);
    return undefined;
}
