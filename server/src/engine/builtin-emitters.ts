// How each built-in of the front-end's registry (frontend/builtins.ts) compiles: one emitter per lowering
// key. The table is total over BuiltinLowering, so a built-in added to the registry without an emitter
// does not type-check.
import type { BuiltinLowering, IrExpr } from '../frontend/index.js';
import { OP } from './emit.js';
import { CompileError, type ExprContext, type PV } from './compile-types.js';
import { compileMemid, compileReadStr, compileStrcmp, compileStringMethod, compileWriteStr } from './strings.js';
import { compileActiveData, compileDupAt, compileMemcpy } from './mem-builtins.js';

type Call = IrExpr & { kind: 'call' };

/** What the emitters of bound functions need beyond expressions: the alt site's operands and tables. */
export interface BuiltinContext extends ExprContext {
    /** `alt_call_by_id` / `alt_call_by_name`: another app function called with the replaced call's operands. */
    altCall(e: Call): PV;
    /** `drop_args()`: an alt body starts with the operands already popped, so nothing is left to do. */
    dropArgs(e: Call): PV;
    /** `resolve_funcref(ref, slot)`: the app function in a table slot. */
    resolveFuncref(e: Call): PV;
}

function memoryFacts(c: ExprContext, e: Call): { pageSize: number; pages: number } {
    const vals = e.args.map(a => c.expr(a));
    const id = vals[0]?.isConst ? Number(vals[0].v) : 0;
    const m = c.host.memory(id);
    if (!m) throw new CompileError(`the app has no memory ${id}`, e);
    return m;
}

const asCall = (e: IrExpr): Call => {
    if (e.kind !== 'call') throw new CompileError('a built-in function must be called', e);
    return e;
};

export const EMITTERS: Readonly<Record<BuiltinLowering, (c: BuiltinContext, e: IrExpr) => PV>> = {
    'str.read': (c, e) => compileReadStr(c, asCall(e)),
    'str.write': (c, e) => compileWriteStr(c, asCall(e)),
    'str.cmp': (c, e) => compileStrcmp(c, asCall(e)),
    memid: (c, e) => compileMemid(c, asCall(e)),
    page_size: (c, e) => ({ t: 'u32', isConst: true, v: BigInt(memoryFacts(c, asCall(e)).pageSize), pure: true }),
    mem_size: (c, e) => {
        memoryFacts(c, asCall(e));
        return { t: 'u32', isConst: false, pure: true, emit: w => { w.op(OP.memory_size).u32(0); } };
    },
    memcpy: (c, e) => compileMemcpy(c, asCall(e)),
    active_data_start: (c, e) => compileActiveData(c, asCall(e), 'start'),
    active_data_len: (c, e) => compileActiveData(c, asCall(e), 'len'),
    app_memid: () => constantOf('app_memid'),
    'str.len': stringMethod, 'str.starts_with': stringMethod, 'str.ends_with': stringMethod, 'str.contains': stringMethod, 'str.addr': stringMethod,
    drop_args: (c, e) => c.dropArgs(asCall(e)),
    alt_call_by_id: (c, e) => c.altCall(asCall(e)),
    alt_call_by_name: (c, e) => c.altCall(asCall(e)),
    resolve_funcref: (c, e) => c.resolveFuncref(asCall(e)),
    dup_at: (c, e) => compileDupAt(c, asCall(e)),
};

function stringMethod(c: BuiltinContext, e: IrExpr): PV {
    if (e.kind !== 'method') throw new CompileError('a string method needs a string', e);
    return compileStringMethod(c, c.expr(e.recv), e);
}

/** A built-in constant's value (`APP_MEMID`: the app's memory is memory 0 of the runtime). */
export function constantOf(lower: BuiltinLowering, at?: IrExpr): PV {
    if (lower === 'app_memid') return { t: 'i32', isConst: true, v: 0n, pure: true };
    throw new CompileError(`${lower} is not a constant`, at);
}
