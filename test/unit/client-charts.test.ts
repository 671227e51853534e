// The Report view's charts and comparison, computed from report tables (values worked out by hand).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressHeat, callGraph, compareTables, keysAreFunctions, perFunction, topN } from '../../client/src/report/charts.js';
import { tablesFromVariables } from '../../client/src/report/table.js';
import { chartsOf, compareModel, tableModel } from '../../client/src/report/viewModel.js';
import type { ReportVariable } from '../../server/src/protocol.js';

const NAMES = { 1: 'main', 2: 'classify', 3: 'name_of' };
const map = (name: string, type: string, entries: [string, string][]): ReportVariable =>
    ({ name, type, kind: 'map', entries: entries.map(([key, value]) => ({ key, value })) });

const [calls] = tablesFromVariables([map('calls', 'map<(u32,u32),u32>', [['(1, 2)', '10'], ['(1, 3)', '3'], ['(2, 3)', '1']])]);
const [perFn] = tablesFromVariables([map('per_fn', 'map<u32,u32>', [['1', '5'], ['2', '40'], ['3', '7']])]);
const [addrs] = tablesFromVariables([map('loads', 'map<u32,u32>', [['65536', '1'], ['65540', '2'], ['65600', '4'], ['131072', '8'], ['1048576', '16']])]);
const [sites] = tablesFromVariables([
    { name: 'n', type: 'u32', kind: 'site', fname: 'main', fid: 1, pc: 4, value: '2' },
    { name: 'n', type: 'u32', kind: 'site', fname: 'main', fid: 1, pc: 9, value: '3' },
    { name: 'n', type: 'u32', kind: 'site', fname: 'classify', fid: 2, pc: 1, value: '20' },
]);

test('top N: the largest values first, labelled with function names when keys are function ids', () => {
    assert.ok(keysAreFunctions(perFn, NAMES));
    assert.ok(!keysAreFunctions(addrs, NAMES));
    const t = topN(perFn, 2, NAMES);
    assert.deepEqual(t.labels, ['classify', 'name_of']);
    assert.deepEqual(t.values, [40, 7]);
    assert.equal(t.total, 52);
    assert.equal(t.rows, 3);
    // Without names the keys stay as they are.
    assert.deepEqual(topN(perFn, 1).labels, ['2']);
});

test('per function: sites summed by function; tuple keys by their first function', () => {
    assert.deepEqual(perFunction(sites, NAMES), { labels: ['classify', 'main'], values: [20, 5], total: 25, rows: 3 });
    assert.deepEqual(perFunction(calls, NAMES)?.labels, ['main', 'classify']);
    assert.deepEqual(perFunction(calls, NAMES)?.values, [13, 1]);
    assert.equal(perFunction(addrs, NAMES), undefined);
});

test('call graph: (caller, callee) keys become named nodes and counted edges', () => {
    const g = callGraph(calls, NAMES)!;
    assert.deepEqual(g.nodes.map(n => [n.id, n.name, n.value]).sort(), [['1', 'main', 13], ['2', 'classify', 11], ['3', 'name_of', 4]]);
    assert.deepEqual(g.edges, [{ source: '1', target: '2', value: 10 }, { source: '1', target: '3', value: 3 }, { source: '2', target: '3', value: 1 }]);
    assert.equal(callGraph(perFn, NAMES), undefined, 'single keys are no call graph');
});

test('address heatmap: counts by 64 KiB page and by 64-byte cache line', () => {
    const pages = addressHeat(addrs, 'page')!;
    // Pages 1 (65536..131071: 1+2+4), 2 (8) and 16 (16): rows of 16 pages.
    assert.deepEqual(pages.cells, [[1, 0, 7], [2, 0, 8], [0, 1, 16]]);
    assert.deepEqual(pages.rowLabels, ['0x0', '0x100000']);
    assert.equal(pages.max, 16);
    const lines = addressHeat(addrs, 'line')!;
    // 65536 and 65540 share line 1024; 65600 is line 1025; rows of 64 lines (4 KiB).
    assert.deepEqual(lines.cells.slice(0, 2), [[0, 0, 3], [1, 0, 4]]);
    assert.deepEqual(lines.rowLabels, ['0x10000', '0x20000', '0x100000']);
});

test('the charts a table gets', () => {
    assert.deepEqual(chartsOf(calls, NAMES).map(c => c.kind), ['bar', 'bar', 'graph']);
    assert.deepEqual(chartsOf(addrs, NAMES).map(c => c.id), ['loads:top', 'loads:pages', 'loads:lines']);
    assert.deepEqual(chartsOf(sites, NAMES).map(c => c.id), ['n:top', 'n:functions']);
    assert.deepEqual(chartsOf(tablesFromVariables([{ name: 'g', type: 'u32', kind: 'global', value: '1' }])[0], NAMES), []);
});

test('a map keyed by function ids gets a function column', () => {
    const m = tableModel(perFn, NAMES, { column: 'value', descending: true });
    assert.deepEqual(m.columns, ['key', 'function', 'value']);
    assert.deepEqual(m.rows, [['2', 'classify', '40'], ['3', 'name_of', '7'], ['1', 'main', '5']]);
});

test('comparison: per-row change, biggest first, rows present in one run only count from 0', () => {
    const [after] = tablesFromVariables([map('per_fn', 'map<u32,u32>', [['1', '5'], ['2', '10'], ['4', '3']])]);
    const d = compareTables(perFn, after, NAMES);
    assert.deepEqual(d.map(x => [x.label, x.before, x.after, x.delta]), [['classify', 40, 10, -30], ['name_of', 7, 0, -7], ['func 4', 0, 3, 3], ['main', 5, 5, 0]]);
    const cm = compareModel({ title: 'A', tables: [perFn] }, { title: 'B', tables: [after] }, NAMES);
    assert.equal(cm.variables[0].chart.kind, 'bar');
    assert.deepEqual(cm.variables[0].chart.kind === 'bar' && cm.variables[0].chart.values, [-30, -7, 3]);
});
