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
