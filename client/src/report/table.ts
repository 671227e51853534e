// The Report view's data: a run's report variables (protocol ReportVariable, from the CLI's JSON) as one
// table per variable, sortable, and exported as CSV or JSON. Pure (no vscode): unit-tested.

import type { ReportVariable } from '../../../server/src/protocol.js';

export interface ReportRow {
    /** Where the value was recorded: the probe's site (function, fid, pc, probe) for per-site variables. */
    fname: string;
    fid: string;
    pc: string;
    probe: string;
    /** For map variables, the entry's key; empty otherwise. */
    key: string;
    value: string;
}

export interface ReportTable {
    name: string;
    type: string;
    /** 'global' (one value), 'site' (one row per matched site) or 'map' (one row per entry). */
    kind: 'global' | 'site' | 'map';
    columns: string[];
    rows: ReportRow[];
}

/** One table per report variable name, in the order the variables first appear; per-site values and map entries become rows. */
export function tablesFromVariables(vars: readonly ReportVariable[]): ReportTable[] {
    const tables = new Map<string, ReportTable>();
    for (const v of vars) {
        let t = tables.get(v.name);
        if (!t) {
            const columns = v.kind === 'map' ? (v.fid !== undefined ? ['fname', 'fid', 'pc', 'probe', 'key', 'value'] : ['key', 'value'])
                : v.kind === 'site' ? ['fname', 'fid', 'pc', 'probe', 'value'] : ['value'];
            t = { name: v.name, type: v.type, kind: v.kind, columns, rows: [] };
            tables.set(v.name, t);
        }
        const site = { fname: v.fname ?? '', fid: v.fid === undefined ? '' : String(v.fid), pc: v.pc === undefined ? '' : String(v.pc), probe: v.probe ?? '' };
        if (v.kind === 'map') for (const e of v.entries ?? []) t.rows.push({ ...site, key: e.key, value: e.value });
        else t.rows.push({ ...site, key: '', value: v.value ?? '' });
    }
    return [...tables.values()];
}

/** Cell text of a row for one of a table's columns. */
export function cell(row: ReportRow, column: string): string {
    switch (column) {
        case 'fname': return row.fname;
        case 'fid': return row.fid;
        case 'pc': return row.pc;
        case 'probe': return row.probe;
        case 'key': return row.key;
        default: return row.value;
    }
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

/** Numbers compare as numbers (so 10 follows 9), everything else as text; numbers sort before text. */
export function compareCells(a: string, b: string): number {
    const na = NUMBER.test(a), nb = NUMBER.test(b);
    if (na && nb) return Number(a) - Number(b);
    if (na !== nb) return na ? -1 : 1;
    return a < b ? -1 : a > b ? 1 : 0;
}

/** A sorted copy (stable: equal cells keep report order). */
export function sortRows(rows: readonly ReportRow[], column: string, descending = false): ReportRow[] {
    const sign = descending ? -1 : 1;
    return rows.map((r, i) => ({ r, i }))
        .sort((x, y) => sign * compareCells(cell(x.r, column), cell(y.r, column)) || x.i - y.i)
        .map(x => x.r);
}

function csvField(s: string): string {
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV of every table: one header, a `variable` column first. */
export function tablesToCsv(tables: readonly ReportTable[]): string {
    const cols = ['variable', 'type', 'fname', 'fid', 'pc', 'probe', 'key', 'value'];
    const lines = [cols.join(',')];
    for (const t of tables) {
        for (const r of t.rows) lines.push([t.name, t.type, r.fname, r.fid, r.pc, r.probe, r.key, r.value].map(csvField).join(','));
    }
    return lines.join('\r\n') + '\r\n';
}

/** JSON export: `{ variables: [{ name, type, kind, rows: [{...}] }] }`; numeric values become numbers. */
export function tablesToJson(tables: readonly ReportTable[]): string {
    const num = (s: string): string | number => NUMBER.test(s) && Number.isFinite(Number(s)) ? Number(s) : s;
    const variables = tables.map(t => ({
        name: t.name, type: t.type, kind: t.kind,
        rows: t.rows.map(r => {
            const o: Record<string, string | number> = {};
            for (const c of t.columns) o[c] = c === 'fid' || c === 'pc' || c === 'value' ? num(cell(r, c)) : cell(r, c);
            return o;
        }),
    }));
    return JSON.stringify({ variables }, null, 2) + '\n';
}
