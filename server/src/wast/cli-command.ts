// Entry of `whamm wast` for the CLI dispatcher.
import { runWastFiles } from './command.js';
import { engineInstrument } from './engine-instrument.js';

export interface WastCliOptions {
    verbose?: boolean;
    checkOriginal?: boolean;
    /** User libraries the scripts `use` (name -> module bytes). */
    userLibs?: Map<string, Uint8Array>;
}

export function wastCommand(file: string | string[], o: WastCliOptions = {}): Promise<number> {
    return runWastFiles({
        files: Array.isArray(file) ? file : [file], instrument: engineInstrument(o.userLibs),
        verbose: o.verbose, checkOriginal: o.checkOriginal,
    });
}
