// The wasm map store behind the engine's `whamm_rt` map_get_N / map_set_N / map_add_N interface.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWordMapRuntime } from '../../server/src/runtime/word-maps.js';

type Fn = (...a: (number | bigint)[]) => bigint | undefined;

test('get/set/add over i64 key words, per-map value wrap, entries for the report', async () => {
    const rt = await createWordMapRuntime([
        { id: 0, keys: ['u32', 'u32', 'u32'], value: 'i32' },
        { id: 3, keys: ['u32'], value: 'u8' },
        { id: 4, keys: ['i64'], value: 'i64' },
    ]);
    const f = rt.imports.whamm_rt as Record<string, Fn>;
    f.map_add_3(0, 1n, 12n, 0n, 1n);
    f.map_add_3(0, 1n, 12n, 0n, 1n);
    f.map_add_3(0, 1n, 12n, 1n, 1n);
    assert.equal(f.map_get_3(0, 1n, 12n, 0n), 2n);
    assert.equal(f.map_get_3(0, 9n, 9n, 9n), 0n, 'a missing key reads 0');
    f.map_set_3(0, 0n, 10n, 0n, -5n);
    f.map_add_3(0, 0n, 10n, 0n, 1n);
    assert.equal(f.map_get_3(0, 0n, 10n, 0n), -4n);
    f.map_add_3(0, 0n, 0n, 0n, 0x7fffffffn);
    f.map_add_3(0, 0n, 0n, 0n, 1n);
    assert.equal(f.map_get_3(0, 0n, 0n, 0n), -0x80000000n, 'i32 values wrap at 32 bits');
    for (let i = 0; i < 300; i++) f.map_add_1(3, 7n, 1n);
    assert.equal(f.map_get_1(3, 7n), 44n, 'u8: 300 mod 256');
    f.map_add_1(4, -1n, 1n << 40n);
    assert.equal(f.map_get_1(4, -1n), 1n << 40n);
    assert.equal(f.map_get_1(3, -1n), 0n, 'maps of one arity are separate');
    const e0 = rt.entries(0).map(e => `${e.key.join(',')}->${e.value}`).sort();
    assert.deepEqual(e0, ['0,0,0->-2147483648', '0,10,0->-4', '1,12,0->2', '1,12,1->1']);
    assert.deepEqual(rt.entries(3).map(e => [e.key, e.value]), [[[7n], 44n]]);
    assert.deepEqual(rt.entries(1), []);
});

test('many keys: growth keeps every count', async () => {
    const rt = await createWordMapRuntime([{ id: 0, keys: ['u32', 'bool'], value: 'u32' }]);
    const f = rt.imports.whamm_rt as Record<string, Fn>;
    for (let i = 0; i < 50_000; i++) f.map_add_2(0, BigInt(i * 4), BigInt(i & 1), 1n);
    for (let i = 0; i < 50_000; i += 2) f.map_add_2(0, BigInt(i * 4), BigInt(i & 1), 1n);
    const entries = rt.entries(0);
    assert.equal(entries.length, 50_000);
    const total = entries.reduce((n, e) => n + e.value, 0n);
    assert.equal(total, 75_000n);
    assert.equal(f.map_get_2(0, 8n, 0n), 2n);
    assert.equal(f.map_get_2(0, 12n, 1n), 1n);
});
