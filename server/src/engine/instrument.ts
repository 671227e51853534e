// The instrumenter: (app.wasm, script.mm) -> instrumented app.wasm, report layout and site table.
//
// State lives in mutable globals appended to the module (the app cannot touch them, and Node 20 has no
// multi-memory): one per script global, one per per-site variable and match site; a big module's per-site
// counters, once the module has MEMORY_COUNTERS_FROM globals, are cells of a memory of their own
// (counters.ts). Probe code is inlined at each site; its scratch locals are appended to the function
// (shared by all sites of the function, since probe bodies never overlap in time). Script functions, report
// readers, the wasm:end function and the start-up function are appended after the app's functions, so no
// app function index changes.
//
// The instrumenter is built in layers, each adding one responsibility to the one below it: host.ts (state;
// imports, libraries, @static) -> layout.ts (globals, per-site state) -> counters.ts (merged counters, trap
// fix-ups) -> local-pool.ts (scratch locals, body rewriting) -> site-compile.ts (one probe at one site) ->
// placement.ts -> alt.ts -> blocks.ts -> function-walk.ts -> entry-functions.ts (start, end, report
// readers) -> the run, below.
import { buildProgram, librarySignatures, type Program, type UserLibs } from '../frontend/index.js';
import { CORE_LIBRARY, withCoreLibrary } from '../runtime/libs.js';
import { decodeApp, ModuleAssembler, type ModulePlan } from './app-codec.js';
import { CompileError } from './compile.js';
import { CodeWriter, OP } from './emit.js';
import { COUNTER_MEMORY_EXPORT, REPORT_SECTION, encodeLayoutPieces } from './report-layout.js';
import { COUNTER_CELL } from './counters.js';
import { APP_MEMORY_EXPORT } from '../runtime/spec.js';
import { buildScriptModel } from './script.js';
import { valTypeOf } from './types.js';
import { EntryFunctions } from './entry-functions.js';
import type { InstrumentInput } from './instrument-api.js';

export { SiteTable, type SiteRecord } from './site-table.js';
export { ScriptError, TooLargeError, type InstrumentInput, type InstrumentResult, type ScriptDiagnostic, type PlanSink, type PlannedAdditions } from './instrument-api.js';
import { ScriptError, TooLargeError, type InstrumentResult } from './instrument-api.js';

/**
 * Front-end then engine: the script is parsed and checked (with the signatures of its libraries), and only a
 * script without errors is compiled. A ScriptError carries exactly the diagnostics the editor shows.
 */
export async function instrument(input: InstrumentInput): Promise<InstrumentResult> {
    const program = await buildProgram(input.script, { file: input.scriptPath ?? 'script.mm', libraries: libraryResolver(input.userLibs) });
    return instrumentProgram(program, input);
}

/** The signatures of the libraries a script uses (the core library when it asks for it), for the checker. */
export function libraryResolver(userLibs: Map<string, Uint8Array> | undefined): (uses: readonly string[]) => UserLibs {
    return uses => {
        const libs = withCoreLibrary(userLibs, uses.includes(CORE_LIBRARY));
        const out: UserLibs = {};
        for (const [name, bytes] of libs) {
            try {
                out[name] = librarySignatures(bytes);
            } catch (e) {
                throw new Error(`user library '${name}': ${(e as Error).message}`);
            }
        }
        return out;
    };
}

/** Compiles a checked program into the app; throws ScriptError when the program has errors. */
export async function instrumentProgram(program: Program, input: Omit<InstrumentInput, 'script'>): Promise<InstrumentResult> {
    const file = program.file;
    if (program.errors.length) {
        throw new ScriptError(program.errors.map(d => ({ line: d.range.start.line + 1, column: d.range.start.character + 1, message: String(d.message), severity: 'error' })), file);
    }
    const model = buildScriptModel(program);
    const app = input.decoded ?? decodeApp(input.app);
    let instrumenter: Instrumenter | undefined;
    try {
        instrumenter = new Instrumenter(app, model, { ...input, script: '' });
        return await instrumenter.run();
    } catch (e) {
        if (e instanceof CompileError) {
            const pos = e.span ? program.ir?.position(e.span.start) : undefined;
            throw new ScriptError([{ line: (pos?.line ?? 0) + 1, column: (pos?.character ?? 0) + 1, message: e.message, severity: 'error' }], file);
        }
        throw e;
    } finally {
        instrumenter?.release();
    }
}

