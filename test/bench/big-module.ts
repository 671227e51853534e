// A large app for the scale benchmark (big.bench.ts): a module of about `size` bytes made of many
// functions copied from a few templates (loops over memory, nested blocks, br_table, calls, float math;
// a few hundred bytes each),
// with a `_start` that calls a sample of them, so the instrumented output can also be run. The templates
// are compiled from WAT once; the big module is assembled by repeating their bodies, which keeps
// generation fast and the result valid (copies call only the templates, which come first).
// Run on its own: npx tsx test/bench/big-module.ts SIZE_MB OUT.wasm
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ByteWriter, decodeModule, emitInstr, EXTERN_KINDS, SECTION_NAMES } from '../../server/src/wasm/index.js';
import { watToWasm } from '../../server/src/wasm/wat-assemble.js';

// Statement groups repeated inside the template bodies, so functions are a few hundred bytes long (as
// in compiled apps: funky-kart averages ~400 bytes of code per function), not a few dozen.
const R = 6;
const TEMPLATES = `(module
  (memory (export "memory") 4)
  (func $sum (param $n i32) (result i32) (local $i i32) (local $s i32)
    (block $out (loop $l
      (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
      ${`(local.set $s (i32.add (local.get $s) (i32.load offset=16 (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 0xfffc)))))
      (i32.store offset=32 (i32.and (i32.shl (local.get $i) (i32.const 2)) (i32.const 0xfffc)) (local.get $s))
      (local.set $s (i32.xor (local.get $s) (i32.rotl (local.get $s) (i32.const 5))))`.repeat(R)}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $s))
  (func $pick (param $x i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (i32.and (local.get $x) (i32.const 3))))
      (return (i32.mul (local.get $x) (i32.const 3))))
      (return (call $sum (i32.and (local.get $x) (i32.const 15)))))
      (return (i32.xor (local.get $x) (i32.const 0x55))))
    ${`(if (i32.gt_s (local.get $x) (i32.const 100))
      (then (local.set $x (i32.sub (local.get $x) (i32.const 100))))
      (else (local.set $x (i32.add (local.get $x) (i32.const 7)))))`.repeat(R)}
    (local.get $x))
  (func $float (param $x f64) (result f64) (local $i i32)
    (loop $l
      ${`(local.set $x (f64.add (f64.mul (local.get $x) (f64.const 0.5)) (f64.load offset=8 (i32.const 64))))
      (f64.store offset=8 (i32.const 128) (local.get $x))`.repeat(R)}
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 8))))
    (local.get $x))
  (func $mix (param $x i32) (result i32) (local $y i32) (local $z f64)
    (local.set $y (call $pick (local.get $x)))
    ${`(if (i32.and (local.get $y) (i32.const 1)) (then
      (local.set $y (i32.add (local.get $y) (call $sum (i32.const 8))))))
    (local.set $z (f64.add (local.get $z) (call $float (f64.convert_i32_s (local.get $y)))))
    (i32.store8 offset=200 (i32.and (local.get $x) (i32.const 0xff)) (local.get $y))`.repeat(R)}
    (i32.add (local.get $y) (i32.trunc_sat_f64_s (local.get $z))))
  (func $start_type)
)`;
/** Templates copied into the big module ($start_type only lends its type to _start). */
const COPIED = 4;
const MIX = 3;

const sectionId = (name: string) => Number(Object.entries(SECTION_NAMES).find(([, n]) => n === name)![0]);

/** A module of about `size` bytes (the code section reaches `size`). */
export async function bigModule(size: number): Promise<Uint8Array> {
    const t = decodeModule(await watToWasm(TEMPLATES, 'templates.wat'));
    const bodies = t.bodies.slice(0, COPIED).map(b => t.bytes.subarray(b.start, b.end)); // size, locals, code
    const raw = (name: string) => { const s = t.sections.find(x => x.id === sectionId(name))!; return t.bytes.subarray(s.contentStart, s.end); };
    const templates = t.bodies.length;
    const counts: number[] = [];
    let total = 0;
    while (total < size) { const k = counts.length % COPIED; counts.push(k); total += bodies[k].length; }
    const n = counts.length;
    const startIndex = templates + n;
    // _start calls about 2,000 copies of $mix spread over the module, with their index, and drops the results.
    const start = new ByteWriter(1 << 16);
    start.u32(0); // no locals
    const step = Math.max(1, Math.floor(n / 2000));
    for (let i = MIX; i < n; i += step) {
        if (counts[i] !== MIX) continue;
        emitInstr(start, 'i32.const', i); emitInstr(start, 'call', templates + i); emitInstr(start, 'drop');
    }
    emitInstr(start, 'end');

    const w = new ByteWriter(total + (1 << 20));
    w.copy(t.bytes, 0, 8); // magic and version
    w.byte(sectionId('type')).sized(raw('type'));
    const funcs = new ByteWriter(2 * n + 64).u32(templates + n + 1);
    for (let i = 0; i < templates; i++) funcs.u32(t.funcTypes[i]);
    for (const k of counts) funcs.u32(t.funcTypes[k]);
    funcs.u32(t.funcTypes[templates - 1]);
    w.byte(sectionId('function')).sized(funcs);
    w.byte(sectionId('memory')).sized(raw('memory'));
    const kind = (k: 'func' | 'memory') => EXTERN_KINDS.indexOf(k);
    const exp = new ByteWriter(64).u32(2).name('memory').byte(kind('memory')).u32(0).name('_start').byte(kind('func')).u32(startIndex);
    w.byte(sectionId('export')).sized(exp);
    const code = new ByteWriter(total + start.finish().length + 1024).u32(templates + n + 1);
    for (const b of t.bodies) code.copy(t.bytes, b.start, b.end);
    for (const k of counts) code.bytes(bodies[k]);
    code.sized(start);
    w.byte(sectionId('code')).sized(code);
    return w.finish().slice();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
    const mb = Number(process.argv[2] ?? 40);
    const out = process.argv[3] ?? 'big.wasm';
    const bytes = await bigModule(mb * 1e6);
    fs.writeFileSync(out, bytes);
    console.log(`${out}: ${(bytes.length / 1e6).toFixed(1)} MB`);
}
