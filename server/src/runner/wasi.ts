// The runner's WASI preview1: what an app can reach is what the user granted, nothing more. Arguments,
// environment variables and directories come from the caller (by default: argv[0] only, no variable, no
// directory), and the answers follow wasmtime's defaults where programs look at them at start-up: stdio
// is a character device only on a terminal (else "unknown") with read or write rights only, clocks have a
// 1 ns resolution, CPU-time clocks answer EBADF, a descriptor that is not a preopen answers EBADF to
// fd_prestat_get. Paths are resolved by ./wasi-fs.ts (no way out of a granted directory).
import crypto from 'node:crypto';
import fs from 'node:fs';
import tty from 'node:tty';
import { E, FT, WasiErrno, checkWritable, errnoOf, filetypeOf, openRoot, resolvePath, type DirGrant, type Root } from './wasi-fs.js';

export type { DirGrant } from './wasi-fs.js';

/** `proc_exit` unwinds the app with this; the runner turns it into the exit code. */
export class ProcExit extends Error {
    constructor(readonly code: number) { super(`exit ${code}`); }
}

export interface WasiOptions {
    /** argv, argv[0] included. */
    args: string[];
    /** Environment variables, in order. */
    env?: Record<string, string>;
    dirs?: DirGrant[];
    /** Host descriptors for the app's stdin, stdout and stderr (default 0, 1, 2). */
    stdin?: number;
    stdout?: number;
    stderr?: number;
}

const R = {
    FD_DATASYNC: 1n << 0n, FD_READ: 1n << 1n, FD_SEEK: 1n << 2n, FD_FDSTAT_SET_FLAGS: 1n << 3n, FD_SYNC: 1n << 4n,
    FD_TELL: 1n << 5n, FD_WRITE: 1n << 6n, FD_ADVISE: 1n << 7n, FD_ALLOCATE: 1n << 8n, PATH_CREATE_DIRECTORY: 1n << 9n,
    PATH_CREATE_FILE: 1n << 10n, PATH_LINK_SOURCE: 1n << 11n, PATH_LINK_TARGET: 1n << 12n, PATH_OPEN: 1n << 13n,
    FD_READDIR: 1n << 14n, PATH_READLINK: 1n << 15n, PATH_RENAME_SOURCE: 1n << 16n, PATH_RENAME_TARGET: 1n << 17n,
    PATH_FILESTAT_GET: 1n << 18n, PATH_FILESTAT_SET_SIZE: 1n << 19n, PATH_FILESTAT_SET_TIMES: 1n << 20n,
    FD_FILESTAT_GET: 1n << 21n, FD_FILESTAT_SET_SIZE: 1n << 22n, FD_FILESTAT_SET_TIMES: 1n << 23n, PATH_SYMLINK: 1n << 24n,
    PATH_REMOVE_DIRECTORY: 1n << 25n, PATH_UNLINK_FILE: 1n << 26n, POLL_FD_READWRITE: 1n << 27n,
} as const;
const ALL_RIGHTS = (1n << 30n) - 1n;
const PREOPEN_BASE = R.PATH_CREATE_DIRECTORY | R.PATH_CREATE_FILE | R.PATH_LINK_SOURCE | R.PATH_LINK_TARGET | R.PATH_OPEN
    | R.FD_READDIR | R.PATH_READLINK | R.PATH_RENAME_SOURCE | R.PATH_RENAME_TARGET | R.PATH_SYMLINK | R.PATH_REMOVE_DIRECTORY
    | R.PATH_UNLINK_FILE | R.PATH_FILESTAT_GET | R.PATH_FILESTAT_SET_TIMES | R.FD_FILESTAT_GET | R.FD_FILESTAT_SET_TIMES;
const PREOPEN_INHERITING = PREOPEN_BASE | R.FD_DATASYNC | R.FD_READ | R.FD_SEEK | R.FD_FDSTAT_SET_FLAGS | R.FD_SYNC | R.FD_TELL
    | R.FD_WRITE | R.FD_ADVISE | R.FD_ALLOCATE | R.FD_FILESTAT_SET_SIZE | R.POLL_FD_READWRITE;

const O = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
const FDFLAG = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;
const LOOKUP_FOLLOW = 1;
const C = fs.constants;

