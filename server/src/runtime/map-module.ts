// The map runtime: a wasm module generated per instrumented script, instantiated beside the app and
// linked to it through imports (module `whamm:rt`), so map state lives in the runtime's own memory and
// the app keeps its single memory. One open-addressing hash table per map id (linear probing, power-of-
// two capacity, load factor 3/4, multiplicative (Fibonacci) hashing: the top bits of key * 2^64/phi,
// plus a locality offset for packed keys, see BLOCK_BITS).
//
// Measured (test/bench/map-runtime.bench.ts, mem-access.bench.ts): a wasm->wasm call into this table
// costs about a third of a JS `Map` behind host functions per update. What dominates on the bench apps
// is cache misses in tables of 10^5-10^6 entries: a hash that scatters neighbouring addresses costs a
// miss per update, hence the locality offset. Each operation is one function (probe loop inlined, no
// allocation, load factor checked only when a key is added).
//
// Memory layout (all little-endian):
//   map header  at id*32:  table ptr (i32), mask = capacity - 1 (i32), entry count (i32), hash shift (i32),
//                          dense counter directory (i32, see map-dense.ts)
//   sentinel    after the headers: one zero entry, the table of every empty map (mask 0), so probing
//                          needs no "no table yet" test: it finds a free slot and takes the growth path
//   entry:                 a packed key word (see keyLayout), or a used flag (i64 1) and one word per
//                          key leaf; then the value slots (8 bytes each)
// A key word is the leaf's canonical 64-bit form (unsigned ints zero-extended, signed ints sign-extended,
// bool 0/1, float bits, string handle); a value slot holds the leaf stored with its natural width.
import { DENSE_GLOBALS, denseFunctions, denseShape } from './map-dense.js';
import { entryBytes, keyLayout, type KeyLayout, type MapShape, type PackedField } from './map-layout.js';
import { leafValType, type LeafType } from './rt-types.js';

export const HEADER_BYTES = 32;

const MARKER = '0x8000000000000000';

/** The packed key word: each field masked to its width, shifted into place, bit 63 set. */
function packedWord(fields: PackedField[], expr: (i: number) => string): string {
    let w = `(i64.const ${MARKER})`;
    fields.forEach((f, i) => {
        let v = expr(i);
        if (f.t === 'f32') v = `(i32.reinterpret_f32 ${v})`;
        else if (f.width === 1) v = `(i32.ne ${v} (i32.const 0))`;
        else if (f.width < 32) v = `(i32.and ${v} (i32.const ${(2 ** f.width) - 1}))`;
        let x = `(i64.extend_i32_u ${v})`;
        if (f.offset) x = `(i64.shl ${x} (i64.const ${f.offset}))`;
        w = `(i64.or ${w} ${x})`;
    });
    return w;
}

/** Export names: they are also the import names in the instrumented module, so they say what they do. */
export function mapExportName(op: 'get' | 'set' | 'inc' | 'run' | 'len', shape: MapShape): string {
    return op === 'len' ? 'map.len' : `map.${op}<${shape.keyText},${shape.valueText}>`;
}

/** True when `m[k]++` can be one call (a single integer or float value). */
export function hasInc(shape: MapShape): boolean {
    return shape.value.length === 1 && shape.value[0] !== 'bool' && shape.value[0] !== 'str';
}

const SEED = '0x2545F4914F6CDD1D';
/** 2^64 / golden ratio: multiplicative (Fibonacci) hashing takes the product's top bits. */
const MUL = '0x9E3779B97F4A7C15';

/**
 * Locality of packed keys: the key word's bits from BLOCK_BITS up are hashed, the bits between
 * GRAIN_BITS and BLOCK_BITS are added to the hash unchanged. Keys that differ only there (neighbouring
 * addresses, consecutive ids) get neighbouring home slots, so a sequential walk through the app's memory
 * walks the table sequentially too instead of missing the cache on every update. The lowest bit of a
 * second field (`is_write` in `(addr, is_write)`) joins the offset, so the read and the write key of an
 * address share a cache line. Runs are short (2 * 2^(BLOCK_BITS-GRAIN_BITS) slots), which keeps probe
 * sequences short (mean displacement per update 0.1-3.6 slots on PolyBench); 256-byte and larger blocks
 * measured slower (long probe runs on dense int arrays), see test/bench/mem-access.bench.ts.
 */
export const BLOCK_BITS = 6;
export const GRAIN_BITS = 2;

