// Value types and type definitions. Value types are strings in text-format spelling (`i32`, `funcref`,
// `(ref null 3)`, `(ref any)`) so they print, compare and key maps without ceremony. `unknown` is the
// bottom type of unreachable code.

import { Reader } from './reader.js';

export type ValType = string;
export const UNKNOWN: ValType = 'unknown';

export interface FuncType { readonly kind: 'func'; readonly params: readonly ValType[]; readonly results: readonly ValType[] }
export interface FieldType { readonly type: ValType; /** i8/i16 for packed fields, else same as type */ readonly storage: string; readonly mutable: boolean }
export interface StructType { readonly kind: 'struct'; readonly fields: readonly FieldType[] }
export interface ArrayType { readonly kind: 'array'; readonly field: FieldType }
export type CompType = FuncType | StructType | ArrayType;
export interface TypeDef {
    readonly comp: CompType;
    /** Declared with `sub`/`sub final` or inside a rec group of several types (GC). */
    readonly gc: boolean;
    /** Module offset of the entry's first byte (the rec group's for GC groups). */
    readonly offset: number;
}

/** Abstract heap types by their one-byte code (also their s33 value + 0x80). */
const HEAP: Record<number, string> = {
    0x70: 'func', 0x6f: 'extern', 0x6e: 'any', 0x6d: 'eq', 0x6c: 'i31', 0x6b: 'struct', 0x6a: 'array',
    0x69: 'exn', 0x71: 'none', 0x72: 'noextern', 0x73: 'nofunc', 0x74: 'noexn',
};
const HEAP_CODE: Record<string, number> = Object.fromEntries(Object.entries(HEAP).map(([k, v]) => [v, Number(k)]));
const NUM: Record<number, string> = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' };
const NUM_CODE: Record<string, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };
const SHORT: Record<string, string> = {
    func: 'funcref', extern: 'externref', any: 'anyref', eq: 'eqref', i31: 'i31ref', struct: 'structref',
    array: 'arrayref', exn: 'exnref', nofunc: 'nullfuncref', noextern: 'nullexternref', none: 'nullref', noexn: 'nullexnref',
};
const SHORT_BACK: Record<string, string> = Object.fromEntries(Object.entries(SHORT).map(([k, v]) => [v, k]));

/** Text name of a heap type given as its s33 value (negative: abstract; >= 0: a type index). */
export function heapTypeName(ht: number): string {
    if (ht >= 0) return String(ht);
    const name = HEAP[ht + 0x80];
    return name ?? `heap${ht}`;
}

export function refType(nullable: boolean, ht: number): ValType {
    const h = heapTypeName(ht);
    if (nullable && ht < 0 && SHORT[h]) return SHORT[h];
    return `(ref ${nullable ? 'null ' : ''}${h})`;
}

/** Splits a reference type into nullability and heap type name; null for non-reference types. */
export function parseRefType(t: ValType): { nullable: boolean; heap: string } | null {
    if (SHORT_BACK[t]) return { nullable: true, heap: SHORT_BACK[t] };
    const m = /^\(ref (null )?([^)]+)\)$/.exec(t);
    return m ? { nullable: !!m[1], heap: m[2] } : null;
}

export function isRefType(t: ValType): boolean {
    return parseRefType(t) !== null;
}

/** True for a reference type without null (`(ref $t)`), which a local can only hold once set. */
export function isNonNullableRef(t: ValType): boolean {
    const r = parseRefType(t);
    return r !== null && !r.nullable;
}

/** The nullable form of a reference type (a local of it needs no initial value); other types unchanged. */
export function nullableOf<T extends ValType>(t: T): T {
    const r = parseRefType(t);
    if (!r || r.nullable) return t;
    return (SHORT[r.heap] ?? `(ref null ${r.heap})`) as T;
}

export function readHeapType(r: Reader): number {
    const at = r.pos;
    const ht = r.s33('a heap type');
    if (ht < 0 && !HEAP[ht + 0x80]) r.fail('a heap type', `unknown heap type code ${ht}`, at);
    return ht;
}

export function readValType(r: Reader): ValType {
    const at = r.pos;
    const b = r.u8('a value type');
    const num = NUM[b];
    if (num) return num;
    if (HEAP[b]) return SHORT[HEAP[b]];
    if (b === 0x63 || b === 0x64) return refType(b === 0x63, readHeapType(r));
    return r.fail('a value type', `unknown type code 0x${b.toString(16)}`, at);
}

