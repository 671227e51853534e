// The instrumenter's state and its host side: imports (maps, strings, libraries), @static library calls,
// app functions and memories for the compiler (CompileHost), and functions appended to the module.
import type { Span, Type } from '../frontend/index.js';
import type { AppModule } from './app.js';
import { type DecodedApp, decodeApp, type BodyEditPlan, type NewFunction, type NewGlobal, type NewImport } from './app-codec.js';
import { constOffset } from '../wasm/instructions.js';
import { CompileError, type Binding, type CompileHost } from './compile.js';
import { type Template } from './emit.js';
import { indexProbes, type OpcodeProbe, type ProbeIndex } from './probes-at-site.js';
import { LabelShifts } from './branch-targets.js';
import { initialTableContents, resolverBody } from './table-resolver.js';
import { type ReportVar } from './report-layout.js';
import { RuntimeBuilder } from '../runtime/builder.js';
import { CORE_LIBRARY, instantiateLibrarySync, withCoreLibrary } from '../runtime/libs.js';
import { clearStringInterner, setStringInterner, stringImportsOf, type StringImport } from './strings.js';
import { RT_IMPORT_MODULE } from '../runtime/spec.js';
import { mapShape, typeText, type ProbeDef, type ScriptModel } from './script.js';
import { type Const, type ValType, type WType, convert, isFloat, isInt, whammTypeOfVal } from './types.js';
import { SiteTable } from './site-table.js';
import { IntLog } from './int-log.js';
import type { InstrumentInput } from './instrument-api.js';
import type { CompiledProbe } from './insertion.js';
import { needsStack } from './operands.js';
import { ReportLog } from './report-log.js';
import { batchableMaps, type BatchSpec } from './map-batch.js';


export class InstrumenterHost implements CompileHost {
    protected readonly index: ProbeIndex;
    protected readonly globals = new Map<string, Binding>();
    protected readonly newGlobals: NewGlobal[] = [];
    protected readonly newFunctions: NewFunction[] = [];
    protected readonly exports: { name: string; kind: 'func' | 'global' | 'memory'; index: number }[] = [];
    /**
     * The report's rows, as the layout lists them, with where each is read: its global (or ~cell of the
     * counter memory) and value type (tens of millions of rows on a big app: no object each).
     */
    protected readonly reportLog = new ReportLog();
    /** A tuple's further leaves (its first is the var's global), by var index. */
    protected readonly reportMore = new Map<number, { global: number; vt: ValType }[]>();
    protected readonly sites: SiteTable;
    protected readonly warnings: string[] = [];
    protected readonly scriptFns = new Map<string, { index: number; params: WType[]; result: WType }>();
    protected readonly cache = new Map<string, CompiledProbe | null>();
    protected readonly uniform = new Map<OpcodeProbe, CompiledProbe | null>();
    protected readonly ruleIdCache = new Map<number, number>();
    /** Probes compiled as merged counters (see flushSegment). */
    protected readonly counters: ProbeDef[];
    protected readonly counterOps: OpcodeProbe[] = [];
    protected readonly libs = new Map<string, { instance: WebAssembly.Instance; module: AppModule }>();
    protected readonly bodies = new Map<number, BodyEditPlan>();
    protected readonly imports: NewImport[] = [];
    protected readonly importIndex = new Map<string, number>();
    protected readonly funcBase: number;
    /** The runtime contract (maps, strings) shared with server/src/runtime. */
    readonly rt = new RuntimeBuilder();
    protected readonly mapImports = new Map<string, string>();
    protected readonly resolvers = new Map<number, number>();
    /** Whether any app code writes a table (scanned once, for the first resolver). */
    protected tablesWritten: boolean | undefined;

    protected readonly needsTypes: boolean;

    /** Labels of the function's branches that guarded block alts wrapped, per function (see trackBlock). */
    protected shifts = new LabelShifts();
    protected readonly warnedWrites = new Set<number>();
    protected blockAltsKnown: boolean | undefined;

    /** Trap fixups of the function being instrumented (original module offsets), in code order. */
    protected fnFixups: { pos: number; undo: number[] }[] = [];
    /**
     * Trap fixups placed in the output, flat (a big module has millions): function index, code offset,
     * then one (first report var, count, amount) triple: 5 numbers each.
     */
    protected readonly trapFixups = new IntLog();
    /** Per-site report rows' probe labels, by probe * 65536 + rule id. */
    protected readonly probeLabels = new Map<number, string>();
    /**
     * Segments run on across instructions that can only trap (see segmentBoundary). Off in --testing mode
     * (the get_<name> exports read the globals directly) and when imports are added: they renumber calls
     * in copied code, which can change its size and so the offsets the fixups name.
     */
    protected extendSegments = false;
    protected readonly scriptCounterRows = new Map<number, number>();

