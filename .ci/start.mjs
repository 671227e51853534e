// `npm start`: VS Code in the browser with this extension installed and the demo workspace open.
//   1. builds the extension (parser if missing, bundles, the sample app) and packages it (.vsix),
//   2. installs code-server on first use (.ci/setup-e2e.sh, as the end-to-end tests do),
//   3. generates the demo workspace (.ci/demo-workspace.mjs; default .cache/demo-workspace),
//   4. starts code-server with the .vsix installed in its own profile (.cache/start/), prints the URL and
//      stays up until Ctrl-C.
// Options: --port N (default 8080; 0 picks a free port), --host H (default 127.0.0.1),
//          --workspace DIR, --state DIR (profile, extensions and logs).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { DEFAULT_WORKSPACE, prepareDemoWorkspace, ROOT } from './demo-workspace.mjs';

const CS_VERSION = process.env.CODE_SERVER_VERSION ?? '4.100.3';
const CODE_SERVER = process.env.CODE_SERVER_BIN ?? path.join(ROOT, '.cache', `code-server-${CS_VERSION}`, 'node_modules', '.bin', 'code-server');

function option(name, fallback) {
    const i = process.argv.indexOf(`--${name}`);
    if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
    const eq = process.argv.find(a => a.startsWith(`--${name}=`));
    return eq ? eq.slice(name.length + 3) : fallback;
}

const HOST = option('host', '127.0.0.1');
const PORT = Number(option('port', '8080'));
const WORKSPACE = path.resolve(option('workspace', DEFAULT_WORKSPACE));
const STATE = path.resolve(option('state', path.join(ROOT, '.cache', 'start')));

const say = msg => console.log(`[whamm start] ${msg}`);
function die(msg) {
    console.error(`[whamm start] ${msg}`);
    process.exit(2);
}

function step(what, cmd, args, opts = {}) {
    say(what);
    const r = spawnSync(cmd, args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], ...opts });
    if (r.status !== 0) die(`${what} failed (exit ${r.status ?? r.signal})`);
}

function freePort(wanted) {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once('error', e => (wanted ? reject(new Error(`port ${wanted} is busy (--port N picks another, 0 a free one)`)) : reject(e)));
        srv.listen(wanted, HOST, () => {
            const port = srv.address().port;
            srv.close(() => resolve(port));
        });
    });
}

async function waitForServer(url, child, log) {
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; see ${log}`);
        try {
            if ((await fetch(`${url}/healthz`)).ok) return;
        } catch { /* not listening yet */ }
        await new Promise(r => setTimeout(r, 250));
    }
    throw new Error(`code-server did not answer within 90 s; see ${log}`);
}

async function main() {
    if (!fs.existsSync(path.join(ROOT, 'server', 'src', 'language', 'generated'))) step('generating the parser', 'npm', ['run', '--silent', 'langium:generate']);
    step('building the extension', process.execPath, [path.join(ROOT, '.ci', 'build.mjs')]);
    if (!fs.existsSync(CODE_SERVER)) step(`installing code-server ${CS_VERSION} (first use)`, 'bash', [path.join(ROOT, '.ci', 'setup-e2e.sh')]);
    if (!fs.existsSync(CODE_SERVER)) die(`code-server not found at ${CODE_SERVER}`);

    const dirs = { userData: path.join(STATE, 'user-data'), extensions: path.join(STATE, 'extensions') };
    for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true });
    const vsix = path.join(STATE, 'whamm.vsix');
    step('packaging the extension', process.execPath, [path.join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package',
        '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix], { stdio: ['ignore', 'ignore', 'inherit'] });
    const env = { ...process.env };
    delete env.VSCODE_IPC_HOOK_CLI;
    const common = ['--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
    step('installing it into the demo profile', CODE_SERVER, [...common, '--install-extension', vsix, '--force'], { env, stdio: ['ignore', 'ignore', 'inherit'] });

    const settings = path.join(dirs.userData, 'User', 'settings.json');
    if (!fs.existsSync(settings)) {
        fs.mkdirSync(path.dirname(settings), { recursive: true });
        fs.writeFileSync(settings, JSON.stringify({
            'workbench.startupEditor': 'readme', 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
            'extensions.autoCheckUpdates': false, 'extensions.ignoreRecommendations': true, 'workbench.tips.enabled': false,
            'git.openRepositoryInParentFolders': 'never',
        }, null, 2) + '\n');
    }

    say(`preparing the demo workspace ${path.relative(process.cwd(), WORKSPACE) || '.'}`);
    const ws = prepareDemoWorkspace(WORKSPACE);
    for (const [app, what] of Object.entries(ws.apps)) say(`  ${app}: ${what}`);

    const port = await freePort(PORT);
    const log = path.join(STATE, 'code-server.log');
    const logFd = fs.openSync(log, 'w');
    const server = spawn(CODE_SERVER, ['--bind-addr', `${HOST}:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
        '--disable-workspace-trust', '--disable-getting-started-override', ...common, WORKSPACE],
    { env, detached: true, stdio: ['ignore', logFd, logFd] });
    const stop = () => {
        try { process.kill(-server.pid, 'SIGTERM'); } catch { /* gone */ }
    };
    process.on('SIGINT', () => { stop(); process.exit(0); });
    process.on('SIGTERM', () => { stop(); process.exit(0); });
    process.on('exit', stop);
    const base = `http://${HOST}:${port}`;
    await waitForServer(base, server, log);
    const url = `${base}/?folder=${encodeURIComponent(WORKSPACE)}`;
    console.log(`\nWhamm demo: open ${url}\n(README.md there says what to click first; Ctrl-C stops code-server.)\n`);
    server.on('exit', code => { say(`code-server exited (${code}); see ${log}`); process.exit(1); });
}

main().catch(e => die(e.message));
