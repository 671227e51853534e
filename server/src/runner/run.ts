// Runs an (instrumented) module the way the reference's `whamm run` does: WASI preview1 when the module
// imports it, otherwise `_start`/`main` called directly; then flushes the report, also after `proc_exit`
// and after a trap.
import fs from 'node:fs';
import type { WASI as WasiType } from 'node:wasi';
import { ProcExit, SandboxWasi, type DirGrant } from './wasi.js';
import { BEGIN_EXPORT, REPORT_SECTION, decodeLayout, type ReportLayout } from '../engine/report-layout.js';
import { writeReport } from './report-format.js';
import { linkRuntime } from '../runtime/link.js';
import { compileForEngine } from './engine-compile.js';
import { applyTrapFixups } from './trap-fixups.js';
import { reportVariables } from './report-values.js';
import { wasmFrames, type WasmFrame } from './trap-origin.js';
import type { ReportVariable } from '../protocol.js';

export interface RunOptions {
    /** argv[1..] seen by the app (argv[0] is the module's file name). */
    args?: string[];
    argv0?: string;
    /** The app's environment variables (default: none). */
    env?: Record<string, string>;
    /** Directories the app may use (default: none); see ./wasi.ts. */
    dirs?: DirGrant[];
    /** A directory granted read-write as `.` (added to `dirs`). */
    cwd?: string;
    /** name -> module bytes of user libraries, linked as import namespaces. */
    userLibs?: Map<string, Uint8Array>;
    /** Where app-independent output goes (report, trap messages). Defaults to fds 1 and 2. */
    stdout?: (text: string) => void;
    stderr?: (text: string) => void;
    /** File descriptors handed to WASI as the app's stdout/stderr. */
    stdoutFd?: number;
    stderrFd?: number;
}

export interface RunResult {
    /** Wall time of the app's own run (wasm:begin + entry point), without compile, link or report flush. */
    runMs?: number;
    /** CPU time (user + system, all threads) of the same span: steadier than runMs on a busy machine. */
    runCpuMs?: number;
    exitCode: number;
    trapped?: string;
    /** The trap's wasm frames (innermost first), in offsets of the module that ran; empty when unknown. */
    trapFrames?: WasmFrame[];
    /** The printed flush; for a big one (over REPORT_KEEP characters) its first rows and a line saying how many more were printed. */
    report?: string;
    /** The report's row count when `report` and `variables` hold only its first rows. */
    reportRows?: number;
    /** The report as values (the same the flush prints), computed when first read. */
    variables?: ReportVariable[];
}

const WASI_MODULES = new Set(['wasi_snapshot_preview1', 'wasi_unstable']);

export function readReportLayout(module: WebAssembly.Module): ReportLayout | undefined {
    const sections = WebAssembly.Module.customSections(module, REPORT_SECTION);
    if (sections.length === 0) return undefined;
    return decodeLayout(sections[0]);
}

export async function runModule(bytes: Uint8Array, opts: RunOptions = {}): Promise<RunResult> {
    const out = opts.stdout ?? ((t: string) => { fs.writeSync(1, t); });
    const err = opts.stderr ?? ((t: string) => { fs.writeSync(2, t); });
    const compiled = await compileForEngine(bytes, note => err(`${note}\n`));
    const { module } = compiled;
    // Nothing the user did not grant: argv[0], the given arguments, variables and directories only.
    const wasiOptions = {
        args: [opts.argv0 ?? 'app.wasm', ...(opts.args ?? [])],
        env: opts.env ?? {},
        dirs: [...(opts.dirs ?? []), ...(opts.cwd ? [{ host: opts.cwd, guest: '.' }] : [])],
        stdout: opts.stdoutFd ?? 1,
        stderr: opts.stderrFd ?? 2,
    };
    const opened: SandboxWasi[] = [];
    const makeWasi = (env: Record<string, string>): SandboxWasi => {
        const w = new SandboxWasi({ ...wasiOptions, env });
        opened.push(w);
        return w;
    };
    try {
        return await runWith(module, compiled.bytes !== bytes, bytes, opts, {
            out, err,
            // User libraries (each with its own WASI) and the whamm:rt runtime (maps, strings).
            link: () => linkRuntime(module, { userLibs: opts.userLibs, makeWasi: async defaults => makeWasi({ ...defaults, ...wasiOptions.env }) as unknown as WasiType, write: t => { fs.writeSync(wasiOptions.stdout, t); } }),
            wasi: () => makeWasi(wasiOptions.env),
        });
    } finally {
        for (const w of opened) w.close();
    }
}

interface RunContext {
    out: (t: string) => void;
    err: (t: string) => void;
    link: () => ReturnType<typeof linkRuntime>;
    wasi: () => SandboxWasi;
}

