// Encoding: a growable byte writer with the LEB128 helpers, and the instruction emitter that turns an
// opcode-table entry plus immediates back into bytes (the inverse of readImms).

import { op as opNamed, type OpInfo } from './opcodes.js';
import type { BlockType, BrTable, Catch, Imm, MemArg } from './instructions.js';
import { encodeHeapType, encodeValType, type ValType } from './types.js';

const UTF8 = new TextEncoder();
const F32 = new Float32Array(1), F32B = new Uint8Array(F32.buffer);
const F64 = new Float64Array(1), F64B = new Uint8Array(F64.buffer);

export class ByteWriter {
    buf: Uint8Array;
    len = 0;

    constructor(capacity = 256) { this.buf = new Uint8Array(capacity); }

    private grow(n: number): void {
        let cap = Math.max(64, this.buf.length * 2);
        while (cap < this.len + n) cap *= 2;
        const nb = new Uint8Array(cap);
        nb.set(this.buf.subarray(0, this.len));
        this.buf = nb;
    }

    /** Gives back the unused capacity (a writer kept for long, one per function of a big module). */
    trim(): this {
        if (this.buf.length > this.len) this.buf = this.buf.slice(0, this.len);
        return this;
    }

    byte(b: number): this {
        if (this.len >= this.buf.length) this.grow(1);
        this.buf[this.len++] = b;
        return this;
    }

    /** An instruction's opcode, given as an OP code (op.generated.ts): prefixed ones as prefix byte + LEB. */
    op(code: number): this {
        if (code < 0x100) return this.byte(code);
        return this.byte(code >>> 16).u32(code & 0xffff);
    }

    bytes(b: Uint8Array | readonly number[]): this {
        if (b instanceof Uint8Array) return this.copy(b, 0, b.length);
        if (this.len + b.length > this.buf.length) this.grow(b.length);
        for (let i = 0; i < b.length; i++) this.buf[this.len + i] = b[i];
        this.len += b.length;
        return this;
    }

    /** Copies [start, end) of `src`. Short runs (most instructions) are copied by hand: no view allocated. */
    copy(src: Uint8Array, start: number, end: number): this {
        const n = end - start;
        if (this.len + n > this.buf.length) this.grow(n);
        const buf = this.buf;
        if (n <= 32) {
            let j = this.len;
            for (let i = start; i < end; i++) buf[j++] = src[i];
        } else buf.set(src.subarray(start, end), this.len);
        this.len += n;
        return this;
    }

    /** Forgets the content, keeping the buffer (scratch writers reused in loops). */
    reset(): this { this.len = 0; return this; }

    u32(v: number): this {
        if (v < 0 || v > 0xffffffff || !Number.isInteger(v)) throw new RangeError(`u32 out of range: ${v}`);
        do {
            let b = v & 0x7f;
            v = Math.floor(v / 128);
            if (v) b |= 0x80;
            this.byte(b);
        } while (v);
        return this;
    }

    /** Unsigned LEB of a non-negative integer up to 2^53 (memory64 offsets and limits). */
    u64(v: number | bigint): this {
        let x = BigInt(v);
        if (x < 0n) throw new RangeError(`u64 out of range: ${v}`);
        do {
            let b = Number(x & 0x7fn);
            x >>= 7n;
            if (x) b |= 0x80;
            this.byte(b);
        } while (x);
        return this;
    }

