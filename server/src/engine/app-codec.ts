// Adapter between the wasm decoder/encoder (server/src/wasm) and the engine's view of the app.
import { bodyLocals, decodeModule, funcName, funcType, type FuncBody, type WasmModule } from '../wasm/decode.js';
import { InstrCursor, type BrTable, type Imm, type MemArg } from '../wasm/instructions.js';
import { typeBody } from '../wasm/typing.js';
import { OPCODES } from '../wasm/opcodes.js';
import { ByteWriter } from '../wasm/encode.js';
import { OP } from '../wasm/op.generated.js';
import { joinParts, moduleBytes, ModuleRewriter, type CodeBuilder, type EncodedBodies, type ModuleBytes, type ModulePart } from '../wasm/rewrite.js';
import type { AppFunction, AppInstr, AppModule } from './app.js';
import type { ValType } from './types.js';

export interface NewGlobal { type: ValType; mutable: boolean; /** i64 bit pattern of the initial value. */ init: bigint }
export interface NewFunction { params: ValType[]; results: ValType[]; locals: ValType[]; /** instructions, ending with `end` */ body: Uint8Array }

export interface NewImport { module: string; name: string; params: ValType[]; results: ValType[] }

export interface BodyEditPlan { extraLocals: ValType[]; code: CodeBuilder }

export interface ModulePlan {
    /** Function imports added before the app's defined functions (they shift their indices). */
    imports: NewImport[];
    globals: NewGlobal[];
    /** Memories appended after the app's (their minimum size in 64 KiB pages). */
    memories?: number[];
    functions: NewFunction[];
    exports: { name: string; kind: 'func' | 'global' | 'memory'; index: number }[];
    /** fid (original index) -> the edited body. */
    bodies: Map<number, BodyEditPlan>;
    /** Their content may be given in pieces. */
    customSections: { name: string; bytes: Uint8Array | readonly Uint8Array[] }[];
}

export interface DecodedApp extends AppModule {
    module: WasmModule;
    exportFunc(name: string): number | undefined;
}

export function decodeApp(bytes: Uint8Array): DecodedApp {
    const m = decodeModule(bytes);
    const importedFuncs = m.imports.filter(i => i.desc.kind === 'func').map((i, k) => ({
        fid: k, module: i.module, name: i.name, typeIndex: (i.desc as { type: number }).type,
    }));
    const types = new TypesOfOne(m);
    const functions: AppFunction[] = m.bodies.map(b => new DecodedFunction(m, b, types));
    const exportNames = new Set(m.exports.map(e => e.name));
    return {
        module: m, bytes, importedFuncs, functions,
        funcCount: m.funcTypes.length, globalCount: m.globals.length,
        memories: m.memories.map(mt => ({ pageSize: 2 ** (mt.limits.pageSizeLog2 ?? 16), initialPages: mt.limits.min })),
        funcName: f => funcName(m, f),
        funcType: f => { const t = funcType(m, f); return { params: [...t.params] as ValType[], results: [...t.results] as ValType[] }; },
        startFunction: m.start ?? undefined,
        exportNames,
        exportFunc: name => m.exports.find(e => e.kind === 'func' && e.name === name)?.index,
    };
}

/**
 * The types of one function at a time (the one being instrumented): a big module has hundreds of
 * thousands of functions, and arrays for each, kept from decoding to the end, would outweigh the rest.
 */
class TypesOfOne {
    private fid = -1;
    params: ValType[] = [];
    results: ValType[] = [];
    locals: ValType[] = [];
    constructor(private readonly m: WasmModule) {}

    of(b: FuncBody): { params: ValType[]; results: ValType[]; locals: ValType[] } {
        if (this.fid !== b.func) {
            const t = funcType(this.m, b.func);
            this.params = [...t.params] as ValType[];
            this.results = [...t.results] as ValType[];
            this.locals = bodyLocals(this.m, b).locals as ValType[];
            this.fid = b.func;
        }
        return this;
    }
}

