// Generates the demo workspace `npm start` opens (default .cache/demo-workspace, ignored by git) from the
// repository's sources: demo/workspace/ (README, app sources), demo/app/ (the AssemblyScript app) and a
// few monitors of the gallery as scripts. Apps are built from source on first use where the toolchain is
// installed: AssemblyScript always (the npm compiler is a dev dependency; source map), C with clang for
// wasm32-wasi (DWARF), Rust with rustc and a wasm32 WASI std (DWARF); the others are left out and the
// README says so. Files the user changed in the workspace are never overwritten; a binary is rebuilt
// when its source or flags changed (a stamp beside it holds their hash).
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_WORKSPACE = path.join(ROOT, '.cache', 'demo-workspace');
export const DEMO_SCRIPTS = ['loops', 'hotness', 'coverage-branches', 'call-graph', 'function-time', 'fault-injection'];

function copyIfMissing(src, dest) {
    if (fs.existsSync(dest)) return false;
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(src, dest);
    return true;
}

/** Every executable named `cmd` on the PATH, in order. */
function whichAll(cmd) {
    const found = [];
    for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
        const p = path.join(dir, cmd);
        try { fs.accessSync(p, fs.constants.X_OK); found.push(p); } catch { /* not here */ }
    }
    return found;
}

function which(cmd) {
    return whichAll(cmd)[0];
}

/** Runs `build()` (which writes `out` in `dir`) unless the stamp says `out` was built from the same inputs. */
function stamped(dir, out, inputs, build) {
    const key = crypto.createHash('sha256').update(JSON.stringify(inputs.flags)).update(inputs.files.map(f => fs.readFileSync(f)).join('\0')).digest('hex');
    const stamp = path.join(dir, `.${out}.stamp`);
    if (fs.existsSync(path.join(dir, out)) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key) return 'up to date';
    const err = build();
    if (err) return err;
    fs.writeFileSync(stamp, key);
    return 'built';
}

function buildAs(dir) {
    const asc = path.join(ROOT, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
    const flags = ['--debug', '--sourceMap', '--runtime', 'stub', '--noColors'];
    if (!fs.existsSync(asc)) {
        // No compiler (an installed package without dev dependencies): the prebuilt sample, if it matches.
        const prebuilt = path.join(ROOT, 'out', 'demo', 'demo.wasm');
        if (!fs.existsSync(prebuilt)) return 'no AssemblyScript compiler and no prebuilt out/demo/demo.wasm';
        fs.copyFileSync(prebuilt, path.join(dir, 'demo.wasm'));
        const map = JSON.parse(fs.readFileSync(`${prebuilt}.map`, 'utf8'));
        map.sources = map.sources.map(s => s.endsWith('demo/app/index.ts') ? 'index.ts' : s);
        fs.writeFileSync(path.join(dir, 'demo.wasm.map'), JSON.stringify(map));
        return 'prebuilt';
    }
    return stamped(dir, 'demo.wasm', { flags, files: [path.join(dir, 'index.ts')] }, () => {
        const r = spawnSync(process.execPath, [asc, 'index.ts', '-o', 'demo.wasm', ...flags], { cwd: dir, encoding: 'utf8' });
        return r.status === 0 ? undefined : `asc failed: ${(r.stderr || '').trim().split('\n')[0]}`;
    });
}

function buildC(dir) {
    const clang = which('clang');
    if (!clang || !which('wasm-ld')) return 'not built: clang and wasm-ld not found (.ci/setup-toolchains.sh installs them)';
    const flags = ['--target=wasm32-wasi', '-O0', '-g', 'main.c', '-o', 'main.wasm'];
    return stamped(dir, 'main.wasm', { flags, files: [path.join(dir, 'main.c')] }, () => {
        const r = spawnSync(clang, flags, { cwd: dir, encoding: 'utf8' });
        return r.status === 0 ? undefined : `not built: clang failed (wasi-libc installed?): ${(r.stderr || '').trim().split('\n')[0]}`;
    });
}

function rustTarget(rustc) {
    const sysroot = spawnSync(rustc, ['--print', 'sysroot'], { encoding: 'utf8' }).stdout?.trim();
    if (!sysroot) return undefined;
    return ['wasm32-wasip1', 'wasm32-wasi'].find(t => fs.existsSync(path.join(sysroot, 'lib', 'rustlib', t, 'lib')));
}

function buildRust(dir) {
    // The first rustc on the PATH with a wasm32 WASI std (rustup's may lack it where Debian's has it).
    let rustc, target;
    for (const r of [...whichAll('rustc'), '/usr/bin/rustc']) {
        if (!fs.existsSync(r)) continue;
        target = rustTarget(r);
        if (target) { rustc = r; break; }
    }
    if (!rustc) return 'not built: rustc with a wasm32 WASI std not found (Debian: rustc libstd-rust-dev-wasm32)';
    const flags = [`--target=${target}`, '-C', 'debuginfo=1', '-C', 'opt-level=1', 'main.rs', '-o', 'main.wasm'];
    return stamped(dir, 'main.wasm', { flags, files: [path.join(dir, 'main.rs')] }, () => {
        const r = spawnSync(rustc, flags, { cwd: dir, encoding: 'utf8' });
        return r.status === 0 ? undefined : `not built: rustc failed: ${(r.stderr || '').trim().split('\n')[0]}`;
    });
}

/** Creates or refreshes the workspace; returns its path and what happened to each app. */
export function prepareDemoWorkspace(dest = DEFAULT_WORKSPACE) {
    const src = path.join(ROOT, 'demo', 'workspace');
    fs.mkdirSync(dest, { recursive: true });
    copyIfMissing(path.join(src, 'README.md'), path.join(dest, 'README.md'));
    copyIfMissing(path.join(src, 'apps', 'c', 'main.c'), path.join(dest, 'apps', 'c', 'main.c'));
    copyIfMissing(path.join(src, 'apps', 'rust', 'main.rs'), path.join(dest, 'apps', 'rust', 'main.rs'));
    copyIfMissing(path.join(ROOT, 'demo', 'app', 'index.ts'), path.join(dest, 'apps', 'as', 'index.ts'));
    for (const name of DEMO_SCRIPTS) copyIfMissing(path.join(ROOT, 'monitors', `${name}.mm`), path.join(dest, 'scripts', `${name}.mm`));
    const settings = path.join(dest, '.vscode', 'settings.json');
    if (!fs.existsSync(settings)) {
        fs.mkdirSync(path.dirname(settings), { recursive: true });
        fs.writeFileSync(settings, JSON.stringify({ 'whamm.app': 'apps/as/demo.wasm' }, null, 2) + '\n');
    }
    const apps = {
        'apps/as/demo.wasm': buildAs(path.join(dest, 'apps', 'as')),
        'apps/c/main.wasm': buildC(path.join(dest, 'apps', 'c')),
        'apps/rust/main.wasm': buildRust(path.join(dest, 'apps', 'rust')),
    };
    return { path: dest, apps };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const r = prepareDemoWorkspace(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
    console.log(r.path);
    for (const [app, what] of Object.entries(r.apps)) console.log(`  ${app}: ${what}`);
}
