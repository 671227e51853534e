// Compiles WebAssembly text to a binary with wabt, for small precise test fixtures.
// All post-MVP features wabt knows are on; wabt's own validator is skipped (it ignores the feature
// flags), so tests validate with binaryen or WebAssembly.validate where it matters.

import type wabtInit from 'wabt';
type Wabt = Awaited<ReturnType<typeof wabtInit>>;
let wabtPromise: Promise<Wabt> | undefined;

const FEATURES = {
    exceptions: true, mutable_globals: true, sat_float_to_int: true, sign_extension: true, simd: true,
    threads: true, function_references: true, multi_value: true, tail_call: true, bulk_memory: true,
    reference_types: true, memory64: true, multi_memory: true, extended_const: true, relaxed_simd: true,
};

/** WAT -> wasm bytes (names kept in a name section unless `debugNames` is false). */
export async function wat(source: string, debugNames = true): Promise<Uint8Array> {
    wabtPromise ??= import('wabt').then((m) => (m.default as unknown as typeof wabtInit)());
    const wabt = await wabtPromise;
    const mod = wabt.parseWat('fixture.wat', source, FEATURES as never);
    try {
        mod.resolveNames();
        return new Uint8Array(mod.toBinary({ write_debug_names: debugNames }).buffer);
    } finally {
        mod.destroy();
    }
}
