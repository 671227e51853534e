// Runs the e2e suite inside a real VS Code: code-server (VS Code 1.100 for the browser) driven by headless
// Chromium through playwright-core. One code-server start per mode:
//   --mode dev   the extension from this folder (extensionDevelopmentPath) — the default
//   --mode vsix  the packaged out/whamm.vsix installed with --install-extension (only extensionTestsPath)
// The suite's result comes from VS Code's own `codeAutomationExit(code)` hook. While the suite runs, its
// `ui` test hands over (files in a handshake folder) so this runner can check the DOM and take screenshots.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PROJECT_ROOT, prepareWorkspace, writeUserSettings } from './workspace.js';

const MODE = (process.argv.find(a => a.startsWith('--mode='))?.slice(7) ?? 'dev') as 'dev' | 'vsix' | 'restricted';
if (!['dev', 'vsix', 'restricted'].includes(MODE)) {
    console.error(`unknown --mode=${MODE} (dev, vsix or restricted)`);
    process.exit(2);
}
const RESTRICTED = MODE === 'restricted';
const CS_VERSION = process.env.CODE_SERVER_VERSION ?? '4.100.3';
const CODE_SERVER = process.env.CODE_SERVER_BIN ?? path.join(PROJECT_ROOT, '.cache', `code-server-${CS_VERSION}`, 'node_modules', '.bin', 'code-server');
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const VSIX = process.env.WHAMM_VSIX ?? path.join(PROJECT_ROOT, 'out', 'whamm.vsix');
// For debugging the harness: load the extension from another folder (same layout as the project).
const DEV_PATH = process.env.WHAMM_E2E_DEV_PATH ?? PROJECT_ROOT;
const SUITE = path.join(PROJECT_ROOT, 'out', 'test', 'e2e', 'suite', 'index.cjs');
// Per run, so that two runs at once (several people testing one tree) do not share profiles; removed
// afterwards unless WHAMM_E2E_KEEP is set.
const STATE = path.join(PROJECT_ROOT, '.cache', 'e2e', `${MODE}-${process.pid}`);
const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts', `e2e-${MODE}`);
const SERVER_START_TIMEOUT = 60_000;
const SUITE_START_TIMEOUT = 180_000;
const SUITE_TIMEOUT = Number(process.env.WHAMM_E2E_TIMEOUT_MS ?? 8 * 60_000);

const log = (msg: string) => console.log(`[e2e:${MODE}] ${msg}`);

function fail(msg: string): never {
    console.error(`[e2e:${MODE}] ERROR: ${msg}`);
    process.exit(1);
}

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const port = (srv.address() as net.AddressInfo).port;
            srv.close(() => resolve(port));
        });
    });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout;
    return Promise.race([
        p.finally(() => clearTimeout(timer)),
        new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${Math.round(ms / 1000)} s: ${what}`)), ms); }),
    ]);
}

function tail(file: string, lines = 40): string {
    if (!fs.existsSync(file)) return '(no log)';
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

/** code-server, its extension host and our language server share the process group we give it. */
function killGroup(child: ChildProcess | undefined): Promise<void> {
    if (!child?.pid) return Promise.resolve();
    const pid = child.pid;
    const signal = (s: NodeJS.Signals) => { try { process.kill(-pid, s); } catch { /* already gone */ } };
    signal('SIGTERM');
    return new Promise(resolve => {
        const deadline = Date.now() + 5000;
        const check = () => {
            let alive = true;
            try { process.kill(-pid, 0); } catch { alive = false; }
            if (!alive) return resolve();
            if (Date.now() > deadline) { signal('SIGKILL'); return resolve(); }
            setTimeout(check, 100);
        };
        check();
    });
}

async function waitForServer(port: number, child: ChildProcess, logFile: string): Promise<void> {
    const deadline = Date.now() + SERVER_START_TIMEOUT;
    while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}:\n${tail(logFile)}`);
        try {
            const res = await fetch(`http://127.0.0.1:${port}/healthz`);
            if (res.ok) return;
        } catch { /* not listening yet */ }
        await new Promise(r => setTimeout(r, 250));
    }
    throw new Error(`code-server did not answer on port ${port} within ${SERVER_START_TIMEOUT / 1000} s:\n${tail(logFile)}`);
}

interface UiVerdict { ok: boolean; problems: string[]; screenshot: string }
/** What the suite asks for: `problems` checks squiggles and counts; `screenshot` only captures the window. */
interface UiRequest { id: string; kind: 'problems' | 'screenshot' | 'reload'; file?: string; diagnostics?: number; errors?: number }

