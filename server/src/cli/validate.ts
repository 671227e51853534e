// Only valid modules in: an input is checked before anything is instrumented or written, by the JS
// engine's validator where this engine supports the module's features, and by our own decoder and index
// checks (../wasm/validate.ts) where it does not. The instrumented output is checked again by the engine
// when the input was: an output that does not validate is our bug and is never written.
import { compileForEngine } from '../runner/engine-compile.js';
import { decodeModule } from '../wasm/decode.js';
import { PageSizeLoweringError } from '../wasm/lower-page-sizes.js';
import { checkIndices } from '../wasm/validate.js';
import { InputError } from './io.js';

/** V8 names the flag of a proposal it has but does not enable: the module may be valid. */
const ENGINE_LACKS_FEATURE = /enable with --experimental-wasm-/;

export class InternalError extends Error {}

function engineMessage(e: unknown): string {
    return (e instanceof Error ? e.message : String(e)).replace(/^WebAssembly\.\w+\(\): /, '');
}

/** Throws InputError naming the problem; `byEngine` says whether the JS engine validated the module. */
export async function validateInput(bytes: Uint8Array, file: string): Promise<{ byEngine: boolean }> {
    if (WebAssembly.validate(bytes)) return { byEngine: true };
    let engineError: unknown;
    try {
        await compileForEngine(bytes);
        return { byEngine: true };
    } catch (e) {
        engineError = e;
    }
    const message = engineMessage(engineError);
    if (!(engineError instanceof PageSizeLoweringError) && !ENGINE_LACKS_FEATURE.test(message)) throw new InputError(`${file} is not a valid WebAssembly module: ${message}`);
    let m;
    try {
        m = decodeModule(bytes);
    } catch (e) {
        throw new InputError(`${file} is not a valid WebAssembly module: ${(e as Error).message}`);
    }
    const problem = checkIndices(m);
    if (problem) throw new InputError(`${file} is not a valid WebAssembly module: ${problem.message} (at byte 0x${problem.offset.toString(16)})`);
    return { byEngine: false };
}

/** The engine's verdict on our own output: a failure is an internal error, never written. */
export async function checkInstrumented(bytes: Uint8Array): Promise<void> {
    if (WebAssembly.validate(bytes)) return;
    try {
        await compileForEngine(bytes);
    } catch (e) {
        throw new InternalError(`the instrumented module does not validate (${engineMessage(e)}); nothing was written`);
    }
}
