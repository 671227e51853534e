// The compiler's base: scopes and names, storage (globals, per-site variables, locals, parameters, tuples,
// maps), and the saved operands of the site.
import type { IrDecl, IrExpr, Span } from '../frontend/index.js';
import { CodeWriter, OP, RefKind } from './emit.js';
import { type BinOp } from './fold.js';
import { type WType, convert, valTypeOf, whammTypeOfVal } from './types.js';
import { elementAt, leafCount, leafTypes, type TupleShape } from './tuples.js';
import { CompileError, type PV, type Binding, elementBinding, type CompileHost, type SiteEnv } from './compile-types.js';
import { emitConst, normalize, emitConvert } from './lower.js';
import { BATCH_GLOBALS, emitBatchedIncrement, type BatchSpec } from './map-batch.js';

export abstract class CompilerCore {
    protected scopes: Map<string, Binding>[] = [];
    /** Nesting of blocks the generated code opened (for `br` out of an alt body). */
    depth = 0;
    /** Set while compiling an alt body: the block `return` leaves and the result it supplies. */
    altBlock?: { depth: number; result: WType; resultLocal?: number };
    /** report/unshared declarations whose initialiser was folded into the global's initial value. */
    readonly foldedInits = new Set<IrDecl>();
    /** Set for probe bodies at a site: the first SiteVar id free for batched increments (map-batch.ts). */
    batchVars?: number;
    /** Batched map increments compiled so far, each with 4 SiteVars from batchVars on. */
    readonly batches: BatchSpec[] = [];

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

    protected targetBinding(e: IrExpr): Binding {
        if (e.kind === 'var' || e.kind === 'bound') {
            const name = e.kind === 'var' ? e.var.name : e.name;
            const b = this.lookup(name) ?? this.operandBinding(name);
            if (!b) throw new CompileError(`cannot assign to '${name}'`, e);
            return b;
        }
        if (e.kind === 'field') {
            const path = e.path;
            const base = this.targetBinding(e.recv);
            const at = base.tuple ? elementAt(base.tuple, path) : undefined;
            if (!at) throw new CompileError('only tuple elements can be assigned by position', e);
            return elementBinding(base, at.offset, at.shape);
        }
        throw new CompileError('cannot assign to this expression: expected a variable, a map entry or a tuple field', e);
    }

    // ---------- maps (stored in the run-time map store, see runner/runtime.ts) ----------
    /**
     * `m[k]++` as a strided run kept in the site's globals (map-batch.ts) when the host allows it for this
     * map, the key is an address (and a constant bool) and the code runs at a site; false otherwise.
     */
    protected batchedIncrement(e: IrExpr & { kind: 'index' }, b: Binding, keys: PV[]): boolean {
        if (this.batchVars === undefined || !this.host.batchRun || e.recv.kind !== 'var') return false;
        const name = e.recv.var.name;
        if (b.kind !== 'global' || this.globals.get(name) !== b || (keys[0].t !== 'u32' && keys[0].t !== 'i32')) return false;
        if (keys.length > 2 || (keys.length === 2 && (keys[1].t !== 'bool' || !keys[1].isConst))) return false;
        const run = this.host.batchRun(name);
        if (run === undefined) return false;
        const spec: BatchSpec = { mapGlobal: b.index, run, ...(keys.length === 2 ? { flag: keys[1].v ? 1 : 0 } : {}) };
        this.push(keys[0]);
        emitBatchedIncrement(this.w, spec, this.batchVars + BATCH_GLOBALS.length * this.batches.length, this.w.newLocal('i32'));
        this.batches.push(spec);
        return true;
    }

    protected mapTarget(e: IrExpr & { kind: 'index' }): { b: Binding; keys: PV[] } {
        const b = e.recv.kind === 'var' ? this.lookup(e.recv.var.name) : undefined;
        if (!b?.map) throw new CompileError('only map elements can be assigned by index', e);
        return { b, keys: this.mapKeys(b, e.index) };
    }

    /** The key's leaves: `m[a, b]`, `m[(a, b)]`, `m[t]` with a tuple variable, nested tuples alike. */
    protected mapKeys(b: Binding, index: IrExpr): PV[] {
        const shape = b.map!.keyShape;
        if (!Array.isArray(shape)) return [this.coerce(this.expr(index, shape), shape)];
        return this.leafValues(this.tupleValue(index, shape), shape, index);
    }

