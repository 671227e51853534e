// End-to-end check of the newcomer's path, driven exactly as `npm start` runs it: .ci/start.mjs builds and
// packages the extension, installs it into code-server, generates the demo workspace and prints a URL;
// headless Chromium opens that URL, opens the demo script (Quick Open), clicks ▷ Instrument and Run in
// the editor title, and waits for the Whamm Report view to show the script's report. Screenshots in
// test-artifacts/e2e-demo/. Skipped (exit 0) when WHAMM_E2E_GREP is set and does not match "demo".
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Frame, type Page } from 'playwright-core';
import { PROJECT_ROOT } from './workspace.js';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
const STATE = path.join(PROJECT_ROOT, '.cache', 'e2e', `demo-${process.pid}`);
const ARTIFACTS = path.join(PROJECT_ROOT, 'test-artifacts', 'e2e-demo');
const START_TIMEOUT = 10 * 60_000;
const log = (msg: string) => console.log(`[e2e:demo] ${msg}`);

const grep = process.env.WHAMM_E2E_GREP;
if (grep !== undefined && !/demo/i.test(grep) && !new RegExp(grep, 'i').test('npm start demo')) {
    log(`skipped: WHAMM_E2E_GREP=${grep} does not select the demo path`);
    process.exit(0);
}

async function shot(page: Page, name: string): Promise<void> {
    const file = path.join(ARTIFACTS, `${name}.png`);
    await page.screenshot({ path: file }).catch(() => undefined);
    log(`screenshot ${path.relative(PROJECT_ROOT, file)}`);
}

/** The webview frame whose document contains `text` (webviews are nested iframes; the workbench is not one). */
async function frameWithText(page: Page, text: string, timeoutMs: number): Promise<Frame | undefined> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
        for (const f of page.frames().filter(x => x !== page.mainFrame())) {
            const body = await f.locator('body').innerText({ timeout: 1000 }).catch(() => '');
            if (body.includes(text)) return f;
        }
        await page.waitForTimeout(500);
    }
    return undefined;
}

async function main(): Promise<number> {
    if (!fs.existsSync(CHROMIUM)) { console.error(`Chromium not found at ${CHROMIUM}; run .ci/setup-e2e.sh`); return 1; }
    fs.rmSync(ARTIFACTS, { recursive: true, force: true });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    fs.mkdirSync(STATE, { recursive: true });
    const workspace = path.join(STATE, 'workspace');
    const startLog = fs.createWriteStream(path.join(ARTIFACTS, 'npm-start.log'));
    // What `npm start` runs, with a free port and this run's own profile and workspace.
    const start = spawn(process.execPath, [path.join(PROJECT_ROOT, '.ci', 'start.mjs'), '--port', '0', '--state', STATE, '--workspace', workspace],
        { cwd: PROJECT_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stopStart = () => { try { process.kill(-start.pid!, 'SIGINT'); } catch { /* gone */ } };
    process.once('SIGINT', () => { stopStart(); process.exit(130); });
    let out = '';
    const url = await new Promise<string | undefined>(resolve => {
        const timer = setTimeout(() => resolve(undefined), START_TIMEOUT);
        const onData = (d: Buffer) => {
            const s = d.toString('utf8');
            startLog.write(s);
            out += s;
            const m = /Whamm demo: open (http:\S+)/.exec(out);
            if (m) { clearTimeout(timer); resolve(m[1]); }
        };
        start.stdout.on('data', onData);
        start.stderr.on('data', (d: Buffer) => startLog.write(d));
        start.once('exit', code => { clearTimeout(timer); if (!/Whamm demo: open/.test(out)) log(`npm start exited before printing a URL (${code})`); resolve(undefined); });
    });
    if (!url) {
        console.error(`[e2e:demo] npm start printed no URL:\n${out.split('\n').slice(-30).join('\n')}`);
        stopStart();
        return 1;
    }
    log(`npm start printed ${url}`);
    const problems: string[] = [];
    const context = await chromium.launchPersistentContext(path.join(STATE, 'chromium'), {
        executablePath: CHROMIUM, headless: true, viewport: { width: 1280, height: 800 },
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
    });
    try {
        const page = context.pages()[0] ?? await context.newPage();
        await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 60_000 });
        await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 120_000 });
        // The explorer shows the generated workspace; the README opens as the start-up editor.
        await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'scripts' }).first().waitFor({ timeout: 60_000 });
        // The README (what to click first) opens as the start-up editor; let it settle before going on.
        const readme = await page.locator('.tabs-container .tab', { hasText: 'README.md' }).first().waitFor({ timeout: 60_000 }).then(() => true, () => false);
        if (!readme) problems.push('the demo README did not open at start-up');
        await shot(page, '1-opened');

        // Open the demo script the README names first.
        await page.keyboard.press('Control+P');
        await page.locator('.quick-input-widget input').waitFor({ state: 'visible', timeout: 30_000 });
        await page.keyboard.type('scripts/loops.mm');
        await page.locator('.quick-input-list .monaco-list-row', { hasText: 'loops.mm' }).first().waitFor({ timeout: 30_000 });
        await page.keyboard.press('Enter');
        await page.locator('.tabs-container .tab.active', { hasText: 'loops.mm' }).waitFor({ timeout: 30_000 });

        // ▷ in the editor title (the extension contributes it once it is active for .mm files).
        const run = page.locator('.editor-actions .action-item a[aria-label*="Instrument and Run"]').first();
        await run.waitFor({ state: 'visible', timeout: 120_000 });
        await page.locator('.tabs-container .tab.active', { hasText: 'loops.mm' }).waitFor({ timeout: 10_000 });
        await shot(page, '2-script');
        await run.click({ timeout: 60_000 });

        // The report view: a webview with one table per report variable of loops.mm, whose rows name the
        // app's functions (the script's own text does not, so the editor cannot be mistaken for it).
        const frame = await frameWithText(page, 'collatzSteps', 300_000);
        if (!frame) problems.push('the Whamm Report view never showed rows of the app\'s functions (collatzSteps)');
        else {
            const text = await frame.locator('body').innerText();
            if (!/starts/.test(text) || !/iterations/.test(text)) problems.push('the report lacks the "starts" or "iterations" table');
        }
        const tab = await page.locator('.tabs-container .tab', { hasText: 'Whamm Report' }).count();
        if (tab < 1) problems.push('no "Whamm Report" editor tab');
        await page.waitForTimeout(1000);
        await shot(page, '3-report');
    } catch (e) {
        problems.push((e as Error).message.split('\n')[0]);
        const page = context.pages()[0];
        if (page) await shot(page, 'failure');
    } finally {
        await context.close().catch(() => undefined);
        stopStart();
        await new Promise(r => setTimeout(r, 1500));
        startLog.end();
        const csLog = path.join(STATE, 'code-server.log');
        if (fs.existsSync(csLog)) fs.copyFileSync(csLog, path.join(ARTIFACTS, 'code-server.log'));
        if (!process.env.WHAMM_E2E_KEEP) fs.rmSync(STATE, { recursive: true, force: true });
    }
    if (problems.length) {
        console.error(`[e2e:demo] FAILED:\n  ${problems.join('\n  ')}`);
        return 1;
    }
    log('passed: npm start -> demo workspace -> loops.mm -> Instrument and Run -> report visible');
    return 0;
}

main().then(code => process.exit(code), e => { console.error(e); process.exit(1); });
