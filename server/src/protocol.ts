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

export interface SiteLocation { fid: number; fname: string; pc: number; offset: number; rule: string; file?: string; line?: number; column?: number; /** The matched instruction as WAT. */ instr?: string }

export interface ProbeSites {
    index: number;
    rule: string;
    /** 0-based position of the probe's rule in the script. */
    line: number;
    character: number;
    count: number;
    sites: SiteLocation[];
    /** Why the probe matches nothing in this app (see PlanProbe.noMatch). */
    noMatch?: string;
    /** The probe's rule and predicate in the script. */
    ruleRange?: ScriptRange;
    predicate?: ScriptRange;
}

/** How sites are mapped to source lines. */
export type MappingKind = 'dwarf' | 'sourcemap' | 'none';

export interface SitesResult {
    probes: ProbeSites[];
    mapping: MappingKind;
    /** Why no sites could be computed (script errors, unreadable app); probes is empty then. */
    error?: string;
}

// ---- the injection plan (`whamm instr --dry-run --json`) and the preview built on it ----

/** A 0-based range in the script (LSP convention, end exclusive). */
export interface ScriptRange { line: number; character: number; endLine: number; endCharacter: number }

/** Where injected code goes relative to the matched instruction. */
export type InjectionWhere = 'before' | 'after' | 'alt';

export interface PlanProbe {
    index: number;
    rule: string;
    /** The probe's mode as written (`before`, `after`, `alt`, `entry`, `exit`, ...). */
    mode: string;
    /** The whole probe, its rule and its predicate (when it has one). */
    range: ScriptRange;
    ruleRange: ScriptRange;
    predicate?: ScriptRange;
    /** Match sites (exact). */
    sites: number;
    /** Injected code fragments attributed to this probe. */
    injections: number;
    /** Why the probe matches nothing in this app (set when sites is 0, or when no code is ever injected). */
    noMatch?: string;
}

/** One match site of the site table (sites.json) and of the dry-run plan. */
export interface SiteRecord {
    fid: number;
    fname: string;
    pc: number;
    opidx: number;
    /** Module offset of the matched (original) instruction. */
    offset: number;
    probe: number;
    rule: string;
}

export interface PlanSite extends SiteRecord {
    /** The matched instruction as text (`i32.load offset=8`). */
    instr: string;
    file?: string;
    line?: number;
    column?: number;
}

export interface PlanInjection {
    fid: number;
    /** The instruction the code is placed at (its index in the body, and its pc). */
    opidx: number;
    pc: number;
    /** `before`: runs before the instruction; `after`: after it; `alt`: replaces it. */
    where: InjectionWhere;
    /** The probe the code comes from; -1 for code shared by several probes (merged counters, relabelled branches). */
    probe: number;
    /** The injected instructions as text, one per line, indented by nesting. */
    code: string[];
}

export interface PlanAdditions {
    imports: { index: number; module: string; name: string }[];
    functions: { index: number; params: string[]; results: string[]; instrs: number }[];
    globals: { index: number; type: string; mutable: boolean }[];
    exports: { name: string; kind: string; index: number }[];
}

export interface DryRunPlan {
    app: string;
    probes: PlanProbe[];
    sites: PlanSite[];
    /** True when `sites` was cut at the requested limit (probe counts stay exact). */
    sitesTruncated: boolean;
    injections: PlanInjection[];
    added: PlanAdditions;
    warnings: string[];
    mapping: MappingKind;
    /** Script errors or an unreadable app: nothing else is set then. */
    error?: string;
    /** The error is the script's (its diagnostics, as `whamm instr` prints them). */
    scriptErrors?: boolean;
}

/** `whamm/preview`: the app's WAT around the injections of a script (folded to the functions it touches). */
export const PREVIEW_REQUEST = 'whamm/preview';

export interface PreviewParams {
    app: string;
    script: string;
    scriptPath?: string;
    userLibs?: Record<string, string>;
    searchRoots?: string[];
    /** Times each function was entered in the last coverage run of this app, by name (shown in the header bars). */
    executions?: Record<string, number>;
    /** Functions to print in full although the script does not touch them (unfolded by the user). */
    expand?: number[];
    /** The preview this request is for (the client's document), and the `revision` of its text the
     *  client holds: the answer's text may then come as edits of that text (`textEdits`). */
    session?: string;
    have?: number;
}

/** Replace `deleteCount` lines from line `start` (0-based, of the text before any edit) with `lines`. */
export interface PreviewLineEdit { start: number; deleteCount: number; lines: string[] }

/** The answer's text as edits of the text of revision `base` (ascending, non-overlapping). */
export interface PreviewTextEdits { base: number; edits: PreviewLineEdit[] }

/** A run of injected lines in the preview text, all from one injection. */
export interface PreviewMark {
    /** 0-based first and last line (inclusive). */
    startLine: number;
    endLine: number;
    /** Index into plan.injections. */
    injection: number;
    probe: number;
    where: InjectionWhere;
    fid: number;
    /** Indices into plan.sites of the sites at this instruction (for hover and "Show in source"). */
    sites: number[];
}

export interface PreviewFunction {
    fid: number;
    name: string;
    /** 0-based lines of the `(func` header and the closing `)`. */
    startLine: number;
    endLine: number;
    sites: number;
    /** Injections per probe index. */
    byProbe: Record<number, number>;
    executions?: number;
    /** Printed because the user unfolded it (the script does not touch it, or it is past the shown ones). */
    expanded?: boolean;
}

/** A function shown folded to its first line (no matches, or past the functions shown in full). */
export interface PreviewFolded {
    fid: number;
    name: string;
    /** 0-based line of its (only) line. */
    line: number;
    instrs: number;
    sites: number;
}

export interface PreviewResult {
    /** The preview document (WAT with the injected code inlined); empty when `textEdits` is set. */
    text: string;
    /** This text's revision within the request's session (see PreviewParams.have). */
    revision?: number;
    /** The text as edits of the revision the client holds (PreviewParams.have), instead of `text`. */
    textEdits?: PreviewTextEdits;
    plan: DryRunPlan;
    functions: PreviewFunction[];
    /** Functions folded to their first line, in line order. */
    folded: PreviewFolded[];
    marks: PreviewMark[];
    /** 0-based line of each plan site's instruction in the text (-1 when its function is not shown). */
    siteLines: number[];
    /** Functions with sites that were left out (the preview shows at most this many in full). */
    omittedFunctions: number;
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
    /** The script's report variables; absent when the run flushed no report. A big report: its first rows only (see reportRows). */
    report?: ReportVariable[];
    /** Present when `report` holds only the first rows of a big report: how many rows the printed report has. */
    reportRows?: number;
    /** How the app's code maps to source: debug info kind, 'none' without (then only function names). */
    debugInfo?: MappingKind;
    /** Function index -> name, from the app's name section (labels for function ids in reports). */
    functions?: Record<string, string>;
    /** Warnings met on the way (debug info unreadable...). */
    warnings?: string[];
}
