// The client's view of a coverage report: sources resolved to files on disk, per-file totals, shares of
// the whole run and the lcov export (all values worked out by hand from the small report below).
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { exportLcov, loadCoverage, resolveSource, summarize } from '../../client/src/coverage/model.js';

const ROOT = path.resolve('/ws');
const ON_DISK = new Set([path.join(ROOT, 'src', 'main.c'), path.resolve('/abs/util.c')]);
const exists = (p: string) => ON_DISK.has(p);

const REPORT = {
    version: 1, app: '/ws/app.wasm', mapping: 'dwarf', runs: 1,
    files: {
        'src/main.c': {
            path: 'src/main.c',
            lines: { 3: 1, 4: 10, 5: 0 },
            heat: { 3: 5, 4: 80, 5: 0 },
            branches: [{ line: 4, column: 7, offset: 100, kind: 'br_if', outcomes: [{ label: 'taken', count: 9 }, { label: 'not taken', count: 1 }] },
                { line: 5, column: 3, offset: 120, kind: 'if', outcomes: [{ label: 'taken', count: 0 }, { label: 'not taken', count: 0 }] }],
            functions: [{ name: 'main', line: 3, calls: 1, instructions: 85 }, { name: 'dead', line: 5, calls: 0, instructions: 0 }],
        },
        '/abs/util.c': { path: '/abs/util.c', lines: { 1: 2 }, heat: { 1: 10 }, branches: [], functions: [] },
        'libc/printf.c': { path: 'libc/printf.c', lines: { 7: 1 }, heat: { 7: 100 }, branches: [], functions: [] },
    },
    unmappedFunctions: [], unmappedExecutions: 5,
};

test('sources resolve: absolute as they are, relative under the roots, missing ones left out', () => {
    assert.equal(resolveSource('src/main.c', [ROOT], exists), path.join(ROOT, 'src', 'main.c'));
    assert.equal(resolveSource('/abs/util.c', [ROOT], exists), path.resolve('/abs/util.c'));
    assert.equal(resolveSource('libc/printf.c', [ROOT], exists), undefined);
    const c = loadCoverage(REPORT, [ROOT], exists);
    assert.deepEqual([...c.files.keys()].sort(), [path.resolve('/abs/util.c'), path.join(ROOT, 'src', 'main.c')].sort());
    assert.deepEqual(c.missing, ['libc/printf.c']);
});

test('the total counts every instruction of the run, found or not; hot lines carry shares of it', () => {
    const c = loadCoverage(REPORT, [ROOT], exists);
    // 5 + 80 + 0 + 10 + 100 + 5 unmapped
    assert.equal(c.totalInstructions, 200);
    const top = c.hot.lines[0];
    assert.equal(top.line, 4);
    assert.equal(top.share, 0.4);
});

test('per-file totals: lines with code, branch outcomes and functions', () => {
    const c = loadCoverage(REPORT, [ROOT], exists);
    assert.deepEqual(summarize(c.files.get(path.join(ROOT, 'src', 'main.c'))!), {
        linesFound: 3, linesHit: 2, branchesFound: 4, branchesHit: 2, functionsFound: 2, functionsHit: 1,
    });
});

test('lcov export names files by their paths on disk, with DA, BRDA and FN records', () => {
    const c = loadCoverage(REPORT, [ROOT], exists);
    const lcov = exportLcov(c);
    const main = lcov.split('end_of_record').find(r => r.includes('main.c'))!;
    assert.ok(main.includes(`SF:${path.join(ROOT, 'src', 'main.c')}\n`));
    for (const rec of ['DA:3,1', 'DA:4,10', 'DA:5,0', 'LF:3', 'LH:2', 'FN:3,main', 'FNDA:1,main', 'FNDA:0,dead', 'FNF:2', 'FNH:1',
        'BRDA:4,0,0,9', 'BRDA:4,0,1,1', 'BRDA:5,1,0,-', 'BRDA:5,1,1,-', 'BRF:4', 'BRH:2']) {
        assert.ok(main.split('\n').includes(rec), `missing ${rec} in\n${main}`);
    }
    assert.ok(!lcov.includes('printf.c'), 'sources not on disk are left out');
});
