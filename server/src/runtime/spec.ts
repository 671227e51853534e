// What an instrumented module needs from the Whamm runtime, as the engine records it (custom section
// `whamm.rt`, JSON) and the runner reads it back. The instrumented module imports everything runtime-side
// from the module `whamm:rt`, under names that say what each function does (`map.inc<(u32,bool),u32>`,
// `str.len`...). The generated map module travels in the custom section `whamm.rt.wasm`, so running an
// instrumented module needs nothing but the module itself (and its user libraries).
import { mapModuleWat } from './map-module.js';
import type { MapShape } from './map-layout.js';
import { leaves, parseRtType, rtTypeText, RtTypeError, type LeafType, type RtType } from './rt-types.js';

export const RT_IMPORT_MODULE = 'whamm:rt';
export const RT_SECTION = 'whamm.rt';
export const RT_MODULE_SECTION = 'whamm.rt.wasm';
/** memid 0 is always the app's memory (`APP_MEMID`). */
export const APP_MEMID = 0;
/** The instrumented module exports the app's memory under this name when string built-ins read it. */
export const APP_MEMORY_EXPORT = 'whamm$memory';

export interface RuntimeSpec {
    version: 1;
    /** Map id -> its type text (`map<(u32,bool),u32>`). */
    maps: string[];
    /** String literal table, handle i = strings[i], as hex of the UTF-8 (or raw) bytes. */
    strings: string[];
    /** memid -> whose memory: 'app' for 0, then library names. */
    memories: string[];
    /**
     * Map ids in the script's declaration order (globals first, then per-site maps by site): the numbers
     * whamm_core.print_map_as_csv takes. Absent: the ids themselves.
     */
    declOrder?: number[];
}

/** The host string functions, by import name; the engine imports only those the script uses. */
export const STRING_IMPORTS = {
    'str.len': { params: ['i32'], results: ['i32'] },
    'str.starts_with': { params: ['i32', 'i32'], results: ['i32'] },
    'str.ends_with': { params: ['i32', 'i32'], results: ['i32'] },
    'str.contains': { params: ['i32', 'i32'], results: ['i32'] },
    /** s.addr(): where the string's bytes can be read by memcpy/read_str/strcmp (see StringTable.addrOf) */
    'str.addr': { params: ['i32'], results: ['i32'] },
    /** read_str(memid, addr, len) -> handle */
    'str.read': { params: ['i32', 'i32', 'i32'], results: ['i32'] },
    /** write_str(memid, addr, s) -> bytes written */
    'str.write': { params: ['i32', 'i32', 'i32'], results: ['i32'] },
    /** strcmp((addr, len), s) on memory memid -> 1 when the bytes equal s */
    'str.cmp': { params: ['i32', 'i32', 'i32', 'i32'], results: ['i32'] },
    /** memcpy(src_mem, src_addr, dst_mem, dst_addr, len), across instances */
    'mem.copy': { params: ['i32', 'i32', 'i32', 'i32', 'i32'], results: [] },
    /** fill(mem, addr, byte, len) */
    'mem.fill': { params: ['i32', 'i32', 'i32', 'i32'], results: [] },
    /** put(s, from, mem, addr, len): bytes [from, from+len) of s (e.g. a data segment) into memory */
    'mem.put': { params: ['i32', 'i32', 'i32', 'i32', 'i32'], results: [] },
} as const satisfies Record<string, { params: readonly string[]; results: readonly string[] }>;

export function toHex(b: Uint8Array): string {
    return Array.from(b, x => x.toString(16).padStart(2, '0')).join('');
}

export function fromHex(s: string): Uint8Array {
    const out = new Uint8Array(s.length >> 1);
    for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
    return out;
}

export function mapShapeOf(type: RtType): MapShape {
    if (typeof type === 'string' || !('map' in type)) throw new RtTypeError(`${rtTypeText(type)} is not a map type`);
    const [k, v] = type.map;
    const key = leaves(k), value = leaves(v);
    if (key.includes('mapid') || value.includes('mapid')) throw new RtTypeError(`maps of maps are not supported: ${rtTypeText(type)}`);
    return { keyText: rtTypeText(k), valueText: rtTypeText(v), key: key as LeafType[], value: value as LeafType[] };
}

/** Distinct shapes of the spec's maps, in first-use order. */
export function shapesOf(spec: RuntimeSpec): MapShape[] {
    const seen = new Map<string, MapShape>();
    for (const t of spec.maps) {
        const shape = mapShapeOf(parseRtType(t));
        const name = `${shape.keyText},${shape.valueText}`;
        if (!seen.has(name)) seen.set(name, shape);
    }
    return [...seen.values()];
}

export function runtimeWat(spec: RuntimeSpec): string {
    const shapes = shapesOf(spec);
    const index = new Map(shapes.map((s, i) => [`${s.keyText},${s.valueText}`, i]));
    const idShape = spec.maps.map(t => { const s = mapShapeOf(parseRtType(t)); return index.get(`${s.keyText},${s.valueText}`)!; });
    return mapModuleWat(shapes, spec.maps.length, idShape);
}