type Entry =
    | { kind: 'stdio'; fd: 0 | 1 | 2; host: number }
    | { kind: 'dir'; root: Root; rel: string[]; host: string; preopen: boolean }
    | { kind: 'file'; root: Root; host: string; fd: number; pos: bigint; append: boolean; read: boolean; write: boolean };

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });

function sleepMs(ms: number): void {
    if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(ms, 2 ** 31 - 1));
}

export class SandboxWasi {
    private memory: WebAssembly.Memory | undefined;
    private readonly fds = new Map<number, Entry>();
    private readonly args: Uint8Array[];
    private readonly env: Uint8Array[];
    private nextFd = 3;

    constructor(o: WasiOptions) {
        this.args = o.args.map(a => utf8.encode(`${a}\0`));
        this.env = Object.entries(o.env ?? {}).map(([k, v]) => utf8.encode(`${k}=${v}\0`));
        this.fds.set(0, { kind: 'stdio', fd: 0, host: o.stdin ?? 0 });
        this.fds.set(1, { kind: 'stdio', fd: 1, host: o.stdout ?? 1 });
        this.fds.set(2, { kind: 'stdio', fd: 2, host: o.stderr ?? 2 });
        for (const g of o.dirs ?? []) {
            const root = openRoot(g);
            this.fds.set(this.nextFd++, { kind: 'dir', root, rel: [], host: root.host, preopen: true });
        }
    }

    /** The same shape as node:wasi's, so the runtime linker can use either. */
    getImportObject(): { wasi_snapshot_preview1: WebAssembly.ModuleImports } {
        return { wasi_snapshot_preview1: this.imports() };
    }

    /** Runs `_start`; returns the exit code (0 when it returns, the code of proc_exit otherwise). */
    start(instance: WebAssembly.Instance): number {
        this.attach(instance);
        const start = instance.exports._start;
        if (typeof start !== 'function') throw new Error('the module exports no _start');
        try {
            (start as () => void)();
            return 0;
        } catch (e) {
            if (e instanceof ProcExit) return e.code;
            throw e;
        }
    }

    /** For reactors (libraries): hands over the memory and calls `_initialize` when there is one. */
    initialize(instance: WebAssembly.Instance): void {
        this.attach(instance);
        const init = instance.exports._initialize;
        if (typeof init === 'function') (init as () => void)();
    }

    attach(instance: WebAssembly.Instance): void {
        const m = instance.exports.memory;
        if (m instanceof WebAssembly.Memory) this.memory = m;
    }

    /** Closes every file the app left open. */
    close(): void {
        for (const e of this.fds.values()) if (e.kind === 'file') { try { fs.closeSync(e.fd); } catch { /* already gone */ } }
        this.fds.clear();
    }

    private view(): DataView {
        if (!this.memory) throw new WasiErrno(E.FAULT);
        return new DataView(this.memory.buffer);
    }

    private bytes(ptr: number, len: number): Uint8Array {
        if (!this.memory) throw new WasiErrno(E.FAULT);
        if (ptr + len > this.memory.buffer.byteLength) throw new WasiErrno(E.FAULT);
        return new Uint8Array(this.memory.buffer, ptr, len);
    }

    private str(ptr: number, len: number): string {
        try { return fromUtf8.decode(this.bytes(ptr, len)); } catch (e) { throw e instanceof WasiErrno ? e : new WasiErrno(E.ILSEQ); }
    }

    private entry(fd: number): Entry {
        const e = this.fds.get(fd);
        if (!e) throw new WasiErrno(E.BADF);
        return e;
    }

    private dir(fd: number): Extract<Entry, { kind: 'dir' }> {
        const e = this.entry(fd);
        if (e.kind !== 'dir') throw new WasiErrno(E.NOTDIR);
        return e;
    }

    private file(fd: number): Extract<Entry, { kind: 'file' }> {
        const e = this.entry(fd);
        if (e.kind !== 'file') throw new WasiErrno(e.kind === 'dir' ? E.ISDIR : E.SPIPE);
        return e;
    }

    private iovecs(ptr: number, count: number): Uint8Array[] {
        const v = this.view();
        const out: Uint8Array[] = [];
        for (let i = 0; i < count; i++) out.push(this.bytes(v.getUint32(ptr + 8 * i, true), v.getUint32(ptr + 8 * i + 4, true)));
        return out;
    }

