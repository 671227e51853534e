// What the Report view's charts show, computed from the tables (pure, unit-tested); the webview only draws
// it. A bar chart of the top rows of a numeric table; per-function totals with names; a call graph for maps
// keyed by (caller, callee); a heatmap of address-keyed maps by 64 KiB page and by 64-byte cache line; and
// the per-row change between two runs.
import type { ReportRow, ReportTable } from './table.js';

/** Function index -> name, from the app's name section. */
export type FunctionNames = Readonly<Record<string, string>>;

const INT = /^[+-]?\d+$/;
const NUM = /^[+-]?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i;

export function numeric(s: string): number | undefined {
    const t = s.trim().replace(/^\+/, '');
    return NUM.test(t) && Number.isFinite(Number(t)) ? Number(t) : undefined;
}

/** A table whose every value is a number (the ones a bar chart can show). */
export function isNumericTable(t: ReportTable): boolean {
    return t.rows.length > 0 && t.rows.every(r => numeric(r.value) !== undefined);
}

/** The elements of a tuple key "(1, 2)" or "(1,2)", or the key itself. */
export function keyParts(key: string): string[] {
    const k = key.trim();
    if (!k.startsWith('(') || !k.endsWith(')')) return [k];
    return k.slice(1, -1).split(/[,;]/).map(s => s.trim());
}

/** Name of function `id` ("func 7" when the app does not name it). */
export function functionName(id: string, names: FunctionNames): string {
    return names[id] || `func ${id}`;
}

/** Map keys that are all function indices the app names: then the view shows names beside them. */
export function keysAreFunctions(t: ReportTable, names: FunctionNames): boolean {
    if (t.kind !== 'map' || t.rows.length === 0 || Object.keys(names).length === 0) return false;
    return t.rows.every(r => keyParts(r.key).every(p => INT.test(p) && names[p] !== undefined));
}

/** A row's label in charts: a map's key (with function names when keys are functions), a site's function and pc. */
export function rowLabel(t: ReportTable, r: ReportRow, names: FunctionNames, fnKeys = keysAreFunctions(t, names)): string {
    if (t.kind === 'map') {
        const key = fnKeys ? keyParts(r.key).map(p => functionName(p, names)).join(' → ') : r.key;
        return r.fname ? `${key} @ ${r.fname || `func ${r.fid}`}:${r.pc}` : key;
    }
    if (t.kind === 'site') return `${r.fname || functionName(r.fid, names)} @ pc ${r.pc}`;
    return t.name;
}

export interface Bars { labels: string[]; values: number[]; total: number; rows: number }

/** The `n` largest values of a numeric table, largest first. */
export function topN(t: ReportTable, n: number, names: FunctionNames = {}): Bars {
    const fnKeys = keysAreFunctions(t, names);
    const rows = t.rows.map(r => ({ label: rowLabel(t, r, names, fnKeys), v: numeric(r.value) ?? 0 }));
    const sorted = rows.sort((a, b) => b.v - a.v).slice(0, n);
    return { labels: sorted.map(x => x.label), values: sorted.map(x => x.v), total: rows.reduce((s, x) => s + x.v, 0), rows: t.rows.length };
}

/**
 * Totals per function: a per-site table sums its sites by function; a map keyed by function ids (or by
 * tuples whose first element is one) sums by that function. Undefined when the table has no function to group by.
 */
export function perFunction(t: ReportTable, names: FunctionNames = {}): Bars | undefined {
    const sums = new Map<string, number>();
    if (t.kind === 'site') {
        for (const r of t.rows) {
            const k = r.fname || functionName(r.fid, names);
            sums.set(k, (sums.get(k) ?? 0) + (numeric(r.value) ?? 0));
        }
    } else if (keysAreFunctions(t, names)) {
        for (const r of t.rows) {
            const k = functionName(keyParts(r.key)[0], names);
            sums.set(k, (sums.get(k) ?? 0) + (numeric(r.value) ?? 0));
        }
    } else {
        return undefined;
    }
    const sorted = [...sums].sort((a, b) => b[1] - a[1]);
    return { labels: sorted.map(x => x[0]), values: sorted.map(x => x[1]), total: sorted.reduce((s, x) => s + x[1], 0), rows: t.rows.length };
}

