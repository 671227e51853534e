// The dry-run plan (preview/plan.ts): sites and injected code for each mode (before, after, alt, func
// entry/exit, block entry/exit/after), what the module gains, the reasons probes match nothing, and the
// preview document built on the plan (injected lines marked per probe, a bar per function). The plan must
// agree with a real instrumentation of the same script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { wat } from '../support/wat.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { dryRun } from '../../server/src/preview/plan.js';
import { buildPreview } from '../../server/src/preview/document.js';
import { decodeModule } from '../../server/src/wasm/index.js';
import type { DryRunPlan } from '../../server/src/protocol.js';

// fid 0: the import; 1 $helper (one br_if in a block, one call); 2 $main (calls $helper twice, an if).
const APP = `(module
  (import "env" "log" (func $log (param i32)))
  (global $g (mut i32) (i32.const 0))
  (func $helper (param i32) (result i32)
    block
      local.get 0
      br_if 0
      i32.const 7
      call $log
    end
    local.get 0
    i32.const 1
    i32.add)
  (func $main (export "main") (param f64)
    i32.const 1
    call $helper
    drop
    i32.const 0
    call $helper
    if
      nop
    end))`;

let appBytes: Uint8Array | undefined;
async function plan(script: string): Promise<DryRunPlan> {
    appBytes ??= await wat(APP);
    const r = await dryRun({ app: appBytes, appPath: 'app.wasm', script });
    assert.equal(r.plan.error, undefined, r.plan.error);
    return r.plan;
}

test('before: one injection per call site, before the call, with the probe and its code', async () => {
    const p = await plan('var n: u32;\nwasm:opcode:call:before { n = n + 7; }');
    assert.deepEqual(p.sites.map(s => [s.fname, s.instr, s.probe]), [['helper', 'call $log', 0], ['main', 'call $helper', 0], ['main', 'call $helper', 0]]);
    assert.equal(p.injections.length, 3);
    for (const x of p.injections) {
        assert.equal(x.where, 'before');
        assert.equal(x.probe, 0);
        // n = n + 7 on a script global: read, add 7, write back.
        assert.ok(x.code.some(l => /^global\.get \d+$/.test(l.trim())), x.code.join('\n'));
        assert.ok(x.code.some(l => l.trim() === 'i32.const 7'), x.code.join('\n'));
        assert.ok(x.code.some(l => /^global\.set \d+$/.test(l.trim())), x.code.join('\n'));
    }
    // Sites carry pc and opidx as the decoder counts them: $helper's call is its 5th instruction.
    const s0 = p.sites[0];
    assert.equal(s0.opidx, 4);
    assert.equal(p.injections[0].opidx, 4);
    assert.equal(p.injections[0].pc, s0.pc);
    assert.equal(p.probes[0].sites, 3);
    assert.equal(p.probes[0].injections, 3);
    assert.ok(p.added.globals.length >= 1);
});

test('after: the code goes after the instruction', async () => {
    const p = await plan('var n: i32;\nwasm:opcode:i32.add:after { n = n + 3; }');
    assert.deepEqual(p.sites.map(s => [s.fname, s.instr]), [['helper', 'i32.add']]);
    assert.equal(p.injections.length, 1);
    assert.ok(p.injections.every(x => x.where === 'after' && x.probe === 0));
    assert.equal(p.injections[0].opidx, p.sites[0].opidx);
    assert.ok(p.injections[0].code.some(l => l.trim() === 'i32.const 3'), p.injections[0].code.join('\n'));
});

test('alt: the instruction is replaced by the probe code', async () => {
    const p = await plan('wasm:opcode:call:alt / fid == 1 / { drop_args(); }');
    assert.equal(p.sites.length, 1);
    const alt = p.injections.filter(x => x.where === 'alt');
    assert.equal(alt.length, 1);
    assert.equal(alt[0].fid, 1);
    // The call is gone: the replacement pops the argument (into a scratch local) and does not call $log.
    assert.ok(!alt[0].code.some(l => l.includes('call')), alt[0].code.join('\n'));
    assert.match(alt[0].code[0], /^local\.set \d+$/);
});

test('func entry/exit: at the first instruction and at the end', async () => {
    const p = await plan('var n: u32;\nwasm:func:entry { n = n + 1; }\nwasm:func:exit { n = n + 2; }');
    const entry = p.injections.filter(x => x.probe === 0);
    const exit = p.injections.filter(x => x.probe === 1);
    assert.deepEqual(entry.map(x => [x.fid, x.opidx]), [[1, 0], [2, 0]]);
    assert.ok(entry.every(x => x.where === 'before'));
    assert.ok(exit.length >= 2);
    assert.ok(exit.some(x => x.code.some(l => l.trim() === 'i32.const 2')));
});

