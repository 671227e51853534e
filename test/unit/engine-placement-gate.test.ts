// A predicate over static site facts (fid, pc, opidx, a load's offset) decides which instructions are
// match sites (SPEC: a probe fires where its predicate holds). The engine decides such predicates with one
// closure per probe (engine/placement-gate.ts); predicates with arithmetic or operands go through the
// compiler. Either way the sites must be exactly the instructions where the predicate holds, evaluated
// here independently over the sites of the same rule without a predicate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../server/src/polyfill.js';
import { wat } from '../support/wat.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { dryRun } from '../../server/src/preview/plan.js';
import { staticGate } from '../../server/src/engine/placement-gate.js';
import { buildProgram } from '../../server/src/frontend/index.js';

const APP = `(module
  (memory 1)
  (func $a (param i32) (result i32)
    local.get 0 i32.load offset=4
    local.get 0 i32.load
    i32.add
    local.get 0 i32.load offset=12
    i32.add)
  (func $b (param i32) (result i32)
    block
      local.get 0
      br_if 0
      local.get 0 i32.load offset=8 drop
      local.get 0 i32.const 1 i32.sub br_if 0
    end
    local.get 0 i32.load offset=4)
  (func $c (export "c") (param i32) (result i32)
    local.get 0 call $a
    local.get 0 call $b
    i32.add
    local.get 0 i32.load offset=16
    i32.add))`;

interface Facts { fid: number; pc: number; opidx: number; offset: number }

/** A seeded random predicate over the facts and its value at a site (u32/u64 comparisons of non-negative values). */
function randomPredicate(next: () => number, depth = 0): { text: string; at: (s: Facts) => boolean } {
    const r = next();
    if (depth < 2 && r < 0.35) {
        const a = randomPredicate(next, depth + 1), b = randomPredicate(next, depth + 1);
        const and = next() < 0.5;
        return { text: `(${a.text} ${and ? '&&' : '||'} ${b.text})`, at: s => (and ? a.at(s) && b.at(s) : a.at(s) || b.at(s)) };
    }
    if (depth < 2 && r < 0.45) {
        const a = randomPredicate(next, depth + 1);
        return { text: `!(${a.text})`, at: s => !a.at(s) };
    }
    const names = ['fid', 'pc', 'opidx', 'offset'] as const;
    const name = names[Math.floor(next() * names.length)];
    const k = Math.floor(next() * (name === 'offset' ? 20 : name === 'fid' ? 4 : 12));
    const ops = ['==', '!=', '<', '<=', '>', '>='] as const;
    const op = ops[Math.floor(next() * ops.length)];
    const cmp = (x: number): boolean => ({ '==': x === k, '!=': x !== k, '<': x < k, '<=': x <= k, '>': x > k, '>=': x >= k })[op];
    // Sometimes arithmetic on the fact: not a static comparison, so the compiler decides it.
    if (name === 'pc' && next() < 0.2) return { text: `pc + 1 ${op} ${k + 1}`, at: s => cmp(s.pc) };
    return { text: `${name} ${op} ${k}`, at: s => cmp(s[name]) };
}

function rng(seed: number): () => number {
    let x = seed >>> 0;
    return () => { x = (x * 1664525 + 1013904223) >>> 0; return x / 2 ** 32; };
}

test('sites of a predicate on fid, pc, opidx and offset are exactly the instructions where it holds', async () => {
    const app = await wat(APP);
    const all = (await dryRun({ app, appPath: 'app.wasm', script: 'var n: u32;\nwasm:opcode:i32.load:before { n = n + 1; }' })).plan.sites;
    const facts: Facts[] = all.map(s => ({ fid: s.fid, pc: s.pc, opidx: s.opidx, offset: Number(/offset=(\d+)/.exec(s.instr)?.[1] ?? 0) }));
    assert.equal(facts.length, 6);
    const next = rng(7);
    let some = 0, none = 0;
    for (let i = 0; i < 150; i++) {
        const p = randomPredicate(next);
        const script = `var n: u64;\nwasm:opcode:i32.load:before / ${p.text} / { n = n + 1; }`;
        const r = await dryRun({ app, appPath: 'app.wasm', script });
        assert.equal(r.plan.error, undefined, `${p.text}: ${r.plan.error}`);
        const got = r.plan.sites.map(s => `${s.fid}:${s.pc}`);
        const want = facts.filter(p.at).map(s => `${s.fid}:${s.pc}`);
        assert.deepEqual(got, want, p.text);
        if (want.length) some++; else none++;
    }
    assert.ok(some > 20 && none > 5, `${some} predicates with sites, ${none} without`);
});

