// User libraries outside a run: instantiating one at instrumentation time (for `@static lib.fn()` and
// for signatures) with inert WASI functions, and the core library, which scripts that `use whamm_core` get
// without naming it in --user-libs (runtime/core-lib.ts implements it; a library given under that name wins).
import { CORE_LIBRARY_NAME } from '../catalog/core-library.js';
import { CORE_HOST_MODULE, CoreLibraryHost, coreLibraryBytes } from './core-lib.js';

export const CORE_LIBRARY = CORE_LIBRARY_NAME;

/** `libs` plus whamm_core when `needed` and not given explicitly (a given one always wins). */
export function withCoreLibrary(libs: Map<string, Uint8Array> | undefined, needed: boolean): Map<string, Uint8Array> {
    const out = new Map(libs ?? []);
    if (needed && !out.has(CORE_LIBRARY)) out.set(CORE_LIBRARY, coreLibraryBytes());
    return out;
}

const WASI_MODULES = ['wasi_snapshot_preview1', 'wasi_unstable'];
const ERRNO_NOSYS = 52;

class LibraryExit extends Error {
    constructor(readonly code: number) { super(`the library called proc_exit(${code}) at instrumentation time`); }
}

/**
 * Instantiates a library synchronously for instrumentation-time calls. Its WASI imports do nothing:
 * output is dropped (instrumenting must not print), queries report no arguments/environment, other
 * calls answer ENOSYS, proc_exit throws.
 */
export function instantiateLibrarySync(name: string, bytes: Uint8Array): WebAssembly.Instance {
    const module = new WebAssembly.Module(bytes as Parameters<typeof WebAssembly.compile>[0]);
    const imports: WebAssembly.Imports = {};
    let memory: WebAssembly.Memory | undefined;
    const view = () => new DataView(memory!.buffer);
    let core: CoreLibraryHost | undefined;
    for (const imp of WebAssembly.Module.imports(module)) {
        if (imp.module === CORE_HOST_MODULE) {
            // Our whamm_core: its functions work (maps, allocation) but print nothing at this time.
            core ??= new CoreLibraryHost();
            imports[CORE_HOST_MODULE] ??= core.imports()[CORE_HOST_MODULE];
            continue;
        }
        if (!WASI_MODULES.includes(imp.module) || imp.kind !== 'function') {
            throw new Error(`user library '${name}' imports ${imp.module}.${imp.name}, which cannot be provided at instrumentation time`);
        }
        let fn: (...a: number[]) => number;
        switch (imp.name) {
            case 'fd_write': fn = (_fd, iovs, n, written) => {
                let total = 0;
                for (let i = 0; i < n; i++) total += view().getUint32(iovs + 8 * i + 4, true);
                view().setUint32(written, total, true);
                return 0;
            }; break;
            case 'environ_sizes_get': case 'args_sizes_get': fn = (a, b) => { view().setUint32(a, 0, true); view().setUint32(b, 0, true); return 0; }; break;
            case 'environ_get': case 'args_get': fn = () => 0; break;
            case 'proc_exit': fn = code => { throw new LibraryExit(code); }; break;
            case 'random_get': fn = (buf, len) => { new Uint8Array(memory!.buffer, buf, len).fill(4); return 0; }; break;
            default: fn = () => ERRNO_NOSYS;
        }
        ((imports[imp.module] ??= {}) as Record<string, unknown>)[imp.name] = fn;
    }
    const instance = new WebAssembly.Instance(module, imports);
    core?.attach(instance);
    const mem = instance.exports.memory;
    if (mem instanceof WebAssembly.Memory) memory = mem;
    return instance;
}
