// The site table keeps rows in chunks (no copying as it grows); its columns, rows and chunks agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SiteTable } from '../../server/src/engine/site-table.js';

test('columns, rows and chunks of a table of 1,500,000 sites (30 chunks) agree with what was added', () => {
    const t = new SiteTable(f => `f${f}`);
    const N = 1_500_000;
    for (let i = 0; i < N; i++) t.add(i % 977, i * 3, i, i * 7, i % 5, i % 2 ? 'wasm:opcode:call:before' : 'wasm:opcode:i32.add:before');
    assert.equal(t.length, N);
    assert.deepEqual(t.rules, ['wasm:opcode:i32.add:before', 'wasm:opcode:call:before']);
    const pc = t.pc, offset = t.offset;
    assert.equal(pc.length, N);
    for (const i of [0, 1, 1023, 1024, 65535, 130047, 130048, 200_001, 1_400_000, N - 1]) {
        assert.equal(pc[i], i * 3);
        assert.equal(offset[i], i * 7);
        assert.deepEqual(t.get(i), { fid: i % 977, fname: `f${i % 977}`, pc: i * 3, opidx: i, offset: i * 7, probe: i % 5, rule: t.rules[i % 2] });
    }
    let rows = 0;
    for (const { first, count, cols } of t.chunksOf()) {
        assert.equal(first, rows);
        for (let j = 0; j < count; j += 997) assert.equal(cols[2][j], first + j);
        rows += count;
    }
    assert.equal(rows, N);
    t.add(1, 2, 3, 4, 0, 'wasm:opcode:call:before');
    assert.equal(t.pc.length, N + 1, 'a column asked for again includes rows added since');
    assert.equal(t.opidx[N], 3);
});

test('with a sink, full chunks are handed over in row order and the table keeps one chunk', () => {
    const handed: number[] = [];
    let next = 0;
    const t = new SiteTable(f => `f${f}`, (first, count, cols) => {
        assert.equal(first, next, 'chunks come in row order');
        for (let j = 0; j < count; j++) handed.push(cols[2][j]);
        next += count;
    });
    const N = 300_000;
    for (let i = 0; i < N; i++) t.add(i % 7, i, i, i * 2, i % 3 === 0 ? 1 : 0, i % 3 === 0 ? 'wasm:opcode:call:before' : 'wasm:opcode:i32.add:before');
    assert.equal(t.length, N);
    assert.ok(t.handedOver > 0 && t.handedOver < N && t.handedOver % 65536 === 0, `${t.handedOver} rows handed over`);
    assert.equal(handed.length, t.handedOver);
    let rows = t.handedOver;
    for (const { first, count, cols } of t.chunksOf()) {
        assert.equal(first, rows);
        for (let j = 0; j < count; j++) handed.push(cols[2][j]);
        rows += count;
    }
    assert.equal(rows, N, 'the handed-over rows and the kept ones make the whole table');
    assert.ok(handed.every((v, i) => v === i), 'every row once, in order');
    assert.equal(t.ruleOfProbe(1), 'wasm:opcode:call:before');
    assert.equal(t.ruleOfProbe(0), 'wasm:opcode:i32.add:before');
    assert.equal(t.ruleOfProbe(2), undefined);
    assert.throws(() => t.get(0), /handed its rows/);
    assert.throws(() => t.pc, /handed its rows/);
});