    protected mapRead(b: Binding, keys: PV[]): PV {
        const m = b.map!;
        const f = this.host.mapFunction('get', m.typeText);
        const call = (w: CodeWriter) => {
            this.load(b).emit!(w);
            for (const k of keys) this.push(k);
            w.op(OP.call).u32(f);
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
                for (let i = leaves.length - 1; i >= 0; i--) w.op(OP.local_set).ref(RefKind.Local, tmp[i]);
                w.op(OP.local_get).ref(RefKind.Local, tmp[j]);
            },
        });
        let next = 0;
        const build = (s: TupleShape): PV => Array.isArray(s) ? { t: 'tuple', isConst: false, pure: true, elems: s.map(build) } : leafRead(next++);
        return build(m.valueShape);
    }

    /** map.set (no result) or map.inc (leaves the new value). */
    protected mapCall(op: 'set' | 'inc', b: Binding, keys: PV[], v: PV): void {
        const m = b.map!;
        const f = this.host.mapFunction(op, m.typeText);
        const w = this.w;
        this.load(b).emit!(w);
        for (const k of keys) this.push(k);
        if (Array.isArray(m.valueShape)) for (const x of this.leafValues(v, m.valueShape, undefined)) this.push(x);
        else this.push(this.coerce(v, m.value));
        w.op(OP.call).u32(f);
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
                    case 'global': w.op(OP.global_get).u32(b.index); break;
                    case 'site': w.op(OP.global_get).ref(RefKind.SiteVar, b.id); break;
                    case 'local': w.op(OP.local_get).ref(RefKind.Local, b.id); break;
                    case 'param': w.op(OP.local_get).u32(b.index); break;
                }
            },
        };
    }

    // ---------- tuples (see tuples.ts) ----------
    /** A tuple-typed expression, its literal elements typed after `shape`. */
    tupleValue(e: IrExpr, shape: TupleShape): PV {
        if (e.kind === 'tuple' && Array.isArray(shape) && e.elems.length === shape.length) {
            return { t: 'tuple', isConst: false, pure: true, elems: e.elems.map((x, i) => Array.isArray(shape[i]) ? this.tupleValue(x, shape[i]) : this.expr(x, shape[i] as WType)) };
        }
        return this.expr(e, Array.isArray(shape) ? 'tuple' : shape);
    }

    /** The leaves of tuple value `v`, converted to the leaf types of `shape`. */
    leafValues(v: PV, shape: TupleShape, node: { span: Span } | undefined): PV[] {
        if (!Array.isArray(shape)) return [this.coerce(v, shape)];
        if (!v.elems || v.elems.length !== shape.length) throw new CompileError(`expected a tuple of ${shape.length} elements`, node);
        return v.elems.flatMap((x, i) => this.leafValues(x, shape[i], node));
    }

    /** Evaluates every leaf before storing any, so `t = (t.1, t.0)` swaps. */
    storeLeaves(b: Binding, shape: TupleShape, leaves: PV[]): void {
        const types = leafTypes(shape);
        for (const v of leaves) this.push(v);
        for (let i = types.length - 1; i >= 0; i--) this.storeScalar(elementBinding(b, i, types[i]));
    }

    storeTuple(b: Binding, e: IrExpr): void {
        const shape = b.tuple!;
        this.storeLeaves(b, shape, this.leafValues(this.tupleValue(e, shape), shape, e));
    }

    protected storeScalar(b: Binding): void {
        const w = this.w;
        switch (b.kind) {
            case 'global': w.op(OP.global_set).u32(b.index); break;
            case 'site': w.op(OP.global_set).ref(RefKind.SiteVar, b.id); break;
            case 'local': w.op(OP.local_set).ref(RefKind.Local, b.id); break;
            case 'param': w.op(OP.local_set).u32(b.index); break;
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

    condition(e: IrExpr): PV { return this.coerce(this.expr(e, 'bool'), 'bool'); }

    /**
     * `argN = v;` before an instruction writes the scratch local its operand was saved in; the site pushes the
     * saved operands back after the probe, so the instruction sees the new value.
     */
    protected operandBinding(name: string): Binding | undefined {
        const m = /^arg(\d+)$/.exec(name);
        const slot = m ? this.env?.saved.get(name) : undefined;
        if (!m || !slot || !this.env) return undefined;
        const i = Number(m[1]);
        const t = (this.env.bounds.get(name) as WType | undefined) ?? this.env.site?.argWhamm?.[i] ?? whammTypeOfVal(slot.t);
        return { kind: 'local', t, id: slot.id };
    }

    protected savedValue(name: string, t: WType): PV | undefined {
        const slot = this.env?.saved.get(name);
        if (!slot) return undefined;
        return { t, isConst: false, pure: true, emit: w => { w.op(OP.local_get).ref(RefKind.Local, slot.id); normalize(w, t); } };
    }

    abstract expr(e: IrExpr, expected?: WType): PV;
    abstract binary(op: BinOp, l: PV, r: PV): PV;
}
