// The contract between the engine (which writes it) and the runner (which reads it): what the report
// flush prints, and where each value lives in the instrumented module.
//
// Report values live in mutable globals the engine adds. V8 allows at most 100,000 exports but up to
// 1,000,000 globals, so globals are not exported one by one: the engine generates reader functions that
// return up to READER_BATCH values each (multi-value, every value widened to its i64 bit pattern) and
// the runner concatenates their results into one array of slots. A big module's per-site counters live in
// an exported memory of their own instead (counterMemory): its cells follow the readers' slots.

import { decodeBinaryLayout, encodeBinaryLayout, forEachPackedRow, isBinaryLayout, packedRowsOf } from './report-rows.js';

export const REPORT_SECTION = 'whamm.report';
/** V8 allows up to 1000 results per function; stay below it. */
export const READER_BATCH = 1000;
/** Exported, called by the runner once the app is done (wasm:end and wasm:report probes). */
export const END_EXPORT = 'whamm$end';
/** Exported when the app has no entry function to run wasm:begin from; the runner calls it first. */
export const BEGIN_EXPORT = 'whamm$begin';

/** Exported by a module whose per-site counters live in a memory of their own (ReportLayout.counterMemory). */
export const COUNTER_MEMORY_EXPORT = 'whamm$counters';
/**
 * Per-site counters move to the counter memory once the module has this many globals (V8 accepts at most
 * 1,000,000; the readers of a million globals are big too). Smaller modules keep every counter in a global.
 */
export const MEMORY_COUNTERS_FROM = 200_000;

export type ScalarTypeName = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64' | 'f32' | 'f64' | 'bool';

export type { ReportLayout, ReportVar } from './report-types.js';
import type { ReportLayout, ReportVar } from './report-types.js';

/** How many rows the report has (without making them, for a layout decoded from the binary form). */
export function rowCount(layout: ReportLayout): number {
    return packedRowsOf(layout)?.count ?? layout.vars.length;
}

/**
 * Calls `f` with the report's rows [from, to) in order; for a binary layout the row object is reused (copy
 * what you keep) and no array of rows is made.
 */
export function forEachRow(layout: ReportLayout, from: number, to: number, f: (v: ReportVar, row: number) => void): void {
    const packed = packedRowsOf(layout);
    if (packed) return forEachPackedRow(packed, from, to, f);
    const vars = layout.vars;
    for (let i = from; i < Math.min(to, vars.length); i++) f(vars[i], i);
}

/**
 * The custom section's encoding: the layout with `vars` stored column-wise over string tables, since a
 * per-instruction monitor on a large app has hundreds of thousands of rows. decodeLayout also accepts
 * the plain JSON form (`vars` as objects).
 */
interface PackedLayout extends Omit<ReportLayout, 'vars'> {
    strings: string[];
    /** Per var: name, type, fname, probe (string indices, -1 = absent), fid, pc (-1 = absent), slot. */
    packed: number[];
    /** The vars that have `ids` (script globals, a few): runs of var index, id count, ids. */
    ids?: number[];
}

export function encodeLayout(layout: ReportLayout): Uint8Array {
    // A big module's (with a counter memory): the binary form (report-rows.ts).
    if (layout.counterMemory) return encodeBinaryLayout(layout);
    const pieces = encodeLayoutPieces(layout);
    const out = new Uint8Array(pieces.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of pieces) { out.set(p, at); at += p.length; }
    return out;
}

