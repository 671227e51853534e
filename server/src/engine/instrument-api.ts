// What the instrumenter takes and gives back, and the error it throws for a script with errors.
import type { ReportLayout } from './report-layout.js';
import type { SiteTable } from './site-table.js';

export interface InstrumentInput {
    app: Uint8Array;
    script: string;
    scriptPath?: string;
    userLibs?: Map<string, Uint8Array>;
    /** Export get_<var> for every script global (the reference's --testing). */
    testing?: boolean;
    /**
     * Give up with a TooLargeError once the process's resident memory passes this many MB (checked as the
     * functions are instrumented and before the output is assembled), rather than run out of memory.
     */
    maxMemoryMb?: number;
}

/** The module is too large to instrument with this script within InstrumentInput.maxMemoryMb. */
export class TooLargeError extends Error {}

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
