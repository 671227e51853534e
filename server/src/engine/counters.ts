// Counter probes (`x++` and nothing else): merged increments per straight-line segment, spread script
// counters, and the trap fix-ups that keep counts exact when a segment ends in a trap.
import type { AppFunction, AppInstr } from './app.js';
import { OPCODES, type Category } from '../wasm/opcodes.js';
import { emitBinary, emitConst } from './compile.js';
import { CodeWriter, OP, RefKind, type Template } from './emit.js';
import { type OpcodeProbe } from './probes-at-site.js';
import { type ProbeDef } from './script.js';
import { type WType, convert, valTypeOf } from './types.js';
import { GlobalLayout } from './layout.js';
import { type Insertion } from './insertion.js';
import { MEMORY_COUNTERS_FROM } from './report-layout.js';

export class Counters extends GlobalLayout {

    /**
     * Emits the merged increments of a segment's counter probes at the segment's first site: one increment
     * per counter, however many opcodes (a `*` rule expands to one per opcode) and probes count into it.
     */
    protected flushSegment(f: AppFunction, seg: SegmentState, out: Insertion[]): void {
        if (seg.length === 0) return;
        seg.flushed = true;
        const e = seg.entries;
        const groups = new Map<number, { first: number; n: number }>();
        for (let i = 0; i < seg.length; i += 5) {
            const key = this.counterKey(seg.ops[e[i]].probe);
            const g = groups.get(key);
            if (g) g.n++; else groups.set(key, { first: i, n: 1 });
        }
        const sites = this.sites, fid = f.fid;
        let fname: string | undefined;
        for (const [key, g] of groups) {
            const c = seg.ops[e[g.first]].probe.counter!;
            // A script global counter is spread over a few globals, used in turn by consecutive segments:
            // increments of one shared global would form one long dependency chain through memory. Its
            // value is the sum of its parts, computed when read (report flush, --testing getter). Per-site
            // counters get one global per segment (every site of the segment reads it).
            let target: number, by = 1, inMemory = false;
            if (c.perSite && this.app.globalCount + this.newGlobals.length >= (this.input.memoryCountersFrom ?? MEMORY_COUNTERS_FROM)) {
                // Past the threshold a counter is a cell of the counter memory (the most globals an engine
                // accepts would not hold a big module's); its report rows name the cell as global ~cell.
                inMemory = true;
                target = ~this.counterCells++;
            } else if (c.perSite) {
                target = this.app.globalCount + this.newGlobals.length;
                this.newGlobals.push({ type: valTypeOf(c.type), init: 0n, mutable: true });
            } else {
                let parts = this.counterParts.get(key);
                if (!parts) {
                    parts = { type: c.type, globals: [], sizes: [], next: 0 };
                    for (let j = 0; j < COUNTER_SPREAD; j++) {
                        parts.globals.push(this.app.globalCount + this.newGlobals.length);
                        parts.sizes.push(1);
                        this.newGlobals.push({ type: valTypeOf(c.type), init: 0n, mutable: true });
                    }
                    this.counterParts.set(key, parts);
                }
                target = parts.globals[parts.next];
                parts.next = (parts.next + 1) % COUNTER_SPREAD;
                by = g.n;
            }
            // Report vars this group's entries count into, by entry (for trap fixups): -1 = not reported.
            const rows: number[] = [];
            let groupProbe = -2; // the one probe counting here, or -1 when several share the increment
            const scriptRow = c.perSite || !c.report ? -1 : this.scriptCounterRow(key);
            for (let i = g.first; i < seg.length; i += 5) {
                const k = e[i], op = seg.ops[k], p = op.probe;
                if (this.counterKey(p) !== key) continue;
                groupProbe = groupProbe === -2 || groupProbe === p.index ? p.index : -1;
                rows.push(i, c.perSite ? (c.report ? this.reportLog.count : -1) : scriptRow);
                let rules = this.counterRuleIds[k];
                if (!rules) rules = this.counterRuleIds[k] = new Int32Array(OPCODES.length).fill(-1);
                const opIndex = e[i + 1], pc = e[i + 2];
                let ruleId = rules[opIndex];
                if (ruleId < 0) ruleId = rules[opIndex] = sites.ruleIdOf(`wasm:opcode:${OPCODES[opIndex].name}:${op.mode}`);
                sites.addWithRuleId(fid, pc, e[i + 3], e[i + 4], p.index, ruleId);
                if (c.perSite && c.report) {
                    // Every site of the segment reads the segment's counter. The names are shared strings (a
                    // hot monitor on a big app has millions of rows).
                    this.addReportVar({
                        name: c.name, type: c.type, fname: fname ??= f.name || `#${f.fid}`, fid, pc, probe: this.probeLabel(p.index, ruleId), slot: 0,
                    }, target, valTypeOf(c.type));
                }
            }
            out.push({
                at: e[g.first + 3], after: false, cut: e[g.first + 4], probe: Math.max(-1, groupProbe),
                template: inMemory ? this.memoryCounterTemplate(c.type) : this.counterTemplate(c.type, by),
                siteGlobals: [inMemory ? ~target * COUNTER_CELL : target],
            });
            this.trapFixupsOf(seg, rows, c.perSite);
        }
        seg.reset();
    }

