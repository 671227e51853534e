// The binary report layout (millions of rows: a few bytes each) decodes to the rows it was made from,
// and the streamed flush prints exactly the text of the whole-string formatting, in pieces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLayout, encodeLayout, forEachRow, rowCount, type ReportLayout, type ReportVar } from '../../server/src/engine/report-layout.js';
import { formatReport, writeReport } from '../../server/src/runner/report-format.js';

/** A deterministic pseudo-random source (mulberry32). */
function random(seed: number): () => number {
    return () => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** Script globals first (with ids), then per-site rows in runs that share most fields, as a monitor's are. */
function randomLayout(n: number, seed: number): ReportLayout {
    const rnd = random(seed);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    const vars: ReportVar[] = [
        { name: 'total', type: 'u64', slot: 0, ids: [3] },
        { name: 'pair', type: '(u32, str)', slot: 1, ids: [4, 5, 6] },
    ];
    let slot = 4, fid = 0, pc = 0;
    while (vars.length < n) {
        if (rnd() < 0.01) { fid += 1 + Math.floor(rnd() * 3); pc = Math.floor(rnd() * 5); }
        const name = pick(['count', 'hits', 'last']), type = pick(['u32', 'u64', 'i32', 'u8']);
        const probeOf = () => (rnd() < 0.05 ? undefined : `${Math.floor(rnd() * 3)}_wasm:opcode:${pick(['call', 'i32.add', 'local.get'])}:before`);
        let probe = probeOf();
        const run = 1 + Math.floor(rnd() * 8);
        for (let k = 0; k < run && vars.length < n; k++) {
            if (rnd() < 0.5) probe = probeOf(); // a rule per opcode: the probe column changes from site to site
            pc += rnd() < 0.02 ? 40 + Math.floor(rnd() * 1000) : 1 + Math.floor(rnd() * 4);
            const v: ReportVar = { name, type, fname: rnd() < 0.02 ? `#${fid}` : `f${fid}`, fid, slot, pc };
            if (probe !== undefined) v.probe = probe;
            if (rnd() < 0.01) delete v.pc; // a site without a pc
            vars.push(v);
            if (rnd() < 0.3) slot++; // rows of a segment share their counter's slot
        }
        slot++;
    }
    return {
        version: 1, script: 'hot.mm', vars, readers: [{ export: 'whamm$report0', count: 4 }], end: 'whamm$end',
        trapFixups: [3, 120, 1, 17, 4, 1, 5, 7, 2, 0, 1, 3, 2_000_000_000, 2, 1],
        fixupRows: true, counterMemory: { export: 'whamm$counters', cells: slot - 4, firstSlot: 4 },
    };
}

test('the binary layout round-trips random rows (many of them), ids, fix-ups and the rest of the layout', () => {
    for (const [n, seed] of [[3, 1], [1000, 2], [200_000, 3]]) {
        const layout = randomLayout(n, seed);
        const bytes = encodeLayout(layout);
        assert.equal(bytes[0], 0, 'the binary form');
        assert.ok(bytes.length < 12 * n + 2000, `${bytes.length} bytes for ${n} rows`);
        const back = decodeLayout(bytes);
        assert.equal(rowCount(back), n);
        const streamed: ReportVar[] = [];
        forEachRow(back, 0, n, v => {
            const copy: ReportVar = { name: v.name, type: v.type, slot: v.slot };
            if (v.fid !== undefined) { copy.fname = v.fname; copy.fid = v.fid; if (v.pc !== undefined) copy.pc = v.pc; if (v.probe !== undefined) copy.probe = v.probe; }
            if (v.ids) copy.ids = v.ids;
            streamed.push(copy);
        });
        assert.deepEqual(streamed, layout.vars);
        const { vars, trapFixups, ...rest } = back;
        const { vars: _v, trapFixups: want, ...wantRest } = layout;
        assert.deepEqual(rest, wantRest);
        assert.deepEqual(Array.from(trapFixups ?? []), want);
        assert.deepEqual(vars, layout.vars, 'materialized on demand');
        // A window of rows.
        const window: number[] = [];
        forEachRow(back, n >> 1, (n >> 1) + 3, (v, i) => { window.push(i); assert.equal(v.slot, layout.vars[i].slot); });
        assert.deepEqual(window, [n >> 1, (n >> 1) + 1, (n >> 1) + 2].filter(i => i < n));
    }
});

test('a small layout without a counter memory keeps the JSON form', () => {
    const layout = randomLayout(50, 4);
    delete layout.counterMemory;
    delete layout.fixupRows;
    for (const v of layout.vars) if (v.fid !== undefined) v.pc ??= 0; // the JSON form has no site without a pc
    const bytes = encodeLayout(layout);
    assert.equal(String.fromCharCode(bytes[0]), '{');
    assert.deepEqual(decodeLayout(bytes).vars, layout.vars);
});

test('the streamed flush prints exactly the whole formatting, in pieces; the kept text is its start and a count', () => {
    const n = 30_000;
    const layout = randomLayout(n, 5);
    const slots = new BigInt64Array(layout.counterMemory!.firstSlot + layout.counterMemory!.cells);
    for (let i = 0; i < slots.length; i++) slots[i] = BigInt(i * 7 - 50);
    const whole = formatReport(layout, slots);
    const decoded = decodeLayout(encodeLayout(layout));
    const pieces: string[] = [];
    const r = writeReport(decoded, slots, undefined, t => { pieces.push(t); });
    assert.ok(pieces.length > 1, `${pieces.length} writes`);
    assert.equal(pieces.join(''), whole);
    assert.equal(r.text, whole);
    assert.equal(r.rows, n);

    // A small budget: the first rows whole, then how many more were printed.
    const small = writeReport(decoded, slots, undefined, () => undefined, undefined, 10_000);
    const lines = small.text.trimEnd().split('\n');
    assert.equal(small.keptRows, lines.length - 3);
    assert.equal(lines.slice(0, -1).join('\n') + '\n', whole.split('\n').slice(0, lines.length - 1).join('\n') + '\n');
    assert.equal(lines[lines.length - 1], `... ${(n - small.keptRows).toLocaleString('en-US')} more rows (${n.toLocaleString('en-US')} in all) were printed`);

    // Counts taken back from rows (trap fix-ups naming rows) change those rows only.
    const adjust = new Map([[7, 2n], [8, 1n]]);
    const fixed = writeReport(decoded, slots, undefined, () => undefined, adjust).text.split('\n');
    const plain = whole.split('\n');
    fixed.forEach((line, i) => {
        if (i === 2 + 7 || i === 2 + 8) assert.notEqual(line, plain[i]);
        else assert.equal(line, plain[i]);
    });
});