test('the same module whether the body reads the predicate\'s names or not (cached code keyed on what the body reads)', async () => {
    const app = await wat(APP);
    // The body reads pc: each site gets its own constant.
    const r = await instrument({ app, script: 'report var s: u64;\nwasm:opcode:br_if:before / pc > 2 / { s = s + (pc as u64); }' });
    const plan = (await dryRun({ app, appPath: 'app.wasm', script: 'report var s: u64;\nwasm:opcode:br_if:before / pc > 2 / { s = s + (pc as u64); }' })).plan;
    assert.equal(plan.sites.length, 2);
    assert.equal(r.sites.length, 2);
    const consts = plan.injections.map(x => x.code.find(l => /i64\.const/.test(l))?.trim());
    assert.deepEqual(consts, plan.sites.map(s => `i64.const ${s.pc}`));
    // The body does not read pc: every site gets the same code.
    const same = (await dryRun({ app, appPath: 'app.wasm', script: 'report var s: u64;\nwasm:opcode:br_if:before / pc > 2 / { s = s + 5; }' })).plan;
    assert.equal(same.injections.length, 2);
    assert.deepEqual(same.injections[0].code, same.injections[1].code);
});

test('which predicates are decided by a closure, and which names only the predicate reads', async () => {
    const probeOf = async (text: string) => {
        const p = await buildProgram(text, { file: 't.mm' });
        assert.deepEqual(p.errors, []);
        return p.ir!.probes[0];
    };
    const g = staticGate(await probeOf('var n: u64;\nwasm:opcode:i32.load:before / pc > 3 && !(offset == 8) / { n = n + (opidx as u64); }'))!;
    assert.ok(g);
    assert.deepEqual([...g.predicateOnly].sort(), ['offset', 'pc']);
    assert.equal(g.memarg, true);
    assert.equal(g.test({ fid: 1, pc: 4, opidx: 0, memarg: { offset: 4n, align: 2, memory: 0, bytes: 4 } }), true);
    assert.equal(g.test({ fid: 1, pc: 4, opidx: 0, memarg: { offset: 8n, align: 2, memory: 0, bytes: 4 } }), false);
    assert.equal(g.test({ fid: 1, pc: 3, opidx: 0, memarg: { offset: 4n, align: 2, memory: 0, bytes: 4 } }), false);
    // No memory argument: not decided here.
    assert.equal(g.test({ fid: 1, pc: 4, opidx: 0 }), undefined);
    // The body reads pc: it stays in the code's key.
    const h = staticGate(await probeOf('var n: u64;\nwasm:opcode:call:before / pc > 3 / { n = n + (pc as u64); }'))!;
    assert.deepEqual([...h.predicateOnly], []);
    // Arithmetic, operands and script variables are the compiler's.
    assert.equal(staticGate(await probeOf('var n: u64;\nwasm:opcode:call:before / pc + 1 > 3 / { n = n + 1; }')), undefined);
    assert.equal(staticGate(await probeOf('var n: u64;\nwasm:opcode:i32.load:before / arg0 > 3 / { n = n + 1; }')), undefined);
    assert.equal(staticGate(await probeOf('var n: u64;\nwasm:opcode:call:before / n > 3 / { n = n + 1; }')), undefined);
    assert.equal(staticGate(await probeOf('var n: u64;\nwasm:opcode:call:before { n = n + 1; }')), undefined);
});
