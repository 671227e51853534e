// User libraries outside a run: instantiating one at instrumentation time (for `@static lib.fn()` and
// for signatures) with inert WASI functions, and finding the reference's core library, which scripts
// that `use whamm_core` get without naming it in --user-libs (the reference bundles it).
import fs from 'node:fs';
import path from 'node:path';

export const CORE_LIBRARY = 'whamm_core';

/**
 * Where whamm_core.wasm is looked for, in order: $WHAMM_CORE_LIB, $WHAMM_SHARED/conformance/libs,
 * then ../shared/conformance/libs beside the project (found from this file's bundle and from the cwd).
 */
export function coreLibraryCandidates(): string[] {
    const out: string[] = [];
    if (process.env.WHAMM_CORE_LIB) out.push(process.env.WHAMM_CORE_LIB);
    const rel = path.join('conformance', 'libs', 'whamm_core.wasm');
    if (process.env.WHAMM_SHARED) out.push(path.join(process.env.WHAMM_SHARED, rel));
    const here = typeof __filename === 'string' ? path.dirname(__filename) : process.cwd();
    // out/cli.cjs -> <root>/out; server/src/runtime/libs.ts -> <root>/server/src/runtime.
    for (const up of ['..', path.join('..', '..', '..')]) out.push(path.resolve(here, up, '..', 'shared', rel));
    out.push(path.resolve(process.cwd(), '..', 'shared', rel));
    return [...new Set(out)];
}

let coreCache: { bytes: Uint8Array; path: string } | null | undefined;

export function findCoreLibrary(): { bytes: Uint8Array; path: string } | undefined {
    if (coreCache !== undefined) return coreCache ?? undefined;
    coreCache = null;
    for (const p of coreLibraryCandidates()) {
        try {
            if (fs.statSync(p).isFile()) { coreCache = { bytes: fs.readFileSync(p), path: p }; break; }
        } catch { /* next */ }
    }
    return coreCache ?? undefined;
}

/** `libs` plus whamm_core when `needed` and not given explicitly (a given one always wins). */
export function withCoreLibrary(libs: Map<string, Uint8Array> | undefined, needed: boolean): Map<string, Uint8Array> {
    const out = new Map(libs ?? []);
    if (needed && !out.has(CORE_LIBRARY)) {
        const core = findCoreLibrary();
        if (core) out.set(CORE_LIBRARY, core.bytes);
    }
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
    for (const imp of WebAssembly.Module.imports(module)) {
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
    const mem = instance.exports.memory;
    if (mem instanceof WebAssembly.Memory) memory = mem;
    return instance;
}
