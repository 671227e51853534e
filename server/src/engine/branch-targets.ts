// Branch labels as the instrumenter sees them: which labels of a br_table leave the function, and how
// branches are re-encoded when probe code wraps an `if` around them (a guarded alt keeps the original
// code in the else arm, one construct deeper, so labels that point past the wrapper grow by one).
import { Reader } from '../wasm/reader.js';
import { readBlockType, readOp } from '../wasm/instructions.js';
import { OPCODES, type OpInfo } from '../wasm/opcodes.js';
import type { AppFunction, AppInstr } from './app.js';
import { CodeWriter, OP, RefKind, type Template } from './emit.js';

/** Immediate kinds relabel() can re-encode; an instruction with any other kind is copied as it is. */
const RELABEL_KINDS = new Set(['label', 'brtable', 'castflags', 'heaptype', 'blocktype', 'catches']);

const LABELS: Uint8Array = Uint8Array.from(OPCODES, op => (op.imms.some(k => k === 'label' || k === 'brtable' || k === 'catches') ? 1 : 0));

/** The instruction names labels (br*, try_table's catches, delegate, rethrow). */
export function hasLabels(op: OpInfo): boolean {
    return LABELS[op.index] === 1;
}

export function canRelabel(op: OpInfo): boolean {
    return op.imms.every(k => RELABEL_KINDS.has(k));
}

/**
 * Writes the instruction at [start, end) with every label l replaced by map(l, i) (i counts the labels of
 * the instruction). try_table's catch labels are relative to the context outside the try_table, like a
 * branch placed just before it.
 */
export function relabel(bytes: Uint8Array, start: number, end: number, map: (label: number) => number, w: CodeWriter): void {
    const r = new Reader(bytes, start, end);
    const op = readOp(r);
    w.bytes(bytes.subarray(start, r.pos));
    for (const k of op.imms) {
        const from = r.pos;
        switch (k) {
            case 'label': w.u32(map(r.u32())); break;
            case 'brtable': {
                const n = r.u32();
                w.u32(n);
                for (let i = 0; i <= n; i++) w.u32(map(r.u32()));
                break;
            }
            case 'catches': {
                const n = r.u32();
                w.u32(n);
                for (let i = 0; i < n; i++) {
                    const kind = r.u8();
                    w.byte(kind);
                    if (kind < 2) w.u32(r.u32());
                    w.u32(map(r.u32()));
                }
                break;
            }
            case 'castflags': r.u8(); w.bytes(bytes.subarray(from, r.pos)); break;
            case 'heaptype': r.s33(); w.bytes(bytes.subarray(from, r.pos)); break;
            case 'blocktype': readBlockType(r); w.bytes(bytes.subarray(from, r.pos)); break;
            default: throw new Error(`internal: cannot relabel ${op.name}`);
        }
    }
    if (r.pos !== end) w.bytes(bytes.subarray(r.pos, end));
}

/** A label-bearing instruction and the number of constructs open around it (the function body not counted). */
interface LabelSite { opidx: number; start: number; end: number; op: OpInfo; depth: number }
/** An `if` wrapped around the instructions opidx in [from, to]; labels reaching below `level` pass through it. */
interface Wrapper { from: number; to: number; level: number }

/**
 * Per function: the wrappers guarded alts put around original code, and the branches inside them whose
 * labels must be rewritten. Resolved once the whole function has been walked (a wrapper around a block
 * is only decided at the block's `end`, and wrappers nest).
 */
export class LabelShifts {
    private readonly sites = new Map<number, LabelSite>();
    private readonly wrappers: Wrapper[] = [];
    private readonly frozen = new Map<number, CopyInTemplate>();

    get empty(): boolean { return this.wrappers.length === 0; }

    /** Records a label-bearing instruction at `depth` open constructs (before an opening instruction opens). */
    note(ins: AppInstr, depth: number): void {
        if (!this.sites.has(ins.opidx)) this.sites.set(ins.opidx, { opidx: ins.opidx, start: ins.start, end: ins.end, op: ins.op, depth });
    }

    /** An `if` around the construct opened at opidx `from` (closed at `to`), which sits at `level` (1 = outermost). */
    wrapConstruct(from: number, to: number, level: number): void {
        this.wrappers.push({ from, to, level });
    }

    /**
     * A guarded alt on the instruction copied it, one label deeper, into its own code at [from, to) of
     * `holder.template`; wrappers around it are applied to that copy.
     */
    freeze(opidx: number, copy: CopyInTemplate): void { this.frozen.set(opidx, copy); }

    /** Whether an `if` can be wrapped around instructions [from, to]: every label-bearing instruction inside can be re-encoded. */
    canWrap(from: number, to: number): boolean {
        for (const s of this.sites.values()) if (s.opidx >= from && s.opidx <= to && !canRelabel(s.op)) return false;
        return true;
    }

