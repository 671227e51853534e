// Writing the CLI's outputs without losing anything the user had: every file goes to a temporary file
// beside it and is renamed into place (a reader never sees half a file, an interrupted run leaves the old
// one), files that belong together are renamed together, an output may not be one of the inputs or
// another output, only regular files are ever replaced, and merges into one file by concurrent runs are
// serialised with a lock file beside it.
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from './io.js';
import { writeAll } from '../runner/wasi.js';

/** An output that cannot be written (a directory, a full disk, no permission): exit code 2. */
export class OutputError extends InputError {}

const REASONS: Record<string, string> = {
    EISDIR: 'it is a directory', ENOTDIR: 'a parent is not a directory', ENOSPC: 'no space left on the device',
    EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'read-only file system', ENOENT: 'no such directory',
    EDQUOT: 'disk quota exceeded', EFBIG: 'file too large', EIO: 'input/output error', ENAMETOOLONG: 'name too long',
    EXDEV: 'cannot rename across devices', EBUSY: 'the file is busy',
};

export function reason(e: unknown): string {
    const code = (e as { code?: string } | undefined)?.code;
    return (code && REASONS[code]) ?? (e instanceof Error ? e.message : String(e));
}

/** True when `a` and `b` name the same file (the same inode when both exist, else the same path). */
export function sameFile(a: string, b: string): boolean {
    if (path.resolve(a) === path.resolve(b)) return true;
    try {
        const sa = fs.statSync(a), sb = fs.statSync(b);
        return sa.dev === sb.dev && sa.ino === sb.ino;
    } catch {
        return false;
    }
}

export interface Named { path: string; what: string }

/** Refuses an output that is an input, or two outputs that are one file. */
export function checkDistinct(outputs: Named[], inputs: Named[]): void {
    for (const o of outputs) {
        for (const i of inputs) if (sameFile(o.path, i.path)) throw new InputError(`the ${o.what} ${o.path} is the ${i.what}; choose another file`);
    }
    for (let i = 0; i < outputs.length; i++) {
        for (let j = i + 1; j < outputs.length; j++) {
            if (sameFile(outputs[i].path, outputs[j].path)) throw new InputError(`the ${outputs[i].what} and the ${outputs[j].what} are the same file ${outputs[i].path}`);
        }
    }
}

/** The existing file at `file`, when there is one; anything but a regular file is refused. */
export function existingFile(file: string, what: string): fs.Stats | undefined {
    let st: fs.Stats;
    try {
        st = fs.statSync(file);
    } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') return undefined;
        throw new OutputError(`cannot write the ${what} ${file}: ${reason(e)}`);
    }
    if (st.isDirectory()) throw new OutputError(`cannot write the ${what} ${file}: it is a directory`);
    if (!st.isFile()) throw new OutputError(`cannot write the ${what} ${file}: not a regular file`);
    return st;
}

const pendingTemps = new Set<string>();
const heldLocks = new Set<string>();
const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
let guarded = 0;
const onSignal = (signal: keyof typeof SIGNALS) => { cleanUpOutputs(); process.exit(128 + SIGNALS[signal]); };

/**
 * Runs `fn` (synchronous) with SIGINT/SIGTERM/SIGHUP handled by us: a signal that arrives meanwhile is
 * only acted on once `fn` is done (renames finished), then the temporary files go and whamm exits. Outside
 * these sections a signal ends whamm at once, as usual (a running app stays interruptible).
 */
function uninterrupted<T>(fn: () => T): T {
    guard();
    try {
        return fn();
    } finally {
        unguard();
    }
}

function guard(): void {
    if (guarded++ === 0) for (const s of Object.keys(SIGNALS) as (keyof typeof SIGNALS)[]) process.on(s, onSignal);
}

function unguard(): void {
    // Signals queued meanwhile are dispatched before the check phase: keep the handlers until then.
    setImmediate(() => {
        if (--guarded === 0) for (const s of Object.keys(SIGNALS) as (keyof typeof SIGNALS)[]) process.off(s, onSignal);
    });
}