export function readStorageType(r: Reader): FieldType {
    const b = r.bytes[r.pos];
    let type: ValType, storage: string;
    if (b === 0x78 || b === 0x77) { r.pos++; storage = b === 0x78 ? 'i8' : 'i16'; type = 'i32'; } else { type = readValType(r); storage = type; }
    const m = r.u8('a mutability flag');
    if (m > 1) r.fail('mutability 0 or 1', undefined, r.pos - 1);
    return { type, storage, mutable: m === 1 };
}

function readCompType(r: Reader): CompType {
    const at = r.pos;
    const form = r.u8('a type form');
    switch (form) {
        case 0x60: {
            const params = readVec(r, readValType, 'parameter types');
            const results = readVec(r, readValType, 'result types');
            return { kind: 'func', params, results };
        }
        case 0x5f: return { kind: 'struct', fields: readVec(r, readStorageType, 'struct fields') };
        case 0x5e: return { kind: 'array', field: readStorageType(r) };
        default: return r.fail('a function, struct or array type (0x60/0x5f/0x5e)', `got 0x${form.toString(16)}`, at);
    }
}

function readSubType(r: Reader, out: TypeDef[], groupOffset: number, inGroup: boolean): void {
    const b = r.bytes[r.pos];
    if (b === 0x50 || b === 0x4f) {
        r.pos++;
        const n = r.u32('a supertype count');
        for (let i = 0; i < n; i++) r.u32('a supertype index');
        out.push({ comp: readCompType(r), gc: true, offset: groupOffset });
    } else {
        out.push({ comp: readCompType(r), gc: inGroup, offset: groupOffset });
    }
}

/** Reads the type section body (after its count is known to the caller) — rec groups flattened. */
export function readTypeSection(r: Reader): TypeDef[] {
    const out: TypeDef[] = [];
    const n = r.u32('a type count');
    for (let i = 0; i < n; i++) {
        const at = r.pos;
        if (r.bytes[r.pos] === 0x4e) {
            r.pos++;
            const m = r.u32('a rec group size');
            for (let j = 0; j < m; j++) readSubType(r, out, at, m > 1);
        } else readSubType(r, out, at, false);
    }
    return out;
}

export function readVec<T>(r: Reader, item: (r: Reader) => T, what: string): T[] {
    const n = r.u32(`the number of ${what}`);
    // A count larger than the remaining bytes is malformed; checking it first avoids huge allocations.
    if (n > r.end - r.pos) r.fail(`at most ${r.end - r.pos} ${what}`, `count ${n} exceeds the section`);
    const out: T[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = item(r);
    return out;
}

// ---- encoding ----

export function encodeHeapType(ht: number | string, out: number[]): void {
    const n = typeof ht === 'number' ? ht : /^\d+$/.test(ht) ? Number(ht) : HEAP_CODE[ht] - 0x80;
    if (Number.isNaN(n)) throw new Error(`unknown heap type ${ht}`);
    writeS33(n, out);
}

/** Appends the binary encoding of a value type given in text spelling. */
export function encodeValType(t: ValType, out: number[]): void {
    const num = NUM_CODE[t];
    if (num !== undefined) { out.push(num); return; }
    const short = SHORT_BACK[t];
    if (short) { out.push(HEAP_CODE[short]); return; }
    const ref = parseRefType(t);
    if (!ref) throw new Error(`cannot encode value type ${t}`);
    out.push(ref.nullable ? 0x63 : 0x64);
    encodeHeapType(ref.heap, out);
}

/** The block type of a block that takes and leaves no value. */
export const EMPTY_BLOCK_TYPE = 0x40;

/** The one-byte encoding of a numeric type or an abstract nullable reference type (`funcref`); throws for others. */
export function valTypeByte(t: ValType): number {
    const b = NUM_CODE[t] ?? (SHORT_BACK[t] ? HEAP_CODE[SHORT_BACK[t]] : undefined);
    if (b === undefined) throw new Error(`no value type byte for ${t}`);
    return b;
}

function writeS33(v: number, out: number[]): void {
    for (;;) {
        const byte = v & 0x7f;
        v = Math.floor(v / 128);
        if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) { out.push(byte); return; }
        out.push(byte | 0x80);
    }
}

export function funcTypeString(t: FuncType): string {
    return `(${t.params.join(', ')}) -> (${t.results.join(', ')})`;
}
