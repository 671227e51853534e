// Module decoder. Reads every section into plain records and keeps each section's (and each entry's)
// byte range, so the encoder can copy whatever it does not change byte for byte. Function bodies are
// only located here; their locals and instructions are decoded on demand (see bodyLocals / body.ts).

import { Reader, WasmDecodeError } from './reader.js';
import { skipConstExpr } from './instructions.js';
import { readTypeSection, readValType, readVec, type FuncType, type TypeDef, type ValType } from './types.js';

export interface Range { readonly start: number; readonly end: number }

export interface SectionInfo {
    readonly id: number;
    /** Custom sections: their name. */
    readonly name?: string;
    /** Offset of the id byte. */
    readonly start: number;
    /** Offset of the content (after the size LEB). */
    readonly contentStart: number;
    readonly end: number;
}

export interface Limits { readonly min: number; readonly max: number | null; readonly shared: boolean; readonly is64: boolean; readonly pageSizeLog2?: number }
export interface TableType { readonly elem: ValType; readonly limits: Limits; /** init expression (function-references) */ readonly init?: Range }
export interface MemType { readonly limits: Limits }
export interface GlobalType { readonly type: ValType; readonly mutable: boolean }

export type ExternKind = 'func' | 'table' | 'memory' | 'global' | 'tag';
export const EXTERN_KINDS: readonly ExternKind[] = ['func', 'table', 'memory', 'global', 'tag'];

export type ImportDesc =
    | { readonly kind: 'func'; readonly type: number }
    | { readonly kind: 'table'; readonly table: TableType }
    | { readonly kind: 'memory'; readonly memory: MemType }
    | { readonly kind: 'global'; readonly global: GlobalType }
    | { readonly kind: 'tag'; readonly type: number };
export interface Import extends Range { readonly module: string; readonly name: string; readonly desc: ImportDesc }
export interface Global extends Range { readonly type: GlobalType; readonly init: Range }
export interface Export extends Range { readonly name: string; readonly kind: ExternKind; readonly index: number }

export interface ElemSegment extends Range {
    /** Encoding flags 0-7. */
    readonly flags: number;
    readonly mode: 'active' | 'passive' | 'declarative';
    readonly table: number;
    readonly offsetExpr: Range | null;
    readonly elemType: ValType;
    /** Flags 0-3: function indices and where each is encoded. */
    readonly funcs: readonly number[] | null;
    readonly funcRanges: readonly Range[] | null;
    /** Flags 4-7: one constant expression per element. */
    readonly exprs: readonly Range[] | null;
}

export interface DataSegment extends Range {
    readonly mode: 'active' | 'passive';
    readonly memory: number;
    readonly offsetExpr: Range | null;
    readonly data: Range;
}

export interface FuncBody {
    /** Function index (imports counted). */
    readonly func: number;
    /** Offset of the body's size LEB. */
    readonly start: number;
    /** Offset of the body content (locals), the origin of `pc`. */
    readonly contentStart: number;
    readonly end: number;
}

export interface NameMap { module?: string; funcs: Map<number, string>; locals: Map<number, Map<number, string>> }

export interface WasmModule {
    readonly bytes: Uint8Array;
    readonly sections: readonly SectionInfo[];
    readonly types: readonly TypeDef[];
    readonly imports: readonly Import[];
    /** Type index of every function, imports first. */
    readonly funcTypes: readonly number[];
    readonly numImportedFuncs: number;
    /** Every table / memory / global / tag, imports first. */
    readonly tables: readonly TableType[];
    readonly memories: readonly MemType[];
    readonly globals: readonly GlobalType[];
    readonly tags: readonly number[];
    readonly numImportedTables: number;
    readonly numImportedMemories: number;
    readonly numImportedGlobals: number;
    readonly numImportedTags: number;
    /** Defined (non-imported) globals with their init expressions. */
    readonly definedGlobals: readonly Global[];
    readonly exports: readonly Export[];
    readonly start: number | null;
    readonly elements: readonly ElemSegment[];
    readonly dataCount: number | null;
    /** Bodies of the defined functions, in order (bodies[i].func === numImportedFuncs + i). */
    readonly bodies: readonly FuncBody[];
    readonly data: readonly DataSegment[];
    readonly names: NameMap;
}

