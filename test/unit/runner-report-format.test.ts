import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport, REPORT_BANNER, REPORT_HEADER } from '../../server/src/runner/report-format.js';
import { formatFloat, formatScalar } from '../../server/src/runtime/value-format.js';

const f64bits = (x: number) => new BigInt64Array(new Float64Array([x]).buffer)[0];

test('floats print in exponent form with a sign and the shortest round-trip digits', () => {
    assert.equal(formatFloat(2.5, false), '+2.5e0');
    assert.equal(formatFloat(255, false), '+2.55e2');
    assert.equal(formatFloat(-1, false), '-1e0');
    assert.equal(formatFloat(0, false), '+0e0');
    assert.equal(formatFloat(-0, false), '-0e0');
    assert.equal(formatFloat(Infinity, true), '+inf');
    assert.equal(formatFloat(-Infinity, false), '-inf');
    assert.equal(formatFloat(Number.MAX_VALUE, false), '+1.7976931348623157e308');
    // f32 max: the shortest decimal that rounds to it in single precision.
    assert.equal(formatFloat(Math.fround(3.4028234663852886e38), true), '+3.4028235e38');
    assert.equal(formatFloat(Math.fround(-1.1), true), '-1.1e0');
    assert.equal(formatFloat(Math.fround(1.8446744073709552e19), true), '+1.8446744e19');
});

test('integers print with the signedness and width of their Whamm type', () => {
    assert.equal(formatScalar(-1n, 'u8'), '255');
    assert.equal(formatScalar(255n, 'i8'), '-1');
    assert.equal(formatScalar(0xffffffffn, 'u32'), '4294967295');
    assert.equal(formatScalar(0xffffffffn, 'i32'), '-1');
    assert.equal(formatScalar(-1n, 'u64'), '18446744073709551615');
    assert.equal(formatScalar(-9223372036854775808n, 'i64'), '-9223372036854775808');
    assert.equal(formatScalar(1n, 'bool'), 'true');
    assert.equal(formatScalar(0n, 'bool'), 'false');
    assert.equal(formatScalar(f64bits(2.5), 'f64'), '+2.5e0');
    assert.equal(formatScalar(f64bits(Math.fround(-1.1)), 'f32'), '-1.1e0');
});

test('a report has the banner, the header and one row per variable, globals without site columns', () => {
    const text = formatReport({
        version: 1, script: 's.mm', readers: [],
        vars: [
            { name: 'count', type: 'u32', slot: 1 },
            { name: 'hits', type: 'i32', fname: 'main', fid: 5, pc: 9, probe: '0_wasm:opcode:call:before', slot: 0 },
        ],
    }, [7n, 42n]);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], REPORT_BANNER);
    assert.equal(lines[1], REPORT_HEADER);
    assert.equal(lines[2], '0, global_id, count, u32, i32, script0, , , , , 42');
    assert.equal(lines[3], '1, memaddr, hits, i32, i32, script0, main, 5, 9, 0_wasm:opcode:call:before, 7');
});

test('the layout section round-trips in its packed form and also accepts the plain JSON form', async () => {
    const { encodeLayout, decodeLayout } = await import('../../server/src/engine/report-layout.js');
    const layout = {
        version: 1 as const, script: 's.mm', readers: [{ export: 'whamm$report0', count: 2 }],
        vars: [
            { name: 'count', type: 'u32', slot: 0 },
            { name: 'hits', type: 'i32', fname: '', fid: 3, pc: 9, probe: '0_wasm:opcode:call:before', slot: 1 },
        ],
    };
    assert.deepEqual(decodeLayout(encodeLayout(layout)), layout);
    assert.deepEqual(decodeLayout(new TextEncoder().encode(JSON.stringify(layout))), layout);
});
