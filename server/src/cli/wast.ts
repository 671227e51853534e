// `whamm wast` is implemented in server/src/wast (the wast harness); this is its CLI entry.
import { wastCommand as runWast } from '../wast/cli-command.js';
import { readInput } from './io.js';
import { rerunWhereSupported } from './engine-fallback.js';
import { parseWastFile } from '../wast/wast-file.js';
import { moduleFormToWasm } from '../wast/wat.js';

/** The binaries of a .wast file's modules (those that assemble; the harness reports the others). */
async function wastModules(source: string): Promise<Uint8Array[]> {
    let file;
    try { file = parseWastFile(source); } catch { return []; }
    const forms = [file.target, ...file.setup.flatMap(c => (c.kind === 'module' ? [c.module] : []))];
    const out: Uint8Array[] = [];
    for (const m of forms) {
        try { out.push(await moduleFormToWasm(m.node, source)); } catch { /* reported by the harness */ }
    }
    return out;
}

export interface WastCommandOptions {
    verbose?: boolean;
    checkOriginal?: boolean;
    /** name -> path, from --user-libs */
    userLibs?: Map<string, string>;
}

export async function wastCommand(file: string, o: WastCommandOptions = {}): Promise<number> {
    const source = readInput(file, 'wast file').toString('utf8');
    const rerun = await rerunWhereSupported('wast', await wastModules(source));
    if (rerun !== undefined) return rerun;
    const libs = new Map<string, Uint8Array>();
    for (const [name, path] of o.userLibs ?? []) libs.set(name, readInput(path, `user library '${name}'`));
    return runWast(file, { verbose: o.verbose, checkOriginal: o.checkOriginal, userLibs: libs });
}
