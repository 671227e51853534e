// The instrumentation step `whamm wast` uses: the engine in --testing mode, plus the imports the
// instrumented module needs beyond the app's own (the map/string runtime, user libraries), linked the
// way `whamm run` links them.
import type { WASI as WasiType } from 'node:wasi';
import { instrument } from '../engine/instrument.js';
import { linkRuntime } from '../runtime/link.js';
import { CORE_LIBRARY } from '../runtime/libs.js';
import { RT_IMPORT_MODULE } from '../runtime/spec.js';
import type { InstrumentFn, InstrumentOutput } from './harness.js';
import { compileForEngine } from '../runner/engine-compile.js';

/**
 * A library that imports WASI gets one with no arguments whose output goes to stderr: stdout carries the
 * harness's own lines (failures and the summary).
 */
async function libraryWasi(env: Record<string, string>): Promise<WasiType> {
    const emit = process.emitWarning;
    process.emitWarning = (() => undefined) as typeof process.emitWarning; // node:wasi's ExperimentalWarning
    try {
        const { WASI } = await import('node:wasi');
        return new WASI({ version: 'preview1', args: [], env: { ...env }, stdout: 2, stderr: 2, returnOnExit: true });
    } finally {
        process.emitWarning = emit;
    }
}

export function engineInstrument(userLibs: Map<string, Uint8Array> = new Map()): InstrumentFn {
    return async (app, script): Promise<InstrumentOutput> => {
        const result = await instrument({ app, script, testing: true, userLibs });
        const { module } = await compileForEngine(result.bytes);
        // Only the namespaces whamm adds are linked here; the app's own imports come from the wast setup.
        const ours = new Set([RT_IMPORT_MODULE, CORE_LIBRARY, ...userLibs.keys()]);
        const wanted = new Set(WebAssembly.Module.imports(module).map(i => i.module).filter(m => ours.has(m)));
        if (wanted.size === 0) return result.bytes;
        const link = await linkRuntime(module, { userLibs, makeWasi: libraryWasi, write: t => { process.stderr.write(t); } });
        const imports: WebAssembly.Imports = {};
        for (const name of wanted) if (link.imports[name]) imports[name] = link.imports[name];
        return { bytes: result.bytes, imports, onInstance: instance => link.attach(instance) };
    };
}

export const instrumentForWast: InstrumentFn = engineInstrument();
