// `whamm coverage`: instrument the app with the built-in coverage monitor, run it, map the counts to
// source lines and write lcov / JSON (merged into existing files of earlier runs), plus hot spots.
import fs from 'node:fs';
import path from 'node:path';
import { runCoverage } from '../coverage/collect.js';
import { hotSpots } from '../coverage/hotspots.js';
import { fromJson, toJson } from '../coverage/json.js';
import { parseLcov, toLcov } from '../coverage/lcov.js';
import { type CoverageReport, mergeReports } from '../coverage/model.js';
import { ScriptError } from '../engine/instrument.js';
import { parseArgs, parseUserLibs, UsageError } from './args.js';
import { displayPath, InputError, readApp, readInput } from './io.js';
import { rerunWhereSupported } from './engine-fallback.js';

export const COVERAGE_HELP = `Usage: whamm coverage --app APP.wasm [options] [-- ARGS...]

Instruments APP.wasm with a built-in coverage monitor (basic-block counters for line coverage,
br_if / if / br_table outcome counters for branch coverage), runs it with WASI like 'whamm run', and
maps the counts to source lines through the app's debug info (DWARF, or a source map named by its
sourceMappingURL section or found as APP.wasm.map). Every line with code gets a count (0 when it did
not run). Output files that exist already are merged with (runs add up).

Options:
  --app PATH            the application module (never modified)
  --script PATH         also instrument with this Whamm script; its report is printed as usual
  --user-libs LIST      user libraries for the script, name=PATH[,name=PATH...]
  --lcov PATH           write an lcov tracefile (genhtml, Coverage Gutters)
  --json PATH           write the JSON report ({"files": {SOURCE: {"lines": {LINE: HITS}, ...}}})
  --no-merge            replace existing output files instead of adding this run to them
  --source-root DIR     where to look for sources a source map names relative to the build's
                        directory (repeatable; default: the current directory)
  --hot N               how many hot lines and functions to print (default 10, 0: none)
  -h, --help            this help

A summary (line and branch coverage, hot spots) goes to stderr; the app's output is untouched.`;

function readExisting(file: string, kind: 'json' | 'lcov', app: string): CoverageReport | undefined {
    if (!fs.existsSync(file)) return undefined;
    const text = fs.readFileSync(file, 'utf8');
    if (kind === 'lcov') return parseLcov(text, app);
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (e) {
        throw new InputError(`${file} exists and is not JSON (${(e as Error).message}); pass --no-merge to replace it`);
    }
    try {
        return fromJson(parsed);
    } catch (e) {
        throw new InputError(`${file}: ${(e as Error).message}; pass --no-merge to replace it`);
    }
}

