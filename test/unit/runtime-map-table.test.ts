// The generated hash table under the access patterns it is tuned for (neighbouring addresses, read and
// write keys of one address, growth) and its edge cases (empty maps, all-zero multi-word keys), checked
// against a JS Map that counts the same updates.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuntimeBuilder, type RtImport } from '../../server/src/runtime/builder.js';
import { WhammRuntime } from '../../server/src/runtime/runtime.js';
import { CoreLibraryHost } from '../../server/src/runtime/core-lib.js';
import { watToWasm } from '../../server/src/wasm/wat-assemble.js';

function importDecl(imp: RtImport, id: string): string {
    const p = imp.params.length ? `(param ${imp.params.join(' ')})` : '';
    const r = imp.results.length ? `(result ${imp.results.join(' ')})` : '';
    return `(import "${imp.module}" ${JSON.stringify(imp.name)} (func ${id} ${p} ${r}))`;
}

async function setup(b: RuntimeBuilder, imports: [string, RtImport][], body: string) {
    const bytes = await watToWasm(`(module ${imports.map(([id, imp]) => importDecl(imp, id)).join('\n')} ${body})`);
    const sections = await b.sections();
    const rt = await WhammRuntime.create(b.spec(), sections.find(s => s.name === 'whamm.rt.wasm')?.data);
    const { instance } = await WebAssembly.instantiate(bytes, rt.imports());
    return { rt, exports: instance.exports as Record<string, (...a: unknown[]) => unknown> };
}

const MEM = 'map<(u32,bool),u32>';

test('(addr, is_write) counts stay exact over strided walks, byte walks, far addresses and growth', async () => {
    const b = new RuntimeBuilder();
    const id = b.addMap(MEM);
    const other = b.addMap(MEM);
    const { rt, exports } = await setup(b, [['$inc', b.mapImport('inc', MEM)], ['$get', b.mapImport('get', MEM)], ['$len', { module: 'whamm:rt', name: 'map.len', params: ['i32'], results: ['i32'] }]], `
        (func (export "hit") (param i32 i32 i32) (result i32) (call $inc (local.get 0) (local.get 1) (local.get 2) (i32.const 1)))
        (func (export "get") (param i32 i32 i32) (result i32) (call $get (local.get 0) (local.get 1) (local.get 2)))
        (func (export "len") (param i32) (result i32) (call $len (local.get 0)))`);
    const expected = new Map<string, number>();
    const hit = (addr: number, w: number) => {
        const k = `${addr >>> 0},${w}`;
        const v = (expected.get(k) ?? 0) + 1;
        expected.set(k, v);
        assert.equal(exports.hit(id, addr, w), v);
    };
    // doubles read then written (a[i] += ...), twice; int reads; a byte-wise copy; addresses 2^32 apart
    // in the hashed bits only; the highest addresses.
    for (let rep = 0; rep < 2; rep++) for (let a = 1024; a < 1024 + 8 * 30_000; a += 8) { hit(a, 0); hit(a, 1); }
    for (let a = 500_000; a < 500_000 + 4 * 20_000; a += 4) hit(a, 0);
    for (let a = 900_000; a < 900_000 + 5_000; a++) { hit(a, 0); hit(a + 10_000, 1); }
    for (let i = 0; i < 2_000; i++) hit(((i * 2654435761) >>> 0) & ~63, i & 1);
    for (let a = 0xffffffff; a > 0xffffffff - 100; a--) hit(a, 1);
    assert.equal(exports.len(id), expected.size);
    assert.equal(exports.len(other), 0, 'the other map of the same shape is untouched');
    const got = new Map(rt.mapEntries(id).map(e => [`${e.key[0]},${e.key[1]}`, Number(e.value[0])]));
    assert.equal(got.size, expected.size);
    for (const [k, v] of expected) assert.equal(got.get(k), v, `count of ${k}`);
    assert.equal(exports.get(id, 1024, 1), 2);
    assert.equal(exports.get(id, 1028, 0), 0, 'a missing neighbour reads the default');
    assert.equal(exports.get(other, 1024, 1), 0);
});

