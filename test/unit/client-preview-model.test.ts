// The injection preview's editor logic without VS Code: the injection on a line, the probe at a script
// position, next/previous injection (per probe, wrapping), the per-function summary of a probe.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { colourOf, groupSites, markAtLine, probeAt, probeSummary, siteSourceProblem, stepMark } from '../../client/src/preview/model.js';
import type { PlanProbe, PreviewResult } from '../../server/src/protocol.js';

const range = (line: number, character: number, endLine: number, endCharacter: number) => ({ line, character, endLine, endCharacter });
const probe = (index: number, line: number, endLine: number, extra: Partial<PlanProbe> = {}): PlanProbe => ({
    index, rule: `r${index}`, mode: 'before', range: range(line, 0, endLine, 1), ruleRange: range(line, 0, line, 10), sites: 1, injections: 1, ...extra,
});

const result: PreviewResult = {
    text: '', omittedFunctions: 0, siteLines: [], folded: [],
    plan: {
        app: 'a', sites: [], sitesTruncated: false, injections: [], warnings: [], mapping: 'none',
        added: { imports: [], functions: [], globals: [], exports: [] },
        probes: [probe(0, 2, 4), probe(1, 6, 8), probe(2, 10, 12, { sites: 0, injections: 0, noMatch: 'the app has no `f32.add` instruction' })],
    },
    functions: [
        { fid: 3, name: 'main', startLine: 5, endLine: 30, sites: 3, byProbe: { 0: 2, 1: 1 } },
        { fid: 7, name: 'helper', startLine: 32, endLine: 50, sites: 1, byProbe: { 0: 1 } },
    ],
    marks: [
        { startLine: 8, endLine: 10, injection: 0, probe: 0, where: 'before', fid: 3, sites: [0] },
        { startLine: 14, endLine: 14, injection: 1, probe: 1, where: 'after', fid: 3, sites: [1] },
        { startLine: 20, endLine: 22, injection: 2, probe: 0, where: 'before', fid: 3, sites: [2] },
        { startLine: 40, endLine: 41, injection: 3, probe: 0, where: 'alt', fid: 7, sites: [3] },
    ],
};

test('the injection on a line: any line of its run, none between runs', () => {
    assert.equal(markAtLine(result, 8)?.injection, 0);
    assert.equal(markAtLine(result, 10)?.injection, 0);
    assert.equal(markAtLine(result, 11), undefined);
    assert.equal(markAtLine(result, 14)?.injection, 1);
    assert.equal(markAtLine(result, 41)?.injection, 3);
    assert.equal(markAtLine(result, 0), undefined);
});

test('the probe at a script position', () => {
    assert.equal(probeAt(result.plan.probes, 3, 5)?.index, 0);
    assert.equal(probeAt(result.plan.probes, 7, 0)?.index, 1);
    assert.equal(probeAt(result.plan.probes, 5, 0), undefined);
});

test('next/previous injection, all or one probe, wrapping at the ends', () => {
    assert.deepEqual([0, 8, 14, 20, 40].map(l => stepMark(result, l, 1)?.startLine), [8, 14, 20, 40, 8]);
    assert.deepEqual([50, 40, 20, 14, 8].map(l => stepMark(result, l, -1)?.startLine), [40, 20, 14, 8, 40]);
    assert.deepEqual([0, 8, 20, 40].map(l => stepMark(result, l, 1, 0)?.startLine), [8, 20, 40, 8]);
    assert.equal(stepMark(result, 0, 1, 2), undefined);
});

test('a probe summary counts its injections per function; probes without any say why', () => {
    assert.equal(probeSummary(result, 0), '3 injections in 2 functions: main ×2, helper ×1');
    assert.equal(probeSummary(result, 1), '1 injection in 1 function: main ×1');
    assert.equal(probeSummary(result, 2), 'no injections: the app has no `f32.add` instruction');
});

test('probe colours cycle; shared code is grey', () => {
    assert.notEqual(colourOf(0), colourOf(1));
    assert.equal(colourOf(0), colourOf(8));
    assert.equal(colourOf(-1), '#888888');
});

test('the sites picker groups sites by function and source file, in order of appearance', () => {
    const site = (fid: number, fname: string, pc: number, file?: string) => ({ fid, fname, pc, offset: pc, rule: 'r', file, line: file ? 3 : undefined });
    const groups = groupSites([site(3, 'main', 5, '/ws/a.c'), site(7, 'helper', 9), site(3, 'main', 12, '/ws/a.c'), site(3, 'main', 20, '/ws/b.h'), site(8, '', 4)], '/ws');
    assert.deepEqual(groups.map(g => [g.label, g.sites.map(s => s.pc)]), [
        ['main — a.c', [5, 12]], ['helper', [9]], ['main — b.h', [20]], ['func 8', [4]],
    ]);
});

test('a site that cannot be shown in its source says why: no line for it, or its file is not on disk', () => {
    const site = { file: '/src/main.c', line: 12, fname: 'main', fid: 3, pc: 40 };
    assert.equal(siteSourceProblem(site, () => true), undefined);
    assert.equal(siteSourceProblem(site, f => f !== '/src/main.c'), 'Whamm: the source file /src/main.c (line 12) is not on disk.');
    assert.equal(siteSourceProblem({ ...site, file: undefined, line: undefined }, () => true), 'Whamm: no source line for main pc 40 (the app has no debug info there).');
    assert.equal(siteSourceProblem({ ...site, file: undefined, fname: '' }, () => true), 'Whamm: no source line for func 3 pc 40 (the app has no debug info there).');
});