/** An app function: offsets kept, name and types looked up when asked for. */
class DecodedFunction implements AppFunction {
    readonly fid: number;
    readonly codeStart: number;
    constructor(private readonly m: WasmModule, private readonly b: FuncBody, private readonly types: TypesOfOne) {
        this.fid = b.func;
        this.codeStart = bodyLocals(m, b).codeStart;
    }
    get name(): string { return funcName(this.m, this.fid); }
    get typeIndex(): number { return this.m.funcTypes[this.fid]; }
    get params(): ValType[] { return this.types.of(this.b).params; }
    get results(): ValType[] { return this.types.of(this.b).results; }
    get locals(): ValType[] { return this.types.of(this.b).locals; }
    get bodyStart(): number { return this.b.contentStart; }
    get bodyEnd(): number { return this.b.end; }
    get entryStart(): number { return this.b.start; }
    instrs(typed?: boolean): Iterable<AppInstr> {
        return typed ? typedInstrsOf(this.m, this.fid) : instrsOf(this.m, this.fid, this.b.contentStart, this.codeStart, this.b.end);
    }
}

const NO_IMMS: (number | bigint)[] = [];

/**
 * One reused record per walk: the walker points it at each instruction (at()); immediates are decoded on
 * demand (detail()), from wherever the subclass reads them.
 */
abstract class LazyInstr implements AppInstr {
    op!: AppInstr['op'];
    start = 0;
    end = 0;
    pc = 0;
    opidx = 0;
    imms: (number | bigint)[] = NO_IMMS;
    args: ValType[] | undefined = undefined;
    results: ValType[] | undefined = undefined;
    memarg: AppInstr['memarg'] = undefined;
    brTable: AppInstr['brTable'] = undefined;
    exitsFunction = false;
    callee: number | undefined = undefined;
    atFuncEnd = false;
    decoded = false;

    /** Points the record at an instruction; what detail() fills is cleared. */
    at(op: AppInstr['op'], start: number, end: number, pc: number, opidx: number, exitsFunction: boolean, atFuncEnd: boolean): void {
        this.op = op; this.start = start; this.end = end; this.pc = pc; this.opidx = opidx;
        this.exitsFunction = exitsFunction; this.atFuncEnd = atFuncEnd;
        this.decoded = false; this.imms = NO_IMMS; this.memarg = undefined; this.brTable = undefined; this.callee = undefined;
    }

    detail(): void {
        if (this.decoded) return;
        this.decoded = true;
        const d = describe(this.op, this.op.imms.length ? this.immediates() : [], this.start, this.end, this.pc, this.opidx, { depth: -1 }, undefined, undefined);
        this.imms = d.imms; this.memarg = d.memarg; this.brTable = d.brTable; this.callee = d.callee;
    }

    /** The current instruction's raw immediates (only asked for when it has some). */
    protected abstract immediates(): readonly Imm[];
}

/** The record of a decoding walk: immediates come from the cursor, which stands at the instruction. */
class CursorInstr extends LazyInstr {
    constructor(private readonly c: InstrCursor) { super(); }
    protected immediates(): readonly Imm[] { return this.c.immediates(); }
}

function* instrsOf(m: WasmModule, fid: number, contentStart: number, codeStart: number, end: number): Generator<AppInstr> {
    void fid;
    const c = new InstrCursor(m.bytes, codeStart, end, contentStart);
    const ins = new CursorInstr(c);
    let depth = 0;
    while (c.next()) {
        const op = c.op;
        const exits = op.category === 'branch' && (op.name === 'br' || op.name === 'br_if') && (c.immediates()[0] as number) === depth;
        if (op.blockLike) depth++;
        const atFuncEnd = op.name === 'end' && depth === 0;
        if (op.name === 'end' && depth > 0) depth--;
        ins.at(op, c.offset, c.end, c.pc, c.opidx, exits, atFuncEnd);
        yield ins;
    }
}

/**
 * A function's untyped walk recorded once into arrays (about 15 bytes an instruction) and replayed: for a
 * caller that walks the same app again and again (the language server's preview, once per edit), the
 * replay skips decoding. It yields the same records as f.instrs(false), one reused object per walk.
 */
export function recordedWalk(m: WasmModule, f: AppFunction): { instrs: () => Iterable<AppInstr>; count: number } {
    const ops: number[] = [], starts: number[] = [], ends: number[] = [], pcs: number[] = [], flags: number[] = [];
    for (const ins of f.instrs(false)) {
        ops.push(ins.op.index); starts.push(ins.start); ends.push(ins.end); pcs.push(ins.pc);
        flags.push((ins.exitsFunction ? 1 : 0) | (ins.atFuncEnd ? 2 : 0));
    }
    const op = Uint16Array.from(ops), start = Int32Array.from(starts), end = Int32Array.from(ends), pc = Int32Array.from(pcs), flag = Uint8Array.from(flags);
    const n = op.length, pcBase = f.bodyStart;
    function* replay(): Generator<AppInstr> {
        const ins = new ReplayInstr(m.bytes, pcBase);
        for (let i = 0; i < n; i++) {
            ins.at(OPCODES[op[i]], start[i], end[i], pc[i], i, (flag[i] & 1) !== 0, (flag[i] & 2) !== 0);
            yield ins;
        }
    }
    return { instrs: replay, count: n };
}

