// Overhead of the map-heavy mem-access monitor (one map update per executed load/store) on the PolyBench
// apps: run time of the entry point instrumented / original (the ratio `npm run bench` reports), plus
// what a user waits for on top: compiling, linking and flushing the map (hundreds of thousands of rows,
// printed twice: by print_map_as_csv and as the report variable). Output discarded; best of RUNS.
// Run: npx tsx test/bench/mem-access.bench.ts [APP_FILTER]   (RUNS=3 by default)
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';
import { SHARED } from '../support/shared.js';

const filter = process.argv[2] ?? '';
const appsDir = path.join(SHARED, 'bench', 'apps', 'polybench');
const script = fs.readFileSync(path.join(SHARED, 'bench', 'monitors', 'mem-access.mm'), 'utf8');
const nul = fs.openSync('/dev/null', 'w');
// As in engine.bench.ts: all wasm compiled optimized up front, so every timed run runs the same code.
v8.setFlagsFromString('--no-liftoff');
v8.setFlagsFromString('--no-wasm-lazy-compilation');

async function timeRun(bytes: Uint8Array): Promise<{ run: number; total: number }> {
    const t = performance.now();
    const r = await runModule(bytes, { stdoutFd: nul, stderrFd: nul, stdout: () => undefined, stderr: () => undefined, argv0: 'app.wasm' });
    if (r.trapped) throw new Error(`trapped: ${r.trapped}`);
    return { run: r.runMs ?? NaN, total: performance.now() - t };
}

async function best(bytes: Uint8Array, n = Number(process.env.RUNS ?? 3)): Promise<{ run: number; total: number }> {
    let run = Infinity, total = Infinity;
    for (let i = 0; i < n; i++) {
        const r = await timeRun(bytes);
        run = Math.min(run, r.run);
        total = Math.min(total, r.total);
    }
    return { run, total };
}

const ratios: number[] = [];
console.log('app              orig run ms  instr run ms  overhead  instr total ms (compile+link+run+flush)');
for (const f of fs.readdirSync(appsDir).filter(f => f.endsWith('.wasm') && f.includes(filter)).sort()) {
    const app = fs.readFileSync(path.join(appsDir, f));
    const { bytes } = await instrument({ app, script, scriptPath: 'mem-access.mm' });
    const a = await best(app), b = await best(bytes);
    ratios.push(b.run / a.run);
    console.log(`${f.padEnd(16)} ${a.run.toFixed(1).padStart(11)}  ${b.run.toFixed(1).padStart(12)}  ${(b.run / a.run).toFixed(2).padStart(7)}x  ${b.total.toFixed(0).padStart(14)}`);
}
const geo = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
console.log(`mem-access run-time overhead, geomean over ${ratios.length} apps: ${geo.toFixed(2)}x`);