    private writeStat(ptr: number, st: fs.BigIntStats): void {
        const v = this.view();
        v.setBigUint64(ptr, st.dev, true);
        v.setBigUint64(ptr + 8, st.ino, true);
        v.setUint8(ptr + 16, filetypeOf(st));
        v.setBigUint64(ptr + 24, st.nlink, true);
        v.setBigUint64(ptr + 32, st.size, true);
        v.setBigUint64(ptr + 40, st.atimeNs, true);
        v.setBigUint64(ptr + 48, st.mtimeNs, true);
        v.setBigUint64(ptr + 56, st.ctimeNs, true);
    }

    private writeList(list: Uint8Array[], ptrs: number, buf: number): void {
        const v = this.view();
        let at = buf;
        list.forEach((s, i) => {
            v.setUint32(ptrs + 4 * i, at, true);
            this.bytes(at, s.length).set(s);
            at += s.length;
        });
    }

    private writeTo(e: Entry, data: Uint8Array[], at?: bigint): number {
        let n = 0;
        if (e.kind === 'stdio') {
            if (e.fd === 0) throw new WasiErrno(E.BADF);
            for (const d of data) n += writeAll(e.host, d);
            return n;
        }
        if (e.kind !== 'file') throw new WasiErrno(E.ISDIR);
        if (!e.write) throw new WasiErrno(E.BADF);
        let pos = at ?? e.pos;
        for (const d of data) {
            const w = fs.writeSync(e.fd, d, 0, d.length, e.append && at === undefined ? null : Number(pos));
            n += w;
            pos += BigInt(w);
        }
        if (at === undefined) e.pos = e.append ? fs.fstatSync(e.fd, { bigint: true }).size : pos;
        return n;
    }

    private readFrom(e: Entry, bufs: Uint8Array[], at?: bigint): number {
        if (e.kind === 'stdio') {
            if (e.fd !== 0) throw new WasiErrno(E.BADF);
            const b = bufs.find(x => x.length > 0);
            return b ? readStdin(e.host, b) : 0;
        }
        if (e.kind !== 'file') throw new WasiErrno(E.ISDIR);
        if (!e.read) throw new WasiErrno(E.BADF);
        let pos = at ?? e.pos, n = 0;
        for (const b of bufs) {
            const r = fs.readSync(e.fd, b, 0, b.length, Number(pos));
            n += r;
            pos += BigInt(r);
            if (r < b.length) break;
        }
        if (at === undefined) e.pos = pos;
        return n;
    }

    private fdstat(e: Entry): { type: number; flags: number; base: bigint; inheriting: bigint } {
        if (e.kind === 'stdio') {
            const type = tty.isatty(e.host) ? FT.CHAR : FT.UNKNOWN;
            const base = e.fd === 0 ? R.FD_READ : R.FD_WRITE;
            return { type, flags: 0, base, inheriting: base };
        }
        if (e.kind === 'dir') {
            if (e.preopen) return { type: FT.DIR, flags: 0, base: PREOPEN_BASE, inheriting: PREOPEN_INHERITING };
            const base = ALL_RIGHTS & ~R.FD_SEEK & ~R.FD_FILESTAT_SET_SIZE;
            return { type: FT.DIR, flags: 0, base, inheriting: base };
        }
        let base = ALL_RIGHTS;
        if (!e.read) base &= ~(R.FD_READ | R.FD_READDIR);
        if (!e.write) base &= ~R.FD_WRITE;
        return { type: filetypeOf(fs.fstatSync(e.fd)), flags: e.append ? FDFLAG.APPEND : 0, base, inheriting: base };
    }

