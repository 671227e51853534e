// `whamm run`: run a module with WASI, with nothing granted unless the command line grants it.
import path from 'node:path';
import { runModule } from '../runner/run.js';
import { compileForEngine } from '../runner/engine-compile.js';
import { parseArgs, parseUserLibs, UsageError } from './args.js';
import { GRANTS_HELP, GRANT_VALUED, parseGrants, type Grants } from './grants.js';
import { InputError, readApp, readInput } from './io.js';
import { rerunWhereSupported } from './engine-fallback.js';
import { loadAppDebug, locateTrap } from '../runner/trap-origin.js';
import { appOfInstrumented, functionNames, writeRunJson } from './report-json.js';

export const RUN_HELP = `Usage: whamm run MODULE.wasm [options] [-- ARGS...]

Runs a module with WASI preview1, or calls its _start (or main) export when it imports no WASI. Prints
the app's output, then the report flush; the report is also flushed after proc_exit and after a trap
(reported as 'trap: ...' on stderr, exit code 1). The exit code is the app's exit code.

The app gets what wasmtime gives by default and nothing else: its arguments (argv[0] is the module's
file name), no environment variable, no directory. Grant more with:
${GRANTS_HELP}

Options:
  --user-libs LIST      user libraries the module imports, name=PATH[,name=PATH...]
  --report-json FILE    also write the outcome as JSON: exit code, the trap with its source line
                        (through the original app's debug info), the report as values
  --app PATH            the original app, for trap locations (default: the one OUT.sites.json names)
  -h, --help            this help`;

export interface RunCommandOptions extends Partial<Grants> {
    module: string;
    userLibs: Map<string, string>;
    args: string[];
    /** Also write the outcome as JSON (protocol RunResultJson) here. */
    reportJson?: string;
    /** The original app, for trap locations (default: the app the module's site table names). */
    app?: string;
}

export async function runMain(argv: string[]): Promise<number> {
    const valued = ['user-libs', 'report-json', 'app', ...GRANT_VALUED];
    const a = parseArgs(argv, new Set(valued), new Set(valued));
    if (a.positionals.length !== 1) throw new UsageError(a.positionals.length ? `expected one module, got ${a.positionals.join(' ')}` : 'missing the module to run');
    return runCommand({
        module: a.positionals[0],
        userLibs: parseUserLibs(a.options.get('user-libs') as string | undefined),
        args: a.rest,
        reportJson: a.options.get('report-json') as string | undefined,
        app: a.options.get('app') as string | undefined,
        ...parseGrants(a),
    });
}

export async function runCommand(o: RunCommandOptions): Promise<number> {
    const bytes = await readApp(o.module);
    const libs = new Map<string, Uint8Array>();
    for (const [name, file] of o.userLibs) libs.set(name, readInput(file, `user library '${name}'`));
    try {
        await compileForEngine(bytes);
    } catch (e) {
        // GC / typed function references / multi-memory: run in Node 22 when this Node cannot.
        const code = await rerunWhereSupported('run', [bytes]);
        if (code !== undefined) return code;
        throw new InputError(`${o.module} is not a valid WebAssembly module: ${(e as Error).message.replace(/^WebAssembly\.\w+\(\): /, '')}`);
    }
    const app = o.app ?? (o.reportJson ? appOfInstrumented(o.module) : undefined);
    let r;
    try {
        r = await runModule(bytes, { args: o.args, argv0: path.basename(o.module), userLibs: libs, env: o.env ?? {}, dirs: o.dirs ?? [] });
    } catch (e) {
        // Linking problems (missing imports, a bad library): the app could not run.
        process.stderr.write(`whamm run: ${(e as Error).message}\n`);
        if (o.reportJson) writeRunJson(o.reportJson, { version: 1, command: 'run', module: path.resolve(o.module), app, exitCode: 1, trap: { message: (e as Error).message } });
        return 1;
    }
    const exitCode = r.trapped ? (r.exitCode || 1) : r.exitCode;
    if (o.reportJson) {
        const debug = app ? loadAppDebug(app) : undefined;
        writeRunJson(o.reportJson, {
            version: 1, command: 'run', module: path.resolve(o.module), app, exitCode,
            trap: r.trapped !== undefined ? locateTrap(r.trapped, r.trapFrames, bytes, debug) : undefined,
            report: r.variables,
            ...(r.reportRows !== undefined ? { reportRows: r.reportRows } : {}),
            debugInfo: debug?.mapper.kind,
            functions: functionNames(debug?.module),
        });
    }
    return exitCode;
}