/** WAT for the canonical 64-bit key word of a leaf held in `expr` (of the leaf's wasm type). */
function keyWord(t: LeafType, expr: string): string {
    switch (t) {
        case 'u8': return `(i64.extend_i32_u (i32.and ${expr} (i32.const 0xff)))`;
        case 'u16': return `(i64.extend_i32_u (i32.and ${expr} (i32.const 0xffff)))`;
        case 'i8': return `(i64.extend_i32_s (i32.extend8_s ${expr}))`;
        case 'i16': return `(i64.extend_i32_s (i32.extend16_s ${expr}))`;
        case 'i32': return `(i64.extend_i32_s ${expr})`;
        case 'u32': case 'str': return `(i64.extend_i32_u ${expr})`;
        case 'bool': return `(i64.extend_i32_u (i32.ne ${expr} (i32.const 0)))`;
        case 'u64': case 'i64': return expr;
        case 'f32': return `(i64.extend_i32_u (i32.reinterpret_f32 ${expr}))`;
        case 'f64': return `(i64.reinterpret_f64 ${expr})`;
    }
}

/** Wraps an integer result at the leaf's declared width. */
function wrapValue(t: LeafType, expr: string): string {
    switch (t) {
        case 'u8': return `(i32.and ${expr} (i32.const 0xff))`;
        case 'u16': return `(i32.and ${expr} (i32.const 0xffff))`;
        case 'i8': return `(i32.extend8_s ${expr})`;
        case 'i16': return `(i32.extend16_s ${expr})`;
        default: return expr;
    }
}

/** Header fields of a map (byte offsets in its HEADER_BYTES header). */
export const HDR = { table: 0, mask: 4, count: 8, shift: 12, dense: 16 } as const;

/**
 * WAT computing the home slot (not yet masked) of the key in the word locals $w0..: the top bits of a
 * multiplicative hash (shift = 64 - log2(capacity), kept in the header), plus the locality offset for
 * packed keys.
 */
function homeSlot(layout: KeyLayout, words: number): string {
    const shift = `(i64.extend_i32_u (i32.load offset=${HDR.shift} (local.get $hdr)))`;
    if (layout.packed) {
        // A field starting at bit 32 gives its lowest bit to the offset instead of the hashed part.
        const pair = layout.packed.some(f => f.offset === 32);
        let hi = `(i64.shr_u (local.get $w0) (i64.const ${BLOCK_BITS}))`;
        if (pair) hi = `(i64.and ${hi} (i64.const ${~(1n << BigInt(32 - BLOCK_BITS)) & ((1n << 64n) - 1n)}))`;
        const base = `(i32.wrap_i64 (i64.shr_u (i64.mul ${hi} (i64.const ${MUL})) ${shift}))`;
        let low = `(i32.and (i32.shr_u (i32.wrap_i64 (local.get $w0)) (i32.const ${GRAIN_BITS})) (i32.const ${(1 << (BLOCK_BITS - GRAIN_BITS)) - 1}))`;
        if (pair) low = `(i32.or (i32.shl ${low} (i32.const 1)) (i32.and (i32.wrap_i64 (i64.shr_u (local.get $w0) (i64.const 32))) (i32.const 1)))`;
        return `(i32.add ${base} ${low})`;
    }
    let x = `(i64.const ${SEED})`;
    for (let i = 0; i < words; i++) x = `(i64.mul (i64.xor ${x} (local.get $w${i})) (i64.const ${MUL}))`;
    return `(i32.wrap_i64 (i64.shr_u ${x} ${shift}))`;
}

