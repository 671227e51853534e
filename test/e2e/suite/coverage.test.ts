// "Whamm: Run with Coverage" on the C sample (built from test/fixtures/samples/c with clang, DWARF 4):
// VS Code's test coverage gets the line hits the sample's HITS markers state (worked out from the
// program's logic), the heat overlay decorates exactly the lines that ran, lcov export, the overlay
// leaving a file on edit, and a screenshot of main.c with coverage gutters and heat for people to look at.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, fixtureUri, waitFor } from './helpers.js';

interface CoverageApi {
    lastCoverage(): Record<string, Record<number, number>> | undefined;
    heatDecorations(): { file: string; levels: Record<number, number[]>; hovers: Record<number, string> }[];
    hotSpotRows(): string[];
    reportTables(): { name: string; rows: { value: string }[] }[];
}
interface CoverageRun { exitCode: number | null; cancelled: boolean; stderr: string; files: string[] }

// The bundle lives in out/test/e2e/suite/.
const PROJECT = path.resolve(__dirname, '..', '..', '..', '..');
const APP = path.join(PROJECT, '.cache', 'samples', 'c-dwarf4', 'app.wasm');
const MAIN_C = path.join(PROJECT, 'test', 'fixtures', 'samples', 'c', 'main.c');
const UI_DIR = process.env.WHAMM_E2E_UI_DIR;

/** Builds the sample unless the runner did; a reason to skip when the toolchain is missing. */
function ensureSample(): string | undefined {
    if (fs.existsSync(APP)) return undefined;
    const env = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
    const r = spawnSync(process.execPath, ['--import', 'tsx', path.join('test', 'e2e', 'build-samples.ts')], { cwd: PROJECT, env, encoding: 'utf8', timeout: 180000 });
    if (fs.existsSync(APP)) return undefined;
    return `C sample not built (${r.status}): ${(r.stderr ?? '').trim().split('\n')[0]}`;
}

/** Line -> hits from the `HITS: N` marker comments of a sample source. */
function expectedHits(file: string): Map<number, number> {
    const out = new Map<number, number>();
    fs.readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
        const m = /\/\/.*\bHITS: (\d+)/.exec(text);
        if (m) out.set(i + 1, Number(m[1]));
    });
    return out;
}