const SECTION_ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };
export const SECTION_NAMES: Record<number, string> = {
    0: 'custom', 1: 'type', 2: 'import', 3: 'function', 4: 'table', 5: 'memory', 6: 'global', 7: 'export',
    8: 'start', 9: 'element', 10: 'code', 11: 'data', 12: 'data count', 13: 'tag',
};

function readLimits(r: Reader, memory: boolean): Limits {
    const at = r.pos;
    const flags = r.u8('limits flags');
    if (flags > (memory ? 0x0f : 0x07)) r.fail('limits flags', `unknown flags 0x${flags.toString(16)}`, at);
    const is64 = (flags & 4) !== 0;
    const read = () => (is64 ? r.u64('a 64-bit limit') : r.u32('a limit'));
    const min = read();
    const max = flags & 1 ? read() : null;
    const pageSizeLog2 = flags & 8 ? r.u32('a page size') : undefined;
    return { min, max, shared: (flags & 2) !== 0, is64, pageSizeLog2 };
}

function readTableType(r: Reader): TableType {
    const elem = readValType(r);
    return { elem, limits: readLimits(r, false) };
}

function readGlobalType(r: Reader): GlobalType {
    const type = readValType(r);
    const at = r.pos;
    const m = r.u8('a mutability flag');
    if (m > 1) r.fail('mutability 0 or 1', undefined, at);
    return { type, mutable: m === 1 };
}

function readExternKind(r: Reader): ExternKind {
    const at = r.pos;
    const k = r.u8('an external kind');
    const kind = EXTERN_KINDS[k];
    if (!kind) r.fail('an external kind 0-4', `got ${k}`, at);
    return kind;
}

function readElemKindOrType(r: Reader, flags: number): ValType {
    if (flags & 4) return readValType(r);
    const at = r.pos;
    if (r.u8('an element kind') !== 0) r.fail('element kind 0x00 (funcref)', undefined, at);
    return 'funcref';
}

function readElem(r: Reader): ElemSegment {
    const start = r.pos;
    const flags = r.u32('element segment flags');
    if (flags > 7) r.fail('element segment flags 0-7', `got ${flags}`, start);
    const passiveOrDecl = (flags & 1) !== 0;
    const explicitTable = (flags & 2) !== 0;
    const mode = !passiveOrDecl ? 'active' : explicitTable ? 'declarative' : 'passive';
    let table = 0, offsetExpr: Range | null = null;
    if (!passiveOrDecl) {
        if (explicitTable) table = r.u32('a table index');
        offsetExpr = skipConstExpr(r);
    }
    // flags 0 and 4 have no element kind/type byte: funcref implied.
    const elemType = (flags & 3) === 0 ? 'funcref' : readElemKindOrType(r, flags);
    let funcs: number[] | null = null, funcRanges: Range[] | null = null, exprs: Range[] | null = null;
    if (flags & 4) {
        exprs = readVec(r, skipConstExpr, 'element expressions');
    } else {
        funcRanges = [];
        const ranges = funcRanges;
        funcs = readVec(r, (rr) => { const s = rr.pos; const f = rr.u32('a function index'); ranges.push({ start: s, end: rr.pos }); return f; }, 'element function indices');
    }
    return { start, end: r.pos, flags, mode, table, offsetExpr, elemType, funcs, funcRanges, exprs };
}

function readData(r: Reader): DataSegment {
    const start = r.pos;
    const flags = r.u32('data segment flags');
    if (flags > 2) r.fail('data segment flags 0-2', `got ${flags}`, start);
    let memory = 0, offsetExpr: Range | null = null;
    if (flags === 2) memory = r.u32('a memory index');
    if (flags !== 1) offsetExpr = skipConstExpr(r);
    const len = r.u32('a data length');
    const ds = r.pos;
    r.skip(len, 'data bytes');
    return { start, end: r.pos, mode: flags === 1 ? 'passive' : 'active', memory, offsetExpr, data: { start: ds, end: r.pos } };
}

