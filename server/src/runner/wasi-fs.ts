// The file-system side of the runner's WASI: granted directories and the path resolution that keeps an
// app inside them. Every guest path is resolved here, one component at a time, against the directory it
// is relative to: `..` cannot climb above the granted root, a symbolic link is read and its target
// resolved the same way (an absolute target, or one that climbs out, is refused), so the host path we
// finally hand to the OS names no symbolic link the OS could follow outside the grant.
import fs from 'node:fs';
import path from 'node:path';

/** WASI preview1 errno values used by the runner. */
export const E = {
    SUCCESS: 0, TOOBIG: 1, ACCES: 2, AGAIN: 6, BADF: 8, BUSY: 10, EXIST: 20, FAULT: 21, FBIG: 22, ILSEQ: 25,
    INVAL: 28, IO: 29, ISDIR: 31, LOOP: 32, MFILE: 33, NAMETOOLONG: 37, NOENT: 44, NOSPC: 51, NOSYS: 52,
    NOTDIR: 54, NOTEMPTY: 55, NOTSUP: 58, OVERFLOW: 61, PERM: 63, ROFS: 69, SPIPE: 70, XDEV: 75, NOTCAPABLE: 76,
} as const;

/** WASI filetype values. */
export const FT = { UNKNOWN: 0, BLOCK: 1, CHAR: 2, DIR: 3, FILE: 4, SOCKET_STREAM: 6, SYMLINK: 7 } as const;

/** A directory the user granted: the host directory, the name the app sees, and whether it may write. */
export interface DirGrant {
    host: string;
    guest: string;
    readOnly?: boolean;
}

/** A granted directory as the runner keeps it: its host path with symbolic links resolved once, at start. */
export interface Root {
    host: string;
    guest: string;
    readOnly: boolean;
}

/** Thrown inside the WASI layer to answer a call with an errno. */
export class WasiErrno extends Error {
    constructor(readonly errno: number) { super(`errno ${errno}`); }
}

const NODE_ERRNO: Record<string, number> = {
    ENOENT: E.NOENT, EEXIST: E.EXIST, ENOTDIR: E.NOTDIR, EISDIR: E.ISDIR, EACCES: E.ACCES, EPERM: E.PERM,
    ENOTEMPTY: E.NOTEMPTY, ELOOP: E.LOOP, EINVAL: E.INVAL, EBADF: E.BADF, ENAMETOOLONG: E.NAMETOOLONG,
    EXDEV: E.XDEV, ENOSPC: E.NOSPC, EROFS: E.ROFS, EMFILE: E.MFILE, EBUSY: E.BUSY, EFBIG: E.FBIG, EIO: E.IO,
    ESPIPE: E.SPIPE, ENOSYS: E.NOSYS, ENOTSUP: E.NOTSUP, EOPNOTSUPP: E.NOTSUP, EAGAIN: E.AGAIN,
    ERR_INVALID_ARG_VALUE: E.INVAL, ERR_INVALID_ARG_TYPE: E.INVAL,
};

/** The WASI errno of a Node error (EIO when there is no better one). */
export function errnoOf(e: unknown): number {
    if (e instanceof WasiErrno) return e.errno;
    const code = (e as { code?: string } | undefined)?.code;
    return (code ? NODE_ERRNO[code] : undefined) ?? E.IO;
}

export function filetypeOf(st: fs.Stats | fs.BigIntStats): number {
    if (st.isFile()) return FT.FILE;
    if (st.isDirectory()) return FT.DIR;
    if (st.isSymbolicLink()) return FT.SYMLINK;
    if (st.isCharacterDevice()) return FT.CHAR;
    if (st.isBlockDevice()) return FT.BLOCK;
    if (st.isSocket()) return FT.SOCKET_STREAM;
    return FT.UNKNOWN;
}

/** Checks a grant and resolves its host directory once; throws a message for the user when it cannot. */
export function openRoot(g: DirGrant): Root {
    let real: string;
    try {
        real = fs.realpathSync(g.host);
    } catch {
        throw new Error(`directory to grant not found: ${g.host}`);
    }
    if (!fs.statSync(real).isDirectory()) throw new Error(`not a directory: ${g.host}`);
    return { host: real, guest: g.guest, readOnly: g.readOnly === true };
}

const MAX_LINKS = 32;

export interface Resolved {
    /** Host path of the object the guest path names (it may not exist yet). */
    host: string;
    /** Components from the root to that object. */
    rel: string[];
}

/**
 * Resolves `guestPath`, relative to the directory `rel` (components below `root`), to a host path inside
 * `root`. Symbolic links are followed inside the root only (the last component's only when `followLast`);
 * anything that would leave the root is ENOTCAPABLE.
 */
export function resolvePath(root: Root, rel: readonly string[], guestPath: string, followLast: boolean): Resolved {
    if (guestPath.length === 0) throw new WasiErrno(E.NOENT);
    if (guestPath.includes('\0')) throw new WasiErrno(E.ILSEQ);
    if (guestPath.startsWith('/')) throw new WasiErrno(E.NOTCAPABLE);
    const stack = [...rel];
    // Components still to walk, the next one last.
    const pending = guestPath.split('/').reverse();
    let mustBeDir = /\/\.?$/.test(guestPath);
    let links = 0;
    while (pending.length) {
        const c = pending.pop()!;
        if (c === '' || c === '.') continue;
        if (c === '..') {
            if (stack.length === 0) throw new WasiErrno(E.NOTCAPABLE);
            stack.pop();
            continue;
        }
        const last = pending.every(p => p === '' || p === '.');
        const host = path.join(root.host, ...stack, c);
        let st: fs.Stats;
        try {
            st = fs.lstatSync(host);
        } catch (e) {
            if (last && (e as { code?: string }).code === 'ENOENT') { stack.push(c); break; }
            throw new WasiErrno(errnoOf(e));
        }
        if (st.isSymbolicLink() && (!last || followLast || mustBeDir)) {
            if (++links > MAX_LINKS) throw new WasiErrno(E.LOOP);
            const target = fs.readlinkSync(host);
            if (target.startsWith('/') || path.isAbsolute(target)) throw new WasiErrno(E.NOTCAPABLE);
            if (target.endsWith('/')) mustBeDir = true;
            // The target replaces this component; it is read relative to the link's directory (the stack).
            for (const t of target.split('/').reverse()) pending.push(t);
            continue;
        }
        if ((!last || mustBeDir) && !st.isDirectory()) throw new WasiErrno(E.NOTDIR);
        stack.push(c);
    }
    return { host: stack.length ? path.join(root.host, ...stack) : root.host, rel: stack };
}

/** The parent of a resolved path must be writable for creating, renaming or removing in it. */
export function checkWritable(root: Root): void {
    if (root.readOnly) throw new WasiErrno(E.PERM);
}
