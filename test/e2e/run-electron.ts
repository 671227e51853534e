// Runs the same in-editor suite in desktop VS Code through @vscode/test-electron. Used only where a VS Code
// is available: VSCODE_EXECUTABLE names one, or the download from update.code.visualstudio.com works.
// Elsewhere (this CI: no network beyond the npm registry and Debian) it skips with a message, exit 0.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { PROJECT_ROOT, prepareWorkspace, writeUserSettings } from './workspace.js';

const VERSION = process.env.VSCODE_VERSION ?? '1.100.3';
const SUITE = path.join(PROJECT_ROOT, 'out', 'test', 'e2e', 'suite', 'index.cjs');
const STATE = path.join(PROJECT_ROOT, '.cache', 'e2e', 'electron');
const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts', 'e2e-electron');
const log = (m: string) => console.log(`[e2e:electron] ${m}`);

function skip(reason: string): never {
    log(`SKIPPED: ${reason}`);
    process.exit(0);
}

async function vscodeExecutable(): Promise<string> {
    const fromEnv = process.env.VSCODE_EXECUTABLE;
    if (fromEnv) {
        if (!fs.existsSync(fromEnv)) throw new Error(`VSCODE_EXECUTABLE=${fromEnv} does not exist`);
        return fromEnv;
    }
    if (process.env.WHAMM_E2E_NO_DOWNLOAD) skip('no VSCODE_EXECUTABLE and downloads are disabled (WHAMM_E2E_NO_DOWNLOAD)');
    try {
        return await downloadAndUnzipVSCode({ version: VERSION, cachePath: path.join(PROJECT_ROOT, '.cache', 'vscode-test'), timeout: 15_000 });
    } catch (e) {
        skip(`no VSCODE_EXECUTABLE and VS Code ${VERSION} could not be downloaded (${(e as Error).message.split('\n')[0]}); the code-server runner covers this machine`);
    }
}

/** Desktop VS Code needs an X display; start a private Xvfb when there is none and Xvfb is installed. */
function ensureDisplay(): ChildProcess | undefined {
    if (process.platform !== 'linux' || process.env.DISPLAY) return undefined;
    if (spawnSync('sh', ['-c', 'command -v Xvfb']).status !== 0) skip('no DISPLAY and no Xvfb to provide one (apt-get install xvfb)');
    const display = ':97';
    const xvfb = spawn('Xvfb', [display, '-screen', '0', '1400x900x24', '-nolisten', 'tcp'], { stdio: 'ignore', detached: true });
    process.env.DISPLAY = display;
    return xvfb;
}

async function main(): Promise<number> {
    if (!fs.existsSync(SUITE)) throw new Error(`test bundle missing (${SUITE}); run node test/e2e/build.mjs`);
    const exe = await vscodeExecutable();
    const xvfb = ensureDisplay();
    try {
        fs.rmSync(STATE, { recursive: true, force: true });
        fs.rmSync(ARTIFACTS, { recursive: true, force: true });
        fs.mkdirSync(ARTIFACTS, { recursive: true });
        const userData = path.join(STATE, 'user-data');
        writeUserSettings(userData);
        const workspace = await prepareWorkspace(path.join(STATE, 'workspace'));
        const suiteLog = path.join(ARTIFACTS, 'suite.log');
        log(`VS Code: ${exe}`);
        const code = await runTests({
            vscodeExecutablePath: exe,
            extensionDevelopmentPath: PROJECT_ROOT,
            extensionTestsPath: SUITE,
            launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes',
                '--user-data-dir', userData, '--extensions-dir', path.join(STATE, 'extensions')],
            // No WHAMM_E2E_UI_DIR: the DOM check needs the browser runner, so the ui test skips here.
            extensionTestsEnv: { WHAMM_E2E_MODE: 'dev', WHAMM_E2E_EXTENSION_ROOT: PROJECT_ROOT, WHAMM_E2E_LOG: suiteLog },
        }).catch((e: unknown) => { log(`VS Code reported failure: ${(e as Error).message ?? e}`); return 1; });
        if (fs.existsSync(suiteLog)) console.log(fs.readFileSync(suiteLog, 'utf8'));
        return code;
    } finally {
        if (xvfb?.pid) try { process.kill(-xvfb.pid, 'SIGTERM'); } catch { /* gone */ }
    }
}

main().then(c => process.exit(c), e => { console.error(`[e2e:electron] ${(e as Error).stack ?? e}`); process.exit(1); });
