// In Restricted Mode, coverage runs are refused (they execute the app the workspace names), and the
// run CodeLenses are not offered; the editor itself keeps working.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, fixtureUri, workspaceDir } from './helpers.js';

describe('restricted mode: coverage and lenses', function () {
    this.timeout(60000);

    it('Run with Coverage does nothing in an untrusted workspace', async () => {
        assert.equal(vscode.workspace.isTrusted, false, 'the runner must open the folder untrusted');
        const { api } = await activateExtension();
        const r = await vscode.commands.executeCommand('whamm.runWithCoverage', { app: path.join(workspaceDir(), 'app.wasm'), quiet: true });
        assert.equal(r, undefined);
        assert.equal((api as unknown as { lastCoverage(): unknown }).lastCoverage(), undefined);
    });

    it('no run lenses in an untrusted workspace', async () => {
        const uri = fixtureUri('count-br_if.mm');
        await vscode.workspace.openTextDocument(uri);
        const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri) ?? [];
        assert.deepEqual(lenses.filter(l => /Run|site/.test(l.command?.title ?? '')).map(l => l.command?.title), []);
    });
});
