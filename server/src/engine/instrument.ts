// The instrumenter: (app.wasm, script.mm) -> instrumented app.wasm, report layout and site table.
//
// State lives in mutable globals appended to the module (the app cannot touch them, and Node 20 has no
// multi-memory): one per script global, one per per-site variable and match site. Probe code is inlined
// at each site; its scratch locals are appended to the function (shared by all sites of the function,
// since probe bodies never overlap in time). Script functions, report readers, the wasm:end function and
// the start-up function are appended after the app's functions, so no app function index changes.
import { parseScript } from '../language/parse.js';
import type { Statement, TypeRef, VarDecl } from '../language/generated/ast.js';
import { findBoundVar, opcodeEvent } from '../catalog/index.js';
import type { AppFunction, AppInstr, AppModule } from './app.js';
import { type DecodedApp, decodeApp, encodeModule, type BodyEditPlan, type NewFunction, type NewGlobal, type NewImport, type ModulePlan } from './app-codec.js';
import { CodeBuilder } from '../wasm/rewrite.js';
import { OPCODES } from '../wasm/opcodes.js';
import { constOffset } from '../wasm/instructions.js';
import { Compiler, CompileError, type Binding, type CompileHost, type SiteEnv, emitBinary, emitConst, type PV } from './compile.js';
import { CodeWriter, OP, RefKind, type Template, place, placeInto, placedSize, valTypeByte } from './emit.js';
import { boundAccepts, indexProbes, type OpcodeProbe, type ProbeIndex } from './probes-at-site.js';
import { siteSlots } from './tuples.js';
import { canRelabel, depthAt, exitingIndices, hasLabels, LabelShifts, relabel, underTableIndex } from './branch-targets.js';
import { blockSignature, type BlockSignature, drops, numericOnly, pushDefaults, simpleBlockType } from './block-signature.js';
import { initialTableContents, resolverBody } from './table-resolver.js';
import { numberScriptGlobals } from './global-numbering.js';
import { BEGIN_EXPORT, END_EXPORT, READER_BATCH, REPORT_SECTION, encodeLayout, type ReportLayout, type ReportVar } from './report-layout.js';
import { RuntimeBuilder } from '../runtime/builder.js';
import { CORE_LIBRARY, instantiateLibrarySync, withCoreLibrary } from '../runtime/libs.js';
import { setStringInterner, stringImportsOf, type StringImport } from './strings.js';
import { APP_MEMORY_EXPORT, RT_IMPORT_MODULE } from '../runtime/spec.js';
import { buildScriptModel, libraryCalls, mapShape, typeText, type ProbeDef, type ScriptModel } from './script.js';
import type { SiteInfo } from './site.js';
import { type Const, type ValType, type WType, constBits, convert, defaultOf, isFloat, isInt, valTypeOf, whammTypeOfVal } from './types.js';

export interface InstrumentInput {
    app: Uint8Array;
    script: string;
    scriptPath?: string;
    userLibs?: Map<string, Uint8Array>;
    /** Export get_<var> for every script global (the reference's --testing). */
    testing?: boolean;
}

export interface SiteRecord {
    fid: number;
    fname: string;
    pc: number;
    opidx: number;
    /** Module offset of the original instruction. */
    offset: number;
    probe: number;
    rule: string;
}

/** Every match site, column by column (a hot monitor on a large app has a million of them). */
export class SiteTable {
    private cols = [new Int32Array(1024), new Int32Array(1024), new Int32Array(1024), new Int32Array(1024), new Int32Array(1024), new Int32Array(1024)];
    private n = 0;
    readonly rules: string[] = [];
    private readonly ruleIds = new Map<string, number>();
    constructor(private readonly fname: (fid: number) => string) {}

    get length(): number { return this.n; }
    get fid(): Int32Array { return this.cols[0].subarray(0, this.n); }
    get pc(): Int32Array { return this.cols[1].subarray(0, this.n); }
    get opidx(): Int32Array { return this.cols[2].subarray(0, this.n); }
    get offset(): Int32Array { return this.cols[3].subarray(0, this.n); }
    get probe(): Int32Array { return this.cols[4].subarray(0, this.n); }
    get ruleId(): Int32Array { return this.cols[5].subarray(0, this.n); }

    ruleIdOf(rule: string): number {
        let r = this.ruleIds.get(rule);
        if (r === undefined) { r = this.rules.length; this.rules.push(rule); this.ruleIds.set(rule, r); }
        return r;
    }

    add(fid: number, pc: number, opidx: number, offset: number, probe: number, rule: string): void {
        this.addWithRuleId(fid, pc, opidx, offset, probe, this.ruleIdOf(rule));
    }

    addWithRuleId(fid: number, pc: number, opidx: number, offset: number, probe: number, ruleId: number): void {
        const c = this.cols;
        if (this.n === c[0].length) {
            for (let k = 0; k < c.length; k++) { const nc = new Int32Array(c[k].length * 2); nc.set(c[k]); c[k] = nc; }
        }
        const i = this.n++;
        c[0][i] = fid; c[1][i] = pc; c[2][i] = opidx; c[3][i] = offset; c[4][i] = probe; c[5][i] = ruleId;
    }

    get(i: number): SiteRecord {
        const c = this.cols;
        return { fid: c[0][i], fname: this.fname(c[0][i]), pc: c[1][i], opidx: c[2][i], offset: c[3][i], probe: c[4][i], rule: this.rules[c[5][i]] };
    }

    *[Symbol.iterator](): Iterator<SiteRecord> {
        for (let i = 0; i < this.n; i++) yield this.get(i);
    }
}

export interface InstrumentResult {
    bytes: Uint8Array;
    layout: ReportLayout;
    sites: SiteTable;
    warnings: string[];
}

export interface ScriptDiagnostic { line: number; column: number; message: string; severity: 'error' | 'warning' }

/** The script has errors; nothing was instrumented. */
export class ScriptError extends Error {
    constructor(readonly diagnostics: ScriptDiagnostic[], readonly file: string) {
        super(diagnostics.map(d => `${file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`).join('\n'));
    }
}

interface CompiledProbe {
    template: Template;
    /** Initial values of the probe's per-site variables at this site. */
    inits: Const[];
    /**
     * An `after` probe reading operands: they are saved before the instruction into locals of these types,
     * which are the template's first locals (see Insertion.pins).
     */
    argsBefore?: ValType[];
    /** Stores the run-time initial values of per-site variables; runs once in the start-up function. */
    startInit?: Template;
}

interface BlockProbeSite { op: OpcodeProbe; site: SiteInfo; rule: string }
/** alt on a block: the probe, the opening's site and operands, and where the replaced code begins. */
interface BlockAlt {
    op: OpcodeProbe; site: SiteInfo; pops: ValType[]; results: ValType[]; opidx: number; pc: number; start: number;
    /** Nesting level of the replaced construct (1 = outermost), for labels leaving it (branch-targets.ts). */
    level: number;
    /** alt on else: the else arm is replaced; the if's signature decides whether an else arm must stay. */
    elseArm?: boolean;
    ifSig?: BlockSignature;
}
interface BlockFrame {
    exit: BlockProbeSite[]; after: BlockProbeSite[];
    /** alt candidates, tried in order at the `end` until one is placed (an if's come before its else's). */
    alts: BlockAlt[];
    /** Module offset of the opening (the if's, for an else). */
    openStart: number;
}

/** Code wrapped around a compiled probe body at one kind of site (part of the code cache key). */
interface TemplateWrap { key: string; apply(t: Template): Template }

interface Insertion {
    /** Index of the instruction in the function; the code goes before it, or after it when `after`. */
    at: number;
    after: boolean;
    /** Module offset the code goes at (the instruction's start, or its end for `after`). */
    cut: number;
    /** alt: the instruction (up to this offset) is replaced by the code. */
    skipTo?: number;
    template: Template;
    siteGlobals: ArrayLike<number>;
    /**
     * The template's first locals are the function's pinned locals with these ids, not pooled scratch: the
     * value lives from one insertion to another (operands saved before a call, read after it), so other
     * probes' scratch code in between must not reuse them.
     */
    pins?: Int32Array;
}

const TABLE_WRITES = new Set(['table.set', 'table.grow', 'table.init', 'table.copy', 'table.fill']);
/** Types scratch locals can have (pooled per type); a typed reference (`ref`) cannot be saved. */
const SCRATCH_ORDER: ValType[] = ['i32', 'i64', 'f32', 'f64', 'v128', 'funcref', 'externref'];
const N_SCRATCH = SCRATCH_ORDER.length;
const NO_GLOBALS = new Int32Array(0);
/** Globals a script-global counter is spread over (see flushSegment). */
const COUNTER_SPREAD = 8;
const INT_KEY: Record<string, number> = { u8: 1, i8: 2, u16: 3, i16: 4, u32: 5, i32: 6, u64: 7, i64: 8 };

export async function instrument(input: InstrumentInput): Promise<InstrumentResult> {
    const file = input.scriptPath ?? 'script.mm';
    const parsed = await parseScript(input.script, file.startsWith('/') ? file : undefined);
    const errors = parsed.diagnostics.filter(d => d.severity === 1);
    if (errors.length) {
        throw new ScriptError(errors.map(d => ({ line: d.range.start.line + 1, column: d.range.start.character + 1, message: typeof d.message === 'string' ? d.message : String((d.message as { value?: string }).value ?? d.message), severity: 'error' })), file);
    }
    const model = buildScriptModel(parsed.script);
    if (model.probes.length === 0) throw new ScriptError([{ line: 1, column: 1, message: 'a script must contain at least one probe', severity: 'error' }], file);
    const app = decodeApp(input.app);
    try {
        return await new Instrumenter(app, model, input).run();
    } catch (e) {
        if (e instanceof CompileError) {
            const pos = e.node?.$cstNode?.range.start;
            throw new ScriptError([{ line: (pos?.line ?? 0) + 1, column: (pos?.character ?? 0) + 1, message: e.message, severity: 'error' }], file);
        }
        throw e;
    }
}

class Instrumenter implements CompileHost {
    private readonly index: ProbeIndex;
    private readonly globals = new Map<string, Binding>();
    private readonly newGlobals: NewGlobal[] = [];
    private readonly newFunctions: NewFunction[] = [];
    private readonly exports: { name: string; kind: 'func' | 'global' | 'memory'; index: number }[] = [];
    /** `more`: a tuple's further leaves (its first is `global`). */
    private readonly reportVars: (ReportVar & { global: number; vt: ValType; more?: { global: number; vt: ValType }[] })[] = [];
    private readonly sites: SiteTable;
    private readonly warnings: string[] = [];
    private readonly scriptFns = new Map<string, { index: number; params: WType[]; result: WType }>();
    private readonly cache = new Map<string, CompiledProbe | null>();
    private readonly uniform = new Map<OpcodeProbe, CompiledProbe | null>();
    private readonly ruleIdCache = new Map<number, number>();
    /** Probes compiled as merged counters (see flushSegment). */
    private readonly counters: ProbeDef[];
    private readonly counterOps: OpcodeProbe[] = [];
    private readonly libs = new Map<string, { instance: WebAssembly.Instance; module: AppModule }>();
    private readonly bodies = new Map<number, BodyEditPlan>();
    private readonly imports: NewImport[] = [];
    private readonly importIndex = new Map<string, number>();
    private readonly funcBase: number;
    /** The runtime contract (maps, strings) shared with server/src/runtime. */
    readonly rt = new RuntimeBuilder();
    private readonly mapImports = new Map<string, string>();

