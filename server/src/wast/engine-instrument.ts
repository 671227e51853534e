// The instrumentation step `whamm wast` uses: the engine in --testing mode, plus the imports the
// instrumented module needs beyond the app's own (the map/string runtime, user libraries).
import { instrument } from '../engine/instrument.js';
import { WhammRuntime } from '../runtime/runtime.js';
import { APP_MEMORY_EXPORT } from '../runtime/spec.js';
import type { InstrumentFn, InstrumentOutput } from './harness.js';
import { compileForEngine } from '../runner/engine-compile.js';

export function engineInstrument(userLibs: Map<string, Uint8Array> = new Map()): InstrumentFn {
    return async (app, script): Promise<InstrumentOutput> => {
        const result = await instrument({ app, script, testing: true, userLibs });
        const { module } = await compileForEngine(result.bytes);
        const rt = await WhammRuntime.forModule(module);
        if (!rt) return result.bytes;
        return {
            bytes: result.bytes,
            imports: rt.imports(),
            onInstance: instance => {
                const mem = instance.exports[APP_MEMORY_EXPORT] ?? instance.exports.memory;
                if (mem instanceof WebAssembly.Memory) rt.attachMemory(0, mem);
            },
        };
    };
}

export const instrumentForWast: InstrumentFn = engineInstrument();
