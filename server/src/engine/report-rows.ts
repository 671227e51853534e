// The binary form of the report layout, for reports of millions of rows (a per-site counter on every
// opcode of a big module): a few bytes per row instead of ~25 characters of JSON, decoded by a cursor
// that reuses one row object instead of making one per row.
//
// Bytes: magic "\0WRL", u32 (little-endian) length of a JSON header (the layout without its rows and
// trap fix-ups, plus the string table, the row count and the rows' ids), u32 byte length of the trap
// fix-ups as unsigned LEBs, those LEBs, then the rows to the end. A row is a flags byte, then the fields
// it sets (each a LEB): what a row does not set is the previous row's. Consecutive rows of a segment share
// name, type, function and slot, and have increasing pcs: such a row is one byte, two when its probe
// (the rule matched: per opcode) changes (SHORT).
import type { ReportLayout, ReportVar } from './report-types.js';

const MAGIC = Array.from('\0WRL', c => c.charCodeAt(0));
const NAME = 1, TYPE = 2, FNAME = 4, PROBE = 8, FID = 16, PC = 32, SLOT = 64;
/** A short row: this bit, SHORT_PROBE when the probe's index follows, the slot's step (0 or 1) in bit 5, the pc's step (0-31) in bits 0-4. */
const SHORT = 128, SHORT_PROBE = 64;

/** The rows of a binary layout, still encoded. */
export interface PackedRows {
    count: number;
    strings: string[];
    bytes: Uint8Array;
    /** Runs of (row, id count, ids) for the rows with ids (script globals, a few). */
    ids: number[];
}

export function isBinaryLayout(bytes: Uint8Array): boolean {
    return bytes.length >= 4 && MAGIC.every((b, i) => bytes[i] === b);
}

export class Bytes {
    private chunks: Uint8Array[] = [];
    private buf = new Uint8Array(1 << 20);
    private len = 0;
    get size(): number { return this.chunks.reduce((n, c) => n + c.length, 0) + this.len; }
    byte(b: number): void {
        if (this.len === this.buf.length) { this.chunks.push(this.buf); this.buf = new Uint8Array(1 << 20); this.len = 0; }
        this.buf[this.len++] = b;
    }
    leb(v: number): void {
        // Non-negative integers below 2^53 (division: >>> would cut at 32 bits).
        while (v >= 0x80) { this.byte((v % 0x80) | 0x80); v = Math.floor(v / 0x80); }
        this.byte(v);
    }
    zigzag(v: number): void { this.leb(v < 0 ? -2 * v - 1 : 2 * v); }
    into(out: Uint8Array, at: number): number {
        for (const c of this.chunks) { out.set(c, at); at += c.length; }
        out.set(this.buf.subarray(0, this.len), at);
        return at + this.len;
    }
}

export function encodeBinaryLayout(layout: ReportLayout): Uint8Array {
    const { vars, ...rest } = layout;
    return encodeBinaryRows(rest, vars.length, f => { vars.forEach(f); });
}

