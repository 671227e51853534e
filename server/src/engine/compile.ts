// Partial evaluation and code generation of predicates, probe bodies and script functions.
//
// Every expression evaluates to a PV: either a constant (all inputs static at this site: literals,
// `fid`, `pc`, `opname`, immediates, `@static` calls...) or code that computes it at run time. Constant
// predicates decide whether a probe is injected at all; constant sub-expressions and branches disappear
// from the generated code.
import type {
    Block, Expression, IfStmt, Statement, VarDecl,
} from '../language/generated/ast.js';
import { CodeWriter, OP, RefKind, valTypeByte } from './emit.js';
import { compileStringBuiltin, compileStringEquality, compileStringMethod } from './strings.js';
import { stringHandle } from './string-handles.js';
import { foldBinary, foldUnary, type BinOp } from './fold.js';
import type { SiteInfo } from './site.js';
import {
    type Const, type WType, type ValType, convert, defaultOf, is64, isFloat, isInt, isSigned, valTypeOf,
    whammTypeOfVal,
} from './types.js';
import { typeText } from './script.js';
import { elementAt, leafCount, leafTypes, shapeOf, tuplePathOf, type TupleShape } from './tuples.js';

export class CompileError extends Error {
    constructor(message: string, readonly node?: { $cstNode?: { range: { start: { line: number; character: number } } } }) {
        super(message);
    }
}

export interface PV {
    t: WType;
    isConst: boolean;
    v?: Const;
    /** An untyped literal: adopts the type of the other operand. */
    lit?: boolean;
    emit?: (w: CodeWriter) => void;
    /** No side effects (may be dropped when its value is not needed). */
    pure: boolean;
    /** Static map (br_table targets): index -> value. */
    table?: number[];
    /** A tuple value (t = 'tuple'): its elements, evaluated in order. */
    elems?: PV[];
}

/** Key and value types of a map variable (its storage holds the map's id, an i32). */
export interface MapShape {
    /** Key leaves, in order (a tuple key is passed flat). */
    keys: WType[];
    /** The value's type text (`u32`, `(u32,i64)`). */
    value: WType;
    typeText: string;
    keyShape: TupleShape;
    valueShape: TupleShape;
    /** Value leaves, in order (a tuple value is stored and returned flat). */
    values: WType[];
}

/** A tuple binding (t = 'tuple') names its first leaf; the others follow at consecutive indices. */
export type Binding =
    | { kind: 'global'; t: WType; index: number; map?: MapShape; tuple?: TupleShape }
    | { kind: 'site'; t: WType; id: number; map?: MapShape; tuple?: TupleShape }
    | { kind: 'local'; t: WType; id: number; map?: MapShape; tuple?: TupleShape }
    | { kind: 'param'; t: WType; index: number; map?: MapShape; tuple?: TupleShape };

/** The binding of the element `offset` leaves into tuple binding `b`, of shape `shape`. */
export function elementBinding(b: Binding, offset: number, shape: TupleShape): Binding {
    const t: WType = Array.isArray(shape) ? 'tuple' : shape;
    const tuple = Array.isArray(shape) ? shape : undefined;
    switch (b.kind) {
        case 'global': return { kind: 'global', t, index: b.index + offset, tuple };
        case 'param': return { kind: 'param', t, index: b.index + offset, tuple };
        case 'site': return { kind: 'site', t, id: b.id + offset, tuple };
        case 'local': return { kind: 'local', t, id: b.id + offset, tuple };
    }
}

/** Host services the compiler needs from the instrumenter. */
export interface CompileHost {
    /** Absolute function index of script function `name` and its signature. */
    scriptFunction(name: string): { index: number; params: WType[]; result: WType } | undefined;
    /** `@static lib.fn(args)`: evaluated now. */
    callStatic(lib: string, fn: string, args: Const[]): { t: WType; v: Const };
    /** A dynamic library call: function index of the import and its signature. */
    libraryImport?(lib: string, fn: string): { index: number; params: WType[]; result: WType } | undefined;
    /** Function index of the generated `(slot: i32) -> fid` lookup of `table`. */
    tableResolver?(table: number): number;
    /**
     * An app function named by `alt_call_by_id` (its index in the app) or `alt_call_by_name` (its export or
     * name-section name): its index in the instrumented module and its type.
     */
    appFunction?(by: number | string): { index: number; params: ValType[]; results: ValType[] } | undefined;
    /** Static memory facts: page size and initial size in pages of memory `mem`. */
    memory(mem: number): { pageSize: number; pages: number } | undefined;
    isLibrary(name: string): boolean;
    /** Index of the imported runtime function for a map operation on a map of this type. */
    mapFunction(op: 'get' | 'set' | 'inc', mapType: string): number;
}

/** The statically known and run-time bound variables of one site. */
export interface SiteEnv {
    site?: SiteInfo;
    /** Event name as matched (`call`, `entry`...). */
    event: string;
    mode: string;
    probeId: number;
    bounds: Map<string, string>;
    /** Scratch locals holding saved operands/results, by name (`arg0` -> local id). */
    saved: Map<string, { id: number; t: ValType }>;
}

