// The demo workspace `npm start` opens (.ci/demo-workspace.mjs): generated from the repository's sources,
// its apps built where the toolchains are, user edits kept across starts; and the walkthrough that leads
// through it completes on context keys the extension really sets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import '../../server/src/polyfill.js';
import { runModule } from '../../server/src/runner/run.js';
import { PROJECT_ROOT } from '../support/shared.js';

const GENERATOR = path.join(PROJECT_ROOT, '.ci', 'demo-workspace.mjs');

function generate(dir: string): Record<string, string> {
    const r = spawnSync(process.execPath, [GENERATOR, dir], { encoding: 'utf8', timeout: 300_000 });
    assert.equal(r.status, 0, r.stderr);
    const apps: Record<string, string> = {};
    for (const m of r.stdout.matchAll(/^ {2}(\S+): (.*)$/gm)) apps[m[1]] = m[2];
    return apps;
}

async function output(wasm: string): Promise<string> {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-demo-out-')), 'out');
    const fd = fs.openSync(file, 'w');
    try {
        const r = await runModule(fs.readFileSync(wasm), { stdoutFd: fd, stderrFd: fd, stdout: () => undefined, stderr: () => undefined, env: {} });
        assert.equal(r.exitCode, 0);
    } finally {
        fs.closeSync(fd);
    }
    return fs.readFileSync(file, 'utf8');
}

test('the demo workspace: README, scripts, settings and the apps that can be built here; user edits are kept', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-demo-ws-'));
    const apps = generate(dir);
    assert.ok(fs.readFileSync(path.join(dir, 'README.md'), 'utf8').includes('What to click first'));
    for (const s of ['loops', 'hotness', 'fault-injection']) assert.ok(fs.existsSync(path.join(dir, 'scripts', `${s}.mm`)), s);
    const settings = JSON.parse(fs.readFileSync(path.join(dir, '.vscode', 'settings.json'), 'utf8')) as Record<string, string>;
    assert.ok(fs.existsSync(path.join(dir, settings['whamm.app'])), 'whamm.app names a built app');

    // The AssemblyScript app is always built (its compiler is a dev dependency), with a source map.
    assert.equal(apps['apps/as/demo.wasm'], 'built');
    assert.ok(fs.existsSync(path.join(dir, 'apps', 'as', 'demo.wasm.map')));
    assert.match(await output(path.join(dir, 'apps', 'as', 'demo.wasm')), /^primes below 5000: 669$/m);

    // C: the word counts of the text in main.c, counted here independently.
    if (apps['apps/c/main.wasm'] === 'built') {
        const src = fs.readFileSync(path.join(dir, 'apps', 'c', 'main.c'), 'utf8');
        const text = [...src.matchAll(/^\s+"([^"]*)"/gm)].map(m => m[1]).join('');
        const counts = new Map<string, number>();
        for (const w of text.split(' ').filter(Boolean)) counts.set(w, (counts.get(w) ?? 0) + 1);
        const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
        assert.match(await output(path.join(dir, 'apps', 'c', 'main.wasm')), new RegExp(`^${top[0]}\\s+${top[1]}$`, 'm'));
    } else {
        process.stdout.write(`# C app ${apps['apps/c/main.wasm']}\n`);
    }
    // Rust: N-queens solution counts for n = 4..7 are 2, 10, 4, 40.
    if (apps['apps/rust/main.wasm'] === 'built') {
        const out = await output(path.join(dir, 'apps', 'rust', 'main.wasm'));
        for (const [n, s] of [[4, 2], [5, 10], [6, 4], [7, 40]]) assert.match(out, new RegExp(`^${n} queens: ${s} solutions$`, 'm'));
    }

    // A second start keeps what the user changed and does not rebuild unchanged apps.
    fs.writeFileSync(path.join(dir, 'scripts', 'loops.mm'), '// my edit\n');
    fs.writeFileSync(path.join(dir, 'README.md'), 'mine\n');
    const again = generate(dir);
    assert.equal(fs.readFileSync(path.join(dir, 'scripts', 'loops.mm'), 'utf8'), '// my edit\n');
    assert.equal(fs.readFileSync(path.join(dir, 'README.md'), 'utf8'), 'mine\n');
    assert.equal(again['apps/as/demo.wasm'], 'up to date');
    fs.rmSync(dir, { recursive: true, force: true });
});

test('every walkthrough step completes on a context key the extension sets, or on a command it registers', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8'));
    const src = fs.readFileSync(path.join(PROJECT_ROOT, 'client', 'src', 'walkthrough.ts'), 'utf8');
    const commands = new Set((pkg.contributes.commands as { command: string }[]).map(c => c.command));
    const steps = pkg.contributes.walkthroughs[0].steps as { id: string; description: string; completionEvents?: string[]; media: { markdown: string } }[];
    for (const s of steps) {
        assert.ok(fs.existsSync(path.join(PROJECT_ROOT, s.media.markdown)), `${s.id}: ${s.media.markdown}`);
        // Step descriptions are not Markdown: backticks would show as typed.
        assert.doesNotMatch(s.description, /`/, `${s.id}: raw backticks in the description`);
        for (const link of s.description.matchAll(/\(command:([\w.]+)\)/g)) {
            if (link[1].startsWith('whamm.') && !link[1].endsWith('.focus')) assert.ok(commands.has(link[1]), `${s.id}: unknown command ${link[1]}`);
        }
        if (s.id === 'run-untrusted') continue;
        assert.ok(s.completionEvents?.length, `${s.id}: no completion event`);
        for (const e of s.completionEvents!) {
            const ctx = /^onContext:([\w.]+)$/.exec(e);
            const cmd = /^onCommand:([\w.]+)$/.exec(e);
            assert.ok(ctx || cmd, `${s.id}: ${e}`);
            if (ctx) assert.ok(src.includes(`'${ctx[1]}'`), `${s.id}: the extension never sets ${ctx[1]}`);
            if (cmd) assert.ok(commands.has(cmd[1]), `${s.id}: ${cmd[1]} is not a command`);
        }
    }
    assert.deepEqual(steps.map(s => s.id).filter(id => id !== 'run-untrusted'), ['openScript', 'run', 'report', 'coverage', 'heat', 'gallery']);
});
