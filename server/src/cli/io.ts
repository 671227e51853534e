import fs from 'node:fs';
import path from 'node:path';
import { appModuleFromFile, WatError } from '../wasm/wat-assemble.js';

/**
 * A problem with the user's input files (not a usage mistake, not a bug): exit code 2. `located` messages
 * already start with `file:line:col:` and are printed as they are.
 */
export class InputError extends Error {
    constructor(message: string, readonly located = false) { super(message); }
}

/** The application module at `file`: a binary, or WebAssembly text (.wat) assembled exactly as written. */
export async function readApp(file: string): Promise<Uint8Array> {
    const content = readInput(file, 'app');
    try {
        return await appModuleFromFile(file, content);
    } catch (e) {
        if (e instanceof WatError) throw new InputError(e.message, true);
        throw e;
    }
}

export function readInput(file: string, what: string): Buffer {
    if (!fs.existsSync(file)) throw new InputError(`${what} not found: ${file}`);
    if (fs.statSync(file).isDirectory()) throw new InputError(`${what} is a directory: ${file}`);
    return fs.readFileSync(file);
}

export function displayPath(file: string): string {
    const rel = path.relative(process.cwd(), file);
    return rel && !rel.startsWith('..') ? rel : file;
}
