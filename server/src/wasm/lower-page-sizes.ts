// Lowering of the custom-page-sizes proposal for engines that lack it (Node 20's V8 rejects limits flag
// 0x08). A memory declared with 1-byte pages becomes an ordinary 64 KiB-page memory large enough for the
// declared bytes, and the module keeps the logical size itself:
//   - a mutable i32 global holds the size in declared pages (= bytes); `memory.size` reads it;
//   - `memory.grow` calls a generated helper that checks the declared maximum (or the 2^32-1 byte limit),
//     grows the physical memory only when the new size crosses a 64 KiB boundary, and returns the old
//     size or -1;
//   - every access to that memory (loads, stores, SIMD and atomic accesses, memory.fill/copy/init) is
//     checked against the logical size first, so an access past it traps as on a real engine — with the
//     engine's own "out of bounds" trap, produced by an access no memory can satisfy;
//   - active data segments that may reach past the logical size are checked by a generated start
//     function (run after the segments are written, before the original start), so instantiation fails
//     as it would.
// Memories declaring the default size explicitly (`pagesize 65536`) only lose the flag. Only the runners
// apply this, right before compiling: `whamm instr` keeps the module's real page sizes.
//
// Not emulated (a PageSizeLoweringError says so): imported memories with 1-byte pages (the logical size
// lives in the exporting instance) and memory64 memories with 1-byte pages.

import { EXTERN_KINDS, bodyLocals, decodeModule, type Limits, type WasmModule } from './decode.js';
import { ByteWriter, emitInstr } from './encode.js';
import { InstrCursor, constOffset } from './instructions.js';
import { op, wasmTypeOf, type OpInfo } from './opcodes.js';
import { Reader } from './reader.js';
import { CodeBuilder, ModuleRewriter } from './rewrite.js';
import type { ValType } from './types.js';

export class PageSizeLoweringError extends Error {
    constructor(message: string) { super(message); this.name = 'PageSizeLoweringError'; }
}

/** One memory whose 1-byte pages are emulated. */
export interface LoweredMemory {
    readonly index: number;
    /** Declared limits, in bytes (= declared pages). */
    readonly min: number;
    readonly max: number | null;
    /** Limits of the physical 64 KiB-page memory that replaces it. */
    readonly physicalMin: number;
    readonly physicalMax: number | null;
}

export interface PageSizeLowering {
    readonly bytes: Uint8Array;
    readonly lowered: readonly LoweredMemory[];
}

const PAGE = 65536;
/** Largest byte size of an i32-indexed memory with 1-byte pages (so that -1 stays unambiguous). */
const MAX_BYTES_1 = 0xffffffff;

/** True when some memory (defined or imported) declares a page size. */
export function declaresPageSizes(m: WasmModule): boolean {
    return m.memories.some((mt) => mt.limits.pageSizeLog2 !== undefined);
}

/**
 * Rewrites a module so that it needs no custom page sizes; null when it declares none.
 * Throws PageSizeLoweringError for page sizes it cannot emulate, WasmDecodeError for malformed input.
 */
export function lowerPageSizes(input: Uint8Array | WasmModule): PageSizeLowering | null {
    const m = input instanceof Uint8Array ? decodeModule(input) : input;
    if (!declaresPageSizes(m)) return null;

    const emulated = new Map<number, LoweredMemory>();
    m.memories.forEach((mt, index) => {
        const p = mt.limits.pageSizeLog2;
        if (p === undefined || p === 16) return;
        if (p !== 0) throw new PageSizeLoweringError(`memory ${index} declares a page size of 2^${p} bytes; only 1 and 65536 are valid`);
        if (index < m.numImportedMemories) throw new PageSizeLoweringError(`memory ${index} is imported with 1-byte pages, which cannot be emulated on this engine`);
        if (mt.limits.is64) throw new PageSizeLoweringError(`memory ${index} is a 64-bit memory with 1-byte pages, which cannot be emulated on this engine`);
        const { min, max } = mt.limits;
        if (min > MAX_BYTES_1 || (max !== null && (max > MAX_BYTES_1 || max < min))) throw new PageSizeLoweringError(`memory ${index} has invalid limits`);
        emulated.set(index, {
            index, min, max,
            physicalMin: Math.ceil(min / PAGE),
            physicalMax: max === null ? null : Math.ceil(max / PAGE),
        });
    });

    let bytes = m.bytes;
    let startFunc: number | null = null;
    if (emulated.size) ({ bytes, startFunc } = rewriteCode(m, emulated));
    return { bytes: replaceLimits(bytes, emulated, startFunc), lowered: [...emulated.values()] };
}

// ---- code ----

