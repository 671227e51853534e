// Source maps for Wasm: found through the `sourceMappingURL` custom section (relative or absolute
// path, file: URL or data: URL) or as APP.wasm.map beside the app, parsed with @jridgewell/trace-mapping.
// Wasm source maps have one generated line whose columns are byte offsets in the whole module.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AnyMap, decodedMappings, type TraceMap } from '@jridgewell/trace-mapping';
import type { LineFile, LineTable } from './dwarf.js';

export interface SourceMapText {
    text: string;
    /** Absolute path of the map file; undefined for a data: URL. */
    mapPath?: string;
    /** For messages: the map path or "data: URL". */
    origin: string;
}

const utf8 = new TextDecoder('utf-8');

/** The string a `sourceMappingURL` custom section holds (a Wasm name: LEB length + UTF-8). */
export function readSourceMappingUrl(contents: Uint8Array): string {
    let len = 0, shift = 0, p = 0, b: number;
    do {
        if (p >= contents.length) throw new Error('sourceMappingURL section is truncated');
        b = contents[p++];
        len += (b & 0x7f) * 2 ** shift;
        shift += 7;
    } while (b & 0x80);
    if (p + len > contents.length) throw new Error('sourceMappingURL section is truncated');
    return utf8.decode(contents.subarray(p, p + len));
}

function decodeDataUrl(url: string): string {
    const comma = url.indexOf(',');
    if (comma < 0) throw new Error('malformed data: URL (no comma)');
    const meta = url.slice(5, comma);
    const data = url.slice(comma + 1);
    return /;base64$/i.test(meta) ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
}

function readIfFile(p: string): string | undefined {
    try {
        return fs.statSync(p).isFile() ? fs.readFileSync(p, 'utf8') : undefined;
    } catch {
        return undefined;
    }
}

/**
 * The map `url` (from the sourceMappingURL section) designates, relative to the app's directory.
 * Remote URLs cannot be fetched: their file name is looked for beside the app instead.
 */
export function loadMapFromUrl(url: string, wasmPath: string, warnings: string[]): SourceMapText | undefined {
    const wasmDir = path.dirname(path.resolve(wasmPath));
    if (/^data:/i.test(url)) {
        try {
            return { text: decodeDataUrl(url), origin: 'data: URL' };
        } catch (e) {
            warnings.push(`sourceMappingURL data: URL cannot be decoded: ${(e as Error).message}`);
            return undefined;
        }
    }
    const candidates: string[] = [];
    if (/^file:/i.test(url)) {
        try { candidates.push(fileURLToPath(url)); } catch { /* malformed file URL: nothing to try */ }
    } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
        const name = path.posix.basename(new URL(url).pathname);
        if (name) candidates.push(path.join(wasmDir, decodeURIComponent(name)));
        warnings.push(`sourceMappingURL ${url} is remote; looked for ${name || 'its file'} beside the app instead`);
    } else {
        candidates.push(path.resolve(wasmDir, url));
        try {
            const decoded = decodeURIComponent(url);
            if (decoded !== url) candidates.push(path.resolve(wasmDir, decoded));
        } catch { /* not percent-encoded */ }
    }
    for (const c of candidates) {
        const text = readIfFile(c);
        if (text !== undefined) return { text, mapPath: c, origin: c };
    }
    warnings.push(`source map ${url} named by the sourceMappingURL section was not found`);
    return undefined;
}

/** APP.wasm.map beside the app. */
export function loadSideMap(wasmPath: string): SourceMapText | undefined {
    const p = path.resolve(wasmPath) + '.map';
    const text = readIfFile(p);
    return text === undefined ? undefined : { text, mapPath: p, origin: p };
}

/**
 * Where `source` (a `sources` entry) is on disk. Tries, in order: the source-map spec's resolution
 * (map directory + sourceRoot + source), the map directory alone (AssemblyScript writes a sourceRoot
 * that no file lives under), the app's directory, then each search root (workspace folders: many
 * compilers write sources relative to the directory they ran in). The first candidate that exists
 * wins; when none does, the spec's answer stands. Library pseudo-paths such as `~lib/...` and URLs
 * with other schemes are left as written.
 */
function resolveSource(source: string, sourceRoot: string | undefined, mapDir: string | undefined, wasmDir: string, searchRoots: readonly string[]): string {
    if (/^file:/i.test(source)) {
        try { return fileURLToPath(source); } catch { return source; }
    }
    if (source.startsWith('~') || /^[a-z][a-z0-9+.-]*:/i.test(source) && !/^[A-Za-z]:[\\/]/.test(source)) return source;
    if (path.isAbsolute(source)) return path.normalize(source);
    const candidates: string[] = [];
    const root = sourceRoot && !/^[a-z][a-z0-9+.-]*:/i.test(sourceRoot) ? sourceRoot : '';
    if (mapDir) {
        candidates.push(path.resolve(mapDir, root, source));
        candidates.push(path.resolve(mapDir, source));
    }
    candidates.push(path.resolve(wasmDir, source));
    for (const r of searchRoots) candidates.push(path.resolve(r, source));
    for (const c of candidates) if (fs.existsSync(c)) return c;
    return candidates[0];
}

/**
 * Parses a Wasm source map into a line table keyed by module offset. Segments without a source
 * (one-field segments: "no mapping from here on") become gaps.
 */
export function readSourceMap(map: SourceMapText, wasmPath: string, searchRoots: readonly string[], warnings: string[]): LineTable {
    let json: unknown;
    try {
        json = JSON.parse(map.text);
    } catch (e) {
        throw new Error(`source map ${map.origin} is not valid JSON: ${(e as Error).message}`);
    }
    let tm: TraceMap;
    try {
        tm = new AnyMap(json as never);
    } catch (e) {
        throw new Error(`source map ${map.origin} cannot be read: ${(e as Error).message}`);
    }
    const mapDir = map.mapPath ? path.dirname(map.mapPath) : undefined;
    const wasmDir = path.dirname(path.resolve(wasmPath));
    const rawSources = (tm.sources ?? []).map(s => s ?? '');
    const files: LineFile[] = rawSources.map(s => ({ source: s, file: resolveSource(s, tm.sourceRoot ?? undefined, mapDir, wasmDir, searchRoots) }));

    const lines = decodedMappings(tm);
    if (lines.length > 1 && lines.slice(1).some(l => l.length > 0)) {
        warnings.push(`source map ${map.origin} has more than one generated line; only the first is used (Wasm maps use byte offsets on line 1)`);
    }
    const segs = lines[0] ?? [];
    const n = segs.length;
    const t: LineTable = {
        addr: new Uint32Array(n), line: new Uint32Array(n), column: new Uint32Array(n),
        file: new Int32Array(n), isStmt: new Uint8Array(n).fill(1), files, units: 1,
    };
    for (let i = 0; i < n; i++) {
        const s = segs[i];
        t.addr[i] = s[0];
        if (s.length >= 4) {
            t.file[i] = s[1]!;
            t.line[i] = s[2]! + 1;
            t.column[i] = s[3]! + 1;
        } else {
            t.file[i] = -1;
        }
    }
    return t;
}