async function runWith(module: WebAssembly.Module, lowered: boolean, bytes: Uint8Array, opts: RunOptions, ctx: RunContext): Promise<RunResult> {
    const { out, err } = ctx;
    const layout = readReportLayout(module);
    const imports = WebAssembly.Module.imports(module);
    const importObject: WebAssembly.Imports = {};
    const link = await ctx.link();
    Object.assign(importObject, link.imports);
    let wasi: SandboxWasi | undefined;
    if (imports.some(i => WASI_MODULES.has(i.module))) {
        wasi = ctx.wasi();
        const wasiImports = wasi.getImportObject();
        for (const m of WASI_MODULES) importObject[m] = wasiImports.wasi_snapshot_preview1;
    }
    const missing = imports.filter(i => !(importObject[i.module] && i.name in (importObject[i.module] as object)));
    if (missing.length > 0) {
        throw new Error(`the module imports ${missing.map(i => `${i.module}.${i.name}`).join(', ')}, which the runner cannot provide`
            + (missing.some(i => !WASI_MODULES.has(i.module)) ? ' (pass user libraries with --user-libs name=PATH)' : ''));
    }

    const instance = await WebAssembly.instantiate(module, importObject);
    link.attach(instance);
    const exports = instance.exports as Record<string, unknown>;
    let exitCode = 0;
    let trapped: string | undefined;
    let trapError: unknown;
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    try {
        wasi?.attach(instance);
        if (typeof exports[BEGIN_EXPORT] === 'function') (exports[BEGIN_EXPORT] as () => void)();
        const entry = exports._start ?? exports.main;
        if (typeof entry !== 'function') throw new Error('the module exports neither _start nor main');
        (entry as () => unknown)();
    } catch (e) {
        if (e instanceof ProcExit) {
            exitCode = e.code;
        } else {
            trapped = trapMessage(e);
            trapError = e;
            err(`trap: ${trapped}\n`);
            exitCode = exitCode || 1;
        }
    }
    const runMs = performance.now() - started;
    const cpuUsed = process.cpuUsage(cpuStarted);
    const runCpuMs = (cpuUsed.user + cpuUsed.system) / 1000;

    let report: string | undefined;
    let reportRows: number | undefined;
    let variables: (() => ReportVariable[] | undefined) | undefined;
    // Offsets in the stack are those of the module as compiled (the same bytes unless lowered).
    const trapFrames = trapError !== undefined && !lowered ? wasmFrames(trapError) : undefined;
    if (layout) {
        try {
            if (layout.end && typeof exports[layout.end] === 'function') (exports[layout.end] as () => void)();
        } catch (e) {
            if (e instanceof ProcExit) exitCode = exitCode || e.code;
            else { err(`trap in wasm:end/wasm:report probe: ${trapMessage(e)}\n`); exitCode = exitCode || 1; }
        }
        const slots = readSlots(layout, exports);
        // Offsets in the fixups are those of the module as instrumented (not as lowered for this engine).
        const adjust = new Map<number, bigint>();
        if (trapError !== undefined && !lowered) applyTrapFixups(layout, bytes, trapError, slots, adjust);
        link.flushLibraryOutput?.(); // a library's pending line comes before the report
        // Written in pieces; kept whole for the caller only when small (a big module's has millions of rows).
        const flushed = writeReport(layout, slots, link.formatValue, out, adjust);
        report = flushed.text;
        if (flushed.keptRows < flushed.rows) reportRows = flushed.rows;
        // The report as values on first use only: a map of millions of entries is millions of objects.
        variables = () => {
            try {
                return reportVariables(layout, slots, link, adjust, flushed.keptRows);
            } catch { return undefined; /* the printed report stands; values are a convenience */ }
        };
    }
    const result: RunResult = { exitCode, trapped, trapFrames, report, runMs, runCpuMs };
    if (reportRows !== undefined) result.reportRows = reportRows;
    if (variables) {
        const compute = variables;
        let got: { v?: ReportVariable[] } | undefined;
        Object.defineProperty(result, 'variables', { enumerable: true, get: () => (got ??= { v: compute() }).v });
    }
    return result;
}

function trapMessage(e: unknown): string {
    if (e instanceof WebAssembly.RuntimeError) return e.message;
    if (e instanceof RangeError) return e.message; // stack overflow in V8
    if (e instanceof Error) return e.message;
    return String(e);
}

function readSlots(layout: ReportLayout, exports: Record<string, unknown>): bigint[] | BigInt64Array {
    const slots: bigint[] = [];
    for (const r of layout.readers) {
        const f = exports[r.export];
        if (typeof f !== 'function') throw new Error(`instrumented module lacks the report reader ${r.export}`);
        const got = (f as () => bigint | bigint[])();
        if (r.count === 1) slots.push(got as bigint);
        else for (const v of got as bigint[]) slots.push(v);
    }
    const cm = layout.counterMemory;
    if (!cm) return slots;
    // Counters in the counter memory: its cells follow the readers' slots (read as i64: an i32 counter's
    // high half stays 0, so the cell is its value zero-extended, as a reader widens it).
    const memory = exports[cm.export];
    if (!(memory instanceof WebAssembly.Memory)) throw new Error(`instrumented module lacks the counter memory ${cm.export}`);
    const all = new BigInt64Array(cm.firstSlot + cm.cells);
    all.set(slots);
    all.set(new BigInt64Array(memory.buffer, 0, cm.cells), cm.firstSlot);
    return all;
}
