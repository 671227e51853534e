// `whamm wast` is implemented in server/src/wast (the wast harness); this is its CLI entry.
import { wastCommand as runWast } from '../wast/cli-command.js';
import { readInput } from './io.js';

export async function wastCommand(file: string): Promise<number> {
    readInput(file, 'wast file');
    return runWast(file);
}