    protected readonly counterTemplates = new Map<number, Template>();
    /**
     * Per-site counters kept in the counter memory (see flushSegment): cells of 8 bytes, allocated in order.
     * A report row read from cell c is read from global ~c in reportLog.
     */
    protected counterCells = 0;
    /** Script-global counters spread over per-segment globals: base global -> parts. */
    protected readonly counterParts = new Map<number, { type: WType; globals: number[]; sizes: number[]; next: number }>();
    /** Per counter op (SegmentState index): rule id by opcode-table index (-1 = not yet named). */
    protected readonly counterRuleIds: Int32Array[] = [];
    protected readonly globalIndexCache = new Map<string, number>();

    // ---------- body rewriting ----------
    /** The function a `ref.func` right before the current instruction names (for call_ref's resolved_fid). */
    protected lastRefFunc: number | undefined;

    /** Locals of the function being instrumented that belong to one site (see Insertion.pins). */
    protected pinned: ValType[] = [];

    // ---------- start-up, end, report readers ----------
    /** Start-up initialisers of per-site variables (see compileStartInits). */
    protected readonly siteInits: { template: Template; siteGlobals: ArrayLike<number> }[] = [];

    protected endExport: string | undefined;

    /** Batched map increments (map-batch.ts): `map.run` import name by script-global map name. */
    protected readonly batchRuns = new Map<string, string>();
    /** Every batched site: its spec and first global; the end function flushes their runs. */
    protected readonly batchFlushes: { spec: BatchSpec; first: number }[] = [];
    /** Set once MAX_BATCHED_SITES sites are batched. */
    protected batchesFull = false;


    /** `<probe>_<rule>`, the probe column of a per-site report row, made once per probe and rule. */
    protected probeLabel(probe: number, ruleId: number): string {
        const key = probe * 65536 + ruleId;
        let label = this.probeLabels.get(key);
        if (label === undefined) this.probeLabels.set(key, label = `${probe}_${this.sites.rules[ruleId]}`);
        return label;
    }

    /** Adds a report row read from global `global` (then `more`, for a tuple's further leaves). */
    protected addReportVar(v: ReportVar, global: number, vt: ValType, more?: { global: number; vt: ValType }[]): void {
        if (more) this.reportMore.set(this.reportLog.count, more);
        this.reportLog.add(v, global, vt);
    }

    constructor(readonly app: AppModule, readonly model: ScriptModel, readonly input: InstrumentInput) {
        this.sites = new SiteTable(namesOf(app), input.siteSink);
        this.index = indexProbes(model.probes);
        this.needsTypes = model.probes.some(needsStack) || this.index.alt.some(x => x !== undefined) || this.index.blockAlt.some(x => x !== undefined);
        this.counters = model.probes.filter(p => p.counter);
        setStringInterner(this.intern); // str constants become runtime handles
        this.planImports();
        this.extendSegments = !input.testing && this.imports.length === 0;
        this.funcBase = app.funcCount + this.imports.length;
        for (const u of this.index.unsupported) this.warnings.push(`probe ${u.probe.index} (${u.probe.rule}): ${u.what} is not supported yet; not injected`);
    }


    private readonly intern = (str: string): number => this.rt.text(str);

    /** The instrumentation is over: nothing global refers to this instrumenter any more. */
    release(): void {
        clearStringInterner(this.intern);
    }

