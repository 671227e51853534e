// The reference's report CSV: banner, header, one row per report variable instance.
import { forEachRow, rowCount, type ReportLayout, type ReportVar } from '../engine/report-layout.js';
import { formatScalar } from '../runtime/value-format.js';

export const REPORT_BANNER = '================================= REPORT CSV FLUSH ====================================';
export const REPORT_HEADER = 'id, id_type, name, whamm_type, wasm_type, script_id, fname, fid, pc, probe_id, value(s)';

/**
 * One row. A script global prints the global indices its value occupies (`v.ids`, the reference's
 * numbering: engine/global-numbering.ts), several as a tuple (`(8; 9), (global_id; global_id)` for a str);
 * a map prints its id; a per-site variable prints `id` (the reference prints a memory address there).
 */
export function formatRow(id: number, v: ReportVar, value: string, wasmType: string): string {
    const site = v.fid === undefined;
    const map = v.type.startsWith('map<');
    // Without ids (a layout written by an older engine) a global's values are numbered from `id`.
    const ids = site ? v.ids ?? Array.from({ length: map ? 1 : wasmTypesOf(v.type).length }, (_, k) => id + k) : [id];
    const several = ids.length > 1;
    const idText = several ? `(${ids.join('; ')})` : String(ids[0]);
    const idType = !site ? 'memaddr' : map ? 'map_id' : several ? `(${ids.map(() => 'global_id').join('; ')})` : 'global_id';
    const cols = [idText, idType, v.name, v.type, wasmType, 'script0',
        site ? '' : v.fname ?? '', site ? '' : String(v.fid), site ? '' : String(v.pc ?? ''), site ? '' : v.probe ?? '', value];
    return cols.join(', ');
}

/** The wasm type column of a scalar Whamm type. */
export function wasmTypeOf(type: string): string {
    switch (type) {
        case 'u64': case 'i64': return 'i64';
        case 'f32': return 'f32';
        case 'f64': return 'f64';
        default: return 'i32';
    }
}

/**
 * The wasm values the reference stores a value of this Whamm type in: a str is (address, length), a tuple
 * its elements' values flattened, a map its i32 handle. `type` is the printed type, `(u8,(str,f32))`.
 */
export function wasmTypesOf(type: string): string[] {
    if (type === 'str') return ['i32', 'i32'];
    if (!type.startsWith('(')) return [wasmTypeOf(type)];
    const out: string[] = [];
    let depth = 0, from = 1;
    for (let i = 1; i < type.length; i++) {
        const ch = type[i];
        if (ch === '(' || ch === '<') depth++;
        else if ((ch === ')' || ch === '>') && depth > 0) depth--;
        else if ((ch === ',' && depth === 0) || i === type.length - 1) {
            const elem = type.slice(from, i).trim();
            if (elem) out.push(...wasmTypesOf(elem));
            from = i + 1;
        }
    }
    return out;
}

/** The wasm type column: one type, or the flattened values of a str or tuple. */
export function wasmTypeColumn(type: string): string {
    const ts = wasmTypesOf(type);
    return ts.length === 1 ? ts[0] : `(${ts.join('; ')})`;
}

/** The whole flush: banner, header and rows, each line ending in '\n'. */
export function formatReport(layout: ReportLayout, slots: ArrayLike<bigint>,
    /** Tuples, str and maps (server/src/runtime/link.ts); undefined for scalars. */
    formatValue?: (v: ReportVar, slots: ArrayLike<bigint>) => string | undefined): string {
    const lines = [REPORT_BANNER, REPORT_HEADER];
    layout.vars.forEach((v, i) => {
        const value = formatValue?.(v, slots) ?? formatScalar(slots[v.slot] ?? 0n, v.type);
        lines.push(formatRow(i, v, value, wasmTypeColumn(v.type)));
    });
    return lines.join('\n') + '\n';
}

/** Rows formatted per write of a streamed flush. */
const STREAM_ROWS = 8192;

/**
 * The flush written in pieces of STREAM_ROWS rows (a report of millions of rows is never one string), the
 * same text formatReport makes. `adjust` takes counts back from rows (trap fix-ups that name rows).
 * Returns the text when it is at most `keep` characters, else its first rows and a line that says how
 * many it leaves out.
 */
export function writeReport(layout: ReportLayout, slots: ArrayLike<bigint>,
    formatValue: ((v: ReportVar, slots: ArrayLike<bigint>) => string | undefined) | undefined,
    write: (text: string) => void, adjust?: ReadonlyMap<number, bigint>, keep = REPORT_KEEP): { text: string; rows: number; keptRows: number } {
    const total = rowCount(layout);
    const wasmTypes = new Map<string, string>();
    let piece = `${REPORT_BANNER}\n${REPORT_HEADER}\n`;
    let kept = piece, keptRows = 0, full = false;
    let lastSlot = -1, lastType = '', lastValue = '';
    // One pass over the rows (a binary layout decodes from its start), written every STREAM_ROWS rows.
    forEachRow(layout, 0, total, (v, i) => {
        const n = adjust?.get(i);
        let value: string;
        if (n !== undefined) value = formatScalar(BigInt.asIntN(64, (slots[v.slot] ?? 0n) - n), v.type);
        else if (v.slot === lastSlot && v.type === lastType) value = lastValue; // rows of a segment share their counter
        else {
            value = lastValue = formatValue?.(v, slots) ?? formatScalar(slots[v.slot] ?? 0n, v.type);
            lastSlot = v.slot; lastType = v.type;
        }
        let wt = wasmTypes.get(v.type);
        if (wt === undefined) wasmTypes.set(v.type, wt = wasmTypeColumn(v.type));
        // A per-site row, as formatRow writes it (most rows of a big report).
        const line = v.fid !== undefined && !v.type.startsWith('map<')
            ? `${i}, memaddr, ${v.name}, ${v.type}, ${wt}, script0, ${v.fname ?? ''}, ${v.fid}, ${v.pc ?? ''}, ${v.probe ?? ''}, ${value}\n`
            : formatRow(i, v, value, wt) + '\n';
        piece += line;
        if ((i + 1) % STREAM_ROWS === 0) { write(piece); piece = ''; }
        if (full) return;
        if (kept.length + line.length <= keep) { kept += line; keptRows = i + 1; } else full = true;
    });
    if (piece) write(piece);
    if (!full) return { text: kept, rows: total, keptRows: total };
    return { text: `${kept}... ${(total - keptRows).toLocaleString('en-US')} more rows (${total.toLocaleString('en-US')} in all) were printed\n`, rows: total, keptRows };
}

/** Reports up to this many characters are kept whole for the caller (RunResult.report). */
export const REPORT_KEEP = 4 << 20;
