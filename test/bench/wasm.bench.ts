// Speed of the wasm binary layer on the largest bench apps (median of several runs, same process):
// decode, walk every body, materialise instruction records, type every body, round-trip emit, and a
// heavy rewrite (an import plus five instructions before every instruction), next to binaryen.js
// readBinary+emitBinary of the same module.   Run: npx tsx test/bench/wasm.bench.ts [app.wasm ...]
import fs from 'node:fs';
import path from 'node:path';
import binaryen from 'binaryen';
import { sharedPath } from '../support/shared.js';
import { CodeBuilder, ModuleRewriter, cursorOf, decodeBody, decodeModule, typeBody } from '../../server/src/wasm/index.js';

const RUNS = 5;

/** Median wall time and median CPU time (user+system; steadier when the machine is busy) in ms. */
function median(f: () => void): [number, number] {
    const wall: number[] = [], cpu: number[] = [];
    for (let i = 0; i < RUNS; i++) {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        f();
        wall.push(performance.now() - t0);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
    }
    wall.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    return [wall[RUNS >> 1], cpu[RUNS >> 1]];
}

const apps = process.argv.slice(2);
if (!apps.length) for (const n of ['funky-kart', 'parquet', 'figma-startpage']) apps.push(sharedPath('bench', 'apps', 'real', `${n}.wasm`));

for (const file of apps) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const mb = bytes.length / 1e6;
    const m = decodeModule(bytes);
    let instrs = 0;
    for (const b of m.bodies) { const c = cursorOf(m, b.func); while (c.next()) instrs++; }
    const row = (label: string, [ms, cpu]: [number, number]) =>
        console.log(`  ${label.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms wall ${cpu.toFixed(1).padStart(8)} ms cpu ${(mb / (ms / 1000)).toFixed(1).padStart(7)} MB/s`);
    console.log(`${path.basename(file)}: ${bytes.length} bytes, ${m.bodies.length} bodies, ${instrs} instructions (load average ${(await import('node:os')).loadavg()[0].toFixed(1)})`);
    row('decodeModule', median(() => decodeModule(bytes)));
    row('decodeModule + cursor over every body', median(() => {
        const mm = decodeModule(bytes);
        for (const b of mm.bodies) { const c = cursorOf(mm, b.func); while (c.next()); }
    }));
    row('decodeBody (Instr records) for every body', median(() => { for (const b of m.bodies) decodeBody(m, b.func); }));
    row('typeBody for every body', median(() => { for (const b of m.bodies) typeBody(m, b.func); }));
    row('decode + emit unchanged (round trip)', median(() => new ModuleRewriter(decodeModule(bytes)).emit()));
    row('decode + import + 5 instrs before each instr + emit', median(() => {
        const mm = decodeModule(bytes);
        const rw = new ModuleRewriter(mm);
        rw.addFuncImport('whamm', 'probe', rw.addFuncType(['i32'], []));
        const g = rw.addZeroGlobal('i32');
        for (const b of mm.bodies) {
            const c = cursorOf(mm, b.func);
            const cb = new CodeBuilder();
            const w = cb.out;
            while (c.next()) {
                w.byte(0x23).u32(g).byte(0x41).byte(1).byte(0x6a).byte(0x24).u32(g).byte(0x01); // global.get; i32.const 1; i32.add; global.set; nop
                cb.copy(c.offset, c.end);
            }
            rw.editBody(b.func, { code: cb });
        }
        rw.emit();
    }));
    row('binaryen.js readBinary + emitBinary', median(() => {
        const mod = binaryen.readBinary(bytes);
        mod.setFeatures(binaryen.Features.All);
        mod.emitBinary();
        mod.dispose();
    }));
}