/** Removes temporary files and lock files of this process (on exit and on SIGINT/SIGTERM). */
export function cleanUpOutputs(): void {
    for (const t of pendingTemps) { try { fs.unlinkSync(t); } catch { /* gone */ } }
    pendingTemps.clear();
    for (const l of heldLocks) { try { fs.unlinkSync(l); } catch { /* gone */ } }
    heldLocks.clear();
}

function target(file: string): string {
    // A symbolic link to a regular file is written through: the file it names is replaced.
    try { return fs.realpathSync(file); } catch { return path.resolve(file); }
}

/** What an output is made of: its bytes, or its pieces in order (written one by one, never joined). */
export type OutputData = string | Uint8Array | Iterable<Uint8Array>;

/**
 * A scratch file beside `near` for data too big to keep in memory, open for reading and writing. Its name
 * is removed at once where the system allows it (the data lives until the descriptor is closed, whatever
 * ends the process); elsewhere it is removed with the other temporary files.
 */
export function scratchFile(near: string, what: string): { fd: number; close(): void } {
    const dir = path.dirname(path.resolve(near));
    const file = path.join(dir, `.${path.basename(near)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.scratch`);
    let fd: number;
    try {
        fs.mkdirSync(dir, { recursive: true });
        fd = fs.openSync(file, 'wx+', 0o600);
    } catch (e) {
        throw new OutputError(`cannot write the ${what} beside ${near}: ${reason(e)}`);
    }
    let named = true;
    try { fs.unlinkSync(file); named = false; } catch { pendingTemps.add(file); }
    return {
        fd,
        close() {
            try { fs.closeSync(fd); } catch { /* closed */ }
            if (named) dropTemp(file);
        },
    };
}

function writeTemp(file: string, data: OutputData, what: string): string {
    const dir = path.dirname(file);
    try {
        fs.mkdirSync(dir, { recursive: true });
    } catch (e) {
        throw new OutputError(`cannot write the ${what} ${file}: ${reason(e)}`);
    }
    const temp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
    pendingTemps.add(temp);
    try {
        const fd = fs.openSync(temp, 'wx', 0o666);
        try {
            if (typeof data === 'string' || data instanceof Uint8Array) fs.writeFileSync(fd, data);
            else for (const piece of data) writeAll(fd, piece);
            fs.fsyncSync(fd);
        } finally {
            fs.closeSync(fd);
        }
        const old = existingFile(file, what);
        if (old) fs.chmodSync(temp, old.mode & 0o7777);
        return temp;
    } catch (e) {
        dropTemp(temp);
        throw e instanceof OutputError ? e : new OutputError(`cannot write the ${what} ${file}: ${reason(e)}`);
    }
}

function dropTemp(temp: string): void {
    try { fs.unlinkSync(temp); } catch { /* never written */ }
    pendingTemps.delete(temp);
}

/**
 * Writes several files as one: each to a temporary file first; only when all are written are they
 * renamed into place, in the order given (put the file that names the others last).
 */
export function writeTogether(files: { path: string; data: OutputData; what: string }[]): void {
    uninterrupted(() => renameAll(files, writeTemps(files)));
}

/** Files written (to their temporary files, `temps`) but not yet in place: commit() renames them, abandon() drops them. */
export interface StagedFiles {
    readonly temps: readonly string[];
    commit(): void;
    abandon(): void;
}

/**
 * writeTogether in two steps, for a caller that checks what was written before it replaces anything (and
 * drops the data meanwhile: the staged files keep no reference to it). Until commit() or abandon(), a
 * signal removes the temporary files and ends whamm.
 */
export function stageTogether(files: { path: string; data: OutputData; what: string }[]): StagedFiles {
    guard();
    let temps: string[];
    try {
        temps = writeTemps(files);
    } catch (e) {
        unguard();
        throw e;
    }
    const named = files.map(f => ({ path: f.path, what: f.what }));
    let open = true;
    const close = () => { if (open) { open = false; unguard(); } };
    return {
        temps,
        commit() {
            if (!open) throw new Error('staged files already committed or abandoned');
            try { renameAll(named, temps); } finally { close(); }
        },
        abandon() {
            if (!open) return;
            temps.forEach(dropTemp);
            close();
        },
    };
}

