// The report's rows as the instrumenter adds them, before their slots are known: a byte log (a few
// bytes a row) instead of one object per row, since a per-site counter on every opcode of a big module
// makes tens of millions of rows. Each row records where its value is read: a global (its index), or a
// counter-memory cell c (as ~c), and the value type the reader returns it as.
import type { ReportVar } from './report-types.js';
import type { ValType } from './types.js';
import { Bytes, LebReader, setRowFields } from './report-rows.js';

const NAME = 1, TYPE = 2, FNAME = 4, PROBE = 8, FID = 16, PC = 32, SOURCE = 64, VT = 128;

export class ReportLog {
    private out = new Bytes();
    private whole: Uint8Array | undefined;
    private readonly strings: string[] = [];
    private readonly stringIndex = new Map<string, number>();
    private readonly vts: ValType[] = [];
    private readonly ids = new Map<number, number[]>();
    /** The first row read from a global without a site, by global (script globals). */
    private readonly globalRows = new Map<number, number>();
    private name = -1; private type = -1; private fname = 0; private probe = 0; private fid = 0; private pc = -1; private source = 0; private vt = -1;
    count = 0;

    /** Appends a row (its `slot` is ignored: slots are given when the readers are made). */
    add(v: ReportVar, source: number, vt: ValType): void {
        if (this.whole) throw new Error('a row added to the report after it was read');
        const n = this.str(v.name), t = this.str(v.type);
        const site = v.fid !== undefined;
        const fn = site ? (v.fname === undefined ? 0 : this.str(v.fname) + 1) : this.fname;
        const pr = site ? (v.probe === undefined ? 0 : this.str(v.probe) + 1) : this.probe;
        const fi = site ? v.fid! + 1 : 0;
        const p = site ? (v.pc ?? -1) : this.pc;
        let k = this.vts.indexOf(vt);
        if (k < 0) { k = this.vts.length; this.vts.push(vt); }
        const flags = (n !== this.name ? NAME : 0) | (t !== this.type ? TYPE : 0) | (fn !== this.fname ? FNAME : 0) | (pr !== this.probe ? PROBE : 0)
            | (fi !== this.fid ? FID : 0) | (p !== this.pc ? PC : 0) | (source !== this.source ? SOURCE : 0) | (k !== this.vt ? VT : 0);
        const o = this.out;
        o.byte(flags);
        if (flags & NAME) o.leb(this.name = n);
        if (flags & TYPE) o.leb(this.type = t);
        if (flags & FNAME) o.leb(this.fname = fn);
        if (flags & PROBE) o.leb(this.probe = pr);
        if (flags & FID) o.leb(this.fid = fi);
        if (flags & PC) { o.zigzag(p - this.pc); this.pc = p; }
        if (flags & SOURCE) { o.zigzag(source - this.source); this.source = source; }
        if (flags & VT) o.leb(this.vt = k);
        if (v.ids) this.ids.set(this.count, v.ids);
        if (!site && source >= 0 && !this.globalRows.has(source)) this.globalRows.set(source, this.count);
        this.count++;
    }

    /** The row of script global `global` (the first row read from it without a site), or -1. */
    rowOfGlobal(global: number): number {
        return this.globalRows.get(global) ?? -1;
    }

    /** Calls `f` with every row in order; the row object is reused (its slot is 0). */
    forEach(f: (v: ReportVar, source: number, vt: ValType, row: number) => void): void {
        const bytes = this.snapshot();
        const r = new LebReader(bytes);
        const s = this.strings;
        let name = -1, type = -1, fname = 0, probe = 0, fid = 0, pc = -1, source = 0, vt = -1;
        const v: ReportVar = { name: '', type: '', slot: 0 };
        for (let i = 0; i < this.count; i++) {
            const flags = bytes[r.pos++];
            if (flags & NAME) name = r.leb();
            if (flags & TYPE) type = r.leb();
            if (flags & FNAME) fname = r.leb();
            if (flags & PROBE) probe = r.leb();
            if (flags & FID) fid = r.leb();
            if (flags & PC) pc += r.zigzag();
            if (flags & SOURCE) source += r.zigzag();
            if (flags & VT) vt = r.leb();
            setRowFields(v, s, name, type, fname, probe, fid, pc, undefined);
            v.ids = this.ids.get(i);
            f(v, source, this.vts[vt], i);
        }
    }

    /** The log in one piece (made once: rows are read only when the log is complete; its pieces are let go). */
    private snapshot(): Uint8Array {
        if (this.whole) return this.whole;
        const bytes = new Uint8Array(this.out.size);
        this.out.into(bytes, 0);
        this.out = new Bytes();
        return this.whole = bytes;
    }

    private str(x: string): number {
        let i = this.stringIndex.get(x);
        if (i === undefined) { i = this.strings.length; this.strings.push(x); this.stringIndex.set(x, i); }
        return i;
    }
}

/** A copy of a row with only the fields it has (as the layout's JSON form keeps them). */
export function rowCopy(v: ReportVar, slot: number): ReportVar {
    const row: ReportVar = { name: v.name, type: v.type, slot };
    if (v.fid !== undefined) {
        if (v.fname !== undefined) row.fname = v.fname;
        row.fid = v.fid;
        if (v.pc !== undefined) row.pc = v.pc;
        if (v.probe !== undefined) row.probe = v.probe;
    }
    if (v.ids) row.ids = v.ids;
    return row;
}
