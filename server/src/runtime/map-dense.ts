// Dense counters in front of a map's hash table, for maps counted by address: `m[(addr, is_write)]++`
// (the mem-access monitor) or `m[addr]++`. Such a map gets one 32-bit counter per 4-byte-aligned key
// (two for a (u32, bool) key), in pages of PAGE_KEY_BITS of key space allocated on first touch and
// found through a directory indexed by the key's high bits. An increment is two dependent loads and an
// add: no hashing, no probing, no key compare, and a walk through the app's memory walks the counters
// in order (the hash table, even with its locality offset, jumps to a random slot every 64 bytes).
//
// The hash table stays the map's truth for everything but increments: unaligned keys, keys in pages
// past the budget, and every key once the map is read. While counters are on, the value of a key is its
// counter (the table holds only zero-valued entries, see below), so `inc` can return it. The first
// get/set/len, or a read by the runner (report, print_map_as_csv), moves every nonzero counter into the
// table ("settles" the map) and turns counters off for good. A key stays present when its counter
// wraps to 0 (2^32 increments, or a delta of 0): the increment then also adds 0 through the table,
// which creates the key there.
//
// Measured (test/bench/mem-access.bench.ts): see README "Measured".
import { keyLayout, type MapShape } from './map-layout.js';

/** Key space per counter page: 16 KiB of addresses (a 1 MiB directory for the 32-bit key space). */
export const PAGE_KEY_BITS = 14;
/** Most bytes of counter pages per runtime (pages past it fall back to the hash table). */
export const DENSE_BUDGET = 256 * 1024 * 1024;
const DIR_BYTES = 4 << (32 - PAGE_KEY_BITS);

/** How a map shape uses dense counters: `pair` when the key has a bool after the address. */
export interface DenseShape { pair: boolean }

/**
 * Dense counters apply to keys `u32`/`i32` or `(u32|i32, bool)` with a single integer value of at most
 * 32 bits (so a counter holds the value exactly, modulo its width).
 */
export function denseShape(shape: MapShape): DenseShape | undefined {
    const k = shape.key, v = shape.value;
    if (v.length !== 1 || !['u8', 'i8', 'u16', 'i16', 'u32', 'i32'].includes(v[0])) return undefined;
    if (k[0] !== 'u32' && k[0] !== 'i32') return undefined;
    if (k.length === 1) return { pair: false };
    if (k.length === 2 && k[1] === 'bool' && keyLayout(k).packed?.[1]?.offset === 32) return { pair: true };
    return undefined;
}

export interface DenseNames {
    /** Header field holding the directory: 0 = not started, 1 = off, else its address. */
    dirOffset: number;
    headerBytes: number;
    /** The table's own increment, `(id, k0[, k1], d) -> new value`. */
    hinc: string;
    /** Wraps an i32 expression at the value's width. */
    wrap: (expr: string) => string;
}

/** The global counting the bytes of counter pages (one per runtime module). */
export const DENSE_GLOBALS = '(global $denseUsed (mut i32) (i32.const 0))';

/**
 * WAT of the dense functions of shape number `s`: the exported increment `exportName` (counters first,
 * else the table), `$settle{s}(id)` (counters into the table, then off), and the exported `runName`:
 * `(id, base, stride, n: i64[, k1])` adds 1 at each of base, base+stride, ... (n keys, addresses wrap
 * at 2^32), the flush of a run of accesses the instrumented module collected per site (one call per run
 * instead of one per access); a run with stride 0 is one add of n. A run walks the counters of each
 * page it crosses with a pointer; calling the increment per key made the run's flush cost 3 ns per
 * access, over half of the monitor's time on stencils (jacobi-2d 314 ms of CPU time, 121 ms after).
 */
