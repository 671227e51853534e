// `npm run bench:big`: instrumenting a big module, as a user runs it (`whamm instr` in a fresh process,
// out/cli.cjs, built first): wall and CPU time, peak resident memory (RSS, from /usr/bin/time), exit
// status and output sizes, for `wasm:opcode:*:before { count++; }` (one script counter) and the hotness
// monitor (a report variable per site). The module comes from big-module.ts (many functions copied from
// a few templates, about 1 instruction per 2 bytes), cached in the temp directory. Then `whamm run` of
// each output, to show it runs (its exit status, wall time, peak RSS and the report's rows). The target: 40 MB with hotness under ~2 GB peak, or a one-line "too
// large" message with exit 2 (never an abort).
// Options: --mb N[,N...] (default 40), --scripts count,hotness, --no-run.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bigModule } from './big-module.js';

const args = process.argv.slice(2);
const opt = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const sizes = (opt('--mb') ?? '40').split(',').map(Number);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'out', 'cli.cjs');
const SCRIPTS: Record<string, string> = {
    count: 'report var count: u32;\nwasm:opcode:*:before { count++; }\n',
    hotness: 'wasm:opcode:*:before {\n    report var count: u32;\n    count++;\n}\n',
};
const scripts = (opt('--scripts') ?? 'count,hotness').split(',');

if (!fs.existsSync('/usr/bin/time')) {
    console.log('/usr/bin/time not found: cannot measure peak memory');
    process.exit(0);
}
spawnSync(process.execPath, [path.join(ROOT, '.ci', 'build.mjs')], { stdio: 'inherit', cwd: ROOT });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-big-'));

interface Timed { wall: number; cpu: number; rssMb: number; status: number | null; stderr: string; lines: number }
/** Runs the CLI under /usr/bin/time; stdout is counted in lines (a big report is GBs: never kept). */
async function timed(cmd: string[]): Promise<Timed> {
    const tfile = path.join(dir, 'time.txt');
    const child = spawn('/usr/bin/time', ['-o', tfile, '-f', '%e %U %S %M', process.execPath, CLI, ...cmd], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let lines = 0, stderr = '';
    child.stdout.on('data', (b: Buffer) => { for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) lines++; });
    child.stderr.on('data', (b: Buffer) => { if (stderr.length < 4096) stderr += b.toString(); });
    const status = await new Promise<number | null>(resolve => child.on('close', code => resolve(code)));
    const last = fs.readFileSync(tfile, 'utf8').trim().split('\n').pop() ?? '';
    const [wall, user, sys, rssKb] = last.split(/\s+/).map(Number);
    // The first line that is not the note of a rerun in a newer Node.
    const said = stderr.trim().split('\n').filter(l => !/running in Node/.test(l))[0] ?? '';
    return { wall, cpu: user + sys, rssMb: rssKb / 1024, status, stderr: said, lines };
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const rows: string[][] = [['module', 'script', 'instr wall (s)', 'cpu (s)', 'peak RSS (MB)', 'RSS / module', 'exit', 'output', 'sites.json', 'run: exit, wall (s), RSS (MB), report rows']];
for (const size of sizes) {
    const app = path.join(os.tmpdir(), `whamm-big-${size}mb.wasm`);
    if (!fs.existsSync(app)) fs.writeFileSync(app, await bigModule(size * 1e6));
    const appBytes = fs.statSync(app).size;
    for (const s of scripts) {
        const script = path.join(dir, `${s}.mm`);
        fs.writeFileSync(script, SCRIPTS[s]);
        const out = path.join(dir, `${s}.wasm`);
        const t = await timed(['instr', '--app', app, '--script', script, '-o', out]);
        const ok = t.status === 0 && fs.existsSync(out);
        let run = '-';
        if (ok && !args.includes('--no-run')) {
            const r = await timed(['run', out]);
            // The flush: banner, header, then one line per row.
            run = `${r.status}, ${r.wall.toFixed(1)}, ${r.rssMb.toFixed(0)}, ${Math.max(0, r.lines - 2).toLocaleString('en-US')}${r.status ? `: ${r.stderr.slice(0, 60)}` : ''}`;
        }
        const sites = out.replace(/\.wasm$/, '.sites.json');
        rows.push([mb(appBytes), s, t.wall.toFixed(1), t.cpu.toFixed(1), t.rssMb.toFixed(0), `${(t.rssMb * 1048576 / appBytes).toFixed(0)}x`,
            t.status === 0 ? '0' : `${t.status}: ${t.stderr.slice(0, 80)}`,
            ok ? mb(fs.statSync(out).size) : '-', ok && fs.existsSync(sites) ? mb(fs.statSync(sites).size) : '-', run]);
        for (const f of [out, sites]) fs.rmSync(f, { force: true });
        process.stderr.write('.');
    }
}
process.stderr.write('\n');
fs.rmSync(dir, { recursive: true, force: true });
const w = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
console.log(`\nwhamm instr of big modules (fresh process each; time and peak RSS from /usr/bin/time; load average ${os.loadavg()[0].toFixed(1)}):`);
console.log(rows.map(r => r.map((c, i) => (i < 2 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')).join('\n'));
