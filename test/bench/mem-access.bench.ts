// What each part of the map runtime does for the map-heavy mem-access monitor (one map update per executed
// load/store) on the PolyBench apps, side by side in one process (entry-point run time, instrumented /
// original, eager compilation as in engine.bench.ts, best of RUNS):
//   hash table  - one runtime call per access into the hash table: the same script with a u64 value,
//                 which dense counters and strided runs do not take (the table's entries are the same size);
//   dense       - one call per access into dense counters (server/src/runtime/map-dense.ts): the script
//                 plus a map read in wasm:begin, which keeps the engine from batching;
//   dense+runs  - the script as it is: strided runs per site, one map.run call per run (engine/map-batch.ts).
// The three give the same map (checked: every run's rows, sorted). Also printed: the whole run of the
// last variant (compile + link + run + report flush), what a user waits for.
// Run: npx tsx test/bench/mem-access.bench.ts [APP_FILTER]   (RUNS=2 by default)
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';
import { HAVE_SHARED, SHARED } from '../support/shared.js';

if (!HAVE_SHARED) {
    console.log('../shared not found (set WHAMM_SHARED): nothing to measure');
    process.exit(0);
}
const filter = process.argv[2] ?? '';
const appsDir = path.join(SHARED, 'bench', 'apps', 'polybench');
const script = fs.readFileSync(path.join(SHARED, 'bench', 'monitors', 'mem-access.mm'), 'utf8');
const VARIANTS: [string, string][] = [
    ['hash table', script.replace('map<(u32, bool), u32>', 'map<(u32, bool), u64>')],
    ['dense', script + '\nwasm:begin { var first: u32 = accesses[(0, false)]; }\n'],
    ['dense+runs', script],
];
if (VARIANTS[0][1] === script) throw new Error('mem-access.mm no longer declares map<(u32, bool), u32>');
const nul = fs.openSync('/dev/null', 'w');
v8.setFlagsFromString('--no-liftoff');
v8.setFlagsFromString('--no-wasm-lazy-compilation');

interface Timed { run: number; total: number; rows?: string }
async function timeRun(bytes: Uint8Array, keep: boolean): Promise<Timed> {
    const t = performance.now();
    let text = '';
    const r = await runModule(bytes, { stdoutFd: nul, stderrFd: nul, stdout: s => { if (keep) text += s; }, stderr: () => undefined, argv0: 'app.wasm' });
    if (r.trapped) throw new Error(`trapped: ${r.trapped}`);
    const total = performance.now() - t;
    // The map as a set of entries (its printing order is the table's), without the begin probe's row.
    const rows = keep ? text.split(/[\n;]/).filter(l => l.includes('->') || /^\d+,(true|false),/.test(l)).map(l => l.replace(/.*\(/, '(')).sort().join('\n') : undefined;
    return { run: r.runMs ?? NaN, total, rows };
}

const n = Number(process.env.RUNS ?? 2);
const ratios: number[][] = VARIANTS.map(() => []);
console.log(`app              orig (ms)  ${VARIANTS.map(v => v[0].padStart(11)).join('  ')}  same map  whole run, last (ms)`);
for (const f of fs.readdirSync(appsDir).filter(f => f.endsWith('.wasm') && f.includes(filter)).sort()) {
    const app = fs.readFileSync(path.join(appsDir, f));
    const variants = await Promise.all(VARIANTS.map(async ([, s]) => (await instrument({ app, script: s, scriptPath: 'mem-access.mm' })).bytes));
    let orig = Infinity, total = Infinity;
    const best = VARIANTS.map(() => Infinity);
    const maps: (string | undefined)[] = [];
    for (let i = 0; i < n; i++) {
        orig = Math.min(orig, (await timeRun(app, false)).run);
        for (let j = 0; j < variants.length; j++) {
            const r = await timeRun(variants[j], i === 0);
            best[j] = Math.min(best[j], r.run);
            if (i === 0) maps[j] = r.rows;
            if (j === variants.length - 1) total = Math.min(total, r.total);
        }
    }
    best.forEach((b, j) => ratios[j].push(b / orig));
    const same = maps.every(m => m === maps[0]);
    console.log(`${f.padEnd(16)} ${orig.toFixed(1).padStart(9)}  ${best.map(b => `${(b / orig).toFixed(2)}x`.padStart(11)).join('  ')}  ${(same ? 'yes' : 'NO').padStart(8)}  ${total.toFixed(0).padStart(8)}`);
}
const geo = (xs: number[]) => Math.exp(xs.reduce((s, r) => s + Math.log(r), 0) / xs.length);
console.log(`geomean over ${ratios[0].length} apps: ${VARIANTS.map((v, j) => `${v[0]} ${geo(ratios[j]).toFixed(2)}x`).join(', ')}`);