const num = (v: Const): bigint => (typeof v === 'bigint' ? v : typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(Math.trunc(Number(v))));

export class Compiler {
    private scopes: Map<string, Binding>[] = [];
    /** Nesting of blocks the generated code opened (for `br` out of an alt body). */
    depth = 0;
    /** Set while compiling an alt body: the block `return` leaves and the result it supplies. */
    altBlock?: { depth: number; result: WType; resultLocal?: number };
    /** report/unshared declarations whose initialiser was folded into the global's initial value. */
    readonly foldedInits = new Set<VarDecl>();

    constructor(
        readonly host: CompileHost,
        readonly globals: Map<string, Binding>,
        readonly w: CodeWriter,
        readonly env: SiteEnv | undefined,
        /** Per-site variables of the probe being compiled (name -> binding). */
        readonly siteVars: Map<string, Binding> = new Map(),
        readonly fnResult?: WType,
    ) {}

    // ---------- names ----------
    pushScope(): void { this.scopes.push(new Map()); }
    popScope(): void { this.scopes.pop(); }
    declareLocal(name: string, t: WType, tuple?: TupleShape): Binding {
        const b: Binding = tuple
            ? { kind: 'local', t: 'tuple', id: leafTypes(tuple).map(l => this.w.newLocal(valTypeOf(l)))[0], tuple }
            : { kind: 'local', t, id: this.w.newLocal(valTypeOf(t)) };
        this.scopes[this.scopes.length - 1].set(name, b);
        return b;
    }
    bindParam(name: string, t: WType, index: number): void {
        this.scopes[this.scopes.length - 1].set(name, { kind: 'param', t, index });
    }
    lookup(name: string): Binding | undefined {
        for (let i = this.scopes.length - 1; i >= 0; i--) {
            const b = this.scopes[i].get(name);
            if (b) return b;
        }
        return this.siteVars.get(name) ?? this.globals.get(name);
    }

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
                    if (isInt(vt) || isFloat(vt)) {
                        const one = convert(1n, 'u32', vt);
                        this.mapCall('inc', m.b, m.keys, { t: vt, isConst: true, v: s.op === '++' ? one : foldUnary('-', one, vt)!, pure: true });
                        this.w.byte(OP.drop);
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
                    if (v.t !== 'unit') this.w.byte(OP.drop);
                }
                return;
            }
            case 'ReturnStmt': {
                if (this.altBlock) {
                    // In an alt body, `return e` supplies the replaced instruction's result.
                    const rt = this.altBlock.result;
                    if (s.value && rt !== 'unit') this.push(this.coerce(this.expr(s.value, rt), rt));
                    this.w.byte(OP.br).u32(this.depth - this.altBlock.depth);
                    return;
                }
                if (s.value) {
                    const v = this.coerce(this.expr(s.value, this.fnResult), this.fnResult ?? 'unit');
                    this.push(v);
                }
                this.w.byte(OP.return);
                return;
            }
        }
    }

    private varDecl(d: VarDecl): void {
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

    private ifStmt(s: IfStmt): void {
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
            this.w.byte(OP.if).byte(0x40);
            this.depth++;
            this.block(arm.body);
            this.w.byte(OP.else);
            opened++;
        }
        if (elseBody) {
            if (elseBody.$type === 'IfStmt') this.ifStmt(elseBody); else this.block(elseBody);
        }
        for (let i = 0; i < opened; i++) this.w.byte(OP.end);
        this.depth -= opened;
    }

    private targetBinding(e: Expression): Binding {
        if (e.$type === 'VarRef') {
            const name = e.ref.$refText;
            const b = this.lookup(name) ?? this.operandBinding(name);
            if (!b) throw new CompileError(`cannot assign to '${name}'`, e);
            return b;
        }
        const path = e.$type === 'MemberExpr' && !e.call ? tuplePathOf(e) : undefined;
        if (path && e.$type === 'MemberExpr') {
            const base = this.targetBinding(e.receiver);
            const at = base.tuple ? elementAt(base.tuple, path) : undefined;
            if (!at) throw new CompileError('only tuple elements can be assigned by position', e);
            return elementBinding(base, at.offset, at.shape);
        }
        throw new CompileError('this kind of assignment target is not supported yet (maps: issue 5)', e);
    }

    // ---------- maps (stored in the run-time map store, see runner/runtime.ts) ----------
    private mapTarget(e: Expression & { $type: 'IndexExpr' }): { b: Binding; keys: PV[] } {
        const b = e.receiver.$type === 'VarRef' ? this.lookup(e.receiver.ref.$refText) : undefined;
        if (!b?.map) throw new CompileError('only map elements can be assigned by index', e);
        return { b, keys: this.mapKeys(b, (e as { index: Expression }).index) };
    }

    /** The key's leaves: `m[a, b]`, `m[(a, b)]`, `m[t]` with a tuple variable, nested tuples alike. */
    private mapKeys(b: Binding, index: Expression): PV[] {
        const shape = b.map!.keyShape;
        if (!Array.isArray(shape)) return [this.coerce(this.expr(index, shape), shape)];
        return this.leafValues(this.tupleValue(index, shape), shape, index);
    }

    private mapRead(b: Binding, keys: PV[]): PV {
        const m = b.map!;
        const f = this.host.mapFunction('get', m.typeText);
        const call = (w: CodeWriter) => {
            this.load(b).emit!(w);
            for (const k of keys) this.push(k);
            w.byte(OP.call).u32(f);
        };
        if (!Array.isArray(m.valueShape)) return { t: m.value, isConst: false, pure: true, emit: call };
        // A tuple value comes back as all its leaves; each leaf read repeats the (pure) lookup and keeps
        // its own leaf, so an element can be used alone (`m[k].1`) or with the others, in any order.
        const leaves = m.values;
        const leafRead = (j: number): PV => ({
            t: leaves[j], isConst: false, pure: true,
            emit: w => {
                call(w);
                const tmp = leaves.map(t => w.newLocal(valTypeOf(t)));
                for (let i = leaves.length - 1; i >= 0; i--) w.byte(OP.local_set).ref(RefKind.Local, tmp[i]);
                w.byte(OP.local_get).ref(RefKind.Local, tmp[j]);
            },
        });
        let next = 0;
        const build = (s: TupleShape): PV => Array.isArray(s) ? { t: 'tuple', isConst: false, pure: true, elems: s.map(build) } : leafRead(next++);
        return build(m.valueShape);
    }

    /** map.set (no result) or map.inc (leaves the new value). */
    private mapCall(op: 'set' | 'inc', b: Binding, keys: PV[], v: PV): void {
        const m = b.map!;
        const f = this.host.mapFunction(op, m.typeText);
        const w = this.w;
        this.load(b).emit!(w);
        for (const k of keys) this.push(k);
        if (Array.isArray(m.valueShape)) for (const x of this.leafValues(v, m.valueShape, undefined)) this.push(x);
        else this.push(this.coerce(v, m.value));
        w.byte(OP.call).u32(f);
    }

    load(b: Binding): PV {
        const w = this.w;
        if (Array.isArray(b.tuple)) {
            const shape: TupleShape[] = b.tuple;
            let offset = 0;
            const elems = shape.map(s => { const x = this.load(elementBinding(b, offset, s)); offset += leafCount(s); return x; });
            return { t: 'tuple', isConst: false, pure: true, elems };
        }
        return {
            t: b.t, isConst: false, pure: true,
            emit: () => {
                switch (b.kind) {
                    case 'global': w.byte(OP.global_get).u32(b.index); break;
                    case 'site': w.byte(OP.global_get).ref(RefKind.SiteVar, b.id); break;
                    case 'local': w.byte(OP.local_get).ref(RefKind.Local, b.id); break;
                    case 'param': w.byte(OP.local_get).u32(b.index); break;
                }
            },
        };
    }

    // ---------- tuples (see tuples.ts) ----------
    /** A tuple-typed expression, its literal elements typed after `shape`. */
    tupleValue(e: Expression, shape: TupleShape): PV {
        if (e.$type === 'TupleExpr' && Array.isArray(shape) && e.elems.length === shape.length) {
            return { t: 'tuple', isConst: false, pure: true, elems: e.elems.map((x, i) => Array.isArray(shape[i]) ? this.tupleValue(x, shape[i]) : this.expr(x, shape[i] as WType)) };
        }
        return this.expr(e, Array.isArray(shape) ? 'tuple' : shape);
    }

    /** The leaves of tuple value `v`, converted to the leaf types of `shape`. */
    leafValues(v: PV, shape: TupleShape, node: unknown): PV[] {
        if (!Array.isArray(shape)) return [this.coerce(v, shape)];
        if (!v.elems || v.elems.length !== shape.length) throw new CompileError(`expected a tuple of ${shape.length} elements`, node as never);
        return v.elems.flatMap((x, i) => this.leafValues(x, shape[i], node));
    }

    /** Evaluates every leaf before storing any, so `t = (t.1, t.0)` swaps. */
    storeLeaves(b: Binding, shape: TupleShape, leaves: PV[]): void {
        const types = leafTypes(shape);
        for (const v of leaves) this.push(v);
        for (let i = types.length - 1; i >= 0; i--) this.storeScalar(elementBinding(b, i, types[i]));
    }

    storeTuple(b: Binding, e: Expression): void {
        const shape = b.tuple!;
        this.storeLeaves(b, shape, this.leafValues(this.tupleValue(e, shape), shape, e));
    }

    private storeScalar(b: Binding): void {
        const w = this.w;
        switch (b.kind) {
            case 'global': w.byte(OP.global_set).u32(b.index); break;
            case 'site': w.byte(OP.global_set).ref(RefKind.SiteVar, b.id); break;
            case 'local': w.byte(OP.local_set).ref(RefKind.Local, b.id); break;
            case 'param': w.byte(OP.local_set).u32(b.index); break;
        }
    }

    store(b: Binding, v: PV): void {
        if (b.tuple) { this.storeLeaves(b, b.tuple, this.leafValues(v, b.tuple, undefined)); return; }
        this.push(this.coerce(v, b.t));
        this.storeScalar(b);
    }

    /** Emits code that leaves the value on the stack. */
    push(v: PV): void {
        if (v.isConst) emitConst(this.w, v.t, v.v!);
        else v.emit!(this.w);
    }

    coerce(v: PV, t: WType): PV {
        if (v.t === t || t === 'unit') return v;
        if (v.isConst) return { t, isConst: true, v: convert(v.v!, v.t, t), pure: true, lit: v.lit };
        const from = v.t;
        return { t, isConst: false, pure: v.pure, emit: w => { v.emit!(w); emitConvert(w, from, t); } };
    }

    condition(e: Expression): PV { return this.coerce(this.expr(e, 'bool'), 'bool'); }

    // ---------- expressions ----------
    expr(e: Expression, expected?: WType): PV {
        switch (e.$type) {
            case 'IntLit': {
                const v = parseIntLit(e.value);
                const t: WType = expected && (isInt(expected) || isFloat(expected)) ? expected : (v > 0x7fffffffn || v < -0x80000000n ? 'i64' : 'i32');
                return { t, isConst: true, v: convert(v, 'i64', t), lit: true, pure: true };
            }
            case 'FloatLit': {
                const raw = e.value === 'inf' ? Infinity : e.value === 'NaN' ? NaN : Number(e.value.replace(/_/g, ''));
                const t: WType = expected === 'f32' ? 'f32' : 'f64';
                return { t, isConst: true, v: t === 'f32' ? Math.fround(raw) : raw, lit: true, pure: true };
            }
            case 'BoolLit': return { t: 'bool', isConst: true, v: e.value, pure: true };
            case 'StrLit': return { t: 'str', isConst: true, v: unescape(e.value), pure: true };
            case 'VarRef': return this.name(e.ref.$refText, e);
            case 'UnaryExpr': return this.unary(e.op, e.operand, expected);
            case 'CastExpr': {
                const to = typeText(e.type) as WType;
                return this.coerce(this.expr(e.expr), to);
            }
            case 'BinaryExpr': return this.binaryExpr(e.operator, e.left, e.right, expected);
            case 'TernaryExpr': {
                const c = this.condition(e.cond);
                if (c.isConst) return this.expr(c.v ? e.then : e.else, expected);
                let a = this.expr(e.then, expected);
                let b = this.expr(e.else, expected);
                const t = a.lit && !b.lit ? b.t : a.t;
                a = this.coerce(a, t); b = this.coerce(b, t);
                return {
                    t, isConst: false, pure: c.pure && a.pure && b.pure,
                    emit: w => { this.push(c); w.byte(OP.if).byte(valTypeByte(valTypeOf(t))); this.push(a); w.byte(OP.else); this.push(b); w.byte(OP.end); },
                };
            }
            case 'CallExpr': return this.call(e.callee.$refText, e.args, e);
            case 'DecoratedCall': {
                if (e.decorator === '@static') return this.staticCall(e.call);
                return this.expr(e.call, expected);
            }
            case 'MemberExpr': {
                if (e.call && e.member && e.receiver.$type === 'VarRef' && this.host.isLibrary(e.receiver.ref.$refText)) {
                    return this.libCall(e.receiver.ref.$refText, e.member, e.args, e);
                }
                // [helper-6] string methods: s.len(), starts_with, ends_with, contains (folded when static).
                if (e.call && e.member) {
                    const sm = compileStringMethod(this, this.expr(e.receiver), e.member, e.args, e);
                    if (sm) return sm;
                }
                const path = e.call ? undefined : tuplePathOf(e);
                if (path) {
                    let v = this.expr(e.receiver);
                    for (const i of path) {
                        if (!v.elems || i >= v.elems.length) throw new CompileError(`no element ${i} in this value`, e);
                        // Elements not selected still run when they have side effects.
                        const side = v.elems.filter((x, k) => k !== i && !x.pure);
                        if (side.length) throw new CompileError('selecting from a tuple with side effects is not supported yet', e);
                        v = v.elems[i];
                    }
                    return v;
                }
                throw new CompileError('member access is not supported yet (strings: issue 5)', e);
            }
            case 'IndexExpr': {
                if (e.receiver.$type === 'VarRef') {
                    const b = this.lookup(e.receiver.ref.$refText);
                    if (b?.map) return this.mapRead(b, this.mapKeys(b, e.index));
                }
                const recv = this.expr(e.receiver);
                if (recv.table) return this.tableLookup(recv.table, this.coerce(this.expr(e.index, 'u32'), 'u32'));
                throw new CompileError('only maps and br_table targets can be indexed', e);
            }
            case 'TupleExpr': {
                const elems = e.elems.map(x => this.expr(x));
                return { t: 'tuple', isConst: false, pure: elems.every(x => x.pure), elems };
            }
        }
        throw new CompileError(`unsupported expression ${(e as Expression).$type}`, e);
    }

    private unary(op: '!' | '~' | '-', operand: Expression, expected?: WType): PV {
        if (op === '!') {
            const v = this.condition(operand);
            if (v.isConst) return { t: 'bool', isConst: true, v: !v.v, pure: true };
            return { t: 'bool', isConst: false, pure: v.pure, emit: w => { v.emit!(w); w.byte(OP.i32_eqz); } };
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
        if (isFloat(t)) return { t, isConst: false, pure: v.pure, emit: w => { this.push(v); w.byte(t === 'f32' ? 0x8c : 0x9a); } };
        return this.binary('-', { t, isConst: true, v: convert(0n, 'i64', t), pure: true }, v);
    }

    private binaryExpr(op: string, le: Expression, re: Expression, expected?: WType): PV {
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
                    w.byte(OP.if).byte(0x7f);
                    if (and) { this.push(r); w.byte(OP.else).byte(OP.i32_const).byte(0); }
                    else { w.byte(OP.i32_const).byte(1).byte(OP.else); this.push(r); }
                    w.byte(OP.end);
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
        if (t === 'str') return compileStringEquality(this, op, l, r); // [helper-6] handles are interned
        if (op === '%' && isFloat(t)) {
            // fmod: a - trunc(a / b) * b (wasm has no float remainder).
            const vt = valTypeOf(t);
            const la = this.w.newLocal(vt), lb = this.w.newLocal(vt);
            const f64 = t === 'f64';
            return {
                t: result, isConst: false, pure: l.pure && r.pure,
                emit: w => {
                    this.push(l); w.byte(OP.local_set).ref(RefKind.Local, la);
                    this.push(r); w.byte(OP.local_set).ref(RefKind.Local, lb);
                    w.byte(OP.local_get).ref(RefKind.Local, la);
                    w.byte(OP.local_get).ref(RefKind.Local, la).byte(OP.local_get).ref(RefKind.Local, lb).byte(f64 ? 0xa3 : 0x95);
                    w.byte(f64 ? 0x9d : 0x8f);
                    w.byte(OP.local_get).ref(RefKind.Local, lb).byte(f64 ? 0xa2 : 0x94);
                    w.byte(f64 ? 0xa1 : 0x93);
                },
            };
        }
        return {
            t: result, isConst: false, pure: l.pure && r.pure && op !== '/' && op !== '%',
            emit: w => { this.push(l); this.push(r); emitBinary(w, op, t); },
        };
    }

    private tableLookup(table: number[], idx: PV): PV {
        if (idx.isConst) {
            const i = Number(idx.v);
            return { t: 'u32', isConst: true, v: BigInt(table[i] ?? 0), pure: true };
        }
        const idxLocal = this.w.newLocal('i32');
        const acc = this.w.newLocal('i32');
        return {
            t: 'u32', isConst: false, pure: idx.pure,
            emit: w => {
                this.push(idx);
                w.byte(OP.local_set).ref(RefKind.Local, idxLocal);
                w.byte(OP.i32_const).s32(0).byte(OP.local_set).ref(RefKind.Local, acc);
                // The table is static and small (a br_table's labels): a chain of selects.
                table.forEach((v, i) => {
                    w.byte(OP.i32_const).s32(v).byte(OP.local_get).ref(RefKind.Local, acc);
                    w.byte(OP.local_get).ref(RefKind.Local, idxLocal).byte(OP.i32_const).s32(i).byte(0x46);
                    w.byte(OP.select).byte(OP.local_set).ref(RefKind.Local, acc);
                });
                w.byte(OP.local_get).ref(RefKind.Local, acc);
            },
        };
    }

    private name(name: string, node: Expression): PV {
        const b = this.lookup(name);
        if (b) return this.load(b);
        if (name === 'APP_MEMID') return { t: 'i32', isConst: true, v: 0n, pure: true };
        const bound = this.boundVar(name);
        if (bound) return bound;
        throw new CompileError(`unknown name '${name}'`, node);
    }

    /** Provider and event bound variables. */
    boundVar(name: string): PV | undefined {
        const env = this.env;
        if (!env) return undefined;
        const s = env.site;
        const k = (t: WType, v: Const): PV => ({ t, isConst: true, v, pure: true });
        switch (name) {
            case 'probe_id': return k('i32', BigInt(env.probeId));
        }
        if (!s) return undefined;
        switch (name) {
            case 'fid': return k('u32', BigInt(s.fid));
            case 'fname': return k('str', s.fname);
            case 'pc': return k('u32', BigInt(s.pc));
            case 'opidx': return k('u32', BigInt(s.opidx));
            case 'at_func_end': return k('bool', s.atFuncEnd);
            case 'opname': return k('str', s.opname);
            case 'bytecode': return k('u16', BigInt(s.bytecode));
            case 'instr_count': return s.instrCount === undefined ? undefined : k('u32', BigInt(s.instrCount));
        }
        if (s.memarg) {
            const m = s.memarg;
            switch (name) {
                case 'offset': return k('u64', m.offset);
                case 'align': return k('u32', BigInt(m.align));
                case 'data_size': return k('u32', BigInt(m.bytes));
                case 'is_write': return k('bool', m.isWrite);
                case 'memory': return k('u32', BigInt(m.memory));
                case 'addr': return this.savedValue(m.isWrite ? 'arg1' : 'arg0', 'u32');
                case 'effective_addr': {
                    const addr = this.savedValue(m.isWrite ? 'arg1' : 'arg0', 'u32');
                    if (!addr) return undefined;
                    return this.binary('+', addr, k('u32', BigInt.asUintN(32, m.offset)));
                }
            }
        }
        if (name === 'failed' && s.opname === 'memory.grow') {
            // Known once the grow has run (`after`): it returned -1 (the instrumenter saved res0 for it).
            const r = this.savedValue('res0', whammTypeOfVal(s.results[0] ?? 'i32'));
            return r && { ...this.binary('==', r, k(r.t, -1n)), t: 'bool' };
        }
        if (s.brTable) {
            const bt = s.brTable;
            switch (name) {
                case 'num_targets': return k('u32', BigInt(bt.targets.length));
                case 'default_target': return k('u32', BigInt(bt.default));
                case 'targets': return { t: 'map', isConst: false, pure: true, table: bt.targets };
                case 'target': {
                    // The label this execution takes: targets[arg0], or the default for an index past them.
                    const i = this.savedValue('arg0', 'u32');
                    if (!i) return undefined;
                    const n = bt.targets.length;
                    const clamped: PV = { t: 'u32', isConst: false, pure: true, emit: w => { i.emit!(w); w.byte(OP.i32_const).s32(n); i.emit!(w); w.byte(OP.i32_const).s32(n).byte(0x49).byte(OP.select); } };
                    return this.tableLookup([...bt.targets, bt.default], clamped);
                }
            }
        }
        if (s.opname === 'ref.func' && name === 'resolved_fid') return k('i32', BigInt(Number(s.imms[0])));
        if (s.opname.endsWith('call_ref') && name === 'resolved_fid') return k('i32', BigInt(s.refFunc ?? -1));
        if (s.opname.endsWith('call_indirect') || s.opname === 'table.get') {
            // The slot is the topmost operand; call_indirect names its table second, table.get first.
            const table = Number((s.opname === 'table.get' ? s.imms[0] : s.imms[1]) ?? 0);
            switch (name) {
                case 'table_entry_idx': return this.savedValue('arg0', 'i32');
                case 'resolved_fid': {
                    const slot = this.savedValue('arg0', 'i32');
                    if (!slot || !this.host.tableResolver) return undefined;
                    const resolver = this.host.tableResolver(table);
                    return { t: 'i32', isConst: false, pure: true, emit: w => { slot.emit!(w); w.byte(OP.call).u32(resolver); } };
                }
                case 'target_funcref': {
                    const slot = this.savedValue('arg0', 'i32');
                    if (!slot) return undefined;
                    return { t: 'funcref', isConst: false, pure: true, emit: w => { slot.emit!(w); w.byte(0x25).u32(table); } };
                }
            }
        }
        if (s.callee) {
            switch (name) {
                case 'target_fn_name': return k('str', s.callee.name);
                case 'target_imp_module': return k('str', s.callee.module);
                case 'target_fn_type': return k('str', s.callee.type);
            }
        }
        let m = /^imm(\d+)$/.exec(name);
        if (m) {
            const v = s.imms[Number(m[1])];
            if (v === undefined) return undefined;
            if (typeof v === 'bigint') return k(s.opname === 'i64.const' ? 'i64' : 'u64', v);
            if (s.opname === 'f32.const' || s.opname === 'f64.const') return k(s.opname.slice(0, 3) as WType, v);
            return k(s.opname === 'i32.const' ? 'i32' : 'u32', BigInt(v));
        }
        m = /^(arg|res)(\d+)$/.exec(name);
        if (m) {
            const i = Number(m[2]);
            const vals = m[1] === 'arg' ? s.args : s.results;
            const decl = m[1] === 'arg' ? s.argWhamm?.[i] : s.resWhamm?.[i];
            if (i >= vals.length) return undefined;
            const bound = env.bounds.get(name) as WType | undefined;
            return this.savedValue(name, bound ?? decl ?? whammTypeOfVal(vals[i]));
        }
        m = /^local(\d+)$/.exec(name);
        if (m) {
            const i = Number(m[1]);
            if (i >= s.locals.length) return undefined;
            const bound = env.bounds.get(name) as WType | undefined;
            const vt = s.locals[i];
            const t = bound ?? whammTypeOfVal(vt);
            return { t, isConst: false, pure: true, emit: w => { w.byte(OP.local_get).u32(i); normalize(w, t); } };
        }
        return undefined;
    }

    /**
     * alt_call_by_id(fid) / alt_call_by_name("f"): calls another app function with the replaced call's operands.
     * Its result becomes the replaced instruction's result unless the body later `return`s another one.
     */
    private altCall(name: string, args: Expression[], node: Expression): PV {
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
                    w.byte(OP.local_get).ref(RefKind.Local, slot.id);
                }
                w.byte(OP.call).u32(target.index);
                if (target.results.length === 0) return;
                if (alt && target.results.length === 1) {
                    alt.resultLocal ??= w.newLocal(target.results[0]);
                    w.byte(OP.local_set).ref(RefKind.Local, alt.resultLocal);
                } else for (let i = 0; i < target.results.length; i++) w.byte(OP.drop);
            },
        };
    }

    /** Leaves the value an alt body supplies when it falls through: an alt call's result, else the default. */
    altFallthrough(): void {
        const alt = this.altBlock;
        if (!alt || alt.result === 'unit') return;
        if (alt.resultLocal !== undefined) this.w.byte(OP.local_get).ref(RefKind.Local, alt.resultLocal);
        else emitConst(this.w, alt.result, defaultOf(alt.result));
    }

    /**
     * `argN = v;` before an instruction writes the scratch local its operand was saved in; the site pushes the
     * saved operands back after the probe, so the instruction sees the new value.
     */
    private operandBinding(name: string): Binding | undefined {
        const m = /^arg(\d+)$/.exec(name);
        const slot = m ? this.env?.saved.get(name) : undefined;
        if (!m || !slot || !this.env) return undefined;
        const i = Number(m[1]);
        const t = (this.env.bounds.get(name) as WType | undefined) ?? this.env.site?.argWhamm?.[i] ?? whammTypeOfVal(slot.t);
        return { kind: 'local', t, id: slot.id };
    }

    private savedValue(name: string, t: WType): PV | undefined {
        const slot = this.env?.saved.get(name);
        if (!slot) return undefined;
        return { t, isConst: false, pure: true, emit: w => { w.byte(OP.local_get).ref(RefKind.Local, slot.id); normalize(w, t); } };
    }

    private call(name: string, args: Expression[], node: Expression): PV {
        const f = this.host.scriptFunction(name);
        if (f) {
            const vals = args.map((a, i) => this.coerce(this.expr(a, f.params[i]), f.params[i] ?? 'i32'));
            return {
                t: f.result, isConst: false, pure: false,
                emit: w => { for (const v of vals) this.push(v); w.byte(OP.call).u32(f.index); },
            };
        }
        const sb = compileStringBuiltin(this, name, args, node); // [helper-6] read_str, write_str, strcmp, memid
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
                    if (!ref.pure) { this.push(ref); w.byte(OP.drop); }
                    this.push(slot);
                    w.byte(OP.call).u32(resolver);
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
                return { t: 'u32', isConst: false, pure: true, emit: w => { w.byte(OP.memory_size).byte(0); } };
            }
        }
        throw new CompileError(`unknown function '${name}'`, node);
    }

    private staticCall(call: Expression): PV {
        if (call.$type === 'MemberExpr' && call.call && call.member && call.receiver.$type === 'VarRef') {
            const args = call.args.map(a => this.expr(a));
            const bad = args.findIndex(a => !a.isConst);
            if (bad >= 0) throw new CompileError('arguments of an @static call must be known at instrumentation time', call.args[bad]);
            const r = this.host.callStatic(call.receiver.ref.$refText, call.member, args.map(a => a.v!));
            return { t: r.t, isConst: true, v: r.v, pure: true };
        }
        throw new CompileError('@static applies to library calls (lib.fn(...))', call);
    }

    private libCall(lib: string, fn: string, args: Expression[], node: Expression): PV {
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
        return { t: f.result, isConst: false, pure: false, emit: w => { for (const v of vals) this.push(v); w.byte(OP.call).u32(f.index); } };
    }
}

