// Edit -> injection preview latency, as the language server answers `whamm/preview` after each keystroke
// (the script text changes, the app stays: the app's bytes, decoded module and source mapper are cached;
// each answer is serialised to JSON as the server sends it, and that time counts; like the editor, each request
// names the text it holds, so the answer's text comes as line edits of it), side by side with a full `whamm instr` of the same app and script (decode, place, encode, write).
// Apps: the bench apps of about 1 MB and more (../shared/bench/apps/real); target: p95 <= 300 ms on 1 MB.
import '../../server/src/polyfill.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { computePreview } from '../../server/src/language/lsp/preview.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { HAVE_SHARED, SHARED, sharedPath } from '../support/shared.js';

const EDITS = Number(process.env.PREVIEW_EDITS ?? 30);

/** The script a user types: a probe on calls in one function, the predicate's constant changing each edit. */
function scopedScript(k: number): string {
    return [
        'report var calls: u64;',
        'report var loads: u64;',
        `wasm:opcode:call:before / fid == ${10 + k} / {`,
        '    calls = calls + 1;',
        '}',
        `wasm:opcode:i32.load:before / fid == ${20 + (k % 7)} && offset > ${k % 3} / {`,
        '    loads = loads + (effective_addr as u64);',
        '}',
    ].join('\n');
}

/** The same edits on probes whose predicates hold in every function: each edit places them over the whole app. */
function appWideScript(k: number): string {
    return [
        'report var branches: u64;',
        'report var loads: u64;',
        `wasm:opcode:br_if:before / pc > ${k % 5} / {`,
        '    branches = branches + 1;',
        '}',
        `wasm:opcode:i32.load:before / offset > ${k % 3} / {`,
        `    loads = loads + ${k};`,
        '}',
    ].join('\n');
}

const SCRIPTS: [string, (k: number) => string][] = [['fid ==', scopedScript], ['app-wide', appWideScript]];

function stats(xs: number[]): { median: number; p95: number; max: number } {
    const s = [...xs].sort((a, b) => a - b);
    const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
    return { median: at(0.5), p95: at(0.95), max: s[s.length - 1] };
}
const ms = (x: number) => `${x.toFixed(0).padStart(5)} ms`;

async function main(): Promise<void> {
    if (!HAVE_SHARED) { console.log(`../shared not found at ${SHARED}: no bench apps, nothing measured`); return; }
    const dir = sharedPath('bench', 'apps', 'real');
    const apps = fs.readdirSync(dir).filter(f => f.endsWith('.wasm')).map(f => path.join(dir, f))
        .filter(f => fs.statSync(f).size >= 800_000).sort((a, b) => fs.statSync(a).size - fs.statSync(b).size);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-preview-bench-'));
    console.log(`edit -> preview (whamm/preview, ${EDITS} edits, app cached) vs a full \`whamm instr\` of the same app and script\n`);
    console.log(`${'app'.padEnd(22)} ${'predicates'.padEnd(10)} ${'size'.padStart(8)}   ${'first'.padStart(8)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'cpu med'.padStart(8)} ${'reply'.padStart(8)}   ${'full instr'.padStart(10)}  ratio`);
    for (const app of apps) for (const [label, script] of SCRIPTS) {
        const size = fs.statSync(app).size;
        const times: number[] = [], cpu: number[] = [];
        let reply = 0;
        let t = performance.now();
        const session = `${app}|${label}`;
        const first = await computePreview({ app, script: script(0), scriptPath: '/bench/s.mm', session });
        let have = first.revision;
        JSON.stringify(first);
        const firstMs = performance.now() - t;
        if (first.error) throw new Error(`${path.basename(app)}: ${first.error}`);
        for (let k = 1; k <= EDITS; k++) {
            t = performance.now();
            const c0 = process.cpuUsage();
            const r = await computePreview({ app, script: script(k), scriptPath: '/bench/s.mm', session, have });
            have = r.revision;
            reply = Math.max(reply, JSON.stringify(r).length);
            times.push(performance.now() - t);
            const c = process.cpuUsage(c0);
            cpu.push((c.user + c.system) / 1000);
            if (r.error) throw new Error(`${path.basename(app)}: ${r.error}`);
        }
        // A full instr: read, decode, place, encode, write (what `whamm instr` does in-process).
        const full: number[] = [];
        for (let k = 0; k < 3; k++) {
            t = performance.now();
            const bytes = new Uint8Array(fs.readFileSync(app));
            const r = await instrument({ app: bytes, script: script(k), scriptPath: '/bench/s.mm' });
            fs.writeFileSync(path.join(out, 'out.wasm'), r.bytes);
            full.push(performance.now() - t);
        }
        const s = stats(times), f = stats(full);
        console.log(`${path.basename(app).padEnd(22)} ${label.padEnd(10)} ${(size / 1e6).toFixed(2).padStart(6)} MB   ${ms(firstMs)} ${ms(s.median)} ${ms(s.p95)} ${ms(stats(cpu).median)} ${`${(reply / 1024).toFixed(0)} KB`.padStart(8)}   ${ms(f.median).padStart(10)}  ${(f.median / s.p95).toFixed(1)}x`);
    }
    fs.rmSync(out, { recursive: true, force: true });
    console.log('\npredicates: `fid ==` = each probe limited to one function (decided once per function); app-wide = placed at every matching instruction of the app.');
    console.log('cpu med = median CPU time of an edit (this process, all its threads: under load the wall time also waits for a core);');
    console.log('reply = the largest JSON answer; ratio = full instr median / preview p95 (how much cheaper an edit is than an instrumentation).');
}

main().catch(e => { console.error(e); process.exit(1); });
