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

for (const monitor of MONITORS) {
    test(`bench monitor ${monitor} instruments every bench app; outputs validate and behave like the originals`, { skip: SKIP_NO_SHARED }, async () => {
        const script = fs.readFileSync(sharedPath('bench', 'monitors', `${monitor}.mm`), 'utf8');
        for (const app of apps) {
            const name = path.basename(app);
            const bytes = fs.readFileSync(app);
            const r = await instrument({ app: bytes, script, scriptPath: `${monitor}.mm` });
            assert.ok(WebAssembly.validate(r.bytes), `${monitor} on ${name}: V8 rejects the output`);
            if (bytes.length < 300_000) assert.ok(validates(r.bytes), `${monitor} on ${name}: binaryen rejects the output`);
            assert.ok(r.sites.length > 0, `${monitor} on ${name}: no match site`);
            const real = app.includes(`${path.sep}real${path.sep}`);
            if (real && !RUN_REAL.has(name)) continue;
            const original = await runCaptured(bytes);
            const instrumented = await runCaptured(r.bytes);
            assert.equal(instrumented.code, original.code, `${monitor} on ${name}: exit code`);
            assert.equal(instrumented.out, original.out, `${monitor} on ${name}: app output differs`);
            assert.match(instrumented.report, /REPORT CSV FLUSH/, `${monitor} on ${name}: no report`);
        }
    });
}
