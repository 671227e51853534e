// Compiling a module for the engine we run on. When the engine rejects a module because it lacks the
// custom-page-sizes proposal (Node 20's V8), the module is lowered to 64 KiB pages with the logical size
// kept exact (../wasm/lower-page-sizes.ts) and compiled again. Modules the engine accepts are untouched.
import { decodeModule, type WasmModule } from '../wasm/decode.js';
import { PageSizeLoweringError, declaresPageSizes, lowerPageSizes, type PageSizeLowering } from '../wasm/lower-page-sizes.js';

export interface EngineModule {
    module: WebAssembly.Module;
    /** The bytes compiled: the input, or its lowered form. */
    bytes: Uint8Array;
}

/** Compiles `bytes`; `note` hears one line when page sizes had to be emulated. */
export async function compileForEngine(bytes: Uint8Array, note?: (line: string) => void): Promise<EngineModule> {
    try {
        return { module: await WebAssembly.compile(bytes), bytes };
    } catch (first) {
        let decoded: WasmModule;
        try { decoded = decodeModule(bytes); } catch { throw first; }
        if (!declaresPageSizes(decoded)) throw first;
        let lowered: PageSizeLowering;
        try {
            lowered = lowerPageSizes(decoded)!;
        } catch (e) {
            // A page size we cannot emulate says so; malformed code keeps the engine's own message.
            throw e instanceof PageSizeLoweringError ? e : first;
        }
        const module = await WebAssembly.compile(lowered.bytes);
        if (lowered.lowered.length) {
            note?.(`whamm: this engine lacks custom page sizes; ${lowered.lowered.map(l => `memory ${l.index}`).join(', ')} (1-byte pages) `
                + 'emulated over 64 KiB pages, bounds-checked');
        }
        return { module, bytes: lowered.bytes };
    }
}
