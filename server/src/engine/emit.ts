// Code templates for probe code. A template is the bytes of an instruction sequence plus references
// that are only resolved where the code is placed: per-site variables (one global per match site) and
// scratch locals (allocated per function). Templates are cached and shared by all sites whose static
// values give the same code, so instrumenting a million sites does not compile a million bodies.
import type { ValType } from './types.js';
import { OP } from '../wasm/op.generated.js';
import { EMPTY_BLOCK_TYPE, isNonNullableRef, nullableOf, valTypeByte } from '../wasm/types.js';

export const enum RefKind { SiteVar = 0, Local = 1 }

export interface Template {
    bytes: Uint8Array;
    /** Triplets (byte position, RefKind, id); the reference's LEB index is inserted at that position. */
    refs: Int32Array;
    /** Scratch locals the template uses, by id: their types. */
    locals: ValType[];
}

/** Instruction codes by name, generated from the opcode table: write them with CodeWriter.op. */
export { OP } from '../wasm/op.generated.js';

/**
 * Reads back a value held in a local of `nullableOf(t)` (see holdLocal): for a non-nullable reference,
 * `ref.as_non_null` gives the value its type again (it cannot be null: it was one when saved).
 */
export function restoreType(w: CodeWriter, t: ValType): void {
    if (isNonNullableRef(t)) w.op(OP.ref_as_non_null);
}

/** A local that can hold a value of type `t` (non-nullable references are held as nullable ones). */
export function holdLocal(w: CodeWriter, t: ValType): number {
    return w.newLocal(nullableOf(t));
}

export class CodeWriter {
    private buf = new Uint8Array(64);
    private len = 0;
    private refs: number[] = [];
    readonly locals: ValType[] = [];

    byte(b: number): this {
        if (this.len === this.buf.length) this.grow(1);
        this.buf[this.len++] = b;
        return this;
    }
    /** An instruction's opcode, given as an OP code: prefixed instructions get their prefix and LEB sub-opcode. */
    op(code: number): this {
        if (code < 0x100) return this.byte(code);
        return this.byte(code >>> 16).u32(code & 0xffff);
    }
    /** A block type: empty (no `t`) or one value type with a one-byte encoding. */
    blockType(t: ValType | null = null): this {
        return this.byte(t === null ? EMPTY_BLOCK_TYPE : valTypeByte(t));
    }
    bytes(bs: ArrayLike<number>): this {
        if (this.len + bs.length > this.buf.length) this.grow(bs.length);
        this.buf.set(bs, this.len);
        this.len += bs.length;
        return this;
    }
    u32(v: number): this {
        v >>>= 0;
        do {
            let b = v & 0x7f;
            v >>>= 7;
            if (v !== 0) b |= 0x80;
            this.byte(b);
        } while (v !== 0);
        return this;
    }
    s32(v: number): this { return this.s64(BigInt(v | 0)); }
    s64(v: bigint): this {
        v = BigInt.asIntN(64, v);
        for (;;) {
            const b = Number(v & 0x7fn);
            v >>= 7n;
            const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
            this.byte(done ? b : b | 0x80);
            if (done) return this;
        }
    }
    f32(v: number): this {
        const a = new Uint8Array(new Float32Array([v]).buffer);
        return this.bytes(a);
    }
    f64(v: number): this {
        const a = new Uint8Array(new Float64Array([v]).buffer);
        return this.bytes(a);
    }
    /** A memarg's alignment (log2) and memory (its index follows flag 0x40 when not 0); the offset comes next. */
    memarg(alignLog2: number, memory: number): this {
        return memory === 0 ? this.u32(alignLog2) : this.u32(alignLog2 | 0x40).u32(memory);
    }
    /** A reference resolved at placement: a per-site variable's global or a scratch local. */
    ref(kind: RefKind, id: number): this {
        this.refs.push(this.len, kind, id);
        return this;
    }
    newLocal(t: ValType): number {
        this.locals.push(t);
        return this.locals.length - 1;
    }
    get length(): number { return this.len; }

    finish(): Template {
        return { bytes: this.buf.slice(0, this.len), refs: Int32Array.from(this.refs), locals: this.locals.slice() };
    }

    private grow(n: number): void {
        const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
        next.set(this.buf.subarray(0, this.len));
        this.buf = next;
    }
}

/** Unsigned LEB128 length of v. */
export function lebSize(v: number): number {
    let n = 1;
    v >>>= 0;
    while (v >= 0x80) { v >>>= 7; n++; }
    return n;
}

export function writeLeb(out: Uint8Array, pos: number, v: number): number {
    v >>>= 0;
    do {
        let b = v & 0x7f;
        v >>>= 7;
        if (v !== 0) b |= 0x80;
        out[pos++] = b;
    } while (v !== 0);
    return pos;
}

/** Size of a template once placed with the given resolutions. */
export function placedSize(t: Template, siteVars: ArrayLike<number>, locals: ArrayLike<number>): number {
    let size = t.bytes.length;
    const r = t.refs;
    for (let i = 0; i < r.length; i += 3) size += lebSize(r[i + 1] === RefKind.SiteVar ? siteVars[r[i + 2]] : locals[r[i + 2]]);
    return size;
}

/** Writes a template at out[pos], resolving its references; returns the end position. */
export function place(t: Template, out: Uint8Array, pos: number, siteVars: ArrayLike<number>, locals: ArrayLike<number>): number {
    const r = t.refs;
    let from = 0;
    for (let i = 0; i < r.length; i += 3) {
        const at = r[i];
        out.set(t.bytes.subarray(from, at), pos);
        pos += at - from;
        from = at;
        pos = writeLeb(out, pos, r[i + 1] === RefKind.SiteVar ? siteVars[r[i + 2]] : locals[r[i + 2]]);
    }
    out.set(t.bytes.subarray(from), pos);
    return pos + t.bytes.length - from;
}

/** Appends a template to a ByteWriter-like buffer, resolving its references (no allocation). */
export function placeInto(t: Template, w: { buf: Uint8Array; len: number; u32(v: number): unknown; copy(src: Uint8Array, start: number, end: number): unknown },
    siteVars: ArrayLike<number>, locals: ArrayLike<number>): void {
    const r = t.refs;
    let from = 0;
    for (let i = 0; i < r.length; i += 3) {
        const at = r[i];
        if (at > from) w.copy(t.bytes, from, at);
        from = at;
        w.u32(r[i + 1] === RefKind.SiteVar ? siteVars[r[i + 2]] : locals[r[i + 2]]);
    }
    if (t.bytes.length > from) w.copy(t.bytes, from, t.bytes.length);
}