function shapeFunctions(shape: MapShape, s: number): string {
    const E = entryBytes(shape);
    const layout = keyLayout(shape.key);
    const kParams = shape.key.map((t, i) => `(param $k${i} ${leafValType(t)})`).join(' ');
    const words = layout.packed
        ? [packedWord(layout.packed, i => `(local.get $k${i})`)]
        : shape.key.map((t, i) => keyWord(t, `(local.get $k${i})`));
    const wordLocals = words.map((_, i) => `(local $w${i} i64)`).join(' ');
    const setWords = words.map((w, i) => `(local.set $w${i} ${w})`).join(' ');
    const keyEq = words.map((_, i) => `(i64.eq (i64.load offset=${layout.keyBase + 8 * i} (local.get $p)) (local.get $w${i}))`)
        .reduce((a, b) => `(i32.and ${a} ${b})`);
    const storeKey = (layout.packed ? '' : '(i64.store (local.get $p) (i64.const 1))\n          ')
        + words.map((_, i) => `(i64.store offset=${layout.keyBase + 8 * i} (local.get $p) (local.get $w${i}))`).join('\n          ');
    const vOff = (j: number) => layout.valueBase + 8 * j;
    const results = shape.value.map(t => leafValType(t));
    const resultDecl = results.length ? `(result ${results.join(' ')})` : '';
    const loads = shape.value.map((t, j) => `(${leafValType(t)}.load offset=${vOff(j)} (local.get $p))`).join(' ');
    const defaults = shape.value.map(t => `(${leafValType(t)}.const 0)`).join(' ');
    const vParams = shape.value.map((t, j) => `(param $v${j} ${leafValType(t)})`).join(' ');
    const stores = shape.value.map((t, j) => `(${leafValType(t)}.store offset=${vOff(j)} (local.get $p) ${wrapValue(t, `(local.get $v${j})`)})`).join('\n          ');
    const home = homeSlot(layout, words.length);
    // A packed key word is never 0, so a hit (the common case) can be tested before "free slot"; with a
    // flag word, all-zero key words would also match a free slot, so the flag is tested first.
    const hitFirst = layout.packed !== undefined;
    const slot = `(i32.add (local.get $tab) (i32.mul (i32.and (local.get $h) (local.get $mask)) (i32.const ${E})))`;
    const locals = `(local $hdr i32) (local $tab i32) (local $mask i32) (local $h i32) (local $p i32) ${wordLocals}`;
    // With dense counters, every operation but the increment first settles them into the table.
    const dense = hasInc(shape) ? denseShape(shape) : undefined;
    const start = `${dense ? `(call $settle${s} (local.get $id))\n    ` : ''}(local.set $hdr (i32.mul (local.get $id) (i32.const ${HEADER_BYTES})))
    ${setWords}`;
    const load = `(local.set $tab (i32.load offset=${HDR.table} (local.get $hdr)))
      (local.set $mask (i32.load offset=${HDR.mask} (local.get $hdr)))
      (local.set $h ${home})`;
    // The probe loop of an update: `onHit` with $p at the key's entry, `onNew` with $p at the fresh entry
    // (key stored, count raised). The load factor is checked only when a key is added; an empty map's
    // table is the zero sentinel entry, which always reads as a free slot and so takes the growth path.
    const upsert = (onHit: string, onNew: string) => `(loop $retry
      ${load}
      (loop $probe
        (local.set $p ${slot})
        ${hitFirst ? `(if ${keyEq} (then ${onHit}))` : ''}
        (if (i64.eqz (i64.load (local.get $p))) (then
          (if (i32.gt_u (i32.mul (i32.add (i32.load offset=${HDR.count} (local.get $hdr)) (i32.const 1)) (i32.const 4))
                        (i32.mul (i32.add (local.get $mask) (i32.const 1)) (i32.const 3)))
            (then (call $grow${s} (local.get $hdr)) (br $retry)))
          ${storeKey}
          (i32.store offset=${HDR.count} (local.get $hdr) (i32.add (i32.load offset=${HDR.count} (local.get $hdr)) (i32.const 1)))
          ${onNew}))
        ${hitFirst ? '' : `(if ${keyEq} (then ${onHit}))`}
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $probe)))
    (unreachable)`;

    let out = `
  ;; ---- map<${shape.keyText},${shape.valueText}>: entry ${E} bytes ----
  ;; Doubles the table (16 entries at first) and moves every entry over, in table order.
  (func $grow${s} (param $hdr i32) (local $old i32) (local $end i32) (local $tab i32) (local $mask i32) (local $h i32) (local $p i32) (local $src i32) ${wordLocals}
    (local.set $old (i32.load offset=${HDR.table} (local.get $hdr)))
    (local.set $end (i32.add (local.get $old) (i32.mul (i32.add (i32.load offset=${HDR.mask} (local.get $hdr)) (i32.const 1)) (i32.const ${E}))))
    (local.set $mask (select (i32.add (i32.shl (i32.load offset=${HDR.mask} (local.get $hdr)) (i32.const 1)) (i32.const 1)) (i32.const 15)
      (i32.ge_u (i32.load offset=${HDR.mask} (local.get $hdr)) (i32.const 15))))
    (local.set $tab (call $alloc (i32.mul (i32.add (local.get $mask) (i32.const 1)) (i32.const ${E}))))
    (i32.store offset=${HDR.table} (local.get $hdr) (local.get $tab))
    (i32.store offset=${HDR.mask} (local.get $hdr) (local.get $mask))
    (i32.store offset=${HDR.shift} (local.get $hdr) (i32.add (i32.clz (local.get $mask)) (i32.const 32)))
    (local.set $src (local.get $old))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
      (if (i64.ne (i64.load (local.get $src)) (i64.const 0)) (then
        ${words.map((_, i) => `(local.set $w${i} (i64.load offset=${layout.keyBase + 8 * i} (local.get $src)))`).join(' ')}
        (local.set $h ${home})
        (block $placed (loop $probe
          (local.set $p ${slot})
          (br_if $placed (i64.eqz (i64.load (local.get $p))))
          (local.set $h (i32.add (local.get $h) (i32.const 1)))
          (br $probe)))
        (memory.copy (local.get $p) (local.get $src) (i32.const ${E}))))
      (local.set $src (i32.add (local.get $src) (i32.const ${E})))
      (br $next))))
  (func (export "${mapExportName('get', shape)}") (param $id i32) ${kParams} ${resultDecl} ${locals}
    ${start}
    ${load}
    (loop $probe
      (local.set $p ${slot})
      ${hitFirst ? `(if ${keyEq} (then (return ${loads})))` : ''}
      (if (i64.eqz (i64.load (local.get $p))) (then (return ${defaults})))
      ${hitFirst ? '' : `(if ${keyEq} (then (return ${loads})))`}
      (local.set $h (i32.add (local.get $h) (i32.const 1)))
      (br $probe))
    (unreachable))
  (func (export "${mapExportName('set', shape)}") (param $id i32) ${kParams} ${vParams} ${locals}
    ${start}
    ${upsert(`${stores}\n          (return)`, `${stores}\n          (return)`)})`;
    if (hasInc(shape)) {
        const t = shape.value[0];
        const vt = leafValType(t);
        const v = `(local.set $v ${wrapValue(t, `(${vt}.add (${vt}.load offset=${vOff(0)} (local.get $p)) (local.get $d))`)})
          (${vt}.store offset=${vOff(0)} (local.get $p) (local.get $v))
          (return (local.get $v))`;
        const fresh = `(local.set $v ${wrapValue(t, '(local.get $d)')})
          (${vt}.store offset=${vOff(0)} (local.get $p) (local.get $v))
          (return (local.get $v))`;
        const name = mapExportName('inc', shape);
        out += `
  (func ${dense ? `$hinc${s}` : `(export "${name}")`} (param $id i32) ${kParams} (param $d ${vt}) (result ${vt}) ${locals} (local $v ${vt})
    (local.set $hdr (i32.mul (local.get $id) (i32.const ${HEADER_BYTES})))
    ${setWords}
    ${upsert(v, fresh)})`;
        if (dense) out += denseFunctions(dense, s, name, mapExportName('run', shape), { dirOffset: HDR.dense, headerBytes: HEADER_BYTES, hinc: `$hinc${s}`, wrap: e => wrapValue(t, e) });
    }
    return out;
}

