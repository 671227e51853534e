// Builds the sample apps of the source-mapping and coverage tests from their sources in
// test/fixtures/samples/ into .cache/samples/ (ignored by git), only when a source, the build command or
// the toolchain changed. Binaries are never committed. Tests run in parallel processes, so every output
// is written under a temporary name and renamed into place: a concurrent build is harmless.
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './shared.js';

export const SAMPLES_SRC = path.join(PROJECT_ROOT, 'test', 'fixtures', 'samples');
export const SAMPLES_OUT = path.join(PROJECT_ROOT, '.cache', 'samples');
export const C_SRC_DIR = path.join(SAMPLES_SRC, 'c');
export const AS_SRC_DIR = path.join(SAMPLES_SRC, 'as');
export const C_SOURCES = ['main.c', 'stats.c', 'stats.h'].map(f => path.join(C_SRC_DIR, f));
export const AS_SOURCE = path.join(AS_SRC_DIR, 'index.ts');

function which(cmd: string): string | undefined {
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
        const p = path.join(dir, cmd);
        try {
            fs.accessSync(p, fs.constants.X_OK);
            return p;
        } catch { /* not here */ }
    }
    return undefined;
}

export const CLANG = which('clang');
export const LLVM_DWARFDUMP = which('llvm-dwarfdump');
export const LLVM_OBJDUMP = which('llvm-objdump');
export const LLVM_READOBJ = which('llvm-readobj');
export const GENHTML = which('genhtml');

