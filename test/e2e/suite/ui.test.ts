// The UI-level check: the suite puts errors.mm on screen with the Problems panel open, then hands over to
// the code-server runner, which looks at the real DOM (squiggles, Problems count) and takes a screenshot.
// The handshake is two files in WHAMM_E2E_UI_DIR; runners without a browser (electron) skip this test.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, openWhamm, sleep, waitFor, waitForDiagnostics } from './helpers.js';

const UI_DIR = process.env.WHAMM_E2E_UI_DIR;

describe('ui', () => {
    it('errors.mm shows squiggles and the Problems panel counts them (checked by the runner)', async function () {
        if (!UI_DIR) {
            this.skip();
            return;
        }
        this.timeout(90000);
        await (await activateExtension()).api.serverReady;
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
        const doc = await openWhamm('errors.mm', true);
        const diags = await waitForDiagnostics(doc.uri, 1);
        const errors = vscode.languages.getDiagnostics().flatMap(([, d]) => d)
            .filter(d => d.severity === vscode.DiagnosticSeverity.Error).length;
        await vscode.commands.executeCommand('workbench.actions.view.problems');
        await vscode.window.showTextDocument(doc, { preserveFocus: false, preview: false });
        await sleep(1500); // let the editor paint its decorations
        fs.writeFileSync(path.join(UI_DIR, 'ready.json'), JSON.stringify({ file: 'errors.mm', diagnostics: diags.length, errors }));
        const result = await waitFor('the runner to check the UI', () => {
            const p = path.join(UI_DIR, 'done.json');
            return fs.existsSync(p) ? JSON.parse(fs.readFileSync(p, 'utf8')) as { ok: boolean; problems: string[]; screenshot: string } : undefined;
        }, 60000);
        assert.ok(result.ok, `UI check failed (${result.screenshot}):\n${result.problems.join('\n')}`);
    });
});