interface MemState {
    readonly size: number;
    readonly grow: number;
    readonly info: LoweredMemory;
    /** Bytes of the check's second half (see emitCheckEnd), prebuilt: accesses are the hot path. */
    readonly checkTail: Uint8Array;
}

const OP_SIZE = op('memory.size'), OP_GROW = op('memory.grow');
const OP_FILL = op('memory.fill'), OP_COPY = op('memory.copy'), OP_INIT = op('memory.init');

function rewriteCode(m: WasmModule, emulated: Map<number, LoweredMemory>): { bytes: Uint8Array; startFunc: number | null } {
    const rw = new ModuleRewriter(m);
    const growType = rw.addFuncType(['i32'], ['i32']);
    const mems = new Map<number, MemState>();
    for (const [index, info] of emulated) {
        const size = rw.addGlobal('i32', true, constI32(info.min));
        const grow = rw.addFunction(growType, ['i32', 'i64', 'i32'], growHelper(index, size, info), `whamm$grow_memory${index}`);
        mems.set(index, { size, grow, info, checkTail: checkTail(index, size) });
    }
    for (const body of m.bodies) rewriteBody(m, rw, body.func, mems);
    const startFunc = addDataCheck(m, rw, mems);
    return { bytes: rw.emit(), startFunc };
}

function constI32(v: number): Uint8Array {
    const w = new ByteWriter(8);
    emitInstr(w, 'i32.const', v | 0);
    return w.byte(0x0b).finish().slice();
}

/**
 * With `end` (an i64 byte offset one past the access) on the stack: traps when it exceeds the logical
 * size, with the engine's own out-of-bounds error (no memory reaches byte 2^33 - 2).
 */
function checkTail(mem: number, size: number): Uint8Array {
    const c = new CodeBuilder();
    c.emit('global.get', size).emit('i64.extend_i32_u').emit('i64.gt_u').emit('if', null)
        .emit('i32.const', -1).emit('i32.load8_u', { align: 0, memory: mem, offset: 0xffffffff }).emit('drop')
        .emit('end');
    return c.out.finish().slice();
}

function emitCheckEnd(c: CodeBuilder, mem: MemState): void {
    c.out.bytes(mem.checkTail);
}

const LOCAL_GET = 0x20, LOCAL_SET = 0x21, LOCAL_TEE = 0x22, I64_CONST = 0x42, I64_ADD = 0x7c, I64_EXTEND_I32_U = 0xad;

/** Signed LEB128 of a non-negative integer below 2^53, without going through BigInt. */
function writeS64(w: ByteWriter, v: number): void {
    for (;;) {
        const b = v % 128;
        v = Math.floor(v / 128);
        if (v === 0 && b < 0x40) { w.byte(b); return; }
        w.byte(b | 0x80);
    }
}

// memory.grow helper: param 0 delta; locals 1 old size, 2 new size (i64), 3 physical pages needed.
function growHelper(mem: number, size: number, info: LoweredMemory): CodeBuilder {
    const c = new CodeBuilder();
    const limit = info.max ?? MAX_BYTES_1;
    c.emit('global.get', size).emit('local.tee', 1).emit('i64.extend_i32_u')
        .emit('local.get', 0).emit('i64.extend_i32_u').emit('i64.add').emit('local.tee', 2)
        .emit('i64.const', BigInt(limit)).emit('i64.gt_u')
        .emit('if', null).emit('i32.const', -1).emit('return').emit('end')
        .emit('local.get', 2).emit('i64.const', BigInt(PAGE - 1)).emit('i64.add').emit('i64.const', 16n).emit('i64.shr_u')
        .emit('i32.wrap_i64').emit('local.tee', 3).emit('memory.size', mem).emit('i32.gt_u')
        .emit('if', null)
        .emit('local.get', 3).emit('memory.size', mem).emit('i32.sub').emit('memory.grow', mem)
        .emit('i32.const', -1).emit('i32.eq')
        .emit('if', null).emit('i32.const', -1).emit('return').emit('end')
        .emit('end')
        .emit('local.get', 2).emit('i32.wrap_i64').emit('global.set', size)
        .emit('local.get', 1)
        .emit('end');
    return c;
}

/** Scratch locals of one edited body, allocated on first use: (type, k) -> local index. */
class Scratch {
    readonly extra: ValType[] = [];
    private readonly slots = new Map<string, number>();
    constructor(private readonly first: number) {}
    get(type: ValType, k = 0): number {
        return this.byKey(`${type}#${k}`, type);
    }
    /** Same as get(type, k) with its key `type#k` given (hot path: no string built). */
    byKey(key: string, type: ValType): number {
        let i = this.slots.get(key);
        if (i === undefined) {
            i = this.first + this.extra.length;
            this.extra.push(type);
            this.slots.set(key, i);
        }
        return i;
    }
}

