// How values print in the report and through the core library's print functions (the reference's
// spelling): integers in decimal, floats in exponent form with an explicit sign.

const F32 = new Float32Array(1);
const F64 = new Float64Array(1);
const I64 = new BigInt64Array(F64.buffer);

/** Floats print in exponent form with an explicit sign and the shortest digits that round-trip. */
export function formatFloat(x: number, single: boolean): string {
    if (Number.isNaN(x)) return 'NaN';
    if (x === Infinity) return '+inf';
    if (x === -Infinity) return '-inf';
    const sign = x < 0 || Object.is(x, -0) ? '-' : '+';
    const a = Math.abs(x);
    let text: string;
    if (single) {
        text = a.toExponential();
        for (let p = 1; p <= 9; p++) {
            const t = a.toExponential(p - 1);
            if (Math.fround(Number(t)) === a) { text = t; break; }
        }
    } else {
        text = a.toExponential();
    }
    return sign + text.replace('e+', 'e');
}

/** The value of one slot (an i64 bit pattern) printed as the given scalar type. */
export function formatScalar(bits: bigint, type: string): string {
    switch (type) {
        case 'bool': return BigInt.asUintN(32, bits) !== 0n ? 'true' : 'false';
        case 'u8': return String(BigInt.asUintN(8, bits));
        case 'u16': return String(BigInt.asUintN(16, bits));
        case 'u32': return String(BigInt.asUintN(32, bits));
        case 'u64': return String(BigInt.asUintN(64, bits));
        case 'i8': return String(BigInt.asIntN(8, bits));
        case 'i16': return String(BigInt.asIntN(16, bits));
        case 'i32': return String(BigInt.asIntN(32, bits));
        case 'i64': return String(BigInt.asIntN(64, bits));
        case 'f32': I64[0] = BigInt.asIntN(64, bits); F32[0] = F64[0]; return formatFloat(F32[0], true);
        case 'f64': I64[0] = BigInt.asIntN(64, bits); return formatFloat(F64[0], false);
        default: return String(bits);
    }
}