export function denseFunctions(d: DenseShape, s: number, exportName: string, runName: string, n: DenseNames): string {
    const kParams = d.pair ? '(param $k0 i32) (param $k1 i32)' : '(param $k0 i32)';
    const kArgs = d.pair ? '(local.get $k0) (local.get $k1)' : '(local.get $k0)';
    const pageBytes = (1 << PAGE_KEY_BITS) * (d.pair ? 2 : 1);
    const keyMask = ((1 << PAGE_KEY_BITS) - 1) & ~3;
    // Byte offset of the key's counter in its page: granule (addr / 4) * slots * 4, + 4 for is_write.
    const slot = d.pair
        ? `(i32.add (i32.shl (i32.and (local.get $k0) (i32.const ${keyMask})) (i32.const 1)) (i32.shl (i32.ne (local.get $k1) (i32.const 0)) (i32.const 2)))`
        : `(i32.and (local.get $k0) (i32.const ${keyMask}))`;
    const hdr = `(i32.mul (local.get $id) (i32.const ${n.headerBytes}))`;
    const entry = `(i32.add (local.get $dir) (i32.shl (i32.shr_u (local.get $k0) (i32.const ${PAGE_KEY_BITS})) (i32.const 2)))`;
    // Adds $d to the counter in page $pg; a counter that reaches 0 keeps its key through the table.
    const bump = `(local.set $c (i32.add (local.get $pg) ${slot}))
        (local.set $v (i32.add (i32.load (local.get $c)) (local.get $d)))
        (i32.store (local.get $c) (local.get $v))
        (if (i32.eqz (local.get $v)) (then (drop (call ${n.hinc} (local.get $id) ${kArgs} (i32.const 0)))))
        (return ${n.wrap('(local.get $v)')})`;
    // Spill: key of the counter at byte j of page i.
    const spillKey = d.pair
        ? `(i32.or (i32.shl (local.get $i) (i32.const ${PAGE_KEY_BITS})) (i32.and (i32.shr_u (local.get $j) (i32.const 1)) (i32.const ${keyMask}))) (i32.and (i32.shr_u (local.get $j) (i32.const 2)) (i32.const 1))`
        : `(i32.or (i32.shl (local.get $i) (i32.const ${PAGE_KEY_BITS})) (local.get $j))`;
    return `
  ;; dense counters: the hot path (directory, page, counter), else $dslow${s}
  (func $inc${s} (export "${exportName}") (param $id i32) ${kParams} (param $d i32) (result i32) (local $dir i32) (local $pg i32) (local $c i32) (local $v i32)
    (local.set $dir (i32.load offset=${n.dirOffset} ${hdr}))
    (if (i32.and (i32.gt_u (local.get $dir) (i32.const 1)) (i32.eqz (i32.and (local.get $k0) (i32.const 3)))) (then
      (local.set $pg (i32.load ${entry}))
      (if (i32.gt_u (local.get $pg) (i32.const 1)) (then
        ${bump}))))
    (call $dslow${s} (local.get $id) ${kArgs} (local.get $d)))
  ;; A run: per page of key space, the counters it touches are walked with a pointer (one load, add and
  ;; store per key, no call); keys without a counter page (none yet, past the budget, counters off) and unaligned
  ;; runs go through $inc${s} one key at a time.
  (func (export "${runName}") (param $id i32) (param $base i32) (param $stride i32) (param $n i64) ${d.pair ? '(param $k1 i32)' : ''}
    (local $k0 i32) (local $dir i32) (local $pg i32) (local $m i64) (local $off i32) (local $abs i32) (local $c0 i32) (local $c i32) (local $end i32) (local $step i32) (local $v i32)
    (if (i64.eqz (local.get $n)) (then (return)))
    (if (i32.eqz (local.get $stride)) (then
      (drop (call $inc${s} (local.get $id) (local.get $base) ${d.pair ? '(local.get $k1)' : ''} (i32.wrap_i64 (local.get $n))))
      (return)))
    (local.set $k0 (local.get $base))
    (local.set $step ${d.pair ? '(i32.shl (local.get $stride) (i32.const 1))' : '(local.get $stride)'})
    (block $done (loop $next
      (br_if $done (i64.eqz (local.get $n)))
      (local.set $dir (i32.load offset=${n.dirOffset} ${hdr}))
      (local.set $pg (i32.const 0))
      (if (i32.and (i32.gt_u (local.get $dir) (i32.const 1)) (i32.eqz (i32.and (i32.or (local.get $k0) (local.get $stride)) (i32.const 3)))) (then
        (local.set $pg (i32.load ${entry}))))
      (if (i32.le_u (local.get $pg) (i32.const 1)) (then
        (drop (call $inc${s} (local.get $id) ${kArgs} (i32.const 1)))
        (local.set $k0 (i32.add (local.get $k0) (local.get $stride)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (br $next)))
      ;; The keys of the run in this page (up to its end, or its start for a negative stride), one
      ;; counter each; a stride of a page or more has one key per page.
      (local.set $off (i32.and (local.get $k0) (i32.const ${(1 << PAGE_KEY_BITS) - 1})))
      (local.set $abs (select (local.get $stride) (i32.sub (i32.const 0) (local.get $stride)) (i32.gt_s (local.get $stride) (i32.const 0))))
      (local.set $m (i64.const 1))
      (if (i32.lt_u (local.get $abs) (i32.const ${1 << PAGE_KEY_BITS})) (then
        (local.set $m (i64.extend_i32_u (i32.add (i32.const 1) (i32.div_u
          (select (i32.sub (i32.const ${(1 << PAGE_KEY_BITS) - 1}) (local.get $off)) (local.get $off) (i32.gt_s (local.get $stride) (i32.const 0)))
          (local.get $abs)))))))
      (if (i64.gt_u (local.get $m) (local.get $n)) (then (local.set $m (local.get $n))))
      (local.set $c0 (i32.add (local.get $pg) ${slot}))
      (local.set $c (local.get $c0))
      (local.set $end (i32.add (local.get $c) (i32.mul (i32.wrap_i64 (local.get $m)) (local.get $step))))
      (loop $key
        (local.set $v (i32.add (i32.load (local.get $c)) (i32.const 1)))
        (i32.store (local.get $c) (local.get $v))
        ;; A counter that wraps to 0 keeps its key through the table.
        (if (i32.eqz (local.get $v)) (then
          (drop (call ${n.hinc} (local.get $id)
            (i32.add (local.get $k0) (i32.mul (i32.div_s (i32.sub (local.get $c) (local.get $c0)) (local.get $step)) (local.get $stride)))
            ${d.pair ? '(local.get $k1)' : ''} (i32.const 0)))))
        (local.set $c (i32.add (local.get $c) (local.get $step)))
        (br_if $key (i32.ne (local.get $c) (local.get $end))))
      (local.set $k0 (i32.add (local.get $k0) (i32.mul (i32.wrap_i64 (local.get $m)) (local.get $stride))))
      (local.set $n (i64.sub (local.get $n) (local.get $m)))
      (br $next))))
  ;; Starts counters (directory, page within the budget) or takes the table.
  (func $dslow${s} (param $id i32) ${kParams} (param $d i32) (result i32) (local $hdr i32) (local $dir i32) (local $e i32) (local $pg i32) (local $c i32) (local $v i32)
    (local.set $hdr ${hdr})
    (block $table
      (br_if $table (i32.and (local.get $k0) (i32.const 3)))
      (local.set $dir (i32.load offset=${n.dirOffset} (local.get $hdr)))
      (br_if $table (i32.eq (local.get $dir) (i32.const 1)))
      (if (i32.eqz (local.get $dir)) (then
        (local.set $dir (call $alloc (i32.const ${DIR_BYTES})))
        (i32.store offset=${n.dirOffset} (local.get $hdr) (local.get $dir))))
      (local.set $e ${entry})
      (local.set $pg (i32.load (local.get $e)))
      (br_if $table (i32.eq (local.get $pg) (i32.const 1)))
      (if (i32.eqz (local.get $pg)) (then
        (if (i32.gt_u (i32.add (global.get $denseUsed) (i32.const ${pageBytes})) (i32.const ${DENSE_BUDGET})) (then
          (i32.store (local.get $e) (i32.const 1))
          (br $table)))
        (global.set $denseUsed (i32.add (global.get $denseUsed) (i32.const ${pageBytes})))
        (local.set $pg (call $alloc (i32.const ${pageBytes})))
        (i32.store (local.get $e) (local.get $pg))))
      ${bump})
    (call ${n.hinc} (local.get $id) ${kArgs} (local.get $d)))
  ;; Moves every nonzero counter into the table (adding to the zero entries of wrapped keys), then off.
  (func $settle${s} (param $id i32) (local $hdr i32) (local $dir i32) (local $i i32) (local $pg i32) (local $j i32) (local $c i32)
    (local.set $hdr ${hdr})
    (local.set $dir (i32.load offset=${n.dirOffset} (local.get $hdr)))
    (i32.store offset=${n.dirOffset} (local.get $hdr) (i32.const 1))
    (if (i32.le_u (local.get $dir) (i32.const 1)) (then (return)))
    (block $done (loop $page
      (br_if $done (i32.ge_u (local.get $i) (i32.const ${1 << (32 - PAGE_KEY_BITS)})))
      (local.set $pg (i32.load (i32.add (local.get $dir) (i32.shl (local.get $i) (i32.const 2)))))
      (if (i32.gt_u (local.get $pg) (i32.const 1)) (then
        (local.set $j (i32.const 0))
        (block $end (loop $slot
          (br_if $end (i32.ge_u (local.get $j) (i32.const ${pageBytes})))
          (local.set $c (i32.load (i32.add (local.get $pg) (local.get $j))))
          (if (local.get $c) (then (drop (call ${n.hinc} (local.get $id) ${spillKey} (local.get $c)))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $slot)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $page))))`;
}