function writeTemps(files: { path: string; data: OutputData; what: string }[]): string[] {
    const temps: string[] = [];
    try {
        for (const f of files) {
            existingFile(f.path, f.what);
            temps.push(writeTemp(target(f.path), f.data, f.what));
        }
    } catch (e) {
        temps.forEach(dropTemp);
        throw e;
    }
    return temps;
}

function renameAll(files: readonly Named[], temps: readonly string[]): void {
    files.forEach((f, i) => {
        try {
            fs.renameSync(temps[i], target(f.path));
            pendingTemps.delete(temps[i]);
        } catch (e) {
            temps.slice(i).forEach(dropTemp);
            throw new OutputError(`cannot write the ${f.what} ${f.path}: ${reason(e)}`);
        }
    });
}

export function writeAtomic(file: string, data: string | Uint8Array, what: string): void {
    writeTogether([{ path: file, data, what }]);
}

function sleep(ms: number): void {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as { code?: string }).code === 'EPERM';
    }
}

const LOCK_WAIT_MS = 10 * 60 * 1000;
/** A takeover guard older than this was left by a run that died while holding it (it is held for microseconds). */
const STALE_GUARD_MS = 10_000;

/**
 * Removes `lock` if it still names the dead process `holder`. One run at a time decides (it holds
 * FILE.lock.takeover), so a lock another run has taken since `holder` was read is never removed.
 */
function takeOver(lock: string, holder: number): void {
    const guard = `${lock}.takeover`;
    try {
        fs.closeSync(fs.openSync(guard, 'wx'));
    } catch {
        try { if (Date.now() - fs.statSync(guard).mtimeMs > STALE_GUARD_MS) fs.unlinkSync(guard); } catch { /* released */ }
        return;
    }
    try {
        if (Number.parseInt(fs.readFileSync(lock, 'utf8'), 10) === holder) fs.unlinkSync(lock);
    } catch {
        /* released meanwhile */
    } finally {
        try { fs.unlinkSync(guard); } catch { /* gone */ }
    }
}

/**
 * Runs `fn` holding `FILE.lock` for each file (in a fixed order, so two runs never wait on each other
 * crosswise). A lock left by a process that no longer runs is taken over.
 */
export async function withLocks<T>(files: string[], fn: () => Promise<T> | T): Promise<T> {
    const locks = [...new Set(files.map(f => `${target(f)}.lock`))].sort();
    const taken: string[] = [];
    try {
        for (const lock of locks) {
            const started = Date.now();
            for (let attempt = 0; ; attempt++) {
                try {
                    fs.mkdirSync(path.dirname(lock), { recursive: true });
                    const fd = fs.openSync(lock, 'wx');
                    fs.writeSync(fd, `${process.pid}\n`);
                    fs.closeSync(fd);
                    heldLocks.add(lock);
                    taken.push(lock);
                    break;
                } catch (e) {
                    if ((e as { code?: string }).code !== 'EEXIST') throw new OutputError(`cannot lock ${lock}: ${reason(e)}`);
                }
                let holder = NaN;
                try { holder = Number.parseInt(fs.readFileSync(lock, 'utf8'), 10); } catch { /* just released */ }
                if (Number.isInteger(holder) && holder > 0 && !alive(holder)) {
                    takeOver(lock, holder);
                    continue;
                }
                if (Date.now() - started > LOCK_WAIT_MS) throw new OutputError(`${lock} is held by process ${holder}; remove it if that process is gone`);
                sleep(Math.min(200, 10 + attempt * 10));
            }
        }
        return await fn();
    } finally {
        for (const lock of taken.reverse()) {
            try { fs.unlinkSync(lock); } catch { /* gone */ }
            heldLocks.delete(lock);
        }
    }
}
