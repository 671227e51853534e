// Where a trap happened, in terms of the original app. V8 names the trapping instruction in the error's
// stack (`wasm-function[F]:0xOFFSET`, offsets in the module that ran); the module that ran is the app with
// probe code inserted, so the instruction is found again in the app by walking both bodies side by side:
// the instrumented body holds the app's instructions in their order, with inserted code between them.
import fs from 'node:fs';
import { loadSourceMapper, type SourceMapper } from '../mapping/index.js';
import type { TrapInfo } from '../protocol.js';
import { decodeBody, decodeModule, funcName, type WasmModule } from '../wasm/index.js';
import type { Instr } from '../wasm/instructions.js';

export interface WasmFrame { func: number; offset: number }

const FRAME = /wasm-function\[(\d+)\]:0x([0-9a-f]+)/g;

/** The wasm frames of an error's stack, innermost first. */
export function wasmFrames(error: unknown): WasmFrame[] {
    const stack = error instanceof Error ? error.stack ?? '' : '';
    return [...stack.matchAll(FRAME)].map(m => ({ func: Number(m[1]), offset: parseInt(m[2], 16) }));
}

export interface TrapOrigin {
    /** Function index in the app (imports counted). */
    func: number;
    /** Module offset in the app of the trapping instruction, or of the app instruction the probe code precedes. */
    offset: number;
    /** The trapping instruction is inserted code (a probe body or a runtime helper it called). */
    inProbe: boolean;
}

const sameInstr = (a: Instr, ab: Uint8Array, b: Instr, bb: Uint8Array): boolean => {
    if (a.op.index !== b.op.index) return false;
    // Function indices move when imports are added; compare the opcode alone then.
    if (a.op.imms.includes('func')) return true;
    const n = a.end - a.offset;
    if (n !== b.end - b.offset) return false;
    for (let i = 0; i < n; i++) if (ab[a.offset + i] !== bb[b.offset + i]) return false;
    return true;
};

/**
 * The app instruction behind a trap: the innermost frame that lies in one of the app's functions (frames
 * in functions the instrumentation added are skipped, and then the trap counts as in probe code).
 * Undefined when no frame lies in an app function or a body cannot be decoded.
 */
export function trapOrigin(app: WasmModule, ran: WasmModule, frames: readonly WasmFrame[]): TrapOrigin | undefined {
    const added = ran.numImportedFuncs - app.numImportedFuncs;
    let inProbe = false;
    for (const f of frames) {
        const func = f.func - added;
        if (f.func < ran.numImportedFuncs || func < app.numImportedFuncs || func >= app.numImportedFuncs + app.bodies.length) {
            inProbe = true;
            continue;
        }
        try {
            const a = decodeBody(app, func).instrs, r = decodeBody(ran, f.func).instrs;
            // Greedy walk: an instruction of the ran body that matches the next app instruction is that instruction.
            let j = 0;
            for (const ins of r) {
                const matched = j < a.length && sameInstr(ins, ran.bytes, a[j], app.bytes);
                if (ins.offset === f.offset || (ins.offset < f.offset && f.offset < ins.end)) {
                    const at = a[Math.min(j, a.length - 1)];
                    return { func, offset: at.offset, inProbe: inProbe || !matched };
                }
                if (matched) j++;
            }
        } catch {
            return undefined;
        }
        return undefined;
    }
    return undefined;
}

export interface AppDebug { module: WasmModule; mapper: SourceMapper }

/** Decodes the app and loads its debug info; undefined when the app cannot be read. */
export function loadAppDebug(appPath: string, searchRoots?: string[]): AppDebug | undefined {
    try {
        const module = decodeModule(fs.readFileSync(appPath));
        return { module, mapper: loadSourceMapper(module, appPath, { searchRoots }) };
    } catch {
        return undefined;
    }
}

/** The trap in the app's terms: its function and, with debug info, its source line. */
export function locateTrap(message: string, frames: readonly WasmFrame[] | undefined, ran: Uint8Array | WasmModule, app: AppDebug | undefined): TrapInfo {
    const trap: TrapInfo = { message };
    if (!app || !frames?.length) return trap;
    let ranModule: WasmModule;
    try {
        ranModule = ran instanceof Uint8Array ? decodeModule(ran) : ran;
    } catch {
        return trap;
    }
    const origin = trapOrigin(app.module, ranModule, frames);
    if (!origin) return trap;
    trap.funcName = funcName(app.module, origin.func) || `function ${origin.func}`;
    if (origin.inProbe) trap.inProbe = true;
    const loc = app.mapper.lookup(origin.offset);
    if (loc) trap.location = { file: loc.file, line: loc.line, column: loc.column };
    return trap;
}