/** Parses the `name` custom section; a malformed one is ignored (engines ignore it too). */
function readNames(bytes: Uint8Array, start: number, end: number, into: NameMap): void {
    try {
        const r = new Reader(bytes, start, end);
        while (!r.atEnd) {
            const id = r.u8();
            const size = r.u32();
            const subEnd = r.pos + size;
            if (subEnd > end) return;
            const sr = new Reader(bytes, r.pos, subEnd);
            if (id === 0) into.module = sr.name();
            else if (id === 1) {
                const n = sr.u32();
                for (let i = 0; i < n; i++) { const idx = sr.u32(); into.funcs.set(idx, sr.name()); }
            } else if (id === 2) {
                const n = sr.u32();
                for (let i = 0; i < n; i++) {
                    const f = sr.u32();
                    const m = new Map<number, string>();
                    const k = sr.u32();
                    for (let j = 0; j < k; j++) { const idx = sr.u32(); m.set(idx, sr.name()); }
                    into.locals.set(f, m);
                }
            }
            r.pos = subEnd;
        }
    } catch (e) {
        if (!(e instanceof WasmDecodeError)) throw e;
    }
}

/** The four bytes every binary module starts with (`\0asm`). */
export const WASM_MAGIC: readonly number[] = [0x00, 0x61, 0x73, 0x6d];

/** True when `bytes` starts with the binary module magic number. */
export function hasWasmMagic(bytes: Uint8Array): boolean {
    return bytes.length >= 4 && WASM_MAGIC.every((b, i) => bytes[i] === b);
}

