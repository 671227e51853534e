// The injection preview as the language server answers it while a script is typed (language/lsp/preview.ts:
// the app decoded once, the placement pass kept per script text, only the functions printed in full turned
// into text) must be the preview of a dry run from scratch (a fresh decode, every site and injection
// listed). Seeded sequences of edits on a multi-probe script: predicates, rules, bodies, probes added and
// removed, broken text, functions unfolded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '../../server/src/polyfill.js';
import { wat } from '../support/wat.js';
import { computePreview } from '../../server/src/language/lsp/preview.js';
import { dryRun } from '../../server/src/preview/plan.js';
import { buildPreview } from '../../server/src/preview/document.js';
import { lineEdits } from '../../server/src/preview/delta.js';
import { applyLineEdits } from '../../client/src/preview/model.js';
import type { PreviewResult } from '../../server/src/protocol.js';

const APP = `(module
  (import "env" "log" (func $log (param i32)))
  (memory 1)
  (func $load2 (param i32) (result i32)
    local.get 0 i32.load offset=4
    local.get 0 i32.load
    i32.add)
  (func $loop (param i32) (result i32) (local i32)
    block
      loop
        local.get 0
        i32.eqz
        br_if 1
        local.get 1 local.get 0 i32.load offset=8 i32.add local.set 1
        local.get 0 i32.const 1 i32.sub local.set 0
        local.get 0 i32.const 100 i32.gt_u
        br_if 0
      end
    end
    local.get 1)
  (func $calls (param i32) (result i32)
    local.get 0 call $load2
    local.get 0 call $loop
    i32.add
    local.get 0 call $log
    local.get 0 i32.const 3 i32.store offset=12)
  (func $idle (result i32) i32.const 1)
  (func $main (export "main")
    i32.const 8 call $calls drop
    i32.const 16 call $calls drop))`;

function rng(seed: number): () => number {
    let x = seed >>> 0;
    return () => { x = (x * 1664525 + 1013904223) >>> 0; return x / 2 ** 32; };
}

const RULES = ['wasm:opcode:call:before', 'wasm:opcode:br_if:before', 'wasm:opcode:i32.load:before', 'wasm:opcode:i32.load:after',
    'wasm:opcode:i32.store:before', 'wasm:func:entry', 'wasm:opcode:*:before', 'wasm:opcode:local.get:after'];
const PREDICATES = (k: number) => ['', `/ pc > ${k} /`, `/ fid == ${k % 6} /`, `/ opidx < ${k} && fid != ${k % 6} /`, `/ !(pc == ${k}) || fid == 2 /`, `/ pc + 1 > ${k} /`];
const BODIES = (k: number) => ['count++;', `total = total + ${k};`, 'total = total + (pc as u64);', 'report var here: u32; here++;', 'count++;'];

interface Probe { rule: number; pred: number; body: number; k: number }

function scriptOf(probes: Probe[], broken: boolean): string {
    const lines = ['report var count: u32;', 'report var total: u64;'];
    for (const p of probes) {
        const rule = RULES[p.rule];
        // Operand and memory facts only where the rule has them.
        let pred = PREDICATES(p.k)[p.pred];
        if (rule.includes('func:entry') && /pc/.test(pred)) pred = `/ fid == ${p.k % 6} /`;
        lines.push(`${rule} ${pred} {`, `    ${BODIES(p.k)[p.body]}`, '}');
    }
    if (broken) lines.push('wasm:opcode:call:before { total = ; }');
    return lines.join('\n');
}

/** What the editor shows, independent of how the plan lists sites and injections (by their identity). */
function shown(r: PreviewResult) {
    const site = (i: number) => JSON.stringify(r.plan.sites[i]);
    const inj = (i: number) => JSON.stringify(r.plan.injections[i]);
    const siteLines = new Map<string, number>();
    r.siteLines.forEach((l, i) => { if (l >= 0) siteLines.set(site(i), l); });
    return {
        error: r.error !== undefined, text: r.text, functions: r.functions, folded: r.folded, omitted: r.omittedFunctions,
        probes: r.plan.probes, added: r.plan.added, warnings: r.plan.warnings,
        marks: r.marks.map(m => ({ ...m, injection: inj(m.injection), sites: m.sites.map(site) })),
        siteLines: [...siteLines].sort(),
        // Every site and injection of a printed function is in the answer.
        printedSites: r.plan.sites.filter(s => r.functions.some(f => f.fid === s.fid)).map(s => JSON.stringify(s)),
        printedInjections: r.plan.injections.filter(x => r.functions.some(f => f.fid === x.fid)).map(x => JSON.stringify(x)),
    };
}

