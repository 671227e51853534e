// What a coverage run produces, per source file, and how runs merge.
import type { MapperKind } from '../mapping/index.js';

/**
 * One outcome of a branch instruction, in Wasm terms: for `br_if`, `taken` means the branch jumped;
 * for `if`, `taken` means the then-arm ran. Compilers often invert source conditions (clang's -O0
 * `if (c)` becomes `br_if` over the then-arm), so the labels say what the code did, not what the
 * source condition was.
 */
export interface BranchOutcome {
    /** `taken` / `not taken` for br_if and if; `target N`, `target >= N`, `default` for br_table. */
    label: string;
    count: number;
}

export interface BranchSite {
    line: number;
    column: number;
    /** Module offset of the branch instruction. */
    offset: number;
    kind: 'br_if' | 'if' | 'br_table';
    outcomes: BranchOutcome[];
}

export interface FunctionCoverage {
    name: string;
    /** Line of the function's first instruction. */
    line: number;
    /** Times the function was entered. */
    calls: number;
    /** Instructions it executed (its own, not its callees'). */
    instructions: number;
}

export interface FileCoverage {
    /** The file as the debug info names it. */
    source: string;
    /** The file resolved on disk (absolute where the debug info allows). */
    path: string;
    /**
     * Every line with code -> how many times its most executed instruction ran (0: never). Structural
     * instructions (block, loop, end, else...) only count for lines that have nothing else.
     */
    lines: Map<number, number>;
    /** Line -> instructions executed on it (the heat of the line). */
    heat: Map<number, number>;
    branches: BranchSite[];
    functions: FunctionCoverage[];
}

export interface CoverageReport {
    app: string;
    mapping: MapperKind;
    /** By resolved path. */
    files: Map<string, FileCoverage>;
    /** Functions without a source location (no debug info for them). */
    unmappedFunctions: FunctionCoverage[];
    /** Instructions executed at offsets the debug info says nothing about. */
    unmappedExecutions: number;
    runs: number;
}

function mergeCounts(into: Map<number, number>, from: Map<number, number>): void {
    for (const [k, v] of from) into.set(k, (into.get(k) ?? 0) + v);
}

function mergeFunctions(into: FunctionCoverage[], from: FunctionCoverage[]): void {
    const byKey = new Map(into.map(f => [`${f.name}@${f.line}`, f]));
    for (const f of from) {
        const g = byKey.get(`${f.name}@${f.line}`);
        if (g) { g.calls += f.calls; g.instructions += f.instructions; } else { const c = { ...f }; into.push(c); byKey.set(`${f.name}@${f.line}`, c); }
    }
}

/** Adds `b`'s counts to `a` (in place) and returns `a`: several runs of one app merge into one report. */
export function mergeReports(a: CoverageReport, b: CoverageReport): CoverageReport {
    for (const [p, fb] of b.files) {
        const fa = a.files.get(p);
        if (!fa) {
            a.files.set(p, structuredClone(fb));
            continue;
        }
        mergeCounts(fa.lines, fb.lines);
        mergeCounts(fa.heat, fb.heat);
        const byKey = new Map(fa.branches.map(s => [`${s.offset}:${s.line}`, s]));
        for (const sb of fb.branches) {
            const sa = byKey.get(`${sb.offset}:${sb.line}`);
            if (!sa) { fa.branches.push(structuredClone(sb)); continue; }
            for (const ob of sb.outcomes) {
                const oa = sa.outcomes.find(o => o.label === ob.label);
                if (oa) oa.count += ob.count; else sa.outcomes.push({ ...ob });
            }
        }
        mergeFunctions(fa.functions, fb.functions);
    }
    mergeFunctions(a.unmappedFunctions, b.unmappedFunctions);
    a.unmappedExecutions += b.unmappedExecutions;
    a.runs += b.runs;
    return a;
}
