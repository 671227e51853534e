// Runs only in the runner's `restricted` mode (workspace trust on, folder not trusted): editing support
// works, running is refused with an explanation and nothing is executed.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, fixtureUri, openWhamm, waitForDiagnostics, workspaceDir } from './helpers.js';

describe('restricted mode', () => {
    it('the folder is opened untrusted', () => {
        assert.equal(vscode.workspace.isTrusted, false, 'the restricted runner must open an untrusted folder');
    });

    it('the language server still validates', async () => {
        await (await activateExtension()).api.serverReady;
        const doc = await openWhamm('errors.mm', true);
        const diags = await waitForDiagnostics(doc.uri, 1);
        assert.ok(diags.some(d => doc.getText(d.range) === 'br_iff'));
    });

    it('whamm.instrumentAndRun refuses to run and runs nothing', async () => {
        const { api } = await activateExtension();
        const before = api.outputText();
        const outcome = await vscode.commands.executeCommand('whamm.instrumentAndRun',
            fixtureUri('count-br_if.mm'), { app: path.join(workspaceDir(), 'app.wasm'), quiet: true });
        assert.equal(outcome, undefined);
        assert.equal(api.outputText(), before, 'no CLI invocation may be logged');
    });
});