/** The record of a replayed walk: immediates decoded from the instruction's bytes. */
class ReplayInstr extends LazyInstr {
    constructor(private readonly bytes: Uint8Array, private readonly pcBase: number) { super(); }
    protected immediates(): readonly Imm[] {
        const c = new InstrCursor(this.bytes, this.start, this.end, this.pcBase);
        c.next();
        return c.immediates();
    }
}

function* typedInstrsOf(m: WasmModule, fid: number): Generator<AppInstr> {
    const t = typeBody(m, fid);
    const st = { depth: 0 };
    for (let i = 0; i < t.instrs.length; i++) {
        const ins = t.instrs[i];
        const args = t.operands[i] as ValType[];
        const results = t.results[i] as ValType[];
        const known = !t.unreachable[i] && !args.includes('unknown' as ValType) && !results.includes('unknown' as ValType);
        yield describe(ins.op, ins.imms, ins.offset, ins.end, ins.pc, ins.opidx, st, known ? args : undefined, known ? results : undefined);
    }
}

const noop = (): void => undefined;

function describe(op: AppInstr['op'], raw: readonly Imm[], start: number, end: number, pc: number, opidx: number,
    st: { depth: number }, args: ValType[] | undefined, results: ValType[] | undefined): AppInstr {
    const imms: (number | bigint)[] = [];
    let memarg: AppInstr['memarg'];
    let brTable: AppInstr['brTable'];
    let callee: number | undefined;
    for (const x of raw) {
        if (typeof x === 'number' || typeof x === 'bigint') imms.push(x);
        else if (x && typeof x === 'object' && 'offset' in x && 'align' in x) {
            const ma = x as MemArg;
            memarg = { align: ma.align, offset: BigInt(ma.offset), memory: ma.memory };
            imms.push(ma.align, BigInt(ma.offset));
        } else if (x && typeof x === 'object' && 'labels' in x) {
            const bt = x as BrTable;
            brTable = { targets: [...bt.labels], default: bt.default };
            imms.push(...bt.labels, bt.default);
        }
    }
    if (op.name === 'call' || op.name === 'return_call') callee = raw[0] as number;
    let exitsFunction = false;
    if (op.name === 'br' || op.name === 'br_if') exitsFunction = (raw[0] as number) === st.depth;
    if (op.blockLike) st.depth++;
    const atFuncEnd = op.name === 'end' && st.depth === 0;
    if (op.name === 'end' && st.depth > 0) st.depth--;
    return { op, start, end, pc, opidx, imms, args, results, memarg, brTable, callee, exitsFunction, atFuncEnd, detail: noop };
}

/**
 * Where the code section's entries wait while the module is instrumented (a big module's code is tens of
 * MB): `write` takes each full chunk (a view, valid during the call), `pieces` gives them back in order,
 * once, when the module is assembled. Without one they wait in memory.
 */
export interface CodeSpill {
    write(bytes: Uint8Array): void;
    pieces(): Iterable<Uint8Array>;
}

/** Size of the chunks the code section's entries are gathered in. */
export const CODE_CHUNK_BYTES = 4 << 20;

/**
 * Assembles the instrumented module with the wasm layer's ModuleRewriter: unchanged sections and bodies are
 * copied, edited bodies are original code ranges interleaved with probe code, and imports, globals,
 * functions, exports and custom sections are appended (imports first: they shift defined functions).
 * Each function's code section entry is encoded as soon as the function is done (body(), in function
 * order), so no edited body is kept until the end; entries gather in chunks, handed to `spill` if given.
 */
export class ModuleAssembler {
    private readonly rw: ModuleRewriter;
    private readonly m: WasmModule;
    private chunk: ByteWriter;
    private readonly scratch = new ByteWriter(1 << 16);
    private readonly kept: Uint8Array[] = [];
    private next = 0;
    private size = 0;
    private edited = false;