test('block modes: entry after the opening, exit at its end, after past its end', async () => {
    const entry = await plan('var n: u32;\nwasm:opcode:block:entry { n = n + 1; }');
    assert.equal(entry.sites.length, 1);
    assert.equal(entry.sites[0].fname, 'helper');
    assert.equal(entry.injections.length, 1);
    const exit = await plan('var n: u32;\nwasm:opcode:block:exit { n = n + 1; }');
    const after = await plan('var n: u32;\nwasm:opcode:block:after { n = n + 1; }');
    assert.equal(exit.injections.length, 1);
    assert.equal(after.injections.length, 1);
    // The block opens at opidx 0 and its end is opidx 5: entry goes after the opening, exit before the end,
    // after after it.
    assert.deepEqual([entry.injections[0].opidx, entry.injections[0].where], [0, 'after']);
    assert.deepEqual([exit.injections[0].opidx, exit.injections[0].where], [5, 'before']);
    assert.deepEqual([after.injections[0].opidx, after.injections[0].where], [5, 'after']);
});

test('the plan agrees with a real instrumentation: same sites', async () => {
    const script = 'var n: u32;\nwasm:opcode:*:before / fid == 1 / { n = n + 1; }\nwasm:opcode:local.get:after { n = n + 3; }';
    const p = await plan(script);
    const real = await instrument({ app: appBytes!, script });
    assert.equal(p.sites.length, real.sites.length);
    assert.deepEqual(p.sites.map(s => [s.fid, s.pc, s.probe]), [...real.sites].map(s => [s.fid, s.pc, s.probe]));
});

test('probes that match nothing say why', async () => {
    const p = await plan([
        'var n: u32;',
        'wasm:opcode:call(arg0: f64):before { n++; }',
        'wasm:opcode:f32.add:before { n++; }',
        'wasm:opcode:call:before / fid == 99 / { n++; }',
        'wasm:opcode:call:alt { n++; }',
        'wasm:opcode:call:alt { n = n + 2; }',
    ].join('\n'));
    assert.match(p.probes[0].noMatch ?? '', /no `call` site has arg0 of type f64 \(found: i32\)/);
    assert.match(p.probes[1].noMatch ?? '', /the app has no `f32.add` instruction/);
    assert.match(p.probes[2].noMatch ?? '', /predicate is false at every site/);
    assert.equal(p.probes[3].noMatch, undefined);
    assert.match(p.probes[4].noMatch ?? '', /every site is also matched by probe 3, which replaces the instruction \(alt\)/);
});

test('the preview document: touched functions only, injected lines marked per probe, a bar per function', async () => {
    const p = await plan('var n: u32;\nwasm:opcode:call:before / fid == 2 / { n = n + 5; }\nwasm:opcode:br_if:after { n = n + 9; }');
    const m = decodeModule(appBytes!);
    const r = buildPreview(m, p, { appName: 'app.wasm', scriptName: 's.mm' });
    const lines = r.text.split('\n');
    assert.deepEqual(r.functions.map(f => f.name), ['helper', 'main']);
    assert.ok(lines[r.functions[1].startLine].startsWith('(func $main (;2;)'), lines[r.functions[1].startLine]);
    // Header bars: main has 2 sites, helper 1.
    const barOf = (name: string) => lines.find(l => new RegExp(`^;; +${name} `).test(l)) ?? '';
    assert.ok(barOf('main').includes('█'), barOf('main'));
    assert.ok(barOf('main').split('█').length > barOf('helper').split('█').length, `${barOf('main')} / ${barOf('helper')}`);
    // Each mark covers the injected code, in its probe's function, next to its site's instruction.
    assert.equal(r.marks.length, 3);
    for (const mk of r.marks) {
        const code = p.injections[mk.injection].code;
        assert.equal(mk.endLine - mk.startLine + 1, code.length);
        assert.equal(lines[mk.startLine].trim().split('  ;;')[0], code[0].trim());
        const site = mk.sites[0];
        const siteLine = r.siteLines[site];
        if (mk.probe === 0) { assert.equal(mk.where, 'before'); assert.equal(siteLine, mk.endLine + 1); assert.match(lines[siteLine], /call \$helper/); }
        else { assert.equal(mk.where, 'after'); assert.equal(siteLine, mk.startLine - 1); assert.match(lines[siteLine], /br_if 0/); }
    }
    assert.deepEqual(r.functions.find(f => f.name === 'main')!.byProbe, { 0: 2 });
});

