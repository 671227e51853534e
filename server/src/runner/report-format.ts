// The reference's report CSV: banner, header, one row per report variable instance.
import type { ReportLayout, ReportVar } from '../engine/report-layout.js';

export const REPORT_BANNER = '================================= REPORT CSV FLUSH ====================================';
export const REPORT_HEADER = 'id, id_type, name, whamm_type, wasm_type, script_id, fname, fid, pc, probe_id, value(s)';

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

export function formatRow(id: number, v: ReportVar, value: string, wasmType: string): string {
    const site = v.fid === undefined;
    // [helper-6] The reference keeps a global str in two globals (address, length) and prints both ids.
    const pair = site && v.type === 'str';
    const idType = pair ? '(global_id; global_id)' : site ? 'global_id' : 'memaddr';
    const cols = [pair ? `(${id}; ${id + 1})` : String(id), idType, v.name, v.type, v.type === 'str' ? '(i32; i32)' : wasmType, 'script0',
        site ? '' : v.fname ?? '', site ? '' : String(v.fid), site ? '' : String(v.pc ?? ''), site ? '' : v.probe ?? '', value];
    return cols.join(', ');
}

export function wasmTypeOf(type: string): string {
    switch (type) {
        case 'u64': case 'i64': return 'i64';
        case 'f32': return 'f32';
        case 'f64': return 'f64';
        default: return 'i32';
    }
}

/** The whole flush: banner, header and rows, each line ending in '\n'. */
export function formatReport(layout: ReportLayout, slots: ArrayLike<bigint>,
    /** [issue 5, helper-6] tuples, str and maps (server/src/runtime/link.ts); undefined for scalars. */
    formatValue?: (v: ReportVar, slots: ArrayLike<bigint>) => string | undefined): string {
    const lines = [REPORT_BANNER, REPORT_HEADER];
    layout.vars.forEach((v, i) => {
        const value = formatValue?.(v, slots) ?? formatScalar(slots[v.slot] ?? 0n, v.type);
        lines.push(formatRow(i, v, value, wasmTypeOf(v.type)));
    });
    return lines.join('\n') + '\n';
}
