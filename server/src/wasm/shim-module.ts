// A module whose functions are all host imports, re-exported under their own names, plus an exported
// memory of its own: the shape of a library implemented by the host (whamm_core) that scripts still
// address as a Wasm module (`memid(lib)`, signatures read from its exports, an instance to link).
import { ByteWriter } from './encode.js';
import type { ValType } from './types.js';

export interface ShimFunction { name: string; params: ValType[]; results: ValType[] }

const SECTION = { type: 1, import: 2, memory: 5, export: 7 } as const;
const EXTERN = { func: 0, memory: 2 } as const;
const FUNC_TYPE = 0x60;
const LIMITS_MIN_ONLY = 0x00;

export function shimModule(importModule: string, functions: readonly ShimFunction[], memoryPages: number): Uint8Array {
    const out = new ByteWriter(4096).bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const types = new ByteWriter().u32(functions.length);
    for (const f of functions) {
        types.byte(FUNC_TYPE).u32(f.params.length);
        for (const p of f.params) types.valType(p);
        types.u32(f.results.length);
        for (const r of f.results) types.valType(r);
    }
    out.byte(SECTION.type).sized(types);
    const imports = new ByteWriter().u32(functions.length);
    functions.forEach((f, i) => imports.name(importModule).name(f.name).byte(EXTERN.func).u32(i));
    out.byte(SECTION.import).sized(imports);
    out.byte(SECTION.memory).sized(new ByteWriter().u32(1).byte(LIMITS_MIN_ONLY).u32(memoryPages));
    const exports = new ByteWriter().u32(functions.length + 1).name('memory').byte(EXTERN.memory).u32(0);
    functions.forEach((f, i) => exports.name(f.name).byte(EXTERN.func).u32(i));
    out.byte(SECTION.export).sized(exports);
    return out.finish().slice();
}
