// The Report view's table model: the SPEC.md report CSV split into tables per variable, sorting, export.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReport, sortRows, splitMapValue, splitReportLine, tablesToCsv, tablesToJson } from '../../client/src/report/table.js';

// The example of SPEC.md ("Running and the report"), plus a second site of `count`.
const CSV = `id, id_type, name, whamm_type, wasm_type, script_id, fname, fid, pc, probe_id, value(s)
1, global_id, val, i32, i32, script0, , , , , 42
4, memaddr, count, u32, i32, script0, main, 5, 9, 0_wasm:opcode:call:before, 1
5, memaddr, count, u32, i32, script0, helper, 7, 12, 0_wasm:opcode:call:before, 10
0, map_id, count_map, map<(u32,u32,u32),i32>, i32, script0, , , , , (0,10,0)->1;(1,12,0)->3
`;

test('a report line splits into 11 columns; commas inside a map type stay in the type', () => {
    const c = splitReportLine('0, map_id, m, map<(u32,u32,u32),i32>, i32, script0, , , , , (0,10,0)->1;(1,12,0)->3')!;
    assert.equal(c.length, 11);
    assert.equal(c[3], 'map<(u32,u32,u32),i32>');
    assert.equal(c[10], '(0,10,0)->1;(1,12,0)->3');
    assert.equal(splitReportLine('not, a, report'), undefined);
});

test('map values split into entries at top-level semicolons only', () => {
    assert.deepEqual(splitMapValue('(0,10,0)->1;(1,12,0)->3'), [{ key: '(0,10,0)', value: '1' }, { key: '(1,12,0)', value: '3' }]);
    assert.deepEqual(splitMapValue('(1; 2)->(3; 4)'), [{ key: '(1; 2)', value: '(3; 4)' }]);
    assert.deepEqual(splitMapValue(''), []);
});

test('one table per variable: globals, per-site variables and maps', () => {
    const t = parseReport(CSV);
    assert.deepEqual(t.map(x => [x.name, x.kind, x.rows.length]), [['val', 'global', 1], ['count', 'site', 2], ['count_map', 'map', 2]]);
    assert.equal(t[0].rows[0].value, '42');
    assert.deepEqual(t[1].rows.map(r => [r.fname, r.fid, r.pc, r.probe, r.value]),
        [['main', '5', '9', '0_wasm:opcode:call:before', '1'], ['helper', '7', '12', '0_wasm:opcode:call:before', '10']]);
    assert.deepEqual(t[2].columns, ['key', 'value']);
});

test('sorting is numeric for numbers, stable, and can be reversed', () => {
    const rows = parseReport(CSV)[1].rows;
    assert.deepEqual(sortRows(rows, 'value', true).map(r => r.value), ['10', '1']);
    assert.deepEqual(sortRows(rows, 'value').map(r => r.value), ['1', '10']);
    assert.deepEqual(sortRows(rows, 'fname').map(r => r.fname), ['helper', 'main']);
    // Text compared with numbers: numbers first.
    const mixed = [{ fname: '', fid: '', pc: '', probe: '', key: '', value: 'abc' }, { fname: '', fid: '', pc: '', probe: '', key: '', value: '9' }];
    assert.deepEqual(sortRows(mixed, 'value').map(r => r.value), ['9', 'abc']);
});

test('CSV export quotes fields with commas; JSON export gives numbers as numbers', () => {
    const tables = parseReport(CSV);
    const csv = tablesToCsv(tables).split('\r\n');
    assert.equal(csv[0], 'variable,type,fname,fid,pc,probe,key,value');
    assert.equal(csv[1], 'val,i32,,,,,,42');
    assert.equal(csv[4], 'count_map,"map<(u32,u32,u32),i32>",,,,,"(0,10,0)",1');
    const json = JSON.parse(tablesToJson(tables));
    assert.deepEqual(json.variables[1].rows[1], { fname: 'helper', fid: 7, pc: 12, probe: '0_wasm:opcode:call:before', value: 10 });
    assert.deepEqual(json.variables[2].rows[0], { key: '(0,10,0)', value: 1 });
});
