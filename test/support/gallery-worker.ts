// Runs every gallery template on each app named on the command line (`--templates a.mm,b.mm APP...`), in
// a process the caller can kill when an app exceeds its time bound: the original run first, then per
// template: instrument, validate, run, and compare with the original. Apps named in `--no-run a,b`
// (file names) are instrumented and validated but not run (`skippedRun`). Prints one JSON line per app:
// { app, originalMs, skippedRun?, results: [{ template, problem?, sites, ms }] }.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';

interface Captured { out: string; report: string; code: number; trapped?: string; ms: number }

async function runCaptured(bytes: Uint8Array): Promise<Captured> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-gallery-'));
    const file = path.join(dir, 'stdout');
    const fd = fs.openSync(file, 'w');
    let report = '';
    const t = performance.now();
    try {
        // Nothing granted: no environment, an empty preopened folder, argv[0] only.
        const r = await runModule(bytes, { stdoutFd: fd, stderrFd: fd, stdout: s => { report += s; }, stderr: s => { report += s; }, cwd: dir, env: {}, argv0: 'app.wasm' });
        return { out: fs.readFileSync(file, 'latin1'), report, code: r.exitCode, trapped: r.trapped, ms: performance.now() - t };
    } finally {
        fs.closeSync(fd);
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** Report variables declared at the top level (one row each, always) and inside probes (a row per site). */
export function reportVars(script: string): { global: string[]; perSite: string[] } {
    const global: string[] = [], perSite: string[] = [];
    for (const m of script.matchAll(/^([ \t]*)report\s+(?:unshared\s+)?var\s+(\w+)/gm)) (m[1] ? perSite : global).push(m[2]);
    return { global, perSite };
}

async function runApp(app: string, templates: string[], skipRun: boolean): Promise<void> {
    const bytes = fs.readFileSync(app);
    const original = skipRun ? { out: '', report: '', code: 0, ms: NaN } as Captured : await runCaptured(bytes);
    const results: { template: string; problem?: string; sites: number; ms: number }[] = [];
    for (const file of templates) {
        const template = path.basename(file, '.mm');
        const script = fs.readFileSync(file, 'utf8');
        let problem: string | undefined;
        let sites = 0, ms = 0;
        try {
            const r = await instrument({ app: bytes, script, scriptPath: file });
            sites = r.sites.length;
            if (!WebAssembly.validate(r.bytes)) throw new Error('V8 rejects the instrumented module');
            if (skipRun) { results.push({ template, sites, ms }); continue; }
            const run = await runCaptured(r.bytes);
            ms = run.ms;
            if (run.trapped && !original.trapped) problem = `trapped: ${run.trapped}`;
            else if (run.code !== original.code) problem = `exit code ${run.code}, original ${original.code}`;
            else if (run.out !== original.out) problem = `app output differs (${run.out.length} vs ${original.out.length} bytes)`;
            else if (!run.report.includes('REPORT CSV FLUSH')) problem = 'no report';
            else {
                // Every global report variable has its row; per-site ones have rows where the template matched.
                const rows = new Set(run.report.split('\n').map(l => l.split(', ')[2]));
                const vars = reportVars(script);
                const missing = vars.global.filter(v => !rows.has(v));
                if (missing.length) problem = `report lacks ${missing.join(', ')}`;
                else if (sites > 0 && vars.perSite.length && !vars.perSite.some(v => rows.has(v))) problem = `report has no row of ${vars.perSite.join(', ')}`;
            }
        } catch (e) {
            problem = (e as Error).message.split('\n')[0];
        }
        results.push({ template, problem, sites, ms: Math.round(ms) });
    }
    process.stdout.write(JSON.stringify({ app: path.basename(app), originalMs: Math.round(original.ms), originalCode: original.code, skippedRun: skipRun || undefined, results }) + '\n');
}

async function main(): Promise<void> {
    const argv = process.argv.slice(2);
    const value = (flag: string): string[] => { const i = argv.indexOf(flag); return i >= 0 ? argv.splice(i, 2)[1].split(',').filter(Boolean) : []; };
    const templates = value('--templates');
    const noRun = new Set(value('--no-run'));
    for (const app of argv) await runApp(app, templates, noRun.has(path.basename(app)));
}

if (process.argv[1] && path.resolve(process.argv[1]).endsWith('gallery-worker.ts')) {
    main().catch(e => { process.stderr.write(String((e as Error).stack ?? e) + '\n'); process.exit(1); });
}
