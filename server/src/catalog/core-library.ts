// The functions of `whamm_core`, the core library every implementation bundles (`use whamm_core;` needs
// no --user-libs). Names and Wasm signatures are those the reference's build exports; the runtime
// implements them (runtime/core-lib.ts) and the checker types calls against this table.

export type CoreValType = 'i32' | 'i64' | 'f32' | 'f64';
export interface CoreFunction { params: CoreValType[]; results: CoreValType[]; doc: string }

export const CORE_LIBRARY_NAME = 'whamm_core';

const I = 'i32' as const;
const fn = (params: CoreValType[], results: CoreValType[], doc: string): CoreFunction => ({ params, results, doc });

const KINDS = ['i32', 'string', 'bool', 'tuple', 'map'] as const;

function table(): Record<string, CoreFunction> {
    const t: Record<string, CoreFunction> = {
        mem_alloc: fn([I], [I], 'mem_alloc(len) -> addr: allocates len bytes in the library memory'),
        mem_free: fn([I], [], 'mem_free(addr): frees a block mem_alloc returned'),
        puts: fn([I, I], [], 'puts(addr, len): prints len UTF-8 bytes of the library memory'),
        putc: fn([I], [], 'putc(c): prints one ASCII character (traps for c >= 128)'),
        putbool: fn([I], [], 'putbool(b): prints true or false'),
        putu8: fn([I], [], 'putu8(v): prints v as u8'),
        puti8: fn([I], [], 'puti8(v): prints v as i8'),
        putu16: fn([I], [], 'putu16(v): prints v as u16'),
        puti16: fn([I], [], 'puti16(v): prints v as i16'),
        putu32: fn([I], [], 'putu32(v): prints v as u32'),
        puti32: fn([I], [], 'puti32(v): prints v as i32'),
        putu64: fn(['i64'], [], 'putu64(v): prints v as u64'),
        puti64: fn(['i64'], [], 'puti64(v): prints v as i64'),
        putf32: fn(['f32'], [], 'putf32(v): prints v in exponent form (+1.5e0)'),
        putf64: fn(['f64'], [], 'putf64(v): prints v in exponent form (+1.5e0)'),
        print_map: fn([I], [], 'print_map(id): prints map id as key->value;... (ascending keys), or "empty map"'),
        print_map_as_csv: fn([I], [], 'print_map_as_csv(id): prints map id as "== mapN CSV FLUSH ==", its key/val types, then one "key, value" line per entry'),
        insert_i32_i32: fn([I, I, I], [], 'insert_i32_i32(id, key, value)'),
        insert_i32_string: fn([I, I, I, I], [], 'insert_i32_string(id, key, addr, len)'),
        insert_string_i32: fn([I, I, I, I], [], 'insert_string_i32(id, addr, len, value)'),
        insert_i32i32tuple_i32: fn([I, I, I, I], [], 'insert_i32i32tuple_i32(id, k0, k1, value)'),
        insert_i32booltuple_i32: fn([I, I, I, I], [], 'insert_i32booltuple_i32(id, k0, k1, value)'),
        insert_i32i32i32tuple_i32: fn([I, I, I, I, I], [], 'insert_i32i32i32tuple_i32(id, k0, k1, k2, value)'),
        get_i32_i32: fn([I, I], [I], 'get_i32_i32(id, key) -> value (0 when absent)'),
        get_i32_string: fn([I, I, I], [], 'get_i32_string(ret, id, key): writes (addr, len) of the value at ret (traps when absent)'),
        get_string_i32: fn([I, I, I], [I], 'get_string_i32(id, addr, len) -> value (0 when absent)'),
        get_i32i32tuple_i32: fn([I, I, I], [I], 'get_i32i32tuple_i32(id, k0, k1) -> value (0 when absent)'),
        get_i32booltuple_i32: fn([I, I, I], [I], 'get_i32booltuple_i32(id, k0, k1) -> value (0 when absent)'),
        get_i32i32i32tuple_i32: fn([I, I, I, I], [I], 'get_i32i32i32tuple_i32(id, k0, k1, k2) -> value (0 when absent)'),
    };
    for (const k of KINDS) {
        if (k === 'map') continue;
        for (const v of KINDS) {
            t[`create_${k}_${v}`] = fn([], [I], `create_${k}_${v}() -> id: a new map with ${k} keys and ${v} values`);
            t[`create_${k}_${v}_with_id`] = fn([I], [], `create_${k}_${v}_with_id(id): a new map with ${k} keys and ${v} values under id`);
        }
    }
    return t;
}

/** Export name -> signature, for every function the core library exports (besides its `memory`). */
export const CORE_LIBRARY_FUNCTIONS: Readonly<Record<string, CoreFunction>> = table();