function cmpOp(op: BinOp): boolean {
    return op === '==' || op === '!=' || op === '<' || op === '<=' || op === '>' || op === '>=';
}

function isScalar(t: WType): boolean {
    return isInt(t) || isFloat(t) || t === 'bool';
}

export function parseIntLit(text: string): bigint {
    const s = text.replace(/_/g, '');
    if (/^0[bB]/.test(s)) return BigInt('0b' + s.slice(2));
    return BigInt(s);
}

function unescape(lit: string): string {
    const body = lit.slice(1, -1);
    return body.replace(/\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|.)/g, (_, e: string) => {
        switch (e[0]) {
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case '0': return '\0';
            case 'x': return String.fromCharCode(parseInt(e.slice(1), 16));
            case 'u': return String.fromCodePoint(parseInt(e.slice(2, -1), 16));
            default: return e;
        }
    });
}

// ---------- wasm code for values ----------

export function emitConst(w: CodeWriter, t: WType, v: Const): void {
    if (t === 'str' && typeof v === 'string') v = BigInt(stringHandle(v)); // [helper-6] a str is its handle
    switch (valTypeOf(t)) {
        case 'i32': w.byte(OP.i32_const).s32(Number(BigInt.asIntN(32, num(v)))); break;
        case 'i64': w.byte(OP.i64_const).s64(num(v)); break;
        case 'f32': w.byte(OP.f32_const).f32(Number(v)); break;
        case 'f64': w.byte(OP.f64_const).f64(Number(v)); break;
        default: throw new CompileError(`no constant of type ${t}`);
    }
}