    constructor(readonly app: AppModule, readonly model: ScriptModel, readonly input: InstrumentInput) {
        this.sites = new SiteTable(f => app.funcName(f));
        this.index = indexProbes(model.probes);
        this.needsTypes = model.probes.some(needsStack) || this.index.alt.some(x => x !== undefined) || this.index.blockAlt.some(x => x !== undefined);
        this.counters = model.probes.filter(p => p.counter);
        setStringInterner(str => this.rt.text(str)); // [helper-6] str constants become runtime handles
        this.planImports();
        this.extendSegments = !input.testing && this.imports.length === 0;
        this.funcBase = app.funcCount + this.imports.length;
        for (const u of this.index.unsupported) this.warnings.push(`probe ${u.probe.index} (${u.probe.ast.rule}): ${u.what} is not supported yet; not injected`);
    }

    /** Imports must be known before any code is generated: they shift the app's function indices. */
    private planImports(): void {
        const mapTypes = new Set<string>();
        const addShape = (t: TypeRef) => { const m = mapShape(t); if (m) mapTypes.add(m.typeText); };
        for (const g of this.model.globals) addShape(g.type);
        for (const p of this.model.probes) for (const d of p.siteVars) addShape(d.type);
        for (const t of mapTypes) {
            for (const op of ['get', 'set', 'inc'] as const) {
                let imp;
                try { imp = this.rt.mapImport(op, t); } catch (e) {
                    if (op === 'inc') continue;
                    throw new CompileError(`map type ${t}: ${(e as Error).message}`);
                }
                this.addImport(imp.module, imp.name, imp.params as ValType[], imp.results as ValType[]);
                this.mapImports.set(`${op}\0${t}`, imp.name);
            }
        }
        // [helper-6] run-time string operations (server/src/engine/strings.ts) call whamm:rt.
        for (const name of stringImportsOf(this.model)) {
            const imp = this.rt.stringImport(name);
            this.addImport(imp.module, imp.name, imp.params as ValType[], imp.results as ValType[]);
        }
        for (const [lib, fn, node] of libraryCalls(this.model)) {
            const l = this.library(lib, node);
            const fid = this.exportedFid(l.module, fn);
            if (fid === undefined) throw new CompileError(`library '${lib}' has no function '${fn}'`, node as never);
            const t = l.module.funcType(fid);
            this.addImport(lib, fn, t.params, t.results);
        }
    }

    /** [helper-6] StringHost: function index of a planned whamm:rt string import. */
    stringFunction(name: StringImport): number {
        const i = this.importIndex.get(`${RT_IMPORT_MODULE}\0${name}`);
        if (i === undefined) throw new CompileError(`internal: string function ${name} was not planned`);
        return i;
    }

    /** [helper-6] StringHost: memid(lib). */
    memid(lib: string): number { return this.rt.memid(lib); }

    /** [helper-6] MemoryHost (engine/mem-builtins.ts): data segments for dup_at on memory.init. */
    dataSegment(index: number): Uint8Array | undefined {
        const m = (this.app as Partial<DecodedApp>).module;
        const d = m?.data[index];
        return d && m ? m.bytes.subarray(d.data.start, d.data.end).slice() : undefined;
    }

    /** [helper-6] MemoryHost: span of the active data segments of memory `mem` with i32.const offsets. */
    activeData(mem: number): { start: number; len: number } {
        const m = (this.app as Partial<DecodedApp>).module;
        let start = Infinity, end = 0;
        for (const d of m?.data ?? []) {
            if (d.mode !== 'active' || d.memory !== mem || !d.offsetExpr) continue;
            const v = constOffset(m!.bytes, d.offsetExpr.start, d.offsetExpr.end);
            if (v === null) continue;
            const len = d.data.end - d.data.start;
            start = Math.min(start, v);
            end = Math.max(end, v + len);
        }
        return start === Infinity ? { start: 0, len: 0 } : { start, len: end - start };
    }

    /** [helper-6] MemoryHost: a byte string in the runtime's table. */
    bytesHandle(bytes: Uint8Array): number { return this.rt.stringBytes(bytes); }

    private addImport(module: string, name: string, params: ValType[], results: ValType[]): void {
        const key = `${module}\0${name}`;
        if (this.importIndex.has(key)) return;
        this.importIndex.set(key, this.app.importedFuncs.length + this.imports.length);
        this.imports.push({ module, name, params, results });
    }

    mapFunction(op: 'get' | 'set' | 'inc', mapType: string): number {
        const name = this.mapImports.get(`${op}\0${mapType}`);
        const i = name === undefined ? undefined : this.importIndex.get(`${RT_IMPORT_MODULE}\0${name}`);
        if (i === undefined) throw new CompileError(`no ${op} operation for maps of type ${mapType}`);
        return i;
    }

    libraryImport(lib: string, fn: string): { index: number; params: WType[]; result: WType } | undefined {
        const index = this.importIndex.get(`${lib}\0${fn}`);
        if (index === undefined) return undefined;
        const imp = this.imports[index - this.app.importedFuncs.length];
        return { index, params: imp.params.map(whammTypeOfVal), result: imp.results.length ? whammTypeOfVal(imp.results[0]) : 'unit' };
    }

    private newMap(t: TypeRef): number {
        return this.rt.addMap(typeText(t));
    }

    // ---------- CompileHost ----------
    scriptFunction(name: string) { return this.scriptFns.get(name); }
    isLibrary(name: string): boolean { return this.model.uses.includes(name); }
    /** Index of the generated slot -> app function lookup for `table` (see table-resolver.ts). */
    tableResolver(table: number): number {
        let fid = this.resolvers.get(table);
        if (fid === undefined) {
            const m = (this.app as Partial<DecodedApp>).module;
            if (!m) throw new CompileError('resolved_fid needs the decoded app');
            this.tablesWritten ??= this.appWritesTables();
            const contents = initialTableContents(m, table, this.tablesWritten);
            for (const why of contents.caveats) this.warnings.push(`resolved_fid: slots are resolved from the element segments, but ${why}`);
            fid = this.addFunction(['i32'], ['i32'], [], resolverBody(contents.fids));
            this.resolvers.set(table, fid);
        }
        return fid;
    }
    private readonly resolvers = new Map<number, number>();
    /** Whether any app code writes a table (scanned once, for the first resolver). */
    private tablesWritten: boolean | undefined;
    private appWritesTables(): boolean {
        for (const f of this.app.functions) for (const ins of f.instrs(false)) if (TABLE_WRITES.has(ins.op.name)) return true;
        return false;
    }

    appFunction(by: number | string): { index: number; params: ValType[]; results: ValType[] } | undefined {
        let fid: number | undefined;
        if (typeof by === 'number') fid = by >= 0 && by < this.app.funcCount ? by : undefined;
        else {
            fid = this.exportedFid(this.app, by);
            for (let i = 0; fid === undefined && i < this.app.funcCount; i++) if (this.app.funcName(i) === by) fid = i;
        }
        if (fid === undefined) return undefined;
        const t = this.app.funcType(fid);
        // Functions defined by the app move up by the imports the instrumentation adds.
        const index = fid >= this.app.importedFuncs.length ? fid + this.imports.length : fid;
        return { index, params: t.params, results: t.results };
    }
    memory(mem: number) {
        const m = this.app.memories[mem];
        return m ? { pageSize: m.pageSize, pages: m.initialPages } : undefined;
    }
    callStatic(lib: string, fn: string, args: Const[]): { t: WType; v: Const } {
        const l = this.library(lib);
        const f = l.instance.exports[fn];
        if (typeof f !== 'function') throw new CompileError(`library '${lib}' has no function '${fn}'`);
        const fid = this.exportedFid(l.module, fn);
        const sig = fid === undefined ? undefined : l.module.funcType(fid);
        const jsArgs = args.map((a, i) => (sig?.params[i] === 'i64' ? BigInt.asIntN(64, typeof a === 'bigint' ? a : BigInt(Number(a))) : typeof a === 'bigint' ? Number(BigInt.asIntN(32, a)) : typeof a === 'boolean' ? (a ? 1 : 0) : a));
        const r = (f as (...xs: unknown[]) => unknown)(...jsArgs);
        const rt = sig?.results[0] ?? (typeof r === 'bigint' ? 'i64' : 'i32');
        const t = whammTypeOfVal(rt);
        const v: Const = isInt(t) ? BigInt(r as number | bigint) : isFloat(t) ? Number(r) : 0n;
        return { t, v: convert(v, t, t) };
    }

    private library(name: string, node?: unknown): { instance: WebAssembly.Instance; module: AppModule } {
        let l = this.libs.get(name);
        if (!l) {
            // [helper-6] whamm_core comes without --user-libs; libraries may import WASI (inert here).
            const bytes = withCoreLibrary(this.input.userLibs, name === CORE_LIBRARY).get(name);
            if (!bytes) throw new CompileError(`library '${name}' was not given (--user-libs ${name}=PATH)`, node as never);
            const instance = instantiateLibrarySync(name, bytes);
            l = { instance, module: decodeApp(bytes) };
            this.libs.set(name, l);
        }
        return l;
    }

    private exportedFid(m: AppModule, name: string): number | undefined {
        return (m as AppModule & { exportFunc?: (n: string) => number | undefined }).exportFunc?.(name);
    }

