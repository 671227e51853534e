// The map/string runtime driven by small WAT apps that import it the way instrumented modules do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RuntimeBuilder, type RtImport } from '../../server/src/runtime/builder.js';
import { WhammRuntime, slotCount } from '../../server/src/runtime/runtime.js';
import { parseRtType, rtTypeText, leaves } from '../../server/src/runtime/rt-types.js';
import { decodeWhammString } from '../../server/src/runtime/strings.js';
import { watToWasm } from '../../server/src/wasm/wat-assemble.js';

function importDecl(imp: RtImport, id: string): string {
    const p = imp.params.length ? `(param ${imp.params.join(' ')})` : '';
    const r = imp.results.length ? `(result ${imp.results.join(' ')})` : '';
    return `(import "${imp.module}" ${JSON.stringify(imp.name)} (func ${id} ${p} ${r}))`;
}

async function setup(b: RuntimeBuilder, imports: [string, RtImport][], body: string, memory = true) {
    const wat = `(module ${imports.map(([id, imp]) => importDecl(imp, id)).join('\n')}
        ${memory ? '(memory (export "memory") 1) (data (i32.const 16) "record\\00hello")' : ''}
        ${body})`;
    const bytes = await watToWasm(wat);
    const sections = await b.sections();
    const rt = await WhammRuntime.create(b.spec(), sections.find(s => s.name === 'whamm.rt.wasm')?.data);
    const { instance } = await WebAssembly.instantiate(bytes, rt.imports());
    if (memory) rt.attachMemory(0, instance.exports.memory as WebAssembly.Memory);
    return { rt, exports: instance.exports as Record<string, (...a: unknown[]) => unknown> };
}

test('types: parse, print, leaves', () => {
    const t = parseRtType('map<(u32, bool), (i32,(f32,str))>');
    assert.equal(rtTypeText(t), 'map<(u32,bool),(i32,(f32,str))>');
    assert.deepEqual(leaves(parseRtType('(i32,(i64,str))')), ['i32', 'i64', 'str']);
    assert.equal(slotCount('(u8,i32,i64)'), 3);
    assert.throws(() => parseRtType('map<u32>'), /bad map type/);
    assert.throws(() => parseRtType('(u33)'), /unknown type/);
});

test('map<(u32,bool),u32>: m[k]++ counts per key, missing keys read 0, report text', async () => {
    const b = new RuntimeBuilder();
    const id = b.addMap('map<(u32, bool), u32>');
    const { rt, exports } = await setup(b, [['$inc', b.mapImport('inc', 'map<(u32,bool),u32>')], ['$get', b.mapImport('get', 'map<(u32,bool),u32>')]], `
        (func (export "hit") (param i32 i32) (drop (call $inc (i32.const ${id}) (local.get 0) (local.get 1) (i32.const 1))))
        (func (export "get") (param i32 i32) (result i32) (call $get (i32.const ${id}) (local.get 0) (local.get 1)))`);
    const hits: [number, number][] = [[8, 0], [8, 0], [8, 1], [12, 0], [8, 0], [0xffffffff, 1]];
    for (const [a, w] of hits) exports.hit(a, w);
    assert.equal(exports.get(8, 0), 3);
    assert.equal(exports.get(8, 1), 1);
    assert.equal(exports.get(8, 7), 1, 'a bool key is normalised to true');
    assert.equal(exports.get(99, 0), 0, 'missing key reads the default');
    const entries = rt.mapText(id).split(';').sort();
    assert.deepEqual(entries, ['(12,false)->1', '(4294967295,true)->1', '(8,false)->3', '(8,true)->1']);
});

test('growth: 200k distinct keys keep exact counts (rehash path)', async () => {
    const b = new RuntimeBuilder();
    const id = b.addMap('map<u64,i32>');
    const { rt, exports } = await setup(b, [['$inc', b.mapImport('inc', 'map<u64,i32>')], ['$get', b.mapImport('get', 'map<u64,i32>')]], `
        (func (export "fill") (param $n i32) (local $i i32)
          (loop $l
            ;; key = i * 2^32 + (i % 7): spreads over the high word too; each key hit (i % 3) + 1 times
            (drop (call $inc (i32.const ${id}) (i64.add (i64.shl (i64.extend_i32_u (local.get $i)) (i64.const 32)) (i64.extend_i32_u (i32.rem_u (local.get $i) (i32.const 7)))) (i32.add (i32.rem_u (local.get $i) (i32.const 3)) (i32.const 1))))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
        (func (export "get") (param i64) (result i32) (call $get (i32.const ${id}) (local.get 0)))`, false);
    exports.fill(200_000);
    exports.fill(1000);
    assert.equal(rt.mapEntries(id).length, 200_000);
    for (const i of [0, 1, 2, 999, 1000, 123_456, 199_999]) {
        const key = (BigInt(i) << 32n) + BigInt(i % 7);
        assert.equal(exports.get(key), ((i % 3) + 1) * (i < 1000 ? 2 : 1), `key of ${i}`);
    }
});