    /** Imports must be known before any code is generated: they shift the app's function indices. */
    protected planImports(): void {
        const mapTypes = new Set<string>();
        const addShape = (t: Type) => { const m = mapShape(t); if (m) mapTypes.add(m.typeText); };
        for (const g of this.model.globals) addShape(g.var.type);
        for (const p of this.model.probes) for (const d of p.siteVars) addShape(d.var.type);
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
        // Maps only ever incremented before the end: their increments may be batched into strided runs.
        if (!this.input.testing) {
            const endProbes = new Set([...this.index.end, ...this.index.report]);
            for (const name of batchableMaps(this.model, endProbes)) {
                const m = mapShape(this.model.globals.find(g => g.var.name === name)!.var.type);
                let imp;
                try { imp = m && this.rt.mapImport('run', m.typeText); } catch { continue; }
                if (!imp) continue;
                this.addImport(imp.module, imp.name, imp.params as ValType[], imp.results as ValType[]);
                this.batchRuns.set(name, imp.name);
            }
        }
        // Run-time string operations (strings.ts) call whamm:rt.
        for (const name of stringImportsOf(this.model)) {
            const imp = this.rt.stringImport(name);
            this.addImport(imp.module, imp.name, imp.params as ValType[], imp.results as ValType[]);
        }
        for (const { lib, fn, span } of this.model.ir.libraryCalls) {
            const l = this.library(lib, span);
            const fid = this.exportedFid(l.module, fn);
            if (fid === undefined) throw new CompileError(`library '${lib}' has no function '${fn}'`, span);
            const t = l.module.funcType(fid);
            this.addImport(lib, fn, t.params, t.results);
        }
    }

    /** StringHost: function index of a planned whamm:rt string import. */
    stringFunction(name: StringImport): number {
        const i = this.importIndex.get(`${RT_IMPORT_MODULE}\0${name}`);
        if (i === undefined) throw new CompileError(`internal: string function ${name} was not planned`);
        return i;
    }

    /** StringHost: memid(lib). */
    memid(lib: string): number { return this.rt.memid(lib); }

    /** MemoryHost (engine/mem-builtins.ts): data segments for dup_at on memory.init. */
    dataSegment(index: number): Uint8Array | undefined {
        const m = (this.app as Partial<DecodedApp>).module;
        const d = m?.data[index];
        return d && m ? m.bytes.subarray(d.data.start, d.data.end).slice() : undefined;
    }

    /** MemoryHost: span of the active data segments of memory `mem` with i32.const offsets. */
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

    /** MemoryHost: a byte string in the runtime's table. */
    bytesHandle(bytes: Uint8Array): number { return this.rt.stringBytes(bytes); }

    protected addImport(module: string, name: string, params: ValType[], results: ValType[]): void {
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

    batchRun(name: string): number | undefined {
        const imp = this.batchesFull ? undefined : this.batchRuns.get(name);
        return imp === undefined ? undefined : this.importIndex.get(`${RT_IMPORT_MODULE}\0${imp}`);
    }

    libraryImport(lib: string, fn: string): { index: number; params: WType[]; result: WType } | undefined {
        const index = this.importIndex.get(`${lib}\0${fn}`);
        if (index === undefined) return undefined;
        const imp = this.imports[index - this.app.importedFuncs.length];
        return { index, params: imp.params.map(whammTypeOfVal), result: imp.results.length ? whammTypeOfVal(imp.results[0]) : 'unit' };
    }

    protected newMap(t: Type): number {
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
    protected appWritesTables(): boolean {
        for (const f of this.app.functions) for (const ins of f.instrs(false)) if (ins.op.writesTable) return true;
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

    protected library(name: string, span?: Span): { instance: WebAssembly.Instance; module: AppModule } {
        let l = this.libs.get(name);
        if (!l) {
            // whamm_core comes without --user-libs; libraries may import WASI (inert here).
            const bytes = withCoreLibrary(this.input.userLibs, name === CORE_LIBRARY).get(name);
            if (!bytes) throw new CompileError(`library '${name}' was not given (--user-libs ${name}=PATH)`, span);
            const instance = instantiateLibrarySync(name, bytes);
            l = { instance, module: decodeApp(bytes) };
            this.libs.set(name, l);
        }
        return l;
    }

    protected exportedFid(m: AppModule, name: string): number | undefined {
        return (m as AppModule & { exportFunc?: (n: string) => number | undefined }).exportFunc?.(name);
    }

    /** Appends a function; `body` is its instruction bytes ending with `end`. */
    protected addFunction(params: ValType[], results: ValType[], locals: ValType[], body: Uint8Array, track = true): number {
        const fid = this.funcBase + this.newFunctions.length;
        this.newFunctions.push({ params, results, locals, body });
        void track;
        return fid;
    }
}

/** The app's function names; for a decoded app, without holding the app (the site table may outlive it). */
function namesOf(app: AppModule): (fid: number) => string {
    const names = (app as Partial<DecodedApp>).module?.names.funcs;
    return names ? namesIn(names) : fid => app.funcName(fid);
}

function namesIn(names: ReadonlyMap<number, string>): (fid: number) => string {
    return fid => names.get(fid) ?? '';
}