export interface CallGraph { nodes: { id: string; name: string; value: number }[]; edges: { source: string; target: string; value: number }[] }

/** A map keyed by (caller, callee) pairs: functions as nodes, counts on the edges. Undefined for other tables. */
export function callGraph(t: ReportTable, names: FunctionNames = {}, maxEdges = 200): CallGraph | undefined {
    if (t.kind !== 'map' || !isNumericTable(t)) return undefined;
    const pairs = t.rows.map(r => ({ parts: keyParts(r.key), v: numeric(r.value) ?? 0 }));
    if (!pairs.every(p => p.parts.length === 2 && p.parts.every(x => INT.test(x)))) return undefined;
    const top = pairs.sort((a, b) => b.v - a.v).slice(0, maxEdges);
    const nodes = new Map<string, { id: string; name: string; value: number }>();
    const node = (id: string) => nodes.get(id) ?? nodes.set(id, { id, name: functionName(id, names), value: 0 }).get(id)!;
    const edges = top.map(p => {
        node(p.parts[0]).value += p.v;
        node(p.parts[1]).value += p.v;
        return { source: p.parts[0], target: p.parts[1], value: p.v };
    });
    return { nodes: [...nodes.values()], edges };
}

export type HeatGranularity = 'page' | 'line';
export const PAGE_BYTES = 65536;
export const LINE_BYTES = 64;

export interface AddressHeat {
    granularity: HeatGranularity;
    /** Cells [column, row, value]; a row holds 16 pages or 64 cache lines (4 KiB). */
    cells: [number, number, number][];
    columns: number;
    /** Row labels: the first address of each row shown (hex). */
    rowLabels: string[];
    max: number;
}

/** A map keyed by addresses (one integer key) as a heatmap of counts by page or cache line; rows without counts are left out. */
export function addressHeat(t: ReportTable, granularity: HeatGranularity): AddressHeat | undefined {
    if (t.kind !== 'map' || !isNumericTable(t) || !t.rows.every(r => INT.test(r.key.trim()))) return undefined;
    const unit = granularity === 'page' ? PAGE_BYTES : LINE_BYTES;
    const columns = granularity === 'page' ? 16 : 64;
    const buckets = new Map<number, number>();
    for (const r of t.rows) {
        const b = Math.floor(Number(r.key) / unit);
        buckets.set(b, (buckets.get(b) ?? 0) + (numeric(r.value) ?? 0));
    }
    const rows = [...new Set([...buckets.keys()].map(b => Math.floor(b / columns)))].sort((a, b) => a - b);
    const rowIndex = new Map(rows.map((r, i) => [r, i]));
    const cells: [number, number, number][] = [...buckets].sort((a, b) => a[0] - b[0])
        .map(([b, v]) => [b % columns, rowIndex.get(Math.floor(b / columns))!, v]);
    return {
        granularity, cells, columns,
        rowLabels: rows.map(r => `0x${(r * columns * unit).toString(16)}`),
        max: Math.max(0, ...cells.map(c => c[2])),
    };
}

export interface Delta { label: string; before: number; after: number; delta: number }

/** Per-row change of a variable between two runs (rows matched by label), biggest change first. */
export function compareTables(before: ReportTable | undefined, after: ReportTable | undefined, names: FunctionNames = {}): Delta[] {
    // Both runs label their rows the same way: by function when either run's keys are functions.
    const fnKeys = [before, after].some(t => t && keysAreFunctions(t, names));
    const values = (t: ReportTable | undefined) => {
        const m = new Map<string, number>();
        if (!t) return m;
        for (const r of t.rows) {
            const l = rowLabel(t, r, names, fnKeys);
            m.set(l, (m.get(l) ?? 0) + (numeric(r.value) ?? 0));
        }
        return m;
    };
    const a = values(before), b = values(after);
    const out: Delta[] = [];
    for (const label of new Set([...a.keys(), ...b.keys()])) {
        const x = a.get(label) ?? 0, y = b.get(label) ?? 0;
        out.push({ label, before: x, after: y, delta: y - x });
    }
    return out.sort((p, q) => Math.abs(q.delta) - Math.abs(p.delta) || (p.label < q.label ? -1 : 1));
}
