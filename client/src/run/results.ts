// What a run's JSON outcome (`whamm run|coverage --report-json`, protocol RunResultJson) means for the
// user, as text: the trap with its source line, the advice for an app without debug info. Pure (no vscode).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunResultJson, TrapInfo } from '../../../server/src/protocol.js';

export type { RunResultJson, TrapInfo };

/** Reads the outcome the CLI wrote; undefined when it wrote none (it failed before) or another version. */
export function readRunResult(file: string, read: (f: string) => string = f => fs.readFileSync(f, 'utf8')): RunResultJson | undefined {
    let j: Partial<RunResultJson>;
    try {
        j = JSON.parse(read(file)) as Partial<RunResultJson>;
    } catch {
        return undefined;
    }
    return j && j.version === 1 && typeof j.exitCode === 'number' ? j as RunResultJson : undefined;
}

/** `file` as the user knows it: relative to the workspace folder when inside it. */
export function displayFile(file: string, root: string | undefined): string {
    if (root && (file === root || file.startsWith(root + path.sep))) return path.relative(root, file);
    return path.basename(file);
}

/** "trap: memory access out of bounds at trap.c:6 (in read_at)" — one line for a notification. */
export function trapSummary(trap: TrapInfo, root?: string): string {
    const where = trap.location ? ` at ${displayFile(trap.location.file, root)}:${trap.location.line}` : '';
    const fn = trap.funcName ? ` (in ${trap.funcName})` : '';
    const probe = trap.inProbe ? ' in probe code' : '';
    const noLine = !trap.location && trap.funcName ? ' — no source line: the app has no debug info' : '';
    return `trap${probe}: ${trap.message}${where}${fn}${noLine}`;
}

export const DEBUG_INFO_ADVICE = 'Build the app with debug info: C/C++ with `clang -g`, Rust with `debug = true`, AssemblyScript with `--sourceMap`.';

/** The warning for an app without DWARF or source map. */
export function noDebugInfoMessage(app: string): string {
    return `${path.basename(app)} has no debug info (DWARF or source map): coverage and hot spots are per function only. ` +
        DEBUG_INFO_ADVICE.replace(/`/g, '');
}

/** How a finished run should be told: nothing for a clean run (the status bar says it), else a level and text. */
export function runVerdict(r: RunResultJson | undefined, exitCode: number | null, root?: string): { level: 'none' | 'warning' | 'error'; text: string } {
    if (r?.trap) return { level: 'error', text: `Whamm: ${trapSummary(r.trap, root)}` };
    if (exitCode === 0) return { level: 'none', text: 'Whamm: run finished (exit code 0)' };
    if (exitCode === null) return { level: 'error', text: 'Whamm: the CLI could not start.' };
    return { level: 'warning', text: `Whamm: the app exited with code ${exitCode}.` };
}
