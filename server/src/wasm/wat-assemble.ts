// WAT -> Wasm with wabt (its emscripten build, loaded once): the runtime's generated modules, test
// fixtures, and applications given as WebAssembly text.
import wabtInit from 'wabt';
import { hasWasmMagic } from './decode.js';

type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let wabtPromise: Promise<Wabt> | undefined;

export function loadWabt(): Promise<Wabt> {
    wabtPromise ??= wabtInit();
    return wabtPromise;
}

/** Every post-MVP feature our engine and Node 20's V8 understand. */
export const WAT_FEATURES = {
    exceptions: true, mutable_globals: true, sat_float_to_int: true, sign_extension: true, simd: true,
    multi_value: true, tail_call: true, bulk_memory: true, reference_types: true, extended_const: true,
    function_references: false, threads: false, gc: false, memory64: false,
} as const;

export class WatError extends Error {}

/** Compiles WAT text of one module to a binary (with a name section, so `fname` works). */
export async function watToWasm(text: string, fileName = 'module.wat'): Promise<Uint8Array> {
    const wabt = await loadWabt();
    let module: ReturnType<Wabt['parseWat']> | undefined;
    try {
        module = wabt.parseWat(fileName, text, WAT_FEATURES);
        module.resolveNames();
        module.validate();
        return module.toBinary({ write_debug_names: true }).buffer.slice();
    } catch (e) {
        throw new WatError(e instanceof Error ? e.message.trim() : String(e));
    } finally {
        module?.destroy();
    }
}

/** Features for applications given as .wat: everything wabt parses into final-spec binaries. */
export const APP_WAT_FEATURES = {
    ...WAT_FEATURES, threads: true, memory64: true, multi_memory: true, relaxed_simd: true,
} as const;

/** True for a file the CLI should read as WebAssembly text rather than a binary. */
export function isWatApp(fileName: string, content: Uint8Array): boolean {
    return !hasWasmMagic(content) && (/\.wat$/i.test(fileName) || /^\s*(\(|;;)/.test(new TextDecoder().decode(content.subarray(0, 64))));
}

/**
 * An application module from a file: binaries as they are, WebAssembly text (.wat) assembled with wabt,
 * which writes the instructions exactly as written (folded forms in their order, no optimisation) and
 * keeps the names in a name section. Errors are `file:line:col: error: ...` lines (WatError).
 */
export async function appModuleFromFile(fileName: string, content: Uint8Array): Promise<Uint8Array> {
    if (!isWatApp(fileName, content)) return content;
    const wabt = await loadWabt();
    let module: ReturnType<Wabt['parseWat']> | undefined;
    try {
        module = wabt.parseWat(fileName, new TextDecoder().decode(content), APP_WAT_FEATURES);
        module.resolveNames();
        module.validate();
        return module.toBinary({ write_debug_names: true }).buffer.slice();
    } catch (e) {
        const text = e instanceof Error ? e.message : String(e);
        // wabt prints each error as `file:line:col: error: ...` followed by the source line and a caret.
        const lines = text.split('\n').filter(l => /:\d+:\d+: error: /.test(l));
        throw new WatError(lines.length ? lines.join('\n') : `${fileName}: ${text.trim()}`);
    } finally {
        module?.destroy();
    }
}
