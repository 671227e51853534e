// Per-site counters in a memory of their own (a big module passes the globals engines accept): the
// printed report is the report of the same run with every counter in a global — same rows, same values —
// also after a trap in the middle of a counted segment. The threshold is lowered so a small app takes
// that path. Modules with two memories need a Node 22 (`whamm run` reruns there by itself).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instrument } from '../../server/src/engine/instrument.js';
import { decodeModule } from '../../server/src/wasm/index.js';
import { COUNTER_MEMORY_EXPORT } from '../../server/src/engine/report-layout.js';
import { findCapableNode } from '../../server/src/runner/capable-node.js';
import { runModule } from '../../server/src/runner/run.js';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../support/shared.js';
import { wat } from '../support/wat.js';
import type { RunResultJson } from '../../server/src/protocol.js';

const MAIN = path.join(PROJECT_ROOT, 'server', 'src', 'cli', 'main.ts');
const TSX = pathToFileURL(path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const NO_NODE22 = findCapableNode() ? false : 'no Node 22+ found (run .ci/setup-node22.sh): modules with a counter memory cannot run here';

// A loop (counts of 11 and 10), a call, then a trap in the middle of a segment: the sites after the
// trapping load never ran and must read 0, the ones before it 1.
const APP = `(module (memory 1)
  (func $sum (param i32) (result i32) (local i32)
    (block (loop
      (local.set 1 (i32.add (local.get 1) (i32.load (i32.const 0))))
      (br_if 1 (i32.eqz (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br 0)))
    (local.get 1))
  (func $wide (result i64) (i64.add (i64.const 1) (i64.const 2)))
  (func (export "_start")
    (drop (call $sum (i32.const 10)))
    (drop (call $wide))
    (drop (i32.load (i32.const 0)))
    (drop (i32.load (i32.const 70000)))
    nop nop))`;

// Per-site counters of two widths, a script counter and a plain per-site variable (always a global).
const SCRIPT = `wasm:opcode:*:before { report var hits: u32; hits++; }
wasm:opcode:i64.*:before { report var wide: u64; wide++; }
wasm:opcode:call:before { report var seen: i32; seen = 7; }
report var calls: u64;
wasm:opcode:call:before { calls++; }
`;

function printedByCli(bytes: Uint8Array, env: Record<string, string> = {}, json?: (run: RunResultJson) => void): { code: number | null; out: string; err: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-cmem-'));
    try {
        const file = path.join(dir, 'app.wasm');
        fs.writeFileSync(file, bytes);
        // Through a file: a report of a million rows is more than a pipe's default buffer.
        const outFile = path.join(dir, 'out.txt');
        const fd = fs.openSync(outFile, 'w');
        try {
            const jsonFile = path.join(dir, 'run.json');
            const r = spawnSync(process.execPath, ['--import', TSX, MAIN, 'run', ...(json ? ['--report-json', jsonFile] : []), file], {
                cwd: dir, encoding: 'utf8', stdio: ['ignore', fd, 'pipe'], env: { ...process.env, ...env, WHAMM_CLI_MAIN: '1' }, timeout: 300_000,
            });
            if (json) json(JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as RunResultJson);
            return { code: r.status, out: fs.readFileSync(outFile, 'utf8'), err: r.stderr };
        } finally { fs.closeSync(fd); }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

test('counters in the counter memory print the same report as counters in globals, after a trap too', { skip: NO_NODE22 }, async () => {
    const app = await wat(APP);
    const inGlobals = await instrument({ app, script: SCRIPT });
    assert.equal(inGlobals.layout.counterMemory, undefined, 'the default keeps a small app in globals');
    let expected = '';
    const r = await runModule(inGlobals.bytes, { stdout: t => { expected += t; }, stderr: () => undefined });
    assert.equal(r.exitCode, 1);
    assert.match(expected, /, 0_wasm:opcode:i32\.load:before, 1\n\d+, memaddr, hits, u32, i32, script0, #2, 2, \d+, 0_wasm:opcode:drop:before, 0\n/);

    const globalsOf = (bytes: Uint8Array) => decodeModule(bytes).globals.length;
    const appGlobals = globalsOf(app);
    // Every counter in memory (threshold 0), and half way (some in globals, the rest in memory).
    for (const from of [0, appGlobals + 6]) {
        const inMemory = await instrument({ app, script: SCRIPT, memoryCountersFrom: from });
        const m = decodeModule(inMemory.bytes);
        assert.equal(m.memories.length, 2, 'a memory of its own, after the app\'s');
        assert.ok(m.exports.some(e => e.name === COUNTER_MEMORY_EXPORT && e.kind === 'memory' && e.index === 1));
        assert.ok(inMemory.layout.counterMemory && inMemory.layout.counterMemory.cells > 0);
        assert.ok(globalsOf(inMemory.bytes) < globalsOf(inGlobals.bytes), 'fewer globals');
        const got = printedByCli(inMemory.bytes);
        assert.equal(got.code, 1, got.err);
        assert.match(got.err, /running in Node \d+/);
        assert.match(got.err, /trap: memory access out of bounds/);
        assert.equal(got.out, expected, `threshold ${from}`);
    }
});

test('a counter memory past 1,000,000 counters: the report still lists every site', { skip: NO_NODE22 }, async () => {
    // F functions of K calls each, all called once from _start: a call ends a segment, so one counter per
    // call, more than the 1,000,000 globals an engine accepts. Built directly (the WAT text would be tens of MB).
    const F = 200, K = 5001, N = F * K + F;
    const leb = (n: number) => { const o: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
    const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
    const calls = (callees: number[]) => { const b = [0]; for (const c of callees) b.push(0x10, ...leb(c)); b.push(0x0b); return [...leb(b.length), ...b]; };
    const worker = calls(new Array<number>(K).fill(0));
    const start = calls(Array.from({ length: F }, (_, i) => 2 + i));
    const code: number[] = [...leb(F + 2), 2, 0, 0x0b, ...start];
    for (let i = 0; i < F; i++) for (const b of worker) code.push(b);
    const app = Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, [1, 0x60, 0, 0]), ...section(3, [...leb(F + 2), ...new Array<number>(F + 2).fill(0)]),
        ...section(7, [1, 6, ...Buffer.from('_start'), 0, 1]), ...section(10, code)]);
    const r = await instrument({ app, script: 'wasm:opcode:call:before {\n    report var count: u32;\n    count++;\n}\n' });
    assert.ok(r.layout.counterMemory, 'counters past the threshold are in the counter memory');
    assert.ok(decodeModule(r.bytes).globals.length < 1_000_000);
    let run: RunResultJson | undefined;
    const got = printedByCli(r.bytes, {}, j => { run = j; });
    assert.equal(got.code, 0, got.err);
    const lines = got.out.trimEnd().split('\n');
    assert.equal(lines.length, 2 + N);
    // The values handed to the editor: the first rows only, and how many the printed report has.
    assert.equal(run?.reportRows, N);
    assert.ok(run?.report && run.report.length > 1000 && run.report.length < N, `${run?.report?.length} values`);
    assert.deepEqual(run.report[0], { name: 'count', type: 'u32', kind: 'site', fname: '#1', fid: 1, pc: run.report[0].pc, probe: '0_wasm:opcode:call:before', value: '1' });
    assert.match(lines[2], /^0, memaddr, count, u32, i32, script0, #1, 1, \d+, 0_wasm:opcode:call:before, 1$/);
    assert.match(lines[lines.length - 1], new RegExp(`^${N - 1}, memaddr, count, u32, i32, script0, #${F + 1}, ${F + 1}, \\d+, 0_wasm:opcode:call:before, 1$`));
    assert.equal(lines.filter(l => l.endsWith(', 1')).length, N, 'every call counted once');
});

test('without a Node 22, running a module with a counter memory is a one-line message naming what is missing, exit 2', async () => {
    const r = await instrument({ app: await wat(APP), script: SCRIPT, memoryCountersFrom: 0 });
    // WHAMM_NODE=none: no other Node is looked for; Node 20 lacks multi-memory.
    const got = printedByCli(r.bytes, { WHAMM_NODE: 'none' });
    if (Number(process.versions.node.split('.')[0]) >= 22) { assert.equal(got.code, 1, got.err); return; } // this Node runs it itself
    assert.equal(got.code, 2, got.err);
    assert.equal(got.err.trim().split('\n').length, 1, got.err);
    assert.match(got.err, /needs WebAssembly multiple memories, which Node [\d.]+ cannot run, and no Node 22\+ was found/);
    assert.equal(got.out, '');
});