/** The binary form of a layout whose `count` rows come from `rows` (in order; the row object may be reused). */
export function encodeBinaryRows(layout: Omit<ReportLayout, 'vars'>, count: number, rows: (f: (v: ReportVar) => void) => void): Uint8Array {
    const strings: string[] = [];
    const index = new Map<string, number>();
    const str = (s: string): number => {
        let i = index.get(s);
        if (i === undefined) { i = strings.length; strings.push(s); index.set(s, i); }
        return i;
    };
    const out = new Bytes();
    const ids: number[] = [];
    let name = -1, type = -1, fname = -1, probe = -1, fid = -1, pc = -1, slot = 0;
    let i = 0;
    rows(v => {
        const n = str(v.name), t = str(v.type);
        const site = v.fid !== undefined;
        const fn = site ? (v.fname === undefined ? 0 : str(v.fname) + 1) : fname;
        const pr = site ? (v.probe === undefined ? 0 : str(v.probe) + 1) : probe;
        const fi = site ? v.fid! + 1 : 0;
        const p = site ? (v.pc ?? -1) : pc;
        const flags = (n !== name ? NAME : 0) | (t !== type ? TYPE : 0) | (fn !== fname ? FNAME : 0) | (pr !== probe ? PROBE : 0)
            | (fi !== fid ? FID : 0) | (p !== pc ? PC : 0) | (v.slot !== slot ? SLOT : 0);
        // The common row: only its probe (a per-opcode rule), its pc (by less than 32) and its slot (by 0 or 1)
        // moved: one byte, and the probe's LEB when it changes.
        const dp = p - pc, ds = v.slot - slot;
        if ((flags & ~(PC | SLOT | PROBE)) === 0 && dp >= 0 && dp < 32 && (ds === 0 || ds === 1)) {
            out.byte(SHORT | (flags & PROBE ? SHORT_PROBE : 0) | (ds << 5) | dp);
            if (flags & PROBE) out.leb(probe = pr);
            pc = p; slot = v.slot;
            if (v.ids) ids.push(i, v.ids.length, ...v.ids);
            i++;
            return;
        }
        out.byte(flags);
        if (flags & NAME) out.leb(name = n);
        if (flags & TYPE) out.leb(type = t);
        if (flags & FNAME) out.leb(fname = fn);
        if (flags & PROBE) out.leb(probe = pr);
        if (flags & FID) out.leb(fid = fi);
        if (flags & PC) { out.zigzag(p - pc); pc = p; }
        if (flags & SLOT) { out.zigzag(v.slot - slot); slot = v.slot; }
        if (v.ids) ids.push(i, v.ids.length, ...v.ids);
        i++;
    });
    if (i !== count) throw new Error(`the layout has ${i} rows, not ${count}`);
    const fixups = new Bytes();
    const t = layout.trapFixups ?? [];
    for (let k = 0; k < t.length; k++) fixups.leb(t[k]);
    const { trapFixups: _fixups, ...rest } = layout;
    const head = new TextEncoder().encode(JSON.stringify({ ...rest, strings, rows: count, ids }));
    const bytes = new Uint8Array(12 + head.length + fixups.size + out.size);
    bytes.set(MAGIC, 0);
    const dv = new DataView(bytes.buffer);
    dv.setUint32(4, head.length, true);
    bytes.set(head, 8);
    dv.setUint32(8 + head.length, fixups.size, true);
    out.into(bytes, fixups.into(bytes, 12 + head.length));
    return bytes;
}

/** The layout of a binary encoding: `vars` is made on first read (one object per row); rowsOf iterates without. */
export function decodeBinaryLayout(bytes: Uint8Array): ReportLayout {
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const headLength = dv.getUint32(4, true);
    const head = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headLength))) as Omit<ReportLayout, 'vars'> & { strings: string[]; rows: number; ids: number[] };
    const fixupsAt = 12 + headLength, fixupsLength = dv.getUint32(8 + headLength, true);
    const { strings, rows: count, ids, ...rest } = head;
    const layout = rest as ReportLayout;
    if (fixupsLength > 0) {
        const leb = bytes.subarray(fixupsAt, fixupsAt + fixupsLength);
        let n = 0;
        for (let k = 0; k < leb.length; k++) if (leb[k] < 0x80) n++; // a LEB's last byte
        const values = new Int32Array(n);
        const r = new LebReader(leb);
        for (let k = 0; k < n; k++) values[k] = r.leb();
        layout.trapFixups = values;
    }
    const packed: PackedRows = { count, strings, ids, bytes: bytes.subarray(fixupsAt + fixupsLength) };
    Object.defineProperty(layout, PACKED, { value: packed, enumerable: false });
    let vars: ReportVar[] | undefined;
    Object.defineProperty(layout, 'vars', {
        enumerable: true,
        get: () => vars ??= materialize(packed),
        set: (v: ReportVar[]) => { vars = v; },
    });
    return layout;
}

