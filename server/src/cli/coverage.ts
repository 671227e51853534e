// `whamm coverage`: instrument the app with the built-in coverage monitor, run it, map the counts to
// source lines and write lcov / JSON (merged into existing files of earlier runs), plus hot spots.
import fs from 'node:fs';
import path from 'node:path';
import { runCoverage } from '../coverage/collect.js';
import { hotSpots } from '../coverage/hotspots.js';
import { fromJson, toJson } from '../coverage/json.js';
import { isLcovText, parseLcov, toLcov } from '../coverage/lcov.js';
import { type CoverageReport, mergeReports } from '../coverage/model.js';
import { ScriptError } from '../engine/instrument.js';
import { parseArgs, parseUserLibs, UsageError } from './args.js';
import { functionNames, writeRunJson } from './report-json.js';
import { GRANTS_HELP, GRANT_VALUED, parseGrants } from './grants.js';
import { displayPath, InputError, readApp, readInput } from './io.js';
import { rerunWhereSupported } from './engine-fallback.js';
import { checkDistinct, existingFile, withLocks, writeTogether } from './output.js';
import { validateInput } from './validate.js';

export const COVERAGE_HELP = `Usage: whamm coverage --app APP.wasm [options] [-- ARGS...]

Instruments APP.wasm with a built-in coverage monitor (basic-block counters for line coverage,
br_if / if / br_table outcome counters for branch coverage), runs it with WASI like 'whamm run', and
maps the counts to source lines through the app's debug info (DWARF, or a source map named by its
sourceMappingURL section or found as APP.wasm.map). Every line with code gets a count (0 when it did
not run). Output files that exist already are merged with (runs add up); an existing file that is not
lcov (or whamm's coverage JSON) is never replaced. Runs that merge into one file at the same time take
turns (a lock file OUT.lock beside it).

The app runs as with 'whamm run': nothing granted unless given here:
${GRANTS_HELP}

Options:
  --app PATH            the application module (never modified)
  --script PATH         also instrument with this Whamm script; its report is printed as usual
  --user-libs LIST      user libraries for the script, name=PATH[,name=PATH...]
  --lcov PATH           write an lcov tracefile (genhtml, Coverage Gutters)
  --json PATH           write the JSON report ({"files": {SOURCE: {"lines": {LINE: HITS}, ...}}})
  --report-json FILE    also write the outcome as JSON: exit code, the trap with its source line,
                        the script's report as values, the kind of debug info
  --no-merge            replace existing output files (of the same format) instead of adding to them
  --source-root DIR     where to look for sources a source map names relative to the build's
                        directory (repeatable; default: the current directory)
  --hot N               how many hot lines and functions to print (default 10, 0: none)
  -h, --help            this help

A summary (line and branch coverage, hot spots) goes to stderr; the app's output is untouched.`;

/** The report in an existing output file; a file of another format is an error (never replaced). */
function readExisting(file: string, kind: 'json' | 'lcov', app: string): CoverageReport | undefined {
    if (!existingFile(file, kind === 'json' ? 'JSON output' : 'lcov output')) return undefined;
    const text = fs.readFileSync(file, 'utf8');
    if (kind === 'lcov') {
        if (text.trim() === '') return undefined;
        if (!isLcovText(text)) throw new InputError(`${file} exists and is not an lcov file; not replacing it (choose another --lcov)`);
        return parseLcov(text, app);
    }
    if (text.trim() === '') return undefined;
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (e) {
        throw new InputError(`${file} exists and is not JSON (${(e as Error).message}); not replacing it (choose another --json)`);
    }
    try {
        return fromJson(parsed);
    } catch (e) {
        throw new InputError(`${file}: ${(e as Error).message}; not replacing it (choose another --json)`);
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
        `whamm coverage: ${report.files.size} source file${report.files.size === 1 ? '' : 's'} (${report.mapping === 'none' ? 'no debug info' : report.mapping}), `
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
            for (const f of h.functions) out.push(`  ${f.name}${f.path ? ` (${displayPath(f.path)}:${f.line})` : ''}  ${f.instructions}  (${percent(f.instructions, h.total)}), ${f.calls} call${f.calls === 1 ? '' : 's'}`);
        }
    }
    return out.join('\n') + '\n';
}

