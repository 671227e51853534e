// What a probe sees of one match site: the static facts (folded into the code) and the value types of
// the operands and results it may read at run time.
import type { ValType, WType } from './types.js';

export interface SiteInfo {
    fid: number;
    fname: string;
    pc: number;
    opidx: number;
    /** Event name (`i32.load`, or `entry`/`exit`/`start`/`end` for func/block events). */
    opname: string;
    bytecode: number;
    /** Immediates as Whamm sees them (`imm0`...). */
    imms: (number | bigint)[];
    /** Operand value types, arg0 (top of the stack) first. */
    args: ValType[];
    /** Whamm types the catalog gives the operands (u32 for addresses and conditions), arg0 first. */
    argWhamm?: (WType | undefined)[];
    /** Result value types, res0 (top of the stack) first. */
    results: ValType[];
    resWhamm?: (WType | undefined)[];
    atFuncEnd: boolean;
    /** Types of the function's locals (params first), for `localN`. */
    locals: readonly ValType[];
    moduleOffset: number;
    memarg?: { align: number; offset: bigint; memory: number; bytes: number; isWrite: boolean; memory64?: boolean };
    brTable?: { targets: number[]; default: number };
    /** call_ref: the function a `ref.func` right before it names, or -1 (pushed some other way). */
    refFunc?: number;
    callee?: { name: string; module: string; type: string };
    /** Instructions in the block (block:end). */
    instrCount?: number;
}
