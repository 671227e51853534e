// What the Report view shows, as plain data for the webview (pure, unit-tested): each table with its rows
// as text (sorted as asked, function names beside function-id keys) and the charts that fit it; the list of
// runs to compare and the comparison itself.
import { addressHeat, callGraph, compareTables, functionName, isNumericTable, keyParts, keysAreFunctions, perFunction, topN,
    type AddressHeat, type CallGraph, type Delta, type FunctionNames } from './charts.js';
import { cell, sortRows, type ReportTable } from './table.js';

export type ChartModel =
    | { id: string; kind: 'bar'; title: string; labels: string[]; values: number[]; note?: string }
    | { id: string; kind: 'graph'; title: string; graph: CallGraph }
    | { id: string; kind: 'heat'; title: string; heat: AddressHeat };

export interface TableModel {
    name: string;
    type: string;
    kind: ReportTable['kind'];
    columns: string[];
    rows: string[][];
    /** Rows left out of the page (very large maps); the exports hold them all. */
    hidden: number;
    sort?: { column: string; descending: boolean };
    charts: ChartModel[];
}

export interface CompareModel {
    before: string;
    after: string;
    variables: { name: string; deltas: Delta[]; chart: ChartModel }[];
}

export interface ViewModel {
    title: string;
    /** Why the report no longer matches the script or app (shown as a banner). */
    stale?: string;
    /** One line about how the run ended when it did not end well (trap, exit code). */
    problem?: string;
    /** Said of a big report: only its first rows are shown. */
    note?: string;
    runs: { id: string; label: string }[];
    runId?: string;
    tables: TableModel[];
    compare?: CompareModel;
}

export const TOP_N = 15;
const MAX_ROWS_SHOWN = 2000;

export function chartsOf(t: ReportTable, names: FunctionNames): ChartModel[] {
    if (!isNumericTable(t) || t.kind === 'global') return [];
    const out: ChartModel[] = [];
    const id = (k: string) => `${t.name}:${k}`;
    const top = topN(t, TOP_N, names);
    if (t.rows.length > 1) {
        out.push({ id: id('top'), kind: 'bar', title: `${t.name}: top ${top.labels.length} of ${top.rows}`, labels: top.labels, values: top.values });
    }
    const fn = perFunction(t, names);
    if (fn && fn.labels.length > 1 && (t.kind === 'site' || keyParts(t.rows[0].key).length > 1)) {
        out.push({ id: id('functions'), kind: 'bar', title: `${t.name} by function`, labels: fn.labels.slice(0, TOP_N), values: fn.values.slice(0, TOP_N) });
    }
    const graph = callGraph(t, names);
    if (graph) out.push({ id: id('graph'), kind: 'graph', title: `${t.name}: calls (caller → callee)`, graph });
    if (!graph && t.kind === 'map' && !keysAreFunctions(t, names)) {
        const page = addressHeat(t, 'page');
        const line = addressHeat(t, 'line');
        // Address-keyed maps spread over many lines; a map of a few small keys is a plain bar chart.
        if (page && line && line.cells.length > 1 && Math.max(...t.rows.map(r => Number(r.key))) >= 4096) {
            out.push({ id: id('pages'), kind: 'heat', title: `${t.name} by 64 KiB page`, heat: page });
            out.push({ id: id('lines'), kind: 'heat', title: `${t.name} by cache line (64 B)`, heat: line });
        }
    }
    return out;
}

export function tableModel(t: ReportTable, names: FunctionNames, sort?: { column: string; descending: boolean }): TableModel {
    const rows = sort ? sortRows(t.rows, sort.column, sort.descending) : t.rows;
    const fnKeys = keysAreFunctions(t, names);
    const columns = fnKeys ? [...t.columns.slice(0, t.columns.indexOf('key') + 1), 'function', ...t.columns.slice(t.columns.indexOf('key') + 1)] : t.columns;
    const shown = rows.slice(0, MAX_ROWS_SHOWN).map(r => columns.map(c => c === 'function'
        ? keyParts(r.key).map(p => functionName(p, names)).join(', ')
        : c === 'fname' && !r.fname && r.fid ? functionName(r.fid, names) : cell(r, c)));
    return { name: t.name, type: t.type, kind: t.kind, columns, rows: shown, hidden: rows.length - shown.length, sort, charts: chartsOf(t, names) };
}

export function compareModel(before: { title: string; tables: ReportTable[] }, after: { title: string; tables: ReportTable[] }, names: FunctionNames): CompareModel {
    const variables = after.tables.filter(isNumericTable).map(t => {
        const deltas = compareTables(before.tables.find(x => x.name === t.name), t, names);
        const top = deltas.filter(d => d.delta !== 0).slice(0, TOP_N);
        const chart: ChartModel = { id: `compare:${t.name}`, kind: 'bar', title: `${t.name}: biggest changes`, labels: top.map(d => d.label), values: top.map(d => d.delta) };
        return { name: t.name, deltas: deltas.slice(0, MAX_ROWS_SHOWN), chart };
    });
    return { before: before.title, after: after.title, variables };
}