test('an empty map reads defaults, prints nothing and has length 0', async () => {
    const b = new RuntimeBuilder();
    const id = b.addMap(MEM);
    const { rt, exports } = await setup(b, [['$get', b.mapImport('get', MEM)]], `
        (func (export "get") (param i32 i32) (result i32) (call $get (i32.const ${id}) (local.get 0) (local.get 1)))`);
    assert.equal(exports.get(0, 0), 0);
    assert.equal(exports.get(0, 1), 0);
    assert.equal(rt.mapText(id), '');
    assert.deepEqual(rt.mapEntries(id), []);
});

test('multi-word keys whose words are all zero are keys like any other', async () => {
    const b = new RuntimeBuilder();
    const T = 'map<(u64,u64),u32>';
    const id = b.addMap(T);
    const { rt, exports } = await setup(b, [['$inc', b.mapImport('inc', T)], ['$get', b.mapImport('get', T)], ['$set', b.mapImport('set', T)]], `
        (func (export "inc") (param i64 i64) (result i32) (call $inc (i32.const ${id}) (local.get 0) (local.get 1) (i32.const 1)))
        (func (export "set") (param i64 i64 i32) (call $set (i32.const ${id}) (local.get 0) (local.get 1) (local.get 2)))
        (func (export "get") (param i64 i64) (result i32) (call $get (i32.const ${id}) (local.get 0) (local.get 1)))`);
    assert.equal(exports.get(0n, 0n), 0);
    assert.equal(exports.inc(0n, 0n), 1);
    assert.equal(exports.inc(0n, 0n), 2);
    exports.set(0n, 1n, 0);
    assert.equal(exports.inc(1n, 0n), 1);
    assert.equal(exports.get(0n, 0n), 2);
    assert.deepEqual(rt.mapText(id).split(';').sort(), ['(0,0)->2', '(0,1)->0', '(1,0)->1']);
});

test('address-keyed counters: a delta of 0 or a wrap to 0 keeps the key, narrow values wrap, reads settle and counting goes on', async () => {
    const b = new RuntimeBuilder();
    const A = 'map<u32,u8>';
    const a = b.addMap(A);
    const m = b.addMap(MEM);
    const { rt, exports } = await setup(b, [
        ['$incA', b.mapImport('inc', A)], ['$getA', b.mapImport('get', A)],
        ['$inc', b.mapImport('inc', MEM)], ['$len', { module: 'whamm:rt', name: 'map.len', params: ['i32'], results: ['i32'] }]], `
        (func (export "incA") (param i32 i32) (result i32) (call $incA (i32.const ${a}) (local.get 0) (local.get 1)))
        (func (export "getA") (param i32) (result i32) (call $getA (i32.const ${a}) (local.get 0)))
        (func (export "inc") (param i32 i32 i32) (result i32) (call $inc (i32.const ${m}) (local.get 0) (local.get 1) (local.get 2)))
        (func (export "len") (param i32) (result i32) (call $len (local.get 0)))`);
    // u8 values wrap at 256 while the counter runs on; a delta of 0 creates the key with 0.
    for (let i = 1; i <= 300; i++) assert.equal(exports.incA(64, 1), i & 0xff);
    assert.equal(exports.incA(128, 0), 0);
    assert.equal(exports.incA(3, 5), 5, 'an unaligned key goes through the table');
    // A counter that wraps to 0 keeps its key.
    assert.equal(exports.inc(4096, 1, 1), 1);
    assert.equal(exports.inc(4096, 1, 0xffffffff), 0);
    assert.equal(exports.inc(4096, 0, 7), 7);
    assert.equal(exports.inc(0x7ffffffc, 0, 2), 2);
    assert.equal(exports.len(m), 3, 'len settles the counters: the wrapped key is still there');
    assert.equal(exports.inc(4096, 0, 1), 8, 'counting goes on in the table after a read');
    assert.deepEqual(rt.mapText(m).split(';').sort(), ['(2147483644,false)->2', '(4096,false)->8', '(4096,true)->0']);
    assert.equal(exports.getA(64), 300 & 0xff);
    assert.deepEqual(rt.mapText(a).split(';').sort(), ['128->0', '3->5', '64->44']);
    assert.equal(exports.incA(64, 1), 45);
    assert.equal(exports.len(a), 3);
});

