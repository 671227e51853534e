// A WebAssembly text (WAT) printer for decoded modules: function by function, instruction text from the
// opcode table, function names from the name section. Used by the injection preview (one function at a
// time, with the line of every instruction) and, for whole modules, by the round-trip test that parses the
// text back with wabt.
//
// Names: a function prints as `$name` when the name section names it (sanitised to the identifier
// characters of the text format, made unique with a `.N` suffix), else by index. Everything else is
// printed by index. Float constants keep their exact bits (NaN payloads as `nan:0x...`).

import { bodyLocals, bodyOf, funcType, type ElemSegment, type Limits, type Range, type WasmModule } from './decode.js';
import { InstrCursor, readImms, readOp, type BlockType, type BrTable, type Catch, type Imm, type MemArg } from './instructions.js';
import type { OpInfo } from './opcodes.js';
import { Reader } from './reader.js';
import { heapTypeName, type FieldType, type FuncType, type ValType } from './types.js';

/** Identifiers the printer uses for a module's functions (`$name` or the index as text). */
export class WatNames {
    private readonly funcs = new Map<number, string>();

    constructor(readonly m: WasmModule) {
        const used = new Set<string>();
        for (const [f, raw] of m.names.funcs) {
            let id = sanitizeId(raw);
            if (!id) continue;
            if (used.has(id)) { let k = 1; while (used.has(`${id}.${k}`)) k++; id = `${id}.${k}`; }
            used.add(id);
            this.funcs.set(f, `$${id}`);
        }
    }

    /** `$name` or the function index. */
    func(f: number): string { return this.funcs.get(f) ?? String(f); }
    /** `$name ` for a declaration, or nothing. */
    decl(f: number): string { const n = this.funcs.get(f); return n ? `${n} ` : ''; }
    /** The name to show for a function (the raw name section entry, else `func N`). */
    display(f: number): string { return this.m.names.funcs.get(f) || `func ${f}`; }
}

/** Keeps the characters the text format allows in identifiers, replacing the others with `_`. */
export function sanitizeId(raw: string): string {
    let out = '';
    for (const ch of raw) {
        const c = ch.codePointAt(0)!;
        const ok = c > 0x20 && c < 0x7f && !'"\',;()[]{}'.includes(ch);
        out += ok ? ch : '_';
    }
    return out.slice(0, 200);
}

function hex(n: number | bigint): string { return `0x${n.toString(16)}`; }

const F32 = new DataView(new ArrayBuffer(8));

/** f32 text from its 4 little-endian bytes at `at` (exact: NaN payloads, -0, infinities). */
export function f32Text(bytes: Uint8Array, at: number): string {
    for (let i = 0; i < 4; i++) F32.setUint8(i, bytes[at + i]);
    const bits = F32.getUint32(0, true);
    const sign = bits >>> 31 ? '-' : '';
    if (((bits >>> 23) & 0xff) === 0xff) {
        const payload = bits & 0x7fffff;
        return payload === 0 ? `${sign}inf` : `${sign}nan:${hex(payload)}`;
    }
    const v = F32.getFloat32(0, true);
    return Object.is(v, -0) ? '-0' : String(v);
}

/** f64 text from its 8 little-endian bytes at `at` (exact). */
export function f64Text(bytes: Uint8Array, at: number): string {
    for (let i = 0; i < 8; i++) F32.setUint8(i, bytes[at + i]);
    const hi = F32.getUint32(4, true);
    const sign = hi >>> 31 ? '-' : '';
    if (((hi >>> 20) & 0x7ff) === 0x7ff) {
        const payload = (BigInt(hi & 0xfffff) << 32n) | BigInt(F32.getUint32(0, true));
        return payload === 0n ? `${sign}inf` : `${sign}nan:${hex(payload)}`;
    }
    const v = F32.getFloat64(0, true);
    return Object.is(v, -0) ? '-0' : String(v);
}

function blockTypeText(bt: BlockType): string {
    if (bt === null) return '';
    if (typeof bt === 'number') return ` (type ${bt})`;
    return ` (result ${bt})`;
}

function refText(nullable: boolean, ht: number): string {
    return `(ref ${nullable ? 'null ' : ''}${heapTypeName(ht)})`;
}

