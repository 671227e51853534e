// A coverage run: instrument the app with the built-in monitor (plus, optionally, a user script),
// run it, read the counters back from the report flush and attribute them to source lines.
import { instrument, type InstrumentResult } from '../engine/instrument.js';
import type { ReportLayout } from '../engine/report-layout.js';
import { loadSourceMapper, type MapperOptions, type SourceMapper } from '../mapping/index.js';
import { REPORT_BANNER, REPORT_HEADER } from '../runner/report-format.js';
import { runModule } from '../runner/run.js';
import { engineHasMultiMemory } from '../runner/capable-node.js';
import { locateTrap } from '../runner/trap-origin.js';
import type { ReportVariable, TrapInfo } from '../protocol.js';
import type { DirGrant } from '../runner/wasi.js';
import { cursorOf } from '../wasm/body.js';
import type { BrTable } from '../wasm/instructions.js';
import { decodeModule, type WasmModule } from '../wasm/decode.js';
import { aggregate, type SiteCounts } from './aggregate.js';
import type { BranchOutcome, BranchSite, CoverageReport } from './model.js';
import { BR_TABLE_TARGET_CAP, coverageScript, VAR } from './monitor.js';

export interface PreparedCoverage {
    appPath: string;
    module: WasmModule;
    mapper: SourceMapper;
    instrumented: InstrumentResult;
    /** Milliseconds spent per step. */
    timings: Record<string, number>;
}

export interface PrepareOptions extends MapperOptions {
    /** A user script instrumented together with the coverage monitor. */
    script?: { text: string; path: string };
    userLibs?: Map<string, Uint8Array>;
}

/** The largest label count of any br_table in the module (0 when it has none). */
export function maxBrTableTargets(m: WasmModule): number {
    let max = 0;
    for (const body of m.bodies) {
        const c = cursorOf(m, body.func);
        while (c.next()) {
            if (c.op.name !== 'br_table') continue;
            const table = c.immediates()[0] as BrTable;
            max = Math.max(max, table.labels.length);
        }
    }
    return max;
}

/** Decodes the app, reads its debug info and instruments it; no app code runs. */
export async function prepareCoverage(app: Uint8Array, appPath: string, options: PrepareOptions = {}): Promise<PreparedCoverage> {
    const timings: Record<string, number> = {};
    let t = performance.now();
    const lap = (name: string) => { const n = performance.now(); timings[name] = n - t; t = n; };
    const module = decodeModule(app);
    const targets = maxBrTableTargets(module);
    lap('decode');
    const mapper = loadSourceMapper(module, appPath, options);
    mapper.linesWithCode();
    lap('map');
    // The user's script first: `use` declarations must open the script.
    const monitor = coverageScript(targets);
    const text = options.script ? `${options.script.text}\n${monitor}` : monitor;
    // The run is in this process: where this engine has no multi-memory, counters stay in globals (no counter memory).
    const instrumented = await instrument({ app, script: text, scriptPath: options.script?.path ?? 'coverage.mm', userLibs: options.userLibs,
        memoryCountersFrom: engineHasMultiMemory() ? undefined : Infinity });
    lap('instrument');
    return { appPath, module, mapper, instrumented, timings };
}

/** Values of the report flush, one per layout variable, in layout order. */
export function parseReportValues(report: string, layout: ReportLayout): string[] {
    const lines = report.split('\n');
    const start = lines.indexOf(REPORT_BANNER);
    if (start < 0 || lines[start + 1] !== REPORT_HEADER) throw new Error('the run printed no report flush');
    const rows = lines.slice(start + 2, start + 2 + layout.vars.length);
    if (rows.length !== layout.vars.length) throw new Error(`the report has ${rows.length} rows, expected ${layout.vars.length}`);
    // The value is the last column; names before it may contain commas, values of scalars do not.
    return rows.map(r => r.slice(r.lastIndexOf(', ') + 2));
}

