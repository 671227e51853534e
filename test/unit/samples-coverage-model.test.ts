// From site counts to lines, lcov and JSON, on a hand-made module and source map (no engine, no run):
// every expected number below is worked out by hand from the counts and the mapping.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { aggregate } from '../../server/src/coverage/aggregate.js';
import { hotSpots } from '../../server/src/coverage/hotspots.js';
import { fromJson, toJson } from '../../server/src/coverage/json.js';
import { parseLcov, toLcov } from '../../server/src/coverage/lcov.js';
import { mergeReports } from '../../server/src/coverage/model.js';
import { coverageScript } from '../../server/src/coverage/monitor.js';
import { loadSourceMapper } from '../../server/src/mapping/index.js';
import { decodeModule } from '../../server/src/wasm/decode.js';
import { encodeMappings, handModule } from '../support/samples.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-cov-model-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

// One function: 10 nops (i0..i9) and its final `end` (i10). Source map: i0-i2 -> a.ts:5, i3-i4 ->
// a.ts:10, i5-i6 -> nothing, i7-i9 -> b.ts:1, i10 -> b.ts:20.
// Basic blocks as the monitor would count them: i0 entered 5 times, i4 twice, i10 (the end) 7 times.
// A br_if-like outcome pair sits on i3.
function fixture() {
    const m = handModule(10);
    const wasm = path.join(dir, 'app.wasm');
    fs.writeFileSync(wasm, m.bytes);
    const i = m.instrOffsets;
    fs.writeFileSync(wasm + '.map', JSON.stringify({
        version: 3, names: [], sources: ['a.ts', 'b.ts'],
        mappings: encodeMappings([[i[0], 0, 4, 0], [i[3], 0, 9, 0], [i[5]], [i[7], 1, 0, 0], [i[10], 1, 19, 0]]),
    }));
    const mapper = loadSourceMapper(m.bytes, wasm);
    const counts = {
        blocks: new Map([[i[0], 5], [i[4], 2], [i[10], 7]]),
        branches: new Map([[i[3], { kind: 'br_if' as const, outcomes: [{ label: 'taken', count: 3 }, { label: 'not taken', count: 2 }] }]]),
    };
    const report = aggregate(decodeModule(m.bytes), mapper, counts, wasm);
    return { report, a: path.join(dir, 'a.ts'), b: path.join(dir, 'b.ts') };
}

test('line hits are the most executed instruction of the line; heat sums instructions; structural ones only count alone', () => {
    const { report, a, b } = fixture();
    const fa = report.files.get(a)!, fb = report.files.get(b)!;
    // a.ts:5 = i0..i2 (block of 5); a.ts:10 = i3 (5) and i4 (new block: 2).
    assert.deepEqual([...fa.lines], [[5, 5], [10, 5]]);
    assert.deepEqual([...fa.heat], [[5, 15], [10, 7]]);
    // b.ts:1 = i7..i9 (still the block of 2); b.ts:20 = only the final `end` (7).
    assert.deepEqual([...fb.lines].sort((x, y) => x[0] - y[0]), [[1, 2], [20, 7]]);
    assert.deepEqual([...fb.heat], [[1, 6]]);
    // i5, i6 run twice each with no source.
    assert.equal(report.unmappedExecutions, 4);
    assert.deepEqual(fa.functions, [{ name: 'func0', line: 5, calls: 5, instructions: 15 + 7 + 4 + 6 }]);
    assert.deepEqual(fa.branches.map(x => [x.line, x.kind, x.outcomes.map(o => o.count)]), [[10, 'br_if', [3, 2]]]);
    assert.equal(report.mapping, 'sourcemap');
});

test('lcov text, exactly', () => {
    const { report, a, b } = fixture();
    assert.equal(toLcov(report), [
        'TN:', `SF:${a}`, 'FN:5,func0', 'FNDA:5,func0', 'FNF:1', 'FNH:1',
        'BRDA:10,0,0,3', 'BRDA:10,0,1,2', 'BRF:2', 'BRH:2',
        'DA:5,5', 'DA:10,5', 'LF:2', 'LH:2', 'end_of_record',
        'TN:', `SF:${b}`, 'FNF:0', 'FNH:0', 'BRF:0', 'BRH:0', 'DA:1,2', 'DA:20,7', 'LF:2', 'LH:2', 'end_of_record', '',
    ].join('\n'));
});

test('JSON keyed by source name; merging doubles every count; lcov round trip keeps lines', () => {
    const { report, a } = fixture();
    const json = toJson(report);
    assert.deepEqual(Object.keys(json.files), ['a.ts', 'b.ts']);
    assert.deepEqual(json.files['a.ts'].lines, { 5: 5, 10: 5 });
    const twice = mergeReports(fromJson(JSON.parse(JSON.stringify(json))), fixture().report);
    assert.equal(twice.runs, 2);
    assert.deepEqual([...twice.files.get(a)!.lines], [[5, 10], [10, 10]]);
    assert.deepEqual(twice.files.get(a)!.branches[0].outcomes.map(o => o.count), [6, 4]);
    assert.equal(twice.files.get(a)!.functions[0].calls, 10);
    const back = parseLcov(toLcov(report));
    assert.deepEqual([...back.files.get(a)!.lines], [[5, 5], [10, 5]]);
    assert.deepEqual(back.files.get(a)!.branches[0].outcomes.map(o => o.count), [3, 2]);
});

test('hot spots: lines and functions by instructions executed, shares of the total (unmapped included)', () => {
    const { report, a, b } = fixture();
    const h = hotSpots(report, 2);
    const total = 15 + 7 + 4 + 6;
    assert.equal(h.total, total);
    assert.deepEqual(h.lines.map(l => [l.path, l.line, l.instructions, l.share]), [[a, 5, 15, 15 / total], [a, 10, 7, 7 / total]]);
    assert.deepEqual(h.functions.map(f => [f.name, f.instructions, f.calls]), [['func0', total, 5]]);
    void b;
});

test('a run that is not a coverage JSON file is refused with a message', () => {
    assert.throws(() => fromJson({ hello: 1 }), /not a whamm coverage JSON file/);
    assert.throws(() => fromJson(null), /not a whamm coverage JSON file/);
});

test('the monitor script: block counters, branch counters, br_table probes only up to the largest table', () => {
    const none = coverageScript(0);
    assert.match(none, /^wasm:block:start \{ report unshared var wcov_block: u64; wcov_block\+\+; \}$/m);
    assert.match(none, /^wasm:opcode:br_if\|if:before \{$/m);
    assert.doesNotMatch(none, /br_table/);
    const three = coverageScript(3);
    assert.equal((three.match(/\/ num_targets > \d+ \//g) ?? []).length, 3);
    assert.doesNotMatch(three, /beyond/);
    const many = coverageScript(100);
    assert.equal((many.match(/wcov_target_\d+: u64/g) ?? []).length, 32);
    assert.match(many, /num_targets > 32 \/ \{ report unshared var wcov_target_beyond/);
});
