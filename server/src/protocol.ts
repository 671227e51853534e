// The custom requests between the editor and the language server, declared once. Types only: the client
// (a separate TypeScript project) imports this module and nothing else from the server.

/** `whamm/sites`: where each probe of a script lands in an app, without running it. */
export const SITES_REQUEST = 'whamm/sites';

export interface SitesParams {
    /** Absolute path of the app (.wasm). */
    app: string;
    /** The script's text (may be unsaved). */
    script: string;
    /** The script's file path, for messages. */
    scriptPath?: string;
    /** User libraries, name -> absolute .wasm path. */
    userLibs?: Record<string, string>;
    /** At most this many sites listed per probe (counts are always exact). Default 1000. */
    limit?: number;
    /** Extra directories to look for sources a source map names relatively. */
    searchRoots?: string[];
}

export interface SiteLocation { fid: number; fname: string; pc: number; offset: number; rule: string; file?: string; line?: number; column?: number }

export interface ProbeSites {
    index: number;
    rule: string;
    /** 0-based position of the probe's rule in the script. */
    line: number;
    character: number;
    count: number;
    sites: SiteLocation[];
}

/** How sites are mapped to source lines. */
export type MappingKind = 'dwarf' | 'sourcemap' | 'none';

export interface SitesResult {
    probes: ProbeSites[];
    mapping: MappingKind;
    /** Why no sites could be computed (script errors, unreadable app); probes is empty then. */
    error?: string;
}

// ---- Run results handed to the editor (`whamm run|coverage --report-json FILE`) ----

/** One report variable of a run, as values (never CSV text to split again). */
export interface ReportVariable {
    name: string;
    /** Whamm type as the report prints it (`u32`, `map<(u32,u32),u32>`). */
    type: string;
    /** 'global' (one value), 'site' (one value per matched site), 'map' (entries). */
    kind: 'global' | 'site' | 'map';
    /** Per-site variables: where the probe sits. */
    fname?: string;
    fid?: number;
    pc?: number;
    probe?: string;
    /** Scalars, tuples and strings, printed as the report prints them. */
    value?: string;
    /** Maps: one entry per key; keys and values printed as the report prints them (`(1, 2)` for tuples). */
    entries?: { key: string; value: string }[];
}

/** A source position (1-based line; column 0 when unknown). */
export interface SourcePosition { file: string; line: number; column: number }

/** Why and where the app stopped early. */
export interface TrapInfo {
    /** The engine's message, e.g. "memory access out of bounds". */
    message: string;
    /** The app function the trap happened in (or, for a trap in probe code, the function the probe sits in). */
    funcName?: string;
    /** The trapping instruction's source line (debug info of the original app); absent without debug info. */
    location?: SourcePosition;
    /** True when the trapping instruction belongs to inserted probe code rather than to the app. */
    inProbe?: boolean;
}

/** What `--report-json FILE` writes. */
export interface RunResultJson {
    version: 1;
    command: 'run' | 'coverage';
    /** The module that ran (the instrumented one for `run`, the app for `coverage`). */
    module: string;
    /** The original app, when known. */
    app?: string;
    exitCode: number;
    trap?: TrapInfo;
    /** The script's report variables; absent when the run flushed no report. */
    report?: ReportVariable[];
    /** How the app's code maps to source: debug info kind, 'none' without (then only function names). */
    debugInfo?: MappingKind;
    /** Function index -> name, from the app's name section (labels for function ids in reports). */
    functions?: Record<string, string>;
    /** Warnings met on the way (debug info unreadable...). */
    warnings?: string[];
}
