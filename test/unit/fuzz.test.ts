// A brief fixed-seed run of the mutation fuzzer (test/fuzz/fuzz.ts) in the unit suite: the language server
// over LSP, `whamm instr` over mutated scripts and over mutated modules, `whamm run` of an app that tries
// to reach files and the environment outside its grants. Longer runs: `npm run fuzz`.
import '../../server/src/polyfill.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { whamm } from '../support/cli.js';
import { failures, formatReports, runFuzz, type Target } from '../fuzz/fuzz.js';

const SEED = 1;

async function fuzz(target: Target, cases: number): Promise<void> {
    const [report] = await runFuzz({ cases, seed: SEED, targets: [target] });
    console.log(formatReports([report], SEED));
    const first = report.findings[0];
    assert.equal(failures(report), 0, first ? `${first.kind}: ${first.detail}\ninput: ${JSON.stringify(first.input?.slice(0, 400))}` : '');
}

test('fuzz: the language server neither exits, logs a stack trace nor stops answering', { timeout: 600_000 }, () => fuzz('lsp', 200));

test('fuzz: whamm instr on mutated scripts fails with exit 2 and a message, never exit 0 on invalid input', { timeout: 600_000 }, () => fuzz('cli', 12));

test('fuzz: whamm instr on mutated modules rejects invalid modules', { timeout: 600_000 }, () => fuzz('modules', 12));

test('fuzz: apps run by whamm run reach nothing outside their grants', { timeout: 600_000 }, () => fuzz('sandbox', 12));

/** Mutated modules the fuzzer found instrumented with exit 0 (and an output that did not validate). */
const FOUND_MODULES = [
    // Seed 20261206, case 1724: a proposal Node 20 lacks, invalid for Node 22's V8 too (our own checks alone let it through).
    'AGFzbQEAAAABFARgAX4Bf2ABfwF/YAAAYAADf35tAwgHAAEBAQECAwQFAXABBQUGCwJ/AUEAC38BQQALBwoBBl9zdGFydAAFCQoBAEEACwQBAgMECtoBBxcAAkACQCAAQgFRDQEMAAtBAA8LQQEPCyQAAkACQAJAIABBAEYNACAAQQJLDQIMAQtBAQ8LQQAPC0ECDwsbAAJAAkACQCAADgMAAQICC0EADwtBAQ8LQQILEwAgAEEBRgRAQQEPBUEADwtBAAsKAEEBQQAgAEUbC1IAQgAQACQAQQAQASMBaiQBQQEQASMBaiQBQQEQASMBaiQBQQMQASMBaiQBQQAQAhpBARACGkECEAIaQQAQAxpBABAEGkEBQQIRAQAaEAYaGhoLDQBBCkK54ABDzcyMvwsAbQRuYW1lASgHAAJmMAECZjECAmYyAwJmMwQCZjQFBl9zdGFydAYJbXVsdGktcmVzAy0DAAIAAmVxAQNuZXEBAwACZ3QBA25lcQICZXECAwADdHdvAQNvbmUCBHplcm8HDQIABHZhcjABBHZhcjE=',
    'AGFzbQEAAAABDgNgAX4Bf2ABfwF/YAAAAwcGAAEBAQECBgsCfwFBAAt/AUEACwcKAQZfc3RhcnQABQq/AQYXAAJAAkAgAEIBUQ0BDAALQQAPC0EBDwskAAJAAkACQCAAUQBGDQAgAEECSw0CDAELQQEPC0EADwtBAg8LGwACQAJAAkAgAA4DAAECAgtBAA8LQQEPC0ECCxMAIABBAUYEQEEBDwVBAA8LQQALCgBBAUEAIABFGwtFAEIAEAAkAEEAEAEjAWokAUEBEAEjAWokAUEBEAEjAWokAUEDEAEjAWokAUEAEAIaQQEQAhpBAhACGkEAEAMaQQAQBBoLAIQBJG5hbWUBPwYACGJhc2ljX2JyAQxtb3JlX25lc3RpbmcCCGJyX3RhYmxlAwdpZl9zdG10BAtzZWxlY3Rfc3RtdAUEbWFpbgMtAwACAAJlcQEDbmVxAQMAAmd0AQNuZXECAmVxAgMAA3R3bwEDb25lAgR6ZXJvBw0CAAR2YXIwAQR2YXIx',
    'AGFzbQEAAAABBAFgAAADAgEABQQBCAEABxACA21lbQIABl9zdGF6dAAAChcBFQA/ABpBAUAAmj8AGkEEQAAaPwAaCw==',
    'AGFzbQEAAAABBAFgAAADAgEABQQBCAEABxACA21lbQIABl9zdGFydAAAChcBFQA/EBpBAUAAGj8AGkEEQAAaPwAaCw==',
];

test('modules the fuzzer found accepted are rejected with exit 2 and nothing written', { timeout: 120_000 }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-fuzz-found-'));
    try {
        fs.writeFileSync(path.join(dir, 'count.mm'), 'report var count: u64;\nwasm:opcode:*:before { count++; }\n');
        for (const [k, b64] of FOUND_MODULES.entries()) {
            const bytes = Buffer.from(b64, 'base64');
            assert.equal(WebAssembly.validate(bytes), false);
            fs.writeFileSync(path.join(dir, `m${k}.wasm`), bytes);
            const r = whamm(['instr', '--app', `m${k}.wasm`, '--script', 'count.mm', '-o', `o${k}.wasm`], dir);
            assert.equal(r.code, 2, r.err);
            assert.equal(r.err.trim().split('\n').length, 1, r.err);
            assert.equal(fs.existsSync(path.join(dir, `o${k}.wasm`)), false);
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
