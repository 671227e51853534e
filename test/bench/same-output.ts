// Checks that two builds of the CLI write the same files: `whamm instr` of each app with each monitor by
// REF (another build's out/cli.cjs) and by this tree's out/cli.cjs (built first), then the output module,
// its site table, the exit status and stderr compared byte for byte. For changes meant to leave every
// output as it was (memory, speed). Apps: the bench corpus (../shared/bench) and a generated big module.
// Usage: npx tsx test/bench/same-output.ts --ref /path/to/other/out/cli.cjs [--mb 12] [--apps a,b] [--monitors m,n]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bigModule } from './big-module.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BENCH = path.join(ROOT, '..', 'shared', 'bench');
const ref = opt('--ref');
if (!ref || !fs.existsSync(ref)) { console.log('usage: same-output.ts --ref OTHER/out/cli.cjs'); process.exit(2); }
if (!fs.existsSync(BENCH)) { console.log(`${BENCH} not found: skipped`); process.exit(0); }
spawnSync(process.execPath, [path.join(ROOT, '.ci', 'build.mjs')], { stdio: 'inherit', cwd: ROOT });
const ours = path.join(ROOT, 'out', 'cli.cjs');

const DEFAULT_APPS = ['real/fib', 'real/game-of-life', 'real/mandelbrot', 'real/pathfinding', 'real/hydro', 'real/figma-startpage', 'polybench/2mm', 'polybench/lu'];
const apps = (opt('--apps')?.split(',') ?? DEFAULT_APPS).map(a => path.join(BENCH, 'apps', `${a}.wasm`));
const monitorDir = path.join(BENCH, 'monitors');
const monitors = opt('--monitors')?.split(',').map(m => path.join(monitorDir, `${m}.mm`))
    ?? fs.readdirSync(monitorDir).filter(f => f.endsWith('.mm')).sort().map(f => path.join(monitorDir, f));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-same-'));
const count = path.join(dir, 'count.mm');
fs.writeFileSync(count, 'report var count: u32;\nwasm:opcode:*:before { count++; }\n');
const runs: [string, string][] = [];
for (const a of apps) for (const m of [...monitors, count]) runs.push([a, m]);
for (const size of (opt('--mb') ?? '12').split(',').filter(Boolean).map(Number)) {
    const big = path.join(os.tmpdir(), `whamm-big-${size}mb.wasm`);
    if (!fs.existsSync(big)) fs.writeFileSync(big, await bigModule(size * 1e6));
    runs.push([big, count]);
}

interface Outcome { status: number | null; stderr: string; files: (Buffer | undefined)[] }
function instr(cli: string, app: string, script: string): Outcome {
    const out = path.join(dir, 'out.wasm'), sites = path.join(dir, 'out.sites.json');
    for (const f of [out, sites]) fs.rmSync(f, { force: true });
    const r = spawnSync(process.execPath, [cli, 'instr', '--app', app, '--script', script, '-o', out], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
    const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f) : undefined);
    return { status: r.status, stderr: r.stderr, files: [read(out), read(sites)] };
}

let differ = 0;
for (const [app, script] of runs) {
    const a = instr(ref, app, script), b = instr(ours, app, script);
    const what: string[] = [];
    if (a.status !== b.status) what.push(`exit ${a.status} vs ${b.status}`);
    if (a.stderr !== b.stderr) what.push('stderr');
    ['module', 'site table'].forEach((name, i) => {
        const x = a.files[i], y = b.files[i];
        if ((x === undefined) !== (y === undefined) || (x && y && !x.equals(y))) what.push(name);
    });
    const label = `${path.basename(app)} + ${path.basename(script)}`;
    console.log(`${what.length ? 'DIFFER' : 'same  '} ${label}: exit ${b.status}, ${b.files[0]?.length ?? '-'} bytes${what.length ? ` (${what.join(', ')})` : ''}`);
    if (what.length) differ++;
}
fs.rmSync(dir, { recursive: true, force: true });
console.log(`${runs.length - differ} of ${runs.length} the same`);
process.exit(differ ? 1 : 0);
