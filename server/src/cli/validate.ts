// Only valid modules in: an input is checked before anything is instrumented or written, by the JS
// engine's validator where this engine supports the module's features, and by our own decoder and index
// checks (../wasm/validate.ts) where it does not. Where this engine lacks a proposal the module uses, the
// V8 of a Node 22+ (runner/capable-node.ts) validates it when one is found; our own checks are the last
// resort. The instrumented output is checked again by the engine that validated the input: an output that
// does not validate is our bug and is never written.
import { compileForEngine } from '../runner/engine-compile.js';
import { featureOfError, validateInCapableNode } from '../runner/capable-node.js';
import { decodeModule } from '../wasm/decode.js';
import { PageSizeLoweringError, lowerPageSizes } from '../wasm/lower-page-sizes.js';
import { checkIndices } from '../wasm/validate.js';
import { InputError } from './io.js';

/** V8 names the flag of a proposal it has but does not enable: the module may be valid. */
const ENGINE_LACKS_FEATURE = /enable with --experimental-wasm-/;

export class InternalError extends Error {}

function engineMessage(e: unknown): string {
    return (e instanceof Error ? e.message : String(e)).replace(/^WebAssembly\.\w+\(\): /, '');
}

/** Who vouched for a module: this JS engine, a newer Node's (its path), or only our own checks. */
export interface InputVerdict { byEngine: boolean; capableNode?: string }

/** The module as an engine without custom page sizes can take it (lowered), else as it is. */
function forOlderEngine(bytes: Uint8Array): Uint8Array {
    try { return lowerPageSizes(bytes)?.bytes ?? bytes; } catch { return bytes; }
}

/** Throws InputError naming the problem. */
export async function validateInput(bytes: Uint8Array, file: string): Promise<InputVerdict> {
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
    let capableNode: string | undefined;
    if (ENGINE_LACKS_FEATURE.test(message)) {
        const verdict = validateInCapableNode(forOlderEngine(bytes));
        if (verdict && 'valid' in verdict) {
            if (!verdict.valid) throw new InputError(`${file} is not a valid WebAssembly module: ${verdict.message}`);
            capableNode = verdict.node;
        }
    }
    let m;
    try {
        m = decodeModule(bytes);
    } catch (e) {
        throw new InputError(`${file} is not a valid WebAssembly module: ${(e as Error).message}`);
    }
    const problem = checkIndices(m);
    if (problem) throw new InputError(`${file} is not a valid WebAssembly module: ${problem.message} (at byte 0x${problem.offset.toString(16)})`);
    return { byEngine: false, capableNode };
}

/** The verdict of the engine that validated the input on our own output: a failure is an internal error, never written. */
export async function checkInstrumented(bytes: Uint8Array, input: InputVerdict = { byEngine: true }): Promise<void> {
    if (!input.byEngine) {
        const verdict = input.capableNode ? validateInCapableNode(forOlderEngine(bytes)) : undefined;
        if (verdict && 'valid' in verdict && !verdict.valid) {
            throw new InternalError(`the instrumented module does not validate (${verdict.message}); nothing was written`);
        }
        return;
    }
    if (WebAssembly.validate(bytes)) return;
    try {
        await compileForEngine(bytes);
    } catch (e) {
        // A big module's counters in a memory of their own: an engine without multi-memory cannot say;
        // a Node 22+ does when there is one, else our own index checks do.
        if (featureOfError(e)) {
            const verdict = validateInCapableNode(forOlderEngine(bytes));
            if (verdict && 'valid' in verdict && !verdict.valid) throw new InternalError(`the instrumented module does not validate (${verdict.message}); nothing was written`);
            if (verdict && 'valid' in verdict) return;
            const problem = checkIndices(decodeModule(bytes));
            if (!problem) return;
            throw new InternalError(`the instrumented module does not validate (${problem.message}); nothing was written`);
        }
        throw new InternalError(`the instrumented module does not validate (${engineMessage(e)}); nothing was written`);
    }
}
