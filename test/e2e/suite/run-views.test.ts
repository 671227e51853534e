// The Report view after "Instrument and Run", the script CodeLenses (run, "N sites" from the server) and
// the match-site picker's data, in the fixture workspace (app.wasm from app.wat: one br_if, run 5 times).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, fixtureUri, waitFor, workspaceDir } from './helpers.js';

interface ViewsApi {
    reportTables(): { name: string; kind: string; columns: string[]; rows: { value: string }[] }[];
}

describe('report view and code lenses', function () {
    this.timeout(120000);
    let api: ViewsApi;
    before(async () => {
        const a = await activateExtension();
        await a.api.serverReady;
        api = a.api as unknown as ViewsApi;
    });

    it('Instrument and Run shows the report as a table per variable, exportable as CSV and JSON', async () => {
        const app = path.join(workspaceDir(), 'app.wasm');
        await vscode.commands.executeCommand('whamm.instrumentAndRun', fixtureUri('count-br_if.mm'), { app, quiet: true });
        const tables = await waitFor('the report view', () => api.reportTables().length ? api.reportTables() : undefined);
        const taken = tables.find(t => t.name === 'taken');
        assert.ok(taken, `tables: ${tables.map(t => t.name).join(', ')}`);
        assert.equal(taken.kind, 'global');
        // app.wat's loop executes br_if exactly 5 times.
        assert.deepEqual(taken.rows.map(r => r.value), ['5']);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whamm-report-'));
        const csv = await vscode.commands.executeCommand<string>('whamm.exportReport', 'csv', vscode.Uri.file(path.join(dir, 'r.csv')));
        assert.match(fs.readFileSync(csv, 'utf8'), /^variable,type,fname,fid,pc,probe,key,value\r\ntaken,u32,,,,,,5\r\n/);
        const json = await vscode.commands.executeCommand<string>('whamm.exportReport', 'json', vscode.Uri.file(path.join(dir, 'r.json')));
        assert.deepEqual(JSON.parse(fs.readFileSync(json, 'utf8')).variables[0], { name: 'taken', type: 'u32', kind: 'global', rows: [{ value: 5 }] });
    });

    it('CodeLenses: Instrument and Run at the top, Run and "1 site" above the br_if probe', async () => {
        const cfg = vscode.workspace.getConfiguration('whamm');
        await cfg.update('app', 'app.wasm', vscode.ConfigurationTarget.Workspace);
        try {
            const uri = fixtureUri('count-br_if.mm');
            await vscode.workspace.openTextDocument(uri);
            const lenses = await waitFor('the sites lens', async () => {
                const ls = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 10);
                return ls?.some(l => /site/.test(l.command?.title ?? '')) ? ls : undefined;
            }, 60000);
            const titled = lenses.map(l => [l.range.start.line, l.command?.title ?? '']);
            assert.ok(titled.some(([line, t]) => line === 0 && /Instrument and Run/.test(String(t))), JSON.stringify(titled));
            // The probe `wasm:opcode:br_if:before` is on line 4 (0-based 3); app.wat has exactly one br_if.
            assert.ok(titled.some(([line, t]) => line === 3 && t === '1 site'), JSON.stringify(titled));
            assert.ok(titled.some(([line, t]) => line === 3 && /Run/.test(String(t))), JSON.stringify(titled));
            // A picture of the lenses with the Report view beside, for people to look at.
            const ui = process.env.WHAMM_E2E_UI_DIR;
            if (ui) {
                await vscode.commands.executeCommand('workbench.action.closeSidebar');
                await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One, preview: false });
                await vscode.commands.executeCommand('whamm.showReport');
                await new Promise(r => setTimeout(r, 6000));
                const id = 'report-and-lenses';
                fs.writeFileSync(path.join(ui, `request-${id}.json`), JSON.stringify({ id, kind: 'screenshot' }));
                await waitFor('the runner to take the screenshot', () => fs.existsSync(path.join(ui, `response-${id}.json`)) ? true : undefined, 60000);
                await vscode.commands.executeCommand('workbench.view.explorer');
            }
        } finally {
            await cfg.update('app', undefined, vscode.ConfigurationTarget.Workspace);
        }
    });
});