/** The DOM-level half of the suite's `ui` tests: squiggles in the editor and the error count VS Code shows. */
async function checkUi(page: Page, req: UiRequest): Promise<UiVerdict> {
    const problems: string[] = [];
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const screenshot = path.join(ARTIFACTS, `${req.id}.png`);
    if (req.kind === 'reload') {
        // The window reloads as a user's would (Developer: Reload Window); the suite's entry runs again.
        log(`UI ${req.id}: reloading the window`);
        await page.reload({ waitUntil: 'domcontentloaded', timeout: 60_000 });
        return { ok: true, problems: [], screenshot: '' };
    }
    if (req.kind === 'problems') {
        const editor = page.locator('.editor-instance .monaco-editor').first();
        await editor.waitFor({ state: 'visible', timeout: 15000 }).catch(() => problems.push('no visible editor'));
        const squiggles = await page.locator('.monaco-editor .squiggly-error').count();
        if (squiggles < 1) problems.push(`expected error squiggles in ${req.file}, found ${squiggles}`);
        const tab = await page.locator('.tabs-container .tab.active').first().textContent().catch(() => '') ?? '';
        if (req.file && !tab.includes(req.file)) problems.push(`active editor tab is "${tab.trim()}", expected ${req.file}`);
        // Status bar problems item: its accessible label carries the counts, e.g. "Errors: 3, Warnings: 0".
        const statusLabel = await page.locator('#status\\.problems a, #status\\.problems').first().getAttribute('aria-label').catch(() => null) ?? '';
        const m = /(\d+)\s+Errors?|Errors?:\s*(\d+)/i.exec(statusLabel);
        const shownErrors = m ? Number(m[1] ?? m[2]) : NaN;
        if (shownErrors !== req.errors) problems.push(`status bar shows "${statusLabel}", expected ${req.errors} error(s)`);
        const badge = (await page.locator('.panel .composite-bar .badge-content, .panel-switcher-container .badge-content').allTextContents().catch(() => [])).join(' ').trim();
        if (!badge.split(/\s+/).includes(String(req.errors))) problems.push(`Problems tab badge shows "${badge}", expected ${req.errors}`);
        const markers = await page.locator('.markers-panel .monaco-list-row').count();
        if (markers < (req.diagnostics ?? 1)) problems.push(`Problems panel lists ${markers} rows, expected at least ${req.diagnostics} (file + markers)`);
        log(`UI ${req.id}: ${squiggles} squiggle(s), status "${statusLabel}", Problems badge "${badge}", ${markers} Problems rows`);
    }
    await page.screenshot({ path: screenshot });
    log(`screenshot ${path.relative(PROJECT_ROOT, screenshot)}`);
    return { ok: problems.length === 0, problems, screenshot };
}

/** Answers the suite's UI requests (request-<id>.json -> response-<id>.json), one at a time. */
function serveUiRequests(page: Page, uiDir: string): { stop(): void; handled: Map<string, UiVerdict> } {
    const handled = new Map<string, UiVerdict>();
    let busy = false;
    const timer = setInterval(() => {
        if (busy) return;
        const next = fs.readdirSync(uiDir).find(f => /^request-.+\.json$/.test(f) && !handled.has(f));
        if (!next) return;
        busy = true;
        const req = JSON.parse(fs.readFileSync(path.join(uiDir, next), 'utf8')) as UiRequest;
        void checkUi(page, req)
            .catch(e => ({ ok: false, problems: [`UI check crashed: ${(e as Error).message}`], screenshot: '' }))
            .then(v => {
                handled.set(next, v);
                fs.writeFileSync(path.join(uiDir, `response-${req.id}.json`), JSON.stringify(v));
                busy = false;
            });
    }, 200);
    return { stop: () => clearInterval(timer), handled };
}