function memargText(op: OpInfo, a: MemArg): string {
    let s = a.memory ? ` ${a.memory}` : '';
    if (a.offset) s += ` offset=${a.offset}`;
    const natural = op.mem?.bytes ?? 0;
    if ((1 << a.align) !== natural) s += ` align=${2 ** a.align}`;
    return s;
}

function v128Text(b: Uint8Array): string {
    const parts: string[] = [];
    for (let i = 0; i < 16; i += 4) parts.push(hex((b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0));
    return `i32x4 ${parts.join(' ')}`;
}

/** Function names for printing: a module's (WatNames) or any resolver (injected code calls added functions). */
export interface FuncNamer { func(f: number): string }

/** Text of one instruction: its table name as the text format spells it, then its immediates. */
export function instrText(op: OpInfo, imms: readonly Imm[], bytes: Uint8Array, end: number, names?: FuncNamer): string {
    const fn = (i: number) => (names ? names.func(i) : String(i));
    switch (op.name) {
        case 'typed_select': return `select (result ${(imms[0] as ValType[]).join(' ')})`;
        case 'ref.test': return `ref.test ${refText(false, imms[0] as number)}`;
        case 'ref.test_null': return `ref.test ${refText(true, imms[0] as number)}`;
        case 'ref.cast': return `ref.cast ${refText(false, imms[0] as number)}`;
        case 'ref.cast_null': return `ref.cast ${refText(true, imms[0] as number)}`;
        case 'br_on_cast': case 'br_on_cast_fail': {
            const flags = imms[0] as number;
            return `${op.name} ${imms[1]} ${refText((flags & 1) !== 0, imms[2] as number)} ${refText((flags & 2) !== 0, imms[3] as number)}`;
        }
        case 'f32.const': return `f32.const ${f32Text(bytes, end - 4)}`;
        case 'f64.const': return `f64.const ${f64Text(bytes, end - 8)}`;
        case 'call_indirect': case 'return_call_indirect':
            return `${op.name}${imms[1] ? ` ${imms[1]}` : ''} (type ${imms[0]})`;
        case 'memory.init': return `memory.init${imms[1] ? ` ${imms[1]}` : ''} ${imms[0]}`;
        case 'table.init': return `table.init${imms[1] ? ` ${imms[1]}` : ''} ${imms[0]}`;
        case 'memory.copy': case 'table.copy':
            return imms[0] || imms[1] ? `${op.name} ${imms[0]} ${imms[1]}` : op.name;
        case 'memory.size': case 'memory.grow': case 'memory.fill':
            return imms[0] ? `${op.name} ${imms[0]}` : op.name;
        case 'atomic.fence': return op.name;
    }
    let s = op.name;
    op.imms.forEach((k, i) => {
        const v = imms[i];
        switch (k) {
            case 'blocktype': s += blockTypeText(v as BlockType); break;
            case 'memarg': s += memargText(op, v as MemArg); break;
            case 'brtable': { const t = v as BrTable; s += ` ${[...t.labels, t.default].join(' ')}`; break; }
            case 'func': s += ` ${fn(v as number)}`; break;
            case 'i64': s += ` ${v as bigint}`; break;
            case 'v128': s += ` ${v128Text(v as Uint8Array)}`; break;
            case 'shuffle': s += ` ${Array.from(v as Uint8Array).join(' ')}`; break;
            case 'valtypes': s += ` ${(v as ValType[]).join(' ')}`; break;
            case 'heaptype': s += ` ${heapTypeName(v as number)}`; break;
            case 'catches':
                for (const c of v as Catch[]) {
                    s += [' (catch', ' (catch_ref', ' (catch_all', ' (catch_all_ref'][c.kind] + (c.kind < 2 ? ` ${c.tag}` : '') + ` ${c.label})`;
                }
                break;
            case 'zero': break;
            default: s += ` ${v as number}`;
        }
    });
    return s;
}

/** True for the instructions printed one level out (they close one block part and open the next). */
function isMidBlock(op: OpInfo): boolean {
    return op.prefix < 0 && (op.name === 'else' || op.name === 'catch' || op.name === 'catch_all');
}
function isBlockEnd(op: OpInfo): boolean {
    return op.prefix < 0 && (op.name === 'end' || op.name === 'delegate');
}

export interface PrintedInstr {
    readonly pc: number;
    readonly opidx: number;
    /** Nesting depth (1 = the function's top level). */
    readonly depth: number;
    readonly text: string;
}

export interface PrintedFunc {
    readonly func: number;
    /** `(func $name (;7;) (type 2) (param i32) (result i32)` */
    readonly header: string;
    /** `(local i32 i64)` lines. */
    readonly locals: readonly string[];
    /** Every instruction of the body, the final `end` included (the text format leaves it out). */
    readonly instrs: readonly PrintedInstr[];
}

function sigText(t: FuncType): string {
    return (t.params.length ? ` (param ${t.params.join(' ')})` : '') + (t.results.length ? ` (result ${t.results.join(' ')})` : '');
}

/** `(func $name (;7;) (type 2) (param i32) (result i32)`: a function's first line, without its body. */
export function funcHeader(m: WasmModule, f: number, names: WatNames): string {
    return `(func ${names.decl(f)}(;${f};) (type ${m.funcTypes[f]})${sigText(funcType(m, f))}`;
}

/** Prints defined function `f` instruction by instruction (no recursion; any body size). */
export function printFunc(m: WasmModule, f: number, names: WatNames = new WatNames(m)): PrintedFunc {
    const body = bodyOf(m, f);
    if (!body) throw new Error(`function ${f} has no body`);
    const header = funcHeader(m, f, names);
    const { groups, codeStart } = bodyLocals(m, body);
    const locals = groups.length ? [`(local${groups.map(g => ` ${g.type}`.repeat(g.count)).join('')})`] : [];
    const instrs: PrintedInstr[] = [];
    const c = new InstrCursor(m.bytes, codeStart, body.end, body.contentStart);
    let depth = 1;
    while (c.next()) {
        const op = c.op;
        if (isBlockEnd(op)) depth--;
        const d = isMidBlock(op) ? depth - 1 : depth;
        instrs.push({ pc: c.pc, opidx: c.opidx, depth: Math.max(0, d), text: instrText(op, c.immediates(), m.bytes, c.end, names) });
        if (op.blockLike) depth++;
    }
    return { func: f, header, locals, instrs };
}

/** Text of a constant expression (without its final `end`), e.g. `(i32.const 1024)`. */
function exprText(m: WasmModule, r: Range, names: WatNames): string {
    const c = new InstrCursor(m.bytes, r.start, r.end, r.start);
    const parts: string[] = [];
    while (c.next()) if (!(c.finished && isBlockEnd(c.op))) parts.push(`(${instrText(c.op, c.immediates(), m.bytes, c.end, names)})`);
    return parts.join(' ');
}

function limitsText(l: Limits): string {
    return `${l.is64 ? 'i64 ' : ''}${l.min}${l.max !== null ? ` ${l.max}` : ''}${l.shared ? ' shared' : ''}`
        + (l.pageSizeLog2 !== undefined ? ` (pagesize ${2 ** l.pageSizeLog2})` : '');
}

function fieldText(f: FieldType): string {
    return f.mutable ? `(mut ${f.storage})` : f.storage;
}

function stringLit(b: Uint8Array, start: number, end: number): string {
    let s = '"';
    for (let i = start; i < end; i++) {
        const c = b[i];
        s += c >= 0x20 && c < 0x7f && c !== 0x22 && c !== 0x5c ? String.fromCharCode(c) : `\\${c.toString(16).padStart(2, '0')}`;
    }
    return `${s}"`;
}

function nameLit(s: string): string {
    return stringLit(new TextEncoder().encode(s), 0, new TextEncoder().encode(s).length);
}

function elemText(m: WasmModule, e: ElemSegment, i: number, names: WatNames): string {
    let s = `(elem (;${i};)`;
    if (e.mode === 'declarative') s += ' declare';
    if (e.mode === 'active') {
        if (e.table !== 0 || (e.flags & 2)) s += ` (table ${e.table})`;
        s += ` (offset ${exprText(m, e.offsetExpr!, names)})`;
    }
    if (e.funcs) s += ` func${e.funcs.map(f => ` ${names.func(f)}`).join('')}`;
    else s += ` ${e.elemType}${(e.exprs ?? []).map(x => ` (item ${exprText(m, x, names)})`).join('')}`;
    return `${s})`;
}

/** The whole module as text (types, imports, functions, tables, memories, tags, globals, exports, start,
 *  elements, data). Custom sections are left out. */
export function printModule(m: WasmModule): string {
    const names = new WatNames(m);
    const out: string[] = ['(module'];
    m.types.forEach((t, i) => {
        const c = t.comp;
        const body = c.kind === 'func' ? `(func${sigText(c)})`
            : c.kind === 'struct' ? `(struct${c.fields.map(f => ` (field ${fieldText(f)})`).join('')})`
                : `(array ${fieldText(c.field)})`;
        out.push(`  (type (;${i};) ${body})`);
    });
    let fi = 0, ti = 0, mi = 0, gi = 0, tgi = 0;
    for (const im of m.imports) {
        const d = im.desc;
        const what = d.kind === 'func' ? `(func ${names.decl(fi)}(;${fi++};) (type ${d.type}))`
            : d.kind === 'table' ? `(table (;${ti++};) ${limitsText(d.table.limits)} ${d.table.elem})`
                : d.kind === 'memory' ? `(memory (;${mi++};) ${limitsText(d.memory.limits)})`
                    : d.kind === 'global' ? `(global (;${gi++};) ${d.global.mutable ? `(mut ${d.global.type})` : d.global.type})`
                        : `(tag (;${tgi++};) (type ${d.type}))`;
        out.push(`  (import ${nameLit(im.module)} ${nameLit(im.name)} ${what})`);
    }
    for (const b of m.bodies) {
        const p = printFunc(m, b.func, names);
        out.push(`  ${p.header}`);
        for (const l of p.locals) out.push(`    ${l}`);
        for (const ins of p.instrs.slice(0, -1)) out.push(`${'  '.repeat(ins.depth + 1)}${ins.text}`);
        out.push('  )');
    }
    for (let t = m.numImportedTables; t < m.tables.length; t++) {
        const tb = m.tables[t];
        out.push(`  (table (;${t};) ${limitsText(tb.limits)} ${tb.elem}${tb.init ? ` ${exprText(m, tb.init, names)}` : ''})`);
    }
    for (let k = m.numImportedMemories; k < m.memories.length; k++) out.push(`  (memory (;${k};) ${limitsText(m.memories[k].limits)})`);
    for (let k = m.numImportedTags; k < m.tags.length; k++) out.push(`  (tag (;${k};) (type ${m.tags[k]}))`);
    m.definedGlobals.forEach((g, k) => {
        const t = g.type.mutable ? `(mut ${g.type.type})` : g.type.type;
        out.push(`  (global (;${m.numImportedGlobals + k};) ${t} ${exprText(m, g.init, names)})`);
    });
    for (const e of m.exports) out.push(`  (export ${nameLit(e.name)} (${e.kind} ${e.kind === 'func' ? names.func(e.index) : e.index}))`);
    if (m.start !== null) out.push(`  (start ${names.func(m.start)})`);
    m.elements.forEach((e, i) => out.push(`  ${elemText(m, e, i, names)}`));
    m.data.forEach((d, i) => {
        const mem = d.mode === 'active' ? `${d.memory ? ` (memory ${d.memory})` : ''} (offset ${exprText(m, d.offsetExpr!, names)})` : '';
        out.push(`  (data (;${i};)${mem} ${stringLit(m.bytes, d.data.start, d.data.end)})`);
    });
    out.push(')');
    return out.join('\n');
}

/**
 * Prints a code fragment (instructions without a function around them, e.g. injected code), one line per
 * instruction, indented two spaces per nesting level. Undecodable bytes end the listing with a comment.
 */
export function printFragment(bytes: Uint8Array, names?: FuncNamer, start = 0, end = bytes.length): string[] {
    const r = new Reader(bytes, start, end);
    const out: string[] = [];
    let depth = 0;
    while (r.pos < end) {
        const at = r.pos;
        try {
            const op = readOp(r);
            const imms = readImms(r, op);
            if (isBlockEnd(op)) depth = Math.max(0, depth - 1);
            out.push(`${'  '.repeat(isMidBlock(op) ? Math.max(0, depth - 1) : depth)}${instrText(op, imms, bytes, r.pos, names)}`);
            if (op.blockLike) depth++;
        } catch (e) {
            out.push(`;; undecodable code at byte ${at - start}: ${(e as Error).message}`);
            break;
        }
    }
    return out;
}
