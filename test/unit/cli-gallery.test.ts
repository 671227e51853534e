// `whamm new` (the monitor gallery) and `whamm demo` (the bundled sample app), run as a user runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '../../server/src/polyfill.js';
import { instrument } from '../../server/src/engine/instrument.js';
import { runModule } from '../../server/src/runner/run.js';
import { listTemplates } from '../../server/src/gallery/catalog.js';
import { parseScript } from '../../server/src/language/parse.js';
import { whamm } from '../support/cli.js';
import { PROJECT_ROOT } from '../support/shared.js';

const templates = listTemplates();
const DEMO_SRC = path.join(PROJECT_ROOT, 'demo', 'app', 'index.ts');

// The build step that makes out/demo/demo.wasm (a no-op when it is up to date).
const built = spawnSync(process.execPath, [path.join(PROJECT_ROOT, '.ci', 'build-demo.mjs')], { cwd: PROJECT_ROOT, encoding: 'utf8' });
const DEMO_APP = path.join(PROJECT_ROOT, 'out', 'demo', 'demo.wasm');

function tmpDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-new-'));
}

/** What the sample app computes, from its definition (independently of any run). */
function collatzSteps(start: number): number {
    let n = start, steps = 0;
    while (n !== 1) { n = n % 2 === 0 ? n / 2 : 3 * n + 1; steps++; }
    return steps;
}

test('the sample app builds', () => {
    assert.equal(built.status, 0, built.stderr);
    assert.ok(fs.existsSync(DEMO_APP) && fs.existsSync(`${DEMO_APP}.map`));
    assert.ok(fs.statSync(DEMO_APP).size < 64 * 1024, 'the sample app stays small');
});

test('whamm new --list names every template with its summary; --json gives the same list', () => {
    const r = whamm(['new', '--list']);
    assert.equal(r.code, 0, r.err);
    for (const t of templates) assert.match(r.out, new RegExp(`^${t.name}\\s+${t.summary.slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    const j = whamm(['new', '--list', '--json']);
    const list = JSON.parse(j.out) as { name: string; summary: string; file: string }[];
    assert.deepEqual(list.map(x => x.name), templates.map(t => t.name));
    for (const x of list) assert.ok(fs.existsSync(x.file), x.file);
});

test('whamm new NAME writes the template; an existing file is kept unless --force', () => {
    const dir = tmpDir();
    const r = whamm(['new', 'hotness'], dir);
    assert.equal(r.code, 0, r.err);
    const written = path.join(dir, 'hotness.mm');
    assert.equal(fs.readFileSync(written, 'utf8'), fs.readFileSync(path.join(PROJECT_ROOT, 'monitors', 'hotness.mm'), 'utf8'));

    fs.writeFileSync(written, '// mine\n');
    const again = whamm(['new', 'hotness'], dir);
    assert.equal(again.code, 2);
    assert.match(again.err, /exists/);
    assert.equal(again.err.trim().split('\n').length, 1, 'a one-line message');
    assert.equal(fs.readFileSync(written, 'utf8'), '// mine\n', 'the user\'s file is untouched');

    const forced = whamm(['new', 'hotness', '--force'], dir);
    assert.equal(forced.code, 0, forced.err);
    assert.notEqual(fs.readFileSync(written, 'utf8'), '// mine\n');

    const other = whamm(['new', 'loops', '-o', 'sub/my-loops.mm'], dir);
    assert.equal(other.code, 0, other.err);
    assert.match(fs.readFileSync(path.join(dir, 'sub', 'my-loops.mm'), 'utf8'), /loop:entry/);

    const bad = whamm(['new', 'no-such-monitor'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /no template 'no-such-monitor'/);
});

test('whamm demo: the app\'s output, the loop report and the hottest source lines, exit 0', { skip: built.status !== 0 && 'sample app not built' }, () => {
    const r = whamm(['demo']);
    assert.equal(r.code, 0, r.err);
    let best = 1, bestSteps = 0, sumIterations = 0;
    for (let i = 1; i < 3000; i++) {
        const s = collatzSteps(i);
        sumIterations += s + 1; // the loop's top is entered once more for the test that ends it
        if (s > bestSteps) { best = i; bestSteps = s; }
    }
    assert.match(r.out, new RegExp(`longest Collatz chain below 3000: ${best} \\(${bestSteps} steps\\)`));
    assert.match(r.out, /REPORT CSV FLUSH/);
    // The Collatz loop: started once per number, iterated once per step plus the final test.
    const rows = r.out.split('\n').filter(l => l.includes('/collatzSteps,'));
    assert.ok(rows.some(l => /, starts, .*, 2999$/.test(l)), rows.join('\n'));
    assert.ok(rows.some(l => new RegExp(`, iterations, .*, ${sumIterations}$`).test(l)), rows.join('\n'));
    // Hot lines: file:line, count, share and the line's text; the hottest is in collatzSteps' loop.
    const hot = r.out.slice(r.out.indexOf('hottest source lines')).split('\n').slice(1).filter(l => /index\.ts:\d+/.test(l));
    assert.ok(hot.length >= 3, r.out);
    const src = fs.readFileSync(DEMO_SRC, 'utf8').split('\n');
    const from = src.findIndex(l => l.includes('function collatzSteps')) + 1;
    const to = src.findIndex(l => l.includes('function gcd')) + 1;
    const top = /index\.ts:(\d+)\s+\d+\s+[\d.]+%\s+(.*)$/.exec(hot[0])!;
    assert.ok(Number(top[1]) > from && Number(top[1]) < to, `hottest line ${top[1]} is not in collatzSteps (${from}-${to})`);
    assert.equal(top[2], src[Number(top[1]) - 1].trim());
});

test('whamm demo --monitor fault-injection: every third fd_write fails, so the third line is lost', { skip: built.status !== 0 && 'sample app not built' }, () => {
    const r = whamm(['demo', '--monitor', 'fault-injection', '--hot', '0']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /primes below 5000: 669/);
    assert.match(r.out, /longest Collatz chain/);
    assert.doesNotMatch(r.out, /gcd sum/);
    assert.match(r.out, /, calls, .*, 3\n/);
    assert.match(r.out, /, injected, .*, 1\n/);
    assert.doesNotMatch(r.out, /hottest source lines/);
    const bad = whamm(['demo', '--monitor', 'nope']);
    assert.equal(bad.code, 2);
});

test('every gallery template instruments and runs the sample app with a report', { skip: built.status !== 0 && 'sample app not built' }, async () => {
    const app = fs.readFileSync(DEMO_APP);
    for (const t of templates) {
        const r = await instrument({ app, script: fs.readFileSync(t.file, 'utf8'), scriptPath: t.file });
        assert.ok(r.sites.length > 0, `${t.name}: no match site in the sample app`);
        let report = '';
        const run = await runModule(r.bytes, { stdout: s => { report += s; }, stderr: s => { report += s; }, stdoutFd: fs.openSync(os.devNull, 'w'), env: {} });
        assert.equal(run.trapped, undefined, `${t.name}: ${run.trapped}`);
        assert.match(report, /REPORT CSV FLUSH/, t.name);
    }
});

test('every gallery template is clean in the editor: no error, warning or hint', async () => {
    for (const t of templates) {
        const parsed = await parseScript(fs.readFileSync(t.file, 'utf8'), path.basename(t.file));
        assert.deepEqual(parsed.diagnostics.map(d => `${d.range.start.line + 1}: ${d.message}`), [], t.name);
    }
});
