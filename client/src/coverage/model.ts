// What a coverage run gives the editor, independent of VS Code: the CLI's JSON report (written by
// `whamm coverage --json`) read back, source paths resolved to files that exist on this machine, and the
// totals the overlays and the Test Coverage view show. Pure (fs access is injected) so it is unit-tested.
import * as path from 'node:path';
import { hotSpots, type HotSpots } from '../../../server/src/coverage/hotspots.js';
import { fromJson } from '../../../server/src/coverage/json.js';
import { toLcov } from '../../../server/src/coverage/lcov.js';
import type { CoverageReport, FileCoverage } from '../../../server/src/coverage/model.js';

export type { CoverageReport, FileCoverage, HotSpots };

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

export function loadCoverage(json: unknown, roots: readonly string[], exists: (p: string) => boolean, hotLimit = 50): LoadedCoverage {
    const parsed = fromJson(json);
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
    const hot = hotSpots(report, hotLimit);
    return { report, files, missing, totalInstructions, hot: { ...hot, total: totalInstructions, lines: share(hot.lines, totalInstructions), functions: share(hot.functions, totalInstructions) } };
}

function share<T extends { instructions: number; share: number }>(xs: T[], total: number): T[] {
    return xs.map(x => ({ ...x, share: total > 0 ? x.instructions / total : 0 }));
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

/** lcov of the files found on disk (absolute SF: paths, so Coverage Gutters and genhtml find them). */
export function exportLcov(c: LoadedCoverage, testName = 'whamm'): string {
    return toLcov(c.report, testName);
}
