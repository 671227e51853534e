// Runs an (instrumented) module the way the reference's `whamm run` does: WASI preview1 when the module
// imports it, otherwise `_start`/`main` called directly; then flushes the report, also after `proc_exit`
// and after a trap.
import fs from 'node:fs';
import type { WASI as WasiType } from 'node:wasi';
import { BEGIN_EXPORT, REPORT_SECTION, decodeLayout, type ReportLayout } from '../engine/report-layout.js';
import { formatReport } from './report-format.js';
import { linkRuntime } from '../runtime/link.js';
import { compileForEngine } from './engine-compile.js';
import { applyTrapFixups } from './trap-fixups.js';

export interface RunOptions {
    /** argv[1..] seen by the app (argv[0] is the module's file name). */
    args?: string[];
    argv0?: string;
    env?: Record<string, string>;
    /** Directory preopened as `.` (default: the current directory). */
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
    exitCode: number;
    trapped?: string;
    report?: string;
}

const WASI_MODULES = new Set(['wasi_snapshot_preview1', 'wasi_unstable']);

export function readReportLayout(module: WebAssembly.Module): ReportLayout | undefined {
    const sections = WebAssembly.Module.customSections(module, REPORT_SECTION);
    if (sections.length === 0) return undefined;
    return decodeLayout(sections[0]);
}

/** Node 20 prints an ExperimentalWarning when node:wasi loads; the app's stderr must not carry it. */
async function quietWasi(options: ConstructorParameters<typeof WasiType>[0]): Promise<WasiType> {
    const emit = process.emitWarning;
    process.emitWarning = (() => undefined) as typeof process.emitWarning;
    try {
        const { WASI } = await import('node:wasi');
        return new WASI(options);
    } finally {
        process.emitWarning = emit;
    }
}

export async function runModule(bytes: Uint8Array, opts: RunOptions = {}): Promise<RunResult> {
    const out = opts.stdout ?? ((t: string) => { fs.writeSync(1, t); });
    const err = opts.stderr ?? ((t: string) => { fs.writeSync(2, t); });
    const compiled = await compileForEngine(bytes, note => err(`${note}\n`));
    const { module } = compiled;
    const layout = readReportLayout(module);
    const imports = WebAssembly.Module.imports(module);
    const usesWasi = imports.some(i => WASI_MODULES.has(i.module));

    const importObject: WebAssembly.Imports = {};
    const wasiOptions = {
        version: 'preview1' as const,
        args: [opts.argv0 ?? 'app.wasm', ...(opts.args ?? [])],
        env: opts.env ?? (process.env as Record<string, string>),
        preopens: { '.': opts.cwd ?? process.cwd() },
        returnOnExit: true,
        stdout: opts.stdoutFd ?? 1,
        stderr: opts.stderrFd ?? 2,
    };
    // [issue 5, helper-6] user libraries (each with its own WASI) and the whamm:rt runtime (maps, strings).
    const link = await linkRuntime(module, { userLibs: opts.userLibs, makeWasi: defaults => quietWasi({ ...wasiOptions, env: { ...defaults, ...wasiOptions.env } }), write: t => { fs.writeSync(wasiOptions.stdout, t); } });
    Object.assign(importObject, link.imports);
    let wasi: WasiType | undefined;
    if (usesWasi) {
        wasi = await quietWasi(wasiOptions);
        const wasiImports = wasi.getImportObject() as WebAssembly.Imports;
        for (const m of WASI_MODULES) importObject[m] = wasiImports.wasi_snapshot_preview1;
    }
    const missing = imports.filter(i => !(importObject[i.module] && i.name in (importObject[i.module] as object)));
    if (missing.length > 0) {
        throw new Error(`the module imports ${missing.map(i => `${i.module}.${i.name}`).join(', ')}, which the runner cannot provide`
            + (missing.some(i => !WASI_MODULES.has(i.module)) ? ' (pass user libraries with --user-libs name=PATH)' : ''));
    }

    const instance = await WebAssembly.instantiate(module, importObject);
    link.attach(instance); // [issue 5, helper-6]
    const exports = instance.exports as Record<string, unknown>;
    let exitCode = 0;
    let trapped: string | undefined;
    let trapError: unknown;
    const started = performance.now();
    try {
        if (typeof exports[BEGIN_EXPORT] === 'function') (exports[BEGIN_EXPORT] as () => void)();
        if (wasi && typeof exports._start === 'function' && exports.memory instanceof WebAssembly.Memory) {
            exitCode = wasi.start(instance) ?? 0;
        } else {
            const entry = exports._start ?? exports.main;
            if (typeof entry !== 'function') throw new Error('the module exports neither _start nor main');
            (entry as () => unknown)();
        }
    } catch (e) {
        trapped = trapMessage(e);
        trapError = e;
        err(`trap: ${trapped}\n`);
        exitCode = exitCode || 1;
    }
    const runMs = performance.now() - started;

    let report: string | undefined;
    if (layout) {
        try {
            if (layout.end && typeof exports[layout.end] === 'function') (exports[layout.end] as () => void)();
        } catch (e) {
            err(`trap in wasm:end/wasm:report probe: ${trapMessage(e)}\n`);
            exitCode = exitCode || 1;
        }
        const slots = readSlots(layout, exports);
        // Offsets in the fixups are those of the module as instrumented (not as lowered for this engine).
        if (trapError !== undefined && compiled.bytes === bytes) applyTrapFixups(layout, bytes, trapError, slots);
        report = formatReport(layout, slots, link.formatValue); // [issue 5, helper-6] compound values
        link.flushLibraryOutput?.(); // [helper global-ids] a library's pending line comes before the report
        out(report);
    }
    return { exitCode, trapped, report, runMs };
}

function trapMessage(e: unknown): string {
    if (e instanceof WebAssembly.RuntimeError) return e.message;
    if (e instanceof RangeError) return e.message; // stack overflow in V8
    if (e instanceof Error) return e.message;
    return String(e);
}

function readSlots(layout: ReportLayout, exports: Record<string, unknown>): bigint[] {
    const slots: bigint[] = [];
    for (const r of layout.readers) {
        const f = exports[r.export];
        if (typeof f !== 'function') throw new Error(`instrumented module lacks the report reader ${r.export}`);
        const got = (f as () => bigint | bigint[])();
        if (r.count === 1) slots.push(got as bigint);
        else for (const v of got as bigint[]) slots.push(v);
    }
    return slots;
}