function touchesMemory(o: OpInfo): boolean {
    return o === OP_SIZE || o === OP_GROW || o === OP_FILL || o === OP_COPY || o === OP_INIT;
}

/** Operands an access takes after its address (value, expected, timeout, ...): their types and the
 *  scratch keys they are parked under (the k-th operand of a type uses `type#k`; `i32#0` is the address). */
interface Parking { readonly types: readonly ValType[]; readonly keys: readonly string[] }
const PARKING = new Map<OpInfo, Parking>();
function parkingOf(o: OpInfo): Parking {
    let p = PARKING.get(o);
    if (!p) {
        const types: ValType[] = [], keys: string[] = [];
        const seen = new Map<ValType, number>();
        for (const tok of o.params.slice(1)) {
            const t = wasmTypeOf(tok);
            if (!t) throw new Error(`lowering page sizes: unexpected operand ${tok} of ${o.name}`);
            const k = (seen.get(t) ?? 0) + 1;
            seen.set(t, k);
            types.push(t);
            keys.push(`${t}#${k}`);
        }
        PARKING.set(o, p = { types, keys });
    }
    return p;
}

/** Reads the memarg of the access at `at` (its opcode first): memory index and offset. */
function readMemArg(r: Reader, at: number, prefixed: boolean, out: { memory: number; offset: number }): void {
    r.pos = at + 1;
    if (prefixed) r.u32();
    const align = r.u32();
    out.memory = align & 0x40 ? r.u32() : 0;
    out.offset = r.u64();
}

function rewriteBody(m: WasmModule, rw: ModuleRewriter, f: number, mems: Map<number, MemState>): void {
    const body = m.bodies[f - m.numImportedFuncs];
    const r = new Reader(m.bytes, body.contentStart, body.end);
    const ma = { memory: 0, offset: 0 };
    const cur = new InstrCursor(m.bytes, bodyLocals(m, body).codeStart, body.end, body.contentStart);
    let c: CodeBuilder | null = null;
    let scratch: Scratch | null = null;
    let copied = cur.end;
    const begin = (): CodeBuilder => {
        if (!c) { c = new CodeBuilder(); scratch = new Scratch(rw.firstExtraLocal(f)); }
        c.copy(copied, cur.offset);
        copied = cur.end;
        return c;
    };
    while (cur.next()) {
        const o = cur.op;
        if (o.mem !== null) {
            readMemArg(r, cur.offset, o.prefix >= 0, ma);
            const mem = mems.get(ma.memory);
            if (!mem) continue;
            const b = begin(), s = scratch!, w = b.out;
            // Operands after the address are parked in locals while the address is checked.
            const { types, keys } = parkingOf(o);
            for (let i = keys.length - 1; i >= 0; i--) w.byte(LOCAL_SET).u32(s.byKey(keys[i], types[i]));
            const a = s.byKey('i32#0', 'i32');
            w.byte(LOCAL_TEE).u32(a).byte(I64_EXTEND_I32_U).byte(I64_CONST);
            writeS64(w, ma.offset + o.mem.bytes);
            w.byte(I64_ADD);
            emitCheckEnd(b, mem);
            w.byte(LOCAL_GET).u32(a);
            for (let i = 0; i < keys.length; i++) w.byte(LOCAL_GET).u32(s.byKey(keys[i], types[i]));
            b.copy(cur.offset, cur.end);
            continue;
        }
        if (!touchesMemory(o)) continue;
        const imms = cur.immediates();
        if (o === OP_SIZE || o === OP_GROW) {
            const mem = mems.get(imms[0] as number);
            if (!mem) continue;
            const b = begin();
            if (o === OP_SIZE) b.emit('global.get', mem.size); else b.emit('call', mem.grow);
        } else if (o === OP_FILL || o === OP_COPY || o === OP_INIT) {
            // Operands (d, s|value, n); the destination is checked against its memory, memory.copy's
            // source against its own.
            const dst = mems.get((o === OP_INIT ? imms[1] : imms[0]) as number);
            const src = o === OP_COPY ? mems.get(imms[1] as number) : undefined;
            if (!dst && !src) continue;
            const b = begin(), s = scratch!;
            const d = s.get('i32', 0), x = s.get('i32', 1), n = s.get('i32', 2);
            b.emit('local.set', n).emit('local.set', x).emit('local.set', d);
            if (dst) { b.emit('local.get', d).emit('i64.extend_i32_u').emit('local.get', n).emit('i64.extend_i32_u').emit('i64.add'); emitCheckEnd(b, dst); }
            if (src) { b.emit('local.get', x).emit('i64.extend_i32_u').emit('local.get', n).emit('i64.extend_i32_u').emit('i64.add'); emitCheckEnd(b, src); }
            b.emit('local.get', d).emit('local.get', x).emit('local.get', n).copy(cur.offset, cur.end);
        }
    }
    if (!c) return;
    const code = c as CodeBuilder;
    code.copy(copied, body.end);
    rw.editBody(f, { extraLocals: (scratch as Scratch | null)?.extra ?? [], code });
}

