// On-demand decoding of function bodies.

import { bodyLocals, bodyOf, type FuncBody, type LocalGroup, type WasmModule } from './decode.js';
import { InstrCursor, decodeInstrs, type Instr } from './instructions.js';
import type { ValType } from './types.js';

export interface DecodedBody {
    readonly func: number;
    readonly body: FuncBody;
    /** Parameters then declared locals (Whamm's localN order). */
    readonly locals: readonly ValType[];
    readonly groups: readonly LocalGroup[];
    /** Module offset of the first instruction. */
    readonly codeStart: number;
    readonly instrs: readonly Instr[];
}

function requireBody(m: WasmModule, func: number): FuncBody {
    const body = bodyOf(m, func);
    if (!body) throw new Error(`function ${func} is ${func < m.numImportedFuncs ? 'imported and has no body' : 'out of range'}`);
    return body;
}

/** Decodes function `func` (imports counted) into instruction records. */
export function decodeBody(m: WasmModule, func: number): DecodedBody {
    const body = requireBody(m, func);
    const { groups, locals, codeStart } = bodyLocals(m, body);
    const instrs = decodeInstrs(m.bytes, codeStart, body.end, body.contentStart);
    return { func, body, locals, groups, codeStart, instrs };
}

/** An allocation-free cursor over the instructions of function `func`. */
export function cursorOf(m: WasmModule, func: number): InstrCursor {
    const body = requireBody(m, func);
    const { codeStart } = bodyLocals(m, body);
    return new InstrCursor(m.bytes, codeStart, body.end, body.contentStart);
}
