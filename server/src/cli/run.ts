import path from 'node:path';
import { runModule } from '../runner/run.js';
import { compileForEngine } from '../runner/engine-compile.js';
import { InputError, readApp, readInput } from './io.js';
import { rerunWhereSupported } from './engine-fallback.js';

export interface RunCommandOptions {
    module: string;
    userLibs: Map<string, string>;
    args: string[];
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
        throw new InputError(`${o.module} is not a valid WebAssembly module: ${(e as Error).message}`);
    }
    let r;
    try {
        r = await runModule(bytes, { args: o.args, argv0: path.basename(o.module), userLibs: libs });
    } catch (e) {
        // Linking problems (missing imports, a bad library): the app could not run.
        process.stderr.write(`whamm run: ${(e as Error).message}\n`);
        return 1;
    }
    return r.trapped ? (r.exitCode || 1) : r.exitCode;
}