    // ---------- the run ----------
    async run(): Promise<InstrumentResult> {
        const globalBase = this.app.globalCount;
        // Script globals first: their indices are fixed before any code refers to them. They sit where the
        // reference puts them (engine/global-numbering.ts), since the report prints them: the reserved
        // range starts as immutable i32 placeholders (the reference's internal globals, a str's length
        // half, the extra values of a tuple's str elements), then each global's leaves overwrite its first
        // entries. Maps follow the range, numbered in name order as the reference numbers them.
        const startCode: Statement[] = [];
        const numbering = numberScriptGlobals(this.model);
        for (let i = 0; i < numbering.size; i++) this.newGlobals.push({ type: 'i32', init: 0n, mutable: false });
        const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
        for (const d of this.model.globals.filter(g => mapShape(g.type)).sort(byName)) {
            const index = globalBase + this.newGlobals.length;
            const id = this.newMap(d.type);
            this.globals.set(d.name, { kind: 'global', t: 'i32', index, map: mapShape(d.type) });
            this.newGlobals.push({ type: 'i32', init: BigInt(id), mutable: false });
        }
        for (const d of this.model.globals) {
            const b = this.globals.get(d.name);
            if (b?.kind === 'global' && b.map) {
                const id = this.newGlobals[b.index - globalBase].init;
                if (d.report) this.reportVars.push({ name: d.name, type: typeText(d.type), slot: 0, global: b.index, vt: 'i32', ids: [Number(id)] });
                continue;
            }
            const at = numbering.slots.get(d)!;
            const index = globalBase + at.first;
            const ids = Array.from({ length: at.count }, (_, k) => index + k);
            const slots = siteSlots([d]);
            if (slots.shapes[0]) {
                // A tuple: one global per leaf; a non-default initialiser runs at start-up.
                this.globals.set(d.name, { kind: 'global', t: 'tuple', index, tuple: slots.shapes[0] });
                slots.leaves.forEach((lt, k) => {
                    this.requireScalar(lt, d);
                    this.newGlobals[at.first + k] = { type: valTypeOf(lt), init: constBits(defaultOf(lt), lt), mutable: true };
                });
                if (d.init) startCode.push(d as unknown as Statement);
                if (d.report) {
                    this.reportVars.push({
                        name: d.name, type: typeText(d.type), slot: 0, global: index, vt: valTypeOf(slots.leaves[0]),
                        more: slots.leaves.slice(1).map((lt, j) => ({ global: index + 1 + j, vt: valTypeOf(lt) })), ids,
                    });
                }
                continue;
            }
            const t = typeText(d.type) as WType;
            this.requireScalar(t, d);
            this.globals.set(d.name, { kind: 'global', t, index });
            let init: Const = defaultOf(t);
            if (d.init) {
                const v = this.staticValue(c => c.expr(d.init!, t));
                if (v) init = convert(v.v!, v.t, t); else startCode.push(d as unknown as Statement);
            }
            this.newGlobals[at.first] = { type: valTypeOf(t), init: constBits(init, t), mutable: true };
            if (d.report) this.reportVars.push({ name: d.name, type: t, slot: 0, global: index, vt: valTypeOf(t), ids });
        }
        // Top-level statements: folded into initial values where static, otherwise run at start-up.
        for (const s of this.model.topStatements) {
            if (!this.foldTopStatement(s)) startCode.push(s);
        }
        this.declareScriptFunctions();

        const warnedDead = new Set<number>();
        for (const f of this.app.functions) this.instrumentFunction(f, warnedDead);

        this.emitStart(startCode);
        this.emitEnd();
        const layout = this.emitReaders();
        if (this.input.testing) {
            for (const [name, b] of this.globals) {
                if (b.kind === 'global' && !b.tuple && !this.app.exportNames.has(`get_${name}`)) {
                    const w = new CodeWriter();
                    this.emitGlobalValue(w, b.index);
                    w.byte(OP.end); // [helper-6] a body ends with `end`
                    const fid = this.addFunction([], [valTypeOf(b.t)], [], w.finish().bytes);
                    this.exports.push({ name: `get_${name}`, kind: 'func', index: fid });
                }
            }
        }
        // [helper-6] read_str/write_str/strcmp on the app's memory: the runtime reaches it through this export.
        if (this.app.memories.length && [...this.importIndex.keys()].some(k => /^whamm:rt\0(str\.(read|write|cmp)|mem\.)/.test(k))) {
            this.exports.push({ name: APP_MEMORY_EXPORT, kind: 'memory', index: 0 });
        }
        // Nothing to add: the app is returned as it is (byte for byte).
        if (this.bodies.size === 0 && this.newGlobals.length === 0 && this.newFunctions.length === 0 && this.imports.length === 0 && this.exports.length === 0) {
            return { bytes: this.app.bytes.slice(), layout, sites: this.sites, warnings: this.warnings };
        }
        // Map imports were planned from the declarations; if no site instantiated a map, the runtime must
        // still provide them, so register one (unreported) map of a declared type.
        if (this.mapImports.size && this.rt.mapCount === 0) this.rt.addMap(this.mapImports.keys().next().value!.split('\0')[1]);
        const plan: ModulePlan = {
            imports: this.imports,
            globals: this.newGlobals, functions: this.newFunctions, exports: this.exports,
            bodies: this.bodies,
            customSections: [
                { name: REPORT_SECTION, bytes: encodeLayout(layout) },
                ...(this.rt.usesRuntime ? (await this.rt.sections()).map(x => ({ name: x.name, bytes: x.data })) : []),
            ],
        };
        const bytes = encodeModule(this.app, plan);
        return { bytes, layout, sites: this.sites, warnings: this.warnings };
    }

    private readonly needsTypes: boolean;

    private requireScalar(t: WType, node: unknown): void {
        if (!(isInt(t) || isFloat(t) || t === 'bool' || t === 'str')) { // [helper-6] str: an i32 handle
            throw new CompileError(`variables of type ${t} are not supported yet (maps, tuples, strings: issue 5)`, node as never);
        }
    }

    /** Evaluates something with no site; returns the constant or undefined when it needs run time. */
    private staticValue(f: (c: Compiler) => PV): PV | undefined {
        const c = new Compiler(this, this.globals, new CodeWriter(), undefined);
        c.pushScope();
        const v = f(c);
        return v.isConst ? v : undefined;
    }

    private foldTopStatement(s: Statement): boolean {
        if (s.$type !== 'Assignment' || s.target.$type !== 'VarRef') return false;
        const b = this.globals.get(s.target.ref.$refText);
        if (!b || b.kind !== 'global') return false;
        const v = this.staticValue(c => c.expr(s.value, b.t));
        if (!v) return false;
        const g = this.newGlobals[b.index - this.app.globalCount];
        g.init = constBits(convert(v.v!, v.t, b.t), b.t);
        return true;
    }

    private declareScriptFunctions(): void {
        const base = this.funcBase;
        this.model.functions.forEach((f, i) => {
            const params = f.params.map(p => typeText(p.type) as WType);
            const result = f.returnType ? typeText(f.returnType) as WType : 'unit';
            this.scriptFns.set(f.name, { index: base + i, params, result });
        });
        for (const f of this.model.functions) {
            const sig = this.scriptFns.get(f.name)!;
            const w = new CodeWriter();
            const c = new Compiler(this, this.globals, w, undefined, new Map(), sig.result);
            c.pushScope();
            f.params.forEach((p, i) => c.bindParam(p.name, sig.params[i], i));
            c.block(f.body);
            if (sig.result !== 'unit') { emitConst(w, sig.result, defaultOf(sig.result)); }
            w.byte(OP.end);
            const t = w.finish();
            const locals = t.locals;
            const resolved = locals.map((_, k) => sig.params.length + k);
            const body = new Uint8Array(placedSize(t, [], resolved));
            place(t, body, 0, [], resolved);
            this.addFunction(sig.params.map(valTypeOf), sig.result === 'unit' ? [] : [valTypeOf(sig.result)], locals, body, false);
        }
    }

    /** Appends a function; `body` is its instruction bytes ending with `end`. */
    private addFunction(params: ValType[], results: ValType[], locals: ValType[], body: Uint8Array, track = true): number {
        const fid = this.funcBase + this.newFunctions.length;
        this.newFunctions.push({ params, results, locals, body });
        void track;
        return fid;
    }

    // ---------- per function ----------
    private instrumentFunction(f: AppFunction, warnedDead: Set<number>): void {
        const idx = this.index;
        const insertions: Insertion[] = [];
        this.pinned = [];
        this.fnFixups = [];
        this.lastRefFunc = undefined;
        this.shifts = new LabelShifts();
        const hasFuncProbes = idx.funcEntry.length > 0 || idx.funcExit.length > 0;
        const blockProbes = idx.blockStart.length > 0 || idx.blockEnd.length > 0;
        let prevEndsBlock = true;
        let blockLen = 0;
        const instrs = f.instrs(this.needsTypes || blockProbes);
        let pending: AppInstr | undefined;
        // Counter probes (`x++` and nothing else) are merged per straight-line segment: every site of a
        // segment runs exactly as often as its first, so one increment (of n, or of a shared per-site
        // counter) at the first site is exact. Segments end at every instruction that may branch, call
        // or trap, so counts stay exact even when the run ends in a trap.
        const seg = this.counters.length ? new SegmentState(this.counterOps) : undefined;
        // Open blocks (innermost last), with the exit/after probes that run at their `end`.
        const frames: BlockFrame[] = [];
        /** Replaced ranges [from, to) of block alts, pairwise. */
        const skipped: number[] = [];
        let reorder = false;
        const handle = (ins: AppInstr, next: AppInstr | undefined) => {
            const before = idx.before[ins.op.index];
            const after = idx.after[ins.op.index];
            if (before) {
                for (const op of before) {
                    if (seg && op.probe.counter) seg.add(op, ins);
                    else this.place(f, ins, op, false, insertions, warnedDead);
                }
            }
            const atTarget = idx.atTarget[ins.op.index];
            if (atTarget) for (const op of atTarget) this.placeAtTarget(f, ins, op, insertions);
            if (idx.nesting && this.trackBlock(f, ins, frames, insertions, skipped)) reorder = true;
            if (hasFuncProbes) {
                if (ins.opidx === 0) for (const p of idx.funcEntry) this.placeEvent(f, ins, p, 'entry', 'wasm:func:entry', insertions);
                if (ins.op.name === 'return' || ins.atFuncEnd || (ins.op.name === 'br' && ins.exitsFunction) || ins.op.name.startsWith('return_call')) {
                    for (const p of idx.funcExit) this.placeEvent(f, ins, p, 'exit', 'wasm:func:exit', insertions);
                } else if (ins.op.name === 'br_if' && ins.exitsFunction) {
                    // Leaves the function only when taken: the exit probes run under the branch condition.
                    for (const p of idx.funcExit) this.placeEvent(f, ins, p, 'exit', 'wasm:func:exit', insertions, undefined, true);
                } else if (ins.op.name === 'br_table' && idx.funcExit.length) {
                    this.placeTableExit(f, ins, insertions);
                }
            }
            if (blockProbes) {
                if (prevEndsBlock) { for (const p of idx.blockStart) this.placeEvent(f, ins, p, 'start', 'wasm:block:start', insertions); blockLen = 0; }
                blockLen++;
                const ends = endsBasicBlock(ins) || next === undefined || startsBasicBlock(next);
                if (ends) for (const p of idx.blockEnd) this.placeEvent(f, ins, p, 'end', 'wasm:block:end', insertions, blockLen);
                prevEndsBlock = ends;
            }
            const alt = idx.alt[ins.op.index];
            if (alt) for (const op of alt) if (this.placeAlt(f, ins, op, insertions)) break;
            if (after && !ins.atFuncEnd) for (const op of after) this.place(f, ins, op, true, insertions, warnedDead);
            if (seg) this.segmentBoundary(f, seg, ins, insertions);
        };
        if (!blockProbes) {
            for (const ins of instrs) {
                if (idx.before[ins.op.index] || idx.after[ins.op.index] || idx.alt[ins.op.index] || hasFuncProbes || idx.nesting || idx.atTarget[ins.op.index]) handle(ins, undefined);
                else if (seg) this.segmentBoundary(f, seg, ins, insertions);
                this.lastRefFunc = ins.op.index === REF_FUNC ? refFuncOf(ins) : undefined;
            }
        } else {
            for (const ins of instrs) {
                if (pending) { handle(pending, ins); this.lastRefFunc = pending.op.index === REF_FUNC ? refFuncOf(pending) : undefined; }
                pending = ins;
            }
            if (pending) handle(pending, undefined);
        }
        if (seg) {
            this.flushSegment(f, seg, insertions);
            if (seg.flushed) reorder = true;
        }
        // Branches inside guarded block alts: one label deeper per wrapping `if` they leave.
        if (!this.shifts.empty) { this.queueRelabels(insertions); reorder = true; }
        // Stable: same-place insertions keep their queueing order.
        if (reorder) insertions.sort((a, b) => a.at - b.at || Number(a.after) - Number(b.after));
        if (skipped.length) {
            const inside = (x: Insertion) => {
                for (let k = 0; k < skipped.length; k += 2) {
                    if (x.cut > skipped[k] && x.cut < skipped[k + 1]) return true;
                }
                return false;
            };
            for (let i = insertions.length - 1; i >= 0; i--) if (inside(insertions[i])) insertions.splice(i, 1);
        }
        if (insertions.length) this.bodies.set(f.fid, this.rewriteBody(f, insertions));
    }

    /** Labels of the function's branches that guarded block alts wrapped, per function (see trackBlock). */
    private shifts = new LabelShifts();
    private readonly warnedWrites = new Set<number>();
    private blockAltsKnown: boolean | undefined;
    private get hasBlockAlts(): boolean { return this.blockAltsKnown ??= this.index.blockAlt.some(x => x !== undefined); }

    /** Replaces each wrapped branch by its re-encoded copy, unless an alt already replaced it. */
    private queueRelabels(out: Insertion[]): void {
        for (const r of this.shifts.replacements(this.app.bytes)) {
            if (out.some(x => x.skipTo !== undefined && x.cut <= r.start && x.skipTo >= r.end)) continue;
            out.push({ at: r.opidx, after: false, cut: r.start, skipTo: r.end, template: r.template, siteGlobals: NO_GLOBALS });
        }
    }

