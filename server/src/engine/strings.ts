// Strings in compiled probe code. A `str` value at run time is an i32 handle into the runtime's string
// table (server/src/runtime/strings.ts): literals get their handles at instrumentation time, strings
// read from memory get theirs when read; equal strings share a handle, so `==` compares handles.
// Methods and built-ins on values known at instrumentation time (`fname.starts_with("x")`,
// `"abc".len()`) fold to constants, so predicates over `fname`/`opname` cost nothing at run time.
import type { Expression } from '../language/generated/ast.js';
import { OP } from './emit.js';
import { CompileError, type ExprContext as Compiler, type PV } from './compile-types.js';
import { compileMemoryBuiltin } from './mem-builtins.js';
import type { ScriptModel } from './script.js';

export type { StringHost, StringImport } from './compile-types.js';
import type { StringHost, StringImport } from './compile-types.js';

const METHODS: Record<string, StringImport> = {
    len: 'str.len', starts_with: 'str.starts_with', ends_with: 'str.ends_with', contains: 'str.contains',
    addr: 'str.addr',
};
/** Methods without arguments, and what they return. */
const NULLARY: Record<string, PV['t']> = { len: 'u32', addr: 'u32' };
const BUILTINS: Record<string, StringImport> = { read_str: 'str.read', write_str: 'str.write', strcmp: 'str.cmp' };

const encoder = new TextEncoder();

export { setStringInterner, stringHandle } from './string-handles.js';

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
    const check = model.program.check;
    const found = new Set<StringImport>();
    for (const m of check.stringMethods) if (METHODS[m]) found.add(METHODS[m]);
    for (const f of check.calledFunctions) {
        if (BUILTINS[f]) found.add(BUILTINS[f]);
        if (f === 'memcpy') found.add('mem.copy');
        if (f === 'dup_at') { found.add('mem.copy'); found.add('mem.fill'); found.add('mem.put'); }
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

/** `recv.method(args)` on a string receiver; undefined when `method` is not a string method. */
export function compileStringMethod(c: Compiler, recv: PV, method: string, argExprs: Expression[], node: Expression): PV | undefined {
    const fn = METHODS[method];
    if (!fn) return undefined;
    if (recv.t !== 'str') throw new CompileError(`${method}() applies to strings, not ${recv.t}`, node);
    const args = argExprs.map(a => c.expr(a, 'str'));
    const want = NULLARY[method] ? 0 : 1;
    if (args.length !== want) throw new CompileError(`${method}() takes ${want} argument${want === 1 ? '' : 's'}`, node);
    if (args.some(a => a.t !== 'str')) throw new CompileError(`${method}() takes a string`, node);
    // addr() is where the runtime places the string, known only at run time (see runtime/strings.ts).
    if (recv.isConst && args.every(a => a.isConst) && method !== 'addr') return foldStringMethod(recv.v as string, method, args.map(a => a.v as string));
    return call(c, fn, [recv, ...args], NULLARY[method] ?? 'bool');
}

/** `read_str`, `write_str`, `strcmp`, `memid`; undefined for other names. */
export function compileStringBuiltin(c: Compiler, name: string, argExprs: Expression[], node: Expression): PV | undefined {
    const mb = compileMemoryBuiltin(c, name, argExprs, node);
    if (mb) return mb;
    if (name === 'memid') {
        const a = argExprs[0];
        if (argExprs.length !== 1 || a.$type !== 'VarRef' || !c.host.isLibrary(a.ref.$refText)) throw new CompileError('memid() takes the name of a used library', node);
        return { t: 'i32', isConst: true, v: BigInt(hostOf(c).memid(a.ref.$refText)), pure: true };
    }
    const fn = BUILTINS[name];
    if (!fn) return undefined;
    const u32 = (e: Expression) => c.coerce(c.expr(e, 'u32'), 'u32');
    const i32 = (e: Expression) => c.coerce(c.expr(e, 'i32'), 'i32');
    switch (fn) {
        case 'str.read': {
            if (argExprs.length !== 3) throw new CompileError('read_str(memid, addr, len) takes 3 arguments', node);
            return call(c, fn, [i32(argExprs[0]), u32(argExprs[1]), u32(argExprs[2])], 'str');
        }
        case 'str.write': {
            if (argExprs.length !== 3) throw new CompileError('write_str(memid, addr, s) takes 3 arguments', node);
            const s = c.expr(argExprs[2], 'str');
            if (s.t !== 'str') throw new CompileError('write_str() writes a string', argExprs[2]);
            // Like the reference, write_str returns nothing (the runtime reports the length; dropped here).
            const w = call(c, fn, [i32(argExprs[0]), u32(argExprs[1]), s], 'u32');
            return { t: 'unit', isConst: false, pure: false, emit: code => { w.emit!(code); code.op(OP.drop); } };
        }
        case 'str.cmp': {
            // strcmp((addr, len), s): compares the app memory's bytes with s.
            const pair = argExprs[0];
            if (argExprs.length !== 2 || pair?.$type !== 'TupleExpr' || pair.elems.length !== 2) throw new CompileError('strcmp((addr, len), s) takes an (addr, len) tuple and a string', node);
            const s = c.expr(argExprs[1], 'str');
            if (s.t !== 'str') throw new CompileError('strcmp() compares with a string', argExprs[1]);
            const app: PV = { t: 'i32', isConst: true, v: 0n, pure: true };
            return call(c, fn, [app, u32(pair.elems[0]), u32(pair.elems[1]), s], 'bool');
        }
    }
    return undefined;
}

/** Run-time `==`/`!=` on strings: handles are interned, so comparing them compares the strings. */
export function compileStringEquality(c: Compiler, op: string, l: PV, r: PV): PV {
    if (op !== '==' && op !== '!=') throw new CompileError(`operator ${op} does not apply to strings`);
    return { t: 'bool', isConst: false, pure: l.pure && r.pure, emit: w => { c.push(l); c.push(r); w.op(op === '==' ? OP.i32_eq : OP.i32_ne); } };
}
