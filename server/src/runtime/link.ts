// Linking an instrumented module for a run: the Whamm runtime (`whamm:rt`) and the user libraries it
// imports. A library gets its own WASI instance (whamm_core and alpha import fd_write and friends): WASI
// functions read the memory of the instance they were initialised with, so the app's WASI cannot serve
// a library's calls. Libraries write to the same stdout as the app.
import fs from 'node:fs';
import type { WASI as WasiType } from 'node:wasi';
import { WhammRuntime } from './runtime.js';
import { parseRtType } from './rt-types.js';
import { CORE_LIBRARY, withCoreLibrary } from './libs.js';
import { CoreLibraryHost, needsCoreHost } from './core-lib.js';
import { APP_MEMORY_EXPORT, RT_IMPORT_MODULE } from './spec.js';

const WASI_MODULES = ['wasi_snapshot_preview1', 'wasi_unstable'];

export interface LinkOptions {
    /** name -> module bytes (from --user-libs). */
    userLibs?: Map<string, Uint8Array>;
    /**
     * Creates a WASI for a library (the runner passes its own settings: args, env, fds); `defaults` are
     * environment variables to set unless the user's environment sets them.
     */
    makeWasi?: (defaults: Record<string, string>) => Promise<WasiType>;
    /** Where the core library prints (the app's stdout; default: fd 1). */
    write?: (text: string) => void;
}

export interface RuntimeLink {
    /** Namespaces to merge into the app's import object. */
    imports: WebAssembly.Imports;
    runtime?: WhammRuntime;
    /** Call once the app is instantiated (hands its memory to the string functions). */
    attach(instance: WebAssembly.Instance): void;
    /**
     * Prints a report value of a type the scalar formatter does not know (tuples, str, maps): its leaves
     * are the slots from `v.slot` on; a map's id is `v.map` when the layout gives it, else its slot.
     */
    formatValue(v: { type: string; slot: number; map?: number }, slots: ArrayLike<bigint>): string | undefined;
    /** Call before printing the report: ends the line whamm_core's console output may hold back. */
    flushLibraryOutput?(): void;
}

export class LinkError extends Error {}

/** Instantiates a user library with WASI when it imports it; returns its exports. */
/**
 * whamm_core prints to a file under output/ unless TO_CONSOLE=true; the reference's runs print library
 * output on the console (the conformance expectations hold it), so that is the default here.
 */
export const LIBRARY_ENV_DEFAULTS: Record<string, string> = { TO_CONSOLE: 'true' };

export async function instantiateLibrary(name: string, bytes: Uint8Array, makeWasi?: LinkOptions['makeWasi'], core?: CoreLibraryHost): Promise<WebAssembly.Instance> {
    let module: WebAssembly.Module;
    try {
        module = await WebAssembly.compile(bytes);
    } catch (e) {
        throw new LinkError(`user library '${name}' is not a valid WebAssembly module: ${(e as Error).message}`);
    }
    const imports: WebAssembly.Imports = {};
    const needed = WebAssembly.Module.imports(module);
    let wasi: WasiType | undefined;
    if (core && needsCoreHost(module)) Object.assign(imports, core.imports());
    if (needed.some(i => WASI_MODULES.includes(i.module))) {
        if (!makeWasi) throw new LinkError(`user library '${name}' imports WASI, which this runner cannot give it`);
        wasi = await makeWasi(LIBRARY_ENV_DEFAULTS);
        const w = (wasi.getImportObject() as WebAssembly.Imports).wasi_snapshot_preview1;
        for (const m of WASI_MODULES) imports[m] = w;
    }
    const missing = needed.filter(i => !(imports[i.module] && i.name in (imports[i.module] as object)));
    if (missing.length) throw new LinkError(`user library '${name}' imports ${missing.map(i => `${i.module}.${i.name}`).join(', ')}, which the runner cannot provide`);
    const instance = await WebAssembly.instantiate(module, imports);
    core?.attach(instance);
    if (wasi) {
        const exports = instance.exports as Record<string, unknown>;
        // initialize() wants a memory export and refuses modules with _start; a library without either
        // still runs, its WASI calls then fail as they would anywhere.
        if (exports.memory instanceof WebAssembly.Memory && typeof exports._start !== 'function') wasi.initialize(instance);
    }
    return instance;
}