    /**
     * Emits the merged increments of a segment's counter probes at the segment's first site: one increment
     * per counter, however many opcodes (a `*` rule expands to one per opcode) and probes count into it.
     */
    private flushSegment(f: AppFunction, seg: SegmentState, out: Insertion[]): void {
        if (seg.length === 0) return;
        seg.flushed = true;
        const e = seg.entries;
        const groups = this.segmentGroups;
        groups.clear();
        for (let i = 0; i < seg.length; i += 5) {
            const key = this.counterKey(seg.ops[e[i]].probe);
            const g = groups.get(key);
            if (g) g.n++; else groups.set(key, { first: i, n: 1 });
        }
        const sites = this.sites, fid = f.fid;
        for (const [key, g] of groups) {
            const c = seg.ops[e[g.first]].probe.counter!;
            // A script global counter is spread over a few globals, used in turn by consecutive segments:
            // increments of one shared global would form one long dependency chain through memory. Its
            // value is the sum of its parts, computed when read (report flush, --testing getter). Per-site
            // counters get one global per segment (every site of the segment reads it).
            let target: number, by = 1;
            if (c.perSite) {
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
            const scriptRow = c.perSite || !c.report ? -1 : this.scriptCounterRow(key);
            for (let i = g.first; i < seg.length; i += 5) {
                const k = e[i], op = seg.ops[k], p = op.probe;
                if (this.counterKey(p) !== key) continue;
                rows.push(i, c.perSite ? (c.report ? this.reportVars.length : -1) : scriptRow);
                let rules = this.counterRuleIds[k];
                if (!rules) rules = this.counterRuleIds[k] = new Int32Array(OPCODES.length).fill(-1);
                const opIndex = e[i + 1], pc = e[i + 2];
                let ruleId = rules[opIndex];
                if (ruleId < 0) ruleId = rules[opIndex] = sites.ruleIdOf(`wasm:opcode:${OPCODES[opIndex].name}:${op.mode}`);
                sites.addWithRuleId(fid, pc, e[i + 3], e[i + 4], p.index, ruleId);
                if (c.perSite && c.report) {
                    // Every site of the segment reads the segment's counter.
                    this.reportVars.push({
                        name: c.name, type: c.type, fname: f.name || `#${f.fid}`, fid, pc,
                        probe: `${p.index}_${sites.rules[ruleId]}`, slot: 0, global: target, vt: valTypeOf(c.type),
                    });
                }
            }
            out.push({ at: e[g.first + 3], after: false, cut: e[g.first + 4], template: this.counterTemplate(c.type, by), siteGlobals: [target] });
            this.trapFixupsOf(seg, rows, c.perSite);
        }
        seg.reset();
    }

    /**
     * After an instruction that can only trap or fall through (a load, a division...), the segment goes on
     * when trap fixups are on: its increment already counted the sites past the instruction, so if the
     * instruction traps the runner subtracts them (see trapFixupsOf). Anything else ends the segment.
     */
    private segmentBoundary(f: AppFunction, seg: SegmentState, ins: AppInstr, out: Insertion[]): void {
        if (this.extendSegments && MAY_TRAP[ins.op.index] === 1) seg.traps.push(ins.start, seg.length);
        else if (endsSegment(ins)) this.flushSegment(f, seg, out);
    }

    /**
     * Records, per trap point of the segment, what a trap there must take back. `rows` holds (entry offset,
     * report var) pairs of one group in entry order: the entries past the trap point never ran. A per-site
     * counter's rows are consecutive report vars (one count each); a script counter has one row.
     */
    private trapFixupsOf(seg: SegmentState, rows: number[], perSite: boolean): void {
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

    /** Trap fixups of the function being instrumented (original module offsets), in code order. */
    private fnFixups: { pos: number; undo: number[] }[] = [];
    /** Trap fixups placed in the output: function index, code offset, (first report var, count, amount) triples. */
    private readonly trapFixups: { func: number; at: number; undo: number[] }[] = [];
    /**
     * Segments run on across instructions that can only trap (see segmentBoundary). Off in --testing mode
     * (the get_<name> exports read the globals directly) and when imports are added: they renumber calls
     * in copied code, which can change its size and so the offsets the fixups name.
     */
    private extendSegments = false;

    /** The report var of script-global counter `global` (declared before any site is placed; looked up once). */
    private scriptCounterRow(global: number): number {
        let row = this.scriptCounterRows.get(global);
        if (row === undefined) this.scriptCounterRows.set(global, row = this.reportVars.findIndex(v => v.global === global && v.pc === undefined));
        return row;
    }
    private readonly scriptCounterRows = new Map<number, number>();

    /** Segment entries counting into the same storage merge: a script global (its index), or a probe's per-site counter. */
    private counterKey(p: ProbeDef): number {
        return p.counter!.perSite ? -1 - p.index : this.globalIndexOf(p.counter!.name);
    }
    private readonly segmentGroups = new Map<number, { first: number; n: number }>();

    private readonly counterTemplates = new Map<number, Template>();
    /** Script-global counters spread over per-segment globals: base global -> parts. */
    private readonly counterParts = new Map<number, { type: WType; globals: number[]; sizes: number[]; next: number }>();

    /** Pushes the value of a script global (the sum of its parts for a spread counter). */
    private emitGlobalValue(w: CodeWriter, index: number): void {
        w.byte(OP.global_get).u32(index);
        const parts = this.counterParts.get(index);
        if (!parts) return;
        for (let i = 0; i < parts.globals.length; i++) {
            w.byte(OP.global_get).u32(parts.globals[i]);
            if (parts.sizes[i] !== 1) {
                emitConst(w, parts.type, convert(BigInt(parts.sizes[i]), 'u64', parts.type));
                emitBinary(w, '*', parts.type);
            }
            emitBinary(w, '+', parts.type);
        }
    }
    /** Per counter op (SegmentState index): rule id by opcode-table index (-1 = not yet named). */
    private readonly counterRuleIds: Int32Array[] = [];
    private readonly globalIndexCache = new Map<string, number>();

    private globalIndexOf(name: string): number {
        let i = this.globalIndexCache.get(name);
        if (i === undefined) { i = (this.globals.get(name) as { index: number }).index; this.globalIndexCache.set(name, i); }
        return i;
    }

    /** `g = g + by` on the site's global (SiteVar 0), cached per type and increment. */
    private counterTemplate(t: WType, by: number): Template {
        const key = INT_KEY[t as string] * 65536 + by;
        let tpl = this.counterTemplates.get(key);
        if (!tpl) {
            const w = new CodeWriter();
            w.byte(OP.global_get).ref(RefKind.SiteVar, 0);
            emitConst(w, t, convert(BigInt(by), 'u64', t));
            emitBinary(w, '+', t);
            w.byte(OP.global_set).ref(RefKind.SiteVar, 0);
            tpl = w.finish();
            this.counterTemplates.set(key, tpl);
        }
        return tpl;
    }

    /**
     * alt: the probe body replaces the instruction. Its operands are popped into scratch locals (argN)
     * and not pushed back; `return e` supplies its result (the type's default otherwise). A predicate
     * decided at run time keeps the original instruction in the else arm of an `if` (a branch's labels
     * re-encoded one deeper, see branch-targets.ts).
     */
    private placeAlt(f: AppFunction, ins: AppInstr, op: OpcodeProbe, out: Insertion[]): boolean {
        const p = op.probe;
        ins.detail();
        const site = this.siteInfo(f, ins, p, 'alt');
        if (!site) return false;
        if (!ins.args || !ins.results) {
            // Without operand types (typing pass not run, or dead code) the stack effect is unknown.
            if (!this.needsTypes) { this.warnings.push(`probe ${p.index} (${p.ast.rule}): alt needs operand types; run with a probe that reads argN`); }
            return false;
        }
        // Several results: the body's block gives none, their defaults follow it (no block type needed).
        const multi = ins.results.length > 1;
        if (multi && !numericOnly(ins.results)) { this.warnings.push(`probe ${p.index} (${p.ast.rule}): alt on ${ins.op.name} with results of type ${ins.results.join(', ')} cannot be injected; not injected at fid ${f.fid} pc ${ins.pc}`); return false; }
        const w = new CodeWriter();
        const env: SiteEnv = { site, event: site.opname, mode: 'alt', probeId: p.index, bounds: p.bounds, saved: new Map() };
        const slots = site.args.map(t => w.newLocal(t));
        site.args.forEach((t, i) => env.saved.set(`arg${i}`, { id: slots[i], t }));
        if (site.memarg) env.saved.set(site.memarg.isWrite ? 'arg1' : 'arg0', env.saved.get(site.memarg.isWrite ? 'arg1' : 'arg0')!);
        const siteVars = this.siteVarBindings(p);
        const c = new Compiler(this, this.globals, w, env, siteVars);
        c.pushScope();
        let guard: PV | undefined;
        if (p.ast.predicate) {
            const pv = c.condition(p.ast.predicate);
            if (!pv.isConst) {
                // Decided at run time: the original instruction runs when the predicate is false. It then
                // sits one block deeper, so its labels are re-encoded one deeper (branch-targets.ts).
                if (hasLabels(ins.op) && !canRelabel(ins.op)) {
                    this.warnings.push(`probe ${p.index} (${p.ast.rule}): a run-time alt predicate on ${ins.op.name} cannot be injected (its immediates cannot be re-encoded); not injected at fid ${f.fid} pc ${ins.pc}`);
                    return false;
                }
                guard = pv;
            } else if (!pv.v) return false;
        }
        for (const id of slots) w.byte(OP.local_set).ref(RefKind.Local, id);
        const rv = multi ? undefined : ins.results[0] as ValType | undefined;
        const result: WType = rv ? whammTypeOfVal(rv) : 'unit';
        const bt = rv ? valTypeByte(rv) : 0x40;
        // A guarded alt with several results leaves them in scratch locals in both arms.
        const resultLocals = multi && guard ? ins.results.map(t => w.newLocal(t)) : [];
        const setResults = () => { for (let i = resultLocals.length - 1; i >= 0; i--) w.byte(OP.local_set).ref(RefKind.Local, resultLocals[i]); };
        let copyAt = -1, copyEnd = -1;
        if (guard) { c.push(guard); w.byte(OP.if).byte(bt); }
        w.byte(OP.block).byte(bt);
        // `return` branches to this block: depth counts the blocks the body opens inside it.
        c.depth = 0;
        c.altBlock = { depth: 0, result };
        c.block(p.ast.body);
        c.altFallthrough();
        w.byte(OP.end);
        if (multi) { pushDefaults(w, ins.results); setResults(); }
        if (guard) {
            w.byte(OP.else);
            for (let i = slots.length - 1; i >= 0; i--) w.byte(OP.local_get).ref(RefKind.Local, slots[i]);
            if (hasLabels(ins.op)) { copyAt = w.length; relabel(this.app.bytes, ins.start, ins.end, l => l + 1, w); copyEnd = w.length; }
            else this.copyInstruction(w, ins);
            setResults();
            w.byte(OP.end);
            for (const id of resultLocals) w.byte(OP.local_get).ref(RefKind.Local, id);
        }
        const siteGlobals = this.allocSiteVars(p, site, `wasm:opcode:${ins.op.name}:alt`);
        this.sites.add(f.fid, ins.pc, ins.opidx, ins.start, p.index, `wasm:opcode:${ins.op.name}:alt`);
        const x: Insertion = { at: ins.opidx, after: false, cut: ins.start, skipTo: ins.end, template: w.finish(), siteGlobals };
        out.push(x);
        // Guarded blocks around this one may still need its copy's labels deeper (see queueRelabels).
        if (copyAt >= 0) this.shifts.freeze(ins.opidx, { holder: x, from: copyAt, to: copyEnd });
        return true;
    }

    /**
     * Block extents: `entry` runs at the start of the body (right after block/loop/if/else), `exit` where
     * the body falls through to its `end` (or to `else`, for the then-arm), `after` past the `end`, where
     * fall-through and branches out of the block meet. Exit/after code is compiled against the opening
     * instruction's site and queued at the `end`; returns true when queued out of order.
     */
    private trackBlock(f: AppFunction, ins: AppInstr, frames: BlockFrame[], out: Insertion[], skipped: number[]): boolean {
        const idx = this.index;
        const name = ins.op.name;
        const opening = ins.op.blockLike || name === 'else';
        // Branches a guarded block alt may wrap, with the number of constructs open around them.
        if (this.hasBlockAlts && hasLabels(ins.op)) this.shifts.note(ins, frames.length);
        if (opening) {
            let carried: BlockFrame['after'] = [];
            let wholeIf: BlockAlt[] = [];
            let openStart = ins.start;
            if (name === 'else') {
                // The then-arm ends here; the if's after probes (and an alt of the whole if) wait for the shared `end`.
                const top = frames.pop();
                if (top) {
                    for (const x of top.exit) this.placeCompiled(f, ins, x.op.probe, x.site, 'exit', x.rule, false, out);
                    carried = top.after;
                    wholeIf = top.alts;
                    openStart = top.openStart;
                }
            }
            const frame: BlockFrame = { exit: [], after: carried, alts: [...wholeIf], openStart };
            const entry = idx.blockEntry[ins.op.index], exit = idx.blockExit[ins.op.index], after = idx.blockAfter[ins.op.index];
            const alt = idx.blockAlt[ins.op.index];
            if (entry || exit || after || alt) ins.detail();
            if (alt) {
                for (const op of alt) {
                    const site = this.siteInfo(f, ins, op.probe, 'alt');
                    if (!site || !ins.args || !ins.results) continue;
                    // The construct's signature from its block type (the end's types may be unknown:
                    // unreachable code before it); for else, the if's.
                    const sig = blockSignature((this.app as Partial<DecodedApp>).module, this.app.bytes, openStart);
                    if (!sig) {
                        this.warnings.push(`probe ${op.probe.index} (${op.probe.ast.rule}): alt on ${name} with this block type cannot be injected; not injected at fid ${f.fid} pc ${ins.pc}`);
                        continue;
                    }
                    const a: BlockAlt = {
                        op, site: { ...site, imms: [...site.imms] }, pops: name === 'else' ? [] : [...ins.args], results: [...sig.results],
                        opidx: ins.opidx, pc: ins.pc, start: ins.start, level: frames.length + 1,
                    };
                    // alt on else replaces the else arm, from the else up to the if's `end` (placed there).
                    if (name === 'else') { a.elseArm = true; a.ifSig = sig; }
                    frame.alts.push(a);
                }
            }
            const siteOf = (op: OpcodeProbe): BlockProbeSite | undefined => {
                const site = this.siteInfo(f, ins, op.probe, op.mode);
                return site && { op, site: { ...site, imms: [...site.imms] }, rule: `wasm:opcode:${name}:${op.mode}` };
            };
            if (entry) {
                for (const op of entry) {
                    const s = siteOf(op);
                    if (!s) continue;
                    if (name === 'if' && needsStack(op.probe)) {
                        // The condition is gone inside the arm: save the operands just before the if, into
                        // scratch locals the entry code (compiled with the same first locals) reads.
                        out.push({ at: ins.opidx, after: false, cut: ins.start, template: operandSaver(s.site.args), siteGlobals: NO_GLOBALS });
                        this.placeCompiled(f, ins, op.probe, s.site, 'entry', s.rule, true, out, true);
                    } else this.placeCompiled(f, ins, op.probe, s.site, 'entry', s.rule, true, out);
                }
            }
            if (exit) for (const op of exit) { const s = siteOf(op); if (s) frame.exit.push(s); }
            if (after) for (const op of after) { const s = siteOf(op); if (s) frame.after.push(s); }
            frames.push(frame);
            return false;
        }
        if (name !== 'end' || ins.atFuncEnd) return false;
        const top = frames.pop();
        if (!top || (top.exit.length === 0 && top.after.length === 0 && top.alts.length === 0)) return false;
        let how: 'replaced' | 'guarded' | false = false;
        for (const a of top.alts) {
            how = this.placeBlockAlt(f, a, ins, out);
            if (how === 'replaced') {
                // Code queued inside the replaced range (nested probes) is dropped when the body is rewritten.
                skipped.push(a.start, a.elseArm ? ins.start : ins.end);
            }
            if (how) break;
        }
        if (how !== 'replaced') {
            for (const x of top.exit) this.placeCompiled(f, ins, x.op.probe, x.site, 'exit', x.rule, false, out);
        }
        for (const x of top.after) this.placeCompiled(f, ins, x.op.probe, x.site, 'after', x.rule, true, out);
        return true;
    }

    /**
     * at_target / semantic_after on br/br_if/br_table: runs at whichever target control goes to. A br
     * always reaches its label; a br_if reaches either its label or its fall-through, so the code runs at
     * every execution (the corpus counts a not-taken br_if too), with arg0 the condition. A branch only
     * moves control (no value, local, global or memory changes), so the code is placed at the branch
     * itself: what it observes is what it would observe at the landing point, and a branch that leaves
     * the function is covered too.
     */
    private placeAtTarget(f: AppFunction, ins: AppInstr, op: OpcodeProbe, out: Insertion[]): void {
        const p = op.probe;
        if ([...p.writes].some(n => /^arg\d+$/.test(n))) {
            // The branch has used its operands by then; placed at the branch, the write would redirect it.
            if (!this.warnedWrites.has(p.index)) this.warnings.push(`probe ${p.index} (${p.ast.rule}): ${op.mode} runs after the branch used its operands, so argN cannot be assigned there; not injected`);
            this.warnedWrites.add(p.index);
            return;
        }
        ins.detail();
        const site = this.siteInfo(f, ins, p, op.mode);
        if (!site) return;
        this.placeCompiled(f, ins, p, site, op.mode, `wasm:opcode:${ins.op.name}:${op.mode}`, false, out);
    }

    /**
     * alt on a block-like opcode: the probe body replaces the block from its opening to its `end`.
     * Operands are popped (drop_args is implicit), the block's results are the types' defaults unless the
     * body returns one. A predicate decided at run time keeps the original block in the else arm of an
     * `if` (its branches that leave the block are re-encoded one label deeper once the function is walked).
     * alt on else (the reference): the body replaces the else arm and runs where the then arm ends; the
     * else arm is never entered (a typed if keeps an else arm giving the results' defaults).
     * Returns 'replaced' (code in the replaced range is dropped), 'guarded' (the original code stays) or false.
     */
    private placeBlockAlt(f: AppFunction, a: BlockAlt, end: AppInstr, out: Insertion[]): 'replaced' | 'guarded' | false {
        const p = a.op.probe;
        const results = a.elseArm ? [] : a.results;
        const bt = simpleBlockType(results);
        if (bt === undefined && !numericOnly(results)) {
            this.warnings.push(`probe ${p.index} (${p.ast.rule}): alt on ${a.site.opname} with results of type ${results.join(', ')} cannot be injected; not injected at fid ${f.fid} pc ${a.pc}`);
            return false;
        }
        const w = new CodeWriter();
        // Several results of a guarded alt pass through pinned locals (no block type is needed for them).
        const resultLocals = bt === undefined ? results.map(t => w.newLocal(t)) : [];
        const env: SiteEnv = { site: a.site, event: a.site.opname, mode: 'alt', probeId: p.index, bounds: p.bounds, saved: new Map() };
        const slots = a.pops.map(t => w.newLocal(t));
        a.pops.forEach((t, i) => env.saved.set(`arg${i}`, { id: slots[i], t }));
        const siteVars = this.siteVarBindings(p);
        const c = new Compiler(this, this.globals, w, env, siteVars);
        c.pushScope();
        let guard: PV | undefined;
        if (p.ast.predicate) {
            const pv = c.condition(p.ast.predicate);
            if (pv.isConst && !pv.v) return false;
            if (!pv.isConst) guard = pv;
        }
        if (guard && a.elseArm) {
            // The else position is only reached from the then arm: a run-time choice there has no original to fall back to.
            this.warnings.push(`probe ${p.index} (${p.ast.rule}): alt on else needs a predicate known at instrumentation time; not injected at fid ${f.fid} pc ${a.pc}`);
            return false;
        }
        if (guard && !this.shifts.canWrap(a.opidx, end.opidx)) {
            this.warnings.push(`probe ${p.index} (${p.ast.rule}): a run-time alt predicate on ${a.site.opname} around branches that cannot be re-encoded; not injected at fid ${f.fid} pc ${a.pc}`);
            return false;
        }
        for (const id of slots) w.byte(OP.local_set).ref(RefKind.Local, id);
        if (guard) { c.push(guard); w.byte(OP.if).byte(bt ?? 0x40); }
        const rv = bt !== undefined && results.length === 1 ? results[0] : undefined;
        const result: WType = rv ? whammTypeOfVal(rv) : 'unit';
        w.byte(OP.block).byte(rv ? valTypeByte(rv) : 0x40);
        c.depth = 0;
        c.altBlock = { depth: 0, result };
        c.block(p.ast.body);
        c.altFallthrough();
        w.byte(OP.end);
        if (bt === undefined) {
            pushDefaults(w, results);
            if (guard) for (let i = resultLocals.length - 1; i >= 0; i--) w.byte(OP.local_set).ref(RefKind.Local, resultLocals[i]);
        }
        if (a.elseArm && a.ifSig && (a.ifSig.results.length || a.ifSig.params.length)) {
            // A typed if needs its else arm: it now gives the results' defaults.
            w.byte(OP.else);
            drops(w, a.ifSig.params.length);
            pushDefaults(w, a.ifSig.results);
        }
        if (guard) {
            w.byte(OP.else);
            for (let i = slots.length - 1; i >= 0; i--) w.byte(OP.local_get).ref(RefKind.Local, slots[i]);
        }
        const rule = `wasm:opcode:${a.site.opname}:alt`;
        const siteGlobals = this.allocSiteVars(p, a.site, rule);
        this.sites.add(f.fid, a.pc, a.opidx, a.start, p.index, rule);
        if (!guard) {
            out.push({ at: a.opidx, after: false, cut: a.start, skipTo: a.elseArm ? end.start : end.end, template: w.finish(), siteGlobals });
            return 'replaced';
        }
        const resultPins = bt === undefined ? Int32Array.from(results, t => this.pinLocal(t)) : undefined;
        // The original block runs in the else arm; the suffix closes the if after its `end`.
        out.push({ at: a.opidx, after: false, cut: a.start, template: w.finish(), siteGlobals, pins: resultPins });
        const s = new CodeWriter();
        const sl = resultPins ? results.map(t => s.newLocal(t)) : [];
        for (let i = sl.length - 1; i >= 0; i--) s.byte(OP.local_set).ref(RefKind.Local, sl[i]);
        s.byte(OP.end);
        for (const id of sl) s.byte(OP.local_get).ref(RefKind.Local, id);
        out.push({ at: end.opidx, after: true, cut: end.end, template: s.finish(), siteGlobals: NO_GLOBALS, pins: resultPins });
        this.shifts.wrapConstruct(a.opidx, end.opidx, a.level);
        return 'guarded';
    }

    /** Bindings of a probe's per-site variables for alt code (scalars, tuples, maps), ids as allocAltSiteVars numbers them. */
    /** Bindings of a probe's per-site variables to its SiteVar slots (one per scalar or tuple leaf). */
    private siteVarBindings(p: ProbeDef): Map<string, Binding> {
        const siteVars = new Map<string, Binding>();
        const slotsOf = siteSlots(p.siteVars);
        p.siteVars.forEach((d, k) => {
            const shape = mapShape(d.type);
            const id = slotsOf.first[k], tuple = slotsOf.shapes[k];
            siteVars.set(d.name, shape ? { kind: 'site', t: 'i32', id, map: shape } : tuple ? { kind: 'site', t: 'tuple', id, tuple } : { kind: 'site', t: typeText(d.type) as WType, id });
        });
        return siteVars;
    }

    /**
     * Globals of a probe's per-site variables at one site, one per scalar or tuple leaf, starting at `inits`
     * (by leaf; the defaults when absent); report vars are registered with the site.
     */
    private allocSiteVars(p: ProbeDef, site: SiteInfo, rule: string, inits?: readonly Const[]): ArrayLike<number> {
        if (!p.siteVars.length) return NO_GLOBALS;
        const slotsOf = siteSlots(p.siteVars);
        const siteGlobals = new Int32Array(slotsOf.leaves.length);
        const where = { fname: site.fname || `#${site.fid}`, fid: site.fid, pc: site.pc, probe: `${p.index}_${rule}`, slot: 0 };
        p.siteVars.forEach((d, k) => {
            const index = this.app.globalCount + this.newGlobals.length;
            const first = slotsOf.first[k];
            const last = k + 1 < slotsOf.first.length ? slotsOf.first[k + 1] : slotsOf.leaves.length;
            if (mapShape(d.type)) {
                siteGlobals[first] = index;
                this.newGlobals.push({ type: 'i32', init: BigInt(this.newMap(d.type)), mutable: false });
                if (d.report) this.reportVars.push({ name: d.name, type: typeText(d.type), ...where, global: index, vt: 'i32' });
                return;
            }
            const types = slotsOf.leaves.slice(first, last);
            types.forEach((lt, j) => {
                siteGlobals[first + j] = index + j;
                this.newGlobals.push({ type: valTypeOf(lt), init: constBits(inits?.[first + j] ?? defaultOf(lt), lt), mutable: true });
            });
            if (d.report) {
                this.reportVars.push({
                    // The reference prints functions without a name as `#<fid>` (see `where`).
                    name: d.name, type: typeText(d.type), ...where, global: index, vt: valTypeOf(types[0]),
                    ...(slotsOf.shapes[k] ? { more: types.slice(1).map((lt, j) => ({ global: index + 1 + j, vt: valTypeOf(lt) })) } : {}),
                });
            }
        });
        return siteGlobals;
    }

    /** The original instruction's bytes, with a direct callee's index shifted past added imports. */
    private copyInstruction(w: CodeWriter, ins: AppInstr): void {
        const name = ins.op.name;
        if ((name === 'call' || name === 'return_call' || name === 'ref.func') && ins.callee !== undefined) {
            const shift = ins.callee >= this.app.importedFuncs.length ? this.imports.length : 0;
            w.bytes(this.app.bytes.subarray(ins.start, ins.start + (ins.op.prefix >= 0 ? 2 : 1))).u32(ins.callee + shift);
            return;
        }
        w.bytes(this.app.bytes.subarray(ins.start, ins.end));
    }

    /** Compiles (or reuses) the code of one opcode probe at one site and queues it. */
    private place(f: AppFunction, ins: AppInstr, op: OpcodeProbe, after: boolean, out: Insertion[], warnedDead: Set<number>): void {
        const p = op.probe;
        const event = ins.op.name;
        if (p.siteIndependent) {
            // The same code at every site (e.g. `count++`): compiled once, no per-site records beyond the table.
            let t = this.uniform.get(op);
            if (t === undefined) {
                ins.detail();
                const site = this.siteInfo(f, ins, p, op.mode);
                t = site ? this.compileAt(p, site, op.mode) : null;
                this.uniform.set(op, t);
            }
            if (t === null) return;
            const key = ruleKey(ins.op.index, p.index, after);
            let ruleId = this.ruleIdCache.get(key);
            if (ruleId === undefined) { ruleId = this.sites.ruleIdOf(`wasm:opcode:${event}:${op.mode}`); this.ruleIdCache.set(key, ruleId); }
            this.sites.addWithRuleId(f.fid, ins.pc, ins.opidx, ins.start, p.index, ruleId);
            if (t.template.bytes.length) out.push({ at: ins.opidx, after, cut: after ? ins.end : ins.start, template: t.template, siteGlobals: NO_GLOBALS });
            return;
        }
        ins.detail();
        const site = this.siteInfo(f, ins, p, op.mode);
        if (!site) {
            if (!warnedDead.has(p.index) && needsStack(p)) { warnedDead.add(p.index); }
            return;
        }
        this.placeCompiled(f, ins, p, site, op.mode, `wasm:opcode:${event}:${op.mode}`, after, out);
    }

    private placeEvent(f: AppFunction, ins: AppInstr, p: ProbeDef, event: string, rule: string, out: Insertion[], instrCount?: number, whenTaken = false, wrap?: TemplateWrap): void {
        const site: SiteInfo = {
            fid: f.fid, fname: f.name, pc: ins.pc, opidx: ins.opidx, opname: event, bytecode: ins.op.bytecode, imms: [],
            args: [], results: [], atFuncEnd: ins.atFuncEnd, locals: f.locals, moduleOffset: ins.start, instrCount,
        };
        if (!this.boundsAccept(p, site)) return;
        this.placeCompiled(f, ins, p, site, whenTaken ? 'when-taken' : '', `${rule}:<no-mode>`, false, out, false, wrap);
    }

    /** func:exit at a br_table: the probes run when the index selects the function's own label. */
    private placeTableExit(f: AppFunction, ins: AppInstr, out: Insertion[]): void {
        ins.detail();
        const table = ins.brTable;
        const depth = table && depthAt(f, ins.opidx);
        const exits = table && depth !== undefined ? exitingIndices(table, depth) : undefined;
        if (!table || !exits) return;
        const wrap: TemplateWrap = {
            key: `|table-exit:${exits.cases.join(',')}:${exits.viaDefault}:${table.targets.length}`,
            apply: t => underTableIndex(t, exits, table.targets.length),
        };
        for (const p of this.index.funcExit) this.placeEvent(f, ins, p, 'exit', 'wasm:func:exit', out, undefined, false, wrap);
    }

    private placeCompiled(f: AppFunction, ins: AppInstr, p: ProbeDef, site: SiteInfo, mode: string, rule: string, after: boolean, out: Insertion[], preSaved = false, wrap?: TemplateWrap): void {
        const key = this.cacheKey(p, mode, site) + (preSaved ? '|presaved' : '') + (wrap ? wrap.key : '');
        let compiled = this.cache.get(key);
        if (compiled === undefined) {
            compiled = this.compileAt(p, site, mode, preSaved);
            if (compiled && wrap) compiled = { ...compiled, template: wrap.apply(compiled.template) };
            this.cache.set(key, compiled);
        }
        if (compiled === null) return;
        const siteGlobals = this.allocSiteVars(p, site, rule, compiled.inits);
        this.sites.add(site.fid, site.pc, site.opidx, ins.start, p.index, rule);
        if (compiled.startInit) this.siteInits.push({ template: compiled.startInit, siteGlobals });
        if (compiled.argsBefore) {
            const pins = Int32Array.from(compiled.argsBefore, t => this.pinLocal(t));
            insertBeforeInstruction(out, ins.opidx, { at: ins.opidx, after: false, cut: ins.start, template: operandSaver(compiled.argsBefore), siteGlobals: NO_GLOBALS, pins });
            out.push({ at: ins.opidx, after, cut: after ? ins.end : ins.start, template: compiled.template, siteGlobals, pins });
        } else if (compiled.template.bytes.length) out.push({ at: ins.opidx, after, cut: after ? ins.end : ins.start, template: compiled.template, siteGlobals });
        void f;
    }

    private boundsAccept(p: ProbeDef, s: SiteInfo, mode?: string): boolean {
        const ev = mode === undefined ? undefined : opcodeEvent(s.opname);
        for (const [name, type] of p.bounds) {
            const m = /^(arg|res|local)(\d+)$/.exec(name);
            if (!m) continue;
            // The event must have the operand at all (`return` has none, whatever is on the stack).
            if (m[1] !== 'local' && ev && !findBoundVar(ev, mode, name)) return false;
            const n = Number(m[2]);
            const actual = m[1] === 'arg' ? s.args[n] : m[1] === 'res' ? s.results[n] : s.locals[n];
            if (!boundAccepts(type, actual)) return false;
        }
        return true;
    }

    private siteInfo(f: AppFunction, ins: AppInstr, p: ProbeDef, mode: string): SiteInfo | undefined {
        const op = ins.op;
        const needs = needsStack(p);
        if (needs && (!ins.args || !ins.results)) return undefined;
        const site: SiteInfo = {
            fid: f.fid, fname: f.name, pc: ins.pc, opidx: ins.opidx, opname: op.name, bytecode: op.bytecode,
            imms: ins.imms, args: ins.args ?? [], results: ins.results ? [...ins.results].reverse() : [], atFuncEnd: ins.atFuncEnd,
            locals: f.locals, moduleOffset: ins.start,
        };
        const ev = opcodeEvent(op.name);
        if (ev && needs) {
            site.argWhamm = site.args.map((_, i) => declaredType(findBoundVar(ev, mode, `arg${i}`)?.type));
            site.resWhamm = site.results.map((_, i) => declaredType(findBoundVar(ev, mode, `res${i}`)?.type));
        }
        if (ins.memarg && op.mem) {
            site.memarg = { ...ins.memarg, bytes: op.mem.bytes, isWrite: op.mem.isWrite };
        }
        if (ins.brTable) site.brTable = ins.brTable;
        // call_ref's callee is known statically when a ref.func pushed it right before.
        if (op.name.endsWith('call_ref')) site.refFunc = this.lastRefFunc ?? -1;
        if (ins.callee !== undefined) {
            const imp = this.app.importedFuncs.find(i => i.fid === ins.callee);
            site.callee = {
                name: imp ? imp.name : this.app.funcName(ins.callee), module: imp ? imp.module : '',
                // Where the callee lives (the corpus compares it with "import" and "local").
                type: imp ? 'import' : 'local',
            };
        }
        if (!this.boundsAccept(p, site, mode)) return undefined;
        return site;
    }

    private cacheKey(p: ProbeDef, mode: string, s: SiteInfo): string {
        let key = `${p.index}|${mode}|${s.opname}`;
        // @static calls may have state (a counter in the library): evaluate them at every site, in order.
        if (p.hasStaticCalls) return `${key}|@${s.moduleOffset}|${s.fid}|${s.opidx}`;
        for (const name of p.uses) {
            const v = siteKeyValue(name, s);
            if (v !== undefined) key += `|${name}=${v}`;
        }
        return key;
    }

    private compileStartInits(p: ProbeDef, site: SiteInfo, mode: string, decls: VarDecl[], siteVars: Map<string, Binding>): Template {
        const w = new CodeWriter();
        // No operands at start-up: only names known without running the probe may appear.
        const env: SiteEnv = { site, event: site.opname, mode, probeId: p.index, bounds: p.bounds, saved: new Map() };
        const c = new Compiler(this, this.globals, w, env, siteVars);
        c.pushScope();
        for (const d of decls) {
            const operand = firstOperandName(d.init);
            if (operand) throw new CompileError(`'${d.name}' is initialised once, when the program starts, when '${operand}' has no value yet: declare it without an initial value and assign it in the body`, d.init as never);
            const b = siteVars.get(d.name)!;
            c.store(b, c.expr(d.init!, b.t));
        }
        return w.finish();
    }

    /** preSaved: the operands were saved to the template's first locals by earlier code (see operandSaver). */
    private compileAt(p: ProbeDef, site: SiteInfo, mode: string, preSaved = false): CompiledProbe | null {
        const w = new CodeWriter();
        const env: SiteEnv = { site, event: site.opname, mode, probeId: p.index, bounds: p.bounds, saved: new Map() };
        // Operands (before) or results (after) the probe reads are popped into scratch locals and pushed
        // back afterwards. Both are numbered from the top of the stack: arg0/res0 is the topmost.
        const after = mode === 'after';
        const stack = after ? site.results : site.args;
        const depthOf = (name: string): number => {
            name = operandAlias(name, site);
            const m = /^(arg|res)(\d+)$/.exec(name);
            if (m && (m[1] === 'res') === after) return Number(m[2]);
            if ((name === 'addr' || name === 'effective_addr') && site.memarg && !after) return site.memarg.isWrite ? 1 : 0;
            return -1;
        };
        let deepest = -1;
        for (const name of p.uses) deepest = Math.max(deepest, depthOf(name));
        // [helper-6] dup_at() replays the instruction: it needs all of its operands.
        const dupAt = p.uses.has('dup_at') && !after;
        if (dupAt) deepest = stack.length - 1;
        deepest = Math.min(deepest, stack.length - 1);
        // Writing an operand: it must come back from its local, not stay on the stack under a tee.
        let writesOperand = false;
        if (!after) for (const name of p.writes) if (/^arg\d+$/.test(name) && depthOf(name) >= 0 && depthOf(name) <= deepest) writesOperand = true;
        // `after` reading argN: the operands were saved before the instruction into the first (pinned) locals.
        let argsBefore: ValType[] | undefined;
        if (after && !preSaved) {
            let deepestArg = -1;
            for (const name of p.uses) {
                const m = /^arg(\d+)$/.exec(operandAlias(name, site));
                if (m && Number(m[1]) < site.args.length) deepestArg = Math.max(deepestArg, Number(m[1]));
            }
            if (deepestArg >= 0) {
                argsBefore = site.args.slice(0, deepestArg + 1);
                argsBefore.forEach((t, i) => env.saved.set(`arg${i}`, { id: w.newLocal(t), t }));
            }
        }
        for (let i = 0; i <= deepest; i++) {
            // call_ref's operand is a typed reference: a funcref local would lose its type.
            if (!SCRATCH_ORDER.includes(stack[i]) || (i === 0 && !after && site.opname.endsWith('call_ref'))) {
                this.warnings.push(`probe ${p.index} (${p.ast.rule}): cannot hold a ${stack[i]} operand in a local to read ${after ? 'res' : 'arg'}${i} or one below it; not injected at fid ${site.fid} pc ${site.pc}`);
                return null;
            }
        }
        const slots: number[] = [];
        for (let i = 0; i <= deepest; i++) slots.push(w.newLocal(stack[i]));
        for (const name of p.uses) {
            const d = depthOf(name);
            const operand = operandAlias(name, site);
            if (d >= 0 && d <= deepest && /^(arg|res)\d+$/.test(operand)) env.saved.set(operand, { id: slots[d], t: stack[d] });
        }
        if (dupAt) for (let i = 0; i <= deepest; i++) env.saved.set(`arg${i}`, { id: slots[i], t: stack[i] });
        if (site.memarg && !after && deepest >= 0) {
            const d = site.memarg.isWrite ? 1 : 0;
            if (d <= deepest) env.saved.set(site.memarg.isWrite ? 'arg1' : 'arg0', { id: slots[d], t: stack[d] });
        }
        const siteVars = this.siteVarBindings(p);
        const slotsOf = siteSlots(p.siteVars);
        const c = new Compiler(this, this.globals, w, env, siteVars);
        c.pushScope();
        let guard: PV | undefined;
        if (p.ast.predicate) {
            const pv = c.condition(p.ast.predicate);
            if (pv.isConst && !pv.v) return null;
            if (!pv.isConst) guard = pv;
        }
        // Per-site variables: static initialisers become the globals' initial values.
        const runsAtStart: VarDecl[] = [];
        const inits: Const[] = p.siteVars.flatMap((d, k): Const | Const[] => {
            if (mapShape(d.type)) return 0n;
            // Tuples start at their defaults; an initialiser runs in the body.
            if (slotsOf.shapes[k]) return slotsOf.leaves.slice(slotsOf.first[k], k + 1 < slotsOf.first.length ? slotsOf.first[k + 1] : undefined).map(defaultOf);
            const t = typeText(d.type) as WType;
            this.requireScalar(t, d);
            if (!d.init) return defaultOf(t);
            const probeC = new Compiler(this, this.globals, new CodeWriter(), env, siteVars);
            probeC.pushScope();
            const v = probeC.expr(d.init, t);
            c.foldedInits.add(d);
            if (v.isConst) return convert(v.v!, v.t, t);
            // A report/unshared variable is initialised once, at start-up (the reference's behaviour:
            // `report var m: u32 = mem_size(0);` holds the size the app started with), not each time the
            // probe runs.
            runsAtStart.push(d);
            return defaultOf(t);
        });
        const startInit = runsAtStart.length ? this.compileStartInits(p, site, mode, runsAtStart, siteVars) : undefined;
        if (preSaved) { /* operands already in the slots */ }
        else if (deepest === 0 && !writesOperand) w.byte(OP.local_tee).ref(RefKind.Local, slots[0]);
        else for (let i = 0; i <= deepest; i++) w.byte(OP.local_set).ref(RefKind.Local, slots[i]);
        if (guard) { c.push(guard); w.byte(OP.if).byte(0x40); }
        c.block(p.ast.body);
        if (guard) w.byte(OP.end);
        if ((deepest > 0 || writesOperand) && !preSaved) for (let i = deepest; i >= 0; i--) w.byte(OP.local_get).ref(RefKind.Local, slots[i]);
        if (mode === 'when-taken') {
            // Before a br_if: run the code only when the branch is taken, keeping the condition.
            const body = w.finish();
            const outer = new CodeWriter();
            const cond = outer.newLocal('i32');
            for (const t of body.locals) outer.newLocal(t);
            outer.byte(OP.local_tee).ref(RefKind.Local, cond).byte(OP.if).byte(0x40);
            // Shift the body's local references by one (the condition's local comes first).
            const refs = Int32Array.from(body.refs);
            for (let i = 0; i < refs.length; i += 3) if (refs[i + 1] === RefKind.Local) refs[i + 2] += 1;
            const start = outer.length;
            outer.bytes(body.bytes);
            const shifted = outer.finish();
            const allRefs = [...shifted.refs, ...Array.from(refs, (v, i) => (i % 3 === 0 ? v + start : v))];
            const tail = new CodeWriter();
            tail.byte(OP.end).byte(OP.local_get).ref(RefKind.Local, 0);
            const tl = tail.finish();
            const bytes = new Uint8Array(shifted.bytes.length + tl.bytes.length);
            bytes.set(shifted.bytes); bytes.set(tl.bytes, shifted.bytes.length);
            const tailRefs = Array.from(tl.refs, (v, i) => (i % 3 === 0 ? v + shifted.bytes.length : v));
            return { template: { bytes, refs: Int32Array.from([...allRefs, ...tailRefs]), locals: shifted.locals }, inits };
        }
        return { template: w.finish(), inits, argsBefore, startInit };
    }

    // ---------- body rewriting ----------
    /** The function a `ref.func` right before the current instruction names (for call_ref's resolved_fid). */
    private lastRefFunc: number | undefined;

    /** Locals of the function being instrumented that belong to one site (see Insertion.pins). */
    private pinned: ValType[] = [];
    private pinLocal(t: ValType): number {
        this.pinned.push(t);
        return this.pinned.length - 1;
    }

    private rewriteBody(f: AppFunction, ins: Insertion[]): BodyEditPlan {
        // Queued in instruction order already: before-code, then func/block events, then after-code.
        const counts = new Array<number>(N_SCRATCH).fill(0);
        const c = new Array<number>(N_SCRATCH).fill(0);
        for (const x of ins) {
            if (x.template.locals.length === 0) continue;
            c.fill(0);
            const locals = x.template.locals;
            for (let j = x.pins?.length ?? 0; j < locals.length; j++) c[SCRATCH_ORDER.indexOf(locals[j])]++;
            for (let k = 0; k < N_SCRATCH; k++) if (c[k] > counts[k]) counts[k] = c[k];
        }
        // Scratch locals follow the function's own: a pool per type shared by every site.
        const typeBase = new Array<number>(N_SCRATCH).fill(0);
        const extraLocals: ValType[] = [];
        let acc = f.locals.length;
        for (let k = 0; k < N_SCRATCH; k++) {
            typeBase[k] = acc;
            acc += counts[k];
            for (let i = 0; i < counts[k]; i++) extraLocals.push(SCRATCH_ORDER[k]);
        }
        const pinBase = acc;
        extraLocals.push(...this.pinned);
        this.pinned = [];
        const none = new Int32Array(0);
        const resolved: Int32Array[] = ins.map(x => {
            if (x.template.locals.length === 0) return none;
            const seen = new Array<number>(N_SCRATCH).fill(0);
            const pins = x.pins;
            return Int32Array.from(x.template.locals, (t, j) => {
                if (pins && j < pins.length) return pinBase + pins[j];
                const k = SCRATCH_ORDER.indexOf(t);
                return typeBase[k] + seen[k]++;
            });
        });
        const code = new CodeBuilder();
        let copied = f.codeStart;
        // Output code offsets of the trap points: copies are spliced in before later bytes of `out`.
        const fixups = this.fnFixups;
        let fi = 0, copiedBytes = 0;
        const func = f.fid + this.imports.length;
        const copy = (from: number, to: number) => {
            for (; fi < fixups.length && fixups[fi].pos < to; fi++) {
                if (fixups[fi].pos >= from) this.trapFixups.push({ func, at: code.out.len + copiedBytes + fixups[fi].pos - from, undo: fixups[fi].undo });
            }
            code.copy(from, to);
            copiedBytes += to - from;
        };
        for (let i = 0; i < ins.length; i++) {
            const x = ins[i];
            if (x.cut > copied) { copy(copied, x.cut); copied = x.cut; }
            placeInto(x.template, code.out, x.siteGlobals, resolved[i]);
            if (x.skipTo !== undefined && x.skipTo > copied) copied = x.skipTo;
        }
        if (f.bodyEnd > copied) copy(copied, f.bodyEnd);
        return { extraLocals, code };
    }

    // ---------- start-up, end, report readers ----------
    /** Start-up initialisers of per-site variables (see compileStartInits). */
    private readonly siteInits: { template: Template; siteGlobals: ArrayLike<number> }[] = [];

    private emitStart(startCode: Statement[]): void {
        if (startCode.length === 0 && this.index.begin.length === 0 && this.siteInits.length === 0) return;
        const w = new CodeWriter();
        const c = new Compiler(this, this.globals, w, undefined);
        c.pushScope();
        for (const s of startCode) {
            if (s.$type === 'VarDecl') {
                const d = s as unknown as { name: string; init: never };
                const b = this.globals.get(d.name)!;
                if (b.tuple) c.storeTuple(b, d.init); else c.store(b, c.expr(d.init, b.t));
            } else c.stmt(s);
        }
        for (const x of this.siteInits) {
            const locals = x.template.locals.map(t => w.newLocal(t));
            const code = new Uint8Array(placedSize(x.template, x.siteGlobals, locals));
            place(x.template, code, 0, x.siteGlobals, locals);
            w.bytes(code);
        }
        for (const p of this.index.begin) this.inlineProbe(c, w, p);
        w.byte(OP.end);
        // Exported; the runner calls it before the app's entry point.
        this.exports.push({ name: BEGIN_EXPORT, kind: 'func', index: this.finishFunction(w) });
    }

    private emitEnd(): void {
        const probes = [...this.index.end, ...this.index.report];
        if (probes.length === 0) return;
        const w = new CodeWriter();
        const c = new Compiler(this, this.globals, w, undefined);
        c.pushScope();
        for (const p of probes) this.inlineProbe(c, w, p);
        w.byte(OP.end);
        const fid = this.finishFunction(w);
        this.exports.push({ name: END_EXPORT, kind: 'func', index: fid });
        this.endExport = END_EXPORT;
    }

    private endExport: string | undefined;

    private inlineProbe(c: Compiler, w: CodeWriter, p: ProbeDef): void {
        if (p.siteVars.length) throw new CompileError('report/unshared variables in wasm:begin/end probes are not supported yet', p.ast);
        const env: SiteEnv = { event: '', mode: '', probeId: p.index, bounds: p.bounds, saved: new Map() };
        const pc = new Compiler(this, this.globals, w, env);
        pc.pushScope();
        if (p.ast.predicate) {
            const g = pc.condition(p.ast.predicate);
            if (g.isConst && !g.v) return;
            if (!g.isConst) { pc.push(g); w.byte(OP.if).byte(0x40); pc.block(p.ast.body); w.byte(OP.end); return; }
        }
        pc.block(p.ast.body);
        void c;
    }

    private finishFunction(w: CodeWriter): number {
        const t = w.finish();
        const resolved = t.locals.map((_, k) => k);
        const body = new Uint8Array(placedSize(t, [], resolved));
        place(t, body, 0, [], resolved);
        return this.addFunction([], [], t.locals, body);
    }

    private emitReaders(): ReportLayout {
        const layout: ReportLayout = { version: 1, script: this.input.scriptPath ?? 'script.mm', vars: [], readers: [] };
        const vars = this.reportVars;
        // A tuple takes one slot per leaf.
        const leaves = vars.some(v => v.more) ? vars.flatMap(v => [v, ...(v.more ?? [])]) : vars;
        for (let from = 0; from < leaves.length; from += READER_BATCH) {
            const batch = leaves.slice(from, from + READER_BATCH);
            const w = new CodeWriter();
            for (const v of batch) {
                this.emitGlobalValue(w, v.global);
                switch (v.vt) {
                    case 'i32': w.byte(OP.i64_extend_i32_u); break;
                    case 'f32': w.byte(OP.f64_promote_f32).byte(OP.i64_reinterpret_f64); break;
                    case 'f64': w.byte(OP.i64_reinterpret_f64); break;
                }
            }
            w.byte(OP.end);
            const fid = this.addFunction([], batch.map(() => 'i64' as ValType), [], w.finish().bytes);
            const name = `whamm$report${layout.readers.length}`;
            this.exports.push({ name, kind: 'func', index: fid });
            layout.readers.push({ export: name, count: batch.length });
        }
        let slot = 0;
        for (const v of vars) {
            const { global: _g, vt: _vt, more, ...rest } = v;
            layout.vars.push({ ...rest, slot });
            slot += 1 + (more?.length ?? 0);
        }
        if (this.trapFixups.length) {
            // Flat: func, at, then (first slot, slot count, amount) triples; the first row's slot names the run.
            const packed: number[] = [];
            for (const x of this.trapFixups) {
                packed.push(x.func, x.at, x.undo.length / 3);
                for (let i = 0; i < x.undo.length; i += 3) packed.push(layout.vars[x.undo[i]].slot, x.undo[i + 1], x.undo[i + 2]);
            }
            layout.trapFixups = packed;
        }
        if (this.endExport) layout.end = this.endExport;
        return layout;
    }
}

/**
 * Saves the topmost operands (arg0 first) into the template's first locals and leaves the stack as it was.
 * A later template reads them from the same locals: pooled scratch (an if's entry template allocating the
 * same leading locals) or pinned ones (Insertion.pins, for after probes reading argN).
 */
function operandSaver(args: ValType[]): Template {
    const w = new CodeWriter();
    const slots = args.map(t => w.newLocal(t));
    for (let i = 0; i < slots.length; i++) w.byte(OP.local_set).ref(RefKind.Local, slots[i]);
    for (let i = slots.length - 1; i >= 0; i--) w.byte(OP.local_get).ref(RefKind.Local, slots[i]);
    return w.finish();
}

/**
 * Queues code that must run right before instruction `at`, after the before-code already queued for it but
 * ahead of an alt that replaces it and of its after-code.
 */
function insertBeforeInstruction(out: Insertion[], at: number, x: Insertion): void {
    let k = out.length;
    while (k > 0 && out[k - 1].at === at && (out[k - 1].after || out[k - 1].skipTo !== undefined)) k--;
    out.splice(k, 0, x);
}

/** The first bound name in `e` that only has a value while the probe runs (operands, results, addresses). */
function firstOperandName(e: unknown): string | undefined {
    if (!e || typeof e !== 'object') return undefined;
    const o = e as Record<string, unknown>;
    if (o.$type === 'VarRef') {
        const n = (o.ref as { $refText?: string } | undefined)?.$refText ?? '';
        if (/^(arg|res)\d+$/.test(n) || n === 'addr' || n === 'effective_addr' || SLOT_VARS.has(n) || /^local\d+$/.test(n)) return n;
    }
    for (const [k, v] of Object.entries(o)) {
        if (k.startsWith('$')) continue;
        const found = Array.isArray(v) ? v.map(firstOperandName).find(Boolean) : v && typeof v === 'object' && '$type' in (v as object) ? firstOperandName(v) : undefined;
        if (found) return found;
    }
    return undefined;
}

function declaredType(t: string | undefined): WType | undefined {
    if (!t || t === 'unknown') return undefined;
    return t as WType;
}

/** Bound variables computed from an operand: the operand they read (call_indirect's slot is arg0). */
const SLOT_VARS = new Set(['table_entry_idx', 'resolved_fid', 'target_funcref']);
function operandAlias(name: string, site: SiteInfo): string {
    // memory.grow's `failed` is read from its result (-1 when the memory did not grow).
    if (name === 'failed' && site.opname === 'memory.grow') return 'res0';
    // br_table's `target` is looked up from its index operand.
    if (name === 'target' && site.brTable) return 'arg0';
    return SLOT_VARS.has(name) && (site.opname.endsWith('call_indirect') || site.opname === 'table.get') ? 'arg0' : name;
}

function needsStack(p: ProbeDef): boolean {
    // [helper-6] dup_at() reads every operand of the instruction.
    for (const n of p.uses) if (/^(arg|res)\d+$/.test(n) || n === 'addr' || n === 'effective_addr' || n === 'dup_at' || n === 'failed' || n === 'target' || SLOT_VARS.has(n)) return true;
    for (const n of p.bounds.keys()) if (/^(arg|res)\d+$/.test(n)) return true;
    return false;
}

/** The part of a site a probe's code depends on, for the code cache. */
function siteKeyValue(name: string, s: SiteInfo): string | undefined {
    switch (name) {
        case 'fid': return String(s.fid);
        case 'fname': return s.fname;
        case 'pc': return String(s.pc);
        case 'opidx': return String(s.opidx);
        case 'at_func_end': return String(s.atFuncEnd);
        case 'opname': case 'bytecode': return s.opname;
        case 'instr_count': return String(s.instrCount);
        case 'failed': return s.results.join();
        case 'offset': case 'align': case 'data_size': case 'is_write': case 'memory': case 'addr': case 'effective_addr':
            return s.memarg ? `${s.memarg.offset}/${s.memarg.align}/${s.memarg.memory}/${s.memarg.bytes}/${s.args.join()}` : '-';
        case 'num_targets': case 'default_target': case 'targets': case 'target':
            return s.brTable ? `${s.brTable.targets.join()}/${s.brTable.default}` : '-';
        case 'target_fn_name': case 'target_imp_module': case 'target_fn_type':
            return s.callee ? `${s.callee.module}/${s.callee.name}/${s.callee.type}` : '-';
        // The table (an immediate), the saved operands, and for ref.func the function itself.
        case 'table_entry_idx': case 'resolved_fid': case 'target_funcref':
            return `${s.imms.join()}/${s.args.join()}>${s.results.join()}/${s.refFunc}`;
    }
    let m = /^imm(\d+)$/.exec(name);
    if (m) return String(s.imms[Number(m[1])]);
    m = /^(arg|res)(\d+)$/.exec(name);
    if (m) return `${s.args.join()}>${s.results.join()}`;
    m = /^local(\d+)$/.exec(name);
    if (m) return s.locals[Number(m[1])] ?? '-';
    return undefined;
}

function ruleKey(opIndex: number, probe: number, after: boolean): number {
    return opIndex * 4096 + probe * 4 + (after ? 1 : 0);
}

/** The counter-probe sites of the current straight-line segment: flat (op, opIndex, pc, opidx, offset). */
class SegmentState {
    readonly entries: number[] = [];
    length = 0;
    flushed = false;
    private readonly ids = new Map<OpcodeProbe, number>();
    constructor(readonly ops: OpcodeProbe[]) {
        ops.forEach((op, k) => this.ids.set(op, k));
    }
    add(op: OpcodeProbe, ins: AppInstr): void {
        let k = this.ids.get(op);
        if (k === undefined) { k = this.ops.length; this.ops.push(op); this.ids.set(op, k); }
        const e = this.entries;
        e[this.length++] = k; e[this.length++] = ins.op.index; e[this.length++] = ins.pc; e[this.length++] = ins.opidx; e[this.length++] = ins.start;
    }
    /** Trap points: (original module offset, entries before it) pairs. */
    readonly traps: number[] = [];
    reset(): void { this.length = 0; this.traps.length = 0; }
}

/** After this instruction, the next one may not run (branch, call, return, trap); by opcode-table index. */
const ENDS_SEGMENT: Uint8Array = Uint8Array.from(OPCODES, op => {
    if (op.mem) return 1;
    switch (op.category) {
        case 'const': case 'compare': case 'variable': case 'parametric': case 'simd':
            return 0;
        case 'arith': return /\.(div|rem)_/.test(op.name) && !op.name.startsWith('f') ? 1 : 0;
        case 'convert': return /trunc_f/.test(op.name) && !op.name.includes('_sat_') ? 1 : 0;
        default: return 1;
    }
});

const REF_FUNC = OPCODES.findIndex(op => op.name === 'ref.func');
function refFuncOf(ins: AppInstr): number {
    ins.detail();
    return Number(ins.imms[0]);
}

/** Instructions whose only way out besides falling through is a trap; by opcode-table index. */
const MAY_TRAP: Uint8Array = Uint8Array.from(OPCODES, op => {
    if (op.mem) return op.category === 'atomic' ? 0 : 1;
    if (op.category === 'arith') return /^i(32|64)\.(div|rem)_/.test(op.name) ? 1 : 0;
    if (op.category === 'convert') return /trunc_f/.test(op.name) && !op.name.includes('_sat_') ? 1 : 0;
    return op.name === 'memory.fill' || op.name === 'memory.copy' || op.name === 'memory.init' ? 1 : 0;
});

function endsSegment(ins: AppInstr): boolean {
    return ENDS_SEGMENT[ins.op.index] === 1;
}

/** Control instructions end a basic block; the instruction after them starts one. */
function endsBasicBlock(ins: AppInstr): boolean {
    switch (ins.op.name) {
        case 'block': case 'loop': case 'if': case 'else': case 'end': case 'br': case 'br_if': case 'br_table':
        case 'return': case 'unreachable': case 'return_call': case 'return_call_indirect': case 'return_call_ref':
        case 'try_table': case 'throw': case 'throw_ref': case 'br_on_null': case 'br_on_non_null':
        case 'br_on_cast': case 'br_on_cast_fail':
            return true;
    }
    return false;
}

function startsBasicBlock(ins: AppInstr): boolean {
    return ins.op.name === 'else' || ins.op.name === 'end' || ins.op.name === 'loop';
}

export { valTypeOf };

