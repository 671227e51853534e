// The Report view's data: the report CSV a run flushes (SPEC.md, "Running and the report") turned into one
// table per report variable, sortable, and exported back as CSV or JSON. Pure (no vscode): unit-tested.

export const REPORT_COLUMNS = ['id', 'id_type', 'name', 'whamm_type', 'wasm_type', 'script_id', 'fname', 'fid', 'pc', 'probe_id', 'value(s)'] as const;

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

/**
 * Splits a report line into its 11 columns. Commas inside <> or () belong to a type or tuple
 * (`map<(u32,u32),i32>`), and the last column (the value) is taken whole: map values hold commas too.
 */
export function splitReportLine(line: string): string[] | undefined {
    const cells: string[] = [];
    let depth = 0, start = 0;
    for (let i = 0; i < line.length && cells.length < REPORT_COLUMNS.length - 1; i++) {
        const c = line[i];
        if (c === '<' || c === '(') depth++;
        else if ((c === '>' || c === ')') && depth > 0) depth--;
        else if (c === ',' && depth === 0) { cells.push(line.slice(start, i).trim()); start = i + 1; }
    }
    if (cells.length < REPORT_COLUMNS.length - 1) return undefined;
    cells.push(line.slice(start).trim());
    return cells;
}

/** Map entries "(k1)->v1;(k2)->v2" or "k->v;...", split at top-level ';' (tuples use "; " inside parentheses). */
export function splitMapValue(value: string): { key: string; value: string }[] {
    const out: { key: string; value: string }[] = [];
    let depth = 0, start = 0;
    const push = (s: string) => {
        const t = s.trim();
        if (!t) return;
        const arrow = findTopLevel(t, '->');
        out.push(arrow < 0 ? { key: '', value: t } : { key: t.slice(0, arrow).trim(), value: t.slice(arrow + 2).trim() });
    };
    for (let i = 0; i < value.length; i++) {
        const c = value[i];
        if (c === '(') depth++;
        else if (c === ')') depth = Math.max(0, depth - 1);
        else if (c === ';' && depth === 0) { push(value.slice(start, i)); start = i + 1; }
    }
    push(value.slice(start));
    return out;
}

function findTopLevel(s: string, needle: string): number {
    let depth = 0;
    for (let i = 0; i < s.length; i++) {
        const c = s[i];
        if (c === '(') depth++;
        else if (c === ')') depth--;
        else if (depth === 0 && s.startsWith(needle, i)) return i;
    }
    return -1;
}

/** Tables in the order their variables first appear in the report. Lines that are not report rows are skipped. */
export function parseReport(csv: string): ReportTable[] {
    const tables = new Map<string, ReportTable>();
    for (const raw of csv.split(/\r?\n/)) {
        const line = raw.trim();
        if (!line || line.startsWith('id,') || line.startsWith('=')) continue;
        const c = splitReportLine(line);
        if (!c) continue;
        const [, , name, type, , , fname, fid, pc, probe, value] = c;
        const isMap = type.startsWith('map<');
        const kind: ReportTable['kind'] = isMap ? 'map' : fname || fid || pc || probe ? 'site' : 'global';
        let t = tables.get(name);
        if (!t) {
            const columns = kind === 'map' ? ['key', 'value'] : kind === 'site' ? ['fname', 'fid', 'pc', 'probe', 'value'] : ['value'];
            t = { name, type, kind, columns, rows: [] };
            tables.set(name, t);
        }
        const site = { fname, fid, pc, probe };
        if (isMap) for (const e of splitMapValue(value)) t.rows.push({ ...site, key: e.key, value: e.value });
        else t.rows.push({ ...site, key: '', value });
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
