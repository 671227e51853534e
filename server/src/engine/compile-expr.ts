// Expressions: literals, names, operators (folded where both sides are static), casts, ternaries, members.
import type { IrExpr } from '../frontend/index.js';
import { OP, RefKind } from './emit.js';
import { compileStringEquality } from './strings.js';
import { foldBinary, foldUnary, type BinOp } from './fold.js';
import { type WType, convert, isFloat, isInt, valTypeOf } from './types.js';
import { wtype } from './script.js';
import { constantOf, EMITTERS } from './builtin-emitters.js';
import { CompileError, type PV } from './compile-types.js';
import { cmpOp, emitBinary } from './lower.js';
import { BoundVarCompiler } from './bound-vars.js';

export abstract class ExprCompiler extends BoundVarCompiler {

    // ---------- expressions ----------
    expr(e: IrExpr, expected?: WType): PV {
        switch (e.kind) {
            case 'int': {
                const v = e.value;
                const t: WType = expected && (isInt(expected) || isFloat(expected)) ? expected : (v > 0x7fffffffn || v < -0x80000000n ? 'i64' : 'i32');
                return { t, isConst: true, v: convert(v, 'i64', t), lit: true, pure: true };
            }
            case 'float': {
                const t: WType = expected === 'f32' ? 'f32' : 'f64';
                return { t, isConst: true, v: t === 'f32' ? Math.fround(e.value) : e.value, lit: true, pure: true };
            }
            case 'bool': return { t: 'bool', isConst: true, v: e.value, pure: true };
            case 'str': return { t: 'str', isConst: true, v: e.value, pure: true };
            case 'var': {
                const b = this.lookup(e.var.name);
                if (!b) throw new CompileError(`'${e.var.name}' has no storage here`, e);
                return this.load(b);
            }
            case 'bound': {
                const bound = this.boundVar(e.name);
                if (bound) return bound;
                throw new CompileError(`\`${e.name}\` has no value at this site`, e);
            }
            case 'const': return constantOf(e.lower, e);
            case 'unary': return this.unary(e.op, e.operand, expected);
            case 'cast': return this.coerce(this.expr(e.expr), wtype(e.to));
            case 'binary': return this.binaryExpr(e.op, e.left, e.right, expected);
            case 'ternary': {
                const c = this.condition(e.cond);
                if (c.isConst) return this.expr(c.v ? e.then : e.else, expected);
                let a = this.expr(e.then, expected);
                let b = this.expr(e.else, expected);
                const t = a.lit && !b.lit ? b.t : a.t;
                a = this.coerce(a, t); b = this.coerce(b, t);
                return {
                    t, isConst: false, pure: c.pure && a.pure && b.pure,
                    emit: w => { this.push(c); w.op(OP.if).blockType(valTypeOf(t)); this.push(a); w.op(OP.else); this.push(b); w.op(OP.end); },
                };
            }
            case 'call': return this.call(e);
            case 'lib-call': return e.isStatic ? this.staticCall(e) : this.libCall(e);
            // string methods: s.len(), starts_with, ends_with, contains (folded when static).
            case 'method': return EMITTERS[e.lower](this, e);
            case 'field': {
                let v = this.expr(e.recv);
                for (const i of e.path) {
                    if (!v.elems || i >= v.elems.length) throw new CompileError(`no element ${i} in this value`, e);
                    // Elements not selected still run when they have side effects.
                    const side = v.elems.filter((x, k) => k !== i && !x.pure);
                    if (side.length) throw new CompileError('selecting from this tuple would skip elements with effects', e);
                    v = v.elems[i];
                }
                return v;
            }
            case 'index': {
                if (e.recv.kind === 'var') {
                    const b = this.lookup(e.recv.var.name);
                    if (b?.map) return this.mapRead(b, this.mapKeys(b, e.index));
                }
                const recv = this.expr(e.recv);
                if (recv.table) return this.tableLookup(recv.table, this.coerce(this.expr(e.index, 'u32'), 'u32'));
                throw new CompileError('only maps and br_table targets can be indexed', e);
            }
            case 'tuple': {
                const elems = e.elems.map(x => this.expr(x));
                return { t: 'tuple', isConst: false, pure: elems.every(x => x.pure), elems };
            }
            case 'lib': throw new CompileError(`\`${e.name}\` is a library, not a value`, e);
        }
    }

