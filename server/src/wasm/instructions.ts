// Instruction decoding, driven by the opcode table. Two levels:
//  - InstrCursor: walks a body (or a constant expression) without allocating; after next() it exposes
//    the instruction's table entry, module offsets, pc and opidx. immediates() decodes the current one.
//  - decodeInstrs(): the same walk materialised as Instr records (immediates decoded).

import { PRIMARY, PREFIXED, type ImmKind, type OpInfo } from './opcodes.js';
import { Reader, WasmDecodeError } from './reader.js';
import { readHeapType, readValType, type ValType } from './types.js';

/** `null` = empty, a ValType = one result, a number = a type index. */
export type BlockType = null | ValType | number;
export interface MemArg {
    /** log2 of the alignment hint. */
    readonly align: number;
    readonly memory: number;
    readonly offset: number;
}
export interface BrTable { readonly labels: readonly number[]; readonly default: number }
export interface Catch {
    /** 0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref */
    readonly kind: number;
    readonly tag: number;
    readonly label: number;
}
export type Imm = number | bigint | BlockType | MemArg | BrTable | Uint8Array | readonly ValType[] | readonly Catch[];

export interface Instr {
    readonly op: OpInfo;
    /** Module offset of the first byte (opcode or prefix). */
    readonly offset: number;
    /** Module offset just after the last immediate. */
    readonly end: number;
    /** Offset from the start of the body content (after the size LEB), local declarations included. */
    readonly pc: number;
    /** 0-based index in the body. */
    readonly opidx: number;
    /** Immediates in the table's order (see ImmKind). */
    readonly imms: readonly Imm[];
}

// Immediate kinds as small integers so the hot skip loop switches on numbers.
const K: Record<ImmKind, number> = {
    label: 1, func: 1, type: 1, table: 1, local: 1, global: 1, tag: 1, data: 1, elem: 1, mem: 1, field: 1, count: 1,
    blocktype: 2, memarg: 3, brtable: 4, i32: 5, i64: 6, f32: 7, f64: 8, v128: 9, lane: 10, shuffle: 9,
    valtypes: 11, heaptype: 12, catches: 13, castflags: 10, zero: 14,
};
const IMM_CODES: Int8Array[] = [];
function immCodes(op: OpInfo): Int8Array {
    let c = IMM_CODES[op.index];
    if (!c) IMM_CODES[op.index] = c = Int8Array.from(op.imms, (k) => K[k]);
    return c;
}

export function readBlockType(r: Reader): BlockType {
    const b = r.bytes[r.pos];
    if (b === 0x40) { r.pos++; return null; }
    if (r.pos < r.end && (b & 0xc0) === 0x40) return readValType(r); // one-byte negative s33: a value type
    if (b === 0x63 || b === 0x64) return readValType(r);
    const at = r.pos;
    const idx = r.s33('a block type');
    if (idx < 0) r.fail('a block type', `invalid code ${idx}`, at);
    return idx;
}

function readMemArg(r: Reader): MemArg {
    const at = r.pos;
    let align = r.u32('a memarg alignment');
    let memory = 0;
    if (align & 0x40) { align &= ~0x40; memory = r.u32('a memory index'); }
    if (align >= 64) r.fail('an alignment exponent below 64', `got ${align}`, at);
    const offset = r.u64('a memarg offset');
    return { align, memory, offset };
}

function skipValType(r: Reader): void {
    const b = r.u8('a value type');
    if (b === 0x63 || b === 0x64) readHeapType(r);
    else if (!((b >= 0x7b && b <= 0x7f) || (b >= 0x69 && b <= 0x74))) r.fail('a value type', `unknown type code 0x${b.toString(16)}`, r.pos - 1);
}