class Instrumenter extends EntryFunctions {
    // ---------- the run ----------
    async run(): Promise<InstrumentResult> {
        const startCode = this.layoutGlobals();

        const warnedDead = new Set<number>();
        const functions = this.app.functions;
        // Each body is encoded into the code section as soon as it is done (nothing to encode in a dry run).
        const asm = this.input.plan && this.input.dryRun ? undefined : new ModuleAssembler(this.app, this.imports, this.input.codeSpill, this.input.codeChunkBytes);
        let edited = 0;
        for (let i = 0; i < functions.length; i++) {
            if ((i & 63) === 0) this.checkMemory(`after ${i} of ${functions.length} functions`);
            const f = functions[i];
            this.instrumentFunction(f, warnedDead);
            this.checkGlobals(i + 1, functions.length);
            const edit = this.bodies.get(f.fid);
            if (edit) { this.bodies.delete(f.fid); edited++; }
            asm?.body(f.fid, edit);
        }
        this.checkMemory(`after all ${functions.length} functions`);

        this.emitStart(startCode);
        this.emitEnd();
        const { layout, encoded: encodedLayout } = this.emitReaders();
        if (this.input.testing) {
            for (const [name, b] of this.globals) {
                if (b.kind === 'global' && !b.tuple && !this.app.exportNames.has(`get_${name}`)) {
                    const w = new CodeWriter();
                    this.emitGlobalValue(w, b.index);
                    w.op(OP.end); // a body ends with `end`
                    const fid = this.addFunction([], [valTypeOf(b.t)], [], w.finish().bytes);
                    this.exports.push({ name: `get_${name}`, kind: 'func', index: fid });
                }
            }
        }
        // read_str/write_str/strcmp on the app's memory: the runtime reaches it through this export.
        if (this.app.memories.length && [...this.importIndex.keys()].some(k => /^whamm:rt\0(str\.(read|write|cmp)|mem\.)/.test(k))) {
            this.exports.push({ name: APP_MEMORY_EXPORT, kind: 'memory', index: 0 });
        }
        // Per-site counters past the globals threshold: a memory of their own, exported for the runner.
        let memories: number[] | undefined;
        if (this.counterCells > 0) {
            const pages = Math.max(1, Math.ceil(this.counterCells * COUNTER_CELL / 65536));
            if (pages > 65536) throw new TooLargeError(`the module is too large to instrument with this script: its ${this.counterCells.toLocaleString('en-US')} per-site counters need more than the 4 GiB a memory holds; narrow the probe's rule or predicate, or count into a script variable`, 'engine');
            memories = [pages];
            this.exports.push({ name: COUNTER_MEMORY_EXPORT, kind: 'memory', index: this.counterMemory });
        }
        // Nothing to add: the app is returned as it is (byte for byte).
        if (edited === 0 && this.newGlobals.length === 0 && this.newFunctions.length === 0 && this.imports.length === 0 && this.exports.length === 0) {
            const bytes = this.app.bytes.slice();
            return { bytes, module: this.input.moduleParts ? { size: bytes.length, pieces: () => [bytes] } : undefined, layout, sites: this.sites, warnings: this.warnings };
        }
        // Map imports were planned from the declarations; if no site instantiated a map, the runtime must
        // still provide them, so register one (unreported) map of a declared type.
        if (this.mapImports.size && this.rt.mapCount === 0) this.rt.addMap(this.mapImports.keys().next().value!.split('\0')[1]);
        this.input.plan?.added({
            imports: this.imports.map(i => ({ module: i.module, name: i.name })),
            functions: this.newFunctions.map(fn => ({ params: fn.params, results: fn.results, body: fn.body })),
            globals: this.newGlobals.map(g => ({ type: g.type, mutable: g.mutable })),
            exports: this.exports.map(e => ({ ...e })),
        });
        if (!asm) return { bytes: new Uint8Array(0), layout, sites: this.sites, warnings: this.warnings };
        const plan: Omit<ModulePlan, 'imports' | 'bodies'> = {
            globals: this.newGlobals, memories, functions: this.newFunctions, exports: this.exports,
            customSections: [
                { name: REPORT_SECTION, bytes: encodedLayout ?? encodeLayoutPieces(layout) },
                ...(this.rt.usesRuntime ? (await this.rt.sections()).map(x => ({ name: x.name, bytes: x.data })) : []),
            ],
        };
        this.checkMemory('before assembling the output');
        if (this.input.moduleParts) return { bytes: new Uint8Array(0), module: asm.finishModule(plan), layout, sites: this.sites, warnings: this.warnings };
        const bytes = asm.finish(plan);
        return { bytes, layout, sites: this.sites, warnings: this.warnings };
    }

    /**
     * Per-site state lives in globals, and engines accept at most MAX_MODULE_GLOBALS of them: give up as soon
     * as the module would pass that, rather than write a module no engine loads.
     */
    private checkGlobals(done: number, of: number): void {
        const n = this.app.globalCount + this.newGlobals.length;
        if (n <= MAX_MODULE_GLOBALS) return;
        throw new TooLargeError(`the module is too large to instrument with this script: its per-site state needs more than ${MAX_MODULE_GLOBALS.toLocaleString('en-US')} globals, the most an engine accepts (${n.toLocaleString('en-US')} after ${done} of ${of} functions, ${this.sites.length.toLocaleString('en-US')} sites); narrow the probe's rule or predicate, or count into a script variable`, 'engine');
    }

    private checkMemory(when: string): void {
        const limit = this.input.maxMemoryMb;
        if (limit === undefined) return;
        const used = process.memoryUsage.rss() / 1048576;
        if (used > limit) {
            throw new TooLargeError(`the module is too large to instrument with this script in ${limit} MB of memory (${used.toFixed(0)} MB in use ${when}, ${this.sites.length} sites so far)`);
        }
    }
}

/** The most globals V8 (and so Node and VS Code) accepts in a module. */
export const MAX_MODULE_GLOBALS = 1_000_000;

export { valTypeOf };