test('values wrap at the declared width; tuple values and keys; set/get; several maps of one type', async () => {
    const b = new RuntimeBuilder();
    const small = b.addMap('map<u8,u8>');
    const small2 = b.addMap('map<u8,u8>');
    const tup = b.addMap('map<(i32,(i32,i32)),(i8,f64)>');
    const T = 'map<(i32,(i32,i32)),(i8,f64)>';
    const { rt, exports } = await setup(b, [
        ['$inc8', b.mapImport('inc', 'map<u8,u8>')], ['$get8', b.mapImport('get', 'map<u8,u8>')],
        ['$set', b.mapImport('set', T)], ['$get', b.mapImport('get', T)],
    ], `
        (func (export "inc8") (param i32 i32) (result i32) (call $inc8 (local.get 0) (local.get 1) (i32.const 1)))
        (func (export "dec8") (param i32 i32) (result i32) (call $inc8 (local.get 0) (local.get 1) (i32.const -1)))
        (func (export "get8") (param i32 i32) (result i32) (call $get8 (local.get 0) (local.get 1)))
        (func (export "set") (param i32 i32 i32 i32 f64) (call $set (i32.const ${tup}) (local.get 0) (local.get 1) (local.get 2) (local.get 3) (local.get 4)))
        (func (export "get") (param i32 i32 i32) (result i32 f64) (call $get (i32.const ${tup}) (local.get 0) (local.get 1) (local.get 2)))`, false);
    for (let i = 0; i < 256; i++) exports.inc8(small, 300);
    assert.equal(exports.get8(small, 300), 0, 'u8 255 + 1 wraps to 0 (and key 300 is 44 as u8)');
    assert.equal(exports.get8(small, 44), 0);
    assert.equal(exports.dec8(small, 1), 255, '0 - 1 as u8 is 255');
    assert.equal(exports.get8(small2, 1), 0, 'maps of the same type are separate');
    exports.set(-1, 2, 3, 200, 1.5);
    exports.set(-1, 2, 3, -7, 2.5); // overwrite
    assert.deepEqual(exports.get(-1, 2, 3), [-7, 2.5]);
    assert.deepEqual(exports.get(-1, 3, 2), [0, 0]);
    assert.equal(rt.mapText(tup), '(-1,(2,3))->(-7; +2.5e0)');
    assert.deepEqual(rt.mapText(small).split(';').sort(), ['1->255', '44->0']);
    assert.equal(rt.mapText(small2), '');
});

test('packed keys keep signed and float leaves exact', async () => {
    const b = new RuntimeBuilder();
    const T = 'map<(i8,i16,bool),f32>';
    const U = 'map<(f32,u16),u32>';
    const id = b.addMap(T), id2 = b.addMap(U);
    const { rt, exports } = await setup(b, [['$set', b.mapImport('set', T)], ['$get', b.mapImport('get', T)], ['$inc', b.mapImport('inc', U)]], `
        (func (export "set") (param i32 i32 i32 f32) (call $set (i32.const ${id}) (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
        (func (export "get") (param i32 i32 i32) (result f32) (call $get (i32.const ${id}) (local.get 0) (local.get 1) (local.get 2)))
        (func (export "inc") (param f32 i32) (drop (call $inc (i32.const ${id2}) (local.get 0) (local.get 1) (i32.const 1))))`, false);
    exports.set(-1, -2, 1, 0.5);
    exports.set(127, 0x7fff, 0, -3);
    assert.equal(exports.get(-1, -2, 1), 0.5);
    assert.equal(exports.get(0xff, 0xfffe, 5), 0.5, 'i8/i16 keys compare at their width, bools as true/false');
    assert.equal(exports.get(-1, -2, 0), 0);
    assert.deepEqual(rt.mapText(id).split(';').sort(), ['(-1,-2,true)->+5e-1', '(127,32767,false)->-3e0']);
    exports.inc(-0.25, 65535); exports.inc(-0.25, 65535);
    assert.equal(rt.mapText(id2), '(-2.5e-1,65535)->2');
});