    private openAt(dirFd: number, lookup: number, p: string, oflags: number, rights: bigint, fdflags: number): number {
        const d = this.dir(dirFd);
        const r = resolvePath(d.root, d.rel, p, (lookup & LOOKUP_FOLLOW) !== 0);
        const wantsWrite = (rights & (R.FD_WRITE | R.FD_ALLOCATE | R.FD_FILESTAT_SET_SIZE)) !== 0n
            || (oflags & (O.CREAT | O.TRUNC)) !== 0 || (fdflags & FDFLAG.APPEND) !== 0;
        let st: fs.Stats | undefined;
        try { st = fs.lstatSync(r.host); } catch { st = undefined; }
        if (st?.isDirectory() || (oflags & O.DIRECTORY)) {
            if (!st) throw new WasiErrno((oflags & O.CREAT) ? E.INVAL : E.NOENT);
            if (!st.isDirectory()) throw new WasiErrno(st.isSymbolicLink() ? E.LOOP : E.NOTDIR);
            if ((oflags & (O.CREAT | O.EXCL)) === (O.CREAT | O.EXCL)) throw new WasiErrno(E.EXIST);
            if ((rights & R.FD_WRITE) !== 0n || (oflags & O.TRUNC)) throw new WasiErrno(E.ISDIR);
            const fd = this.nextFd++;
            this.fds.set(fd, { kind: 'dir', root: d.root, rel: r.rel, host: r.host, preopen: false });
            return fd;
        }
        if (wantsWrite) checkWritable(d.root);
        const read = (rights & (R.FD_READ | R.FD_READDIR)) !== 0n || !wantsWrite;
        const write = (rights & R.FD_WRITE) !== 0n;
        let flags = (C.O_NOFOLLOW ?? 0) | (read && write ? C.O_RDWR : write ? C.O_WRONLY : C.O_RDONLY);
        if (oflags & O.CREAT) flags |= C.O_CREAT;
        if (oflags & O.EXCL) flags |= C.O_EXCL;
        if (oflags & O.TRUNC) flags |= C.O_TRUNC;
        if (fdflags & FDFLAG.APPEND) flags |= C.O_APPEND;
        if (fdflags & FDFLAG.SYNC) flags |= C.O_SYNC ?? 0;
        if (fdflags & FDFLAG.DSYNC) flags |= C.O_DSYNC ?? 0;
        const hostFd = fs.openSync(r.host, flags, 0o666);
        const fd = this.nextFd++;
        this.fds.set(fd, { kind: 'file', root: d.root, host: r.host, fd: hostFd, pos: 0n, append: (fdflags & FDFLAG.APPEND) !== 0, read, write });
        return fd;
    }

