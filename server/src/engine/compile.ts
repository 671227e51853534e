// Partial evaluation and code generation of predicates, probe bodies and script functions.
//
// Every expression evaluates to a PV: either a constant (all inputs static at this site: literals,
// `fid`, `pc`, `opname`, immediates, `@static` calls...) or code that computes it at run time. Constant
// predicates decide whether a probe is injected at all; constant sub-expressions and branches disappear
// from the generated code.
//
// The compiler is built in layers: compile-core.ts (scopes, storage, tuples, maps) -> bound-vars.ts ->
// compile-expr.ts -> compile-calls.ts -> this file (statements). Values lower to wasm in lower.ts; the
// built-ins of strings.ts and mem-builtins.ts see the compiler through compile-types.ts's ExprContext.
import type { Block, Expression, IfStmt, Statement, VarDecl, } from '../language/generated/ast.js';
import { OP } from './emit.js';
import { foldUnary } from './fold.js';
import { type WType, convert, defaultOf, isFloat, isInt } from './types.js';
import { typeText } from './script.js';
import { leafTypes, shapeOf } from './tuples.js';
import { CompileError, type PV } from './compile-types.js';
import { isScalar } from './lower.js';
import { CallCompiler } from './compile-calls.js';

export { CompileError, type PV, type MapShape, type Binding, elementBinding, type CompileHost, type SiteEnv } from './compile-types.js';
export { parseIntLit, emitConst, normalize, emitConvert, emitBinary } from './lower.js';

export class Compiler extends CallCompiler {

    // ---------- statements ----------
    block(b: Block): void {
        this.pushScope();
        for (const s of b.stmts) this.stmt(s);
        this.popScope();
    }

    stmt(s: Statement): void {
        switch (s.$type) {
            case 'VarDecl': return this.varDecl(s);
            case 'Assignment': {
                if (s.target.$type === 'IndexExpr') {
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
            case 'IncDec': {
                if (s.target.$type === 'IndexExpr') {
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
            case 'IfStmt': return this.ifStmt(s);
            case 'Block': return this.block(s);
            case 'ExprStmt': {
                const v = this.expr(s.expr);
                if (!v.isConst && v.emit) {
                    v.emit(this.w);
                    if (v.t !== 'unit') this.w.op(OP.drop);
                }
                return;
            }
            case 'ReturnStmt': {
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

    protected varDecl(d: VarDecl): void {
        if (d.report || d.unshared) {
            // Per-site (inside probes) or global: a static initialiser became the global's initial value.
            const b = this.siteVars.get(d.name) ?? this.globals.get(d.name);
            if (!b) throw new CompileError(`'${d.name}' has no storage`, d);
            if (d.init && b.tuple) { this.storeTuple(b, d.init); return; }
            if (d.init && !this.foldedInits.has(d)) {
                const v = this.expr(d.init, b.t);
                if (!v.isConst) this.store(b, v);
            }
            return;
        }
        if (d.type.$type === 'TupleType') {
            const shape = shapeOf(d.type);
            if (leafTypes(shape).some(l => !isScalar(l) && l !== 'str')) throw new CompileError(`tuples of type ${typeText(d.type)} are not supported yet`, d);
            // Declared before its initialiser is evaluated would shadow outer names the initialiser uses.
            const v = d.init ? this.tupleValue(d.init, shape) : undefined;
            const b = this.declareLocal(d.name, 'tuple', shape);
            this.storeLeaves(b, shape, v ? this.leafValues(v, shape, d) : leafTypes(shape).map(l => ({ t: l, isConst: true, v: defaultOf(l), pure: true })));
            return;
        }
        const t = typeText(d.type) as WType;
        if (!isScalar(t) && t !== 'str') throw new CompileError(`variables of type ${t} are not supported yet`, d);
        const v = d.init ? this.expr(d.init, t) : { t, isConst: true, v: defaultOf(t), pure: true };
        const b = this.declareLocal(d.name, t);
        this.store(b, v);
    }

    protected ifStmt(s: IfStmt): void {
        const arms: { cond: Expression; body: Block }[] = [{ cond: s.cond, body: s.then }, ...s.elifs.map(e => ({ cond: e.cond, body: e.body }))];
        let elseBody: Block | IfStmt | undefined = s.else ?? s.elseIf;
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
            if (elseBody.$type === 'IfStmt') this.ifStmt(elseBody); else this.block(elseBody);
        }
        for (let i = 0; i < opened; i++) this.w.op(OP.end);
        this.depth -= opened;
    }
}