test('strings: literals with escapes, len in UTF-8 bytes, predicates, read/write/cmp on memory, str keys', async () => {
    const b = new RuntimeBuilder();
    const lit = b.literal('hello drop\\u{1F600}😀\\x41\\n');
    const hello = b.literal('hello');
    const drop = b.literal('drop');
    const nl = b.literal('A\\n');
    const rec = b.literal('record');
    assert.equal(b.literal('hello'), hello, 'literals are interned');
    const counts = b.addMap('map<str,u32>');
    const { rt, exports } = await setup(b, [
        ['$len', b.stringImport('str.len')], ['$sw', b.stringImport('str.starts_with')], ['$ew', b.stringImport('str.ends_with')],
        ['$has', b.stringImport('str.contains')], ['$read', b.stringImport('str.read')], ['$write', b.stringImport('str.write')],
        ['$cmp', b.stringImport('str.cmp')], ['$inc', b.mapImport('inc', 'map<str,u32>')],
    ], `
        (func (export "len") (param i32) (result i32) (call $len (local.get 0)))
        (func (export "sw") (param i32 i32) (result i32) (call $sw (local.get 0) (local.get 1)))
        (func (export "ew") (param i32 i32) (result i32) (call $ew (local.get 0) (local.get 1)))
        (func (export "has") (param i32 i32) (result i32) (call $has (local.get 0) (local.get 1)))
        (func (export "read") (param i32 i32) (result i32) (call $read (i32.const 0) (local.get 0) (local.get 1)))
        (func (export "write") (param i32 i32) (result i32) (call $write (i32.const 0) (local.get 0) (local.get 1)))
        (func (export "cmp") (param i32 i32 i32) (result i32) (call $cmp (i32.const 0) (local.get 0) (local.get 1) (local.get 2)))
        (func (export "count") (param i32) (drop (call $inc (i32.const ${counts}) (local.get 0) (i32.const 1))))`);
    // "hello drop" (10) + U+1F600 twice (4 bytes each) + "A" + "\n" = 20 bytes
    assert.equal(exports.len(lit), 20);
    assert.equal(rt.strings.text(lit), 'hello drop\u{1F600}\u{1F600}A\n');
    assert.equal(exports.sw(lit, hello), 1);
    assert.equal(exports.sw(lit, drop), 0);
    assert.equal(exports.ew(lit, nl), 1);
    assert.equal(exports.has(lit, drop), 1);
    assert.equal(exports.has(hello, drop), 0);
    // data: "record" at 16, "hello" at 23
    assert.equal(exports.cmp(16, 6, rec), 1);
    assert.equal(exports.cmp(16, 5, rec), 0);
    const h = exports.read(23, 5) as number;
    assert.equal(h, hello, 'read_str interns: equal bytes give the literal\'s handle');
    assert.equal(exports.write(100, drop), 4);
    assert.equal(exports.cmp(100, 4, drop), 1);
    assert.throws(() => exports.read(65530, 10), WebAssembly.RuntimeError);
    assert.equal(exports.cmp(65530, 10, rec), 0, 'strcmp on bytes past the end is false, not a trap');
    exports.count(hello); exports.count(exports.read(23, 5) as number); exports.count(drop);
    assert.deepEqual(rt.mapText(counts).split(';').sort(), ['drop->1', 'hello->2']);
});

test('string literal escapes follow the spec list', () => {
    const dec = (s: string) => Array.from(decodeWhammString(s));
    assert.deepEqual(dec('\\n\\r\\t\\"\\\'\\\\\\0'), [10, 13, 9, 34, 39, 92, 0]);
    assert.deepEqual(dec('\\xff\\x00'), [0xff, 0]);
    assert.deepEqual(dec('\\u{e9}'), [0xc3, 0xa9]);
    assert.throws(() => decodeWhammString('\\q'), /unknown escape/);
    assert.throws(() => decodeWhammString('\\u{d800}'), /scalar/);
});

test('report slots of tuples and strings print like the reference', async () => {
    const b = new RuntimeBuilder();
    const s = b.literal('wassup');
    const rt = await WhammRuntime.create(b.spec());
    const f64bits = (x: number) => new BigInt64Array(new Float64Array([x]).buffer)[0];
    assert.equal(rt.formatSlots('(i32,(i32,i32))', [1n, 12n, 13n], 0), '(1; (12; 13))');
    assert.equal(rt.formatSlots('(u8,i32,i64)', [0n, 1n, -2n], 0), '(0; 1; -2)');
    assert.equal(rt.formatSlots('(i8,str)', [0xf6n, BigInt(s)], 0), '(-10; wassup)');
    assert.equal(rt.formatSlots('(str,f32)', [BigInt(s), f64bits(Math.fround(1000.18))], 0), '(wassup; +1.00018e3)');
    assert.equal(rt.formatSlots('bool', [9n, 1n], 1), 'true');
});
