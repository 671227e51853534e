// The JSON form of a coverage report: {"files": {"<source as in the debug info>": {"lines": {"<line>":
// hits}, "branches": [...], ...}}}. It round-trips, so runs can be merged into an existing file.
import type { MapperKind } from '../mapping/index.js';
import type { BranchSite, CoverageReport, FileCoverage, FunctionCoverage } from './model.js';

export interface CoverageJsonFile {
    /** The resolved path of the file. */
    path: string;
    lines: Record<string, number>;
    /** Instructions executed per line (heat). */
    heat: Record<string, number>;
    branches: BranchSite[];
    functions: FunctionCoverage[];
}

export interface CoverageJson {
    version: 1;
    app: string;
    mapping: MapperKind;
    runs: number;
    files: Record<string, CoverageJsonFile>;
    unmappedFunctions: FunctionCoverage[];
    unmappedExecutions: number;
}

const obj = (m: Map<number, number>): Record<string, number> =>
    Object.fromEntries([...m].sort((a, b) => a[0] - b[0]).map(([k, v]) => [String(k), v]));
const map = (o: Record<string, number> | undefined): Map<number, number> =>
    new Map(Object.entries(o ?? {}).map(([k, v]) => [Number(k), Number(v)]));

export function toJson(report: CoverageReport): CoverageJson {
    const files: Record<string, CoverageJsonFile> = {};
    const sorted = [...report.files.values()].sort((a, b) => a.source.localeCompare(b.source));
    for (const f of sorted) {
        // Two resolved files with the same name in the debug info (rare) keep apart under their paths.
        const key = files[f.source] ? f.path : f.source;
        files[key] = { path: f.path, lines: obj(f.lines), heat: obj(f.heat), branches: f.branches, functions: f.functions };
    }
    return {
        version: 1, app: report.app, mapping: report.mapping, runs: report.runs, files,
        unmappedFunctions: report.unmappedFunctions, unmappedExecutions: report.unmappedExecutions,
    };
}

/** Reads a report written by toJson; throws with a message naming what is wrong. */
export function fromJson(json: unknown): CoverageReport {
    const j = json as Partial<CoverageJson>;
    if (!j || typeof j !== 'object' || typeof j.files !== 'object' || j.files === null || Array.isArray(j.files) || j.version !== 1) {
        throw new Error('not a whamm coverage JSON file (version 1 with a "files" object)');
    }
    const files = new Map<string, FileCoverage>();
    for (const [source, f] of Object.entries(j.files)) {
        const path = typeof f.path === 'string' ? f.path : source;
        files.set(path, {
            source, path, lines: map(f.lines), heat: map(f.heat),
            branches: Array.isArray(f.branches) ? f.branches : [], functions: Array.isArray(f.functions) ? f.functions : [],
        });
    }
    return {
        app: j.app ?? '', mapping: j.mapping ?? 'none', files, runs: j.runs ?? 1,
        unmappedFunctions: j.unmappedFunctions ?? [], unmappedExecutions: j.unmappedExecutions ?? 0,
    };
}
