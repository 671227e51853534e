// Map runtime choice: one `m[(addr, is_write)]++` per simulated memory access (the mem-access monitor's
// update), through (a) the generated wasm hash table (server/src/runtime) and (b) a JS Map behind host
// functions, with a small key set (fits in cache) and a large one; and the cost of the call alone (an
// import served by a no-op wasm function). Run: npx tsx test/bench/map-runtime.bench.ts
import v8 from 'node:v8';
import { RuntimeBuilder } from '../../server/src/runtime/builder.js';
import { WhammRuntime } from '../../server/src/runtime/runtime.js';
import { watToWasm } from '../../server/src/wasm/wat-assemble.js';

// As in engine.bench.ts: all wasm compiled optimized up front.
v8.setFlagsFromString('--no-liftoff');
v8.setFlagsFromString('--no-wasm-lazy-compilation');

const N = 10_000_000;
const TYPE = 'map<(u32,bool),u32>';

function app(call: boolean, keyMask: number): string {
    return `(module
  (import "rt" "inc" (func $inc (param i32 i32 i32 i32) (result i32)))
  (memory 1)
  (func (export "run") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $a i32)
    (loop $l
      (local.set $a (i32.and (i32.mul (local.get $i) (i32.const 4)) (i32.const 0xfffc)))
      ${call ? `(drop (call $inc (i32.const 0) (i32.and (i32.mul (local.get $i) (i32.const 4)) (i32.const ${keyMask})) (i32.and (local.get $i) (i32.const 1)) (i32.const 1)))` : ''}
      (local.set $s (i32.add (local.get $s) (i32.load (local.get $a))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $s)))`;
}

async function nsPerAccess(inc: unknown, call: boolean, keyMask: number): Promise<number> {
    const { instance } = await WebAssembly.instantiate(await watToWasm(app(call, keyMask)), { rt: { inc } } as WebAssembly.Imports);
    const run = instance.exports.run as (n: number) => number;
    run(100_000);
    const t = performance.now();
    run(N);
    return (performance.now() - t) / N * 1e6;
}

async function wasmTable(): Promise<unknown> {
    const b = new RuntimeBuilder();
    b.addMap(TYPE);
    const sections = await b.sections();
    const rt = await WhammRuntime.create(b.spec(), sections.find(s => s.name === 'whamm.rt.wasm')!.data);
    return (rt.imports()['whamm:rt'] as Record<string, unknown>)[b.mapImport('inc', TYPE).name];
}

function jsMap(): unknown {
    const m = new Map<number, number>();
    // (u32, bool) packs exactly into a double: addr * 2 + bit < 2^33.
    return (_id: number, a: number, w: number, d: number) => {
        const k = (a >>> 0) * 2 + (w ? 1 : 0);
        const v = ((m.get(k) ?? 0) + d) >>> 0;
        m.set(k, v);
        return v;
    };
}

/** The same import served by a wasm function that does nothing: the price of the call alone. */
async function wasmNoop(): Promise<unknown> {
    const { instance } = await WebAssembly.instantiate(await watToWasm('(module (func (export "inc") (param i32 i32 i32 i32) (result i32) (local.get 1)))'));
    return instance.exports.inc;
}

const rows: string[] = [];
for (const [label, mask] of [['16K keys', 0xfffc], ['1M keys', 0x3ffffc]] as const) {
    const base = await nsPerAccess(() => 0, false, mask);
    const call = await nsPerAccess(await wasmNoop(), true, mask);
    const w = await nsPerAccess(await wasmTable(), true, mask);
    const j = await nsPerAccess(jsMap(), true, mask);
    rows.push(`${label.padEnd(9)} loop alone ${base.toFixed(1)} ns | no-op wasm import ${call.toFixed(1)} ns | wasm hash table ${w.toFixed(1)} ns/update | JS Map host fn ${j.toFixed(1)} ns/update | JS/wasm ${(j / w).toFixed(2)}x`);
}
console.log(`map runtime, ${N / 1e6}M updates of ${TYPE}:`);
for (const r of rows) console.log('  ' + r);