describe('coverage and heat', function () {
    this.timeout(180000);
    let api: CoverageApi;
    let run: CoverageRun;

    before(async function () {
        const reason = ensureSample();
        if (reason) { console.log(`[e2e] skipping coverage tests: ${reason}`); this.skip(); }
        api = (await activateExtension()).api as unknown as CoverageApi;
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        await vscode.window.showTextDocument(vscode.Uri.file(MAIN_C), { preview: false });
        run = (await vscode.commands.executeCommand<CoverageRun>('whamm.runWithCoverage', { app: APP, quiet: true }))!;
    });

    it('the run succeeds and covers main.c', () => {
        assert.ok(run, 'the command returns its outcome');
        assert.equal(run.exitCode, 0, run.stderr);
        assert.ok(run.files.includes(MAIN_C), `covered files: ${run.files.join(', ')}`);
    });

    it('main.c has coverage for exactly the lines with code, with the expected hit counts', () => {
        const lines = api.lastCoverage()?.[MAIN_C];
        assert.ok(lines, 'no coverage for main.c');
        const got = new Map(Object.entries(lines).map(([l, n]) => [Number(l), n]));
        assert.deepEqual([...got].sort((a, b) => a[0] - b[0]), [...expectedHits(MAIN_C)].sort((a, b) => a[0] - b[0]));
    });

    it('heat decorations mark every line that ran and no line that did not', async () => {
        const applied = await waitFor('heat on main.c', () => api.heatDecorations().find(d => d.file === MAIN_C));
        const decorated = Object.values(applied.levels).flat().sort((a, b) => a - b);
        const ran = [...expectedHits(MAIN_C)].filter(([, n]) => n > 0).map(([l]) => l).sort((a, b) => a - b);
        assert.deepEqual(decorated, ran);
        // The loop lines (38, 39: 10-11 passes) are hotter than the once-run `return 0;` (49).
        const levelOf = (line: number) => Number(Object.entries(applied.levels).find(([, ls]) => ls.includes(line))?.[0]);
        assert.ok(levelOf(38) > levelOf(49), `levels: ${JSON.stringify(applied.levels)}`);
        // The hover gives the exact count, its share of the run and how often the line started (HITS: 11).
        assert.match(applied.hovers[38], /^\*\*Whamm heat\*\* — [\d,]+ instructions executed on this line \(\d+\.\d% of the run\); the line started 11 times\.$/);
    });

    it('the Hot spots view lists the loop of main and the hottest functions', () => {
        const rows = api.hotSpotRows();
        // Lines 38 and 39 (the first loop: 11 and 10 passes, several instructions each) are main.c's hottest.
        const mainLines = rows.filter(r => r.startsWith('Hottest lines: main.c:')).map(r => Number(/main\.c:(\d+)/.exec(r)![1]));
        assert.deepEqual(mainLines.slice(0, 2).sort(), [38, 39], rows.join('\n'));
        assert.ok(rows.some(r => r.startsWith('Hottest functions: classify —') && /, 10 calls$/.test(r)), rows.join('\n'));
    });

    it('a screenshot shows main.c with coverage gutters and heat', async function () {
        if (!UI_DIR) this.skip();
        // Show VS Code's own coverage decorations in the editor (gutters), then let the runner capture the window.
        await vscode.commands.executeCommand('testing.coverage.toggleInline').then(undefined, () => undefined);
        // The Testing side bar (Test Coverage) and the Hot spots view (in the panel, below the editor), for the picture.
        await vscode.commands.executeCommand('workbench.view.extension.test').then(undefined, () => undefined);
        await vscode.commands.executeCommand('whamm.hotSpots.focus').then(undefined, () => undefined);
        await vscode.window.showTextDocument(vscode.Uri.file(MAIN_C), { preview: false, selection: new vscode.Range(14, 0, 14, 0) });
        await new Promise(r => setTimeout(r, 1500));
        const id = 'coverage-heat-main-c';
        fs.writeFileSync(path.join(UI_DIR!, `request-${id}.json`), JSON.stringify({ id, kind: 'screenshot', file: 'main.c' }));
        const verdict = await waitFor('the runner to take the screenshot', () => {
            const p = path.join(UI_DIR!, `response-${id}.json`);
            return fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, 'utf8')) as { ok: boolean; screenshot: string } : undefined;
        }, 60000);
        assert.ok(verdict.ok && verdict.screenshot, 'screenshot taken');
    });

    it('Export lcov writes main.c records with the same counts', async () => {
        const dest = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-lcov-')), 'lcov.info');
        const written = await vscode.commands.executeCommand<string>('whamm.exportLcov', vscode.Uri.file(dest));
        assert.equal(written, dest);
        const rec = fs.readFileSync(dest, 'utf8').split('end_of_record').find(r => r.includes(`SF:${MAIN_C}\n`));
        assert.ok(rec, 'no record for main.c');
        for (const [line, hits] of expectedHits(MAIN_C)) assert.ok(rec.includes(`\nDA:${line},${hits}\n`), `DA:${line},${hits} missing`);
    });

    it('Run with Coverage on a .mm runs its probes too: same report as Instrument and Run', async () => {
        const cfg = vscode.workspace.getConfiguration('whamm');
        await cfg.update('app', APP, vscode.ConfigurationTarget.Workspace);
        try {
            const plain = await vscode.commands.executeCommand<{ result?: { report?: { name: string; value?: string }[] }; exitCode: number | null; stderr: string }>(
                'whamm.instrumentAndRun', fixtureUri('count-br_if.mm'), { app: APP, quiet: true });
            assert.equal(plain?.exitCode, 0, plain?.stderr);
            const expected = plain?.result?.report?.find(v => v.name === 'taken')?.value;
            assert.ok(expected, JSON.stringify(plain?.result));
            const r = await vscode.commands.executeCommand<CoverageRun>('whamm.runWithCoverage', fixtureUri('count-br_if.mm'));
            assert.equal(r?.exitCode, 0, r?.stderr);
            const taken = api.reportTables().find(t => t.name === 'taken');
            assert.deepEqual(taken?.rows.map(x => x.value), [expected]);
            assert.ok(api.lastCoverage()?.[MAIN_C], 'coverage came with the script run');
        } finally {
            await cfg.update('app', undefined, vscode.ConfigurationTarget.Workspace);
        }
    });

    it('heat follows edits of main.c (a line inserted above moves it down) and is exact again after undo', async () => {
        const editor = await vscode.window.showTextDocument(vscode.Uri.file(MAIN_C), { preview: false });
        const lines = () => Object.values(api.heatDecorations().find(d => d.file === MAIN_C)?.levels ?? {}).flat().sort((a, b) => a - b);
        const before = lines();
        assert.ok(before.length > 0);
        await editor.edit(e => e.insert(new vscode.Position(0, 0), '// edited\n'));
        try {
            await waitFor('main.c heat to move down one line', () => JSON.stringify(lines()) === JSON.stringify(before.map(l => l + 1)) ? true : undefined);
            await vscode.commands.executeCommand('undo');
            await waitFor('main.c heat back where it was', () => JSON.stringify(lines()) === JSON.stringify(before) ? true : undefined);
        } finally {
            await vscode.commands.executeCommand('workbench.action.files.revert');
        }
        await vscode.commands.executeCommand('whamm.runWithCoverage', { app: APP, quiet: true });
        await waitFor('heat back after a new run', () => api.heatDecorations().some(d => d.file === MAIN_C) ? true : undefined);
        await vscode.commands.executeCommand('whamm.hideOverlays');
        assert.equal(api.heatDecorations().length, 0);
        await vscode.commands.executeCommand('whamm.showOverlays');
        assert.ok(api.heatDecorations().some(d => d.file === MAIN_C));
    });
});