    /** The preview1 functions; each answers an errno, never throws into the app (except proc_exit). */
    imports(): WebAssembly.ModuleImports {
        // Every i32 parameter of preview1 is unsigned (pointers, lengths, descriptors, flags).
        const call = (f: (...a: unknown[]) => number | void) => (...a: unknown[]): number => {
            try {
                return f(...a.map(x => typeof x === 'number' ? x >>> 0 : x)) ?? E.SUCCESS;
            } catch (e) {
                if (e instanceof ProcExit) throw e;
                return errnoOf(e);
            }
        };
        const u32 = (ptr: number, value: number) => this.view().setUint32(ptr, value, true);
        const u64 = (ptr: number, value: bigint) => this.view().setBigUint64(ptr, value, true);
        const fns: Record<string, (...a: any[]) => number | void> = {
            args_sizes_get: (count: number, size: number) => { u32(count, this.args.length); u32(size, sum(this.args)); },
            args_get: (ptrs: number, buf: number) => this.writeList(this.args, ptrs, buf),
            environ_sizes_get: (count: number, size: number) => { u32(count, this.env.length); u32(size, sum(this.env)); },
            environ_get: (ptrs: number, buf: number) => this.writeList(this.env, ptrs, buf),
            clock_res_get: (id: number, out: number) => { clockCheck(id); u64(out, 1n); },
            clock_time_get: (id: number, _precision: bigint, out: number) => { clockCheck(id); u64(out, clockNow(id)); },
            random_get: (ptr: number, len: number) => { crypto.randomFillSync(this.bytes(ptr, len)); },
            sched_yield: () => undefined,
            proc_exit: (code: number) => { throw new ProcExit(code >>> 0); },
            proc_raise: () => E.NOSYS,
            fd_write: (fd: number, iovs: number, n: number, out: number) => u32(out, this.writeTo(this.entry(fd), this.iovecs(iovs, n))),
            fd_pwrite: (fd: number, iovs: number, n: number, at: bigint, out: number) => u32(out, this.writeTo(this.file(fd), this.iovecs(iovs, n), at)),
            fd_read: (fd: number, iovs: number, n: number, out: number) => u32(out, this.readFrom(this.entry(fd), this.iovecs(iovs, n))),
            fd_pread: (fd: number, iovs: number, n: number, at: bigint, out: number) => u32(out, this.readFrom(this.file(fd), this.iovecs(iovs, n), at)),
            fd_close: (fd: number) => {
                const e = this.entry(fd);
                if (e.kind === 'file') fs.closeSync(e.fd);
                this.fds.delete(fd);
            },
            fd_seek: (fd: number, offset: bigint, whence: number, out: number) => {
                const e = this.file(fd);
                const base = whence === 0 ? 0n : whence === 1 ? e.pos : whence === 2 ? fs.fstatSync(e.fd, { bigint: true }).size : -1n;
                if (base < 0n) return E.INVAL;
                const pos = base + BigInt.asIntN(64, offset);
                if (pos < 0n) return E.INVAL;
                e.pos = pos;
                u64(out, pos);
            },
            fd_tell: (fd: number, out: number) => u64(out, this.file(fd).pos),
            fd_sync: (fd: number) => { const e = this.entry(fd); if (e.kind === 'file') fs.fsyncSync(e.fd); },
            fd_datasync: (fd: number) => { const e = this.entry(fd); if (e.kind === 'file') fs.fdatasyncSync(e.fd); },
            fd_advise: (fd: number) => { this.file(fd); },
            fd_allocate: (fd: number) => { this.file(fd); return E.NOTSUP; },
            fd_fdstat_get: (fd: number, out: number) => {
                const s = this.fdstat(this.entry(fd));
                const v = this.view();
                v.setUint8(out, s.type);
                v.setUint16(out + 2, s.flags, true);
                v.setBigUint64(out + 8, s.base, true);
                v.setBigUint64(out + 16, s.inheriting, true);
            },
            fd_fdstat_set_flags: (fd: number, flags: number) => {
                const e = this.file(fd);
                if (flags & (FDFLAG.DSYNC | FDFLAG.SYNC | FDFLAG.RSYNC)) return E.INVAL;
                e.append = (flags & FDFLAG.APPEND) !== 0;
            },
            fd_fdstat_set_rights: (fd: number) => { this.entry(fd); },
            fd_filestat_get: (fd: number, out: number) => {
                const e = this.entry(fd);
                if (e.kind === 'stdio') {
                    this.bytes(out, 64).fill(0);
                    this.view().setUint8(out + 16, tty.isatty(e.host) ? FT.CHAR : FT.UNKNOWN);
                    return;
                }
                this.writeStat(out, e.kind === 'file' ? fs.fstatSync(e.fd, { bigint: true }) : fs.statSync(e.host, { bigint: true }));
            },
            fd_filestat_set_size: (fd: number, size: bigint) => {
                const e = this.file(fd);
                if (!e.write) return E.BADF;
                fs.ftruncateSync(e.fd, Number(size));
            },
            fd_filestat_set_times: (fd: number, atim: bigint, mtim: bigint, flags: number) => {
                const e = this.entry(fd);
                if (e.kind === 'stdio') return E.BADF;
                checkWritable(e.root);
                const t = times(e.host, atim, mtim, flags);
                if (e.kind === 'file') fs.futimesSync(e.fd, t.a, t.m); else fs.utimesSync(e.host, t.a, t.m);
            },
            fd_prestat_get: (fd: number, out: number) => {
                const e = this.entry(fd);
                if (e.kind !== 'dir' || !e.preopen) return E.BADF;
                u32(out, 0);
                u32(out + 4, utf8.encode(e.root.guest).length);
            },
            fd_prestat_dir_name: (fd: number, ptr: number, len: number) => {
                const e = this.entry(fd);
                if (e.kind !== 'dir' || !e.preopen) return E.BADF;
                const name = utf8.encode(e.root.guest);
                if (len < name.length) return E.NAMETOOLONG;
                this.bytes(ptr, name.length).set(name);
            },
            fd_readdir: (fd: number, buf: number, len: number, cookie: bigint, out: number) => {
                const d = this.dir(fd);
                const names = ['.', '..', ...fs.readdirSync(d.host)];
                const target = this.bytes(buf, len);
                let used = 0;
                for (let i = Number(cookie); i < names.length && used < len; i++) {
                    const name = utf8.encode(names[i]);
                    let st: fs.BigIntStats | undefined;
                    try { st = fs.lstatSync(`${d.host}/${names[i]}`, { bigint: true }); } catch { st = undefined; }
                    const head = new Uint8Array(24);
                    const hv = new DataView(head.buffer);
                    hv.setBigUint64(0, BigInt(i + 1), true);
                    hv.setBigUint64(8, st?.ino ?? 0n, true);
                    hv.setUint32(16, name.length, true);
                    hv.setUint8(20, st ? filetypeOf(st) : FT.UNKNOWN);
                    const rec = new Uint8Array(24 + name.length);
                    rec.set(head);
                    rec.set(name, 24);
                    const n = Math.min(rec.length, len - used);
                    target.set(rec.subarray(0, n), used);
                    used += n;
                }
                u32(out, used);
            },
            fd_renumber: (from: number, to: number) => {
                const e = this.entry(from);
                const old = this.entry(to);
                if (old.kind === 'file') fs.closeSync(old.fd);
                this.fds.set(to, e);
                this.fds.delete(from);
            },
            path_open: (dirFd: number, lookup: number, p: number, pl: number, oflags: number, base: bigint, _inh: bigint, fdflags: number, out: number) =>
                u32(out, this.openAt(dirFd, lookup, this.str(p, pl), oflags, base, fdflags)),
            path_filestat_get: (dirFd: number, lookup: number, p: number, pl: number, out: number) => {
                const d = this.dir(dirFd);
                const r = resolvePath(d.root, d.rel, this.str(p, pl), (lookup & LOOKUP_FOLLOW) !== 0);
                this.writeStat(out, fs.lstatSync(r.host, { bigint: true }));
            },
            path_filestat_set_times: (dirFd: number, lookup: number, p: number, pl: number, atim: bigint, mtim: bigint, flags: number) => {
                const d = this.dir(dirFd);
                checkWritable(d.root);
                const r = resolvePath(d.root, d.rel, this.str(p, pl), (lookup & LOOKUP_FOLLOW) !== 0);
                const t = times(r.host, atim, mtim, flags);
                fs.lutimesSync(r.host, t.a, t.m);
            },
            path_create_directory: (dirFd: number, p: number, pl: number) => {
                const d = this.dir(dirFd);
                checkWritable(d.root);
                fs.mkdirSync(resolvePath(d.root, d.rel, this.str(p, pl), false).host);
            },
            path_remove_directory: (dirFd: number, p: number, pl: number) => {
                const d = this.dir(dirFd);
                checkWritable(d.root);
                const r = resolvePath(d.root, d.rel, this.str(p, pl), false);
                if (r.rel.length === 0) return E.PERM;
                fs.rmdirSync(r.host);
            },
            path_unlink_file: (dirFd: number, p: number, pl: number) => {
                const d = this.dir(dirFd);
                checkWritable(d.root);
                const r = resolvePath(d.root, d.rel, this.str(p, pl), false);
                if (fs.lstatSync(r.host).isDirectory()) return E.ISDIR;
                fs.unlinkSync(r.host);
            },
            path_readlink: (dirFd: number, p: number, pl: number, buf: number, len: number, out: number) => {
                const d = this.dir(dirFd);
                const r = resolvePath(d.root, d.rel, this.str(p, pl), false);
                const target = utf8.encode(fs.readlinkSync(r.host));
                const n = Math.min(len, target.length);
                this.bytes(buf, n).set(target.subarray(0, n));
                u32(out, n);
            },
            path_symlink: (old: number, ol: number, dirFd: number, p: number, pl: number) => {
                const d = this.dir(dirFd);
                checkWritable(d.root);
                const target = this.str(old, ol);
                if (target.startsWith('/')) return E.NOTCAPABLE;
                fs.symlinkSync(target, resolvePath(d.root, d.rel, this.str(p, pl), false).host);
            },
            path_link: (oldFd: number, lookup: number, op: number, ol: number, newFd: number, np: number, nl: number) => {
                const a = this.dir(oldFd), b = this.dir(newFd);
                // A link makes the file writable through its new name: both sides must be writable.
                checkWritable(a.root);
                checkWritable(b.root);
                const from = resolvePath(a.root, a.rel, this.str(op, ol), (lookup & LOOKUP_FOLLOW) !== 0);
                fs.linkSync(from.host, resolvePath(b.root, b.rel, this.str(np, nl), false).host);
            },
            path_rename: (oldFd: number, op: number, ol: number, newFd: number, np: number, nl: number) => {
                const a = this.dir(oldFd), b = this.dir(newFd);
                checkWritable(a.root);
                checkWritable(b.root);
                const from = resolvePath(a.root, a.rel, this.str(op, ol), false);
                const to = resolvePath(b.root, b.rel, this.str(np, nl), false);
                if (from.rel.length === 0 || to.rel.length === 0) return E.PERM;
                fs.renameSync(from.host, to.host);
            },
            poll_oneoff: (inPtr: number, outPtr: number, n: number, outN: number) => this.poll(inPtr, outPtr, n, outN),
            sock_accept: () => E.NOTSUP,
            sock_recv: () => E.NOTSUP,
            sock_send: () => E.NOTSUP,
            sock_shutdown: () => E.NOTSUP,
        };
        const out: WebAssembly.ModuleImports = {};
        for (const [name, f] of Object.entries(fns)) out[name] = call(f as (...a: unknown[]) => number | void);
        return out;
    }

