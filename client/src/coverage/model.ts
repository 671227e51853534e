// What a coverage run gives the editor, independent of VS Code: the CLI's JSON report (written by
// `whamm coverage --json`) read into maps, source paths resolved to files that exist on this machine, the
// totals and hot spots the overlays and views show, and lcov of what was found. Pure (fs access is
// injected) so it is unit-tested. Only the report's types come from the CLI's side.
import * as path from 'node:path';
import type { CoverageJson } from '../../../server/src/coverage/json.js';
import type { CoverageReport, FileCoverage, FunctionCoverage } from '../../../server/src/coverage/model.js';

export type { CoverageReport, FileCoverage, FunctionCoverage };

export interface HotLine { path: string; source: string; line: number; instructions: number; hits: number; share: number }
export interface HotFunction { name: string; path?: string; line: number; calls: number; instructions: number; share: number }
export interface HotSpots { total: number; lines: HotLine[]; functions: HotFunction[] }

export interface LoadedCoverage {
    report: CoverageReport;
    /** Files found on disk, by absolute path. Sources the debug info names but that are absent (libc) are left out. */
    files: Map<string, FileCoverage>;
    /** Source names that could not be found, for the output channel. */
    missing: string[];
    /** Instructions executed in the whole run (mapped or not): the denominator of heat shares. */
    totalInstructions: number;
    hot: HotSpots;
}

/**
 * Where a source named by the debug info lives: absolute paths as they are, relative ones under each
 * root in turn (workspace folders, the app's folder). Undefined when no candidate exists.
 */
export function resolveSource(name: string, roots: readonly string[], exists: (p: string) => boolean): string | undefined {
    if (path.isAbsolute(name)) return exists(name) ? path.normalize(name) : undefined;
    for (const r of roots) {
        const p = path.resolve(r, name);
        if (exists(p)) return p;
    }
    return undefined;
}

const counts = (o: Record<string, number> | undefined): Map<number, number> =>
    new Map(Object.entries(o ?? {}).map(([k, v]) => [Number(k), Number(v)]));

/** The JSON report as the CLI wrote it (files keyed by the source name of the debug info). */
export function readCoverageJson(json: unknown): CoverageReport {
    const j = json as Partial<CoverageJson>;
    if (!j || typeof j !== 'object' || typeof j.files !== 'object' || j.files === null) throw new Error('not a whamm coverage JSON file (no "files" object)');
    const files = new Map<string, FileCoverage>();
    for (const [source, f] of Object.entries(j.files)) {
        const p = typeof f.path === 'string' ? f.path : source;
        files.set(p, { source, path: p, lines: counts(f.lines), heat: counts(f.heat), branches: Array.isArray(f.branches) ? f.branches : [], functions: Array.isArray(f.functions) ? f.functions : [] });
    }
    return { app: j.app ?? '', mapping: j.mapping ?? 'none', files, runs: j.runs ?? 1, unmappedFunctions: j.unmappedFunctions ?? [], unmappedExecutions: j.unmappedExecutions ?? 0 };
}

/** The `limit` hottest lines and functions (by instructions executed); shares are of `total`. */
export function hotSpots(files: Iterable<FileCoverage>, unmapped: readonly FunctionCoverage[], total: number, limit: number): HotSpots {
    const lines: HotLine[] = [];
    const functions: HotFunction[] = [];
    const share = (n: number) => total > 0 ? n / total : 0;
    for (const f of files) {
        for (const [line, n] of f.heat) if (n > 0) lines.push({ path: f.path, source: f.source, line, instructions: n, hits: f.lines.get(line) ?? 0, share: share(n) });
        for (const fn of f.functions) functions.push({ name: fn.name, path: f.path, line: fn.line, calls: fn.calls, instructions: fn.instructions, share: share(fn.instructions) });
    }
    for (const fn of unmapped) functions.push({ name: fn.name, line: 0, calls: fn.calls, instructions: fn.instructions, share: share(fn.instructions) });
    const top = <T extends { instructions: number }>(xs: T[]): T[] => xs.filter(x => x.instructions > 0).sort((a, b) => b.instructions - a.instructions).slice(0, limit);
    return { total, lines: top(lines), functions: top(functions) };
}

