// Calls: script functions, library functions (dynamic and @static), built-ins, and alt's calls.
import type { Expression } from '../language/generated/ast.js';
import { OP, RefKind } from './emit.js';
import { compileStringBuiltin } from './strings.js';
import { defaultOf, isFloat, isInt } from './types.js';
import { CompileError, type PV } from './compile-types.js';
import { num, unescape, emitConst } from './lower.js';
import { ExprCompiler } from './compile-expr.js';

export abstract class CallCompiler extends ExprCompiler {

    /**
     * alt_call_by_id(fid) / alt_call_by_name("f"): calls another app function with the replaced call's operands.
     * Its result becomes the replaced instruction's result unless the body later `return`s another one.
     */
    protected altCall(name: string, args: Expression[], node: Expression): PV {
        const a = args[0];
        let by: number | string | undefined;
        if (name === 'alt_call_by_name') {
            if (args.length !== 1 || a.$type !== 'StrLit') throw new CompileError('alt_call_by_name needs a string literal: the function\'s name', node);
            by = unescape(a.value);
        } else {
            const v = args.length === 1 ? this.expr(a, 'u32') : undefined;
            if (!v?.isConst) throw new CompileError('alt_call_by_id needs a function index known at instrumentation time', node);
            by = Number(num(v.v!));
        }
        const target = this.host.appFunction?.(by);
        if (!target) throw new CompileError(`${name}: the app has no function ${typeof by === 'string' ? `named '${by}'` : by}`, a ?? node);
        const site = this.env?.site;
        const operands = site ? [...site.args].reverse() : [];
        const results = site ? site.results : [];
        const sig = (ps: readonly string[], rs: readonly string[]) => `(${ps.join(', ')}) -> (${rs.join(', ')})`;
        if (target.params.join() !== operands.join() || target.results.join() !== [...results].reverse().join()) {
            throw new CompileError(`${name}: the function has type ${sig(target.params, target.results)} but the replaced call has ${sig(operands, [...results].reverse())}`, a ?? node);
        }
        const alt = this.altBlock;
        return {
            t: 'unit', isConst: false, pure: false,
            emit: w => {
                for (let i = operands.length - 1; i >= 0; i--) {
                    const slot = this.env!.saved.get(`arg${i}`);
                    if (!slot) throw new CompileError(`${name}: operand arg${i} was not saved`, node);
                    w.op(OP.local_get).ref(RefKind.Local, slot.id);
                }
                w.op(OP.call).u32(target.index);
                if (target.results.length === 0) return;
                if (alt && target.results.length === 1) {
                    alt.resultLocal ??= w.newLocal(target.results[0]);
                    w.op(OP.local_set).ref(RefKind.Local, alt.resultLocal);
                } else for (let i = 0; i < target.results.length; i++) w.op(OP.drop);
            },
        };
    }

    /** Leaves the value an alt body supplies when it falls through: an alt call's result, else the default. */
    altFallthrough(): void {
        const alt = this.altBlock;
        if (!alt || alt.result === 'unit') return;
        if (alt.resultLocal !== undefined) this.w.op(OP.local_get).ref(RefKind.Local, alt.resultLocal);
        else emitConst(this.w, alt.result, defaultOf(alt.result));
    }

    protected call(name: string, args: Expression[], node: Expression): PV {
        const f = this.host.scriptFunction(name);
        if (f) {
            const vals = args.map((a, i) => this.coerce(this.expr(a, f.params[i]), f.params[i] ?? 'i32'));
            return {
                t: f.result, isConst: false, pure: false,
                emit: w => { for (const v of vals) this.push(v); w.op(OP.call).u32(f.index); },
            };
        }
        const sb = compileStringBuiltin(this, name, args, node); // read_str, write_str, strcmp, memid
        if (sb) return sb;
        // An alt body starts with the operands already popped into locals: drop_args has nothing left to do.
        if (name === 'drop_args' && args.length === 0 && this.env?.mode === 'alt') return { t: 'unit', isConst: false, pure: false, emit: () => {} };
        if ((name === 'alt_call_by_id' || name === 'alt_call_by_name') && this.env?.mode === 'alt') return this.altCall(name, args, node);
        if (name === 'resolve_funcref' && args.length === 2 && this.host.tableResolver) {
            // The slot decides (see table-resolver.ts); the funcref is only evaluated for its side effects.
            const ref = this.expr(args[0]);
            const slot = this.coerce(this.expr(args[1], 'i32'), 'i32');
            const site = this.env?.site;
            const table = site?.opname.endsWith('call_indirect') ? site.imms[1] : site?.opname === 'table.get' ? site.imms[0] : 0;
            const resolver = this.host.tableResolver(Number(table ?? 0));
            return {
                t: 'i32', isConst: false, pure: ref.pure && slot.pure,
                emit: w => {
                    if (!ref.pure) { this.push(ref); w.op(OP.drop); }
                    this.push(slot);
                    w.op(OP.call).u32(resolver);
                },
            };
        }
        const vals = args.map(a => this.expr(a));
        const mem = (): { pageSize: number; pages: number } => {
            const id = vals[0]?.isConst ? Number(vals[0].v) : 0;
            const m = this.host.memory(id);
            if (!m) throw new CompileError(`the app has no memory ${id}`, node);
            return m;
        };
        switch (name) {
            case 'page_size': return { t: 'u32', isConst: true, v: BigInt(mem().pageSize), pure: true };
            case 'mem_size': {
                const m = mem();
                void m;
                return { t: 'u32', isConst: false, pure: true, emit: w => { w.op(OP.memory_size).u32(0); } };
            }
        }
        throw new CompileError(`unknown function '${name}'`, node);
    }

    protected staticCall(call: Expression): PV {
        if (call.$type === 'MemberExpr' && call.call && call.member && call.receiver.$type === 'VarRef') {
            const args = call.args.map(a => this.expr(a));
            const bad = args.findIndex(a => !a.isConst);
            if (bad >= 0) throw new CompileError('arguments of an @static call must be known at instrumentation time', call.args[bad]);
            const r = this.host.callStatic(call.receiver.ref.$refText, call.member, args.map(a => a.v!));
            return { t: r.t, isConst: true, v: r.v, pure: true };
        }
        throw new CompileError('@static applies to library calls (lib.fn(...))', call);
    }

    protected libCall(lib: string, fn: string, args: Expression[], node: Expression): PV {
        const f = this.host.libraryImport?.(lib, fn);
        if (!f) throw new CompileError(`library '${lib}' has no function '${fn}'`, node);
        const sig = `${lib}.${fn}(${f.params.join(', ')})`;
        if (args.length !== f.params.length) throw new CompileError(`${sig} takes ${f.params.length} argument(s), got ${args.length}`, node);
        const vals = args.map((a, i) => {
            const v = this.expr(a, f.params[i]);
            // Library functions take wasm numbers: a string, tuple or bool would need an explicit conversion.
            if (!isInt(v.t) && !isFloat(v.t)) throw new CompileError(`argument ${i + 1} of ${sig} must be ${f.params[i]}, not ${v.t}`, a);
            return this.coerce(v, f.params[i]);
        });
        return { t: f.result, isConst: false, pure: false, emit: w => { for (const v of vals) this.push(v); w.op(OP.call).u32(f.index); } };
    }
}