test('functions without matches appear folded to their first line, named from the name section, and print in full on request', async () => {
    const p = await plan('var n: u32;\nwasm:opcode:br_if:before { n = n + 1; }');
    const m = decodeModule(appBytes!);
    const r = buildPreview(m, p);
    const lines = r.text.split('\n');
    // helper (fid 1) has the br_if; main (fid 2) has none: one line, with its signature and size.
    assert.deepEqual(r.functions.map(f => f.fid), [1]);
    assert.deepEqual(r.folded.map(f => [f.fid, f.name, f.sites]), [[2, 'main', 0]]);
    // 8 instructions and the body's final `end`.
    assert.equal(lines[r.folded[0].line], '(func $main (;2;) (type 2) (param f64) …)  ;; 9 instructions');
    assert.ok(r.folded[0].line > r.functions[0].endLine, 'functions in index order');
    assert.ok(!lines.some(l => /^\s+nop$/.test(l)), 'the folded body is not printed');
    // Unfolded: main is printed in full (no marks in it), and no longer folded.
    const open = buildPreview(m, p, { expand: [2] });
    assert.deepEqual(open.folded, []);
    const main = open.functions.find(f => f.fid === 2)!;
    assert.equal(main.expanded, true);
    const body = open.text.split('\n').slice(main.startLine, main.endLine + 1);
    assert.equal(body[0], '(func $main (;2;) (type 2) (param f64)');
    assert.ok(body.some(l => l.trim() === 'nop'), body.join('\n'));
    assert.equal(body[body.length - 1], ')');
    assert.deepEqual(open.marks.map(x => x.fid), r.marks.map(x => x.fid));
});

test('past the line budget functions with matches are folded too, their injected code left out until unfolded', async () => {
    const p = await plan('var n: u32;\nwasm:opcode:call:before { n = n + 5; }');
    const m = decodeModule(appBytes!);
    // main has two call sites, helper one: with a budget of one line only the heaviest (main) prints.
    const r = buildPreview(m, p, { maxLines: 1 });
    assert.deepEqual(r.functions.map(f => f.fid), [2]);
    assert.deepEqual(r.folded.map(f => [f.fid, f.sites]), [[1, 1]]);
    assert.ok(r.text.includes('1 with matches (beyond what the preview prints at once)'), r.text);
    assert.ok(r.marks.every(x => x.fid === 2) && r.marks.length === 2);
    for (const x of r.plan.injections) assert.equal(x.code.length > 0, x.fid === 2 || x.fid < 0 || p.injections[r.plan.injections.indexOf(x)].code.length === 0, `injection in ${x.fid}`);
    // Unfolding the folded one prints it with its injection and code.
    const open = buildPreview(m, p, { maxLines: 1, expand: [1] });
    assert.deepEqual(open.functions.map(f => f.fid), [1, 2]);
    assert.equal(open.marks.filter(x => x.fid === 1).length, 1);
    const x = open.plan.injections[open.marks.find(k => k.fid === 1)!.injection];
    assert.ok(x.code.length > 0);
    // Without a budget both print (the default budget is far above this app).
    assert.deepEqual(buildPreview(m, p).functions.map(f => f.fid), [1, 2]);
});

test('after a run the header bars also show how often each function ran', async () => {
    const p = await plan('var n: u32;\nwasm:opcode:call:before { n = n + 5; }');
    const r = buildPreview(decodeModule(appBytes!), p, { executions: { main: 1, helper: 40 } });
    const lines = r.text.split('\n');
    assert.ok(lines.some(l => l.includes('executions in the last run')), r.text);
    const row = (name: string) => lines.find(l => new RegExp(`^;; +${name} `).test(l)) ?? '';
    assert.match(row('helper'), /\| █+ 40$/);
    assert.match(row('main'), /\| [▏▎▍▌▋▊▉█]+ +1$/);
    assert.equal(r.functions.find(f => f.name === 'helper')!.executions, 40);
});

test('the preview request never throws: missing app, a file that is not wasm, script errors', async () => {
    const { computePreview } = await import('../../server/src/language/lsp/preview.js');
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-preview-'));
    const missing = await computePreview({ app: path.join(dir, 'none.wasm'), script: 'wasm:opcode:call:before { }' });
    assert.match(missing.error ?? '', /cannot read the app/);
    fs.writeFileSync(path.join(dir, 'junk.wasm'), 'not wasm at all');
    const junk = await computePreview({ app: path.join(dir, 'junk.wasm'), script: 'wasm:opcode:call:before { }' });
    assert.match(junk.error ?? '', /cannot (decode|read) the app/);
    fs.writeFileSync(path.join(dir, 'app.wasm'), appBytes ?? await wat(APP));
    const bad = await computePreview({ app: path.join(dir, 'app.wasm'), script: 'wasm:opcode:call:before { x = ; }', scriptPath: path.join(dir, 's.mm') });
    assert.ok(bad.plan.scriptErrors);
    assert.match(bad.error ?? '', /s\.mm:1:\d+: error: /);
    const ok = await computePreview({ app: path.join(dir, 'app.wasm'), script: 'var n: u32;\nwasm:opcode:call:before { n = n + 1; }' });
    assert.equal(ok.error, undefined);
    assert.equal(ok.marks.length, 3);
});
