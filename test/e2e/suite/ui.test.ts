// UI-level checks: the suite puts something on screen, then hands over to the code-server runner, which
// looks at the real DOM (squiggles, Problems count) and takes a screenshot (test-artifacts/e2e-<mode>/).
// The hand-over is a request/response pair of files in WHAMM_E2E_UI_DIR; runners without a browser
// (electron) do not set it, and these tests skip there.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, fixtureUri, openWhamm, sleep, waitFor, waitForDiagnostics, workspaceDir } from './helpers.js';

const UI_DIR = process.env.WHAMM_E2E_UI_DIR;

interface Verdict { ok: boolean; problems: string[]; screenshot: string }

async function askRunner(request: { id: string; kind: 'problems' | 'screenshot'; file?: string; diagnostics?: number; errors?: number }): Promise<Verdict> {
    fs.writeFileSync(path.join(UI_DIR!, `request-${request.id}.json`), JSON.stringify(request));
    return waitFor(`the runner to check the UI (${request.id})`, () => {
        const p = path.join(UI_DIR!, `response-${request.id}.json`);
        return fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, 'utf8')) as Verdict : undefined;
    }, 60000);
}

async function cleanWindow(): Promise<void> {
    // Earlier tests leave dirty untitled editors; drop them so the screenshots show the fixture alone.
    await vscode.commands.executeCommand('_workbench.revertAllDirty');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

describe('ui', function () {
    before(function () { if (!UI_DIR) this.skip(); });
    this.timeout(90000);

    it('errors.mm shows squiggles and the Problems panel counts them (checked by the runner)', async () => {
        await (await activateExtension()).api.serverReady;
        await cleanWindow();
        const doc = await openWhamm('errors.mm', true);
        const diags = await waitForDiagnostics(doc.uri, 1);
        await vscode.commands.executeCommand('workbench.actions.view.problems');
        await vscode.window.showTextDocument(doc, { preserveFocus: false, preview: false });
        await sleep(1500); // let the editor paint its decorations
        // errors.mm has three mistakes; after everything the suite did before (server restarts, runs,
        // CodeLens requests) each must still be reported once: a second live client would double them.
        const now = vscode.languages.getDiagnostics(doc.uri);
        assert.equal(now.length, 3, `errors.mm diagnostics:\n${now.map(d => d.message).join('\n')}`);
        const errors = vscode.languages.getDiagnostics().flatMap(([, d]) => d)
            .filter(d => d.severity === vscode.DiagnosticSeverity.Error).length;
        const v = await askRunner({ id: 'errors-mm-problems', kind: 'problems', file: 'errors.mm', diagnostics: diags.length, errors });
        assert.ok(v.ok, `UI check failed (${v.screenshot}):\n${v.problems.join('\n')}`);
    });

    it('after Instrument and Run the Whamm output shows the app output and the report (screenshot)', async () => {
        await cleanWindow();
        await openWhamm('count-br_if.mm', true);
        const outcome = await vscode.commands.executeCommand<{ exitCode: number | null }>('whamm.instrumentAndRun',
            fixtureUri('count-br_if.mm'), { app: path.join(workspaceDir(), 'app.wasm'), quiet: true });
        assert.equal(outcome?.exitCode, 0);
        await vscode.commands.executeCommand('whamm.showOutput');
        await sleep(1000);
        const v = await askRunner({ id: 'instrument-and-run-output', kind: 'screenshot' });
        assert.ok(v.ok, v.problems.join('\n'));
    });
});
