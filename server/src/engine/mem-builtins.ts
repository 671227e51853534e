// Memory built-ins of probe code: `memcpy` between any two memories (the app's, a library's),
// `dup_at(mem, addr)` (replays the bulk-memory instruction being probed into another place), and the
// static `active_data_start(mem)` / `active_data_len(mem)`. Cross-instance copies go through the
// runtime's host functions: the app keeps its single memory and wasm cannot name another instance's.
import type { IrExpr } from '../frontend/index.js';
import { OP } from './emit.js';
import { CompileError, type ExprContext as Compiler, type PV } from './compile-types.js';
import type { StringHost } from './compile-types.js';

type Call = IrExpr & { kind: 'call' };

/** What these built-ins need from the instrumenter beyond strings. */
export interface MemoryHost extends StringHost {
    /** Bytes of data segment `index` of the app. */
    dataSegment(index: number): Uint8Array | undefined;
    /** The span covered by the app's active data segments of memory `mem` (constant offsets only). */
    activeData(mem: number): { start: number; len: number };
    /** Handle of a byte string in the runtime's string table. */
    bytesHandle(bytes: Uint8Array): number;
}

function hostOf(c: Compiler): MemoryHost {
    const h = c.host as unknown as Partial<MemoryHost>;
    if (!h.dataSegment || !h.activeData || !h.bytesHandle || !h.stringFunction) throw new CompileError('memory built-ins need the instrumenter');
    return h as MemoryHost;
}

const k = (v: number): PV => ({ t: 'i32', isConst: true, v: BigInt(v), pure: true });

function hostCall(c: Compiler, fn: 'mem.copy' | 'mem.fill' | 'mem.put', args: PV[]): PV {
    const index = hostOf(c).stringFunction(fn);
    return { t: 'unit', isConst: false, pure: false, emit: w => { for (const a of args) c.push(a); w.op(OP.call).u32(index); } };
}

function memidArg(c: Compiler, e: IrExpr | undefined, node: Call): PV {
    if (!e) throw new CompileError('a memory id is missing', node);
    return c.coerce(c.expr(e, 'i32'), 'i32');
}

const u32 = (c: Compiler, e: IrExpr) => c.coerce(c.expr(e, 'u32'), 'u32');

/** `active_data_start(mem)` / `active_data_len(mem)`: static facts of the app's data segments. */
export function compileActiveData(c: Compiler, e: Call, which: 'start' | 'len'): PV {
    const m = memidArg(c, e.args[0], e);
    if (!m.isConst) throw new CompileError(`${e.callee.name}() needs a memory id known at instrumentation time`, e);
    const span = hostOf(c).activeData(Number(m.v));
    return { t: 'u32', isConst: true, v: BigInt(which === 'start' ? span.start : span.len), pure: true };
}

/** `memcpy(src_mem, src_addr, dst_mem, dst_addr, len)`. */
export function compileMemcpy(c: Compiler, e: Call): PV {
    const args = e.args;
    if (args.length !== 5) throw new CompileError('memcpy(src_mem, src_addr, dst_mem, dst_addr, len) takes 5 arguments', e);
    return hostCall(c, 'mem.copy', [memidArg(c, args[0], e), u32(c, args[1]), memidArg(c, args[2], e), u32(c, args[3]), u32(c, args[4])]);
}

/** `dup_at(mem, addr)`: replays memory.copy / memory.fill / memory.init into `mem` at `addr`. */
export function compileDupAt(c: Compiler, e: Call): PV {
    const args = e.args;
    if (args.length !== 2) throw new CompileError('dup_at(mem, addr) takes 2 arguments', e);
    const site = c.env?.site;
    const op = site?.opname;
    const arg = (n: number): PV => {
        const v = c.boundVar(`arg${n}`);
        if (!v) throw new CompileError(`dup_at() needs the operands of ${op}`, e);
        return c.coerce(v, 'u32');
    };
    const mem = memidArg(c, args[0], e), addr = u32(c, args[1]);
    // Operands counted from the top: arg0 is the length for all three instructions.
    switch (op) {
        case 'memory.copy': return hostCall(c, 'mem.copy', [k(site!.imms.length > 1 ? Number(site!.imms[1]) : 0), arg(1), mem, addr, arg(0)]);
        case 'memory.fill': return hostCall(c, 'mem.fill', [mem, addr, arg(1), arg(0)]);
        case 'memory.init': {
            const seg = hostOf(c).dataSegment(Number(site!.imms[0]));
            if (!seg) throw new CompileError(`the app has no data segment ${String(site!.imms[0])}`, e);
            return hostCall(c, 'mem.put', [k(hostOf(c).bytesHandle(seg)), arg(1), mem, addr, arg(0)]);
        }
        default: throw new CompileError('dup_at() applies in probes on memory.copy, memory.fill and memory.init', e);
    }
}
