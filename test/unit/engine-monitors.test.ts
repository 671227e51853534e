// Every bench monitor the engine core supports instruments every bench app: the output validates
// (V8 and binaryen) and the instrumented app prints exactly what the original prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';
import { listFiles, sharedPath, SKIP_NO_SHARED } from '../support/shared.js';
import { validates } from '../support/engine-harness.js';

const MONITORS = (process.env.WHAMM_MONITORS ?? 'icount,hotness,branches,basic-blocks,instr-coverage').split(',');
// Real apps that finish in well under a second even instrumented; the others are only validated.
const RUN_REAL = new Set(['game-of-life.wasm']);

async function runCaptured(bytes: Uint8Array): Promise<{ out: string; report: string; code: number }> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-mon-'));
    const file = path.join(dir, 'stdout');
    const fd = fs.openSync(file, 'w');
    let report = '';
    try {
        const r = await runModule(bytes, { stdoutFd: fd, stderrFd: fd, stdout: t => { report += t; }, stderr: () => undefined, cwd: dir });
        return { out: fs.readFileSync(file, 'utf8'), report, code: r.exitCode };
    } finally {
        fs.closeSync(fd);
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

const apps = [...listFiles(sharedPath('bench', 'apps', 'polybench'), '.wasm'), ...listFiles(sharedPath('bench', 'apps', 'real'), '.wasm')];

test('every supported bench monitor instruments every bench app; outputs validate and behave like the originals', { skip: SKIP_NO_SHARED }, async () => {
    const scripts = MONITORS.map(m => [m, fs.readFileSync(sharedPath('bench', 'monitors', `${m}.mm`), 'utf8')] as const);
    for (const app of apps) {
        const name = path.basename(app);
        const bytes = fs.readFileSync(app);
        const real = app.includes(`${path.sep}real${path.sep}`);
        const run = !real || RUN_REAL.has(name);
        const original = run ? await runCaptured(bytes) : undefined;
        for (const [monitor, script] of scripts) {
            const r = await instrument({ app: bytes, script, scriptPath: `${monitor}.mm` });
            assert.ok(WebAssembly.validate(r.bytes), `${monitor} on ${name}: V8 rejects the output`);
            if (bytes.length < 30_000) assert.ok(validates(r.bytes), `${monitor} on ${name}: binaryen rejects the output`);
            assert.ok(r.sites.length > 0, `${monitor} on ${name}: no match site`);
            if (!original) continue;
            const instrumented = await runCaptured(r.bytes);
            assert.equal(instrumented.code, original.code, `${monitor} on ${name}: exit code`);
            assert.equal(instrumented.out, original.out, `${monitor} on ${name}: app output differs`);
            assert.match(instrumented.report, /REPORT CSV FLUSH/, `${monitor} on ${name}: no report`);
        }
    }
});
