// `whamm run`: run a module with WASI, with nothing granted unless the command line grants it.
import path from 'node:path';
import { runModule } from '../runner/run.js';
import { compileForEngine } from '../runner/engine-compile.js';
import { parseArgs, parseUserLibs, UsageError } from './args.js';
import { GRANTS_HELP, GRANT_VALUED, parseGrants, type Grants } from './grants.js';
import { InputError, readApp, readInput } from './io.js';
import { rerunWhereSupported } from './engine-fallback.js';

export const RUN_HELP = `Usage: whamm run MODULE.wasm [options] [-- ARGS...]

Runs a module with WASI preview1, or calls its _start (or main) export when it imports no WASI. Prints
the app's output, then the report flush; the report is also flushed after proc_exit and after a trap
(reported as 'trap: ...' on stderr, exit code 1). The exit code is the app's exit code.

The app gets what wasmtime gives by default and nothing else: its arguments (argv[0] is the module's
file name), no environment variable, no directory. Grant more with:
${GRANTS_HELP}

Options:
  --user-libs LIST      user libraries the module imports, name=PATH[,name=PATH...]
  -h, --help            this help`;

export interface RunCommandOptions extends Partial<Grants> {
    module: string;
    userLibs: Map<string, string>;
    args: string[];
}

export async function runMain(argv: string[]): Promise<number> {
    const a = parseArgs(argv, new Set(['user-libs', ...GRANT_VALUED]), new Set(['user-libs', ...GRANT_VALUED]));
    if (a.positionals.length !== 1) throw new UsageError(a.positionals.length ? `expected one module, got ${a.positionals.join(' ')}` : 'missing the module to run');
    return runCommand({
        module: a.positionals[0],
        userLibs: parseUserLibs(a.options.get('user-libs') as string | undefined),
        args: a.rest,
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
    let r;
    try {
        r = await runModule(bytes, { args: o.args, argv0: path.basename(o.module), userLibs: libs, env: o.env ?? {}, dirs: o.dirs ?? [] });
    } catch (e) {
        // Linking problems (missing imports, a bad library): the app could not run.
        process.stderr.write(`whamm run: ${(e as Error).message}\n`);
        return 1;
    }
    return r.trapped ? (r.exitCode || 1) : r.exitCode;
}