/**
 * The whole runtime module for `mapCount` map ids over the given shapes, as WAT; `idShape[id]` is the
 * index in `shapes` of map id's shape (needed when a shape has dense counters).
 */
export function mapModuleWat(shapes: MapShape[], mapCount: number, idShape: number[] = []): string {
    // Headers first, then the sentinel: one zero entry that every empty map points at (never written).
    const sentinel = mapCount * HEADER_BYTES;
    const heapStart = sentinel + Math.max(8, ...shapes.map(entryBytes));
    return `(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const ${heapStart}))
  ;; Every map starts empty: table = the sentinel, mask 0, shift 64 (any hash & 0 is slot 0).
  (func $init (local $hdr i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $hdr) (i32.const ${sentinel})))
      (i32.store offset=${HDR.table} (local.get $hdr) (i32.const ${sentinel}))
      (i32.store offset=${HDR.shift} (local.get $hdr) (i32.const 64))
      (local.set $hdr (i32.add (local.get $hdr) (i32.const ${HEADER_BYTES})))
      (br $next))))
  (start $init)
  ;; Bump allocation: tables are never freed (a grown table leaves its old space behind, at most
  ;; doubling the total), and fresh memory is zero, which marks entries unused.
  (func $alloc (param $n i32) (result i32) (local $p i32) (local $end i32) (local $have i32)
    (local.set $p (global.get $heap))
    (local.set $end (i32.add (local.get $p) (local.get $n)))
    (if (i32.lt_u (local.get $end) (local.get $p)) (then (unreachable)))
    (local.set $have (i32.shl (memory.size) (i32.const 16)))
    (if (i32.gt_u (local.get $end) (local.get $have))
      (then (if (i32.lt_s (memory.grow (i32.shr_u (i32.add (i32.sub (local.get $end) (local.get $have)) (i32.const 0xffff)) (i32.const 16))) (i32.const 0))
        (then (unreachable)))))
    (global.set $heap (local.get $end))
    (local.get $p))
  ${DENSE_GLOBALS}
  ;; Settles the dense counters of map $id, if its shape has them (the runner calls it before reading a map).
  (func $settle (export "map.settle") (param $id i32)
    ${idShape.map((sh, id) => (hasInc(shapes[sh]) && denseShape(shapes[sh]) ? `(if (i32.eq (local.get $id) (i32.const ${id})) (then (call $settle${sh} (local.get $id))))` : '')).join('\n    ')})
  (func (export "${mapExportName('len', { keyText: '', valueText: '', key: [], value: [] })}") (param $id i32) (result i32)
    (call $settle (local.get $id))
    (i32.load offset=${HDR.count} (i32.mul (local.get $id) (i32.const ${HEADER_BYTES}))))
${shapes.map(shapeFunctions).join('\n')}
)`;
}
