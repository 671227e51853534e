// Every monitor of the gallery (monitors/*.mm) instruments and runs every bench app of ../shared: the
// instrumented module validates, the app's output and exit code are the original's, and the report is
// there (every global report variable has its row; per-site variables have rows where the monitor
// matched). Long: the apps run in a child process (test/support/gallery-worker.ts), several per process,
// each app bounded by WHAMM_GALLERY_APP_TIMEOUT_S (default 300 s; an app over it fails). The four real
// apps whose run takes seconds even uninstrumented (fib, mandelbrot, pathfinding, funky-kart: minutes
// under the heavier monitors) are instrumented and validated only, and say so; WHAMM_GALLERY_FULL=1
// runs them too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { listTemplates } from '../../server/src/gallery/catalog.js';
import { listFiles, PROJECT_ROOT, sharedPath, SKIP_NO_SHARED } from '../support/shared.js';

const WORKER = path.join(PROJECT_ROOT, 'test', 'support', 'gallery-worker.ts');
const TSX = pathToFileURL(path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const APP_TIMEOUT_MS = Number(process.env.WHAMM_GALLERY_APP_TIMEOUT_S ?? 300) * 1000;
const LONG_APPS = process.env.WHAMM_GALLERY_FULL === '1' ? [] : ['fib.wasm', 'mandelbrot.wasm', 'pathfinding.wasm', 'funky-kart.wasm'];

interface AppResult {
    app: string;
    originalMs: number;
    skippedRun?: boolean;
    timedOut?: boolean;
    results: { template: string; problem?: string; sites: number; ms: number }[];
}

/** Runs the worker over `apps`; an app that takes longer than the bound is killed and reported as such. */
function runWorker(apps: string[], templates: string[]): Promise<AppResult[]> {
    return new Promise(resolve => {
        const done: AppResult[] = [];
        const child = spawn(process.execPath, ['--import', TSX, WORKER, '--templates', templates.join(','), '--no-run', LONG_APPS.join(','), ...apps],
            { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
        let buf = '', err = '';
        let timer = setTimeout(() => child.kill('SIGKILL'), APP_TIMEOUT_MS);
        child.stdout.on('data', (d: Buffer) => {
            buf += d.toString('utf8');
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
                done.push(JSON.parse(buf.slice(0, nl)) as AppResult);
                buf = buf.slice(nl + 1);
                clearTimeout(timer);
                timer = setTimeout(() => child.kill('SIGKILL'), APP_TIMEOUT_MS);
            }
        });
        child.stderr.on('data', (d: Buffer) => { err += d.toString('utf8'); });
        child.on('close', () => {
            clearTimeout(timer);
            if (done.length < apps.length) {
                // The app being run when the worker died (killed at the bound, or crashed).
                const app = path.basename(apps[done.length]);
                done.push({ app, originalMs: NaN, timedOut: true, results: [{ template: '*', problem: `no result within ${APP_TIMEOUT_MS / 1000} s${err ? `: ${err.trim().split('\n').pop()}` : ''}`, sites: 0, ms: 0 }] });
                void runWorker(apps.slice(done.length), templates).then(rest => resolve([...done, ...rest]));
            } else {
                resolve(done);
            }
        });
    });
}

const templates = listTemplates();
const apps = [...listFiles(sharedPath('bench', 'apps', 'polybench'), '.wasm'), ...listFiles(sharedPath('bench', 'apps', 'real'), '.wasm')];

test('the gallery has the monitors it advertises, each with a title and a summary', () => {
    const names = templates.map(t => t.name);
    for (const want of ['coverage-instructions', 'coverage-blocks', 'coverage-branches', 'hotness', 'instruction-mix', 'call-graph',
        'memory-trace', 'cache-simulation', 'loops', 'memory-growth', 'fault-injection', 'function-time']) {
        assert.ok(names.includes(want), `monitors/${want}.mm missing`);
    }
    for (const t of templates) {
        assert.ok(t.title !== t.name && t.summary.length > 20, `${t.name}: header needs '// title:' and '// summary:'`);
    }
});

test('every gallery monitor instruments and runs every bench app: output unchanged, report present', { skip: SKIP_NO_SHARED }, async t => {
    assert.ok(apps.length > 0, 'no bench apps found');
    const results = await runWorker(apps, templates.map(x => x.file));
    let ran = 0;
    for (const r of results) {
        await t.test(r.app, () => {
            if (r.skippedRun) t.diagnostic(`${r.app}: runs for seconds uninstrumented: instrumented and validated only (WHAMM_GALLERY_FULL=1 runs it)`);
            else if (!r.timedOut) ran += r.results.length;
            const failed = r.results.filter(x => x.problem).map(x => `${x.template}: ${x.problem}`);
            assert.deepEqual(failed, [], `${r.app}:\n  ${failed.join('\n  ')}`);
            assert.equal(r.results.length, templates.length);
        });
    }
    t.diagnostic(`${ran} template runs compared with the original over ${results.length} apps`);
});
