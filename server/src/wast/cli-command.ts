// Entry of `whamm wast` for the CLI dispatcher.
import { runWastFiles } from './command.js';
import { instrumentForWast } from './engine-instrument.js';

export interface WastCliOptions {
    verbose?: boolean;
    checkOriginal?: boolean;
}

export function wastCommand(file: string | string[], o: WastCliOptions = {}): Promise<number> {
    return runWastFiles({ files: Array.isArray(file) ? file : [file], instrument: instrumentForWast, ...o });
}
