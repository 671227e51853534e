// Overhead of the map-heavy mem-access monitor (one map update per executed load/store) on the PolyBench
// apps: run time instrumented / original, both run in this process by the runner, output discarded.
// Run: npx tsx test/bench/mem-access.bench.ts [APP_FILTER]
import fs from 'node:fs';
import path from 'node:path';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';
import { SHARED } from '../support/shared.js';

const filter = process.argv[2] ?? '';
const appsDir = path.join(SHARED, 'bench', 'apps', 'polybench');
const script = fs.readFileSync(path.join(SHARED, 'bench', 'monitors', 'mem-access.mm'), 'utf8');
const nul = fs.openSync('/dev/null', 'w');

async function timeRun(bytes: Uint8Array): Promise<number> {
    const t = performance.now();
    const r = await runModule(bytes, { stdoutFd: nul, stderrFd: nul, stdout: () => undefined, stderr: () => undefined, argv0: 'app.wasm' });
    if (r.trapped) throw new Error(`trapped: ${r.trapped}`);
    return performance.now() - t;
}

async function best(bytes: Uint8Array, n = Number(process.env.RUNS ?? 3)): Promise<number> {
    let m = Infinity;
    for (let i = 0; i < n; i++) m = Math.min(m, await timeRun(bytes));
    return m;
}

const ratios: number[] = [];
console.log('app            original ms  instrumented ms  overhead');
for (const f of fs.readdirSync(appsDir).filter(f => f.endsWith('.wasm') && f.includes(filter)).sort()) {
    const app = fs.readFileSync(path.join(appsDir, f));
    const { bytes } = await instrument({ app, script, scriptPath: 'mem-access.mm' });
    const a = await best(app), b = await best(bytes);
    ratios.push(b / a);
    console.log(`${f.padEnd(14)} ${a.toFixed(1).padStart(11)}  ${b.toFixed(1).padStart(15)}  ${(b / a).toFixed(2)}x`);
}
const geo = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);
console.log(`mem-access overhead, geomean over ${ratios.length} apps: ${geo.toFixed(2)}x`);