    protected unary(op: '!' | '~' | '-', operand: IrExpr, expected?: WType): PV {
        if (op === '!') {
            const v = this.condition(operand);
            if (v.isConst) return { t: 'bool', isConst: true, v: !v.v, pure: true };
            return { t: 'bool', isConst: false, pure: v.pure, emit: w => { v.emit!(w); w.op(OP.i32_eqz); } };
        }
        const v = this.expr(operand, expected);
        if (v.isConst) {
            const r = foldUnary(op, v.v!, v.t);
            if (r !== undefined) return { t: v.t, isConst: true, v: r, lit: v.lit, pure: true };
        }
        const t = v.t;
        if (op === '~') {
            const ones: PV = { t, isConst: true, v: isInt(t) ? convert(-1n, 'i64', t) : 0, pure: true };
            return this.binary('^', v, ones);
        }
        if (isFloat(t)) return { t, isConst: false, pure: v.pure, emit: w => { this.push(v); w.op(t === 'f32' ? OP.f32_neg : OP.f64_neg); } };
        return this.binary('-', { t, isConst: true, v: convert(0n, 'i64', t), pure: true }, v);
    }

    protected binaryExpr(op: string, le: IrExpr, re: IrExpr, expected?: WType): PV {
        if (op === '&&' || op === '||') {
            const l = this.condition(le);
            const r = this.condition(re);
            const and = op === '&&';
            if (l.isConst) return l.v === and ? r : { t: 'bool', isConst: true, v: !and, pure: true };
            if (r.isConst) {
                if (r.v === and) return l;
                if (l.pure) return { t: 'bool', isConst: true, v: !and, pure: true };
            }
            return {
                t: 'bool', isConst: false, pure: l.pure && r.pure,
                emit: w => {
                    this.push(l);
                    w.op(OP.if).blockType('i32');
                    if (and) { this.push(r); w.op(OP.else).op(OP.i32_const).s32(0); }
                    else { w.op(OP.i32_const).s32(1).op(OP.else); this.push(r); }
                    w.op(OP.end);
                },
            };
        }
        const cmp = op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=';
        const want = cmp ? undefined : expected;
        let l = this.expr(le, want);
        let r = this.expr(re, want);
        if (l.lit && !r.lit) l = this.expr(le, r.t);
        else if (r.lit && !l.lit) r = this.expr(re, l.t);
        return this.binary(op as BinOp, l, r);
    }

    binary(op: BinOp, l: PV, r: PV): PV {
        let t: WType = l.lit && !r.lit ? r.t : l.t;
        if (t === 'bool' && r.t !== 'bool' && !cmpOp(op)) t = r.t;
        if ((op === '<<' || op === '>>') && !l.lit) t = l.t;
        l = this.coerce(l, t);
        r = this.coerce(r, t);
        const result: WType = cmpOp(op) ? 'bool' : t;
        if (l.isConst && r.isConst) {
            const v = foldBinary(op, l.v!, r.v!, t);
            if (v !== undefined) return { t: result, isConst: true, v, lit: l.lit && r.lit && !cmpOp(op), pure: true };
        }
        if (t === 'str') return compileStringEquality(this, op, l, r); // handles are interned
        if (op === '%' && isFloat(t)) {
            // fmod: a - trunc(a / b) * b (wasm has no float remainder).
            const vt = valTypeOf(t);
            const la = this.w.newLocal(vt), lb = this.w.newLocal(vt);
            const f64 = t === 'f64';
            return {
                t: result, isConst: false, pure: l.pure && r.pure,
                emit: w => {
                    this.push(l); w.op(OP.local_set).ref(RefKind.Local, la);
                    this.push(r); w.op(OP.local_set).ref(RefKind.Local, lb);
                    w.op(OP.local_get).ref(RefKind.Local, la);
                    w.op(OP.local_get).ref(RefKind.Local, la).op(OP.local_get).ref(RefKind.Local, lb).op(f64 ? OP.f64_div : OP.f32_div);
                    w.op(f64 ? OP.f64_trunc : OP.f32_trunc);
                    w.op(OP.local_get).ref(RefKind.Local, lb).op(f64 ? OP.f64_mul : OP.f32_mul);
                    w.op(f64 ? OP.f64_sub : OP.f32_sub);
                },
            };
        }
        return {
            t: result, isConst: false, pure: l.pure && r.pure && op !== '/' && op !== '%',
            emit: w => { this.push(l); this.push(r); emitBinary(w, op, t); },
        };
    }

    abstract altCall(e: IrExpr & { kind: 'call' }): PV;
    abstract dropArgs(e: IrExpr & { kind: 'call' }): PV;
    abstract resolveFuncref(e: IrExpr & { kind: 'call' }): PV;
    protected abstract call(e: IrExpr & { kind: 'call' }): PV;
    protected abstract staticCall(e: IrExpr & { kind: 'lib-call' }): PV;
    protected abstract libCall(e: IrExpr & { kind: 'lib-call' }): PV;
}
