// The bundled core library's signatures as the checker types library calls against them.
import { CORE_LIBRARY_FUNCTIONS, CORE_LIBRARY_NAME } from '../catalog/core-library.js';
import type { LibFnSignature } from './symbols.js';
import { prim, type Type } from './types.js';

let cache: Record<string, LibFnSignature> | undefined;

/** Export name -> signature of whamm_core, or undefined for any other library name. */
export function coreLibrarySignatures(lib: string): Record<string, LibFnSignature> | undefined {
    if (lib !== CORE_LIBRARY_NAME) return undefined;
    cache ??= Object.fromEntries(Object.entries(CORE_LIBRARY_FUNCTIONS).map(([name, f]) => [name, {
        params: f.params.map(t => prim(t) as Type),
        results: f.results.map(t => prim(t) as Type),
    }]));
    return cache;
}