const SCALARS = new Set(['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'u64', 'i64', 'f32', 'f64', 'bool']);

export async function linkRuntime(module: WebAssembly.Module, opts: LinkOptions = {}): Promise<RuntimeLink> {
    const imports: WebAssembly.Imports = {};
    const libs = new Map<string, WebAssembly.Instance>();
    const wanted = new Set(WebAssembly.Module.imports(module).map(i => i.module));
    // A module whose string operations all folded away may still import them; give it an empty runtime.
    const runtime = await WhammRuntime.forModule(module) ?? (wanted.has(RT_IMPORT_MODULE) ? WhammRuntime.empty() : undefined);
    // whamm_core (ours) prints where the app's stdout goes and reads the script's maps from the runtime.
    const write = opts.write ?? ((t: string) => { fs.writeSync(1, t); });
    const core = new CoreLibraryHost({ write, scriptMaps: runtime?.scriptMaps() });
    for (const [name, bytes] of withCoreLibrary(opts.userLibs, wanted.has(CORE_LIBRARY))) {
        const instance = await instantiateLibrary(name, bytes, opts.makeWasi, core);
        libs.set(name, instance);
        if (wanted.has(name) || !imports[name]) imports[name] = instance.exports as WebAssembly.ModuleImports;
    }
    // A whamm_core given with --user-libs (the reference's build) buffers console output by line like ours
    // but prints through its own WASI: after a `puts` whose text does not end in '\n' a line is held back,
    // which flushLibraryOutput() ends (see there).
    let corePending = false;
    const coreExports = libs.get(CORE_LIBRARY)?.exports as Record<string, unknown> | undefined;
    const externalCore = !!coreExports && wanted.has(CORE_LIBRARY) && !core.attached;
    if (externalCore && typeof coreExports.puts === 'function' && coreExports.memory instanceof WebAssembly.Memory) {
        const puts = coreExports.puts as (p: number, n: number) => void, memory = coreExports.memory;
        imports[CORE_LIBRARY] = {
            ...(imports[CORE_LIBRARY] as object),
            puts: (p: number, n: number) => {
                if (n > 0) corePending = new Uint8Array(memory.buffer)[((p + n - 1) >>> 0)] !== 10;
                return puts(p, n);
            },
        };
    }
    if (runtime) {
        Object.assign(imports, runtime.imports());
        if (externalCore && runtime.spec.maps.length) {
            // The script's maps live in our runtime, not in that library's map store (which would panic on
            // an unknown id): print ours instead.
            imports[CORE_LIBRARY] = {
                ...(imports[CORE_LIBRARY] as object),
                print_map_as_csv: (id: number) => { write(core.csv(id)); },
                print_map: (id: number) => { write(core.dump(id)); },
            };
        }
        runtime.spec.memories.forEach((owner, memid) => {
            if (memid === 0) return;
            const lib = libs.get(owner);
            const mem = lib?.exports.memory;
            if (mem instanceof WebAssembly.Memory) runtime.attachMemory(memid, mem);
        });
    }
    return {
        imports, runtime,
        attach(instance) {
            const mem = instance.exports[APP_MEMORY_EXPORT] ?? instance.exports.memory;
            if (runtime && mem instanceof WebAssembly.Memory) runtime.attachMemory(0, mem);
        },
        flushLibraryOutput() {
            // The reference prints its report through whamm_core, starting with a newline, which pushes a
            // held-back line out; end such a line the same way before our report.
            core.flush(true);
            const ext = coreExports;
            if (!externalCore || !ext || !corePending) return;
            corePending = false;
            const { mem_alloc: alloc, mem_free: free, puts, memory } = ext;
            if (typeof alloc !== 'function' || typeof puts !== 'function' || !(memory instanceof WebAssembly.Memory)) return;
            try {
                const p = (alloc as (n: number) => number)(1);
                new Uint8Array(memory.buffer)[p] = 10;
                (puts as (p: number, n: number) => void)(p, 1);
                if (typeof free === 'function') (free as (p: number) => void)(p);
            } catch { /* a library that cannot print leaves nothing pending either */ }
        },
        formatValue(v, slots) {
            const type = v.type, first = v.slot;
            if (SCALARS.has(type)) return undefined;
            if (runtime && v.map !== undefined && type.startsWith('map<')) return runtime.mapText(v.map);
            if (!runtime) {
                // Tuples of scalars need no runtime; strings and maps do.
                const t = parseRtType(type);
                if (typeof t !== 'string' && 'tuple' in t) return formatWithoutRuntime(type, slots, first);
                return undefined;
            }
            return runtime.formatSlots(type, slots, first);
        },
    };
}

let bare: WhammRuntime | undefined;
function formatWithoutRuntime(type: string, slots: ArrayLike<bigint>, first: number): string {
    bare ??= WhammRuntime.empty();
    return bare.formatSlots(type, slots, first);
}
