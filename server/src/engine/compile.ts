// Partial evaluation and code generation of predicates, probe bodies and script functions, from the
// front-end's typed IR (frontend/ir.ts): names arrive resolved and types checked.
//
// Every expression evaluates to a PV: either a constant (all inputs static at this site: literals,
// `fid`, `pc`, `opname`, immediates, `@static` calls...) or code that computes it at run time. Constant
// predicates decide whether a probe is injected at all; constant sub-expressions and branches disappear
// from the generated code.
//
// The compiler is built in layers: compile-core.ts (scopes, storage, tuples, maps) -> bound-vars.ts ->
// compile-expr.ts -> compile-calls.ts -> this file (statements). Values lower to wasm in lower.ts; a
// built-in call compiles through its registry key (builtin-emitters.ts), whose emitters in strings.ts and
// mem-builtins.ts see the compiler through compile-types.ts's ExprContext.
import type { IrDecl, IrExpr, IrIf, IrStmt } from '../frontend/index.js';
import { OP } from './emit.js';
import { foldUnary } from './fold.js';
import { convert, defaultOf, isFloat, isInt } from './types.js';
import { typeText, wtype } from './script.js';
import { leafTypes, shapeOf } from './tuples.js';
import { CompileError, type PV } from './compile-types.js';
import { isScalar } from './lower.js';
import { CallCompiler } from './compile-calls.js';

export { CompileError, type PV, type MapShape, type Binding, elementBinding, type CompileHost, type SiteEnv } from './compile-types.js';
export { emitConst, normalize, emitConvert, emitBinary } from './lower.js';

export class Compiler extends CallCompiler {

    // ---------- statements ----------
    block(b: readonly IrStmt[]): void {
        this.pushScope();
        for (const s of b) this.stmt(s);
        this.popScope();
    }

    stmt(s: IrStmt): void {
        switch (s.kind) {
            case 'decl': return this.varDecl(s);
            case 'assign': {
                if (s.target.kind === 'index') {
                    const m = this.mapTarget(s.target);
                    const shape = m.b.map!.valueShape;
                    const v = Array.isArray(shape) ? this.tupleValue(s.value, shape) : this.coerce(this.expr(s.value, m.b.map!.value), m.b.map!.value);
                    this.mapCall('set', m.b, m.keys, v);
                    return;
                }
                const b = this.targetBinding(s.target);
                if (b.tuple) { this.storeTuple(b, s.value); return; }
                const v = this.expr(s.value, b.t);
                this.store(b, v);
                return;
            }
            case 'incdec': {
                if (s.target.kind === 'index') {
                    const m = this.mapTarget(s.target);
                    const vt = m.b.map!.value;
                    if (s.op === '++' && this.batchedIncrement(s.target, m.b, m.keys)) return;
                    if (isInt(vt) || isFloat(vt)) {
                        const one = convert(1n, 'u32', vt);
                        this.mapCall('inc', m.b, m.keys, { t: vt, isConst: true, v: s.op === '++' ? one : foldUnary('-', one, vt)!, pure: true });
                        this.w.op(OP.drop);
                    } else {
                        const cur = this.mapRead(m.b, m.keys);
                        const one: PV = { t: vt, isConst: true, v: convert(1n, 'u32', vt), pure: true };
                        this.mapCall('set', m.b, m.keys, this.binary(s.op === '++' ? '+' : '-', cur, one));
                    }
                    return;
                }
                const b = this.targetBinding(s.target);
                const cur = this.load(b);
                const one: PV = { t: b.t, isConst: true, v: convert(1n, 'u32', b.t), pure: true };
                this.store(b, this.binary(s.op === '++' ? '+' : '-', cur, one));
                return;
            }
            case 'if': return this.ifStmt(s);
            case 'block': return this.block(s.body);
            case 'expr': {
                const v = this.expr(s.expr);
                if (!v.isConst && v.emit) {
                    v.emit(this.w);
                    if (v.t !== 'unit') this.w.op(OP.drop);
                }
                return;
            }
            case 'return': {
                if (this.altBlock) {
                    // In an alt body, `return e` supplies the replaced instruction's result.
                    const rt = this.altBlock.result;
                    if (s.value && rt !== 'unit') this.push(this.coerce(this.expr(s.value, rt), rt));
                    this.w.op(OP.br).u32(this.depth - this.altBlock.depth);
                    return;
                }
                if (s.value) {
                    const v = this.coerce(this.expr(s.value, this.fnResult), this.fnResult ?? 'unit');
                    this.push(v);
                }
                this.w.op(OP.return);
                return;
            }
        }
    }

    protected varDecl(d: IrDecl): void {
        const name = d.var.name, type = d.var.type;
        if (d.var.storage === 'report' || d.var.storage === 'unshared') {
            // Per-site (inside probes) or global: a static initialiser became the global's initial value.
            const b = this.siteVars.get(name) ?? this.globals.get(name);
            if (!b) throw new CompileError(`'${name}' has no storage`, d);
            if (d.init && b.tuple) { this.storeTuple(b, d.init); return; }
            if (d.init && !this.foldedInits.has(d)) {
                const v = this.expr(d.init, b.t);
                if (!v.isConst) this.store(b, v);
            }
            return;
        }
        if (type.kind === 'tuple') {
            const shape = shapeOf(type);
            if (leafTypes(shape).some(l => !isScalar(l) && l !== 'str')) throw new CompileError(`a local cannot hold a tuple of type ${typeText(type)}`, d);
            // Declared before its initialiser is evaluated would shadow outer names the initialiser uses.
            const v = d.init ? this.tupleValue(d.init, shape) : undefined;
            const b = this.declareLocal(name, 'tuple', shape);
            this.storeLeaves(b, shape, v ? this.leafValues(v, shape, d) : leafTypes(shape).map(l => ({ t: l, isConst: true, v: defaultOf(l), pure: true })));
            return;
        }
        const t = wtype(type);
        if (!isScalar(t) && t !== 'str') throw new CompileError(`a local cannot hold a value of type ${typeText(type)}`, d);
        const v = d.init ? this.expr(d.init, t) : { t, isConst: true, v: defaultOf(t), pure: true };
        const b = this.declareLocal(name, t);
        this.store(b, v);
    }

    protected ifStmt(s: IrIf): void {
        const arms: { cond: IrExpr; body: IrStmt[] }[] = [{ cond: s.cond, body: s.then }, ...s.elifs];
        let elseBody: IrStmt[] | IrIf | undefined = s.else ?? s.elseIf;
        let opened = 0;
        for (const arm of arms) {
            const c = this.condition(arm.cond);
            if (c.isConst) {
                if (c.v) { this.block(arm.body); elseBody = undefined; break; }
                continue;
            }
            this.push(c);
            this.w.op(OP.if).blockType();
            this.depth++;
            this.block(arm.body);
            this.w.op(OP.else);
            opened++;
        }
        if (elseBody) {
            if (Array.isArray(elseBody)) this.block(elseBody); else this.ifStmt(elseBody);
        }
        for (let i = 0; i < opened; i++) this.w.op(OP.end);
        this.depth -= opened;
    }
}
