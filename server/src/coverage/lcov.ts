// lcov tracefile output (what genhtml and VS Code's Coverage Gutters read) and input, for merging.
import type { CoverageReport, FileCoverage } from './model.js';

const byLine = <T>(m: Map<number, T>): [number, T][] => [...m].sort((a, b) => a[0] - b[0]);

/** One record per source file: functions (FN/FNDA), branches (BRDA), lines (DA), with their totals. */
export function toLcov(report: CoverageReport, testName = ''): string {
    const out: string[] = [];
    const files = [...report.files.values()].sort((a, b) => a.path.localeCompare(b.path));
    for (const f of files) {
        out.push(`TN:${testName}`, `SF:${f.path}`);
        const fns = [...f.functions].sort((a, b) => a.line - b.line || a.name.localeCompare(b.name));
        for (const fn of fns) out.push(`FN:${fn.line},${fn.name}`);
        for (const fn of fns) out.push(`FNDA:${fn.calls},${fn.name}`);
        out.push(`FNF:${fns.length}`, `FNH:${fns.filter(x => x.calls > 0).length}`);
        let brf = 0, brh = 0;
        f.branches.forEach((b, block) => {
            // A branch whose instruction never ran is '-' (not executed), not 0 (executed, never taken).
            const ran = b.outcomes.some(o => o.count > 0) || (f.lines.get(b.line) ?? 0) > 0;
            b.outcomes.forEach((o, i) => {
                out.push(`BRDA:${b.line},${block},${i},${ran ? o.count : '-'}`);
                brf++;
                if (o.count > 0) brh++;
            });
        });
        out.push(`BRF:${brf}`, `BRH:${brh}`);
        const lines = byLine(f.lines);
        for (const [l, n] of lines) out.push(`DA:${l},${n}`);
        out.push(`LF:${lines.length}`, `LH:${lines.filter(([, n]) => n > 0).length}`, 'end_of_record');
    }
    return out.length ? out.join('\n') + '\n' : '';
}

/**
 * Reads an lcov tracefile back (DA, FN/FNDA, BRDA), to merge a new run into an existing file. Branch
 * outcomes come back labelled by their index; offsets are unknown (0), so they merge by line + block.
 */
export function parseLcov(text: string, app = ''): CoverageReport {
    const report: CoverageReport = { app, mapping: 'none', files: new Map(), unmappedFunctions: [], unmappedExecutions: 0, runs: 1 };
    let f: FileCoverage | undefined;
    const fnLines = new Map<string, number>();
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        const colon = line.indexOf(':');
        const key = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1);
        if (key === 'SF') {
            f = report.files.get(val);
            if (!f) report.files.set(val, f = { source: val, path: val, lines: new Map(), heat: new Map(), branches: [], functions: [] });
            fnLines.clear();
        } else if (!f) {
            continue;
        } else if (key === 'DA') {
            const [l, n] = val.split(',');
            f.lines.set(Number(l), (f.lines.get(Number(l)) ?? 0) + Number(n));
        } else if (key === 'FN') {
            const c = val.indexOf(',');
            fnLines.set(val.slice(c + 1), Number(val.slice(0, c)));
        } else if (key === 'FNDA') {
            const c = val.indexOf(',');
            const name = val.slice(c + 1);
            f.functions.push({ name, line: fnLines.get(name) ?? 0, calls: Number(val.slice(0, c)), instructions: 0 });
        } else if (key === 'BRDA') {
            const [l, block, branch, taken] = val.split(',');
            let b = f.branches.find(x => x.line === Number(l) && x.offset === -1 - Number(block));
            if (!b) f.branches.push(b = { line: Number(l), column: 0, offset: -1 - Number(block), kind: 'br_if', outcomes: [] });
            b.outcomes[Number(branch)] = { label: `#${branch}`, count: taken === '-' ? 0 : Number(taken) };
        } else if (key === 'end_of_record') {
            f = undefined;
        }
    }
    return report;
}

const LCOV_LINE = /^(TN|SF|FN|FNDA|FNF|FNH|FNL|FNA|BRDA|BRF|BRH|DA|LF|LH|VER):|^end_of_record$/;

/**
 * True when `text` is an lcov tracefile (or empty): only lcov records, at least one source file. A file
 * that is anything else is never merged into or replaced.
 */
export function isLcovText(text: string): boolean {
    if (text.trim() === '') return true;
    if (text.includes('\0')) return false;
    let sources = 0;
    for (const raw of text.split(/\r?\n/)) {
        const line = raw.trim();
        if (line === '') continue;
        if (!LCOV_LINE.test(line)) return false;
        if (line.startsWith('SF:')) sources++;
    }
    return sources > 0;
}