/** Advances past the immediates of `op` (no allocation). */
function skipImms(r: Reader, codes: Int8Array): void {
    for (let i = 0; i < codes.length; i++) {
        switch (codes[i]) {
            case 1: r.u32('an index'); break;
            case 2: {
                const b = r.bytes[r.pos];
                if (r.pos < r.end && (b === 0x40 || (b >= 0x7b && b <= 0x7f) || (b >= 0x69 && b <= 0x74))) { r.pos++; break; }
                if (b === 0x63 || b === 0x64) { skipValType(r); break; }
                const at = r.pos;
                if (r.s33('a block type') < 0) r.fail('a block type', 'invalid code', at);
                break;
            }
            case 3: {
                const align = r.u32('a memarg alignment');
                if (align & 0x40) r.u32('a memory index');
                r.skipLeb(10, 'a memarg offset');
                break;
            }
            case 4: {
                const n = r.u32('a br_table length');
                if (n > r.end - r.pos) r.fail('br_table labels', 'count exceeds the body');
                for (let j = 0; j <= n; j++) r.u32('a br_table label');
                break;
            }
            case 5: r.skipLeb(5, 'an i32 constant'); break;
            case 6: r.skipLeb(10, 'an i64 constant'); break;
            case 7: r.skip(4, 'an f32 constant'); break;
            case 8: r.skip(8, 'an f64 constant'); break;
            case 9: r.skip(16, '16 immediate bytes'); break;
            case 10: r.u8('a one-byte immediate'); break;
            case 11: { const n = r.u32('a type count'); for (let j = 0; j < n; j++) skipValType(r); break; }
            case 12: readHeapType(r); break;
            case 13: {
                const n = r.u32('a catch count');
                for (let j = 0; j < n; j++) {
                    const at = r.pos;
                    const kind = r.u8('a catch kind');
                    if (kind > 3) r.fail('a catch kind 0-3', `got ${kind}`, at);
                    if (kind < 2) r.u32('a tag index');
                    r.u32('a label');
                }
                break;
            }
            case 14: { const at = r.pos; if (r.u8('a reserved zero byte') !== 0) r.fail('a zero byte', undefined, at); break; }
        }
    }
}

const NO_IMMS: readonly Imm[] = Object.freeze([]);

/** Decodes the immediates of `op`, the reader positioned after the opcode. */
export function readImms(r: Reader, op: OpInfo): readonly Imm[] {
    if (op.imms.length === 0) return NO_IMMS;
    const out: Imm[] = [];
    for (const k of op.imms) {
        switch (k) {
            case 'blocktype': out.push(readBlockType(r)); break;
            case 'memarg': out.push(readMemArg(r)); break;
            case 'brtable': {
                const n = r.u32('a br_table length');
                if (n > r.end - r.pos) r.fail('br_table labels', 'count exceeds the body');
                const labels: number[] = new Array(n);
                for (let j = 0; j < n; j++) labels[j] = r.u32('a br_table label');
                out.push({ labels, default: r.u32('a br_table default label') });
                break;
            }
            case 'i32': out.push(r.s32('an i32 constant')); break;
            case 'i64': out.push(r.s64('an i64 constant')); break;
            case 'f32': out.push(r.f32()); break;
            case 'f64': out.push(r.f64()); break;
            case 'v128': case 'shuffle': out.push(r.take(16, '16 immediate bytes')); break;
            case 'lane': case 'castflags': out.push(r.u8('a one-byte immediate')); break;
            case 'zero': { const at = r.pos; if (r.u8('a reserved zero byte') !== 0) r.fail('a zero byte', undefined, at); out.push(0); break; }
            case 'valtypes': {
                const n = r.u32('a type count');
                if (n > r.end - r.pos) r.fail('value types', 'count exceeds the body');
                const ts: ValType[] = [];
                for (let j = 0; j < n; j++) ts.push(readValType(r));
                out.push(ts);
                break;
            }
            case 'heaptype': out.push(readHeapType(r)); break;
            case 'catches': {
                const n = r.u32('a catch count');
                if (n > r.end - r.pos) r.fail('catch clauses', 'count exceeds the body');
                const cs: Catch[] = [];
                for (let j = 0; j < n; j++) {
                    const at = r.pos;
                    const kind = r.u8('a catch kind');
                    if (kind > 3) r.fail('a catch kind 0-3', `got ${kind}`, at);
                    const tag = kind < 2 ? r.u32('a tag index') : -1;
                    cs.push({ kind, tag, label: r.u32('a label') });
                }
                out.push(cs);
                break;
            }
            default: out.push(r.u32('an index'));
        }
    }
    return out;
}

/** Reads an opcode (with its prefix) at r.pos; returns the table entry. */
export function readOp(r: Reader): OpInfo {
    const at = r.pos;
    const b = r.u8('an opcode');
    const op = PRIMARY[b];
    if (op) return op;
    const table = PREFIXED.get(b);
    if (table) {
        const sub = r.u32('a prefixed opcode');
        const p = table[sub];
        if (p) return p;
        return r.fail('a known instruction', `unknown opcode 0x${b.toString(16)} ${sub}`, at);
    }
    return r.fail('a known instruction', `unknown opcode 0x${b.toString(16)}`, at);
}