export function loadCoverage(json: unknown, roots: readonly string[], exists: (p: string) => boolean, hotLimit = 50): LoadedCoverage {
    const parsed = readCoverageJson(json);
    const files = new Map<string, FileCoverage>();
    const missing: string[] = [];
    for (const f of parsed.files.values()) {
        const resolved = resolveSource(f.path, roots, exists) ?? (f.path !== f.source ? resolveSource(f.source, roots, exists) : undefined);
        if (!resolved) { missing.push(f.source); continue; }
        const prev = files.get(resolved);
        files.set(resolved, prev ? mergeFile(prev, f) : { ...f, path: resolved });
    }
    const report: CoverageReport = { ...parsed, files };
    // Shares are of every instruction the run executed, including those in sources we could not find.
    let totalInstructions = parsed.unmappedExecutions;
    for (const f of parsed.files.values()) for (const n of f.heat.values()) totalInstructions += n;
    const unmapped = parsed.unmappedFunctions;
    return { report, files, missing, totalInstructions, hot: hotSpots(files.values(), unmapped, totalInstructions, hotLimit) };
}

function mergeFile(a: FileCoverage, b: FileCoverage): FileCoverage {
    const add = (x: Map<number, number>, y: Map<number, number>) => {
        const m = new Map(x);
        for (const [k, v] of y) m.set(k, (m.get(k) ?? 0) + v);
        return m;
    };
    return { ...a, lines: add(a.lines, b.lines), heat: add(a.heat, b.heat), branches: [...a.branches, ...b.branches], functions: [...a.functions, ...b.functions] };
}

export interface FileSummary { linesFound: number; linesHit: number; branchesFound: number; branchesHit: number; functionsFound: number; functionsHit: number }

/** The counts VS Code shows as a file's percentages (lines with code, branch outcomes, functions). */
export function summarize(f: FileCoverage): FileSummary {
    let linesHit = 0, branchesFound = 0, branchesHit = 0;
    for (const n of f.lines.values()) if (n > 0) linesHit++;
    for (const b of f.branches) for (const o of b.outcomes) { branchesFound++; if (o.count > 0) branchesHit++; }
    return {
        linesFound: f.lines.size, linesHit, branchesFound, branchesHit,
        functionsFound: f.functions.length, functionsHit: f.functions.filter(fn => fn.calls > 0).length,
    };
}

/**
 * lcov of the files found on disk (absolute SF: paths, so Coverage Gutters and genhtml find them): per
 * file FN/FNDA, BRDA ('-' for a branch that never ran), DA, with their totals.
 */
export function exportLcov(c: LoadedCoverage, testName = 'whamm'): string {
    const out: string[] = [];
    for (const f of [...c.files.values()].sort((a, b) => a.path.localeCompare(b.path))) {
        out.push(`TN:${testName}`, `SF:${f.path}`);
        const fns = [...f.functions].sort((a, b) => a.line - b.line || a.name.localeCompare(b.name));
        out.push(...fns.map(fn => `FN:${fn.line},${fn.name}`), ...fns.map(fn => `FNDA:${fn.calls},${fn.name}`));
        out.push(`FNF:${fns.length}`, `FNH:${fns.filter(x => x.calls > 0).length}`);
        let found = 0, hit = 0;
        f.branches.forEach((b, block) => {
            const ran = b.outcomes.some(o => o.count > 0) || (f.lines.get(b.line) ?? 0) > 0;
            b.outcomes.forEach((o, i) => { out.push(`BRDA:${b.line},${block},${i},${ran ? o.count : '-'}`); found++; if (o.count > 0) hit++; });
        });
        out.push(`BRF:${found}`, `BRH:${hit}`);
        const lines = [...f.lines].sort((a, b) => a[0] - b[0]);
        out.push(...lines.map(([l, n]) => `DA:${l},${n}`), `LF:${lines.length}`, `LH:${lines.filter(([, n]) => n > 0).length}`, 'end_of_record');
    }
    return out.length ? out.join('\n') + '\n' : '';
}

/** The text of the function-coverage listing shown for an app without debug info: one function a line. */
export function functionListing(c: LoadedCoverage): { text: string; lines: { name: string; calls: number; instructions: number }[] } {
    const fns = [...c.report.unmappedFunctions].sort((a, b) => b.instructions - a.instructions || a.name.localeCompare(b.name));
    const width = Math.max(8, ...fns.map(f => f.name.length));
    const head = `${'function'.padEnd(width)}  ${'calls'.padStart(10)}  ${'instructions'.padStart(14)}`;
    const rows = fns.map(f => `${f.name.padEnd(width)}  ${String(f.calls).padStart(10)}  ${String(f.instructions).padStart(14)}`);
    return { text: [`# ${path.basename(c.report.app)}: no debug info, coverage per function (names from the name section)`, head, ...rows].join('\n') + '\n', lines: fns };
}