const PACKED = Symbol('packed rows');

/** The still-encoded rows of a layout decoded from the binary form (undefined for any other layout). */
export function packedRowsOf(layout: ReportLayout): PackedRows | undefined {
    return (layout as unknown as Record<symbol, PackedRows | undefined>)[PACKED];
}

function materialize(p: PackedRows): ReportVar[] {
    const out: ReportVar[] = [];
    forEachPackedRow(p, 0, p.count, v => {
        const row: ReportVar = { name: v.name, type: v.type, slot: v.slot };
        if (v.fid !== undefined) {
            row.fname = v.fname; row.fid = v.fid;
            if (v.pc !== undefined) row.pc = v.pc;
            if (v.probe !== undefined) row.probe = v.probe;
        }
        if (v.ids) row.ids = v.ids;
        out.push(row);
    });
    return out;
}

export class LebReader {
    pos = 0;
    constructor(private readonly b: Uint8Array) {}
    get done(): boolean { return this.pos >= this.b.length; }
    leb(): number {
        let v = 0, scale = 1, byte: number;
        do {
            byte = this.b[this.pos++];
            v += (byte & 0x7f) * scale;
            scale *= 0x80;
        } while (byte & 0x80);
        return v;
    }
    zigzag(): number { const z = this.leb(); return z % 2 ? -(z + 1) / 2 : z / 2; }
}

/**
 * Calls `f` with rows [from, to) of packed rows, in order. The row object is reused (copy what you keep);
 * rows before `from` are decoded too (the encoding is sequential), without calling `f`.
 */
export function forEachPackedRow(p: PackedRows, from: number, to: number, f: (v: ReportVar, row: number) => void): void {
    const r = new LebReader(p.bytes);
    const s = p.strings;
    let name = -1, type = -1, fname = 0, probe = 0, fid = 0, pc = -1, slot = 0;
    let idAt = 0;
    const v: ReportVar = { name: '', type: '', slot: 0 };
    for (let i = 0; i < Math.min(to, p.count); i++) {
        const flags = p.bytes[r.pos++];
        if (flags & SHORT) {
            if (flags & SHORT_PROBE) probe = r.leb();
            pc += flags & 31;
            slot += (flags >> 5) & 1;
        } else {
            if (flags & NAME) name = r.leb();
            if (flags & TYPE) type = r.leb();
            if (flags & FNAME) fname = r.leb();
            if (flags & PROBE) probe = r.leb();
            if (flags & FID) fid = r.leb();
            if (flags & PC) pc += r.zigzag();
            if (flags & SLOT) slot += r.zigzag();
        }
        if (i < from) continue;
        setRowFields(v, s, name, type, fname, probe, fid, pc, '');
        v.slot = slot;
        while (idAt < p.ids.length && p.ids[idAt] < i) idAt += 2 + p.ids[idAt + 1];
        v.ids = idAt < p.ids.length && p.ids[idAt] === i ? p.ids.slice(idAt + 2, idAt + 2 + p.ids[idAt + 1]) : undefined;
        f(v, i);
    }
}

/**
 * Fills the reused row `v` from a row's decoded fields: string indices (`fname` and `probe` offset by one,
 * 0 = absent), `fid` offset by one (0 = a row without a site) and `pc` (-1 = absent). `noFname` is what a
 * site row without a function name gets.
 */
export function setRowFields(v: ReportVar, s: readonly string[], name: number, type: number, fname: number, probe: number, fid: number, pc: number, noFname: string | undefined): void {
    v.name = s[name]; v.type = s[type];
    if (fid > 0) {
        v.fid = fid - 1; v.fname = fname > 0 ? s[fname - 1] : noFname; v.pc = pc < 0 ? undefined : pc;
        v.probe = probe > 0 ? s[probe - 1] : undefined;
    } else { v.fid = undefined; v.fname = undefined; v.pc = undefined; v.probe = undefined; }
}