test('a strided run adds 1 at each of its addresses, like one increment per access', async () => {
    // Runs within one counter page and across pages (forwards, backwards, strides past a page), runs
    // through 2^32, unaligned bases and strides (the table), and a counter the run wraps to 0.
    const b = new RuntimeBuilder();
    const m = b.addMap(MEM);
    const c = b.addMap(MEM);
    const { rt, exports } = await setup(b, [['$run', b.mapImport('run', MEM)], ['$inc', b.mapImport('inc', MEM)]], `
        (func (export "run") (param i32 i32 i32 i64 i32) (call $run (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
        (func (export "inc") (param i32 i32 i32) (drop (call $inc (local.get 0) (local.get 1) (local.get 2) (i32.const 1))))
        (func (export "add") (param i32 i32 i32 i32) (drop (call $inc (local.get 0) (local.get 1) (local.get 2) (local.get 3))))`);
    for (const id of [m, c]) exports.add(id, 0x20010, 1, 0xfffffffe);
    const runs: [number, number, bigint, number][] = [
        [1000, 8, 500n, 0], [1000, 8, 500n, 1], [100000, 0, 7n, 1], [4096, -4, 300n, 0], [0xfffffff0, 4, 10n, 1], [3, 5, 40n, 0], [77, 3, 0n, 1],
        [0x3ff8, 4, 9000n, 0], [0x1fff4, -8, 9000n, 1], [0x40000, 16384, 40n, 1], [0x50004, -20004, 30n, 0], [0x80000, 6, 50n, 1],
        [0xffffbff8, 12, 3000n, 0], [0x20000, 4, 8n, 1], [0x20000, 4, 8n, 1],
    ];
    for (const [base, stride, n, w] of runs) {
        exports.run(m, base, stride, n, w);
        for (let i = 0; i < Number(n); i++) exports.inc(c, (base + i * stride) >>> 0, w);
    }
    const rows = (id: number) => rt.mapText(id).split(';').sort();
    assert.deepEqual(rows(m), rows(c));
    assert.ok(rows(m).includes('(100000,true)->7'), 'a run of stride 0 counts n at one address');
    assert.ok(!rows(m).some(r => r.startsWith('(77,')), 'an empty run adds no key');
    assert.ok(rows(m).includes('(131088,true)->0'), 'a counter the runs wrap to 0 keeps its key');
    assert.ok(rows(m).includes('(131100,true)->2'));
});

test('print_map_as_csv read straight from the table prints what the per-entry path prints', async () => {
    // Keys with the sign bit (u32 printed as i32), both flags, a second small-integer shape, a u8 value.
    const b = new RuntimeBuilder();
    const m = b.addMap(MEM);
    const u = b.addMap('map<u16,u8>');
    const { rt, exports } = await setup(b, [['$inc', b.mapImport('inc', MEM)], ['$incU', b.mapImport('inc', 'map<u16,u8>')]], `
        (func (export "inc") (param i32 i32 i32 i32) (drop (call $inc (local.get 0) (local.get 1) (local.get 2) (local.get 3))))
        (func (export "incU") (param i32 i32 i32) (drop (call $incU (local.get 0) (local.get 1) (local.get 2))))`);
    for (let i = 0; i < 3000; i++) exports.inc(m, ((i * 2654435761) >>> 0) & ~3, i & 1, i % 7 === 0 ? 0xfffffff0 : 1 + (i % 5));
    for (const a of [0, 1, 0x7fffffff, 0x80000000, 0xfffffffc, 3]) exports.inc(m, a, 1, 2);
    for (let i = 0; i < 300; i++) exports.incU(u, (i * 977) & 0xffff, 300 + i);
    const maps = rt.scriptMaps();
    const direct = new CoreLibraryHost({ scriptMaps: maps });
    const perEntry = new CoreLibraryHost({ scriptMaps: { ...maps, csvRows: undefined } });
    for (const id of [0, 1]) {
        const text = direct.csv(id);
        assert.ok(maps.csvRows!(maps.order[id]), 'read from the table');
        assert.ok(text.split('\n').length > 300);
        assert.equal(text, perEntry.csv(id));
    }
    assert.ok(direct.csv(0).includes('\n(-2147483648,true), 2\n'), 'u32 keys print as i32');
});
