// The heat overlay's colour scale: logarithmic levels, legend ranges that tile 1..max, theme colours.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCount, formatShare, HEAT_LEVELS, heatBarWidth, heatColor, heatLevel, hueOf, legend, levelFloor, plural, shiftLines } from '../../client/src/heat/scale.js';

test('lines that never ran get no heat; the hottest line gets the top level', () => {
    assert.equal(heatLevel(0, 1000), 0);
    assert.equal(heatLevel(1000, 1000), HEAT_LEVELS);
    assert.equal(heatLevel(1, 1), HEAT_LEVELS);
    assert.equal(heatLevel(5, 0), 0);
});

test('levels follow log(count)/log(max) in fifths', () => {
    // max = 10^5: each level spans one decade (10^0..10^1 -> 1, 10^1..10^2 -> 2, ...).
    assert.equal(heatLevel(1, 1e5), 1);
    assert.equal(heatLevel(9, 1e5), 1);
    assert.equal(heatLevel(10, 1e5), 2);
    assert.equal(heatLevel(99, 1e5), 2);
    assert.equal(heatLevel(100, 1e5), 3);
    assert.equal(heatLevel(1000, 1e5), 4);
    assert.equal(heatLevel(10000, 1e5), 5);
    assert.equal(heatLevel(99999, 1e5), 5);
});

test('levelFloor is the first count of each level', () => {
    for (const max of [2, 7, 100, 377, 12345, 1e6]) {
        for (let l = 2; l <= HEAT_LEVELS; l++) {
            const f = levelFloor(l, max);
            assert.ok(heatLevel(f, max) >= l, `max ${max} level ${l}: floor ${f} is level ${heatLevel(f, max)}`);
            if (f > 1) assert.ok(heatLevel(f - 1, max) < l, `max ${max} level ${l}: ${f - 1} is already level ${l}`);
        }
    }
});

test('the legend covers 1..max without gaps or overlaps', () => {
    for (const max of [1, 3, 10, 377, 1e5]) {
        const lg = legend(max);
        assert.equal(lg[0].from, 1);
        assert.equal(lg[lg.length - 1].to, max);
        for (let i = 1; i < lg.length; i++) assert.equal(lg[i].from, lg[i - 1].to + 1, `max ${max}`);
        for (const r of lg) for (const n of [r.from, r.to]) assert.equal(heatLevel(n, max), r.level, `max ${max}: ${n}`);
    }
});

test('colours get more opaque with the level, separately for light and dark themes', () => {
    const alpha = (s: string) => Number(/, ([\d.]+)\)$/.exec(s)![1]);
    for (const theme of ['light', 'dark'] as const) {
        for (let l = 2; l <= HEAT_LEVELS; l++) assert.ok(alpha(heatColor(l, theme)) > alpha(heatColor(l - 1, theme)));
    }
    assert.notEqual(heatColor(3, 'light'), heatColor(3, 'dark'));
    assert.equal(heatColor(0, 'dark'), 'transparent');
});

test('shares and counts print for hovers', () => {
    assert.equal(formatShare(377, 10705), '3.5%');
    assert.equal(formatShare(1, 1e6), '<0.1%');
    assert.equal(formatShare(0, 0), 'n/a');
    assert.equal(formatCount(1234567), '1,234,567');
    assert.equal(formatCount(12), '12');
});

test('heat is one amber hue on every level and theme: never the red of uncovered code nor the green of covered code', () => {
    for (const theme of ['light', 'dark'] as const) {
        const hues = Array.from({ length: HEAT_LEVELS }, (_, i) => hueOf(heatColor(i + 1, theme)));
        for (const h of hues) {
            assert.ok(h >= 30 && h <= 50, `hue ${h} of ${theme} is not amber`);
            // VS Code's coverage colours: red (hue ~0) for uncovered, green (~120) for covered.
            assert.ok(Math.abs(h - 0) > 25 && Math.abs(h - 120) > 60);
        }
        assert.equal(new Set(hues.map(h => Math.round(h))).size, 1, 'one hue, only opacity varies');
    }
    // High contrast: bars whose width grows with the level.
    for (let l = 2; l <= HEAT_LEVELS; l++) assert.ok(heatBarWidth(l) > heatBarWidth(l - 1));
    assert.equal(heatBarWidth(0), 0);
});

test('heat follows edits: lines move with inserted and removed lines, lines removed lose their heat', () => {
    const heat = new Map([[1, 10], [3, 30], [5, 50]]);
    // A line inserted above line 1 (at its start): everything moves down.
    assert.deepEqual([...shiftLines(heat, [{ startLine: 1, endLine: 1, newLines: 1, atLineStart: true }])], [[2, 10], [4, 30], [6, 50]]);
    // A line break typed inside line 3: line 3 keeps its heat, the lines below move.
    assert.deepEqual([...shiftLines(heat, [{ startLine: 3, endLine: 3, newLines: 1 }])], [[1, 10], [3, 30], [6, 50]]);
    // Lines 2-4 deleted (from the start of 2 to the start of 5): line 3 goes, 5 becomes 2.
    assert.deepEqual([...shiftLines(heat, [{ startLine: 2, endLine: 5, newLines: 0, atLineStart: true }])], [[1, 10], [2, 50]]);
    // Typing within a line changes nothing.
    assert.deepEqual([...shiftLines(heat, [{ startLine: 3, endLine: 3, newLines: 0 }])], [...heat]);
});

test('counts read as words: 1 call, 2 calls', () => {
    assert.equal(plural(1, 'call'), '1 call');
    assert.equal(plural(2, 'call'), '2 calls');
    assert.equal(plural(1000, 'time'), '1,000 times');
});