    /**
     * After an instruction that can only trap or fall through (a load, a division...), the segment goes on
     * when trap fixups are on: its increment already counted the sites past the instruction, so if the
     * instruction traps the runner subtracts them (see trapFixupsOf). Anything else ends the segment.
     */
    protected segmentBoundary(f: AppFunction, seg: SegmentState, ins: AppInstr, out: Insertion[]): void {
        if (this.extendSegments && MAY_TRAP[ins.op.index] === 1) seg.traps.push(ins.start, seg.length);
        else if (endsSegment(ins)) this.flushSegment(f, seg, out);
    }

    /**
     * Records, per trap point of the segment, what a trap there must take back. `rows` holds (entry offset,
     * report var) pairs of one group in entry order: the entries past the trap point never ran. A per-site
     * counter's rows are consecutive report vars (one count each); a script counter has one row.
     */
    protected trapFixupsOf(seg: SegmentState, rows: number[], perSite: boolean): void {
        const t = seg.traps;
        const total = rows.length / 2;
        let r = 0;
        for (let j = 0; j < t.length; j += 2) {
            const pos = t[j], n = t[j + 1];
            while (r < rows.length && rows[r] < n) r += 2;
            const before = r / 2, after = total - before;
            // Nothing ran before the trap point: the group's increment (at its first entry) has not run either.
            if (before === 0 || after === 0) continue;
            const row = rows[r + 1];
            if (row < 0) continue;
            this.fnFixups.push({ pos, undo: perSite ? [row, after, 1] : [row, 1, after] });
        }
    }

    /** The report var of script-global counter `global` (declared before any site is placed; looked up once). */
    protected scriptCounterRow(global: number): number {
        let row = this.scriptCounterRows.get(global);
        if (row === undefined) this.scriptCounterRows.set(global, row = this.reportLog.rowOfGlobal(global));
        return row;
    }

    /** Segment entries counting into the same storage merge: a script global (its index), or a probe's per-site counter. */
    protected counterKey(p: ProbeDef): number {
        return p.counter!.perSite ? -1 - p.index : this.globalIndexOf(p.counter!.name);
    }

    /** Pushes the value of a script global (the sum of its parts for a spread counter). */
    protected emitGlobalValue(w: CodeWriter, index: number): void {
        w.op(OP.global_get).u32(index);
        const parts = this.counterParts.get(index);
        if (!parts) return;
        for (let i = 0; i < parts.globals.length; i++) {
            w.op(OP.global_get).u32(parts.globals[i]);
            if (parts.sizes[i] !== 1) {
                emitConst(w, parts.type, convert(BigInt(parts.sizes[i]), 'u64', parts.type));
                emitBinary(w, '*', parts.type);
            }
            emitBinary(w, '+', parts.type);
        }
    }

    protected globalIndexOf(name: string): number {
        let i = this.globalIndexCache.get(name);
        if (i === undefined) { i = (this.globals.get(name) as { index: number }).index; this.globalIndexCache.set(name, i); }
        return i;
    }

    /** `g = g + by` on the site's global (SiteVar 0), cached per type and increment. */
    protected counterTemplate(t: WType, by: number): Template {
        const key = INT_KEY[t as string] * 65536 + by;
        let tpl = this.counterTemplates.get(key);
        if (!tpl) {
            const w = new CodeWriter();
            w.op(OP.global_get).ref(RefKind.SiteVar, 0);
            emitConst(w, t, convert(BigInt(by), 'u64', t));
            emitBinary(w, '+', t);
            w.op(OP.global_set).ref(RefKind.SiteVar, 0);
            tpl = w.finish();
            this.counterTemplates.set(key, tpl);
        }
        return tpl;
    }