/** Decodes a module. Throws WasmDecodeError (with the offset) on malformed input. */
export function decodeModule(input: Uint8Array | ArrayBuffer): WasmModule {
    const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
    const r = new Reader(bytes);
    if (bytes.length < 8) r.fail('the 8-byte wasm header', `only ${bytes.length} bytes`, 0);
    if (!hasWasmMagic(bytes)) r.fail('the magic number \\0asm', undefined, 0);
    if (bytes[4] !== 1 || bytes[5] !== 0 || bytes[6] !== 0 || bytes[7] !== 0) r.fail('version 1', 'components and other versions are not supported', 4);
    r.pos = 8;

    const sections: SectionInfo[] = [];
    let types: TypeDef[] = [];
    const imports: Import[] = [];
    const funcTypes: number[] = [];
    const tables: TableType[] = [], memories: MemType[] = [], globals: GlobalType[] = [], tags: number[] = [];
    const definedGlobals: Global[] = [];
    let exports: Export[] = [];
    let start: number | null = null;
    let elements: ElemSegment[] = [];
    let dataCount: number | null = null;
    const bodies: FuncBody[] = [];
    let data: DataSegment[] = [];
    const names: NameMap = { funcs: new Map(), locals: new Map() };
    let numImportedFuncs = 0, numImportedTables = 0, numImportedMemories = 0, numImportedGlobals = 0, numImportedTags = 0;
    let declaredFuncs = -1;
    let funcSectionAt = 8;
    let lastOrder = 0;

    while (!r.atEnd) {
        const secStart = r.pos;
        const id = r.u8('a section id');
        const size = r.u32('a section size');
        const contentStart = r.pos;
        const end = contentStart + size;
        if (end > bytes.length) r.fail(`a section of ${size} bytes`, `only ${bytes.length - contentStart} bytes left`, secStart);
        const s = new Reader(bytes, contentStart, end);
        if (id !== 0) {
            const order = SECTION_ORDER[id];
            if (!order) s.fail('a known section id', `got ${id}`, secStart);
            if (order <= lastOrder) s.fail('sections in the standard order', `${SECTION_NAMES[id]} section out of order or repeated`, secStart);
            lastOrder = order;
        }
        let name: string | undefined;
        switch (id) {
            case 0:
                name = s.name('a custom section name');
                if (name === 'name') readNames(bytes, s.pos, end, names);
                s.pos = end;
                break;
            case 1: types = readTypeSection(s); break;
            case 2: {
                const n = s.u32('an import count');
                for (let i = 0; i < n; i++) {
                    const is = s.pos;
                    const module = s.name('an import module name');
                    const nm = s.name('an import name');
                    const kind = readExternKind(s);
                    let desc: ImportDesc;
                    switch (kind) {
                        case 'func': desc = { kind, type: s.u32('a type index') }; funcTypes.push(desc.type); numImportedFuncs++; break;
                        case 'table': desc = { kind, table: readTableType(s) }; tables.push(desc.table); numImportedTables++; break;
                        case 'memory': desc = { kind, memory: { limits: readLimits(s, true) } }; memories.push(desc.memory); numImportedMemories++; break;
                        case 'global': desc = { kind, global: readGlobalType(s) }; globals.push(desc.global); numImportedGlobals++; break;
                        case 'tag': {
                            const at = s.pos;
                            if (s.u8('a tag attribute') !== 0) s.fail('tag attribute 0', undefined, at);
                            desc = { kind, type: s.u32('a type index') }; tags.push(desc.type); numImportedTags++; break;
                        }
                    }
                    imports.push({ start: is, end: s.pos, module, name: nm, desc });
                }
                break;
            }
            case 3: {
                funcSectionAt = contentStart;
                const fs = readVec(s, (rr) => rr.u32('a type index'), 'function type indices');
                declaredFuncs = fs.length;
                for (const f of fs) funcTypes.push(f); // a spread of 10^5+ arguments overflows the stack
                break;
            }
            case 4: {
                const n = s.u32('a table count');
                for (let i = 0; i < n; i++) {
                    if (s.bytes[s.pos] === 0x40) {
                        s.pos++;
                        const at = s.pos;
                        if (s.u8('a reserved byte') !== 0) s.fail('0x00 after 0x40 in a table with initialiser', undefined, at);
                        const t = readTableType(s);
                        tables.push({ ...t, init: skipConstExpr(s) });
                    } else tables.push(readTableType(s));
                }
                break;
            }
            case 5: for (const m of readVec(s, (rr) => ({ limits: readLimits(rr, true) }), 'memories')) memories.push(m); break;
            case 13: {
                const n = s.u32('a tag count');
                for (let i = 0; i < n; i++) {
                    const at = s.pos;
                    if (s.u8('a tag attribute') !== 0) s.fail('tag attribute 0', undefined, at);
                    tags.push(s.u32('a type index'));
                }
                break;
            }
            case 6: {
                const n = s.u32('a global count');
                for (let i = 0; i < n; i++) {
                    const gs = s.pos;
                    const type = readGlobalType(s);
                    const init = skipConstExpr(s);
                    globals.push(type);
                    definedGlobals.push({ start: gs, end: s.pos, type, init });
                }
                break;
            }
            case 7:
                exports = readVec(s, (rr) => {
                    const es = rr.pos;
                    const nm = rr.name('an export name');
                    const kind = readExternKind(rr);
                    return { start: es, name: nm, kind, index: rr.u32('an export index'), end: rr.pos };
                }, 'exports');
                break;
            case 8: start = s.u32('the start function index'); break;
            case 9: elements = readVec(s, readElem, 'element segments'); break;
            case 12: dataCount = s.u32('the data count'); break;
            case 10: {
                const n = s.u32('a function body count');
                if (n !== Math.max(declaredFuncs, 0)) s.fail(`${Math.max(declaredFuncs, 0)} function bodies (as declared by the function section)`, `got ${n}`, contentStart);
                for (let i = 0; i < n; i++) {
                    const bs = s.pos;
                    const bsize = s.u32('a function body size');
                    const cs = s.pos;
                    s.skip(bsize, 'a function body');
                    bodies.push({ func: numImportedFuncs + i, start: bs, contentStart: cs, end: s.pos });
                }
                break;
            }
            case 11: data = readVec(s, readData, 'data segments'); break;
        }
        if (s.pos !== end) s.fail(`the ${SECTION_NAMES[id]} section to end at offset ${end}`, `decoding stopped at ${s.pos}`);
        sections.push({ id, name, start: secStart, contentStart, end });
        r.pos = end;
    }
    if (declaredFuncs > 0 && bodies.length === 0) r.fail(`a code section with ${declaredFuncs} bodies`, 'the module ended without one');
    // Type indices of functions are checked once all sections are read (imports precede the type check).
    for (const t of funcTypes) {
        if (t >= types.length) r.fail(`a type index below ${types.length}`, `function type index ${t}`, funcSectionAt);
        if (types[t].comp.kind !== 'func') r.fail('a function type for every function', `type ${t} is a ${types[t].comp.kind}`, funcSectionAt);
    }

    return {
        bytes, sections, types, imports, funcTypes, numImportedFuncs, tables, memories, globals, tags,
        numImportedTables, numImportedMemories, numImportedGlobals, numImportedTags, definedGlobals, exports,
        start, elements, dataCount, bodies, data, names,
    };
}