/** Does clang link a wasm32-wasi program (wasi-libc sysroot, wasm-ld and builtins installed)? */
function probeClangWasi(): string | undefined {
    if (!CLANG) return 'clang not found (run .ci/setup-toolchains.sh)';
    if (!which('wasm-ld')) return 'wasm-ld not found (apt package lld; run .ci/setup-toolchains.sh)';
    const dir = fs.mkdtempSync(path.join(fs.realpathSync(process.env.TMPDIR ?? '/tmp'), 'whamm-clang-probe-'));
    try {
        fs.writeFileSync(path.join(dir, 'p.c'), 'int main(void) { return 0; }\n');
        const r = spawnSync(CLANG, ['--target=wasm32-wasi', '-O0', 'p.c', '-o', 'p.wasm'], { cwd: dir, encoding: 'utf8' });
        if (r.status !== 0) return `clang cannot build for wasm32-wasi (wasi-libc / libclang-rt-dev-wasm32 missing?): ${(r.stderr ?? '').trim().split('\n')[0]}`;
        return undefined;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const clangProblem = probeClangWasi();
/** `skip` option for tests that need the C sample. */
export const SKIP_NO_CLANG: string | false = clangProblem ? `C sample not buildable: ${clangProblem}` : false;
export const SKIP_NO_DWARFDUMP: string | false = LLVM_DWARFDUMP ? false : 'llvm-dwarfdump not found (apt package llvm); skipping the cross-check';
export const SKIP_NO_OBJDUMP: string | false = LLVM_OBJDUMP && LLVM_READOBJ ? false : 'llvm-objdump/llvm-readobj not found (apt package llvm); skipping';
export const SKIP_NO_GENHTML: string | false = GENHTML ? false : 'genhtml not found (apt package lcov); skipping';

function toolVersion(exe: string, args: string[]): string {
    const r = spawnSync(exe, args, { encoding: 'utf8' });
    return `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n')[0] ?? '';
}

/**
 * Runs `build(tmpDir)` unless `outDir` holds outputs made from the same inputs. The key hashes the
 * command description and the sources' contents (not mtimes: a fresh checkout must not look newer or
 * older than it is); outputs are moved into `outDir` one by one, the stamp last.
 */
export function cachedBuild(outDir: string, key: string, outputs: string[], build: (tmp: string) => void): void {
    const stamp = path.join(outDir, '.stamp');
    const fresh = fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key
        && outputs.every(o => fs.existsSync(path.join(outDir, o)));
    if (fresh) return;
    fs.mkdirSync(outDir, { recursive: true });
    // A sibling of outDir (same depth), so relative paths baked into the outputs stay valid after the move.
    const tmp = fs.mkdtempSync(path.join(path.dirname(outDir), `.tmp-${path.basename(outDir)}-`));
    try {
        build(tmp);
        for (const o of outputs) fs.renameSync(path.join(tmp, o), path.join(outDir, o));
        fs.writeFileSync(path.join(tmp, '.stamp'), key);
        fs.renameSync(path.join(tmp, '.stamp'), stamp);
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

function hashKey(parts: string[], files: string[]): string {
    const h = crypto.createHash('sha256');
    for (const p of parts) h.update(p).update('\0');
    for (const f of files) h.update(f).update('\0').update(fs.readFileSync(f)).update('\0');
    return h.digest('hex');
}

export type DwarfVersion = 4 | 5;

/**
 * The C sample (main.c + stats.c: two compilation units, an inlined header function) for wasm32-wasi
 * with DWARF `version`, at -O0. Compiled from the source directory with relative file names, so the
 * debug info holds `main.c` + comp_dir; the DWARF 5 build names stats.c by its absolute path to
 * cover both kinds of names. Returns the .wasm path.
 */
export function buildCSample(version: DwarfVersion): string {
    if (SKIP_NO_CLANG) throw new Error(SKIP_NO_CLANG);
    const outDir = path.join(SAMPLES_OUT, `c-dwarf${version}`);
    const statsArg = version === 5 ? path.join(C_SRC_DIR, 'stats.c') : 'stats.c';
    const args = ['--target=wasm32-wasi', '-O0', '-g', `-gdwarf-${version}`, 'main.c', statsArg];
    const key = hashKey([toolVersion(CLANG!, ['--version']), ...args], C_SOURCES);
    cachedBuild(outDir, key, ['app.wasm'], tmp => {
        execFileSync(CLANG!, [...args, '-o', path.join(tmp, 'app.wasm')], { cwd: C_SRC_DIR, stdio: 'pipe' });
    });
    return path.join(outDir, 'app.wasm');
}

export const C_TRAP_SOURCE = path.join(SAMPLES_SRC, 'c-trap', 'trap.c');

/** A small C app that traps (an out-of-bounds load on the line marked TRAP), with DWARF. Returns the .wasm path. */
export function buildCTrapSample(): string {
    if (SKIP_NO_CLANG) throw new Error(SKIP_NO_CLANG);
    const outDir = path.join(SAMPLES_OUT, 'c-trap');
    const args = ['--target=wasm32-wasi', '-O0', '-g', 'trap.c'];
    const key = hashKey([toolVersion(CLANG!, ['--version']), ...args], [C_TRAP_SOURCE]);
    cachedBuild(outDir, key, ['app.wasm'], tmp => {
        execFileSync(CLANG!, [...args, '-o', path.join(tmp, 'app.wasm')], { cwd: path.dirname(C_TRAP_SOURCE), stdio: 'pipe' });
    });
    return path.join(outDir, 'app.wasm');
}

/** The C sample without debug info (no -g; libc's debug info stripped at link): function names only, from the name section. Returns the .wasm path. */
export function buildCNoDebugSample(): string {
    if (SKIP_NO_CLANG) throw new Error(SKIP_NO_CLANG);
    const outDir = path.join(SAMPLES_OUT, 'c-nodebug');
    const args = ['--target=wasm32-wasi', '-O0', '-Wl,--strip-debug', 'main.c', 'stats.c'];
    const key = hashKey([toolVersion(CLANG!, ['--version']), ...args], C_SOURCES);
    cachedBuild(outDir, key, ['app.wasm'], tmp => {
        execFileSync(CLANG!, [...args, '-o', path.join(tmp, 'app.wasm')], { cwd: C_SRC_DIR, stdio: 'pipe' });
    });
    return path.join(outDir, 'app.wasm');
}

/** The 1-based line of `file` holding `marker` in a comment (e.g. `TRAP`). */
export function markerLine(file: string, marker: string): number {
    const i = fs.readFileSync(file, 'utf8').split('\n').findIndex(l => new RegExp(`//.*\\b${marker}\\b`).test(l));
    if (i < 0) throw new Error(`no ${marker} marker in ${file}`);
    return i + 1;
}

/**
 * The AssemblyScript sample, unoptimized with debug info and a source map `app.wasm.map` beside it
 * (referenced by the module's sourceMappingURL section). asc runs in the output directory so that the
 * map's `sources` are relative to the map, as a browser would resolve them. Returns the .wasm path.
 */
export function buildAsSample(): string {
    const outDir = path.join(SAMPLES_OUT, 'as');
    const asc = path.join(PROJECT_ROOT, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
    const ascPkg = path.join(PROJECT_ROOT, 'node_modules', 'assemblyscript', 'package.json');
    const flags = ['--debug', '--sourceMap', '--runtime', 'stub', '--noColors'];
    const key = hashKey([process.version, ...flags], [AS_SOURCE, ascPkg]);
    cachedBuild(outDir, key, ['app.wasm.map', 'app.wast', 'app.wasm'], tmp => {
        const rel = path.relative(tmp, AS_SOURCE);
        // The .wast text (Binaryen's printer) carries `;;@ file:line:col` debug-location comments: an
        // account of the locations written independently of the binary source map.
        execFileSync(process.execPath, [asc, rel, '-o', 'app.wasm', '-t', 'app.wast', ...flags], { cwd: tmp, stdio: 'pipe' });
    });
    return path.join(outDir, 'app.wasm');
}

/** What the marker comments of a sample source say about one line (1-based). */
export interface LineMarker {
    line: number;
    /** `HITS: N` */
    hits?: number;
    /** `FUNC: name` */
    func?: string;
    /** `LINE: code`, or implied by HITS */
    code: boolean;
    /** `BRANCH: a+b+...`: outcome counts of the line's branch instruction, in no particular order. */
    branch?: number[];
}

/** Reads the marker comments (`HITS: N`, `FUNC: name`, `LINE: code`, `BRANCH: a+b`) of a sample source. */
export function readMarkers(file: string): LineMarker[] {
    const out: LineMarker[] = [];
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, i) => {
        const c = text.indexOf('//');
        if (c < 0) return;
        const comment = text.slice(c);
        const hits = /\bHITS: (\d+)/.exec(comment);
        const func = /\bFUNC: (\w+)/.exec(comment);
        const branch = /\bBRANCH: (\d+(?:\+\d+)*)/.exec(comment);
        const code = /\bLINE: code\b/.test(comment) || !!hits;
        if (!hits && !func && !code && !branch) return;
        out.push({ line: i + 1, hits: hits ? Number(hits[1]) : undefined, func: func?.[1], code, branch: branch?.[1].split('+').map(Number) });
    });
    return out;
}

/** The line holding `FUNC: name` in `file`. */
export function funcLine(file: string, name: string): number {
    const m = readMarkers(file).find(x => x.func === name);
    if (!m) throw new Error(`no FUNC: ${name} marker in ${file}`);
    return m.line;
}

/** Module offset of the Code section's contents, from llvm-readobj (independent of our readers). */
export function readobjCodeStart(wasm: string): number {
    if (!LLVM_READOBJ) throw new Error('llvm-readobj not available');
    const sections = execFileSync(LLVM_READOBJ, ['--sections', wasm], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const code = /Type: CODE \(0xA\)\s*\n\s*Size: (\d+)\s*\n\s*Offset: (\d+)/.exec(sections);
    if (!code) throw new Error('no CODE section in llvm-readobj output');
    // readobj gives the offset of the section id byte; the contents follow the id and the LEB size.
    let lebLen = 1;
    for (let v = Number(code[1]); v >= 0x80; v = Math.floor(v / 128)) lebLen++;
    return Number(code[2]) + 1 + lebLen;
}

/**
 * Module offsets of every function's first instruction, from llvm-objdump (independent of our
 * decoder): objdump prints code-section-relative addresses.
 */
export function objdumpFunctionStarts(wasm: string): Map<string, number> {
    if (!LLVM_OBJDUMP) throw new Error('llvm-objdump not available');
    const payload = readobjCodeStart(wasm);
    const dis = execFileSync(LLVM_OBJDUMP, ['-d', wasm], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const starts = new Map<string, number>();
    let pending: string | undefined;
    for (const line of dis.split('\n')) {
        const head = /^[0-9a-f]+ <(.+)>:$/.exec(line);
        if (head) { pending = head[1]; continue; }
        const ins = /^\s+([0-9a-f]+):/.exec(line);
        if (ins && pending !== undefined) {
            starts.set(pending, payload + parseInt(ins[1], 16));
            pending = undefined;
        }
    }
    return starts;
}

export interface DumpRow { address: number; line: number; column: number; file: number; flags: string[] }
export interface DumpUnit { version: number; dirs: Map<number, string>; files: Map<number, { name: string; dir: number }>; rows: DumpRow[] }

/** The line tables as `llvm-dwarfdump --debug-line` prints them. */
export function dwarfdumpLines(wasm: string): DumpUnit[] {
    if (!LLVM_DWARFDUMP) throw new Error('llvm-dwarfdump not available');
    const text = execFileSync(LLVM_DWARFDUMP, ['--debug-line', wasm], { encoding: 'utf8', maxBuffer: 256 << 20 });
    const units: DumpUnit[] = [];
    let u: DumpUnit | undefined;
    let fileIdx = -1;
    for (const line of text.split('\n')) {
        let m: RegExpExecArray | null;
        if (/^debug_line\[/.test(line)) {
            units.push(u = { version: 0, dirs: new Map(), files: new Map(), rows: [] });
        } else if (!u) {
            continue;
        } else if ((m = /^\s+version: (\d+)/.exec(line))) {
            u.version = Number(m[1]);
        } else if ((m = /^include_directories\[\s*(\d+)\] = "(.*)"$/.exec(line))) {
            u.dirs.set(Number(m[1]), m[2]);
        } else if ((m = /^file_names\[\s*(\d+)\]:/.exec(line))) {
            fileIdx = Number(m[1]);
            u.files.set(fileIdx, { name: '', dir: 0 });
        } else if ((m = /^\s+name: "(.*)"$/.exec(line)) && fileIdx >= 0) {
            u.files.get(fileIdx)!.name = m[1];
        } else if ((m = /^\s+dir_index: (\d+)/.exec(line)) && fileIdx >= 0) {
            u.files.get(fileIdx)!.dir = Number(m[1]);
        } else if ((m = /^0x([0-9a-f]{16})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*(.*)$/.exec(line))) {
            u.rows.push({ address: parseInt(m[1], 16), line: Number(m[2]), column: Number(m[3]), file: Number(m[4]), flags: m[7].trim().split(/\s+/).filter(Boolean) });
        }
    }
    return units;
}

// ---- hand-made modules for the mapping unit tests ----------------------------------------------

export function uleb(n: number): number[] {
    const out: number[] = [];
    do {
        let b = n % 128;
        n = Math.floor(n / 128);
        if (n > 0) b |= 0x80;
        out.push(b);
    } while (n > 0);
    return out;
}

export function sleb(n: number): number[] {
    const out: number[] = [];
    for (;;) {
        const b = n & 0x7f;
        n >>= 7;
        if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
            out.push(b);
            return out;
        }
        out.push(b | 0x80);
    }
}

export function cstr(s: string): number[] {
    return [...Buffer.from(s, 'utf8'), 0];
}

export function u16(n: number): number[] { return [n & 0xff, (n >>> 8) & 0xff]; }
export function u32(n: number): number[] { return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]; }

export interface HandModule {
    bytes: Uint8Array;
    /** Module offset of the Code section's contents (where DWARF addresses count from). */
    codeStart: number;
    /** Module offsets of each instruction of the single function body, in order. */
    instrOffsets: number[];
    codeEnd: number;
}

/**
 * A valid module with one function `() -> ()` whose body is `nops` nop instructions followed by `end`,
 * plus the given custom sections (after the Code section, as compilers put debug info).
 */
export function handModule(nops: number, customs: [string, number[]][] = []): HandModule {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, payload: number[]): number => {
        out.push(id, ...uleb(payload.length));
        const start = out.length;
        out.push(...payload);
        return start;
    };
    section(1, [1, 0x60, 0, 0]);
    section(3, [1, 0]);
    const body = [0 /* no locals */, ...new Array(nops).fill(0x01), 0x0b];
    const codePayload = [1, ...uleb(body.length), ...body];
    const codeStart = section(10, codePayload);
    const firstInstr = codeStart + 1 + uleb(body.length).length + 1;
    const instrOffsets = Array.from({ length: nops + 1 }, (_, i) => firstInstr + i);
    const codeEnd = codeStart + codePayload.length;
    for (const [name, data] of customs) {
        const nameBytes = [...Buffer.from(name, 'utf8')];
        section(0, [...uleb(nameBytes.length), ...nameBytes, ...data]);
    }
    return { bytes: Uint8Array.from(out), codeStart, instrOffsets, codeEnd };
}

/** A `sourceMappingURL` custom section's payload. */
export function urlPayload(url: string): number[] {
    const b = [...Buffer.from(url, 'utf8')];
    return [...uleb(b.length), ...b];
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function vlq(n: number): string {
    let v = n < 0 ? (-n << 1) | 1 : n << 1;
    let s = '';
    do {
        let digit = v & 31;
        v >>>= 5;
        if (v > 0) digit |= 32;
        s += B64[digit];
    } while (v > 0);
    return s;
}

/**
 * Encodes one generated line of segments: [column] or [column, source, line0, column0] (0-based
 * original line/column, as the format stores them).
 */
export function encodeMappings(segments: number[][]): string {
    let prevCol = 0, prevSrc = 0, prevLine = 0, prevOrigCol = 0;
    return segments.map(s => {
        let out = vlq(s[0] - prevCol);
        prevCol = s[0];
        if (s.length >= 4) {
            out += vlq(s[1] - prevSrc) + vlq(s[2] - prevLine) + vlq(s[3] - prevOrigCol);
            prevSrc = s[1]; prevLine = s[2]; prevOrigCol = s[3];
        }
        return out;
    }).join(',');
}