export async function coverageCommand(argv: string[]): Promise<number> {
    const valued = ['app', 'script', 'user-libs', 'lcov', 'json', 'source-root', 'hot', 'report-json', ...GRANT_VALUED];
    const a = parseArgs(argv, new Set(valued), new Set([...valued, 'no-merge']));
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
    const roots = (a.all.get('source-root') ?? []).map(r => path.resolve(r));
    if (roots.length === 0) roots.push(process.cwd());
    const grants = parseGrants(a);
    const libPaths = parseUserLibs(a.options.get('user-libs') as string | undefined);

    const bytes = await readApp(app);
    const script = scriptPath ? { text: readInput(scriptPath, 'script').toString('utf8'), path: scriptPath } : undefined;
    const userLibs = new Map<string, Uint8Array>();
    for (const [name, file] of libPaths) userLibs.set(name, readInput(file, `user library '${name}'`));
    const outputs = [...(lcovOut ? [{ path: lcovOut, what: 'lcov output' }] : []), ...(jsonOut ? [{ path: jsonOut, what: 'JSON output' }] : [])];
    checkDistinct(outputs, [{ path: app, what: 'app' }, ...(scriptPath ? [{ path: scriptPath, what: 'script' }] : []),
        ...[...libPaths].map(([name, p]) => ({ path: p, what: `user library '${name}'` }))]);
    // Existing outputs must be of their format (merged or not): checked before the run, so a bad file
    // fails fast, and read again under the lock after it.
    const appAbs = path.resolve(app);
    const readPrevious = (): CoverageReport | undefined => {
        const fromJsonFile = jsonOut ? readExisting(jsonOut, 'json', appAbs) : undefined;
        const fromLcovFile = lcovOut ? readExisting(lcovOut, 'lcov', appAbs) : undefined;
        if (!merge) return undefined;
        const previous = fromJsonFile ?? fromLcovFile;
        if (fromJsonFile && jsonOut && fromJsonFile.app && fromJsonFile.app !== appAbs) {
            throw new InputError(`${jsonOut} holds coverage of another app (${fromJsonFile.app}); pass --no-merge to replace it`);
        }
        return previous;
    };
    readPrevious();
    await validateInput(bytes, app);
    const rerun = await rerunWhereSupported('coverage', [bytes]);
    if (rerun !== undefined) return rerun;

    let result;
    try {
        result = await runCoverage(bytes, appAbs, { script, userLibs, args: a.rest, searchRoots: roots, env: grants.env, dirs: grants.dirs });
    } catch (e) {
        if (e instanceof ScriptError) {
            process.stderr.write(e.message + '\n');
            return 2;
        }
        if (e instanceof Error && e.name === 'WasmDecodeError') throw new InputError(`${app}: ${e.message}`);
        throw e;
    }
    for (const w of result.warnings) process.stderr.write(`whamm coverage: warning: ${w}\n`);
    const report = await withLocks(outputs.map(o => o.path), () => {
        const previous = readPrevious();
        // An lcov file only keeps what lcov can say; bring this run to the same shape before adding it up.
        const fromLcov = previous && !(jsonOut && fs.existsSync(jsonOut));
        const merged = previous ? mergeReports(previous, fromLcov ? parseLcov(toLcov(result.report), appAbs) : result.report) : result.report;
        if (merged.mapping === 'none' && result.report.mapping !== 'none') merged.mapping = result.report.mapping;
        if (!merged.app) merged.app = appAbs;
        writeTogether([
            ...(jsonOut ? [{ path: jsonOut, data: JSON.stringify(toJson(merged), null, 1) + '\n', what: 'JSON output' }] : []),
            ...(lcovOut ? [{ path: lcovOut, data: toLcov(merged), what: 'lcov output' }] : []),
        ]);
        return merged;
    });
    process.stderr.write(summary(report, hot));
    const reportJson = a.options.get('report-json') as string | undefined;
    if (reportJson) {
        writeRunJson(reportJson, {
            version: 1, command: 'coverage', module: appAbs, app: appAbs, exitCode: result.trapped ? (result.exitCode || 1) : result.exitCode,
            trap: result.trap, report: script ? result.variables : undefined, debugInfo: result.report.mapping, functions: functionNames(bytes), warnings: result.warnings,
        });
    }
    if (result.report.mapping === 'none') process.stderr.write(`whamm coverage: ${app} has no debug info (DWARF or source map): counts are per function only\n`);
    return result.trapped ? (result.exitCode || 1) : result.exitCode;
}