    s32(v: number): this {
        v |= 0;
        for (;;) {
            const b = v & 0x7f;
            v >>= 7;
            if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) return this.byte(b);
            this.byte(b | 0x80);
        }
    }

    s64(v: bigint | number): this {
        let x = BigInt.asIntN(64, BigInt(v));
        for (;;) {
            const b = Number(x & 0x7fn);
            x >>= 7n;
            if ((x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)) return this.byte(b);
            this.byte(b | 0x80);
        }
    }

    f32(v: number): this { F32[0] = v; return this.bytes(F32B); }
    f64(v: number): this { F64[0] = v; return this.bytes(F64B); }

    name(s: string): this {
        const b = UTF8.encode(s);
        return this.u32(b.length).bytes(b);
    }

    valType(t: ValType): this {
        const out: number[] = [];
        encodeValType(t, out);
        return this.bytes(out);
    }

    /** Writes `size` LEB + content of another writer (a section or a body). */
    sized(content: ByteWriter | Uint8Array): this {
        const b = content instanceof ByteWriter ? content.finish() : content;
        return this.u32(b.length).bytes(b);
    }

    finish(): Uint8Array { return this.buf.subarray(0, this.len); }
}

/** Bytes of an unsigned LEB128 (for callers that build small arrays). */
export function encodeU32(v: number): Uint8Array { return new ByteWriter(5).u32(v).finish().slice(); }
export function encodeS32(v: number): Uint8Array { return new ByteWriter(5).s32(v).finish().slice(); }
export function encodeS64(v: bigint | number): Uint8Array { return new ByteWriter(10).s64(v).finish().slice(); }

/** Writes the opcode bytes of an instruction. */
export function emitOpcode(w: ByteWriter, op: OpInfo): void {
    if (op.prefix < 0) w.byte(op.code);
    else w.byte(op.prefix).u32(op.code);
}

/**
 * Appends one instruction: `op` (a table entry or its name) followed by its immediates in table order.
 * Memargs may be partial ({ offset } or { align }): missing fields default to 0 (align: natural size).
 */
export function emitInstr(w: ByteWriter, opOrName: OpInfo | string, ...imms: (Imm | Partial<MemArg>)[]): ByteWriter {
    const op = typeof opOrName === 'string' ? opNamed(opOrName) : opOrName;
    if (imms.length !== op.imms.length) throw new Error(`${op.name} takes ${op.imms.length} immediates, got ${imms.length}`);
    emitOpcode(w, op);
    op.imms.forEach((kind, i) => {
        const v = imms[i];
        switch (kind) {
            case 'blocktype': {
                const bt = v as BlockType;
                if (bt === null) w.byte(0x40);
                else if (typeof bt === 'string') w.valType(bt);
                else { const out: number[] = []; encodeHeapType(bt, out); w.bytes(out); }
                break;
            }
            case 'memarg': {
                const ma = v as Partial<MemArg>;
                const align = ma.align ?? Math.log2(op.mem?.bytes ?? 1);
                const memory = ma.memory ?? 0;
                w.u32(memory ? align | 0x40 : align);
                if (memory) w.u32(memory);
                w.u64(ma.offset ?? 0);
                break;
            }
            case 'brtable': {
                const bt = v as BrTable;
                w.u32(bt.labels.length);
                for (const l of bt.labels) w.u32(l);
                w.u32(bt.default);
                break;
            }
            case 'i32': w.s32(v as number); break;
            case 'i64': w.s64(v as bigint | number); break;
            case 'f32': w.f32(v as number); break;
            case 'f64': w.f64(v as number); break;
            case 'v128': case 'shuffle': {
                const b = v as Uint8Array;
                if (b.length !== 16) throw new Error(`${op.name} needs 16 immediate bytes`);
                w.bytes(b);
                break;
            }
            case 'lane': case 'castflags': w.byte(v as number); break;
            case 'zero': w.byte(0); break;
            case 'valtypes': {
                const ts = v as readonly ValType[];
                w.u32(ts.length);
                for (const t of ts) w.valType(t);
                break;
            }
            case 'heaptype': { const out: number[] = []; encodeHeapType(v as number | string, out); w.bytes(out); break; }
            case 'catches': {
                const cs = v as readonly Catch[];
                w.u32(cs.length);
                for (const c of cs) { w.byte(c.kind); if (c.kind < 2) w.u32(c.tag); w.u32(c.label); }
                break;
            }
            default: w.u32(v as number);
        }
    });
    return w;
}