    /**
     * The replacement code of every instruction whose labels changed: (opidx, start, end, bytes). A site
     * inside a wrapper keeps labels that stay inside it and adds one for each wrapper a label leaves.
     */
    *replacements(bytes: Uint8Array): Generator<{ opidx: number; start: number; end: number; template: Template }> {
        for (const s of this.sites.values()) {
            const copy = this.frozen.get(s.opidx);
            const around = this.wrappers.filter(w => s.opidx >= w.from && s.opidx <= w.to);
            if (around.length === 0 || !canRelabel(s.op)) continue;
            if (copy) {
                // The copy in the alt's else arm is already one deeper (its own `if`); add the wrappers'.
                const w = new CodeWriter();
                relabel(bytes, s.start, s.end, l => l + 1 + around.filter(x => s.depth - l < x.level).length, w);
                copy.holder.template = replaceRange(copy.holder.template, copy.from, copy.to, w.finish().bytes);
                continue;
            }
            let changed = false;
            const map = (l: number) => {
                let n = l;
                // The label targets the construct at level depth - l (0 = the function body).
                for (const w of around) if (s.depth - l < w.level) n++;
                if (n !== l) changed = true;
                return n;
            };
            const w = new CodeWriter();
            relabel(bytes, s.start, s.end, map, w);
            if (changed) yield { opidx: s.opidx, start: s.start, end: s.end, template: w.finish() };
        }
    }
}

/** Where a copy of an instruction sits in probe code (see LabelShifts.freeze). */
export interface CopyInTemplate { holder: { template: Template }; from: number; to: number }

/** The template with bytes [from, to) replaced (no reference points inside the range). */
function replaceRange(t: Template, from: number, to: number, bytes: Uint8Array): Template {
    const out = new Uint8Array(t.bytes.length - (to - from) + bytes.length);
    out.set(t.bytes.subarray(0, from));
    out.set(bytes, from);
    out.set(t.bytes.subarray(to), from + bytes.length);
    const delta = bytes.length - (to - from);
    const refs = Int32Array.from(t.refs, (v, i) => (i % 3 === 0 && v >= to && v > from ? v + delta : v));
    return { bytes: out, refs, locals: t.locals };
}

/** Nesting depth at every br_table of a function (a second walk, only where func:exit probes need it). */
const tableDepths = new WeakMap<AppFunction, Map<number, number>>();

export function depthAt(f: AppFunction, opidx: number): number | undefined {
    let m = tableDepths.get(f);
    if (!m) {
        m = new Map();
        let depth = 0;
        for (const ins of f.instrs(false)) {
            if (ins.op.name === 'br_table') m.set(ins.opidx, depth);
            if (ins.op.blockLike) depth++;
            else if ((ins.op.name === 'end' || ins.op.name === 'delegate') && depth > 0) depth--;
        }
        tableDepths.set(f, m);
    }
    return m.get(opidx);
}

/** The br_table indices that select the function's own label (it returns), or undefined when none does. */
export function exitingIndices(table: { targets: number[]; default: number }, depth: number): { cases: number[]; viaDefault: boolean } | undefined {
    const cases: number[] = [];
    table.targets.forEach((t, i) => { if (t === depth) cases.push(i); });
    const viaDefault = table.default === depth;
    return cases.length || viaDefault ? { cases, viaDefault } : undefined;
}

/**
 * Wraps code meant to run before a br_table so that it only runs when the index (on top of the stack,
 * kept there) selects one of `exits`. The body's scratch locals follow the wrapper's one.
 */
export function underTableIndex(body: Template, exits: { cases: number[]; viaDefault: boolean }, numTargets: number): Template {
    const w = new CodeWriter();
    const idx = w.newLocal('i32');
    w.op(OP.local_tee).ref(RefKind.Local, idx);
    let terms = 0;
    const or = () => { if (terms++ > 0) w.op(OP.i32_or); };
    if (exits.viaDefault) { w.op(OP.local_get).ref(RefKind.Local, idx).op(OP.i32_const).s32(numTargets).op(OP.i32_ge_u); or(); }
    for (const c of exits.cases) { w.op(OP.local_get).ref(RefKind.Local, idx).op(OP.i32_const).s32(c).op(OP.i32_eq); or(); }
    w.op(OP.if).blockType();
    const split = w.length;
    w.op(OP.end);
    return splice(w.finish(), split, body);
}


/** outer[0, at) + inner + outer[at, ...): the inner template's scratch locals are numbered after the outer's. */
export function splice(outer: Template, at: number, inner: Template): Template {
    const bytes = new Uint8Array(outer.bytes.length + inner.bytes.length);
    bytes.set(outer.bytes.subarray(0, at));
    bytes.set(inner.bytes, at);
    bytes.set(outer.bytes.subarray(at), at + inner.bytes.length);
    const refs: number[] = [];
    const o = outer.refs, n = inner.refs, base = outer.locals.length;
    for (let i = 0; i < o.length; i += 3) if (o[i] < at) refs.push(o[i], o[i + 1], o[i + 2]);
    for (let i = 0; i < n.length; i += 3) refs.push(n[i] + at, n[i + 1], n[i + 1] === RefKind.Local ? n[i + 2] + base : n[i + 2]);
    for (let i = 0; i < o.length; i += 3) if (o[i] >= at) refs.push(o[i] + inner.bytes.length, o[i + 1], o[i + 2]);
    return { bytes, refs: Int32Array.from(refs), locals: [...outer.locals, ...inner.locals] };
}