/** Brings an i32 holding a narrow integer into its normal form (zero- or sign-extended). */
export function normalize(w: CodeWriter, t: WType): void {
    switch (t) {
        case 'u8': w.byte(OP.i32_const).s32(0xff).byte(OP.i32_and); break;
        case 'u16': w.byte(OP.i32_const).s32(0xffff).byte(OP.i32_and); break;
        case 'i8': w.byte(OP.i32_extend8_s); break;
        case 'i16': w.byte(OP.i32_extend16_s); break;
        case 'bool': w.byte(OP.i32_eqz).byte(OP.i32_eqz); break;
    }
}

export function emitConvert(w: CodeWriter, from: WType, to: WType): void {
    if (from === to) return;
    const fv = valTypeOf(from), tv = valTypeOf(to);
    if (to === 'bool') {
        if (fv === 'i32') { w.byte(OP.i32_eqz).byte(OP.i32_eqz); return; }
        if (fv === 'i64') { w.byte(OP.i64_eqz).byte(OP.i32_eqz); return; }
        if (fv === 'f32') { w.byte(OP.f32_const).f32(0).byte(0x5c); return; }
        if (fv === 'f64') { w.byte(OP.f64_const).f64(0).byte(0x62); return; }
    }
    const fromSigned = isSigned(from);
    if (isInt(to) || to === 'bool') {
        if (fv === 'i32' && tv === 'i32') { normalize(w, to); return; }
        if (fv === 'i32' && tv === 'i64') { w.byte(fromSigned ? OP.i64_extend_i32_s : OP.i64_extend_i32_u); return; }
        if (fv === 'i64' && tv === 'i64') return;
        if (fv === 'i64' && tv === 'i32') { w.byte(OP.i32_wrap_i64); normalize(w, to); return; }
        if (fv === 'f32' || fv === 'f64') {
            const s = isSigned(to) ? 0 : 1;
            const sub = (tv === 'i64' ? 4 : 0) + (fv === 'f64' ? 2 : 0) + s;
            w.byte(0xfc).u32(sub);
            if (tv === 'i32') normalize(w, to);
            return;
        }
    }
    if (isFloat(to)) {
        if (fv === 'i32' || fv === 'i64') {
            const base = to === 'f32' ? 0xb2 : 0xb7;
            w.byte(base + (fv === 'i64' ? 2 : 0) + (fromSigned ? 0 : 1));
            return;
        }
        if (fv === 'f32' && tv === 'f64') { w.byte(OP.f64_promote_f32); return; }
        if (fv === 'f64' && tv === 'f32') { w.byte(OP.f32_demote_f64); return; }
        if (fv === tv) return;
    }
    throw new CompileError(`cannot convert ${from} to ${to}`);
}

