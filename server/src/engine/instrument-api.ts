// What the instrumenter takes and gives back, and the error it throws for a script with errors.
import type { ReportLayout } from './report-layout.js';
import type { SiteSink, SiteTable } from './site-table.js';
import type { CodeSpill, DecodedApp } from './app-codec.js';
import type { ModuleBytes } from '../wasm/rewrite.js';

export interface InstrumentInput {
    app: Uint8Array;
    script: string;
    scriptPath?: string;
    userLibs?: Map<string, Uint8Array>;
    /** Export get_<var> for every script global (the reference's --testing). */
    testing?: boolean;
    /** Receives every placed code fragment and the module additions (the dry-run plan, output checks). */
    plan?: PlanSink;
    /** With `plan`: place everything, encode nothing (the result's bytes are empty). */
    dryRun?: boolean;
    /** The app already decoded (decodeApp of `app`), kept by a caller that instruments it again and again. */
    decoded?: DecodedApp;
    /**
     * Give up with a TooLargeError once the process's resident memory passes this many MB (checked as the
     * functions are instrumented and before the output is assembled), rather than run out of memory.
     */
    maxMemoryMb?: number;
    /**
     * Per-site counters go to a memory of their own (multi-memory: engines accept at most 1,000,000 globals)
     * once the module has this many globals; default MEMORY_COUNTERS_FROM (report-layout.ts). Below it the
     * output is what it was before counter memories existed.
     */
    memoryCountersFrom?: number;
    /**
     * Takes the site table's rows as they come (a big app has tens of millions): the result's table then
     * keeps only the rows not yet handed over (see SiteTable).
     */
    siteSink?: SiteSink;
    /** Where the code section waits until the module is assembled (else in memory; see ModuleAssembler). */
    codeSpill?: CodeSpill;
    /** Size of the chunks the code section is gathered in (tests use tiny ones). */
    codeChunkBytes?: number;
    /** The module in pieces (the result's `module`; its `bytes` then empty), for a caller that writes it out. */
    moduleParts?: boolean;
}

/** What the module gains, as the plan reports it. */
export interface PlannedAdditions {
    imports: { module: string; name: string }[];
    functions: { params: string[]; results: string[]; body: Uint8Array }[];
    globals: { type: string; mutable: boolean }[];
    exports: { name: string; kind: string; index: number }[];
}

/**
 * A recorder of placements: `inject` once per code fragment placed in app function `fid` (original
 * numbering) before/after/instead of instruction `opidx`, with the probe it comes from (-1: shared) and its
 * bytes (a view: copy it to keep it past the call), which sit at [start, end) of the function's new
 * code; `added` once, before encoding.
 */
export interface PlanSink {
    inject(fid: number, opidx: number, where: 'before' | 'after' | 'alt', probe: number, code: Uint8Array, start: number, end: number): void;
    added(a: PlannedAdditions): void;
}

/** The module is too large to instrument with this script within InstrumentInput.maxMemoryMb. */
export class TooLargeError extends Error {
    /** `memory`: the memory budget was reached (a larger budget may do); `engine`: the output would pass an engine's limit. */
    constructor(message: string, readonly limit: 'memory' | 'engine' = 'memory') { super(message); }
}

export interface InstrumentResult {
    bytes: Uint8Array;
    /** With InstrumentInput.moduleParts: the module, in pieces. */
    module?: ModuleBytes;
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