/**
 * Walks the instructions of a function body's code (or a constant expression) from `start` to `end`.
 * Tracks block nesting so it stops after the `end` that closes the body and checks it lands exactly on
 * `end`. `pcBase` is the module offset pc is measured from (the body content start).
 */
export class InstrCursor {
    op!: OpInfo;
    offset = 0;
    opidx = -1;
    private readonly r: Reader;
    private readonly scratch: Reader;
    private depth = 0;
    private done = false;

    constructor(readonly bytes: Uint8Array, start: number, readonly limit: number, readonly pcBase: number) {
        this.r = new Reader(bytes, start, limit);
        this.scratch = new Reader(bytes, start, limit);
    }

    /** Module offset just after the current instruction. */
    get end(): number { return this.r.pos; }
    get pc(): number { return this.offset - this.pcBase; }

    /** Advances to the next instruction; false once the closing `end` has been consumed. */
    next(): boolean {
        if (this.done) return false;
        const r = this.r;
        if (r.pos >= this.limit) r.fail('`end` closing the body', 'the body ran out of bytes');
        this.offset = r.pos;
        const op = readOp(r);
        const codes = IMM_CODES[op.index] ?? immCodes(op);
        if (codes.length) skipImms(r, codes);
        this.op = op;
        this.opidx++;
        if (op.blockLike) this.depth++;
        else if (op.prefix < 0 && (op.code === 0x0b || op.code === 0x18)) { // end, or delegate closing a try
            if (--this.depth < 0) {
                this.done = true;
                if (r.pos !== this.limit) throw new WasmDecodeError(r.pos, `the body to end at offset ${this.limit}`, 'bytes after the final end');
            }
        }
        return true;
    }

    /** True after the instruction that closed the body. */
    get finished(): boolean { return this.done; }

    /** Decodes the immediates of the current instruction (allocates). */
    immediates(): readonly Imm[] {
        const op = this.op;
        if (op.imms.length === 0) return NO_IMMS;
        const r = this.scratch;
        // Immediates start after the opcode byte, or after the prefix and its LEB sub-opcode.
        r.pos = this.offset + 1;
        if (op.prefix >= 0) r.u32();
        return readImms(r, op);
    }

    /** The current instruction as a record. */
    instr(): Instr {
        return { op: this.op, offset: this.offset, end: this.end, pc: this.pc, opidx: this.opidx, imms: this.immediates() };
    }
}

/** Decodes every instruction between `start` and `end` (module offsets) into records. */
export function decodeInstrs(bytes: Uint8Array, start: number, end: number, pcBase: number): Instr[] {
    const c = new InstrCursor(bytes, start, end, pcBase);
    const out: Instr[] = [];
    while (c.next()) out.push(c.instr());
    return out;
}

/** Value of an `i32.const N; end` offset expression (as unsigned), else null (computed offsets). */
export function constOffset(b: Uint8Array, start: number, end: number): number | null {
    if (b[start] !== 0x41) return null;
    const r = new Reader(b, start + 1, end);
    const v = r.s32('an i32 constant');
    return r.pos === end - 1 && b[end - 1] === 0x0b ? v >>> 0 : null;
}

/** Reads a constant expression (up to and including its `end`); returns its byte range. */
export function skipConstExpr(r: Reader): { start: number; end: number } {
    const start = r.pos;
    // A constant expression has no blocks: the first `end` closes it. Stop there without the
    // exact-length check the cursor applies to bodies.
    for (;;) {
        const at = r.pos;
        const op = readOp(r);
        if (op.blockLike) r.fail('a constant instruction', `${op.name} is not allowed in a constant expression`, at);
        const codes = IMM_CODES[op.index] ?? immCodes(op);
        if (codes.length) skipImms(r, codes);
        if (op.prefix < 0 && op.code === 0x0b) break;
    }
    return { start, end: r.pos };
}

/** Reads one instruction at r.pos (opcode and immediates, nothing materialised); returns its entry. */
export function scanInstr(r: Reader): OpInfo {
    const op = readOp(r);
    const codes = IMM_CODES[op.index] ?? immCodes(op);
    if (codes.length) skipImms(r, codes);
    return op;
}