/**
 * Active segments of emulated memories that may end past the logical size get a check in a new start
 * function (which then calls the original start). Returns its index, or null when every segment is
 * known to fit.
 */
function addDataCheck(m: WasmModule, rw: ModuleRewriter, mems: Map<number, MemState>): number | null {
    const c = new CodeBuilder();
    let checks = 0;
    for (const seg of m.data) {
        const mem = mems.get(seg.memory);
        if (seg.mode !== 'active' || !mem || !seg.offsetExpr) continue;
        const len = seg.data.end - seg.data.start;
        const at = constOffset(m.bytes, seg.offsetExpr.start, seg.offsetExpr.end);
        if (at !== null && at + len <= mem.info.min) continue;
        c.copy(seg.offsetExpr.start, seg.offsetExpr.end - 1) // the expression without its `end`
            .emit('i64.extend_i32_u').emit('i64.const', BigInt(len)).emit('i64.add');
        emitCheckEnd(c, mem);
        checks++;
    }
    if (!checks) return null;
    if (m.start !== null) c.emit('call', rw.funcIndex(m.start));
    c.emit('end');
    return rw.addFunction(rw.addFuncType([], []), [], c, 'whamm$check_data');
}

// ---- sections: memory limits, imported memory limits, start ----

const SECTION_ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

function writeLimits(w: ByteWriter, l: Limits): void {
    w.byte((l.max !== null ? 1 : 0) | (l.shared ? 2 : 0) | (l.is64 ? 4 : 0));
    if (l.is64) { w.u64(l.min); if (l.max !== null) w.u64(l.max); } else { w.u32(l.min); if (l.max !== null) w.u32(l.max); }
}

function physicalLimits(l: Limits, lowered: LoweredMemory | undefined): Limits {
    if (!lowered) return { ...l, pageSizeLog2: undefined };
    return { ...l, min: lowered.physicalMin, max: lowered.physicalMax, pageSizeLog2: undefined };
}

/** Re-emits the module with page-size flags gone (emulated memories resized) and the start replaced. */
function replaceLimits(bytes: Uint8Array, emulated: Map<number, LoweredMemory>, startFunc: number | null): Uint8Array {
    const m = decodeModule(bytes);
    const content = new Map<number, ByteWriter>();
    if (m.imports.some((i) => i.desc.kind === 'memory' && i.desc.memory.limits.pageSizeLog2 !== undefined)) {
        const w = new ByteWriter(256).u32(m.imports.length);
        for (const imp of m.imports) {
            if (imp.desc.kind !== 'memory' || imp.desc.memory.limits.pageSizeLog2 === undefined) { w.copy(bytes, imp.start, imp.end); continue; }
            w.name(imp.module).name(imp.name).byte(EXTERN_KINDS.indexOf('memory'));
            writeLimits(w, physicalLimits(imp.desc.memory.limits, undefined));
        }
        content.set(2, w);
    }
    const defined = m.memories.slice(m.numImportedMemories);
    if (defined.some((mt) => mt.limits.pageSizeLog2 !== undefined)) {
        const w = new ByteWriter(64).u32(defined.length);
        defined.forEach((mt, i) => writeLimits(w, physicalLimits(mt.limits, emulated.get(m.numImportedMemories + i))));
        content.set(5, w);
    }
    if (startFunc !== null) content.set(8, new ByteWriter(8).u32(startFunc));

    const out = new ByteWriter(bytes.length + 64).copy(bytes, 0, 8);
    const pending = new Map(content);
    const flushBefore = (order: number) => {
        for (const [id, w] of pending) if (SECTION_ORDER[id] < order) { out.byte(id).sized(w); pending.delete(id); }
    };
    for (const s of m.sections) {
        if (s.id !== 0) flushBefore(SECTION_ORDER[s.id]);
        const w = pending.get(s.id);
        if (w && s.id !== 0) { out.byte(s.id).sized(w); pending.delete(s.id); } else out.copy(bytes, s.start, s.end);
    }
    flushBefore(Infinity);
    return out.finish().slice();
}
