// The sample apps of the mapping / coverage tests build from source and behave as their comments say.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { WASI } from 'node:wasi';
import { buildAsSample, buildCSample, cachedBuild, SKIP_NO_CLANG } from '../support/samples.js';

/** Runs a WASI command module and returns what it wrote to stdout. */
async function runWasi(wasm: string): Promise<string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-sample-run-'));
    const out = path.join(dir, 'stdout');
    const fd = fs.openSync(out, 'w');
    try {
        const wasi = new WASI({ version: 'preview1', args: ['app'], env: {}, stdout: fd, returnOnExit: true });
        const mod = await WebAssembly.compile(fs.readFileSync(wasm));
        const instance = await WebAssembly.instantiate(mod, wasi.getImportObject() as WebAssembly.Imports);
        wasi.start(instance);
    } finally {
        fs.closeSync(fd);
    }
    const text = fs.readFileSync(out, 'utf8');
    fs.rmSync(dir, { recursive: true, force: true });
    return text;
}

for (const version of [4, 5] as const) {
    test(`C sample (DWARF ${version}) builds and prints its histogram`, { skip: SKIP_NO_CLANG }, async () => {
        const wasm = buildCSample(version);
        const bytes = fs.readFileSync(wasm);
        assert.ok(WebAssembly.validate(bytes));
        // classify(0..9): multiples of 3 -> 4, other evens -> 3, other odds -> 3; 1^2+2^2+3^2+4^2 = 30.
        assert.equal(await runWasi(wasm), 'ones=3\ntwos=3\nthrees=4\nsum=30\n');
    });
}

test('AssemblyScript sample builds with a source map beside it and prints 21', async () => {
    const wasm = buildAsSample();
    assert.ok(fs.existsSync(wasm + '.map'));
    const map = JSON.parse(fs.readFileSync(wasm + '.map', 'utf8'));
    assert.equal(map.version, 3);
    assert.ok(map.sources.some((s: string) => s.endsWith('samples/as/index.ts')));
    assert.equal(await runWasi(wasm), '21\n');
});

test('sample builds are cached by content and redone when an input changes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-cache-'));
    try {
        const src = path.join(dir, 'in.txt');
        const outDir = path.join(dir, 'out');
        fs.writeFileSync(src, 'one');
        let builds = 0;
        const build = (key: string) => cachedBuild(outDir, key, ['o.txt'], tmp => {
            builds++;
            fs.writeFileSync(path.join(tmp, 'o.txt'), fs.readFileSync(src));
        });
        build('k1');
        build('k1');
        assert.equal(builds, 1);
        assert.equal(fs.readFileSync(path.join(outDir, 'o.txt'), 'utf8'), 'one');
        fs.writeFileSync(src, 'two');
        build('k2');
        assert.equal(builds, 2);
        assert.equal(fs.readFileSync(path.join(outDir, 'o.txt'), 'utf8'), 'two');
        fs.rmSync(path.join(outDir, 'o.txt'));
        build('k2');
        assert.equal(builds, 3, 'a missing output is rebuilt');
        assert.deepEqual(fs.readdirSync(dir).filter(n => n.startsWith('.tmp-')), [], 'no temporary folder left');
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