    constructor(app: AppModule, imports: readonly NewImport[], private readonly spill?: CodeSpill, private readonly chunkBytes = CODE_CHUNK_BYTES) {
        this.m = (app as DecodedApp).module;
        this.rw = new ModuleRewriter(this.m);
        imports.forEach((imp, k) => {
            const idx = this.rw.addFuncImport(imp.module, imp.name, this.rw.addFuncType(imp.params, imp.results));
            if (idx !== this.m.numImportedFuncs + k) throw new Error('import index mismatch');
        });
        this.chunk = new ByteWriter(Math.min(chunkBytes, 1 << 16) + 1024);
    }

    /** The entry of the app's function `fid` (the next one in order), edited by `edit` or as it was. */
    body(fid: number, edit: BodyEditPlan | undefined): void {
        const m = this.m;
        if (fid !== m.numImportedFuncs + this.next) throw new Error(`function ${fid} encoded out of order`);
        this.next++;
        if (edit) this.edited = true;
        this.rw.encodeBody(fid, edit && { extraLocals: edit.extraLocals, code: edit.code }, this.chunk, this.scratch);
        if (this.chunk.len >= this.chunkBytes) this.flush();
    }

    private flush(): void {
        const c = this.chunk;
        if (!c.len) return;
        this.size += c.len;
        if (this.spill) this.spill.write(c.finish());
        else this.kept.push(c.buf.slice(0, c.len));
        c.reset();
    }

    /** The module, with what the plan adds. Every function's body() must have been given. */
    finish(plan: Omit<ModulePlan, 'imports' | 'bodies'>): Uint8Array {
        return joinParts(this.finishParts(plan));
    }

    /** finish()'s module in parts, never joined (the input's bytes and the spill are read as it is written). */
    finishModule(plan: Omit<ModulePlan, 'imports' | 'bodies'>): ModuleBytes {
        return moduleBytes(this.finishParts(plan));
    }

    private finishParts(plan: Omit<ModulePlan, 'imports' | 'bodies'>): ModulePart[] {
        const m = this.m, rw = this.rw;
        for (const g of plan.globals) rw.addGlobal(g.type, g.mutable, constExpr(g));
        for (const pages of plan.memories ?? []) rw.addMemory(pages);
        plan.functions.forEach((f, k) => {
            const idx = rw.addFunction(rw.addFuncType(f.params, f.results), f.locals, f.body);
            if (idx !== m.funcTypes.length + rw.addedImports + k) throw new Error('function index mismatch');
        });
        for (const e of plan.exports) rw.addExport(e.name, e.kind, e.index);
        for (const c of plan.customSections) rw.addCustomSection(c.name, c.bytes);
        this.flush();
        return rw.emitParts(this.encoded());
    }

    /** The entries encoded so far (a closure over nothing else: the module's parts may outlive the rest). */
    private encoded(): EncodedBodies {
        const kept = this.kept, spill = this.spill;
        return { count: this.next, size: this.size, edited: this.edited, pieces: () => spill ? spill.pieces() : kept };
    }
}

/** The module assembled in one go (see ModuleAssembler). */
export function encodeModule(app: AppModule, plan: ModulePlan): Uint8Array {
    const asm = new ModuleAssembler(app, plan.imports);
    for (const b of (app as DecodedApp).module.bodies) asm.body(b.func, plan.bodies.get(b.func));
    return asm.finish(plan);
}

const ZERO_INITS = new Map<string, Uint8Array>();

function constExpr(g: NewGlobal): Uint8Array {
    if (g.init === 0n) {
        let z = ZERO_INITS.get(g.type);
        if (!z) ZERO_INITS.set(g.type, z = constExprOf(g));
        return z;
    }
    return constExprOf(g);
}

function constExprOf(g: NewGlobal): Uint8Array {
    const w = new ByteWriter(16);
    const f64 = () => new Float64Array(new BigInt64Array([g.init]).buffer)[0];
    switch (g.type) {
        case 'i32': w.op(OP.i32_const).s32(Number(BigInt.asIntN(32, g.init))); break;
        case 'i64': w.op(OP.i64_const).s64(g.init); break;
        case 'f32': w.op(OP.f32_const).f32(f64()); break;
        case 'f64': w.op(OP.f64_const).f64(f64()); break;
        default: throw new Error(`cannot add a global of type ${g.type}`);
    }
    return w.op(OP.end).finish().slice();
}