const I32_OPS: Record<string, number | [number, number]> = {
    '+': 0x6a, '-': 0x6b, '*': 0x6c, '/': [0x6d, 0x6e], '%': [0x6f, 0x70], '&': 0x71, '|': 0x72, '^': 0x73,
    '<<': 0x74, '>>': [0x75, 0x76], '==': 0x46, '!=': 0x47, '<': [0x48, 0x49], '>': [0x4a, 0x4b], '<=': [0x4c, 0x4d], '>=': [0x4e, 0x4f],
};
const I64_OPS: Record<string, number | [number, number]> = {
    '+': 0x7c, '-': 0x7d, '*': 0x7e, '/': [0x7f, 0x80], '%': [0x81, 0x82], '&': 0x83, '|': 0x84, '^': 0x85,
    '<<': 0x86, '>>': [0x87, 0x88], '==': 0x51, '!=': 0x52, '<': [0x53, 0x54], '>': [0x55, 0x56], '<=': [0x57, 0x58], '>=': [0x59, 0x5a],
};
const F32_OPS: Record<string, number> = { '==': 0x5b, '!=': 0x5c, '<': 0x5d, '>': 0x5e, '<=': 0x5f, '>=': 0x60, '+': 0x92, '-': 0x93, '*': 0x94, '/': 0x95 };
const F64_OPS: Record<string, number> = { '==': 0x61, '!=': 0x62, '<': 0x63, '>': 0x64, '<=': 0x65, '>=': 0x66, '+': 0xa0, '-': 0xa1, '*': 0xa2, '/': 0xa3 };

export function emitBinary(w: CodeWriter, op: BinOp, t: WType): void {
    if (isFloat(t) && op === '%') {
        throw new CompileError('run-time float remainder needs scratch locals; use emitFloatRem');
    }
    if (isFloat(t)) {
        const code = (t === 'f32' ? F32_OPS : F64_OPS)[op];
        if (code === undefined) throw new CompileError(`operator ${op} is not defined on ${t}`);
        w.byte(code);
        return;
    }
    const table = is64(t) ? I64_OPS : I32_OPS;
    const code = table[op];
    if (code === undefined) throw new CompileError(`operator ${op} is not defined on ${t}`);
    w.byte(typeof code === 'number' ? code : code[isSigned(t) ? 0 : 1]);
    if (!cmpOp(op)) normalize(w, t);
}

