// `whamm wast` is implemented in server/src/wast (the wast harness); this is its CLI entry.
import { wastCommand as runWast } from '../wast/cli-command.js';
import { readInput } from './io.js';

export interface WastCommandOptions {
    verbose?: boolean;
    checkOriginal?: boolean;
    /** name -> path, from --user-libs */
    userLibs?: Map<string, string>;
}

export async function wastCommand(file: string, o: WastCommandOptions = {}): Promise<number> {
    readInput(file, 'wast file');
    const libs = new Map<string, Uint8Array>();
    for (const [name, path] of o.userLibs ?? []) libs.set(name, readInput(path, `user library '${name}'`));
    return runWast(file, { verbose: o.verbose, checkOriginal: o.checkOriginal, userLibs: libs });
}
