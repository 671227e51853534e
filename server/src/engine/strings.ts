// Strings in compiled probe code. A `str` value at run time is an i32 handle into the runtime's string
// table (server/src/runtime/strings.ts): literals get their handles at instrumentation time, strings
// read from memory get theirs when read; equal strings share a handle, so `==` compares handles.
// Methods and built-ins on values known at instrumentation time (`fname.starts_with("x")`,
// `"abc".len()`) fold to constants, so predicates over `fname`/`opname` cost nothing at run time.
import type { BuiltinLowering, IrExpr } from '../frontend/index.js';
import { OP } from './emit.js';
import { CompileError, type ExprContext as Compiler, type PV } from './compile-types.js';
import type { ScriptModel } from './script.js';

type Call = IrExpr & { kind: 'call' };

export type { StringHost, StringImport } from './compile-types.js';
import type { StringHost, StringImport } from './compile-types.js';

const METHODS: Partial<Record<BuiltinLowering, StringImport>> = {
    'str.len': 'str.len', 'str.starts_with': 'str.starts_with', 'str.ends_with': 'str.ends_with', 'str.contains': 'str.contains',
    'str.addr': 'str.addr',
};
/** Methods without arguments, and what they return. */
const NULLARY: Record<string, PV['t']> = { len: 'u32', addr: 'u32' };
/** The run-time imports each built-in calls. */
const IMPORTS: Partial<Record<BuiltinLowering, StringImport[]>> = {
    'str.read': ['str.read'], 'str.write': ['str.write'], 'str.cmp': ['str.cmp'], memcpy: ['mem.copy'],
    dup_at: ['mem.copy', 'mem.fill', 'mem.put'],
};

const encoder = new TextEncoder();

export { clearStringInterner, setStringInterner, stringHandle } from './string-handles.js';

/** Folds a string method whose receiver and arguments are constants; undefined when not a string method. */
export function foldStringMethod(recv: string, method: string, args: string[]): PV | undefined {
    const b = encoder.encode(recv);
    const a = args.map(x => encoder.encode(x));
    const yes = (v: boolean): PV => ({ t: 'bool', isConst: true, v, pure: true });
    switch (method) {
        case 'len': return { t: 'u32', isConst: true, v: BigInt(b.length), pure: true };
        case 'starts_with': return yes(recv.startsWith(args[0]));
        case 'ends_with': return yes(recv.endsWith(args[0]));
        case 'contains': return yes(recv.includes(args[0]));
    }
    void a;
    return undefined;
}

/** Which string imports a script needs (they must be planned before any code is generated). */
export function stringImportsOf(model: ScriptModel): StringImport[] {
    const found = new Set<StringImport>();
    for (const k of model.ir.lowerings) {
        const m = METHODS[k];
        if (m) found.add(m);
        for (const i of IMPORTS[k] ?? []) found.add(i);
    }
    return [...found];
}


function hostOf(c: Compiler): StringHost {
    const h = c.host as unknown as Partial<StringHost>;
    if (!h.stringFunction || !h.memid) throw new CompileError('run-time strings need the instrumenter');
    return h as StringHost;
}

function call(c: Compiler, fn: StringImport, args: PV[], t: PV['t']): PV {
    const index = hostOf(c).stringFunction(fn);
    return {
        t, isConst: false, pure: fn !== 'str.write' && fn !== 'str.read',
        emit: w => { for (const a of args) c.push(a); w.op(OP.call).u32(index); },
    };
}