// ---- queries used by the typing pass, the engine and the catalog variables ----

/** The function type of function `f` (imports counted). */
export function funcType(m: WasmModule, f: number): FuncType {
    const t = m.types[m.funcTypes[f]]?.comp;
    if (!t || t.kind !== 'func') throw new Error(`function ${f} has no function type`);
    return t;
}

export function blockFuncType(m: WasmModule, typeIndex: number): FuncType {
    const t = m.types[typeIndex]?.comp;
    if (!t || t.kind !== 'func') throw new Error(`type ${typeIndex} is not a function type`);
    return t;
}

/** Name-section name of a function, or '' (what Whamm's `fname` binds). */
export function funcName(m: WasmModule, f: number): string {
    return m.names.funcs.get(f) ?? '';
}

/** The import entry of an imported function, or undefined for a defined one. */
export function funcImport(m: WasmModule, f: number): Import | undefined {
    if (f >= m.numImportedFuncs) return undefined;
    let k = 0;
    for (const imp of m.imports) if (imp.desc.kind === 'func' && k++ === f) return imp;
    return undefined;
}

export interface LocalGroup { readonly count: number; readonly type: ValType }

/** Decodes the local declarations of a body: the groups, all locals (params first) and where code starts. */
export function bodyLocals(m: WasmModule, body: FuncBody): { groups: LocalGroup[]; locals: ValType[]; codeStart: number } {
    const r = new Reader(m.bytes, body.contentStart, body.end);
    const groups: LocalGroup[] = [];
    const locals: ValType[] = [...funcType(m, body.func).params];
    const n = r.u32('a local declaration count');
    if (n > body.end - r.pos) r.fail('local declarations', 'count exceeds the body');
    for (let i = 0; i < n; i++) {
        const at = r.pos;
        const count = r.u32('a local count');
        const type = readValType(r);
        if (locals.length + count > 50000) r.fail('at most 50000 locals', `got ${locals.length + count}`, at);
        groups.push({ count, type });
        for (let j = 0; j < count; j++) locals.push(type);
    }
    return { groups, locals, codeStart: r.pos };
}

/** The body of function `f`, or undefined for an import. */
export function bodyOf(m: WasmModule, f: number): FuncBody | undefined {
    return m.bodies[f - m.numImportedFuncs];
}

/** Index type of memory `i` (memory64 uses i64 addresses). */
export function memIndexType(m: WasmModule, i: number): 'i32' | 'i64' {
    return m.memories[i]?.limits.is64 ? 'i64' : 'i32';
}
export function tableIndexType(m: WasmModule, i: number): 'i32' | 'i64' {
    return m.tables[i]?.limits.is64 ? 'i64' : 'i32';
}

