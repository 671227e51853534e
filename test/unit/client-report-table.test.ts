// The Report view's table model: the run's report variables (as `--report-json` gives them) as tables per
// variable, sorting, export.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ReportVariable } from '../../server/src/protocol.js';
import { sortRows, tablesFromVariables, tablesToCsv, tablesToJson } from '../../client/src/report/table.js';

// The example of SPEC.md ("Running and the report"), plus a second site of `count`, as values.
const VARS: ReportVariable[] = [
    { name: 'val', type: 'i32', kind: 'global', value: '42' },
    { name: 'count', type: 'u32', kind: 'site', fname: 'main', fid: 5, pc: 9, probe: '0_wasm:opcode:call:before', value: '1' },
    { name: 'count', type: 'u32', kind: 'site', fname: 'helper', fid: 7, pc: 12, probe: '0_wasm:opcode:call:before', value: '10' },
    { name: 'count_map', type: 'map<(u32,u32,u32),i32>', kind: 'map', entries: [{ key: '(0,10,0)', value: '1' }, { key: '(1,12,0)', value: '3' }] },
];

test('one table per variable: globals, per-site variables and maps', () => {
    const t = tablesFromVariables(VARS);
    assert.deepEqual(t.map(x => [x.name, x.kind, x.rows.length]), [['val', 'global', 1], ['count', 'site', 2], ['count_map', 'map', 2]]);
    assert.equal(t[0].rows[0].value, '42');
    assert.deepEqual(t[1].rows.map(r => [r.fname, r.fid, r.pc, r.probe, r.value]),
        [['main', '5', '9', '0_wasm:opcode:call:before', '1'], ['helper', '7', '12', '0_wasm:opcode:call:before', '10']]);
    assert.deepEqual(t[2].columns, ['key', 'value']);
    assert.deepEqual(t[2].rows.map(r => [r.key, r.value]), [['(0,10,0)', '1'], ['(1,12,0)', '3']]);
});

test('sorting is numeric for numbers, stable, and can be reversed', () => {
    const rows = tablesFromVariables(VARS)[1].rows;
    assert.deepEqual(sortRows(rows, 'value', true).map(r => r.value), ['10', '1']);
    assert.deepEqual(sortRows(rows, 'value').map(r => r.value), ['1', '10']);
    assert.deepEqual(sortRows(rows, 'fname').map(r => r.fname), ['helper', 'main']);
    // Text compared with numbers: numbers first.
    const mixed = [{ fname: '', fid: '', pc: '', probe: '', key: '', value: 'abc' }, { fname: '', fid: '', pc: '', probe: '', key: '', value: '9' }];
    assert.deepEqual(sortRows(mixed, 'value').map(r => r.value), ['9', 'abc']);
});

test('CSV export quotes fields with commas; JSON export gives numbers as numbers', () => {
    const tables = tablesFromVariables(VARS);
    const csv = tablesToCsv(tables).split('\r\n');
    assert.equal(csv[0], 'variable,type,fname,fid,pc,probe,key,value');
    assert.equal(csv[1], 'val,i32,,,,,,42');
    assert.equal(csv[4], 'count_map,"map<(u32,u32,u32),i32>",,,,,"(0,10,0)",1');
    const json = JSON.parse(tablesToJson(tables));
    assert.deepEqual(json.variables[1].rows[1], { fname: 'helper', fid: 7, pc: 12, probe: '0_wasm:opcode:call:before', value: 10 });
    assert.deepEqual(json.variables[2].rows[0], { key: '(0,10,0)', value: 1 });
});
