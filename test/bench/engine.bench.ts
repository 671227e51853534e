// `npm run bench`: the engine's speed, measured side by side in one run.
//  1. `instr` of funky-kart.wasm with `wasm:opcode:*:before { count++ }` against binaryen.js
//     readBinary + emitBinary of the same module (target: ratio <= 1.0), and throughput in MB/s.
//  2. Run-time overhead (instrumented / original run time of the entry point, wall clock; CPU time of the
//     process over the same span on a separate line, steadier on a busy machine; geometric mean over the
//     bench apps) of the standard monitors: icount, hotness, branches (targets 1.5x, 1.5x, 2.0x), and
//     call-graph, mem-access, imix, basic-blocks (reported, no target). Every instrumented run is also
//     checked: same app output and exit status as the original, no trap, a report, and the
//     print_map_as_csv rows for the monitors that call it. Failing app/monitor pairs are listed and left
//     out of the geomean.
//  3. Whole runs as a user sees them: `whamm run` (out/cli.cjs, built first) of the instrumented module vs
//     `whamm run` of the original, each a fresh process with V8's default tiering (lazy baseline compile,
//     optimization of hot code in the background): CPU time (user + system) and wall-clock ratios, and
//     the peak resident memory (RSS) of both, from /usr/bin/time. Best of --process-runs (default 2).
// Options: --quick (polybench only for the overhead), --reps N (instr repetitions, default 5),
//          --apps a,b (substring filter), --monitors m1,m2, --runs N (most timed runs per variant,
//          default 5; 2 for apps over 300 KB), --budget S (see below), --no-instr (skip part 1),
//          --tiering eager|default (eager, the default: V8 compiles all wasm optimized up front),
//          --no-process (skip part 3), --process-runs N, --no-entry (skip the entry-point timing of part 2),
//          --instr-only (part 1 only).
// Timing budget: a variant runs twice (once if that run took over 5 s), then stops repeating once its
// runs add up to --budget seconds (default 1.5), so slow map-heavy runs (mem-access) are timed twice
// and a full run stays under ~10 minutes on 2 cores.
import '../../server/src/polyfill.js';
import fs from 'node:fs';
import v8 from 'node:v8';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import binaryen from 'binaryen';
import { instrument } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';
import { HAVE_SHARED, listFiles, sharedPath } from '../support/shared.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const quick = args.includes('--quick');
const reps = Number(opt('--reps') ?? 5);
const maxRuns = opt('--runs') ? Number(opt('--runs')) : undefined;
const budgetMs = Number(opt('--budget') ?? 1.5) * 1000;
const appFilter = opt('--apps')?.split(',');
const ALL_MONITORS = ['icount', 'hotness', 'branches', 'call-graph', 'mem-access', 'imix', 'basic-blocks'];
const monitors = opt('--monitors')?.split(',') ?? ALL_MONITORS;
const TARGETS: Record<string, number> = { icount: 1.5, hotness: 1.5, branches: 2.0 };
// By default V8 compiles a wasm function when it is first called (lazily, inside the timed run), in its
// baseline tier (Liftoff), and optimizes hot functions in the background; a function entered once (a
// PolyBench kernel) stays baseline for that run, and V8 shares optimized code between compiles of
// identical bytes. So a variant timed once (slow ones, see the budget) would run baseline code while
// the original, timed five times, runs optimized code, and first runs pay for compiling: ratios below 1
// and above the truth. Compiling everything optimized up front (outside the timing) makes runs alike.
const tiering = opt('--tiering') ?? 'eager';
const noEntry = args.includes('--no-entry');
const processRuns = Number(opt('--process-runs') ?? 2);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'out', 'cli.cjs');
const instrOnly = args.includes('--instr-only');
const wholeRuns = !instrOnly && !args.includes('--no-process') && fs.existsSync('/usr/bin/time');
if (!instrOnly && !args.includes('--no-process') && !wholeRuns) console.log('/usr/bin/time not found: whole-run figures skipped');
if (wholeRuns) spawnSync(process.execPath, [path.join(ROOT, '.ci', 'build.mjs')], { stdio: 'inherit', cwd: ROOT });
if (tiering === 'eager') { v8.setFlagsFromString('--no-liftoff'); v8.setFlagsFromString('--no-wasm-lazy-compilation'); }

