// The engine's view of the application module, filled from the decoder (server/src/wasm).
import type { OpInfo } from '../wasm/opcodes.js';
import type { ValType } from './types.js';

export interface AppInstr {
    op: OpInfo;
    /** Module byte offsets of the whole instruction (opcode and immediates). */
    start: number;
    end: number;
    pc: number;
    opidx: number;
    imms: (number | bigint)[];
    /** Operand types, arg0 (top of the stack) first; undefined where the stack is unknown (dead code). */
    args: ValType[] | undefined;
    results: ValType[] | undefined;
    memarg?: { align: number; offset: bigint; memory: number };
    brTable?: { targets: number[]; default: number };
    /** For br/br_if/br_table: the label depth of each target equal to the function body's label. */
    exitsFunction?: boolean;
    /** For call/return_call: the callee. */
    callee?: number;
    /** The function's final `end`. */
    atFuncEnd: boolean;
    /**
     * Fills imms, memarg, brTable and callee. Iteration may reuse one object for every instruction
     * (no allocation on the hot path): call this before moving on, and copy what must outlive the step.
     */
    detail(): void;
}

export interface AppFunction {
    fid: number;
    name: string;
    typeIndex: number;
    params: ValType[];
    results: ValType[];
    /** Params then declared locals. */
    locals: ValType[];
    /** Module offset of the body's first byte (the local declarations) and one past its last. */
    bodyStart: number;
    bodyEnd: number;
    /** Module offset where the instructions start (after the local declarations). */
    codeStart: number;
    /** Module offset of the function's size field in the code section. */
    entryStart: number;
    /** With `typed`, operand and result types are filled in (a typing pass over the body). */
    instrs(typed?: boolean): Iterable<AppInstr>;
}

export interface AppImportFunc { fid: number; module: string; name: string; typeIndex: number }

export interface AppModule {
    bytes: Uint8Array;
    importedFuncs: AppImportFunc[];
    functions: AppFunction[];
    funcCount: number;
    globalCount: number;
    memories: { pageSize: number; initialPages: number }[];
    funcName(fid: number): string;
    funcType(fid: number): { params: ValType[]; results: ValType[] };
    startFunction: number | undefined;
    exportNames: Set<string>;
}
