// Calls: script functions, library functions (dynamic and @static), built-ins, and alt's calls.
import type { IrExpr } from '../frontend/index.js';
import { OP, RefKind } from './emit.js';
import { defaultOf, isFloat, isInt } from './types.js';
import { CompileError, type PV } from './compile-types.js';
import { num, emitConst } from './lower.js';
import { ExprCompiler } from './compile-expr.js';
import { EMITTERS } from './builtin-emitters.js';

type Call = IrExpr & { kind: 'call' };
type LibCall = IrExpr & { kind: 'lib-call' };

export abstract class CallCompiler extends ExprCompiler {

    /**
     * alt_call_by_id(fid) / alt_call_by_name("f"): calls another app function with the replaced call's operands.
     * Its result becomes the replaced instruction's result unless the body later `return`s another one.
     */
    altCall(node: Call): PV {
        const name = node.callee.name, args = node.args;
        const a = args[0];
        if (this.env?.mode !== 'alt') throw new CompileError(`\`${name}\` can only be used in \`alt\` probes`, node);
        let by: number | string | undefined;
        if (name === 'alt_call_by_name') {
            if (args.length !== 1 || a.kind !== 'str') throw new CompileError('alt_call_by_name needs a string literal: the function\'s name', node);
            by = a.value;
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

    dropArgs(e: Call): PV {
        if (e.args.length !== 0 || this.env?.mode !== 'alt') throw new CompileError('`drop_args` can only be used in `alt` probes', e);
        return { t: 'unit', isConst: false, pure: false, emit: () => {} };
    }

    resolveFuncref(e: Call): PV {
        if (e.args.length !== 2 || !this.host.tableResolver) throw new CompileError('resolve_funcref(ref, slot) needs the instrumenter\'s table resolver', e);
        // The slot decides (see table-resolver.ts); the funcref is only evaluated for its side effects.
        const ref = this.expr(e.args[0]);
        const slot = this.coerce(this.expr(e.args[1], 'i32'), 'i32');
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

    protected call(e: Call): PV {
        const callee = e.callee;
        if (callee.kind !== 'function') return EMITTERS[callee.lower](this, e);
        const f = this.host.scriptFunction(callee.name);
        if (!f) throw new CompileError(`the script function \`${callee.name}\` was not compiled`, e);
        const vals = e.args.map((a, i) => this.coerce(this.expr(a, f.params[i]), f.params[i] ?? 'i32'));
        return {
            t: f.result, isConst: false, pure: false,
            emit: w => { for (const v of vals) this.push(v); w.op(OP.call).u32(f.index); },
        };
    }

    protected staticCall(call: LibCall): PV {
        const args = call.args.map(a => this.expr(a));
        const bad = args.findIndex(a => !a.isConst);
        if (bad >= 0) throw new CompileError('arguments of an @static call must be known at instrumentation time', call.args[bad]);
        const r = this.host.callStatic(call.lib, call.fn, args.map(a => a.v!));
        return { t: r.t, isConst: true, v: r.v, pure: true };
    }

    protected libCall(node: LibCall): PV {
        const { lib, fn, args } = node;
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
