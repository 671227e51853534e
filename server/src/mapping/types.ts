// What the source mappers answer: a module byte offset of an instruction -> a place in the source.

export interface Location {
    /** The source file, resolved: an absolute path where the debug info allows it, else as written. */
    file: string;
    /** The file exactly as the debug info names it (source map `sources` entry, or DWARF dir + name). */
    source: string;
    /** 1-based line. */
    line: number;
    /** 1-based column; 0 when the debug info gives none. */
    column: number;
}

export type MapperKind = 'sourcemap' | 'dwarf' | 'none';

export interface SourceMapper {
    readonly kind: MapperKind;
    /** Where the mapping came from (the map's path, `data: URL`, or `.debug_line`), for messages. */
    readonly origin: string;
    /** Problems met while loading (unreadable map, malformed DWARF unit...); loading never throws. */
    readonly warnings: readonly string[];
    /**
     * The source location of the instruction at `moduleOffset` (a byte offset in the whole module).
     * `undefined` when the debug info says nothing about it (or says "no source line"): callers report
     * such offsets as unmapped, never guess.
     */
    lookup(moduleOffset: number): Location | undefined;
    /**
     * An allocation-free version of `lookup` for walks over many offsets, fastest in increasing order:
     * `at(offset)` says whether the offset maps somewhere and, when it does, fills `file`, `source`,
     * `line` and `column`.
     */
    locator(): Locator;
    /** Every line that has at least one instruction mapped to it, per resolved file. */
    linesWithCode(): Map<string, Set<number>>;
    /** The `source` name (as in the debug info) of each resolved file that `lookup` can return. */
    sourceNames(): Map<string, string>;
}

export interface Locator {
    at(moduleOffset: number): boolean;
    file: string;
    source: string;
    line: number;
    column: number;
}
