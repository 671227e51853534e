// Hot spots: the lines and functions where the run spent its instructions.
import type { CoverageReport } from './model.js';

export interface HotLine { path: string; source: string; line: number; instructions: number; hits: number; share: number }
export interface HotFunction { name: string; path?: string; line: number; calls: number; instructions: number; share: number }
export interface HotSpots { total: number; lines: HotLine[]; functions: HotFunction[] }

/** The `limit` hottest lines (by instructions executed on them) and functions; shares are of all instructions. */
export function hotSpots(report: CoverageReport, limit = 20): HotSpots {
    let total = report.unmappedExecutions;
    const lines: HotLine[] = [];
    const functions: HotFunction[] = [];
    for (const f of report.files.values()) {
        for (const [line, n] of f.heat) {
            total += n;
            if (n > 0) lines.push({ path: f.path, source: f.source, line, instructions: n, hits: f.lines.get(line) ?? 0, share: 0 });
        }
        for (const fn of f.functions) functions.push({ name: fn.name, path: f.path, line: fn.line, calls: fn.calls, instructions: fn.instructions, share: 0 });
    }
    for (const fn of report.unmappedFunctions) functions.push({ name: fn.name, line: 0, calls: fn.calls, instructions: fn.instructions, share: 0 });
    const top = <T extends { instructions: number }>(xs: T[]): T[] =>
        xs.filter(x => x.instructions > 0).sort((a, b) => b.instructions - a.instructions).slice(0, limit);
    const hotLines = top(lines);
    const hotFns = top(functions);
    for (const x of [...hotLines, ...hotFns]) x.share = total > 0 ? x.instructions / total : 0;
    return { total, lines: hotLines, functions: hotFns };
}