    /** Clock subscriptions sleep until the earliest deadline; descriptor subscriptions are ready at once. */
    private poll(inPtr: number, outPtr: number, n: number, outN: number): number {
        if (n === 0) return E.INVAL;
        const v = this.view();
        const subs = Array.from({ length: n }, (_, i) => {
            const at = inPtr + 48 * i;
            const tag = v.getUint8(at + 8);
            return {
                userdata: v.getBigUint64(at, true), tag, fd: v.getUint32(at + 16, true),
                clock: v.getUint32(at + 16, true), timeout: v.getBigUint64(at + 24, true), abs: (v.getUint16(at + 40, true) & 1) !== 0,
            };
        });
        const ready = subs.filter(s => s.tag !== 0);
        let fired = ready;
        if (ready.length === 0) {
            const wait = (s: typeof subs[number]) => s.abs ? s.timeout - clockNow(s.clock) : s.timeout;
            const least = subs.reduce((m, s) => { const w = wait(s); return w < m ? w : m; }, wait(subs[0]));
            sleepMs(Number(least > 0n ? least / 1_000_000n : 0n));
            fired = subs.filter(s => wait(s) <= least);
        }
        fired.forEach((s, i) => {
            const at = outPtr + 32 * i;
            v.setBigUint64(at, s.userdata, true);
            const bad = s.tag !== 0 && !this.fds.has(s.fd);
            v.setUint16(at + 8, bad ? E.BADF : 0, true);
            v.setUint8(at + 10, s.tag);
            v.setBigUint64(at + 16, 0n, true);
            v.setUint16(at + 24, 0, true);
        });
        v.setUint32(outN, fired.length, true);
        return E.SUCCESS;
    }
}

