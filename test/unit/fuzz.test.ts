// A brief fixed-seed run of the mutation fuzzer (test/fuzz/fuzz.ts) in the unit suite: the language server
// over LSP, `whamm instr` over mutated scripts and over mutated modules. Longer runs: `npm run fuzz`.
import '../../server/src/polyfill.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
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

test('fuzz: whamm instr on mutated modules rejects invalid modules', {
    timeout: 600_000,
    todo: 'input modules are not validated before instrumenting yet (modules V8 rejects are instrumented with exit 0)',
}, () => fuzz('modules', 12));
