// Turns per-site counts (basic-block entries, branch outcomes) into per-line coverage and heat.
// Every instruction of a basic block runs as often as the block is entered, so the count of an
// instruction is the count of the last block start at or before it in its function.
import type { SourceMapper } from '../mapping/index.js';
import { cursorOf } from '../wasm/body.js';
import { funcName, type WasmModule } from '../wasm/decode.js';
import { OPCODES } from '../wasm/opcodes.js';
import type { BranchOutcome, BranchSite, CoverageReport, FileCoverage, FunctionCoverage } from './model.js';

export interface SiteCounts {
    /** Module offset of each basic block's first instruction -> times entered. */
    blocks: Map<number, number>;
    /** Module offset of each branch instruction -> its outcomes. */
    branches: Map<number, { kind: BranchSite['kind']; outcomes: BranchOutcome[] }>;
}

/**
 * Instructions that only delimit structure (open a block or start an arm, handler or continuation), by
 * opcode-table index; `if` reads its condition, so it counts as code. A line's count comes from them only
 * when it has nothing else.
 */
const STRUCTURAL: Uint8Array = Uint8Array.from(OPCODES, op => ((op.blockLike || op.startsBlock) && op.name !== 'if' ? 1 : 0));

/**
 * Builds the per-file coverage of one run. Lines the debug info has code for but no counted
 * instruction maps to stay at 0; executions at unmapped offsets are counted in `unmappedExecutions`.
 */
export function aggregate(m: WasmModule, mapper: SourceMapper, counts: SiteCounts, app: string): CoverageReport {
    const files = new Map<string, FileCoverage>();
    const names = mapper.sourceNames();
    const fileOf = (path: string): FileCoverage => {
        let f = files.get(path);
        if (!f) {
            f = { source: names.get(path) ?? path, path, lines: new Map(), heat: new Map(), branches: [], functions: [] };
            files.set(path, f);
        }
        return f;
    };
    for (const [path, lines] of mapper.linesWithCode()) {
        const f = fileOf(path);
        for (const l of lines) f.lines.set(l, 0);
    }
    // Lines whose count only comes from structural instructions, resolved after the walk.
    const structuralOnly = new Map<FileCoverage, Map<number, number>>();
    const countedLines = new Map<FileCoverage, Set<number>>();
    const unmappedFunctions: FunctionCoverage[] = [];
    let unmappedExecutions = 0;
    const loc = mapper.locator();

    for (const body of m.bodies) {
        const c = cursorOf(m, body.func);
        let current = 0;
        let first = true;
        let fn: FunctionCoverage | undefined;
        let lastFile: FileCoverage | undefined;
        while (c.next()) {
            const off = c.offset;
            const entered = counts.blocks.get(off);
            if (entered !== undefined) current = entered;
            const mapped = loc.at(off);
            if (first) {
                first = false;
                fn = { name: funcName(m, body.func) || `func${body.func}`, line: mapped ? loc.line : 0, calls: current, instructions: 0 };
                if (mapped) fileOf(loc.file).functions.push(fn); else unmappedFunctions.push(fn);
            }
            const structural = STRUCTURAL[c.op.index] === 1;
            if (!structural) fn!.instructions += current;
            if (!mapped) {
                if (!structural) unmappedExecutions += current;
                continue;
            }
            const f = lastFile && lastFile.path === loc.file ? lastFile : fileOf(loc.file);
            lastFile = f;
            if (structural) {
                let s = structuralOnly.get(f);
                if (!s) structuralOnly.set(f, s = new Map());
                s.set(loc.line, Math.max(s.get(loc.line) ?? 0, current));
                if (!f.lines.has(loc.line)) f.lines.set(loc.line, 0);
                continue;
            }
            let counted = countedLines.get(f);
            if (!counted) countedLines.set(f, counted = new Set());
            counted.add(loc.line);
            f.lines.set(loc.line, Math.max(f.lines.get(loc.line) ?? 0, current));
            f.heat.set(loc.line, (f.heat.get(loc.line) ?? 0) + current);
            const br = counts.branches.get(off);
            if (br) f.branches.push({ line: loc.line, column: loc.column, offset: off, kind: br.kind, outcomes: br.outcomes });
        }
    }
    for (const [f, s] of structuralOnly) {
        const counted = countedLines.get(f);
        for (const [line, n] of s) if (!counted?.has(line)) f.lines.set(line, n);
    }
    for (const f of files.values()) f.branches.sort((a, b) => a.line - b.line || a.offset - b.offset);
    return { app, mapping: mapper.kind, files, unmappedFunctions, unmappedExecutions, runs: 1 };
}