/** encodeLayout's bytes in pieces (the trap fix-ups and rows of a big module are tens of MB). */
export function encodeLayoutPieces(layout: ReportLayout): Uint8Array[] {
    if (layout.counterMemory) return [encodeBinaryLayout(layout)];
    const strings: string[] = [];
    const stringIndex = new Map<string, number>();
    const str = (s: string | undefined): number => {
        if (s === undefined) return -1;
        let i = stringIndex.get(s);
        if (i === undefined) { i = strings.length; strings.push(s); stringIndex.set(s, i); }
        return i;
    };
    // `packed` is written as text in pieces of PIECE_VARS rows (a hot monitor on a big app has millions of
    // rows: no array of numbers and no single string of them all); the JSON is the same as stringifying
    // the whole PackedLayout.
    const vars = layout.vars;
    const encoder = new TextEncoder();
    const pieces: Uint8Array[] = [];
    const ids: number[] = [];
    for (let from = 0; from < vars.length; from += PIECE_VARS) {
        let text = '';
        for (let i = from; i < Math.min(from + PIECE_VARS, vars.length); i++) {
            const v = vars[i];
            text += `${i ? ',' : ''}${str(v.name)},${str(v.type)},${str(v.fname)},${str(v.probe)},${v.fid ?? -1},${v.pc ?? -1},${v.slot}`;
            if (v.ids) ids.push(i, v.ids.length, ...v.ids);
        }
        pieces.push(encoder.encode(text));
    }
    const { vars: _vars, ...rest } = layout;
    // The trap fix-ups (millions of numbers on a big module) are written in pieces where JSON.stringify
    // would put them: a marker holds their place.
    const fixups = layout.trapFixups;
    const head = JSON.stringify({ ...rest, strings }, (k, v) => (k === 'trapFixups' && v === fixups ? FIXUPS_MARK : v));
    const mark = fixups ? head.indexOf(`"trapFixups":${JSON.stringify(FIXUPS_MARK)}`) : -1;
    const headPieces: Uint8Array[] = [];
    if (fixups && mark >= 0) {
        const at = mark + '"trapFixups":'.length;
        headPieces.push(encoder.encode(`${head.slice(0, at)}[`));
        for (let from = 0; from < fixups.length; from += PIECE_VARS) {
            let text = '';
            for (let i = from; i < Math.min(from + PIECE_VARS, fixups.length); i++) text += `${i ? ',' : ''}${fixups[i]}`;
            headPieces.push(encoder.encode(text));
        }
        headPieces.push(encoder.encode(`]${head.slice(at + JSON.stringify(FIXUPS_MARK).length, -1)},"packed":[`));
    } else headPieces.push(encoder.encode(`${head.slice(0, -1)},"packed":[`));
    pieces.unshift(...headPieces);
    pieces.push(encoder.encode(`]${ids.length ? `,"ids":${JSON.stringify(ids)}` : ''}}`));
    return pieces;
}

/** Holds the trap fix-ups' place in the layout's JSON (see encodeLayoutPieces). */
const FIXUPS_MARK = '\u0000trapFixups';

const PIECE_VARS = 1 << 16;

export function decodeLayout(bytes: ArrayBuffer | Uint8Array): ReportLayout {
    const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    if (isBinaryLayout(view)) return decodeBinaryLayout(view);
    const raw = JSON.parse(new TextDecoder().decode(bytes)) as ReportLayout | PackedLayout;
    if ('vars' in raw && Array.isArray(raw.vars)) return raw as ReportLayout;
    const { strings, packed, ids, ...rest } = raw as PackedLayout;
    const vars: ReportVar[] = [];
    for (let k = 0; k < packed.length; k += 7) {
        const v: ReportVar = { name: strings[packed[k]], type: strings[packed[k + 1]], slot: packed[k + 6] };
        if (packed[k + 4] >= 0) {
            v.fname = packed[k + 2] >= 0 ? strings[packed[k + 2]] : '';
            v.fid = packed[k + 4];
            v.pc = packed[k + 5];
            if (packed[k + 3] >= 0) v.probe = strings[packed[k + 3]];
        }
        vars.push(v);
    }
    for (let k = 0; ids && k < ids.length; k += 2 + ids[k + 1]) vars[ids[k]].ids = ids.slice(k + 2, k + 2 + ids[k + 1]);
    return { ...rest, vars } as ReportLayout;
}
