// A window reload loses nothing: after a run with a report and a coverage run, the window reloads (the
// runner reloads the page, as Developer: Reload Window does); the suite's entry then runs only the
// `after reload` tests, which find the Report view, the coverage and the heat back. This file sorts last:
// the reload ends the first half of the suite.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, fixtureUri, waitFor } from './helpers.js';

interface Api {
    reportState(): { title: string; stale?: string; runId?: string; open: boolean };
    reportTables(): { name: string; rows: { key: string; value: string }[] }[];
    reportCharts(): { id: string; svg: boolean }[];
    lastCoverage(): Record<string, Record<number, number>> | undefined;
    heatDecorations(): { file: string }[];
    runs(): { id: string; title: string }[];
}

const PROJECT = path.resolve(__dirname, '..', '..', '..', '..');
const APP = path.join(PROJECT, '.cache', 'samples', 'c-dwarf4', 'app.wasm');
const MAIN_C = path.join(PROJECT, 'test', 'fixtures', 'samples', 'c', 'main.c');
const UI_DIR = process.env.WHAMM_E2E_UI_DIR;
const MARK = UI_DIR ? path.join(UI_DIR, 'reloaded.json') : '';

describe('results at a glance: window reload', function () {
    this.timeout(180000);

    it('a run and a coverage run, then the window reloads', async function () {
        if (!UI_DIR || !fs.existsSync(APP)) this.skip();
        const api = (await activateExtension()).api as unknown as Api;
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        const o = await vscode.commands.executeCommand<{ exitCode: number }>('whamm.instrumentAndRun', fixtureUri('charts.mm'), { app: APP, quiet: true });
        assert.equal(o?.exitCode, 0);
        await waitFor('the report view', () => api.reportState().open && api.reportTables().length ? true : undefined);
        await vscode.window.showTextDocument(vscode.Uri.file(MAIN_C), { preview: false, viewColumn: vscode.ViewColumn.One });
        await vscode.commands.executeCommand('whamm.runWithCoverage', { app: APP, quiet: true });
        const state = { runId: api.reportState().runId, tables: api.reportTables(), lines: api.lastCoverage()?.[MAIN_C] };
        fs.writeFileSync(MARK, JSON.stringify(state));
        fs.writeFileSync(path.join(UI_DIR, 'request-reload.json'), JSON.stringify({ id: 'reload', kind: 'reload' }));
        // The reload ends this extension host; the test never returns.
        await new Promise(() => undefined);
    });

    describe('after reload', () => {
        let api: Api;
        let saved: { runId: string; tables: ReturnType<Api['reportTables']>; lines: Record<number, number> };
        before(async function () {
            if (!MARK || !fs.existsSync(MARK)) this.skip();
            saved = JSON.parse(fs.readFileSync(MARK, 'utf8'));
            api = (await activateExtension()).api as unknown as Api;
        });

        it('the Report view comes back with the last run, its tables and charts', async () => {
            await waitFor('the report view restored', () => api.reportState().open && api.reportState().runId === saved.runId ? true : undefined, 60000);
            assert.deepEqual(api.reportTables(), saved.tables);
            await waitFor('charts drawn again', () => api.reportCharts().some(c => c.id === 'per_fn:top' && c.svg) ? true : undefined, 60000);
        });

        it('the coverage and the heat come back', async () => {
            const lines = await waitFor('coverage restored', () => api.lastCoverage()?.[MAIN_C], 30000);
            assert.deepEqual(lines, saved.lines);
            await vscode.window.showTextDocument(vscode.Uri.file(MAIN_C), { preview: false });
            await waitFor('heat on main.c', () => api.heatDecorations().some(d => d.file === MAIN_C) ? true : undefined);
        });
    });
});
