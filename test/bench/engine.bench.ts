// `npm run bench`: the engine's speed, measured side by side in one run.
//  1. `instr` of funky-kart.wasm with `wasm:opcode:*:before { count++ }` against binaryen.js
//     readBinary + emitBinary of the same module (target: ratio <= 1.0), and throughput in MB/s.
//  2. Run-time overhead (instrumented / original, geometric mean over the bench apps) of the icount,
//     hotness and branches monitors (targets 1.5x, 1.5x, 2.0x).
// Options: --quick (polybench only for the overhead), --reps N (instr repetitions, default 5),
//          --apps a,b (substring filter), --monitors m1,m2.
import '../../server/src/polyfill.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import binaryen from 'binaryen';
import { instrument } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';
import { HAVE_SHARED, listFiles, sharedPath } from '../support/shared.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const quick = args.includes('--quick');
const reps = Number(opt('--reps') ?? 5);
const appFilter = opt('--apps')?.split(',');
const monitors = opt('--monitors')?.split(',') ?? ['icount', 'hotness', 'branches'];
const TARGETS: Record<string, number> = { icount: 1.5, hotness: 1.5, branches: 2.0 };

if (!HAVE_SHARED) {
    console.log('../shared not found (set WHAMM_SHARED): nothing to measure');
    process.exit(0);
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const geomean = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

// ---------- 1. instrumentation speed ----------
{
    const app = fs.readFileSync(sharedPath('bench', 'apps', 'real', 'funky-kart.wasm'));
    const script = 'report var count: u32;\nwasm:opcode:*:before { count++; }\n';
    await instrument({ app, script }); // warm-up: parser services, JIT
    // Wall time and CPU time (user + system of this process): CPU time is steadier on a busy machine.
    const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
    const ours: number[] = [], theirs: number[] = [], oursCpu: number[] = [], theirsCpu: number[] = [];
    let sites = 0, outSize = 0;
    for (let i = 0; i < reps; i++) {
        let t = performance.now(), c = cpu();
        const r = await instrument({ app, script });
        ours.push(performance.now() - t); oursCpu.push(cpu() - c);
        sites = r.sites.length; outSize = r.bytes.length;
        t = performance.now(); c = cpu();
        const m = binaryen.readBinary(app);
        m.setFeatures(binaryen.Features.All);
        m.emitBinary();
        m.dispose();
        theirs.push(performance.now() - t); theirsCpu.push(cpu() - c);
    }
    const mb = app.length / 1e6;
    const o = median(ours), b = median(theirs), oc = median(oursCpu), bc = median(theirsCpu);
    console.log(`\ninstr funky-kart.wasm (${mb.toFixed(2)} MB, ${sites} sites, output ${(outSize / 1e6).toFixed(2)} MB), median of ${reps}:`);
    console.log(table([
        ['', 'wall (ms)', 'cpu (ms)', 'MB/s (wall)'],
        ['whamm instr (engine)', o.toFixed(0), oc.toFixed(0), (mb / (o / 1000)).toFixed(1)],
        ['binaryen read+emit', b.toFixed(0), bc.toFixed(0), (mb / (b / 1000)).toFixed(1)],
        ['ratio (target <= 1.0x)', `${(o / b).toFixed(2)}x`, `${(oc / bc).toFixed(2)}x`, ''],
    ]));
}

// ---------- 2. run-time overhead ----------
const devnull = fs.openSync(os.devNull, 'w');
async function timeRun(bytes: Uint8Array): Promise<number> {
    // The app's run only (entry point, probes included): compiling, linking and the report flush are
    // one-time costs outside the comparison. V8 reuses the compiled module for identical bytes.
    const r = await runModule(bytes, { stdoutFd: devnull, stderrFd: devnull, stdout: () => undefined, stderr: () => undefined, cwd: os.tmpdir() });
    return r.runMs ?? NaN;
}

let apps = listFiles(sharedPath('bench', 'apps', 'polybench'), '.wasm');
if (!quick) apps.push(...listFiles(sharedPath('bench', 'apps', 'real'), '.wasm'));
if (appFilter) apps = apps.filter(a => appFilter.some(f => a.includes(f)));

const rows: string[][] = [['app', 'original (ms)', ...monitors.map(m => `${m}`)]];
const ratios: Record<string, number[]> = Object.fromEntries(monitors.map(m => [m, []]));
const scripts = Object.fromEntries(monitors.map(m => [m, fs.readFileSync(sharedPath('bench', 'monitors', `${m}.mm`), 'utf8')]));
for (const app of apps) {
    const bytes = fs.readFileSync(app);
    const variants = await Promise.all(monitors.map(async m => (await instrument({ app: bytes, script: scripts[m] })).bytes));
    // Interleave original and instrumented runs so machine noise hits both alike; best of N.
    const n = bytes.length > 300_000 ? 2 : 5;
    const orig: number[] = [];
    const inst: number[][] = monitors.map(() => []);
    for (let k = 0; k < n; k++) {
        orig.push(await timeRun(bytes));
        for (let j = 0; j < monitors.length; j++) inst[j].push(await timeRun(variants[j]));
    }
    const o = Math.min(...orig);
    const row = [path.basename(app, '.wasm'), o.toFixed(0)];
    monitors.forEach((m, j) => {
        const r = Math.min(...inst[j]) / o;
        ratios[m].push(r);
        row.push(`${r.toFixed(2)}x`);
    });
    rows.push(row);
    process.stderr.write('.');
}
process.stderr.write('\n');
rows.push(['geomean', '', ...monitors.map(m => `${geomean(ratios[m]).toFixed(2)}x`)]);
rows.push(['target', '', ...monitors.map(m => (TARGETS[m] ? `<= ${TARGETS[m].toFixed(1)}x` : ''))]);
console.log(`\nrun-time overhead (instrumented / original run time of the entry point, best of runs; compile and report flush excluded; ${apps.length} apps):`);
console.log(table(rows));

function table(rs: string[][]): string {
    const w = rs[0].map((_, i) => Math.max(...rs.map(r => (r[i] ?? '').length)));
    return rs.map(r => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')).join('\n');
}
