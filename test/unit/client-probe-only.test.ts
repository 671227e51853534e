// "Run this probe" instruments the chosen probe only: the other probes become comments, declarations stay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepOnlyProbe } from '../../client/src/sites/probeOnly.js';

const SCRIPT = `report var a: u32;
wasm:opcode:br_if:before {
    a++;
}
wasm:opcode:call:before { a = a + 2; }
fn helper() -> u32 { return 1; }
wasm:opcode:i32.load:before {
    a++;
}
`;

test('the other probes are commented out line by line; the kept one and the declarations are untouched', () => {
    const probes = [{ start: 1, end: 3 }, { start: 4, end: 4 }, { start: 6, end: 8 }];
    const out = keepOnlyProbe(SCRIPT, probes, 1).split('\n');
    assert.equal(out[0], 'report var a: u32;');
    assert.deepEqual(out.slice(1, 4), ['// wasm:opcode:br_if:before {', '//     a++;', '// }']);
    assert.equal(out[4], 'wasm:opcode:call:before { a = a + 2; }');
    assert.equal(out[5], 'fn helper() -> u32 { return 1; }');
    assert.deepEqual(out.slice(6, 9), ['// wasm:opcode:i32.load:before {', '//     a++;', '// }']);
    assert.equal(keepOnlyProbe(SCRIPT, probes, 0).split('\n')[1], 'wasm:opcode:br_if:before {');
});
