import path from 'node:path';
import { runModule } from '../runner/run.js';
import { compileForEngine } from '../runner/engine-compile.js';
import { InputError, readInput } from './io.js';
import { loadAppDebug, locateTrap } from '../runner/trap-origin.js';
import { appOfInstrumented, functionNames, writeRunJson } from './report-json.js';

export interface RunCommandOptions {
    module: string;
    userLibs: Map<string, string>;
    args: string[];
    /** Also write the outcome as JSON (protocol RunResultJson) here. */
    reportJson?: string;
    /** The original app, for trap locations (default: the app the module's site table names). */
    app?: string;
}

export async function runCommand(o: RunCommandOptions): Promise<number> {
    const bytes = readInput(o.module, 'module');
    const libs = new Map<string, Uint8Array>();
    for (const [name, file] of o.userLibs) libs.set(name, readInput(file, `user library '${name}'`));
    try {
        await compileForEngine(bytes);
    } catch (e) {
        throw new InputError(`${o.module} is not a valid WebAssembly module: ${(e as Error).message}`);
    }
    const app = o.app ?? (o.reportJson ? appOfInstrumented(o.module) : undefined);
    let r;
    try {
        r = await runModule(bytes, { args: o.args, argv0: path.basename(o.module), userLibs: libs });
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
            debugInfo: debug?.mapper.kind,
            functions: functionNames(debug?.module),
        });
    }
    return exitCode;
}