function percent(n: number, d: number): string {
    return d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`;
}

export function summary(report: CoverageReport, hot: number): string {
    let lf = 0, lh = 0, bf = 0, bh = 0;
    for (const f of report.files.values()) {
        for (const n of f.lines.values()) { lf++; if (n > 0) lh++; }
        for (const b of f.branches) for (const o of b.outcomes) { bf++; if (o.count > 0) bh++; }
    }
    const out = [
        `whamm coverage: ${report.files.size} source files (${report.mapping === 'none' ? 'no debug info' : report.mapping}), `
        + `lines ${lh}/${lf} (${percent(lh, lf)}), branches ${bh}/${bf} (${percent(bh, bf)})${report.runs > 1 ? `, ${report.runs} runs merged` : ''}`,
    ];
    if (hot > 0) {
        const h = hotSpots(report, hot);
        if (h.lines.length) {
            out.push('hot lines (instructions executed):');
            for (const l of h.lines) out.push(`  ${displayPath(l.path)}:${l.line}  ${l.instructions}  (${percent(l.instructions, h.total)})`);
        }
        if (h.functions.length) {
            out.push('hot functions (instructions executed, calls):');
            for (const f of h.functions) out.push(`  ${f.name}${f.path ? ` (${displayPath(f.path)}:${f.line})` : ''}  ${f.instructions}  (${percent(f.instructions, h.total)}), ${f.calls} calls`);
        }
    }
    return out.join('\n') + '\n';
}

export async function coverageCommand(argv: string[]): Promise<number> {
    const a = parseArgs(argv, new Set(['app', 'script', 'user-libs', 'lcov', 'json', 'source-root', 'hot']),
        new Set(['app', 'script', 'user-libs', 'lcov', 'json', 'source-root', 'hot', 'no-merge']));
    if (a.positionals.length) throw new UsageError(`unexpected argument '${a.positionals[0]}' (app arguments go after --)`);
    const app = a.options.get('app');
    if (typeof app !== 'string') throw new UsageError('missing --app APP.wasm');
    const hotArg = a.options.get('hot');
    const hot = hotArg === undefined ? 10 : Number(hotArg);
    if (!Number.isInteger(hot) || hot < 0) throw new UsageError(`--hot expects a count, got '${String(hotArg)}'`);
    const lcovOut = a.options.get('lcov') as string | undefined;
    const jsonOut = a.options.get('json') as string | undefined;
    const merge = !a.options.has('no-merge');
    const scriptPath = a.options.get('script') as string | undefined;
    // parseArgs keeps the last value of a repeated option; collect every --source-root by hand.
    const roots: string[] = [];
    for (let i = 0; i < argv.length && argv[i] !== '--'; i++) {
        if (argv[i] === '--source-root' && i + 1 < argv.length) roots.push(path.resolve(argv[++i]));
        else if (argv[i].startsWith('--source-root=')) roots.push(path.resolve(argv[i].slice('--source-root='.length)));
    }
    if (roots.length === 0) roots.push(process.cwd());

    const bytes = await readApp(app);
    const script = scriptPath ? { text: readInput(scriptPath, 'script').toString('utf8'), path: scriptPath } : undefined;
    const userLibs = new Map<string, Uint8Array>();
    for (const [name, file] of parseUserLibs(a.options.get('user-libs') as string | undefined)) userLibs.set(name, readInput(file, `user library '${name}'`));
    // Read what is to be merged before the run, so a bad file fails fast.
    const appAbs = path.resolve(app);
    const previous = merge ? (jsonOut ? readExisting(jsonOut, 'json', appAbs) : lcovOut ? readExisting(lcovOut, 'lcov', appAbs) : undefined) : undefined;
    if (previous && jsonOut && previous.app && previous.app !== appAbs) {
        throw new InputError(`${jsonOut} holds coverage of another app (${previous.app}); pass --no-merge to replace it`);
    }

    const rerun = await rerunWhereSupported('coverage', [bytes]);
    if (rerun !== undefined) return rerun;
    let result;
    try {
        result = await runCoverage(bytes, appAbs, { script, userLibs, args: a.rest, searchRoots: roots });
    } catch (e) {
        if (e instanceof ScriptError) {
            process.stderr.write(e.message + '\n');
            return 2;
        }
        if (e instanceof Error && e.name === 'WasmDecodeError') throw new InputError(`${app}: ${e.message}`);
        throw e;
    }
    for (const w of result.warnings) process.stderr.write(`whamm coverage: warning: ${w}\n`);
    // An lcov file only keeps what lcov can say; bring this run to the same shape before adding it up.
    const fromLcov = previous && !jsonOut;
    const report = previous ? mergeReports(previous, fromLcov ? parseLcov(toLcov(result.report), appAbs) : result.report) : result.report;
    if (report.mapping === 'none' && result.report.mapping !== 'none') report.mapping = result.report.mapping;
    if (!report.app) report.app = appAbs;
    if (jsonOut) {
        fs.mkdirSync(path.dirname(path.resolve(jsonOut)), { recursive: true });
        fs.writeFileSync(jsonOut, JSON.stringify(toJson(report), null, 1) + '\n');
    }
    if (lcovOut) {
        fs.mkdirSync(path.dirname(path.resolve(lcovOut)), { recursive: true });
        fs.writeFileSync(lcovOut, toLcov(report));
    }
    process.stderr.write(summary(report, hot));
    if (result.report.mapping === 'none') process.stderr.write(`whamm coverage: ${app} has no debug info (DWARF or source map): counts are per function only\n`);
    return result.trapped ? (result.exitCode || 1) : result.exitCode;
}
