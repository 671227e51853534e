// Joining DWARF directory and file names. DWARF keeps the paths of the machine that compiled, so both
// POSIX and Windows spellings are recognised whatever machine reads them.
import path from 'node:path';

const WIN_ABS = /^[A-Za-z]:[\\/]|^\\\\/;

export function isAbsolutePath(p: string): boolean {
    return p.startsWith('/') || WIN_ABS.test(p);
}

function flavour(p: string): typeof path.posix {
    return WIN_ABS.test(p) || (p.includes('\\') && !p.includes('/')) ? path.win32 : path.posix;
}

/** `dir` + `name`, or `name` alone when it is absolute or `dir` is empty; normalized. */
export function joinPath(dir: string | undefined, name: string): string {
    if (isAbsolutePath(name) || !dir) return flavour(name).normalize(name);
    const f = flavour(dir);
    return f.normalize(f.join(dir, name));
}
