// A module too large to instrument within the memory budget (WHAMM_MAX_MEMORY_MB) ends in a one-line
// "too large" message with exit 2 and writes nothing; within the budget the same module instruments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bigModule } from '../bench/big-module.js';
import { whamm } from '../support/cli.js';

test('instr over the memory budget says "too large" with exit 2 and writes nothing; within it, it instruments', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-large-'));
    try {
        const app = path.join(dir, 'big.wasm'), script = path.join(dir, 'count.mm'), out = path.join(dir, 'out.wasm');
        fs.writeFileSync(app, await bigModule(300_000));
        fs.writeFileSync(script, 'report var count: u32;\nwasm:opcode:*:before { count++; }\n');
        const saved = process.env.WHAMM_MAX_MEMORY_MB;
        process.env.WHAMM_MAX_MEMORY_MB = '20'; // below what the CLI process itself takes
        let r;
        try { r = whamm(['instr', '--app', app, '--script', script, '-o', out]); } finally {
            if (saved === undefined) delete process.env.WHAMM_MAX_MEMORY_MB; else process.env.WHAMM_MAX_MEMORY_MB = saved;
        }
        assert.equal(r.code, 2, r.err);
        assert.match(r.err, /too large to instrument with this script in 20 MB of memory.*WHAMM_MAX_MEMORY_MB/);
        assert.equal(r.err.trim().split('\n').length, 1, 'one line, no stack trace');
        assert.ok(!fs.existsSync(out) && !fs.existsSync(path.join(dir, 'out.sites.json')), 'nothing written');
        const ok = whamm(['instr', '--app', app, '--script', script, '-o', out]);
        assert.equal(ok.code, 0, ok.err);
        const sites = JSON.parse(fs.readFileSync(path.join(dir, 'out.sites.json'), 'utf8')) as { sites: number[][] };
        assert.ok(sites.sites.length > 50_000, `${sites.sites.length} sites`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('per-site state past the engines\' limit of 1,000,000 globals is a one-line "too large" with exit 2, nothing written', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-globals-'));
    try {
        // A per-site variable that is not a counter takes one global per site (counters move to a memory
        // of their own, engine-counter-memory.test.ts): one function of 1,000,001 calls needs 1,000,001
        // globals. The module is built directly (the WAT text would be tens of MB): type () -> (), two
        // functions, the second's body `call 0` repeated.
        const N = 1_000_001;
        const body = new Uint8Array(1 + N * 2 + 1);
        body[0] = 0; // no locals
        for (let i = 0; i < N; i++) { body[1 + 2 * i] = 0x10; body[2 + 2 * i] = 0; }
        body[body.length - 1] = 0x0b;
        const leb = (n: number) => { const o: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
        const section = (id: number, content: number[] | Uint8Array) => [id, ...leb(content.length), ...content];
        const code = [2, 2, 0, 0x0b, ...leb(body.length)];
        const bytes = Uint8Array.from([
            0, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
            ...section(1, [1, 0x60, 0, 0]), ...section(3, [2, 0, 0]),
            10, ...leb(code.length + body.length), ...code,
        ]);
        const app = path.join(dir, 'calls.wasm'), script = path.join(dir, 'hot.mm'), out = path.join(dir, 'out.wasm');
        fs.writeFileSync(app, Buffer.concat([bytes, body]));
        fs.writeFileSync(script, 'wasm:opcode:call:before {\n    report var last: u32;\n    last = 1;\n}\n');
        const r = whamm(['instr', '--app', app, '--script', script, '-o', out]);
        assert.equal(r.code, 2, r.err);
        assert.match(r.err, /too large to instrument with this script: its per-site state needs more than 1,000,000 globals/);
        assert.doesNotMatch(r.err, /WHAMM_MAX_MEMORY_MB/, 'more memory would not help');
        assert.equal(r.err.trim().split('\n').length, 1, 'one line, no stack trace');
        assert.deepEqual(fs.readdirSync(dir).sort(), ['calls.wasm', 'hot.mm'], 'nothing written');
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