function sum(list: Uint8Array[]): number {
    return list.reduce((n, s) => n + s.length, 0);
}

function clockCheck(id: number): void {
    if (id !== 0 && id !== 1) throw new WasiErrno(id === 2 || id === 3 ? E.BADF : E.INVAL);
}

function clockNow(id: number): bigint {
    return id === 0 ? BigInt(Date.now()) * 1_000_000n : process.hrtime.bigint();
}

function times(host: string, atim: bigint, mtim: bigint, flags: number): { a: number; m: number } {
    // fstflags: ATIM 1, ATIM_NOW 2, MTIM 4, MTIM_NOW 8
    if ((flags & 3) === 3 || (flags & 12) === 12) throw new WasiErrno(E.INVAL);
    const st = fs.lstatSync(host);
    const now = Date.now() / 1000;
    const a = flags & 1 ? Number(atim) / 1e9 : flags & 2 ? now : st.atimeMs / 1000;
    const m = flags & 4 ? Number(mtim) / 1e9 : flags & 8 ? now : st.mtimeMs / 1000;
    return { a, m };
}

/** Writes all of `data` to a host descriptor (pipes may be non-blocking: retry on EAGAIN). */
export function writeAll(fd: number, data: Uint8Array): number {
    let done = 0;
    while (done < data.length) {
        try {
            done += fs.writeSync(fd, data, done, data.length - done);
        } catch (e) {
            if ((e as { code?: string }).code !== 'EAGAIN') throw e;
            sleepMs(1);
        }
    }
    return done;
}

function readStdin(fd: number, into: Uint8Array): number {
    for (;;) {
        try {
            return fs.readSync(fd, into, 0, into.length, null);
        } catch (e) {
            const code = (e as { code?: string }).code;
            if (code === 'EOF') return 0;
            if (code !== 'EAGAIN') throw e;
            sleepMs(1);
        }
    }
}
