// How a run's outcome is told to the user: the trap line of a notification, the verdict of a run, the
// advice for an app without debug info, and when a stored report no longer matches its script or app.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { noDebugInfoMessage, readRunResult, runVerdict, trapSummary } from '../../client/src/run/results.js';
import { staleReason, textHash } from '../../client/src/state/history.js';

const ROOT = path.resolve('/ws');

test('a trap names its message, file:line relative to the workspace and the function', () => {
    const trap = { message: 'memory access out of bounds', funcName: 'read_at', location: { file: path.join(ROOT, 'src', 'trap.c'), line: 6, column: 10 } };
    assert.equal(trapSummary(trap, ROOT), `trap: memory access out of bounds at ${path.join('src', 'trap.c')}:6 (in read_at)`);
    // Outside the workspace: the file's name only.
    assert.equal(trapSummary({ ...trap, location: { file: '/elsewhere/trap.c', line: 6, column: 1 } }, ROOT), 'trap: memory access out of bounds at trap.c:6 (in read_at)');
    assert.equal(trapSummary({ message: 'unreachable', funcName: 'f', inProbe: true }, ROOT), 'trap in probe code: unreachable (in f) — no source line: the app has no debug info');
    assert.equal(trapSummary({ message: 'unreachable' }), 'trap: unreachable');
});

test('the verdict: a trap is an error, a clean run needs no notification, another exit code a warning', () => {
    const trapped = { version: 1 as const, command: 'run' as const, module: 'm', exitCode: 1, trap: { message: 'unreachable', funcName: 'main' } };
    assert.deepEqual(runVerdict(trapped, 1), { level: 'error', text: 'Whamm: trap: unreachable (in main) — no source line: the app has no debug info' });
    assert.equal(runVerdict({ ...trapped, trap: undefined, exitCode: 0 }, 0).level, 'none');
    assert.deepEqual(runVerdict({ ...trapped, trap: undefined, exitCode: 3 }, 3), { level: 'warning', text: 'Whamm: the app exited with code 3.' });
    assert.equal(runVerdict(undefined, null).level, 'error');
});

test('the no-debug-info warning says what to do', () => {
    const m = noDebugInfoMessage('/x/app.wasm');
    assert.match(m, /^app\.wasm has no debug info/);
    assert.match(m, /clang -g/);
    assert.match(m, /--sourceMap/);
    assert.ok(!m.includes('`'), 'no markdown backticks in a notification');
});

test('run results are read only when the CLI wrote this format', () => {
    assert.equal(readRunResult('f', () => '{"version":1,"exitCode":0,"command":"run","module":"m"}')?.exitCode, 0);
    assert.equal(readRunResult('f', () => '{"version":2,"exitCode":0}'), undefined);
    assert.equal(readRunResult('f', () => 'not json'), undefined);
    assert.equal(readRunResult('f', () => { throw new Error('ENOENT'); }), undefined);
});

test('a stored report is stale once the script text or the app changed', () => {
    const run = { script: '/ws/a.mm', scriptHash: textHash('v1'), app: '/ws/app.wasm', appMtime: 100 };
    assert.equal(staleReason(run, 'v1', 100), undefined);
    assert.equal(staleReason(run, 'v2', 100), 'the script changed since this run');
    assert.equal(staleReason(run, 'v1', 200), 'the app was rebuilt since this run');
    assert.equal(staleReason(run, 'v1', undefined), 'the app is gone');
});