/** `recv.method(args)` on a string receiver. */
export function compileStringMethod(c: Compiler, recv: PV, e: IrExpr & { kind: 'method' }): PV {
    const fn = METHODS[e.lower];
    const method = e.name;
    if (!fn) throw new CompileError(`${method}() is not a string method`, e);
    if (recv.t !== 'str') throw new CompileError(`${method}() applies to strings, not ${recv.t}`, e);
    const args = e.args.map(a => c.expr(a, 'str'));
    const want = NULLARY[method] ? 0 : 1;
    if (args.length !== want) throw new CompileError(`${method}() takes ${want} argument${want === 1 ? '' : 's'}`, e);
    if (args.some(a => a.t !== 'str')) throw new CompileError(`${method}() takes a string`, e);
    // addr() is where the runtime places the string, known only at run time (see runtime/strings.ts).
    if (recv.isConst && args.every(a => a.isConst) && method !== 'addr') return foldStringMethod(recv.v as string, method, args.map(a => a.v as string))!;
    return call(c, fn, [recv, ...args], NULLARY[method] ?? 'bool');
}

/** `memid(lib)`: the library's memory id. */
export function compileMemid(c: Compiler, e: Call): PV {
    const a = e.args[0];
    if (e.args.length !== 1 || a.kind !== 'lib' || !c.host.isLibrary(a.name)) throw new CompileError('memid() takes the name of a used library', e);
    return { t: 'i32', isConst: true, v: BigInt(hostOf(c).memid(a.name)), pure: true };
}

const u32 = (c: Compiler, e: IrExpr) => c.coerce(c.expr(e, 'u32'), 'u32');
const i32 = (c: Compiler, e: IrExpr) => c.coerce(c.expr(e, 'i32'), 'i32');

/** `read_str(mem, addr, len)`. */
export function compileReadStr(c: Compiler, e: Call): PV {
    const a = e.args;
    if (a.length !== 3) throw new CompileError('read_str(memid, addr, len) takes 3 arguments', e);
    return call(c, 'str.read', [i32(c, a[0]), u32(c, a[1]), u32(c, a[2])], 'str');
}

/** `write_str(mem, addr, s)`: like the reference, returns nothing (the runtime's length is dropped). */
export function compileWriteStr(c: Compiler, e: Call): PV {
    const a = e.args;
    if (a.length !== 3) throw new CompileError('write_str(memid, addr, s) takes 3 arguments', e);
    const s = c.expr(a[2], 'str');
    if (s.t !== 'str') throw new CompileError('write_str() writes a string', a[2]);
    const w = call(c, 'str.write', [i32(c, a[0]), u32(c, a[1]), s], 'u32');
    return { t: 'unit', isConst: false, pure: false, emit: code => { w.emit!(code); code.op(OP.drop); } };
}

/** `strcmp((addr, len), s)`: compares the app memory's bytes with s. */
export function compileStrcmp(c: Compiler, e: Call): PV {
    const [pair, str] = e.args;
    if (e.args.length !== 2) throw new CompileError('strcmp((addr, len), s) takes an (addr, len) tuple and a string', e);
    const s = c.expr(str, 'str');
    if (s.t !== 'str') throw new CompileError('strcmp() compares with a string', str);
    // A tuple written in place, or any (addr, len) tuple value (a variable, a map entry).
    const parts = pair.kind === 'tuple' && pair.elems.length === 2 ? pair.elems.map(x => u32(c, x)) : c.expr(pair).elems?.map(x => c.coerce(x, 'u32'));
    if (parts?.length !== 2) throw new CompileError('strcmp((addr, len), s) takes an (addr, len) tuple and a string', pair);
    const app: PV = { t: 'i32', isConst: true, v: 0n, pure: true };
    return call(c, 'str.cmp', [app, parts[0], parts[1], s], 'bool');
}

/** Run-time `==`/`!=` on strings: handles are interned, so comparing them compares the strings. */
export function compileStringEquality(c: Compiler, op: string, l: PV, r: PV): PV {
    if (op !== '==' && op !== '!=') throw new CompileError(`operator ${op} does not apply to strings`);
    return { t: 'bool', isConst: false, pure: l.pure && r.pure, emit: w => { c.push(l); c.push(r); w.op(op === '==' ? OP.i32_eq : OP.i32_ne); } };
}