async function main(): Promise<number> {
    if (!fs.existsSync(CODE_SERVER)) fail(`code-server not found at ${CODE_SERVER}; run .ci/setup-e2e.sh`);
    if (!fs.existsSync(CHROMIUM)) fail(`Chromium not found at ${CHROMIUM}; run .ci/setup-e2e.sh`);
    if (!fs.existsSync(SUITE)) fail(`test bundle missing (${SUITE}); run node test/e2e/build.mjs`);
    if (MODE !== 'vsix' && !fs.existsSync(path.join(DEV_PATH, 'out', 'server.cjs'))) fail(`${DEV_PATH}/out/server.cjs missing; run the build first`);
    if (MODE === 'vsix' && !fs.existsSync(VSIX)) fail(`${VSIX} missing; run npm run package`);

    fs.rmSync(STATE, { recursive: true, force: true });
    fs.rmSync(ARTIFACTS, { recursive: true, force: true });
    const dirs = Object.fromEntries(['user-data', 'extensions', 'xdg-config', 'xdg-data', 'chromium-profile', 'ui', 'no-dev-extension'].map(d => {
        const p = path.join(STATE, d);
        fs.mkdirSync(p, { recursive: true });
        return [d, p];
    })) as Record<string, string>;
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    writeUserSettings(dirs['user-data'], RESTRICTED ? {
        'security.workspace.trust.enabled': true,
        'security.workspace.trust.startupPrompt': 'never',
        'security.workspace.trust.untrustedFiles': 'open',
    } : {});
    const workspace = await prepareWorkspace(path.join(STATE, 'workspace'));
    const serverLog = path.join(ARTIFACTS, 'code-server.log');
    // Written into this run's own folder (another run may share test-artifacts/), copied at the end.
    const suiteLog = path.join(STATE, 'suite.log');
    const summaryFile = path.join(STATE, 'summary.json');

    const env: NodeJS.ProcessEnv = {
        ...process.env,
        XDG_CONFIG_HOME: dirs['xdg-config'],
        XDG_DATA_HOME: dirs['xdg-data'],
        // Read by the suite inside the extension host, which inherits code-server's environment.
        WHAMM_E2E_MODE: MODE,
        WHAMM_E2E_LOG: suiteLog,
        WHAMM_E2E_SUMMARY: summaryFile,
        WHAMM_E2E_UI_DIR: dirs.ui,
        WHAMM_E2E_EXTENSION_ROOT: MODE === 'vsix' ? dirs.extensions : DEV_PATH,
    };
    delete env.VSCODE_IPC_HOOK_CLI;
    const common = ['--user-data-dir', dirs['user-data'], '--extensions-dir', dirs.extensions];

    if (MODE === 'vsix') {
        log(`installing ${path.relative(PROJECT_ROOT, VSIX)}`);
        const r = spawnSync(CODE_SERVER, [...common, '--install-extension', VSIX], { env, encoding: 'utf8', timeout: 120_000 });
        const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
        fs.writeFileSync(path.join(ARTIFACTS, 'install-extension.log'), out);
        if (r.status !== 0 || !/successfully installed/i.test(out)) fail(`--install-extension failed (status ${r.status}):\n${out}`);
    }

    const port = await freePort();
    const logFd = fs.openSync(serverLog, 'w');
    const server = spawn(CODE_SERVER, [
        '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
        ...(RESTRICTED ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override', ...common, workspace,
    ], { env, detached: true, stdio: ['ignore', logFd, logFd] });
    let context: BrowserContext | undefined;
    const cleanup = async () => {
        await context?.close().catch(() => undefined);
        await killGroup(server);
        fs.closeSync(logFd);
        for (const f of [suiteLog, summaryFile]) if (fs.existsSync(f)) fs.copyFileSync(f, path.join(ARTIFACTS, path.basename(f)));
        if (!process.env.WHAMM_E2E_KEEP) fs.rmSync(STATE, { recursive: true, force: true });
    };
    process.once('SIGINT', () => { void cleanup().then(() => process.exit(130)); });
    process.once('SIGTERM', () => { void cleanup().then(() => process.exit(143)); });

    try {
        const t0 = Date.now();
        await waitForServer(port, server, serverLog);
        log(`code-server ${CS_VERSION} listening on 127.0.0.1:${port} (${Date.now() - t0} ms)`);

        context = await withTimeout(chromium.launchPersistentContext(dirs['chromium-profile'], {
            executablePath: CHROMIUM,
            headless: true,
            args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync'],
            viewport: { width: 1400, height: 900 },
        }), 60_000, 'launching Chromium');
        const page = context.pages()[0] ?? await context.newPage();
        const browserLog = fs.createWriteStream(path.join(ARTIFACTS, 'browser-console.log'));
        page.on('console', m => browserLog.write(`[${m.type()}] ${m.text()}\n`));
        page.on('pageerror', e => browserLog.write(`[pageerror] ${e.message}\n`));

        let resolveExit!: (v: { code: number; logs: unknown }) => void;
        let finished = false;
        const exited = new Promise<{ code: number; logs: unknown }>(r => { resolveExit = v => { if (!finished) { finished = true; r(v); } }; });
        await page.exposeFunction('codeAutomationExit', (code: number, logs: unknown) => { resolveExit({ code, logs }); });
        // A crashed or closed page never reports; end the wait instead of running into the timeout.
        page.on('crash', () => { console.error(`[e2e:${MODE}] the browser page crashed`); resolveExit({ code: 1, logs: [] }); });
        page.on('close', () => resolveExit({ code: 1, logs: [] }));
        server.once('exit', (code) => { if (!finished) console.error(`[e2e:${MODE}] code-server exited early (${code}):\n${tail(serverLog)}`); resolveExit({ code: 1, logs: [] }); });

        const remote = (p: string) => `vscode-remote://127.0.0.1:${port}${p}`;
        // VS Code's extension host runs extensionTestsPath only when an extensionDevelopmentPath is given too
        // (it throws otherwise), so the vsix mode passes an empty folder: it holds no extension, and the
        // only Whamm extension loaded is the installed one (the suite checks its path).
        const devPath = MODE === 'vsix' ? dirs['no-dev-extension'] : DEV_PATH;
        const payload: [string, string][] = [['extensionDevelopmentPath', remote(devPath)], ['extensionTestsPath', remote(SUITE)]];
        const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
        log(`opening ${url}`);
        await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });

        // Serve the suite's UI hand-overs while waiting for the end of the run.
        const ui = serveUiRequests(page, dirs.ui);

        // The suite's first log line says the extension host loaded it; without it nothing will ever finish.
        const suiteStarted = new Promise<void>((resolve, reject) => {
            const deadline = Date.now() + SUITE_START_TIMEOUT;
            const poll = setInterval(() => {
                if (fs.existsSync(suiteLog)) { clearInterval(poll); resolve(); }
                else if (Date.now() > deadline) {
                    clearInterval(poll);
                    reject(new Error(`the extension host did not load the suite within ${SUITE_START_TIMEOUT / 1000} s (see ${path.relative(PROJECT_ROOT, ARTIFACTS)}/browser-console.log)`));
                }
            }, 250);
            void exited.then(() => { clearInterval(poll); resolve(); });
        });
        let result: { code: number; logs: unknown };
        try {
            await suiteStarted;
            result = await withTimeout(exited, SUITE_TIMEOUT, 'the test suite to finish (codeAutomationExit)');
        } catch (e) {
            await page.screenshot({ path: path.join(ARTIFACTS, 'timeout.png') }).catch(() => undefined);
            console.error(`[e2e:${MODE}] ${(e as Error).message}\n--- suite log ---\n${tail(suiteLog, 80)}\n--- code-server log ---\n${tail(serverLog)}`);
            return 1;
        } finally {
            ui.stop();
            browserLog.end();
        }
        saveLogs(result.logs);
        console.log(fs.existsSync(suiteLog) ? fs.readFileSync(suiteLog, 'utf8') : '(the suite wrote no log: did the extension host load it? see browser-console.log)');
        log(`suite exit code ${result.code} (${Math.round((Date.now() - t0) / 1000)} s); artifacts in ${path.relative(PROJECT_ROOT, ARTIFACTS)}/`);
        const verdicts = [...ui.handled.values()];
        if (!RESTRICTED && process.env.WHAMM_E2E_GREP === undefined && !verdicts.length) {
            console.error(`[e2e:${MODE}] the ui tests never handed over to the runner`);
            return 1;
        }
        for (const v of verdicts.filter(v => !v.ok)) console.error(`[e2e:${MODE}] UI check failed (${v.screenshot}):\n  ${v.problems.join('\n  ')}`);
        return result.code === 0 && verdicts.every(v => v.ok) ? 0 : 1;
    } catch (e) {
        console.error(`[e2e:${MODE}] ${(e as Error).stack ?? e}`);
        return 1;
    } finally {
        await cleanup();
    }
}

/** VS Code hands over its logs with the exit code; keep them (exthost, remote agent...) as artifacts. */
function saveLogs(logs: unknown): void {
    if (!Array.isArray(logs)) return;
    for (const entry of logs as { relativePath?: string; contents?: string }[]) {
        if (!entry?.relativePath || typeof entry.contents !== 'string') continue;
        const dest = path.join(ARTIFACTS, 'vscode-logs', entry.relativePath.replace(/^(\.\.[/\\])+/, ''));
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        fs.writeFileSync(dest, entry.contents);
    }
}

main().then(code => process.exit(code), e => { console.error(e); process.exit(1); });
