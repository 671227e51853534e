import fs from 'node:fs';
import path from 'node:path';

/** A problem with the user's input files (not a usage mistake, not a bug): exit code 2. */
export class InputError extends Error {}

export function readInput(file: string, what: string): Buffer {
    if (!fs.existsSync(file)) throw new InputError(`${what} not found: ${file}`);
    if (fs.statSync(file).isDirectory()) throw new InputError(`${what} is a directory: ${file}`);
    return fs.readFileSync(file);
}

export function displayPath(file: string): string {
    const rel = path.relative(process.cwd(), file);
    return rel && !rel.startsWith('..') ? rel : file;
}
