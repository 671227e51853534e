// Whamm types as the front-end sees them. `kind` is the Whamm type name for scalars, so `t.kind` can be used
// directly as the engine's WType for everything except `unknown` (error recovery / untyped bound values).
import type { TypeRef } from '../language/generated/ast.js';

export type IntName = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64';
export type FloatName = 'f32' | 'f64';
export type PrimName = IntName | FloatName | 'bool' | 'str' | 'funcref';

export type Type =
    | { readonly kind: PrimName }
    | { readonly kind: 'tuple'; readonly elems: readonly Type[] }
    | { readonly kind: 'map'; readonly key: Type; readonly value: Type }
    | { readonly kind: 'unit' }
    | { readonly kind: 'unknown' };

const PRIM_NAMES: readonly PrimName[] = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'u64', 'i64', 'f32', 'f64', 'bool', 'str', 'funcref'];
const PRIMS = new Map<string, Type>(PRIM_NAMES.map(n => [n, Object.freeze({ kind: n })]));

export const T = {
    u8: PRIMS.get('u8')!, i8: PRIMS.get('i8')!, u16: PRIMS.get('u16')!, i16: PRIMS.get('i16')!,
    u32: PRIMS.get('u32')!, i32: PRIMS.get('i32')!, u64: PRIMS.get('u64')!, i64: PRIMS.get('i64')!,
    f32: PRIMS.get('f32')!, f64: PRIMS.get('f64')!, bool: PRIMS.get('bool')!, str: PRIMS.get('str')!,
    funcref: PRIMS.get('funcref')!,
    unit: Object.freeze({ kind: 'unit' }) as Type,
    unknown: Object.freeze({ kind: 'unknown' }) as Type,
};

export function prim(name: string): Type | undefined {
    return PRIMS.get(name);
}

export function tuple(elems: Type[]): Type { return { kind: 'tuple', elems }; }
export function mapOf(key: Type, value: Type): Type { return { kind: 'map', key, value }; }

export function isInt(t: Type): boolean {
    switch (t.kind) {
        case 'u8': case 'i8': case 'u16': case 'i16': case 'u32': case 'i32': case 'u64': case 'i64': return true;
        default: return false;
    }
}
export function isFloat(t: Type): boolean { return t.kind === 'f32' || t.kind === 'f64'; }
export function isNumeric(t: Type): boolean { return isInt(t) || isFloat(t); }
export function isUnknown(t: Type): boolean { return t.kind === 'unknown'; }
export function intBits(t: Type): number { return isInt(t) ? Number(t.kind.slice(1)) : 0; }

export function typeEquals(a: Type, b: Type): boolean {
    if (a === b) return true;
    if (a.kind !== b.kind) return false;
    if (a.kind === 'tuple' && b.kind === 'tuple') {
        return a.elems.length === b.elems.length && a.elems.every((e, i) => typeEquals(e, b.elems[i]));
    }
    if (a.kind === 'map' && b.kind === 'map') return typeEquals(a.key, b.key) && typeEquals(a.value, b.value);
    return true;
}

/**
 * Whether a value of type `from` may be stored into `to` without a cast. Integers convert to any integer
 * type (wrapping at the destination width, as the reference does: `var v: i16 = bytecode;` with a u16
 * `bytecode`); everything else must match exactly. `unknown` is compatible with anything so one error
 * does not cascade.
 */
export function assignable(from: Type, to: Type): boolean {
    if (from.kind === 'unknown' || to.kind === 'unknown') return true;
    if (isInt(from) && isInt(to)) return true;
    if (from.kind === 'tuple' && to.kind === 'tuple') {
        return from.elems.length === to.elems.length && from.elems.every((e, i) => assignable(e, to.elems[i]));
    }
    return typeEquals(from, to);
}

/** Casts (`as`) are defined between all numeric types and bool. */
export function castable(from: Type, to: Type): boolean {
    if (from.kind === 'unknown' || to.kind === 'unknown') return true;
    const scalar = (t: Type) => isNumeric(t) || t.kind === 'bool';
    if (scalar(from) && scalar(to)) return true;
    return typeEquals(from, to);
}

export function typeToString(t: Type): string {
    switch (t.kind) {
        case 'tuple': return `(${t.elems.map(typeToString).join(', ')})`;
        case 'map': return `map<${typeToString(t.key)}, ${typeToString(t.value)}>`;
        case 'unit': return '()';
        default: return t.kind;
    }
}

/** Parses a type written in the catalog (`u32`, `map<u32,u32>`, `(u32, i32)`, `unknown`). */
export function parseTypeText(text: string): Type {
    const s = text.replace(/\s+/g, '');
    let i = 0;
    const parse = (): Type => {
        if (s.startsWith('map<', i)) {
            i += 4;
            const key = parse();
            i++; // ','
            const value = parse();
            i++; // '>'
            return mapOf(key, value);
        }
        if (s[i] === '(') {
            i++;
            const elems: Type[] = [];
            while (i < s.length && s[i] !== ')') {
                elems.push(parse());
                if (s[i] === ',') i++;
            }
            i++;
            return elems.length === 0 ? T.unit : tuple(elems);
        }
        const m = /^[A-Za-z0-9_]+/.exec(s.substring(i));
        const word = m ? m[0] : '';
        i += word.length || 1;
        return prim(word) ?? T.unknown;
    };
    return parse();
}

/** The type an AST type annotation denotes. */
export function typeOfRef(ref: TypeRef | undefined): Type {
    if (!ref) return T.unknown;
    switch (ref.$type) {
        case 'PrimType': return prim(ref.name) ?? T.unknown;
        case 'TupleType': return tuple(ref.elems.map(typeOfRef));
        case 'MapType': return mapOf(typeOfRef(ref.key), typeOfRef(ref.value));
        default: return T.unknown;
    }
}