test('seeded edits: the preview the language server answers equals a preview from scratch', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-preview-inc-'));
    try {
        const bytes = await wat(APP);
        const app = path.join(dir, 'app.wasm');
        fs.writeFileSync(app, bytes);
        const scriptPath = path.join(dir, 's.mm');
        const next = rng(20261206);
        const pick = (n: number) => Math.floor(next() * n);
        let probes: Probe[] = [{ rule: 0, pred: 0, body: 0, k: 1 }, { rule: 2, pred: 1, body: 1, k: 2 }, { rule: 1, pred: 2, body: 2, k: 3 }];
        const expand = new Set<number>();
        // The text the editor holds (as the client keeps it), and how many answers came as edits of it.
        let held: { lines: string[]; revision: number } | undefined;
        let deltas = 0;
        let broken = false, compared = 0, withSites = 0, errors = 0, foldedWithSites = 0;
        for (let step = 0; step < 250; step++) {
            const r = next();
            broken = false;
            const p = probes.length ? probes[pick(probes.length)] : undefined;
            if (r < 0.3 && p) p.k = pick(12);
            else if (r < 0.45 && p) p.pred = pick(PREDICATES(0).length);
            else if (r < 0.55 && p) p.rule = pick(RULES.length);
            else if (r < 0.65 && p) p.body = pick(BODIES(0).length);
            else if (r < 0.72 && probes.length < 5) probes.push({ rule: pick(RULES.length), pred: pick(PREDICATES(0).length), body: pick(BODIES(0).length), k: pick(12) });
            else if (r < 0.78 && probes.length > 1) probes = probes.filter(q => q !== p);
            else if (r < 0.86) broken = true;
            else if (r < 0.93) { const f = 1 + pick(5); if (expand.has(f)) expand.delete(f); else expand.add(f); }
            // else: the same text again (an edit undone, a save)
            const script = scriptOf(probes, broken);
            const params = { app, script, scriptPath, expand: [...expand], session: 'preview-1', have: held?.revision };
            // Small budgets too: then functions with sites are folded and their sites left out of the answer.
            const limits = [{}, { maxFunctions: 1 }, { maxFunctions: 2 }, { maxLines: 12 }][pick(4)];
            const live = await computePreview(params, undefined, limits);
            const { plan, module } = await dryRun({ app: bytes, appPath: app, script, scriptPath });
            const fresh: PreviewResult = plan.error || !module
                ? { text: '', plan, functions: [], folded: [], marks: [], siteLines: [], omittedFunctions: 0, error: plan.error }
                : buildPreview(module, plan, { appName: 'app.wasm', scriptName: 's.mm', expand: [...expand], ...limits });
            if (plan.error) {
                errors++;
                assert.ok(live.error, `step ${step}: the live preview has no error, from scratch: ${plan.error}`);
                assert.equal(live.plan.error, plan.error, `step ${step}`);
                continue;
            }
            if (live.textEdits) {
                assert.equal(live.textEdits.base, held?.revision, `step ${step}: edits of a text the client does not hold`);
                const lines = applyLineEdits(held!.lines, live.textEdits.edits);
                live.text = lines.join('\n');
                deltas++;
            }
            // Sometimes an answer never reaches the editor (cancelled): it keeps the text it had.
            if (next() > 0.1) held = { lines: live.text.split('\n'), revision: live.revision! };
            assert.deepEqual(shown({ ...live, textEdits: undefined, revision: undefined }), shown(fresh), `step ${step}:\n${script}`);
            compared++;
            if (plan.sites.length) withSites++;
            if (live.folded.some(f => f.sites > 0)) foldedWithSites++;
        }
        assert.ok(compared > 150 && withSites > 100 && errors > 5 && foldedWithSites > 50 && deltas > 100, `${deltas} as edits, ${compared} compared, ${withSites} with sites, ${errors} with errors, ${foldedWithSites} with sites folded`);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test('line edits turn any text into any other (random texts sharing lines)', () => {
    const next = rng(5);
    const vocabulary = Array.from({ length: 12 }, (_, i) => `line ${i}`);
    const text = () => Array.from({ length: Math.floor(next() * 200) }, () => vocabulary[Math.floor(next() * vocabulary.length)]);
    for (let n = 0; n < 400; n++) {
        const a = text();
        // Either unrelated, or a copy with a few lines replaced, inserted and deleted.
        const b = next() < 0.3 ? text() : [...a];
        for (let k = Math.floor(next() * 6); k > 0; k--) {
            const at = Math.floor(next() * (b.length + 1));
            const r = next();
            if (r < 0.33) b.splice(at, 1, `new ${n}.${k}`); else if (r < 0.66) b.splice(at, 0, `new ${n}.${k}`, 'line 3'); else b.splice(at, Math.floor(next() * 90));
        }
        const edits = lineEdits(a, b);
        assert.deepEqual(applyLineEdits(a, edits), b);
        for (let k = 1; k < edits.length; k++) assert.ok(edits[k].start >= edits[k - 1].start + edits[k - 1].deleteCount);
    }
    // Two changed lines among many: two small edits, not the whole text.
    const big = Array.from({ length: 5000 }, (_, i) => `i32.const ${i}`);
    const changed = [...big];
    changed[10] = 'x'; changed[4000] = 'y';
    assert.deepEqual(lineEdits(big, changed), [{ start: 10, deleteCount: 1, lines: ['x'] }, { start: 4000, deleteCount: 1, lines: ['y'] }]);
});