if (!HAVE_SHARED) {
    console.log('../shared not found (set WHAMM_SHARED): nothing to measure');
    process.exit(0);
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const geomean = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);

// ---------- 1. instrumentation speed ----------
if (!args.includes('--no-instr')) {
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

if (instrOnly) process.exit(0);

// ---------- 2. run-time overhead ----------
// Whole runs (part 3), filled in as the apps are measured.
const procRows: string[][] = [['app', 'original cpu (ms)', 'RSS (MB)', ...monitors.map(m => `${m} cpu, RSS`)]];
const procRatios: Record<string, { cpu: number[]; wall: number[]; rss: number[]; rssMb: number[] }> =
    Object.fromEntries(monitors.map(m => [m, { cpu: [], wall: [], rss: [], rssMb: [] }]));
const origRss: number[] = [];
const procFailures: string[] = [];
const devnull = fs.openSync(os.devNull, 'w');
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-bench-'));

interface Run { ms: number; cpu: number; exitCode: number; trapped?: string; report?: string; csv: boolean; appOut?: string }

/**
 * One run of a module. The time is the app's run only (entry point, probes included): compiling,
 * linking and the report flush are one-time costs outside the comparison (V8 reuses the compiled module
 * for identical bytes). With `capture`, the app's stdout/stderr go to a file and are returned.
 */
async function timeRun(bytes: Uint8Array, capture: boolean): Promise<Run> {
    const file = path.join(outDir, 'out.txt');
    const fd = capture ? fs.openSync(file, 'w') : devnull;
    let texts = 0;
    let report: string | undefined;
    try {
        const r = await runModule(bytes, {
            stdoutFd: fd, stderrFd: fd, cwd: os.tmpdir(),
            // Everything the runner prints itself: print_map_as_csv rows, then the report.
            stdout: t => { texts++; void t; }, stderr: () => undefined,
        });
        report = r.report;
        return {
            ms: r.runMs ?? NaN, cpu: r.runCpuMs ?? NaN, exitCode: r.exitCode, trapped: r.trapped, report,
            csv: texts > (report === undefined ? 0 : 1),
            appOut: capture ? fs.readFileSync(file, 'latin1') : undefined,
        };
    } finally {
        if (capture) fs.closeSync(fd);
    }
}

/** Why an instrumented run is not a faithful run of the app, or undefined when it is. */
function check(orig: Run, inst: Run, monitor: string, script: string): string | undefined {
    if (inst.trapped && !orig.trapped) return `trapped: ${inst.trapped}`;
    if (inst.exitCode !== orig.exitCode) return `exit code ${inst.exitCode}, original ${orig.exitCode}`;
    // What the script prints through whamm_core (print_map_as_csv rows) goes to the app's stdout, after
    // everything the app printed.
    const printed = script.includes('whamm_core.');
    const same = printed ? inst.appOut!.startsWith(orig.appOut!) : inst.appOut === orig.appOut;
    if (!same) return `app output differs (${inst.appOut?.length} vs ${orig.appOut?.length} bytes)`;
    if (!inst.report?.trim()) return 'no report';
    if (script.includes('print_map_as_csv') && !inst.csv && inst.appOut!.length === orig.appOut!.length) return 'no print_map_as_csv output';
    void monitor;
    return undefined;
}

let apps = listFiles(sharedPath('bench', 'apps', 'polybench'), '.wasm');
if (!quick) apps.push(...listFiles(sharedPath('bench', 'apps', 'real'), '.wasm'));
if (appFilter) apps = apps.filter(a => appFilter.some(f => a.includes(f)));

const rows: string[][] = [['app', 'original (ms)', ...monitors]];
const ratios: Record<string, number[]> = Object.fromEntries(monitors.map(m => [m, []]));
const cpuRatios: Record<string, number[]> = Object.fromEntries(monitors.map(m => [m, []]));
const failures: string[] = [];
const scripts = Object.fromEntries(monitors.map(m => [m, fs.readFileSync(sharedPath('bench', 'monitors', `${m}.mm`), 'utf8')]));
const started = performance.now();
for (const app of apps) {
    const name = path.basename(app, '.wasm');
    const bytes = fs.readFileSync(app);
    const variants: (Uint8Array | undefined)[] = [];
    const broken: (string | undefined)[] = [];
    for (const m of monitors) {
        try {
            variants.push((await instrument({ app: bytes, script: scripts[m], scriptPath: `${m}.mm` })).bytes);
            broken.push(undefined);
        } catch (e) {
            variants.push(undefined);
            broken.push(`instrumentation failed: ${(e as Error).message.split('\n')[0]}`);
        }
    }
    if (wholeRuns) processRow(name, bytes, variants, broken);
    // Interleave original and instrumented runs so machine noise hits both alike; best of the runs.
    // The first run of each is the checked one.
    const n = noEntry ? 0 : maxRuns ?? (bytes.length > 300_000 ? 2 : 5);
    const orig: number[] = [], origCpu: number[] = [];
    const inst: number[][] = monitors.map(() => []), instCpu: number[][] = monitors.map(() => []);
    const spent = monitors.map(() => 0);
    let origRun: Run | undefined;
    let origSpent = 0;
    // Every variant runs twice (a single run is at the mercy of the machine) unless one run took over
    // 5 s, then again while its runs stay within the budget.
    const more = (k: number, t: number) => k === 0 || (k === 1 && t < 5000) || t <= budgetMs;
    for (let k = 0; k < n; k++) {
        if (!more(k, origSpent) && spent.every((t, j) => !variants[j] || broken[j] || !more(k, t))) break;
        const o = await timeRun(bytes, k === 0);
        origSpent += o.ms;
        origRun ??= o;
        orig.push(o.ms); origCpu.push(o.cpu);
        for (let j = 0; j < monitors.length; j++) {
            const v = variants[j];
            if (!v || broken[j] || !more(k, spent[j])) continue;
            let r: Run;
            try {
                r = await timeRun(v, k === 0);
            } catch (e) {
                broken[j] = `run failed: ${(e as Error).message.split('\n')[0]}`;
                continue;
            }
            if (k === 0) broken[j] = check(origRun, r, monitors[j], scripts[monitors[j]]);
            inst[j].push(r.ms); instCpu[j].push(r.cpu);
            spent[j] += r.ms;
        }
    }
    if (noEntry) { process.stderr.write('.'); continue; }
    const o = Math.min(...orig);
    const row = [name, o.toFixed(o < 10 ? 1 : 0)];
    monitors.forEach((m, j) => {
        if (broken[j]) {
            failures.push(`${name} / ${m}: ${broken[j]}`);
            row.push('FAIL');
            return;
        }
        const r = Math.min(...inst[j]) / o;
        ratios[m].push(r);
        cpuRatios[m].push(Math.min(...instCpu[j]) / Math.min(...origCpu));
        row.push(`${r.toFixed(2)}x`);
    });
    rows.push(row);
    process.stderr.write('.');
}
process.stderr.write('\n');
fs.rmSync(outDir, { recursive: true, force: true });
rows.push(['geomean', '', ...monitors.map(m => (ratios[m].length ? `${geomean(ratios[m]).toFixed(2)}x` : '-'))]);
rows.push(['geomean of CPU time', '', ...monitors.map(m => (cpuRatios[m].length ? `${geomean(cpuRatios[m]).toFixed(2)}x` : '-'))]);
rows.push(['target', '', ...monitors.map(m => (TARGETS[m] ? `<= ${TARGETS[m].toFixed(1)}x` : '-'))]);
if (!noEntry) {
    console.log(`\nrun-time overhead (instrumented / original run time of the entry point, best of up to ${maxRuns ?? '5 (2 for apps > 300 KB)'} runs, at least 2 unless one took > 5 s, more while within ${budgetMs / 1000} s per variant; compile and report flush excluded; ${apps.length} apps, ${((performance.now() - started) / 1000).toFixed(0)} s):`);
    console.log(table(rows));
}
if (wholeRuns) printProcessTable();
if (failures.length) {
    console.log(`\n${failures.length} app/monitor pair(s) failed (left out of the geomean):`);
    for (const f of failures) console.log(`  ${f}`);
} else {
    console.log(`\nall ${apps.length * monitors.length} app/monitor pairs ran correctly (same app output and exit status, report present).`);
}

// ---------- 3. whole runs, as a user runs them ----------
interface ProcRun { cpu: number; wall: number; rssMb: number; exit: number | null }

/** One `whamm run FILE` in a fresh process under /usr/bin/time (app output discarded). */
function procRun(file: string): ProcRun {
    const tfile = path.join(outDir, 'time.txt');
    const r = spawnSync('/usr/bin/time', ['-o', tfile, '-f', '%e %U %S %M', process.execPath, CLI, 'run', file],
        { stdio: 'ignore', cwd: outDir, env: { PATH: process.env.PATH ?? '' } });
    // GNU time puts "Command exited with non-zero status N" before the figures.
    const last = fs.readFileSync(tfile, 'utf8').trim().split('\n').pop() ?? '';
    const [wall, user, sys, rssKb] = last.split(/\s+/).map(Number);
    return { cpu: (user + sys) * 1000, wall: wall * 1000, rssMb: rssKb / 1024, exit: r.status };
}

/** Best (lowest) of up to `processRuns` runs; one run when it took over 5 s. */
function bestProcRun(file: string): ProcRun {
    let best = procRun(file);
    for (let i = 1; i < processRuns && best.wall < 5000; i++) {
        const r = procRun(file);
        best = { cpu: Math.min(best.cpu, r.cpu), wall: Math.min(best.wall, r.wall), rssMb: Math.min(best.rssMb, r.rssMb), exit: best.exit };
    }
    return best;
}


function processRow(name: string, bytes: Uint8Array, variants: (Uint8Array | undefined)[], broken: (string | undefined)[]): void {
    const file = path.join(outDir, `${name}.wasm`);
    fs.writeFileSync(file, bytes);
    const o = bestProcRun(file);
    origRss.push(o.rssMb);
    const row = [name, o.cpu.toFixed(0), o.rssMb.toFixed(0)];
    monitors.forEach((m, j) => {
        const v = variants[j];
        if (!v || broken[j]) { row.push('-'); return; }
        const f = path.join(outDir, `${name}.${m}.wasm`);
        fs.writeFileSync(f, v);
        const r = bestProcRun(f);
        if (r.exit !== o.exit) { procFailures.push(`${name} / ${m}: exit ${r.exit}, original ${o.exit}`); row.push('FAIL'); return; }
        const pr = procRatios[m];
        pr.cpu.push(r.cpu / o.cpu); pr.wall.push(r.wall / o.wall); pr.rss.push(r.rssMb / o.rssMb); pr.rssMb.push(r.rssMb);
        row.push(`${(r.cpu / o.cpu).toFixed(2)}x ${r.rssMb.toFixed(0)}`);
        fs.rmSync(f);
    });
    fs.rmSync(file);
    procRows.push(row);
}

function printProcessTable(): void {
    const g = (k: 'cpu' | 'wall' | 'rss') => monitors.map(m => (procRatios[m][k].length ? `${geomean(procRatios[m][k]).toFixed(2)}x` : '-'));
    const mean = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
    procRows.push(['geomean cpu (user+sys)', '', '', ...g('cpu')]);
    procRows.push(['geomean wall', '', '', ...g('wall')]);
    procRows.push(['geomean peak RSS', '', '', ...g('rss')]);
    procRows.push(['mean peak RSS (MB)', '', mean(origRss).toFixed(0), ...monitors.map(m => mean(procRatios[m].rssMb).toFixed(0))]);
    console.log(`\nwhole runs (\`whamm run\` of the instrumented module / of the original, fresh process each, V8's default tiering; CPU time and peak RSS from /usr/bin/time, best of ${processRuns}; cells: cpu ratio, peak RSS in MB):`);
    console.log(table(procRows));
    if (procFailures.length) for (const f of procFailures) console.log(`  FAIL ${f}`);
}

function table(rs: string[][]): string {
    const w = rs[0].map((_, i) => Math.max(...rs.map(r => (r[i] ?? '').length)));
    return rs.map(r => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')).join('\n');
}
