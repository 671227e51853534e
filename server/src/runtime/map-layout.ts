// Map shapes and where an entry keeps its key and values (see map-module.ts for the table layout).
import type { LeafType } from './rt-types.js';

export interface MapShape {
    /** Name of the shape as printed (`(u32,bool)`, `u32`); used in the export names. */
    keyText: string;
    valueText: string;
    key: LeafType[];
    value: LeafType[];
}

/** Bit width of a key leaf when packed; 64-bit leaves are not packed. */
function packWidth(t: LeafType): number | undefined {
    switch (t) {
        case 'bool': return 1;
        case 'u8': case 'i8': return 8;
        case 'u16': case 'i16': return 16;
        case 'u32': case 'i32': case 'str': case 'f32': return 32;
        default: return undefined;
    }
}

export interface PackedField { t: LeafType; /** bit offset in the key word; a field never crosses bit 32 */ offset: number; width: number }

/**
 * Where an entry keeps its key. Keys whose leaves fit in 63 bits are packed into one word with bit 63
 * set (so the word is never 0 and doubles as the used flag): 16-byte entries for the common
 * `map<(u32, bool), u32>`, half the memory traffic of one word per leaf plus a flag.
 */
export interface KeyLayout {
    /** Packed fields, or undefined when each leaf has its own word after a flag word. */
    packed?: PackedField[];
    /** Byte offset of the first key word in an entry. */
    keyBase: number;
    keyWords: number;
    /** Byte offset of the first value slot. */
    valueBase: number;
}

export function keyLayout(key: readonly LeafType[]): KeyLayout {
    const fields: PackedField[] = [];
    let at = 0;
    for (const t of key) {
        const w = packWidth(t);
        if (w === undefined) { at = 64; break; }
        if (at < 32 && at + w > 32) at = 32;
        fields.push({ t, offset: at, width: w });
        at += w;
    }
    if (at <= 63) return { packed: fields, keyBase: 0, keyWords: 1, valueBase: 8 };
    return { keyBase: 8, keyWords: key.length, valueBase: 8 * (1 + key.length) };
}

export function entryBytes(shape: Pick<MapShape, 'key' | 'value'>): number {
    return keyLayout(shape.key).valueBase + 8 * shape.value.length;
}
