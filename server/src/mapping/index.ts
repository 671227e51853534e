// One entry point for mapping instruction offsets of a module back to its source: a source map when
// the module names one, else DWARF .debug_line, else a source map beside the app, else nothing.
import { type DebugSections, findRow, type LineTable, readLineTable } from './dwarf.js';
import { loadMapFromUrl, loadSideMap, readSourceMap, readSourceMappingUrl, type SourceMapText } from './sourcemap.js';
import type { Location, Locator, MapperKind, SourceMapper } from './types.js';
import type { WasmModule } from '../wasm/decode.js';
import { indexSections, type SectionSpan } from './wasm-sections.js';

export type { Location, Locator, MapperKind, SourceMapper } from './types.js';

export interface MapperOptions {
    /**
     * Directories tried when a source map names its sources by relative paths that do not exist
     * relative to the map (typically the workspace folders: compilers write paths relative to the
     * directory they ran in).
     */
    searchRoots?: readonly string[];
    /** Use this source map instead of looking for one (e.g. chosen by the user). */
    sourceMap?: SourceMapText;
}

/** A mapper over a sorted line table; `bias` turns a module offset into a table address. */
class TableMapper implements SourceMapper {
    private lines?: Map<string, Set<number>>;

    constructor(
        readonly kind: MapperKind,
        readonly origin: string,
        readonly warnings: string[],
        private readonly table: LineTable,
        private readonly bias: number,
        private readonly code: SectionSpan | undefined,
    ) {}

    lookup(moduleOffset: number): Location | undefined {
        // Only instructions have locations; offsets outside the Code section never do.
        if (!this.code || moduleOffset < this.code.start || moduleOffset >= this.code.end) return undefined;
        const t = this.table;
        const i = findRow(t, moduleOffset - this.bias);
        if (i < 0) return undefined;
        const f = t.files[t.file[i]];
        if (!f) return undefined;
        return { file: f.file, source: f.source, line: t.line[i], column: t.column[i] };
    }

    locator(): Locator {
        const t = this.table, code = this.code, bias = this.bias;
        let row = -1;
        const loc: Locator = {
            file: '', source: '', line: 0, column: 0,
            at(moduleOffset: number): boolean {
                if (!code || moduleOffset < code.start || moduleOffset >= code.end) return false;
                const a = moduleOffset - bias;
                const n = t.addr.length;
                // Forward walks move the row by a step or two; anything else searches again.
                if (row >= 0 && row < n && t.addr[row] <= a) {
                    while (row + 1 < n && t.addr[row + 1] <= a) row++;
                    if (t.file[row] < 0 || t.line[row] === 0) return false;
                } else {
                    row = findRow(t, a);
                    if (row < 0) { row = -1; return false; }
                }
                const f = t.files[t.file[row]];
                if (!f) return false;
                loc.file = f.file;
                loc.source = f.source;
                loc.line = t.line[row];
                loc.column = t.column[row];
                return true;
            },
        };
        return loc;
    }

    linesWithCode(): Map<string, Set<number>> {
        if (this.lines) return this.lines;
        const out = new Map<string, Set<number>>();
        const t = this.table;
        const lo = this.code ? this.code.start - this.bias : 0;
        const hi = this.code ? this.code.end - this.bias : 0;
        for (let i = 0; i < t.addr.length; i++) {
            const fid = t.file[i];
            if (fid < 0 || t.line[i] === 0 || !t.files[fid]) continue;
            // A row covers instructions only if the next row starts later (rows at one address: the
            // last one wins) and it lies within the Code section.
            const start = t.addr[i];
            const end = i + 1 < t.addr.length ? t.addr[i + 1] : hi;
            if (end <= start || end <= lo || start >= hi) continue;
            const file = t.files[fid].file;
            let set = out.get(file);
            if (!set) out.set(file, set = new Set());
            set.add(t.line[i]);
        }
        this.lines = out;
        return out;
    }

    sourceNames(): Map<string, string> {
        const out = new Map<string, string>();
        for (const f of this.table.files) if (!out.has(f.file)) out.set(f.file, f.source);
        return out;
    }
}

const NONE_TABLE: LineTable = {
    addr: new Uint32Array(0), line: new Uint32Array(0), column: new Uint32Array(0),
    file: new Int32Array(0), isStmt: new Uint8Array(0), files: [], units: 0,
};

function noneMapper(warnings: string[]): SourceMapper {
    return new TableMapper('none', 'no debug info', warnings, NONE_TABLE, 0, undefined);
}

function debugSections(bytes: Uint8Array, custom: Map<string, SectionSpan>): DebugSections {
    const get = (name: string): Uint8Array | undefined => {
        const s = custom.get(name);
        return s ? bytes.subarray(s.start, s.end) : undefined;
    };
    return {
        line: get('.debug_line'), info: get('.debug_info'), abbrev: get('.debug_abbrev'), str: get('.debug_str'),
        lineStr: get('.debug_line_str'), strOffsets: get('.debug_str_offsets'),
    };
}

/**
 * Reads the module's debug info. `wasm` is the module's bytes or, to save a second decode, the
 * module as decoded by server/src/wasm. `wasmPath` locates side files (maps, relative sources).
 * Never throws: a module that is not Wasm, a map that cannot be read or a malformed DWARF unit end
 * up in `warnings` (and, when nothing usable remains, kind 'none').
 */
export function loadSourceMapper(wasm: Uint8Array | WasmModule, wasmPath: string, options: MapperOptions = {}): SourceMapper {
    const warnings: string[] = [];
    const wasmBytes = wasm instanceof Uint8Array ? wasm : wasm.bytes;
    let sections;
    try {
        sections = indexSections(wasm);
    } catch (e) {
        warnings.push(`${wasmPath}: ${(e as Error).message}`);
        return noneMapper(warnings);
    }
    const { custom, code } = sections;
    const searchRoots = options.searchRoots ?? [];

    const fromMap = (map: SourceMapText): SourceMapper | undefined => {
        try {
            const table = readSourceMap(map, wasmPath, searchRoots, warnings);
            return new TableMapper('sourcemap', map.origin, warnings, table, 0, code);
        } catch (e) {
            warnings.push((e as Error).message);
            return undefined;
        }
    };

    if (options.sourceMap) {
        const m = fromMap(options.sourceMap);
        if (m) return m;
    }
    const urlSection = custom.get('sourceMappingURL');
    if (urlSection) {
        try {
            const url = readSourceMappingUrl(wasmBytes.subarray(urlSection.start, urlSection.end));
            const map = loadMapFromUrl(url, wasmPath, warnings);
            const m = map && fromMap(map);
            if (m) return m;
        } catch (e) {
            warnings.push((e as Error).message);
        }
    }
    if (custom.has('.debug_line') && code) {
        const table = readLineTable(debugSections(wasmBytes, custom), warnings);
        if (table.addr.length > 0) return new TableMapper('dwarf', '.debug_line', warnings, table, code.start, code);
    }
    const side = loadSideMap(wasmPath);
    if (side) {
        const m = fromMap(side);
        if (m) return m;
    }
    return noneMapper(warnings);
}