/** Reads the monitor's counters out of the report values. */
export function siteCounts(p: PreparedCoverage, values: string[]): SiteCounts {
    const { layout } = p.instrumented;
    const m = p.module;
    const blocks = new Map<number, number>();
    const branches = new Map<number, { kind: BranchSite['kind']; outcomes: BranchOutcome[] }>();
    const offsetOf = (fid: number, pc: number): number => m.bodies[fid - m.numImportedFuncs].contentStart + pc;
    const outcome = (off: number, kind: BranchSite['kind'], label: string, count: number) => {
        let b = branches.get(off);
        if (!b) branches.set(off, b = { kind, outcomes: [] });
        b.outcomes.push({ label, count });
    };
    layout.vars.forEach((v, i) => {
        if (!v.name.startsWith('wcov_') || v.fid === undefined || v.pc === undefined) return;
        const off = offsetOf(v.fid, v.pc);
        const n = Number(values[i]);
        const kind: BranchSite['kind'] = v.probe?.includes(':br_table:') ? 'br_table' : v.probe?.includes(':br_if:') ? 'br_if' : 'if';
        if (v.name === VAR.block) blocks.set(off, n);
        else if (v.name === VAR.taken) outcome(off, kind, 'taken', n);
        else if (v.name === VAR.notTaken) outcome(off, kind, 'not taken', n);
        else if (v.name === VAR.dflt) outcome(off, 'br_table', 'default', n);
        else if (v.name === VAR.beyond) outcome(off, 'br_table', `target >= ${BR_TABLE_TARGET_CAP}`, n);
        else if (v.name.startsWith(VAR.target)) outcome(off, 'br_table', `target ${v.name.slice(VAR.target.length)}`, n);
    });
    // Outcomes in a stable order: taken before not taken; br_table targets by index, default last.
    const rank = (l: string): number => l === 'taken' ? 0 : l === 'not taken' ? 1 : l.startsWith('target >=') ? 1e9 : l === 'default' ? 2e9 : Number(l.slice(7));
    for (const b of branches.values()) b.outcomes.sort((a, c) => rank(a.label) - rank(c.label));
    return { blocks, branches };
}

/** The report rows that belong to the user's script (the monitor's own rows removed). */
export function userReport(report: string, layout: ReportLayout): string | undefined {
    if (!layout.vars.some(v => !v.name.startsWith('wcov_'))) return undefined;
    const lines = report.split('\n');
    const start = lines.indexOf(REPORT_BANNER);
    const out = lines.slice(0, start + 2);
    layout.vars.forEach((v, i) => { if (!v.name.startsWith('wcov_')) out.push(lines[start + 2 + i]); });
    return out.join('\n') + '\n';
}

export interface CoverageRunOptions extends PrepareOptions {
    args?: string[];
    /** What the app may reach (default: nothing): see runner/wasi.ts. */
    env?: Record<string, string>;
    dirs?: DirGrant[];
    cwd?: string;
    /** File descriptors the app writes to (default 1 and 2). */
    stdoutFd?: number;
    stderrFd?: number;
    /** Where trap messages and the user's report go (default: stderr / stdout). */
    stderr?: (text: string) => void;
    stdout?: (text: string) => void;
}

export interface CoverageRunResult {
    report: CoverageReport;
    exitCode: number;
    trapped?: string;
    /** The trap in the app's terms (function, source line). */
    trap?: TrapInfo;
    /** The user script's report as values (the monitor's counters left out). */
    variables?: ReportVariable[];
    warnings: string[];
    timings: Record<string, number>;
}

/** Instruments, runs and maps: the whole `whamm coverage` run for one execution of the app. */
export async function runCoverage(app: Uint8Array, appPath: string, o: CoverageRunOptions = {}): Promise<CoverageRunResult> {
    const p = await prepareCoverage(app, appPath, o);
    let reportText = '';
    let t = performance.now();
    const r = await runModule(p.instrumented.bytes, {
        args: o.args, argv0: appPath.split(/[\\/]/).pop(), env: o.env, dirs: o.dirs, cwd: o.cwd, userLibs: o.userLibs,
        stdoutFd: o.stdoutFd, stderrFd: o.stderrFd, stderr: o.stderr,
        stdout: text => { reportText += text; },
    });
    p.timings.run = performance.now() - t;
    t = performance.now();
    // The whole printed flush (r.report holds only the start of a big one).
    const printed = r.reportRows === undefined ? r.report ?? reportText : reportText;
    const values = parseReportValues(printed, p.instrumented.layout);
    const user = userReport(printed, p.instrumented.layout);
    if (user) (o.stdout ?? ((s: string) => process.stdout.write(s)))(user);
    const report = aggregate(p.module, p.mapper, siteCounts(p, values), appPath);
    p.timings.aggregate = performance.now() - t;
    const trap = r.trapped !== undefined ? locateTrap(r.trapped, r.trapFrames, p.instrumented.bytes, { module: p.module, mapper: p.mapper }) : undefined;
    const variables = r.variables?.filter(v => !v.name.startsWith('wcov_'));
    return { report, exitCode: r.exitCode, trapped: r.trapped, trap, variables, warnings: [...p.mapper.warnings, ...p.instrumented.warnings], timings: p.timings };
}