    /** `cell += 1` on a counter-memory cell whose byte offset is SiteVar 0 (the memarg's offset), cached per type. */
    protected memoryCounterTemplate(t: WType): Template {
        const key = -INT_KEY[t as string];
        let tpl = this.counterTemplates.get(key);
        if (!tpl) {
            const wide = valTypeOf(t) === 'i64', mem = this.counterMemory;
            const w = new CodeWriter();
            w.op(OP.i32_const).s32(0);
            w.op(OP.i32_const).s32(0);
            w.op(wide ? OP.i64_load : OP.i32_load).memarg(wide ? 3 : 2, mem).ref(RefKind.SiteVar, 0);
            emitConst(w, t, convert(1n, 'u64', t));
            emitBinary(w, '+', t);
            w.op(wide ? OP.i64_store : OP.i32_store).memarg(wide ? 3 : 2, mem).ref(RefKind.SiteVar, 0);
            tpl = w.finish();
            this.counterTemplates.set(key, tpl);
        }
        return tpl;
    }

    /** The counter memory's index: after the app's memories. */
    protected get counterMemory(): number { return this.app.memories.length; }
}

const COUNTER_SPREAD = 8;
/** Bytes per counter-memory cell: an i32 counter uses the low half, so the cell read as an i64 is its value zero-extended. */
export const COUNTER_CELL = 8;
const INT_KEY: Record<string, number> = { u8: 1, i8: 2, u16: 3, i16: 4, u32: 5, i32: 6, u64: 7, i64: 8 };

/**
 * The counter-probe sites of the current straight-line segment: flat (op, opIndex, pc, opidx, offset), in
 * an Int32Array (small integers stay unboxed; a plain array turned into doubles by one boxed offset made
 * every later read a heap number).
 */
export class SegmentState {
    entries = new Int32Array(320);
    length = 0;
    flushed = false;
    protected readonly ids = new Map<OpcodeProbe, number>();
    constructor(readonly ops: OpcodeProbe[]) {
        ops.forEach((op, k) => this.ids.set(op, k));
    }
    add(op: OpcodeProbe, ins: AppInstr): void {
        let k = this.ids.get(op);
        if (k === undefined) { k = this.ops.length; this.ops.push(op); this.ids.set(op, k); }
        if (this.length + 5 > this.entries.length) {
            const grown = new Int32Array(this.entries.length * 2);
            grown.set(this.entries);
            this.entries = grown;
        }
        const e = this.entries;
        e[this.length++] = k; e[this.length++] = ins.op.index; e[this.length++] = ins.pc; e[this.length++] = ins.opidx; e[this.length++] = ins.start;
    }
    /** Trap points: (original module offset, entries before it) pairs. */
    readonly traps: number[] = [];
    reset(): void { this.length = 0; this.traps.length = 0; }
}

/** Categories of instructions that only compute on the stack, locals and globals (and always fall through unless they trap). */
const COMPUTING: ReadonlySet<Category> = new Set<Category>(['const', 'compare', 'variable', 'parametric', 'simd', 'arith', 'convert']);

/** After this instruction, the next one may not run (branch, call, return, trap); by opcode-table index. */
const ENDS_SEGMENT: Uint8Array = Uint8Array.from(OPCODES, op => (op.mayTrap || !COMPUTING.has(op.category) ? 1 : 0));

/**
 * Instructions whose only way out besides falling through is a trap the runner can take counts back for:
 * memory accesses and numeric traps (division, truncation, bulk memory); by opcode-table index. Traps of
 * table, reference, GC and atomic instructions end the segment instead.
 */
const TRAP_FIXUP_CATEGORIES: ReadonlySet<Category> = new Set<Category>(['load', 'store', 'memory', 'arith', 'convert', 'simd']);
const MAY_TRAP: Uint8Array = Uint8Array.from(OPCODES, op => (op.mayTrap && TRAP_FIXUP_CATEGORIES.has(op.category) ? 1 : 0));

function endsSegment(ins: AppInstr): boolean {
    return ENDS_SEGMENT[ins.op.index] === 1;
}
