// The engine's map interface (module `whamm_rt`: `map_get_N`, `map_set_N`, `map_add_N` with the map id
// and N key words as i64 bit patterns, one i64 value) served by the generated wasm hash table of
// map-module.ts instead of a JS Map: wasm->wasm calls with no BigInt boxing (see
// test/bench/map-runtime.bench.ts for the numbers behind the choice).
//
// `map_add_N` wraps the sum at the map's value type; the type code sits in the 4th word of the map's
// header (see map-module.ts), written by the host before the app runs.
import { mapModuleWat, HEADER_BYTES, entryBytes, type MapShape } from './map-module.js';
import { RT_MODULE_SECTION } from './spec.js';

export interface WordMapInfo { id: number; keys: string[]; value: string }
export interface WordMapEntry { key: bigint[]; value: bigint }

export interface WordMapRuntime {
    imports: WebAssembly.Imports;
    entries(mapId: number): WordMapEntry[];
}

export const WORD_MAP_MODULE = 'whamm_rt';

const WRAP_CODES: Record<string, number> = { u8: 1, i8: 2, u16: 3, i16: 4, u32: 5, i32: 6, bool: 7 };

function shapeOf(n: number): MapShape {
    return { keyText: `w${n}`, valueText: 'i64', key: Array(n).fill('i64'), value: ['i64'] };
}

/** WAT of the runtime serving every arity in `arities` for map ids 0..maxId. */
export function wordMapWat(arities: number[], maxId: number): string {
    const base = mapModuleWat(arities.map(shapeOf), maxId + 1);
    const wrappers = arities.map((n, s) => {
        const kp = Array.from({ length: n }, (_, i) => `(param $k${i} i64)`).join(' ');
        const ka = Array.from({ length: n }, (_, i) => `(local.get $k${i})`).join(' ');
        return `
  (func (export "map_get_${n}") (param $id i32) ${kp} (result i64) (local $p i32)
    (local.set $p (call $find${s} (local.get $id) ${ka}))
    (if (result i64) (local.get $p) (then (i64.load offset=${8 * (1 + n)} (local.get $p))) (else (i64.const 0))))
  (func (export "map_set_${n}") (param $id i32) ${kp} (param $v i64)
    (i64.store offset=${8 * (1 + n)} (call $insert${s} (local.get $id) ${ka}) (local.get $v)))
  (func (export "map_add_${n}") (param $id i32) ${kp} (param $d i64) (local $p i32)
    (local.set $p (call $insert${s} (local.get $id) ${ka}))
    (i64.store offset=${8 * (1 + n)} (local.get $p)
      (call $wrap (i32.load offset=12 (i32.mul (local.get $id) (i32.const ${HEADER_BYTES})))
                  (i64.add (i64.load offset=${8 * (1 + n)} (local.get $p)) (local.get $d)))))`;
    }).join('\n');
    const wrap = `
  (func $wrap (param $code i32) (param $v i64) (result i64)
    (block $none (block $bool (block $i32 (block $u32 (block $i16 (block $u16 (block $i8 (block $u8
      (br_table $none $u8 $i8 $u16 $i16 $u32 $i32 $bool $none (local.get $code)))
      (return (i64.and (local.get $v) (i64.const 0xff))))
      (return (i64.extend8_s (local.get $v))))
      (return (i64.and (local.get $v) (i64.const 0xffff))))
      (return (i64.extend16_s (local.get $v))))
      (return (i64.and (local.get $v) (i64.const 0xffffffff))))
      (return (i64.extend32_s (local.get $v))))
      (return (i64.extend_i32_u (i64.ne (local.get $v) (i64.const 0)))))
    (local.get $v))`;
    return base.replace(/\)\s*$/, '') + wrap + wrappers + '\n)';
}

let compiled = new Map<string, Promise<Uint8Array>>();

async function moduleBytes(arities: number[], maxId: number, embedded?: Uint8Array): Promise<Uint8Array> {
    if (embedded) return embedded;
    const key = `${arities.join(',')}/${maxId}`;
    let p = compiled.get(key);
    if (!p) {
        // wabt is loaded only when the instrumented module carries no prebuilt runtime.
        p = import('../wast/wat.js').then(m => m.watToWasm(wordMapWat(arities, maxId), 'whamm-rt.wat'));
        compiled.set(key, p);
        if (compiled.size > 16) compiled = new Map([[key, p]]);
    }
    return p;
}

/** The runtime for the maps a module declares; `module` may carry it prebuilt (custom section). */
export async function createWordMapRuntime(maps: WordMapInfo[], module?: WebAssembly.Module): Promise<WordMapRuntime> {
    if (maps.length === 0) return { imports: {}, entries: () => [] };
    const arities = [...new Set(maps.map(m => m.keys.length))].sort((a, b) => a - b);
    const maxId = Math.max(...maps.map(m => m.id));
    const section = module ? WebAssembly.Module.customSections(module, RT_MODULE_SECTION)[0] : undefined;
    const bytes = await moduleBytes(arities, maxId, section ? new Uint8Array(section) : undefined);
    const { instance } = await WebAssembly.instantiate(bytes, {});
    const memory = instance.exports.memory as WebAssembly.Memory;
    const header = new DataView(memory.buffer);
    for (const m of maps) header.setUint32(m.id * HEADER_BYTES + 12, WRAP_CODES[m.value] ?? 0, true);
    const arityOf = new Map(maps.map(m => [m.id, m.keys.length]));
    const fns: Record<string, unknown> = {};
    for (const n of arities) for (const op of ['get', 'set', 'add']) fns[`map_${op}_${n}`] = instance.exports[`map_${op}_${n}`];
    return {
        imports: { [WORD_MAP_MODULE]: fns as WebAssembly.ModuleImports },
        entries(id) {
            const n = arityOf.get(id);
            if (n === undefined) return [];
            const view = new DataView(memory.buffer);
            const tab = view.getUint32(id * HEADER_BYTES, true), cap = view.getUint32(id * HEADER_BYTES + 4, true);
            const E = entryBytes(shapeOf(n));
            const out: WordMapEntry[] = [];
            for (let i = 0, p = tab; i < cap; i++, p += E) {
                if (view.getBigUint64(p, true) === 0n) continue;
                const key: bigint[] = [];
                for (let k = 0; k < n; k++) key.push(view.getBigInt64(p + 8 * (k + 1), true));
                out.push({ key, value: view.getBigInt64(p + 8 * (n + 1), true) });
            }
            return out;
        },
    };
}
